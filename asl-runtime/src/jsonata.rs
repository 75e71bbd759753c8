//! Evaluating the JSONata fields of JSONata states over the expressions
//! `asl_spec` compiled at load time: `$states`, workflow variables, the
//! functions AWS adds to JSONata, and AWS's `States.QueryEvaluationError`
//! causes.

use crate::error::Failure;
use crate::intrinsics;
use crate::jsonpath;
use crate::variables::Variables;
use asl_spec::intrinsic::Function;
use asl_spec::jsonata::{Direct, DirectOp, Expr, Jsonata, MAX_EXACT, StatesRead, number};
use jlens_core::{Bindings, HostFunction};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::OnceLock;

/// What a state's expressions may read besides its input and result.
pub(crate) trait StateView {
    /// `$states.context`, when the state's expressions read it.
    fn context(&self) -> Option<Value>;
    /// The workflow variables.
    fn variables(&self) -> &Variables;
    /// How long an evaluation may take, and what stops it.
    fn budget(&self) -> Budget {
        let limits = crate::Limits::default();
        Budget {
            time: limits.max_evaluation_time,
            result_bytes: limits.max_payload_bytes.saturating_mul(4),
            cancel: None,
            ends_execution: false,
        }
    }
    /// Whether the execution's deadline has passed (noting it, if so).
    fn deadline_passed(&self) -> bool {
        false
    }
}

/// The most items an array built by an evaluation may have (the engine's
/// own default is 16 million): enough for any array a payload within the
/// limit can hold, few enough that building one takes little memory.
const MAX_ARRAY_ITEMS: usize = 1 << 20;

/// What one evaluation by the JSONata engine may spend.
pub(crate) struct Budget {
    /// Its time limit.
    pub(crate) time: std::time::Duration,
    /// The largest result (and string) it may build, in bytes of JSON text:
    /// well past the payload limit, so that an output just over it still
    /// fails as AWS fails it (`States.DataLimitExceeded`, when the state
    /// ends), while a runaway one stops early.
    pub(crate) result_bytes: usize,
    /// Cancelled when the execution is stopped.
    pub(crate) cancel: Option<jlens_core::CancelToken>,
    /// Whether the time limit is what is left of the execution's own.
    pub(crate) ends_execution: bool,
}

/// What one state's expressions see: `$states` (`input`, and `result` or
/// `errorOutput` where the state has one, and `context`), the variables in
/// scope and AWS's functions. Expressions with a [`Direct`] form read these
/// in place; the JSONata engine's bindings (copies of the members of
/// `$states` it reads) are made only for the first expression that needs the
/// engine.
pub(crate) struct Scope<'a> {
    input: &'a Value,
    result: Option<&'a Value>,
    error_output: Option<&'a Value>,
    view: &'a dyn StateView,
    bindings: OnceCell<(StatesRead, Bindings)>,
}

