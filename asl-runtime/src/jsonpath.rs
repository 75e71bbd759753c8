//! Evaluating ASL's JSONPath dialect (the AST comes from `asl_spec::path`).
//!
//! Definite paths borrow the selected node; indefinite ones build the list of
//! matches, which is empty (not an error) when nothing matches.

use crate::error::Failure;
use asl_spec::path::{CompareOp, Filter, Operand, Path, Root, Segment, Selector};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The documents a path can start from.
pub(crate) trait Roots {
    /// `$`.
    fn input(&self) -> &Value;
    /// One top-level member of `$$` (`Execution`, `State`, `Map`, …).
    fn context_member(&self, name: &str) -> Option<&Value>;
    /// The whole of `$$`, built on demand: paths that name a member never
    /// need it, so the execution input is not copied for every state.
    fn context(&self) -> Cow<'_, Value>;
    /// `$name`.
    fn variable(&self, name: &str) -> Option<&Value>;
}

/// Why a definite path selected nothing: how many segments matched before
/// the miss, and whether the miss was at the last segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Miss {
    pub matched: usize,
    pub at_leaf: bool,
}

/// The input's member a `$.name` path selects, by reference, or `None` for
/// a miss or any other path ([`select`] then settles it). (For callers that
/// only read: a `Cow` is as big as the value, and moving it costs.)
#[inline(always)]
pub(crate) fn select_member<'v, R: Roots + ?Sized>(path: &Path, roots: &'v R) -> Option<&'v Value> {
    let name = path.input_member()?;
    roots.input().as_object().and_then(|m| member(m, name))
}

/// Selects what `path` points at. (`$.name`, the most common path, in
/// line and straight to the member; any other path is a call.)
#[inline(always)]
pub(crate) fn select<'v, R: Roots + ?Sized>(path: &Path, roots: &'v R) -> Result<Cow<'v, Value>, Miss> {
    if let Some(name) = path.input_member() {
        return roots
            .input()
            .as_object()
            .and_then(|m| member(m, name))
            .map(Cow::Borrowed)
            .ok_or(Miss { matched: 0, at_leaf: true });
    }
    select_path(path, roots)
}

#[inline(never)]
fn select_path<'v, R: Roots + ?Sized>(path: &Path, roots: &'v R) -> Result<Cow<'v, Value>, Miss> {
    let root = match &path.root {
        Root::Input => roots.input(),
        Root::Context => {
            return match path.segments.split_first() {
                Some((Segment::Child(Selector::Name(name)), rest)) => {
                    let member = roots.context_member(name).ok_or(Miss { matched: 0, at_leaf: rest.is_empty() })?;
                    select_segments(rest, member).map_err(|m| Miss { matched: m.matched + 1, ..m })
                }
                _ => {
                    let whole = roots.context();
                    select_in(path, &whole).map(|v| Cow::Owned(v.into_owned()))
                }
            };
        }
        Root::Variable(name) => roots.variable(name).ok_or(Miss { matched: 0, at_leaf: path.segments.is_empty() })?,
    };
    select_in(path, root)
}

fn select_segments<'v>(segments: &[Segment], root: &'v Value) -> Result<Cow<'v, Value>, Miss> {
    // Most paths are definite: walk first, and ask whether the path was
    // definite only when the walk stops.
    match definite_walk(segments, root) {
        Ok(node) => Ok(Cow::Borrowed(node)),
        Err(miss) if Segment::all_definite(segments) => Err(miss),
        Err(_) => {
            let mut out = Vec::new();
            collect(segments, root, root, &mut out);
            Ok(Cow::Owned(Value::Array(out.into_iter().cloned().collect())))
        }
    }
}

/// Selects what `path` points at inside `root`, ignoring the path's own root.
pub(crate) fn select_in<'v>(path: &Path, root: &'v Value) -> Result<Cow<'v, Value>, Miss> {
    select_segments(&path.segments, root)
}

