//! Numbers a field gives literally, by path or by JSONata (`TimeoutSeconds`,
//! `HeartbeatSeconds`, `MaxItems`, `MaxConcurrency`, tolerated failures).

use crate::error::Failure;
use crate::jsonata;
use crate::jsonpath::{self};
use asl_spec::model::*;
use serde_json::Value;

use crate::run::context::Env;
use crate::run::{Run, text_of};

pub(super) fn count_value(count: &Count, field: &str, env: &Env<'_>) -> Result<Value, Failure> {
    match count {
        Count::Fixed(v) => Ok(v.clone()),
        Count::Path(p) => match jsonpath::select(p, env) {
            // AWS reads a number written as a string too (`"1"`).
            Ok(v) => Ok(match v.as_str().and_then(|s| serde_json::from_str::<serde_json::Number>(s.trim()).ok()) {
                Some(n) => Value::Number(n),
                None => v.into_owned(),
            }),
            Err(_) => {
                Err(Failure::runtime(format!("The {field}Path field does not reference an input value: {}", p.text)))
            }
        },
        Count::Jsonata(expr) => jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field),
    }
}

pub(super) fn not_a_number(count: &Count, field: &str, value: &Value, kind: &str) -> Failure {
    match count {
        Count::Path(p) => Failure::runtime(format!(
            "The {field}Path field refers to value \"{}\" which is not a valid {kind}: {}",
            text_of(value),
            p.text
        )),
        _ => Failure::runtime(format!("{field} must be a valid {kind}, not {}", text_of(value))),
    }
}

impl<'a> Run<'a> {
    pub(super) fn task_seconds(
        &self,
        seconds: &Option<Seconds>,
        field: &str,
        env: &Env<'_>,
    ) -> Result<Option<u64>, Failure> {
        match seconds {
            None => Ok(None),
            Some(Seconds::Fixed(s)) => Ok(Some(*s)),
            Some(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The {field}Path parameter does not reference an input value: {}", p.text))
                })?;
                match v.as_u64() {
                    Some(s) if s > 0 => Ok(Some(s)),
                    _ => Err(Failure::runtime(format!(
                        "The {field}Path parameter does not reference a positive integer: {} == {}",
                        p.text,
                        text_of(&v)
                    ))),
                }
            }
            Some(Seconds::Jsonata(expr)) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field)?;
                match v.as_u64() {
                    Some(s) if s > 0 => Ok(Some(s)),
                    _ => Err(jsonata::unexpected_type(expr, field, "positive integer", &v)),
                }
            }
        }
    }
}
