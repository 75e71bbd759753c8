//! Strict JSON loading that keeps the byte span of every key and value.
//!
//! `jsonc-parser` gives us the spans; everything permissive it offers (comments,
//! trailing commas, single quotes, …) is switched off, because AWS's
//! `CreateStateMachine` accepts only strict JSON. Duplicate keys are reported
//! here, since a `serde_json::Value` would silently keep the last one.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use serde_json::{Map, Number, Value};

/// A JSON value together with where it stands in the source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Byte range of the value in the source.
    pub span: Span,
    /// The value itself.
    pub kind: NodeKind,
}

/// The shape of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept with serde_json's integer/float distinction (`1` vs `1.0`).
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, in source order.
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key text (unescaped).
    pub key: String,
    /// Byte range of the key, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The JSON type name AWS uses in its messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Number(_) => "number",
            NodeKind::String(_) => "string",
            NodeKind::Array(_) => "array",
            NodeKind::Object(_) => "object",
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            NodeKind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key`, if this is an object that has one.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// Converts to a plain `serde_json::Value`, keeping key order.
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(n.clone()),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeKind::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for m in members {
                    map.insert(m.key.clone(), m.value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// The deepest nesting of arrays and objects a definition may have. Every
/// later pass recurses over the tree, so a bound keeps them within any
/// thread's stack (real definitions nest a few dozen levels at most).
pub const MAX_DEPTH: usize = 128;

/// Where the text first nests deeper than [`MAX_DEPTH`], if it does.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in outside_strings(text) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The bytes of JSON `text` outside its strings (their quotes left out too),
/// with their offsets: what a scan of the text's structure or numbers reads.
pub fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    text.bytes().enumerate().filter(move |&(_, b)| {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            false
        } else {
            in_string = b == b'"';
            !in_string
        }
    })
}

/// Parses `text` as strict JSON. Syntax errors and duplicate keys become
/// diagnostics; `None` is returned only when there is no usable document.
pub fn parse(text: &str, diags: &mut Diagnostics) -> Option<Node> {
    if let Some(at) = too_deep(text) {
        diags.push(
            Diagnostic::error(
                Code::InvalidJson,
                format!("the definition nests arrays and objects more than {MAX_DEPTH} levels deep"),
            )
            .at(Span::new(at, at + 1), "too deep")
            .hint("flatten the data, or pass it in the execution input instead"),
        );
        return None;
    }
    use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions { comments: CommentCollectionStrategy::Off, tokens: false };
    match parse_to_ast(text, &collect, &strict) {
        Ok(result) => match result.value {
            Some(value) => Some(convert(value, diags)),
            None => {
                diags.push(
                    Diagnostic::error(Code::InvalidJson, "the definition is empty; it must be a JSON object")
                        .at(Span::new(0, text.len()), "")
                        .hint("a definition starts with `{\"StartAt\": ..., \"States\": {...}}`"),
                );
                None
            }
        },
        Err(err) => {
            let range = err.range();
            diags.push(
                Diagnostic::error(Code::InvalidJson, format!("invalid JSON: {}", err.kind()))
                    .at(Span::new(range.start, range.end.max(range.start)), ""),
            );
            None
        }
    }
}

fn span(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn convert(value: jsonc_parser::ast::Value<'_>, diags: &mut Diagnostics) -> Node {
    use jsonc_parser::ast::{ObjectPropName, Value as V};
    match value {
        V::NullKeyword(n) => Node { span: span(n.range), kind: NodeKind::Null },
        V::BooleanLit(b) => Node { span: span(b.range), kind: NodeKind::Bool(b.value) },
        V::StringLit(s) => Node { span: span(s.range), kind: NodeKind::String(s.value.into_owned()) },
        V::NumberLit(n) => {
            let kind = match serde_json::from_str::<Number>(n.value) {
                Ok(num) => NodeKind::Number(num),
                Err(_) => {
                    diags.push(
                        Diagnostic::error(Code::InvalidJson, format!("number `{}` is out of range", n.value))
                            .at(span(n.range), "not representable as a JSON number"),
                    );
                    NodeKind::Null
                }
            };
            Node { span: span(n.range), kind }
        }
        V::Array(a) => Node {
            span: span(a.range),
            kind: NodeKind::Array(a.elements.into_iter().map(|e| convert(e, diags)).collect()),
        },
        V::Object(o) => {
            let mut members: Vec<Member> = Vec::with_capacity(o.properties.len());
            // Large objects (a `States` of a thousand states) look keys up by
            // hash, so finding duplicates stays linear.
            let mut index: Option<std::collections::HashMap<String, Span>> =
                (o.properties.len() > 16).then(|| std::collections::HashMap::with_capacity(o.properties.len()));
            for prop in o.properties {
                let (key, key_span) = match prop.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), span(s.range)),
                    ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
                };
                let first = match &mut index {
                    Some(index) => match index.get(&key) {
                        Some(first) => Some(*first),
                        None => {
                            index.insert(key.clone(), key_span);
                            None
                        }
                    },
                    None => members.iter().find(|m| m.key == key).map(|m| m.key_span),
                };
                if let Some(first_span) = first {
                    diags.push(
                        Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{key}`"))
                            .at(key_span, "defined again here")
                            .also(first_span, "first defined here")
                            .hint("JSON objects in a definition must not repeat a key; remove one of them"),
                    );
                }
                members.push(Member { key, key_span, value: convert(prop.value, diags) });
            }
            Node { span: span(o.range), kind: NodeKind::Object(members) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Option<Node>, Diagnostics) {
        let mut d = Diagnostics::default();
        (parse(text, &mut d), d)
    }

    #[test]
    fn keeps_spans_and_number_kinds() {
        let (node, d) = load(r#"{"a": 1, "b": [1.0, "x"]}"#);
        assert!(d.is_empty());
        let node = node.unwrap();
        let a = node.get("a").unwrap();
        assert_eq!((a.key_span.start, a.value.span.start), (1, 6));
        assert_eq!(node.to_value().to_string(), r#"{"a":1,"b":[1.0,"x"]}"#);
    }

    #[test]
    fn bounds_nesting() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let (node, d) = load(&deep);
        assert!(node.is_none() && d.iter().next().unwrap().message.contains("levels deep"));
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(load(&fine).0.is_some());
        // Brackets inside strings do not count.
        let quoted = format!("{{\"a\": \"{}\"}}", "[".repeat(1000));
        assert!(load(&quoted).0.is_some());
    }

    #[test]
    fn rejects_duplicate_keys_and_comments() {
        let (_, d) = load(r#"{"a": 1, "a": 2}"#);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::DuplicateKey]);
        let (_, d) = load("{\"a\": 1 // no\n}");
        assert_eq!(d.iter().next().unwrap().code, Code::InvalidJson);
        let (_, d) = load("{\"a\": 1,}");
        assert_eq!(d.len(), 1);
        let (n, d) = load("   ");
        assert!(n.is_none() && d.len() == 1);
    }
}
