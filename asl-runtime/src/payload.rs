//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`) and
//! Choice rules, evaluated over the ASTs `asl_spec` built at load time.

use crate::error::Failure;
use crate::intrinsics;
use crate::jsonpath::{self, Roots};
use crate::size::{self, Bound};
use asl_spec::model::{Comparison, ObjectTemplate, Operand, Operator, Rule, Template};
use asl_spec::path::Path;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Roots where `$` is a value and there is no context object or variable.
pub(crate) struct InputOnly<'a>(pub &'a Value);

impl Roots for InputOnly<'_> {
    fn input(&self) -> &Value {
        self.0
    }
    fn context_member(&self, _: &str) -> Option<&Value> {
        None
    }
    fn context(&self) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Owned(Value::Null)
    }
    fn variable(&self, _: &str) -> Option<&Value> {
        None
    }
}

/// Evaluates a payload template.
pub(crate) fn evaluate<R: Roots + ?Sized>(template: &Template, roots: &R) -> Result<Value, Failure> {
    evaluate_field(template, roots, Field { key: "", dynamic: false })
}

/// The template field being evaluated, named in error messages only, so
/// the hot path never formats it.
#[derive(Clone, Copy)]
struct Field<'a> {
    key: &'a str,
    /// Written with the `.$` suffix.
    dynamic: bool,
}

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)?;
        if self.dynamic { f.write_str(".$") } else { Ok(()) }
    }
}

fn evaluate_field<R: Roots + ?Sized>(template: &Template, roots: &R, field: Field<'_>) -> Result<Value, Failure> {
    Ok(match template {
        Template::Literal(v) => v.clone(),
        Template::Object(object) => {
            // The skeleton has the literal members and the keys in place;
            // only the dynamic members are evaluated into it.
            let mut map = object.skeleton.clone();
            if map.len() == object.fields.len() {
                for ((k, t), slot) in object.fields.iter().zip(map.values_mut()) {
                    if !matches!(t, Template::Literal(_)) {
                        *slot = evaluate_field(
                            t,
                            roots,
                            Field { key: k, dynamic: matches!(t, Template::Path(_) | Template::Call(_)) },
                        )?;
                    }
                }
            } else {
                // Repeated keys (only in a definition that failed validation).
                map = Map::with_capacity(object.fields.len());
                for (k, t) in &object.fields {
                    map.insert(
                        k.clone(),
                        evaluate_field(
                            t,
                            roots,
                            Field { key: k, dynamic: matches!(t, Template::Path(_) | Template::Call(_)) },
                        )?,
                    );
                }
            }
            Value::Object(map)
        }
        Template::Array(items) => {
            Value::Array(items.iter().map(|t| evaluate_field(t, roots, field)).collect::<Result<_, _>>()?)
        }
        Template::Path(p) => path_value(p, roots, field)?,
        Template::Call(c) => intrinsics::evaluate(c, roots, &field)?,
    })
}

/// What a template's path selects, copied (a miss is AWS's error naming
/// the field).
#[inline]
fn path_value<R: Roots + ?Sized>(path: &Path, roots: &R, field: Field<'_>) -> Result<Value, Failure> {
    if let Some(v) = jsonpath::select_member(path, roots) {
        return Ok(v.clone());
    }
    match jsonpath::select(path, roots) {
        Ok(v) => Ok(v.into_owned()),
        Err(_) => Err(jsonpath::path_not_found(path, field, roots)),
    }
}

/// The values of an object template's dynamic members, in order.
pub(crate) type Members = smallvec::SmallVec<[Value; 4]>;

/// How an object template's value is built inside the value it replaces
/// (see [`reuse_for`]), instead of from a copy of the skeleton.
#[derive(Clone, Copy)]
pub(crate) struct Reuse {
    /// Leading members whose keys the old value already has, in place.
    keep: usize,
    /// Whether the old value is also the template's `$`, so a member
    /// `"k.$": "$.k"` among the kept ones already holds its value.
    in_place: bool,
}

/// Whether the template's value can be built in `old`, the value it is
/// about to replace: an object whose first keys are the template's first
/// keys, in order, as where a state adds members to its input or a loop
/// writes the same shape again. Its map and those keys are then reused.
/// `in_place` says that `old` is also the template's `$`.
pub(crate) fn reuse_for(object: &ObjectTemplate, old: &Value, in_place: bool) -> Option<Reuse> {
    let Value::Object(map) = old else { return None };
    // Repeated template keys (only in a definition that failed validation)
    // take the general path.
    if object.skeleton.len() != object.fields.len() {
        return None;
    }
    // A map with more members than the template's would carry its larger
    // allocation into the result (a Map's results may be many): build afresh.
    if map.len() > object.fields.len() {
        return None;
    }
    let keep = map.keys().zip(&object.fields).take_while(|(k, (key, _))| *k == key).count();
    (keep > 0).then_some(Reuse { keep, in_place })
}

