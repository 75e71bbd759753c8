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
    direct: Option<Direct>,
    states: StatesRead,
}

/// Which members of `$states` an expression may read, from the JSONata
/// engine's own analysis of it ([`jlens_core::Expression::reads`]), so a
/// runtime binds only those: copying a large input or result for an
/// expression that never reads it costs more than the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatesRead {
    /// `$states.input`
    pub input: bool,
    /// `$states.result`
    pub result: bool,
    /// `$states.errorOutput`
    pub error_output: bool,
    /// `$states.context`
    pub context: bool,
}

impl StatesRead {
    /// Every member (what `$states` read whole, or `$eval`, may read).
    pub const ALL: StatesRead = StatesRead { input: true, result: true, error_output: true, context: true };

    fn of(reads: &jlens_core::reads::Reads) -> StatesRead {
        if reads.every_binding() {
            return StatesRead::ALL;
        }
        match reads.binding("states").map(jlens_core::reads::Read::fields) {
            None => StatesRead::default(),
            Some(None) => StatesRead::ALL,
            Some(Some(fields)) => StatesRead {
                input: fields.contains_key("input"),
                result: fields.contains_key("result"),
                error_output: fields.contains_key("errorOutput"),
                context: fields.contains_key("context"),
            },
        }
    }

    /// Whether every member `other` reads is among these.
    pub fn covers(self, other: StatesRead) -> bool {
        (self.input || !other.input)
            && (self.result || !other.result)
            && (self.error_output || !other.error_output)
            && (self.context || !other.context)
    }
}

/// The shapes most expressions in state machines take (`$states.input.a`,
/// `$x + 1`, `$a >= $b`, `'id-' & $states.input.id`), recognised at load
/// time so a runtime can evaluate them on its own values without the
/// JSONata engine. A runtime evaluates one only where JSONata's answer is
/// plain (objects along the path, numbers exact as doubles, …) and hands
/// every other case to the engine, so the result is always JSONata's.
#[derive(Debug, Clone, PartialEq)]
pub enum Direct {
    /// A variable (`states` for `$states`) and the member names after it.
    Path {
        /// The variable's name, without `$`.
        variable: String,
        /// The member names, in order.
        names: Vec<String>,
    },
    /// A number, string, boolean or `null`.
    Literal(Value),
    /// An object constructor with literal, distinct keys: `{'k': $v}`.
    Object(Vec<(String, Direct)>),
    /// `$merge([a, b, …])`: the objects' members, later ones replacing
    /// earlier ones in place.
    Merge(Vec<Direct>),
    /// A binary operator over two direct expressions.
    Binary {
        /// The operator.
        op: DirectOp,
        /// The left operand.
        lhs: Box<Direct>,
        /// The right operand.
        rhs: Box<Direct>,
    },
}

/// The operators a [`Direct`] expression may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&`
    Concat,
    /// `and`
    And,
    /// `or`
    Or,
}