impl<'a> Scope<'a> {
    /// The scope of a state with this input (and result or error output).
    pub fn new(
        input: &'a Value, result: Option<&'a Value>, error_output: Option<&'a Value>, view: &'a dyn StateView,
    ) -> Scope<'a> {
        Scope { input, result, error_output, view, bindings: OnceCell::new() }
    }

    /// The engine's bindings for an expression that reads `needs` of
    /// `$states`: made once per scope, holding copies of only the members
    /// the first expression reads; one that reads more gets its own.
    fn bindings(&self, needs: StatesRead) -> Cow<'_, Bindings> {
        let (bound, bindings) = self.bindings.get_or_init(|| (needs, self.make_bindings(needs)));
        if bound.covers(needs) { Cow::Borrowed(bindings) } else { Cow::Owned(self.make_bindings(needs)) }
    }

    fn make_bindings(&self, needs: StatesRead) -> Bindings {
        let mut bindings = functions().clone();
        for (name, value) in self.view.variables().iter() {
            bindings = bindings.var(name.as_str(), value.clone());
        }
        let mut states = serde_json::Map::with_capacity(4);
        if needs.input {
            states.insert("input".into(), self.input.clone());
        }
        if let Some(result) = self.result.filter(|_| needs.result) {
            states.insert("result".into(), result.clone());
        }
        if let Some(error_output) = self.error_output.filter(|_| needs.error_output) {
            states.insert("errorOutput".into(), error_output.clone());
        }
        if let Some(context) = needs.context.then(|| self.view.context()).flatten() {
            states.insert("context".into(), context);
        }
        bindings.var("states", Value::Object(states))
    }

    /// A [`Direct`] expression's value, or `None` where JSONata's answer is
    /// not plain (a path through an array, a missing member, a number not
    /// exact as a double, operands of other types): the engine decides those.
    fn direct<'s>(&'s self, direct: &'s Direct) -> Option<Cow<'s, Value>> {
        match direct {
            Direct::Literal(v) => Some(Cow::Borrowed(v)),
            Direct::Path { variable, names } => {
                let (root, names) = match variable.as_str() {
                    "states" => {
                        let (first, rest) = names.split_first()?;
                        let root = match first.as_str() {
                            "input" => self.input,
                            "result" => self.result?,
                            "errorOutput" => self.error_output?,
                            _ => return None,
                        };
                        (root, rest)
                    }
                    name => (self.view.variables().get(name)?, names.as_slice()),
                };
                let mut node = root;
                for name in names {
                    node = jsonpath::member(node.as_object()?, name)?;
                }
                exact(node).then_some(Cow::Borrowed(node))
            }
            Direct::Object(members) => {
                let mut out = serde_json::Map::with_capacity(members.len());
                for (key, value) in members {
                    out.insert(key.clone(), self.direct(value)?.into_owned());
                }
                Some(Cow::Owned(Value::Object(out)))
            }
            Direct::Merge(items) => {
                if self.merge_shadowed() {
                    return None;
                }
                let Some((first, later)) = items.split_first() else {
                    return Some(Cow::Owned(Value::Object(serde_json::Map::new())));
                };
                let first = match self.direct(first)? {
                    Cow::Borrowed(first @ Value::Object(_)) => first.clone(),
                    Cow::Owned(first @ Value::Object(_)) => first,
                    _ => return None,
                };
                Some(Cow::Owned(Built::Added(self.additions(later)?).over(first)))
            }
            Direct::Binary { op, lhs, rhs } => binary(*op, &*self.direct(lhs)?, &*self.direct(rhs)?).map(Cow::Owned),
        }
    }

    /// A field's value (`Output`, `Arguments`), or how it is built in the
    /// state's input, for a state that gives its input up (see [`Built`]).
    pub fn build<'t>(&self, template: &'t Jsonata, field: &str) -> Result<Built<'t>, Failure> {
        if let Jsonata::Expr(expr) = template
            && let Some(Direct::Merge(items)) = expr.direct()
            && let Some((Direct::Path { variable, names }, later)) = items.split_first()
            && variable == "states"
            && matches!(names.as_slice(), [input] if input == "input")
            && self.input.is_object()
            && exact(self.input)
            && !self.merge_shadowed()
            && let Some(added) = self.additions(later)
        {
            return Ok(Built::Added(added));
        }
        if let Jsonata::Object(members) = template
            && let Value::Object(input) = self.input
            && let (Some((first, _)), Some((key, _))) = (input.iter().next(), members.first())
            && first == key
            // A larger map would carry its allocation into the output.
            && input.len() <= members.len()
        {
            let at = Location::Field(field);
            let mut values = Added::with_capacity(members.len());
            for (key, member) in members {
                values.push((Cow::Borrowed(key.as_str()), self.value_at(member, &Location::Member(&at, key))?));
            }
            return Ok(Built::Rebuilt(values));
        }
        self.value(template, field).map(Built::Value)
    }

    /// Whether a variable named `merge` takes the function's place (the
    /// engine then decides).
    fn merge_shadowed(&self) -> bool {
        self.view.variables().get("merge").is_some()
    }

    /// The members the objects `items` give, in order; `None` where one is
    /// not a plain object (the engine decides those).
    fn additions<'t>(&self, items: &'t [Direct]) -> Option<Added<'t>> {
        let mut added = Added::new();
        for item in items {
            match item {
                // An object constructor's members go in without an object of their own.
                Direct::Object(members) => {
                    for (key, value) in members {
                        added.push((Cow::Borrowed(key.as_str()), self.direct(value)?.into_owned()));
                    }
                }
                _ => match self.direct(item)? {
                    Cow::Borrowed(Value::Object(members)) => {
                        added.extend(members.iter().map(|(k, v)| (Cow::Owned(k.clone()), v.clone())))
                    }
                    Cow::Owned(Value::Object(members)) => {
                        added.extend(members.into_iter().map(|(k, v)| (Cow::Owned(k), v)))
                    }
                    _ => return None,
                },
            }
        }
        Some(added)
    }

    /// The value of a whole field (`field` names it in errors: `Output`,
    /// `Assign`, `Items`, …).
    pub fn value(&self, template: &Jsonata, field: &str) -> Result<Value, Failure> {
        self.value_at(template, &Location::Field(field))
    }

    fn value_at(&self, template: &Jsonata, at: &Location<'_>) -> Result<Value, Failure> {
        match template {
            Jsonata::Literal(v) => Ok(v.clone()),
            Jsonata::Expr(e) => self.expr_at(e, at),
            Jsonata::Object(members) => {
                let mut out = serde_json::Map::with_capacity(members.len());
                for (key, member) in members {
                    out.insert(key.clone(), self.value_at(member, &Location::Member(at, key))?);
                }
                Ok(Value::Object(out))
            }
            Jsonata::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value_at(item, &Location::Index(at, i))?);
                }
                Ok(Value::Array(out))
            }
        }
    }

    /// One expression's value. An expression that gives nothing
    /// (*undefined*) is an error, as in AWS.
    pub fn expr(&self, expr: &Expr, field: &str) -> Result<Value, Failure> {
        self.expr_at(expr, &Location::Field(field))
    }

    fn expr_at(&self, expr: &Expr, at: &Location<'_>) -> Result<Value, Failure> {
        if let Some(value) = expr.direct().and_then(|d| self.direct(d)) {
            return Ok(value.into_owned());
        }
        let field = || at.to_string();
        let budget = self.view.budget();
        let mut options = jlens_core::Options::new()
            .timeout(budget.time)
            .max_result_size(budget.result_bytes)
            .max_string_length(budget.result_bytes)
            .max_array_length(MAX_ARRAY_ITEMS);
        if let Some(cancel) = budget.cancel {
            options = options.cancel_token(cancel);
        }
        // A durable execution's `$now()` and `$random()` replay as they ran.
        if let Some(journal) = crate::durable::current() {
            options = options.now(journal.now_ms()).seed(journal.random_u64());
        }
        match expr.compiled().evaluate_with(None, &self.bindings(expr.states_read()), &options) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(query_error(expr, &field(), "returned nothing (undefined).")),
            // Stopped from outside, or out of the execution's own time: the
            // execution ends (ABORTED or TIMED_OUT), whatever the catchers say.
            Err(e)
                if e.code() == "U1003"
                    || (e.code() == "D1012" && budget.ends_execution && self.view.deadline_passed()) =>
            {
                Err(Failure::runtime("The execution was stopped while an expression was being evaluated."))
            }
            Err(e) => Err(query_error(
                expr,
                &field(),
                &format!("threw an error during evaluation. {}: {}", e.code(), e.message()),
            )),
        }
    }
}