impl Reuse {
    /// Nothing of the old value is reused: every member is evaluated.
    pub(crate) const NONE: Reuse = Reuse { keep: 0, in_place: false };

    /// Whether the template's member `index` is already in place.
    fn holds(&self, object: &ObjectTemplate, index: usize) -> bool {
        self.in_place && index < self.keep && index < 64 && object.same_named >> index & 1 == 1
    }
}

/// Evaluates the members of an object template that need it into `members`,
/// in template order: not the literals, nor (with `reuse`) those in place.
pub(crate) fn evaluate_members<R: Roots + ?Sized>(
    object: &ObjectTemplate, roots: &R, reuse: Reuse, members: &mut Members,
) -> Result<(), Failure> {
    for (index, (key, template)) in object.fields.iter().enumerate() {
        if !matches!(template, Template::Literal(_)) && !reuse.holds(object, index) {
            let field = Field { key, dynamic: matches!(template, Template::Path(_) | Template::Call(_)) };
            // A path, the most common member, without the general dispatch.
            members.push(match template {
                Template::Path(p) => path_value(p, roots, field)?,
                _ => evaluate_field(template, roots, field)?,
            });
        }
    }
    Ok(())
}

/// Builds the template's object inside `slot`, an object [`reuse_for`]
/// accepted, from the evaluated `members`: keeps its leading keys, drops
/// the rest, and adds the template's other members. Returns a bound of the
/// object's size: the template's fixed text and its dynamic members'
/// bounds, so nothing else of it is walked. (In place: the payload is not
/// moved in and out, which costs more than the work for small objects.)
pub(crate) fn rebuild(object: &ObjectTemplate, reuse: Reuse, members: &mut Members, slot: &mut Value) -> Bound {
    let Value::Object(map) = slot else { return size::UNKNOWN };
    if map.len() > reuse.keep {
        let mut position = 0;
        // The map's entries keep their hashes, so this only re-indexes.
        map.retain(|_, _| {
            position += 1;
            position <= reuse.keep
        });
    }
    let mut bound = object.fixed_len;
    let mut members = members.drain(..);
    let (kept, added) = object.fields.split_at(reuse.keep.min(object.fields.len()));
    for (index, ((_, template), slot)) in kept.iter().zip(map.values_mut()).enumerate() {
        match template {
            // The slot may hold the literal already.
            Template::Literal(literal) => {
                assign_literal(slot, literal);
                continue;
            }
            _ if reuse.holds(object, index) => {}
            _ => *slot = members.next().unwrap_or_default(),
        }
        bound = bound.saturating_add(size::bound_of(slot));
    }
    for (key, template) in added {
        let value = match template {
            Template::Literal(literal) => literal.clone(),
            _ => {
                let value = members.next().unwrap_or_default();
                bound = bound.saturating_add(size::bound_of(&value));
                value
            }
        };
        map.insert(key.clone(), value);
    }
    bound
}

/// Puts a template's literal into the slot that held the member before:
/// scalars are written over, a string into the old one's buffer, and
/// anything else is copied only if it changed.
fn assign_literal(slot: &mut Value, literal: &Value) {
    match (slot, literal) {
        (Value::Number(old), Value::Number(new)) => *old = new.clone(),
        (Value::Bool(old), Value::Bool(new)) => *old = *new,
        (Value::String(old), Value::String(new)) => {
            if old != new {
                old.clone_from(new);
            }
        }
        (slot, literal) => {
            if slot != literal {
                *slot = literal.clone();
            }
        }
    }
}

/// Builds the template's object from the evaluated `members` (all the
/// non-literal ones, [`Reuse::NONE`]) in `slot`, inside the value it holds
/// where [`reuse_for`] accepts it, else from the skeleton; returns a bound
/// of its size.
pub(crate) fn build_in(object: &ObjectTemplate, members: &mut Members, slot: &mut Value) -> Bound {
    if let Some(reuse) = reuse_for(object, slot, false) {
        return rebuild(object, reuse, members, slot);
    }
    if object.skeleton.len() == object.fields.len() {
        let all = Reuse { keep: object.fields.len(), in_place: false };
        *slot = Value::Object(object.skeleton.clone());
        return rebuild(object, all, members, slot);
    }
    // Repeated keys (only in a definition that failed validation).
    let mut map = Map::with_capacity(object.fields.len());
    let mut members = members.drain(..);
    for (key, template) in &object.fields {
        let value = match template {
            Template::Literal(literal) => literal.clone(),
            _ => members.next().unwrap_or_default(),
        };
        map.insert(key.clone(), value);
    }
    *slot = Value::Object(map);
    size::UNKNOWN
}

