//! Evaluating the JSONata fields of JSONata states over the expressions
//! `asl_spec` compiled at load time: `$states`, workflow variables, the
//! functions AWS adds to JSONata, and AWS's `States.QueryEvaluationError`
//! causes.

use crate::error::Failure;
use crate::intrinsics;
use asl_spec::intrinsic::Function;
use asl_spec::jsonata::{Expr, Jsonata};
use jlens_core::{Bindings, HostFunction};
use serde_json::Value;
use std::sync::OnceLock;

/// The bindings of one evaluation: `$states`, the variables in scope and
/// AWS's functions.
pub(crate) struct Scope {
    bindings: Bindings,
}

impl Scope {
    /// `$states` is `states`; `variables` are the workflow variables.
    pub fn new<'v>(states: Value, variables: impl Iterator<Item = (&'v String, &'v Value)>) -> Scope {
        let mut bindings = functions().clone();
        for (name, value) in variables {
            bindings = bindings.var(name.as_str(), value.clone());
        }
        Scope { bindings: bindings.var("states", states) }
    }

    /// The value of a whole field (`field` names it in errors: `Output`,
    /// `Assign`, `Items`, …).
    pub fn value(&self, template: &Jsonata, field: &str) -> Result<Value, Failure> {
        match template {
            Jsonata::Literal(v) => Ok(v.clone()),
            Jsonata::Expr(e) => self.expr(e, field),
            Jsonata::Object(members) => {
                let mut out = serde_json::Map::with_capacity(members.len());
                for (key, member) in members {
                    let value = match member {
                        Jsonata::Literal(v) => v.clone(),
                        other => self.value(other, &format!("{field}/{key}"))?,
                    };
                    out.insert(key.clone(), value);
                }
                Ok(Value::Object(out))
            }
            Jsonata::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(match item {
                        Jsonata::Literal(v) => v.clone(),
                        other => self.value(other, &format!("{field}/{i}"))?,
                    });
                }
                Ok(Value::Array(out))
            }
        }
    }

    /// One expression's value. An expression that gives nothing
    /// (*undefined*) is an error, as in AWS.
    pub fn expr(&self, expr: &Expr, field: &str) -> Result<Value, Failure> {
        match expr.compiled().evaluate(None, &self.bindings) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(query_error(expr, field, "returned nothing (undefined).")),
            Err(e) => Err(query_error(expr, field, &format!("threw an error during evaluation. {}: {}", e.code(), e.message()))),
        }
    }
}

/// AWS's cause for an expression that failed in `field`.
pub(crate) fn query_error(expr: &Expr, field: &str, what: &str) -> Failure {
    Failure::query(field, format!("The JSONata expression '{}' specified for the field '{field}' {what}", expr.source()))
}

/// AWS's cause for an expression whose value has the wrong type.
pub(crate) fn unexpected_type(expr: &Expr, field: &str, expected: &str, value: &Value) -> Failure {
    query_error(
        expr,
        field,
        &format!(
            "returned an unexpected result type. Expected '{expected}', but was '{}' for value: {}",
            type_name(value),
            serde_json::to_string(value).unwrap_or_default()
        ),
    )
}

/// JSONata's name of a value's type.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The functions AWS adds to JSONata. They are the intrinsic functions of
/// JSONPath states under other names, and share their implementation.
fn functions() -> &'static Bindings {
    static FUNCTIONS: OnceLock<Bindings> = OnceLock::new();
    FUNCTIONS.get_or_init(|| {
        let intrinsic = |function: Function, signature: &str, arity: usize| {
            HostFunction::with_signature(signature, move |args, _| {
                let mut values = Vec::with_capacity(arity);
                for i in 0..arity {
                    match args.get(i).cloned().flatten() {
                        Some(v) => values.push(v),
                        None if i >= 2 && function == Function::MathRandom => {}
                        None => return Ok(None),
                    }
                }
                let value = intrinsics::apply_values(function, values)
                    .map_err(|f| jlens_core::Error::new("D3137").with("message", f.message))?;
                // AWS's `$range` gives a JSONata sequence: one number is not wrapped.
                Ok(Some(match value {
                    Value::Array(mut items) if function == Function::ArrayRange && items.len() == 1 => items.remove(0),
                    other => other,
                }))
            })
            .expect("the signatures are valid")
        };
        Bindings::new()
            .function("partition", intrinsic(Function::ArrayPartition, "<an:a>", 2))
            .function("range", intrinsic(Function::ArrayRange, "<nnn:a>", 3))
            .function("hash", intrinsic(Function::Hash, "<xs:s>", 2))
            .function("random", intrinsic(Function::MathRandom, "<n?:n>", 1))
            .function("uuid", intrinsic(Function::Uuid, "<:s>", 0))
            .function("parse", intrinsic(Function::StringToJson, "<s:x>", 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, states: Value) -> Result<Value, Failure> {
        let expr = Expr::compile(text).unwrap();
        Scope::new(states, std::iter::empty()).expr(&expr, "Output")
    }

    #[test]
    fn states_and_aws_functions() {
        assert_eq!(eval("$states.input.a + 1", json!({"input": {"a": 1}})).unwrap(), json!(2));
        assert_eq!(eval("$partition([1, 2, 3], 2)", json!({})).unwrap(), json!([[1, 2], [3]]));
        assert_eq!(eval("$range(0, 9, 3)", json!({})).unwrap(), json!([0, 3, 6, 9]));
        assert_eq!(eval("$range(1, 9, 9)", json!({})).unwrap(), json!(1));
        assert_eq!(eval("$parse('{\"a\": [1]}')", json!({})).unwrap(), json!({"a": [1]}));
        assert_eq!(eval("$hash('input data', 'MD5')", json!({})).unwrap(), json!("812f45842bc6d66ee14572ce20db8e86"));
        assert_eq!(eval("$length($uuid())", json!({})).unwrap(), json!(36));
    }

    #[test]
    fn undefined_and_errors_are_query_evaluation_errors() {
        let e = eval("$nope", json!({})).unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
        assert_eq!(e.message, "The JSONata expression '$nope' specified for the field 'Output' returned nothing (undefined).");
        let e = eval("$randomSeeded(1)", json!({})).unwrap_err();
        assert!(e.message.ends_with("threw an error during evaluation. T1006: Attempted to invoke a non-function"), "{}", e.message);
    }
}