fn definite_walk<'v>(segments: &[Segment], root: &'v Value) -> Result<&'v Value, Miss> {
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let next = match seg {
            Segment::Child(Selector::Name(name)) => node.as_object().and_then(|m| member(m, name)),
            Segment::Child(Selector::Index(ix)) => node.as_array().and_then(|a| element(a, *ix)),
            Segment::Child(Selector::FromEnd(n)) => node.as_array().and_then(|a| element(a, -*n)),
            _ => None,
        };
        node = next.ok_or(Miss { matched: i, at_leaf: i + 1 == segments.len() })?;
    }
    Ok(node)
}

fn element(a: &[Value], ix: i64) -> Option<&Value> {
    let i = if ix < 0 { a.len() as i64 + ix } else { ix };
    usize::try_from(i).ok().and_then(|i| a.get(i))
}

fn collect<'v>(segments: &[Segment], node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    let Some((seg, rest)) = segments.split_first() else {
        out.push(node);
        return;
    };
    match seg {
        Segment::Child(sel) => {
            let mut matched = Vec::new();
            apply(sel, node, root, &mut matched);
            for m in matched {
                collect(rest, m, root, out);
            }
        }
        Segment::Descendant(sel) => {
            let mut stack = vec![node];
            let mut all = Vec::new();
            while let Some(n) = stack.pop() {
                all.push(n);
                match n {
                    Value::Object(m) => stack.extend(m.values().rev()),
                    Value::Array(a) => stack.extend(a.iter().rev()),
                    _ => {}
                }
            }
            for n in all {
                let mut matched = Vec::new();
                apply(sel, n, root, &mut matched);
                for m in matched {
                    collect(rest, m, root, out);
                }
            }
        }
    }
}

fn apply<'v>(sel: &Selector, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match sel {
        Selector::Name(name) => out.extend(node.as_object().and_then(|m| member(m, name))),
        Selector::Names(names) => {
            if let Some(m) = node.as_object() {
                out.extend(names.iter().filter_map(|n| member(m, n)));
            }
        }
        Selector::Index(ix) => out.extend(node.as_array().and_then(|a| element(a, *ix))),
        Selector::FromEnd(n) => out.extend(node.as_array().and_then(|a| element(a, -*n))),
        Selector::Indexes(ixs) => {
            if let Some(a) = node.as_array() {
                out.extend(ixs.iter().filter_map(|ix| element(a, *ix)));
            }
        }
        Selector::Wildcard => match node {
            Value::Object(m) => out.extend(m.values()),
            Value::Array(a) => out.extend(a.iter()),
            _ => {}
        },
        Selector::Slice { start, end, step } => {
            if let Some(a) = node.as_array() {
                let len = a.len() as i64;
                let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let from = start.map_or(0, norm);
                let to = end.map_or(len, norm);
                let step = step.unwrap_or(1).max(1) as usize;
                if from < to {
                    out.extend(a[from as usize..to as usize].iter().step_by(step));
                }
            }
        }
        Selector::Filter(f) => match node {
            Value::Array(a) => out.extend(a.iter().filter(|e| filter_holds(f, e, root))),
            Value::Object(_) if filter_holds(f, node, root) => out.push(node),
            _ => {}
        },
    }
}

fn operand<'v>(op: &'v Operand, current: &'v Value, root: &'v Value) -> Option<Cow<'v, Value>> {
    match op {
        Operand::Literal(v) => Some(Cow::Borrowed(v)),
        Operand::Current(segs) | Operand::Root(segs) => {
            let base = if matches!(op, Operand::Current(_)) { current } else { root };
            let path = Path { text: String::new(), root: Root::Input, segments: segs.clone() };
            select_in(&path, base).ok()
        }
    }
}

fn filter_holds(f: &Filter, current: &Value, root: &Value) -> bool {
    match f {
        Filter::Or(a, b) => filter_holds(a, current, root) || filter_holds(b, current, root),
        Filter::And(a, b) => filter_holds(a, current, root) && filter_holds(b, current, root),
        Filter::Not(a) => !filter_holds(a, current, root),
        Filter::Exists(op) => operand(op, current, root).is_some(),
        Filter::Compare(l, op, r) => {
            let (Some(l), Some(r)) = (operand(l, current, root), operand(r, current, root)) else { return false };
            compare(&l, *op, &r)
        }
    }
}

