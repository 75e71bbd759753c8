//! The Wait state: how long it waits.

use crate::error::Failure;
use crate::jsonata;
use crate::jsonpath::{self};
use asl_spec::model::*;
use serde_json::Value;
use std::time::Duration;

use crate::run::context::Env;
use crate::run::{Run, text_of, to_text};

impl<'a> Run<'a> {
    pub(super) fn wait_duration(&self, wait: &Wait, env: &Env<'_>) -> Result<Duration, Failure> {
        let until = |ts: jiff::Timestamp| {
            let now = self.exec.clock.now();
            let span = ts.duration_since(now);
            Duration::try_from(span).unwrap_or(Duration::ZERO)
        };
        match wait {
            Wait::Seconds(Seconds::Fixed(s)) => Ok(Duration::from_secs(*s)),
            Wait::Seconds(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
                })?;
                match v.as_ref() {
                    Value::Number(n) if n.as_i64().is_some_and(|i| i < 0) => Err(Failure::runtime(format!(
                        "The SecondsPath parameter references a negative value: {} == {n}",
                        p.text
                    ))),
                    Value::Number(n) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
                    other => Err(Failure::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.text,
                        text_of(other)
                    ))),
                }
            }
            Wait::Timestamp(s) => {
                let ts = asl_spec::time::parse_rfc3339(s).ok_or_else(|| {
                    Failure::runtime(format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {s}"))
                })?;
                Ok(until(ts))
            }
            Wait::TimestampPath(p) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!(
                        "The TimestampPath parameter does not reference an input value: {}",
                        p.text
                    ))
                })?;
                let ts = v.as_str().and_then(asl_spec::time::parse_rfc3339).ok_or_else(|| {
                    Failure::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.text,
                        text_of(&v)
                    ))
                })?;
                Ok(until(ts))
            }
            Wait::Seconds(Seconds::Jsonata(expr)) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, "Seconds")?;
                match v.as_u64() {
                    Some(s) => Ok(Duration::from_secs(s)),
                    None => Err(jsonata::unexpected_type(expr, "Seconds", "integer", &v)),
                }
            }
            Wait::TimestampJsonata(expr) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, "Timestamp")?;
                let ts = v.as_str().and_then(asl_spec::time::parse_rfc3339).ok_or_else(|| {
                    Failure::query(
                        "Timestamp",
                        format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}", v.as_str().map_or_else(|| to_text(&v), str::to_string)),
                    )
                })?;
                Ok(until(ts))
            }
        }
    }
}