/// Whether a Choice rule holds.
/// (A comparison, the usual rule, in line; `And`, `Or` and `Not` are a call.)
#[inline(always)]
pub(crate) fn rule_holds<R: Roots + ?Sized>(rule: &Rule, roots: &R) -> Result<bool, Failure> {
    match rule {
        Rule::Compare(c) => compare(c, roots),
        _ => combined_rule_holds(rule, roots),
    }
}

#[inline(never)]
fn combined_rule_holds<R: Roots + ?Sized>(rule: &Rule, roots: &R) -> Result<bool, Failure> {
    Ok(match rule {
        Rule::And(rules) => {
            for r in rules {
                if !rule_holds(r, roots)? {
                    return Ok(false);
                }
            }
            true
        }
        Rule::Or(rules) => {
            for r in rules {
                if rule_holds(r, roots)? {
                    return Ok(true);
                }
            }
            false
        }
        Rule::Not(r) => !rule_holds(r, roots)?,
        Rule::Compare(c) => compare(c, roots)?,
        Rule::Condition(_) => {
            return Err(Failure::runtime("JSONata `Condition` rules are not supported by this runtime yet"));
        }
    })
}

fn invalid_variable(path: &Path) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.text
    ))
}

fn compare<R: Roots + ?Sized>(c: &Comparison, roots: &R) -> Result<bool, Failure> {
    use Operator::*;
    // `$.name` by reference; anything else through a `Cow`.
    let (selected, selected_operand);
    let value = match jsonpath::select_member(&c.variable, roots) {
        Some(v) => Some(v),
        None => {
            selected = jsonpath::select(&c.variable, roots).ok();
            selected.as_deref()
        }
    };
    if c.op == IsPresent {
        let expected = matches!(c.operand, Operand::Literal(Value::Bool(true)));
        return Ok(value.is_some() == expected);
    }
    let value = value.ok_or_else(|| invalid_variable(&c.variable))?;
    let operand = match &c.operand {
        Operand::Literal(v) => v,
        Operand::Path(p) => match jsonpath::select_member(p, roots) {
            Some(v) => v,
            None => {
                selected_operand = jsonpath::select(p, roots).map_err(|_| invalid_variable(p))?;
                &*selected_operand
            }
        },
    };
    let flag = operand.as_bool();
    Ok(match c.op {
        IsNull => flag == Some(value.is_null()),
        IsNumeric => flag == Some(value.is_number()),
        IsString => flag == Some(value.is_string()),
        IsBoolean => flag == Some(value.is_boolean()),
        IsTimestamp => flag == Some(value.as_str().and_then(asl_spec::time::parse_rfc3339).is_some()),
        IsPresent => unreachable!("handled above"),
        BooleanEquals => matches!((value, operand), (Value::Bool(a), Value::Bool(b)) if a == b),
        StringMatches => match (value, operand) {
            (Value::String(s), Value::String(pattern)) => string_matches(s, pattern),
            _ => false,
        },
        StringEquals | StringLessThan | StringGreaterThan | StringLessThanEquals | StringGreaterThanEquals => {
            match (value, operand) {
                (Value::String(a), Value::String(b)) => ordering_holds(c.op, a.cmp(b)),
                _ => false,
            }
        }
        NumericEquals | NumericLessThan | NumericGreaterThan | NumericLessThanEquals | NumericGreaterThanEquals => {
            match (value, operand) {
                (Value::Number(a), Value::Number(b)) => numeric_cmp(a, b).is_some_and(|o| ordering_holds(c.op, o)),
                _ => false,
            }
        }
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            let parse = |v: &Value| v.as_str().and_then(asl_spec::time::parse_rfc3339);
            match (parse(value), parse(operand)) {
                (Some(a), Some(b)) => ordering_holds(c.op, a.cmp(&b)),
                _ => false,
            }
        }
    })
}

fn numeric_cmp(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn ordering_holds(op: Operator, ord: Ordering) -> bool {
    use Operator::*;
    match op {
        StringEquals | NumericEquals | TimestampEquals => ord == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => ord == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => ord == Ordering::Greater,
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => ord != Ordering::Greater,
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
fn string_matches(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => toks.push(Tok::Char(chars.next().unwrap_or('\\'))),
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // Greedy wildcard matching with backtracking to the last star: linear-ish.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("abc", "*"));
        assert!(!string_matches("abc", "a*d"));
        assert!(string_matches("a*c", "a\\*c"));
        assert!(!string_matches("abc", "a\\*c"));
        assert!(string_matches("", "*"));
    }

    #[test]
    fn numbers_compare_by_value() {
        let one = json!(1);
        let one_f = json!(1.0);
        assert_eq!(numeric_cmp(one.as_number().unwrap(), one_f.as_number().unwrap()), Some(Ordering::Equal));
    }
}
