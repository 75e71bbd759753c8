//! The Wait state: how long it waits.

use crate::error::Failure;
use asl_spec::model::*;
use serde_json::Value;
use std::time::Duration;

use crate::run::context::Env;
use crate::run::resolve::Given;
use crate::run::{Run, text_of, to_text};

impl<'a> Run<'a> {
    /// How long `wait` waits from now: its seconds, or until its timestamp.
    pub(super) fn wait_duration(&self, wait: &Wait, env: &Env<'_>) -> Result<Duration, Failure> {
        let seconds = match wait {
            Wait::Seconds(Seconds::Fixed(s)) => return Ok(Duration::from_secs(*s)),
            Wait::Seconds(seconds) => Given::seconds(seconds, "Seconds"),
            _ => return self.until_timestamp(wait, env),
        };
        let value = seconds.read(env)?;
        match (seconds.path(), value.as_ref()) {
            (_, Value::Number(n)) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
            (Some(p), Value::Number(n)) if n.as_i64().is_some_and(|i| i < 0) => Err(Failure::runtime(format!(
                "The SecondsPath parameter references a negative value: {} == {n}",
                p.text
            ))),
            (Some(p), other) => Err(Failure::runtime(format!(
                "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                p.text,
                text_of(other)
            ))),
            (None, other) => Err(seconds.invalid(other, "integer")),
        }
    }

    /// The time until a Wait's `Timestamp`, `TimestampPath` or JSONata
    /// `Timestamp` (none if it has passed).
    fn until_timestamp(&self, wait: &Wait, env: &Env<'_>) -> Result<Duration, Failure> {
        let Some(given) = Given::timestamp(wait) else { return Ok(Duration::ZERO) };
        let value = given.read(env)?;
        let Some(ts) = value.as_str().and_then(asl_spec::time::parse_rfc3339) else {
            const NOT_RFC3339: &str = "cannot be parsed as an ISO-8601 extended offset date-time format string";
            return Err(match wait {
                Wait::TimestampPath(p) => Failure::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                    p.text,
                    text_of(&value)
                )),
                Wait::TimestampJsonata(_) => Failure::query(
                    "Timestamp",
                    format!(
                        "The Timestamp field {NOT_RFC3339}: {}",
                        value.as_str().map_or_else(|| to_text(&value), str::to_string)
                    ),
                ),
                _ => Failure::runtime(format!("The Timestamp field {NOT_RFC3339}: {}", text_of(&value))),
            });
        };
        let span = ts.duration_since(self.exec.clock.now());
        Ok(Duration::try_from(span).unwrap_or(Duration::ZERO))
    }
}