fn compare(l: &Value, op: CompareOp, r: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => {
            return match op {
                CompareOp::Eq => l == r,
                CompareOp::Ne => l != r,
                _ => false,
            };
        }
    };
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

/// Jayway's normalised form of the first `n` segments: `$['a'][0]`.
fn normalised(path: &Path, n: usize) -> String {
    let mut s = String::from(match path.root {
        Root::Context => "$$",
        _ => "$",
    });
    for seg in &path.segments[..n.min(path.segments.len())] {
        match seg {
            Segment::Child(Selector::Name(name)) => s.push_str(&format!("['{name}']")),
            Segment::Child(Selector::Index(i)) => s.push_str(&format!("[{i}]")),
            _ => s.push_str("[*]"),
        }
    }
    s
}

/// AWS's message for an `InputPath`/`OutputPath` that selects nothing.
pub(crate) fn invalid_path_message(path: &Path, miss: Miss) -> String {
    if miss.at_leaf {
        format!("Invalid path '{}' : No results for path: {}", path.text, normalised(path, miss.matched + 1))
    } else {
        format!("Invalid path '{}' : Missing property in path {}", path.text, normalised(path, miss.matched + 1))
    }
}

/// Places `result` into `input` at a reference path (`ResultPath`),
/// creating intermediate objects as needed.
pub(crate) fn set_at(input: Value, path: &Path, result: Value) -> Result<Value, Failure> {
    replace_at(input, path, |_| result)
}

/// Like [`set_at`], with the result made from the value it replaces (`null`
/// where there was none), so a caller can reuse that value's allocations.
pub(crate) fn replace_at(mut input: Value, path: &Path, make: impl FnOnce(Value) -> Value) -> Result<Value, Failure> {
    replace_in(&mut input, path, |slot| *slot = make(std::mem::take(slot)))?;
    Ok(input)
}

/// Like [`replace_at`], in place: `make` rewrites the member at `path` in
/// `root` (`null` where there was none). On an error `root` may have gained
/// the intermediate objects, so only an input nothing reads afterwards is
/// given here.
pub(crate) fn replace_in(root: &mut Value, path: &Path, make: impl FnOnce(&mut Value)) -> Result<(), Failure> {
    if path.segments.is_empty() {
        make(root);
        return Ok(());
    }
    if !matches!(root, Value::Object(_)) && matches!(path.segments[0], Segment::Child(Selector::Name(_))) {
        // AWS replaces a non-object input with an object holding the result.
        *root = Value::Object(Map::new());
    }
    let mut node = root;
    for seg in &path.segments {
        node = match seg {
            Segment::Child(Selector::Name(name)) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                let Value::Object(map) = node else { unreachable!("made an object above") };
                // Replacing a member (the common case) needs no new key;
                // a small object is scanned once, by position.
                let position = if map.len() <= 8 { map.keys().position(|k| k == name) } else { None };
                match position {
                    Some(i) => map.values_mut().nth(i).expect("the member is present"),
                    None => map.entry(name.clone()).or_insert(Value::Null),
                }
            }
            Segment::Child(Selector::Index(ix)) => {
                let len = node.as_array().map(Vec::len);
                let pos = len.and_then(|len| {
                    let i = if *ix < 0 { len as i64 + ix } else { *ix };
                    usize::try_from(i).ok().filter(|i| *i < len)
                });
                match (node, pos) {
                    (Value::Array(a), Some(p)) => &mut a[p],
                    _ => {
                        return Err(Failure::runtime(format!(
                            "Invalid path '{}' : The result path could not be applied: index {ix} does not exist",
                            path.text
                        )));
                    }
                }
            }
            _ => return Err(Failure::runtime(format!("Invalid path '{}' : not a reference path", path.text))),
        };
    }
    make(node);
    Ok(())
}