/// Members to set in an object, in order, with their keys.
type Added<'t> = Vec<(Cow<'t, str>, Value)>;

/// A JSONata field's value, or how it is built in the state's input rather
/// than in a copy of it ([`Built::over`]): where the expression adds
/// members to the input (`$merge([$states.input, {…}, …])`, the usual way
/// to keep the input and add to it), or where an object constructor writes
/// the input's shape again.
pub(crate) enum Built<'t> {
    /// The expression's value.
    Value(Value),
    /// The members the later objects of a `$merge` give, in order, to set
    /// in the first (the input, for `Scope::build`), which is an object.
    Added(Added<'t>),
    /// An object constructor's members, in order, to be the whole output:
    /// only made for an object input that starts with the first of their
    /// keys (a state writing its input's shape again), whose map holds them.
    Rebuilt(Added<'t>),
}

impl Built<'_> {
    /// The value, given the input of the state whose field it is.
    pub fn over(self, input: Value) -> Value {
        match self {
            Built::Value(value) => value,
            Built::Added(added) => {
                let Value::Object(mut map) = input else { unreachable!("members are added to an object only") };
                // `$merge` replaces a member in place and appends a new one.
                for (key, value) in added {
                    match jsonpath::member_mut(&mut map, &key) {
                        Some(slot) => *slot = value,
                        None => {
                            map.insert(key.into_owned(), value);
                        }
                    }
                }
                Value::Object(map)
            }
            Built::Rebuilt(members) => {
                let Value::Object(mut map) = input else {
                    unreachable!("`Scope::build` rebuilds an object input only")
                };
                // The leading members in place keep their slots; the map's
                // entries keep their hashes, so dropping the rest only re-indexes.
                let keep = map.keys().zip(&members).take_while(|(k, (key, _))| k.as_str() == key).count();
                let mut position = 0;
                map.retain(|_, _| {
                    position += 1;
                    position <= keep
                });
                let mut members = members.into_iter();
                for (slot, (_, value)) in map.values_mut().zip(members.by_ref().take(keep)) {
                    *slot = value;
                }
                for (key, value) in members {
                    map.insert(key.into_owned(), value);
                }
                Value::Object(map)
            }
        }
    }
}

