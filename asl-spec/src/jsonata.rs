//! JSONata fields, compiled when the definition loads.
//!
//! In a JSONata state every string written `{% <expression> %}` is an
//! expression, wherever it sits inside `Arguments`, `Output`, `Assign`,
//! `ItemSelector` and the like. [`Jsonata`] keeps such a value as a tree whose
//! constant parts stay JSON and whose expressions are compiled once, so a
//! runtime never parses an expression again.

use serde_json::Value;
use std::fmt;

/// One compiled `{% … %}` expression.
#[derive(Clone)]
pub struct Expr {
    source: String,
    compiled: jlens_core::Expression,
}

impl Expr {
    /// Compiles the expression inside `{% … %}` (the delimiters, and the
    /// space inside them, are removed first when present).
    pub fn compile(text: &str) -> Result<Expr, String> {
        let source = text.strip_prefix("{%").and_then(|t| t.strip_suffix("%}")).unwrap_or(text).trim();
        let compiled = jlens_core::Expression::compile(source).map_err(|e| e.to_string())?;
        Ok(Expr { source: source.to_string(), compiled })
    }

    /// The expression as written, without its delimiters.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The compiled expression.
    pub fn compiled(&self) -> &jlens_core::Expression {
        &self.compiled
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{% {} %}}", self.source)
    }
}

/// A JSON value of a JSONata state whose `{% … %}` strings are expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum Jsonata {
    /// A value without any expression inside.
    Literal(Value),
    /// A whole `{% … %}` string.
    Expr(Expr),
    /// An object with an expression somewhere inside, members in order.
    Object(Vec<(String, Jsonata)>),
    /// An array with an expression somewhere inside.
    Array(Vec<Jsonata>),
}

impl Jsonata {
    /// Compiles every expression in `value`.
    pub fn from_value(value: &Value) -> Result<Jsonata, String> {
        if !has_expression(value) {
            return Ok(Jsonata::Literal(value.clone()));
        }
        Ok(match value {
            Value::String(s) => Jsonata::Expr(Expr::compile(s)?),
            Value::Array(items) => Jsonata::Array(items.iter().map(Jsonata::from_value).collect::<Result<_, _>>()?),
            Value::Object(members) => Jsonata::Object(
                members.iter().map(|(k, v)| Ok((k.clone(), Jsonata::from_value(v)?))).collect::<Result<_, String>>()?,
            ),
            other => Jsonata::Literal(other.clone()),
        })
    }

    /// The expressions inside, depth first.
    pub fn expressions(&self) -> Vec<&Expr> {
        fn walk<'a>(j: &'a Jsonata, out: &mut Vec<&'a Expr>) {
            match j {
                Jsonata::Literal(_) => {}
                Jsonata::Expr(e) => out.push(e),
                Jsonata::Object(members) => members.iter().for_each(|(_, v)| walk(v, out)),
                Jsonata::Array(items) => items.iter().for_each(|v| walk(v, out)),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

fn has_expression(value: &Value) -> bool {
    match value {
        Value::String(s) => crate::is_jsonata(s),
        Value::Array(items) => items.iter().any(has_expression),
        Value::Object(members) => members.values().any(has_expression),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn constants_stay_json_and_expressions_compile() {
        let j = Jsonata::from_value(&json!({"a": 1, "b": "{% $x + 1 %}", "c": ["{% 2 %}", 3]})).unwrap();
        let Jsonata::Object(members) = &j else { panic!("an object with expressions: {j:?}") };
        assert_eq!(members[0], ("a".to_string(), Jsonata::Literal(json!(1))));
        assert!(matches!(&members[1].1, Jsonata::Expr(e) if e.source() == "$x + 1"));
        assert_eq!(j.expressions().len(), 2);
        assert_eq!(Jsonata::from_value(&json!({"a": "plain"})).unwrap(), Jsonata::Literal(json!({"a": "plain"})));
    }

    #[test]
    fn a_bad_expression_is_an_error() {
        assert!(Jsonata::from_value(&json!("{% $x + %}")).is_err());
    }
}