/// A single document serving as both `$` and `$$`, for unit tests.
/// AWS's message for a template path that selects nothing.
pub(crate) fn path_not_found<R: Roots + ?Sized>(path: &Path, field: impl std::fmt::Display, roots: &R) -> Failure {
    let doc = match &path.root {
        Root::Context => roots.context(),
        _ => std::borrow::Cow::Borrowed(roots.input()),
    };
    Failure::runtime(format!(
        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
        path.text,
        serde_json::to_string(&*doc).unwrap_or_default()
    ))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Roots;
    use serde_json::Value;
    use std::borrow::Cow;

    pub(crate) struct Doc(pub Value);

    impl Roots for Doc {
        fn input(&self) -> &Value {
            &self.0
        }
        fn context_member(&self, name: &str) -> Option<&Value> {
            self.0.get(name)
        }
        fn context(&self) -> Cow<'_, Value> {
            Cow::Borrowed(&self.0)
        }
        fn variable(&self, _: &str) -> Option<&Value> {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::test_support::Doc;

    fn sel(p: &str, v: Value) -> Result<Value, Miss> {
        select(&Path::parse(p).unwrap(), &Doc(v)).map(Cow::into_owned)
    }

    #[test]
    fn definite_and_indefinite() {
        let v = json!({"items": [{"k": 0}, {"k": 1}, {"k": 2}], "u": [{"s": 0, "y": 1997}, {"s": 1, "y": 1998}]});
        assert_eq!(sel("$.items[1].k", v.clone()).unwrap(), json!(1));
        assert_eq!(sel("$.items[-1].k", v.clone()).unwrap(), json!(2));
        assert_eq!(sel("$.items[*].k", v.clone()).unwrap(), json!([0, 1, 2]));
        assert_eq!(sel("$.items[1:].k", v.clone()).unwrap(), json!([1, 2]));
        assert_eq!(sel("$.items[:1]", v.clone()).unwrap(), json!([{"k": 0}]));
        assert_eq!(sel("$.u[?(@.s == 0)]", v.clone()).unwrap(), json!([{"s": 0, "y": 1997}]));
        assert_eq!(sel("$.u[?(@.y <= 1997 || @.s > 0)].s", v.clone()).unwrap(), json!([0, 1]));
        assert_eq!(sel("$..k", v.clone()).unwrap(), json!([0, 1, 2]));
        assert_eq!(sel("$.missing.items[*]", v.clone()).unwrap(), json!([]));
    }

    #[test]
    fn misses_use_jayway_messages() {
        let p = Path::parse("$.NoSuch").unwrap();
        let miss = sel("$.NoSuch", json!({})).unwrap_err();
        assert_eq!(invalid_path_message(&p, miss), "Invalid path '$.NoSuch' : No results for path: $['NoSuch']");
        let p = Path::parse("$.no.such.path").unwrap();
        let miss = sel("$.no.such.path", json!({})).unwrap_err();
        assert_eq!(invalid_path_message(&p, miss), "Invalid path '$.no.such.path' : Missing property in path $['no']");
    }

    #[test]
    fn result_path_creates_objects() {
        let p = Path::parse("$.a.b").unwrap();
        assert_eq!(set_at(json!({"x": 1}), &p, json!(2)).unwrap(), json!({"x": 1, "a": {"b": 2}}));
        let p = Path::parse("$.l[1]").unwrap();
        assert_eq!(set_at(json!({"l": [0, 0]}), &p, json!(5)).unwrap(), json!({"l": [0, 5]}));
        assert!(set_at(json!({"l": []}), &p, json!(5)).is_err());
    }
}

/// An object's member. Small objects (most payloads) are scanned, which is
/// faster than hashing the key with the map's SipHash.
pub(crate) fn member<'v>(object: &'v serde_json::Map<String, Value>, name: &str) -> Option<&'v Value> {
    if object.len() <= 8 { object.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v) } else { object.get(name) }
}

/// An object's member, for writing; scanned like [`member`].
pub(crate) fn member_mut<'v>(object: &'v mut serde_json::Map<String, Value>, name: &str) -> Option<&'v mut Value> {
    if object.len() <= 8 {
        object.iter_mut().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        object.get_mut(name)
    }
}