impl Direct {
    /// The direct form of a parsed expression, if it has one.
    fn of(node: &jlens_core::Node) -> Option<Direct> {
        use jlens_core::NodeKind;
        use jlens_core::ast::BinaryOp;
        if !plain(node) {
            return None;
        }
        Some(match &node.kind {
            NodeKind::Path { steps, keep_singleton_array: false } => {
                let (first, rest) = steps.split_first()?;
                let NodeKind::Variable { name: variable } = &first.kind else { return None };
                if variable.is_empty() || !plain(first) {
                    return None;
                }
                let names = rest
                    .iter()
                    .map(|step| match &step.kind {
                        NodeKind::Name { name } if plain(step) => Some(name.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                Direct::Path { variable: variable.clone(), names }
            }
            NodeKind::Variable { name } if !name.is_empty() => {
                Direct::Path { variable: name.clone(), names: Vec::new() }
            }
            NodeKind::String { value } => Direct::Literal(Value::String(value.clone())),
            NodeKind::Number { value } => Direct::Literal(number(*value)?),
            NodeKind::Bool { value } => Direct::Literal(Value::Bool(*value)),
            NodeKind::Null => Direct::Literal(Value::Null),
            NodeKind::Object { pairs } => {
                let mut members: Vec<(String, Direct)> = Vec::with_capacity(pairs.len());
                for (key, value) in pairs {
                    let NodeKind::String { value: key } = &key.kind else { return None };
                    // A repeated key is an error (D1009) the engine reports.
                    if members.iter().any(|(k, _)| k == key) {
                        return None;
                    }
                    members.push((key.clone(), Direct::of(value)?));
                }
                Direct::Object(members)
            }
            NodeKind::Function { procedure, args } => {
                let NodeKind::Variable { name } = &procedure.kind else { return None };
                let [list] = args.as_slice() else { return None };
                let NodeKind::Array { items } = &list.kind else { return None };
                if name != "merge" || !plain(procedure) || !plain(list) {
                    return None;
                }
                Direct::Merge(items.iter().map(Direct::of).collect::<Option<_>>()?)
            }
            NodeKind::Binary { op, lhs, rhs } => {
                let op = match op {
                    BinaryOp::Add => DirectOp::Add,
                    BinaryOp::Sub => DirectOp::Sub,
                    BinaryOp::Mul => DirectOp::Mul,
                    BinaryOp::Eq => DirectOp::Eq,
                    BinaryOp::Ne => DirectOp::Ne,
                    BinaryOp::Lt => DirectOp::Lt,
                    BinaryOp::Le => DirectOp::Le,
                    BinaryOp::Gt => DirectOp::Gt,
                    BinaryOp::Ge => DirectOp::Ge,
                    BinaryOp::Concat => DirectOp::Concat,
                    BinaryOp::And => DirectOp::And,
                    BinaryOp::Or => DirectOp::Or,
                    _ => return None,
                };
                Direct::Binary { op, lhs: Box::new(Direct::of(lhs)?), rhs: Box::new(Direct::of(rhs)?) }
            }
            _ => return None,
        })
    }
}

/// The largest integer a double (JSONata's only number type) holds exactly.
pub const MAX_EXACT: u64 = 1 << 53;

/// A double as JSONata writes it: a whole number without a fraction.
/// `None` for what has no plain JSON form here (infinities, NaN, `-0`).
pub fn number(f: f64) -> Option<Value> {
    if !f.is_finite() || (f == 0.0 && f.is_sign_negative()) {
        return None;
    }
    if f.fract() == 0.0 && f.abs() <= MAX_EXACT as f64 {
        return Some(Value::from(f as i64));
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// A node with none of JSONata's step attributes (filters, grouping,
/// focus and index bindings, parent slots, `[]`).
fn plain(node: &jlens_core::Node) -> bool {
    let a = &node.attrs;
    !a.keep_array
        && !a.cons_array
        && !a.tuple
        && a.focus.is_none()
        && a.index.is_none()
        && a.stages.is_empty()
        && a.predicate.is_empty()
        && a.group.is_none()
        && a.ancestor.is_none()
        && a.ancestor_label.is_none()
        && a.seeking_parent.is_empty()
        && node.annotation.is_none()
}

/// How deep brackets may nest in an expression. The JSONata parser
/// recurses once per level: about 950 nested objects overflowed a 2 MiB
/// thread stack in a debug build, and the engine refuses more than 1,000
/// anyway. No written expression comes near this.
const MAX_NESTING: usize = 200;

/// Checks that `source` nests brackets no deeper than [`MAX_NESTING`]
/// (counting `(`, `[` and `{` outside string literals) before the parser,
/// which would recurse as deep, sees it.
pub(crate) fn check_nesting(source: &str) -> Result<(), String> {
    let (mut depth, mut quote, mut escaped) = (0usize, None, false);
    for c in source.chars() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(format!("the expression nests brackets more than {MAX_NESTING} deep"));
                }
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

impl Expr {
    /// Compiles the expression inside `{% … %}` (the delimiters, and the
    /// space inside them, are removed first when present).
    pub fn compile(text: &str) -> Result<Expr, String> {
        let source = text.strip_prefix("{%").and_then(|t| t.strip_suffix("%}")).unwrap_or(text).trim();
        check_nesting(source)?;
        let compiled = jlens_core::Expression::compile(source).map_err(|e| e.to_string())?;
        let direct = Direct::of(&compiled.ast().root);
        // An expression with a direct form reaches the engine only for
        // values that are not plain: rare enough to bind all of `$states`
        // rather than analyse every such expression at load.
        let states = if direct.is_some() { StatesRead::ALL } else { StatesRead::of(&compiled.reads()) };
        Ok(Expr { source: source.to_string(), compiled, direct, states })
    }

    /// The expression of a definition that was validated (by this version
    /// of asl-spec), compiled again from its source: what a generated
    /// module's model holds. Should the source not compile after all, the
    /// expression raises that error when evaluated, rather than panic here.
    pub fn from_validated(source: &str) -> Expr {
        Expr::compile(source).unwrap_or_else(|e| {
            let message = serde_json::Value::String(format!("the expression '{source}' does not compile: {e}"));
            let raise = format!("$error({message})");
            let compiled = jlens_core::Expression::compile(&raise)
                .or_else(|_| jlens_core::Expression::compile("$error()"))
                .unwrap_or_else(|_| unreachable!("`$error()` is a JSONata expression"));
            Expr { source: source.to_string(), compiled, direct: None, states: StatesRead::default() }
        })
    }

    /// The expression as written, without its delimiters.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The compiled expression.
    pub fn compiled(&self) -> &jlens_core::Expression {
        &self.compiled
    }

    /// The expression's direct form, when it has one.
    pub fn direct(&self) -> Option<&Direct> {
        self.direct.as_ref()
    }

    /// The members of `$states` the expression may read (all of them for
    /// an expression with a direct form).
    pub fn states_read(&self) -> StatesRead {
        self.states
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
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "jsonata::Jsonata"))]
pub enum Jsonata {
    /// A value without any expression inside.
    Literal(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json"))] Value),
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
    fn the_members_of_states_an_expression_reads_are_known() {
        let read = |text: &str| Expr::compile(text).unwrap().states_read();
        // A direct expression binds everything when it needs the engine.
        assert_eq!(read("$states.input.a"), StatesRead::ALL);
        let none = StatesRead::default();
        assert_eq!(read("$count($states.result)"), StatesRead { result: true, ..none });
        assert_eq!(
            read("$string($states.input.a) & $states.errorOutput.Cause"),
            StatesRead { input: true, error_output: true, ..none }
        );
        assert_eq!(read("$string($states.context.Execution.Id)"), StatesRead { context: true, ..none });
        assert_eq!(read("$string($x)"), none);
        assert_eq!(read("$keys($states)"), StatesRead::ALL);
        assert_eq!(read("$lookup($states, $states.input.member)"), StatesRead::ALL);
        assert_eq!(read("$states"), StatesRead::ALL);
        assert_eq!(read("$eval($x)"), StatesRead::ALL);
        assert!(StatesRead::ALL.covers(read("$count($states.result)")));
        assert!(!read("$count($states.result)").covers(read("$count($states.input)")));
    }

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
    fn common_shapes_have_a_direct_form() {
        let direct = |s: &str| Expr::compile(s).unwrap().direct().cloned();
        let path = |v: &str, names: &[&str]| Direct::Path {
            variable: v.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        assert_eq!(direct("$states.input.a"), Some(path("states", &["input", "a"])));
        assert_eq!(direct("$x"), Some(path("x", &[])));
        assert_eq!(
            direct("$states.input.i + 1"),
            Some(Direct::Binary {
                op: DirectOp::Add,
                lhs: Box::new(path("states", &["input", "i"])),
                rhs: Box::new(Direct::Literal(json!(1)))
            })
        );
        assert_eq!(
            direct("$merge([$states.input, {'last': $x}])"),
            Some(Direct::Merge(vec![
                path("states", &["input"]),
                Direct::Object(vec![("last".into(), path("x", &[]))])
            ]))
        );
        for other in [
            "{'a': 1, 'a': 2}",
            "$merge($states.input.list)",
            "$sum([1, 2])",
            "$states.input.a[0]",
            "$states.input.a[x > 1]",
            "$sum($states.input.a)",
            "$states.input.a{'k': 1}",
            "a.b",
            "$",
            "$states.input.a / 2",
        ] {
            assert_eq!(direct(other), None, "{other}");
        }
    }

    #[test]
    fn a_bad_expression_is_an_error() {
        assert!(Jsonata::from_value(&json!("{% $x + %}")).is_err());
    }
}
