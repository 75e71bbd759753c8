//! What asl-codegen needs to write the model as Rust data (feature
//! `static-model`): the model's types are `Serialize`, each named by its
//! path here (`model::Task`); JSON values and JSONata expressions are
//! marked (`$json`, `$number`, `$jsonata`) so the writer builds them as what they are.

use crate::jsonata::Expr;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// A JSON value, marked.
struct Json<'a>(&'a Value);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("$json", self.0)
    }
}

pub(crate) fn json<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    Json(v).serialize(s)
}

pub(crate) fn number<S: Serializer>(n: &serde_json::Number, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct("$number", n)
}

pub(crate) fn option_json<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&Json(v)),
        None => s.serialize_none(),
    }
}

pub(crate) fn json_map<S: Serializer>(m: &Map<String, Value>, s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(m.len()))?;
    for (k, v) in m {
        map.serialize_entry(k, &Json(v))?;
    }
    map.end()
}

impl Serialize for Expr {
    /// By its source: jlens-core builds an expression only from its text.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("$jsonata", self.source())
    }
}
