//! Input structs: where every state a Task method serves builds its input
//! from a template with the same fixed keys (`Parameters`, JSONata
//! `Arguments`, or for `lambda:invoke` the `Payload` inside them), the
//! method gets a generated serde struct with one field per key, typed by
//! the key's literal value when every state writes the same kind of
//! literal there, and `serde_json::Value` otherwise.

use crate::names;
use asl_spec::jsonata::Jsonata;
use asl_spec::model::{State, Template};
use serde_json::Value;

/// One field of an input struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The JSON key.
    pub key: String,
    /// The Rust field name (snake_case, unique in the struct).
    pub name: String,
    /// Its type.
    pub kind: FieldKind,
}

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A literal string in every state.
    String,
    /// A literal whole number in every state.
    Integer,
    /// A literal number in every state, not always whole.
    Float,
    /// A literal boolean in every state.
    Bool,
    /// Computed, or of different kinds: any JSON value.
    Value,
}

fn literal_kind(v: &Value) -> FieldKind {
    match v {
        Value::String(_) => FieldKind::String,
        Value::Number(n) if n.is_i64() => FieldKind::Integer,
        Value::Number(_) => FieldKind::Float,
        Value::Bool(_) => FieldKind::Bool,
        _ => FieldKind::Value,
    }
}

/// The keys a template fixes, each with its kind; `None` when it does not
/// fix them (not an object).
fn template_keys(template: &Template) -> Option<Vec<(String, FieldKind)>> {
    match template {
        Template::Object(object) => Some(
            object
                .fields
                .iter()
                .map(|(key, value)| match value {
                    Template::Literal(v) => (key.clone(), literal_kind(v)),
                    _ => (key.clone(), FieldKind::Value),
                })
                .collect(),
        ),
        Template::Literal(Value::Object(members)) => {
            Some(members.iter().map(|(key, v)| (key.clone(), literal_kind(v))).collect())
        }
        _ => None,
    }
}

fn jsonata_keys(arguments: &Jsonata) -> Option<Vec<(String, FieldKind)>> {
    match arguments {
        Jsonata::Object(members) => Some(
            members
                .iter()
                .map(|(key, value)| match value {
                    Jsonata::Literal(v) => (key.clone(), literal_kind(v)),
                    _ => (key.clone(), FieldKind::Value),
                })
                .collect(),
        ),
        Jsonata::Literal(Value::Object(members)) => {
            Some(members.iter().map(|(key, v)| (key.clone(), literal_kind(v))).collect())
        }
        _ => None,
    }
}

/// The template member `key` (the `Payload` of `lambda:invoke`).
fn member(template: &Template, key: &str) -> Option<Template> {
    match template {
        Template::Object(object) => object.fields.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()),
        Template::Literal(Value::Object(members)) => members.get(key).map(|v| Template::Literal(v.clone())),
        _ => None,
    }
}

fn jsonata_member(arguments: &Jsonata, key: &str) -> Option<Jsonata> {
    match arguments {
        Jsonata::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, j)| j.clone()),
        Jsonata::Literal(Value::Object(members)) => members.get(key).map(|v| Jsonata::Literal(v.clone())),
        _ => None,
    }
}

/// The keys of what `state`'s Task method receives, if fixed.
fn keys_of(state: &State, invoke: bool) -> Option<Vec<(String, FieldKind)>> {
    match (&state.io.parameters, &state.io.arguments) {
        (Some(parameters), _) if invoke => template_keys(&member(parameters, "Payload")?),
        (Some(parameters), _) => template_keys(parameters),
        (_, Some(arguments)) if invoke => jsonata_keys(&jsonata_member(arguments, "Payload")?),
        (_, Some(arguments)) => jsonata_keys(arguments),
        _ => None,
    }
}

/// The fields of the input struct of a method serving `states` (a
/// `lambda:invoke` function's when `invoke`), when they all fix the same keys.
pub fn fields(states: &[&State], invoke: bool) -> Option<Vec<Field>> {
    let mut keys: Option<Vec<(String, FieldKind)>> = None;
    for state in states {
        let these = keys_of(state, invoke)?;
        keys = Some(match keys {
            None => these,
            Some(known) => {
                let same_keys = known.len() == these.len() && known.iter().zip(&these).all(|(a, b)| a.0 == b.0);
                if !same_keys {
                    return None;
                }
                known
                    .into_iter()
                    .zip(these)
                    .map(|((key, a), (_, b))| (key, if a == b { a } else { FieldKind::Value }))
                    .collect()
            }
        });
    }
    let keys = keys.filter(|k| !k.is_empty())?;
    let mut taken = std::collections::HashSet::new();
    Some(
        keys.into_iter()
            .map(|(key, kind)| {
                let base = names::snake(&key);
                let name = std::iter::once(base.clone())
                    .chain((2..).map(|n| format!("{}_{n}", base.trim_end_matches('_'))))
                    .find(|n| taken.insert(n.clone()))
                    .expect("an unbounded sequence has a free name");
                Field { key, name, kind }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(text: &str) -> asl_spec::Definition {
        asl_spec::load(text).valid().unwrap()
    }

    #[test]
    fn keys_fixed_by_every_state_make_fields_typed_by_their_literals() {
        let def = states(
            r#"{"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                      "Parameters": {"id.$": "$.id", "kind": "a", "n": 1, "on": true, "type": 1}, "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                      "Parameters": {"id": "x", "kind": "b", "n": 2.5, "on": false, "type": 2}, "Next": "C"},
                "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "g", "Payload.$": "$"}, "Next": "D"},
                "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:h",
                      "Parameters": {"a": 1}, "Next": "E"},
                "E": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:h",
                      "Parameters": {"b": 1}, "End": true}}}"#,
        );
        let by_name =
            |names: &[&str]| -> Vec<&State> { def.body.states.iter().filter(|s| names.contains(&&*s.name)).collect() };
        let made = fields(&by_name(&["A", "B"]), false).unwrap();
        let got: Vec<(&str, &str, FieldKind)> =
            made.iter().map(|f| (f.key.as_str(), f.name.as_str(), f.kind)).collect();
        assert_eq!(
            got,
            [
                ("id", "id", FieldKind::Value),
                ("kind", "kind", FieldKind::String),
                ("n", "n", FieldKind::Value),
                ("on", "on", FieldKind::Bool),
                ("type", "type_", FieldKind::Integer),
            ]
        );
        // A `Payload` given by a path fixes no keys; states that disagree on
        // the keys get no struct.
        assert_eq!(fields(&by_name(&["C"]), true), None);
        assert_eq!(fields(&by_name(&["D", "E"]), false), None);
    }
}
