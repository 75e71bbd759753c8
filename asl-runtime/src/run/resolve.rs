//! Values a field gives literally, by a `…Path` field or by JSONata: Wait's
//! `Seconds` and `Timestamp`, a Task's `TimeoutSeconds` and
//! `HeartbeatSeconds`, a Map's `MaxConcurrency`, `MaxItems`, batch limits and
//! tolerated failures. [`Given::read`] is the one rule for reading them;
//! each field then checks the value as AWS does, and [`Given::invalid`]
//! words a value of the wrong kind in AWS's manner for the form it came in.

use crate::error::Failure;
use crate::jsonata;
use crate::jsonpath;
use asl_spec::model::*;
use asl_spec::path::Path;
use serde_json::Value;
use std::borrow::Cow;

use crate::run::context::Env;
use crate::run::text_of;

/// How AWS's messages name a field's `…Path` form: a Task's and a Wait's
/// are "parameters", a Map's are "fields".
#[derive(Clone, Copy)]
pub(super) enum Noun {
    Parameter,
    Field,
}

impl Noun {
    fn as_str(self) -> &'static str {
        match self {
            Noun::Parameter => "parameter",
            Noun::Field => "field",
        }
    }
}

/// Where a field's value comes from.
enum Form<'d> {
    Literal(Cow<'d, Value>),
    Path(&'d Path),
    Jsonata(&'d Expr),
}

/// A field's value as the definition gives it, with the field's name
/// (`Seconds`, `MaxConcurrency`, …) for messages.
pub(super) struct Given<'d> {
    form: Form<'d>,
    field: &'d str,
    noun: Noun,
}

impl<'d> Given<'d> {
    /// A Task's or a Wait's seconds.
    pub(super) fn seconds(seconds: &'d Seconds, field: &'d str) -> Given<'d> {
        let form = match seconds {
            Seconds::Fixed(s) => Form::Literal(Cow::Owned(Value::from(*s))),
            Seconds::Path(p) => Form::Path(p),
            Seconds::Jsonata(expr) => Form::Jsonata(expr),
        };
        Given { form, field, noun: Noun::Parameter }
    }

    /// A Map's count (`MaxConcurrency`, `MaxItems`, …).
    pub(super) fn count(count: &'d Count, field: &'d str) -> Given<'d> {
        let form = match count {
            Count::Fixed(v) => Form::Literal(Cow::Borrowed(v)),
            Count::Path(p) => Form::Path(p),
            Count::Jsonata(expr) => Form::Jsonata(expr),
        };
        Given { form, field, noun: Noun::Field }
    }

    /// A Wait's `Timestamp`, `TimestampPath` or JSONata `Timestamp`
    /// (`None` for a Wait of seconds).
    pub(super) fn timestamp(wait: &'d Wait) -> Option<Given<'d>> {
        let form = match wait {
            Wait::Timestamp(s) => Form::Literal(Cow::Owned(Value::String(s.clone()))),
            Wait::TimestampPath(p) => Form::Path(p),
            Wait::TimestampJsonata(expr) => Form::Jsonata(expr),
            Wait::Seconds(_) => return None,
        };
        Some(Given { form, field: "Timestamp", noun: Noun::Parameter })
    }

    /// The value: the literal, what the path selects from the state's
    /// input (a miss is `States.Runtime`), or what the expression gives.
    pub(super) fn read<'v>(&'v self, env: &'v Env<'_>) -> Result<Cow<'v, Value>, Failure> {
        let Given { field, noun, .. } = self;
        match &self.form {
            Form::Literal(v) => Ok(Cow::Borrowed(v.as_ref())),
            Form::Path(p) => jsonpath::select(p, env).map_err(|_| {
                Failure::runtime(format!(
                    "The {field}Path {} does not reference an input value: {}",
                    noun.as_str(),
                    p.text
                ))
            }),
            Form::Jsonata(expr) => {
                jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field).map(Cow::Owned)
            }
        }
    }

    /// The path, if the value came from one.
    pub(super) fn path(&self) -> Option<&Path> {
        match self.form {
            Form::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The failure for `value`, which is not a `kind` (`integer`,
    /// `positive integer`, …), worded for the form it came in.
    pub(super) fn invalid(&self, value: &Value, kind: &str) -> Failure {
        let field = self.field;
        match (&self.form, self.noun) {
            (Form::Jsonata(expr), Noun::Parameter) => jsonata::unexpected_type(expr, field, kind, value),
            (Form::Path(p), Noun::Parameter) => Failure::runtime(format!(
                "The {field}Path parameter does not reference a {kind}: {} == {}",
                p.text,
                text_of(value)
            )),
            (Form::Path(p), Noun::Field) => Failure::runtime(format!(
                "The {field}Path field refers to value \"{}\" which is not a valid {kind}: {}",
                text_of(value),
                p.text
            )),
            (Form::Literal(_) | Form::Jsonata(_), _) => {
                Failure::runtime(format!("{field} must be a valid {kind}, not {}", text_of(value)))
            }
        }
    }

    /// A Map's count: AWS reads a number that a path finds written as a
    /// string too (`"1"`).
    pub(super) fn read_count<'v>(&'v self, env: &'v Env<'_>) -> Result<Cow<'v, Value>, Failure> {
        let value = self.read(env)?;
        if self.path().is_none() {
            return Ok(value);
        }
        Ok(match value.as_str().and_then(|s| serde_json::from_str::<serde_json::Number>(s.trim()).ok()) {
            Some(n) => Cow::Owned(Value::Number(n)),
            None => value,
        })
    }
}

/// A Task's `TimeoutSeconds` or `HeartbeatSeconds` (`field`): a positive integer.
pub(super) fn task_seconds(seconds: Option<&Seconds>, field: &str, env: &Env<'_>) -> Result<Option<u64>, Failure> {
    let Some(seconds) = seconds else { return Ok(None) };
    if let Seconds::Fixed(s) = seconds {
        return Ok(Some(*s));
    }
    let given = Given::seconds(seconds, field);
    let value = given.read(env)?;
    match value.as_u64() {
        Some(s) if s > 0 => Ok(Some(s)),
        _ => Err(given.invalid(&value, "positive integer")),
    }
}

/// A Map's count `field`, if it has one: `accept` turns its value into a
/// `T`, or finds it is not a `kind` (`integer`, `float`, …).
pub(super) fn map_count<T>(
    count: Option<&Count>, field: &str, kind: &str, env: &Env<'_>, accept: impl FnOnce(&Value) -> Option<T>,
) -> Result<Option<T>, Failure> {
    let Some(count) = count else { return Ok(None) };
    let given = Given::count(count, field);
    let value = given.read_count(env)?;
    accept(&value).map(Some).ok_or_else(|| given.invalid(&value, kind))
}