/// What a direct path over `$states.input` selects, borrowed from the input
/// (so a Map's `Items` need not copy its items); `None` when the expression
/// is not such a path or its value is not plain.
pub(crate) fn input_member<'v>(expr: &Expr, input: &'v Value) -> Option<&'v Value> {
    let Some(Direct::Path { variable, names }) = expr.direct() else { return None };
    let (first, rest) = names.split_first()?;
    if variable != "states" || first != "input" {
        return None;
    }
    let mut node = input;
    for name in rest {
        node = jsonpath::member(node.as_object()?, name)?;
    }
    exact(node).then_some(node)
}

/// Where in a field an expression sits (`Output/result/0`), written out
/// only for an error.
enum Location<'a> {
    Field(&'a str),
    Member(&'a Location<'a>, &'a str),
    Index(&'a Location<'a>, usize),
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Field(field) => f.write_str(field),
            Location::Member(parent, key) => write!(f, "{parent}/{key}"),
            Location::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

/// Whether JSONata would give `value` back unchanged: every number in it
/// is exact as a double (JSONata's only number type), and none is `-0` or
/// a whole number written with a fraction (JSONata writes `150.0` as `150`).
fn exact(value: &Value) -> bool {
    match value {
        Value::Number(n) => number_exact(n),
        Value::Array(items) => items.iter().all(exact),
        Value::Object(members) => members.values().all(exact),
        _ => true,
    }
}

fn number_exact(n: &serde_json::Number) -> bool {
    if let Some(u) = n.as_u64() {
        return u <= MAX_EXACT;
    }
    if let Some(i) = n.as_i64() {
        return i.unsigned_abs() <= MAX_EXACT;
    }
    n.as_f64().is_some_and(|f| f.fract() != 0.0)
}

/// A binary operator over plain operands; `None` leaves the case to the engine.
fn binary(op: DirectOp, lhs: &Value, rhs: &Value) -> Option<Value> {
    use DirectOp::*;
    let numbers = lhs.as_f64().zip(rhs.as_f64()).filter(|_| lhs.is_number() && rhs.is_number());
    Some(match op {
        Add | Sub | Mul => {
            let (a, b) = numbers?;
            number(match op {
                Add => a + b,
                Sub => a - b,
                _ => a * b,
            })?
        }
        Lt | Le | Gt | Ge => {
            let (a, b) = numbers?;
            Value::Bool(match op {
                Lt => a < b,
                Le => a <= b,
                Gt => a > b,
                _ => a >= b,
            })
        }
        Eq | Ne => {
            let equal = match (lhs, rhs) {
                (Value::Number(_), Value::Number(_)) => numbers.map(|(a, b)| a == b)?,
                (Value::String(a), Value::String(b)) => a == b,
                (Value::Bool(a), Value::Bool(b)) => a == b,
                _ => return None,
            };
            Value::Bool(equal == (op == Eq))
        }
        Concat => {
            let mut out = String::new();
            for side in [lhs, rhs] {
                match side {
                    Value::String(s) => out.push_str(s),
                    Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                    Value::Number(n) => match n.as_i64().filter(|i| i.unsigned_abs() <= MAX_EXACT) {
                        Some(i) => out.push_str(itoa::Buffer::new().format(i)),
                        None => return None,
                    },
                    _ => return None,
                }
            }
            Value::String(out)
        }
        And | Or => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => Value::Bool(if op == And { *a && *b } else { *a || *b }),
            _ => return None,
        },
    })
}

/// AWS's cause for an expression that failed in `field`.
pub(crate) fn query_error(expr: &Expr, field: &str, what: &str) -> Failure {
    Failure::query(
        field,
        format!("The JSONata expression '{}' specified for the field '{field}' {what}", expr.source()),
    )
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
                    .map_err(|f| jlens_core::Error::new("D3137").with("message", f.into_message()))?;
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

    struct View(Variables);
    impl StateView for View {
        fn context(&self) -> Option<Value> {
            None
        }
        fn variables(&self) -> &Variables {
            &self.0
        }
    }

    /// `text` evaluated with `$states.input` = `input`, directly where it can
    /// be, and always by the engine.
    fn both(text: &str, input: Value, variables: Value) -> (Result<Value, Failure>, Result<Value, Failure>) {
        let expr = Expr::compile(text).unwrap();
        let mut vars = Variables::default();
        vars.assign(variables.as_object().cloned().unwrap_or_default());
        let view = View(vars);
        let scope = Scope::new(&input, None, None, &view);
        let direct = scope.expr(&expr, "Output");
        let engine = match expr.compiled().evaluate(None, &scope.bindings(StatesRead::ALL)) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(query_error(&expr, "Output", "returned nothing (undefined).")),
            Err(e) => Err(query_error(
                &expr,
                "Output",
                &format!("threw an error during evaluation. {}: {}", e.code(), e.message()),
            )),
        };
        (direct, engine)
    }

    fn eval(text: &str, states: Value) -> Result<Value, Failure> {
        let input = states.get("input").cloned().unwrap_or(Value::Null);
        both(text, input, json!({})).0
    }

    #[test]
    fn direct_evaluation_agrees_with_the_engine() {
        let input = json!({"i": 41, "n": 41.5, "s": "x", "b": true, "big": 18446744073709551615u64, "o": {"k": [1, {"z": null}]},
                           "list": [{"id": 1}], "neg": -0.0, "huge": 9007199254740993i64, "w": 150.0});
        let vars = json!({"v": {"w": 2}, "t": "y"});
        for text in [
            "$states.input.i + 1",
            "$states.input.i - 0.5",
            "$states.input.n * 2",
            "$states.input.i >= $states.input.n",
            "$states.input.i < 42",
            "$states.input.i = 41",
            "$states.input.s != 'x'",
            "$states.input.b = true",
            "'id-' & $states.input.i",
            "$states.input.s & $states.input.b",
            "$states.input.s & $t",
            "$v.w * $v.w",
            "$states.input.o",
            "$states.input.big",
            "$states.input.big + 0",
            "$states.input.list.id",
            "$states.input.missing",
            "$states.input.neg",
            "$states.input.huge",
            "'n' & $states.input.n",
            "$states.input.b and $states.input.i > 3",
            "$states.input.o.k",
            "$states.input.s & null",
            "$nope",
            "1 = 1.0",
            "$states.input.w",
            "$states.input.w + 1",
            "2",
            "-0",
            "0.5 * 3",
            "$merge([$states.input.o, {'k': 2, 'new': $states.input.s}])",
            "$merge([$states.input, {'i': $states.input.i + 1}])",
            "$merge([{'b': 1, 'a': 2}, {'a': 3}])",
            "$merge([$states.input.o, $states.input.list])",
            "$merge([$states.input.o, $states.input.s])",
            "{'x': $states.input.i, 'y': {'z': $v}}",
            "{'x': $states.input.missing}",
            "$merge([])",
        ] {
            let (direct, engine) = both(text, input.clone(), vars.clone());
            assert_eq!(direct.map_err(|f| f.into_message()), engine.map_err(|f| f.into_message()), "{text}");
        }
        // These are answered without the engine (so the agreement above
        // compared two evaluations, not one twice).
        let mut variables = Variables::default();
        variables.assign(vars.as_object().cloned().unwrap_or_default());
        let view = View(variables);
        let scope = Scope::new(&input, None, None, &view);
        for text in [
            "$states.input.i + 1",
            "$v.w * $v.w",
            "'id-' & $states.input.i",
            "$states.input.o",
            "$merge([$states.input.o, {'k': 2}])",
        ] {
            let expr = Expr::compile(text).unwrap();
            assert!(expr.direct().and_then(|d| scope.direct(d)).is_some(), "{text}");
        }
        assert!(scope.bindings.get().is_none(), "no expression needed the engine's bindings");
    }

    #[test]
    fn outputs_built_in_the_input_agree_with_the_engine() {
        let input = json!({"i": 41, "last": {"i": 1, "tag": "y"}, "o": {"k": 1, "i": 0}, "s": "x"});
        let view = View(Variables::default());
        let merge = |text: &str| json!(format!("{{% {text} %}}"));
        // (Output, how it is built)
        for (output, built) in [
            (merge("$merge([$states.input, {'last': {'i': $states.input.i, 'tag': 'x', 'step': 0}}])"), "added"),
            (merge("$merge([$states.input, {'new': 1, 'i': $states.input.i + 1}, {'new': 2}])"), "added"),
            (merge("$merge([$states.input, $states.input.o, {'k': 'k'}])"), "added"),
            (merge("$merge([$states.input])"), "added"),
            (merge("$merge([$states.input, $states.input.s])"), "value"),
            (merge("$merge([$states.input, {'x': $states.input.missing}])"), "value"),
            (merge("$merge([$states.input.o, {'k': 2}])"), "value"),
            (
                json!({"i": "{% $states.input.i + 1 %}", "last": "{% $states.input.s %}", "o": 1, "s": 2, "more": 3}),
                "rebuilt",
            ),
            (
                json!({"i": "{% $states.input.i + 1 %}", "o": "{% $states.input.o %}", "s": "{% $states.input.s %}", "t": 0}),
                "rebuilt",
            ),
            (json!({"i": "{% $states.input.i %}", "i2": "{% $states.input.last %}"}), "value"),
            (json!({"o": "{% $states.input.o %}", "i": 1, "last": 2, "s": 3, "t": 4}), "value"),
            // A member that fails fails the whole output.
            (json!({"i": "{% $states.input.nope %}", "last": 1, "o": 2, "s": 3}), "value"),
        ] {
            let template = Jsonata::from_value(&output).unwrap();
            let scope = Scope::new(&input, None, None, &view);
            let engine = match &template {
                Jsonata::Expr(e) => {
                    e.compiled().evaluate(None, &scope.bindings(StatesRead::ALL)).map_err(|e| e.code().to_string())
                }
                _ => scope.value(&template, "Output").map(Some).map_err(|f| f.into_message()),
            };
            let output = scope.build(&template, "Output");
            let how = match &output {
                Ok(Built::Added(_)) => "added",
                Ok(Built::Rebuilt(_)) => "rebuilt",
                Ok(Built::Value(_)) | Err(_) => "value",
            };
            let output = output.map(|o| o.over(input.clone())).map_err(|f| f.into_message());
            match engine {
                Ok(Some(value)) => assert_eq!(output.unwrap(), value, "{template:?}"),
                _ => assert!(output.is_err(), "{template:?}"),
            }
            assert_eq!(how, built, "{template:?}");
        }
        // JSONata writes `1.0` as `1`, so such an input is the engine's to copy.
        let inexact = json!({"w": 1.0});
        let scope = Scope::new(&inexact, None, None, &view);
        let template = Jsonata::Expr(Expr::compile("$merge([$states.input, {'a': 1}])").unwrap());
        assert_eq!(scope.build(&template, "Output").unwrap().over(inexact.clone()), json!({"w": 1, "a": 1}));
    }

    #[test]
    fn the_engine_sees_every_member_of_states_an_expression_reads() {
        let (input, result) = (json!({"list": [5, 6]}), json!([1, 2, 3]));
        let view = View(Variables::default());
        let scope = Scope::new(&input, Some(&result), None, &view);
        let value = |text: &str| scope.expr(&Expr::compile(text).unwrap(), "Output").map_err(|f| f.into_message());
        // The first expression's bindings hold only the result; the later
        // ones read more, in a different order each time.
        assert_eq!(value("$count($states.result)"), Ok(json!(3)));
        assert_eq!(value("$states.input.list[1]"), Ok(json!(6)));
        assert_eq!(value("$states.result[0] + $states.input.list[0]"), Ok(json!(6)));
        assert_eq!(value("$count($keys($states))"), Ok(json!(2)));
        assert_eq!(value("$sum($states.result)"), Ok(json!(6)));
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
        assert_eq!(
            e.message,
            "The JSONata expression '$nope' specified for the field 'Output' returned nothing (undefined)."
        );
        let e = eval("$randomSeeded(1)", json!({})).unwrap_err();
        assert!(
            e.message.ends_with("threw an error during evaluation. T1006: Attempted to invoke a non-function"),
            "{}",
            e.message
        );
    }
}
