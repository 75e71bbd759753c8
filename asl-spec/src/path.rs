//! ASL's JSONPath dialect (Jayway's, as AWS runs it), parsed once into an AST.
//!
//! No crate implements this dialect: ASL adds the `$$` context root and `$var`
//! variable roots, distinguishes definite from indefinite paths (an indefinite
//! path always yields a list, even from missing data), and restricts
//! `ResultPath` to reference paths. Evaluation lives in `asl-runtime`.

use serde_json::Value;
use std::fmt;

/// A parsed path such as `$.orders[0].id`, `$$.Execution.Id` or `$.items[?(@.n > 1)]`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Path"))]
pub struct Path {
    /// The text as written, used in AWS's error messages.
    pub text: String,
    /// What the path starts from.
    pub root: Root,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

/// The document a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Root"))]
pub enum Root {
    /// `$`: the state's (effective) input.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Segment"))]
pub enum Segment {
    /// `.x`, `['x']`, `[0]`, `[*]`, …: applies to the current nodes.
    Child(Selector),
    /// `..x`: applies to the current nodes and all their descendants.
    Descendant(Selector),
}

impl Segment {
    /// Whether these steps select at most one node (names and indexes only).
    pub fn all_definite(segments: &[Segment]) -> bool {
        segments
            .iter()
            .all(|s| matches!(s, Segment::Child(Selector::Name(_) | Selector::Index(_) | Selector::FromEnd(_))))
    }
}

/// What a step selects.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Selector"))]
pub enum Selector {
    /// A member by name.
    Name(String),
    /// Several members by name: `['a','b']`.
    Names(Vec<String>),
    /// An element by index; negative counts from the end.
    Index(i64),
    /// Several elements: `[0,2]`.
    Indexes(Vec<i64>),
    /// `*`: every member or element.
    Wildcard,
    /// `[start:end:step]`.
    Slice {
        /// First index (inclusive).
        start: Option<i64>,
        /// Last index (exclusive).
        end: Option<i64>,
        /// Step (default 1).
        step: Option<i64>,
    },
    /// `[(@.length-N)]`: the N-th element from the end.
    FromEnd(i64),
    /// `[?(...)]`: the elements for which the filter holds.
    Filter(Box<Filter>),
}

/// A filter expression inside `[?( )]`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Filter"))]
pub enum Filter {
    /// `a || b`
    Or(Box<Filter>, Box<Filter>),
    /// `a && b`
    And(Box<Filter>, Box<Filter>),
    /// `!a`
    Not(Box<Filter>),
    /// `@.x`: the member exists.
    Exists(Operand),
    /// `a op b`
    Compare(Operand, CompareOp, Operand),
}

/// A side of a filter comparison.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::Operand"))]
pub enum Operand {
    /// `@...`: relative to the element being tested.
    Current(Vec<Segment>),
    /// `$...`: from the document root.
    Root(Vec<Segment>),
    /// A literal value.
    Literal(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json"))] Value),
}

/// A comparison operator in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "path::CompareOp"))]
pub enum CompareOp {
    /// `==`
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
}

/// Why a path did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the path text.
    pub offset: usize,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message, self.offset)
    }
}

impl Path {
    /// Parses a path.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let mut p = Parser { s: text, i: 0 };
        let root = p.root()?;
        let segments = p.segments(false)?;
        if p.i != text.len() {
            return Err(p.err("unexpected character"));
        }
        Ok(Path { text: text.to_string(), root, segments })
    }

    /// Parses a reference path (`ResultPath`): only names and indexes.
    pub fn parse_reference(text: &str) -> Result<Path, PathError> {
        let path = Path::parse(text)?;
        if path.segments.iter().any(|s| !matches!(s, Segment::Child(Selector::Name(_) | Selector::Index(_)))) {
            return Err(PathError {
                message: "a reference path may contain only member names and array indexes".into(),
                offset: 0,
            });
        }
        Ok(path)
    }

    /// A definite path selects at most one node; an indefinite one (wildcards,
    /// slices, filters, unions, deep scans) always yields a list.
    pub fn is_definite(&self) -> bool {
        Segment::all_definite(&self.segments)
    }

    /// `$` alone.
    pub fn is_identity(&self) -> bool {
        self.root == Root::Input && self.segments.is_empty()
    }

    /// The name in `$.name` (or `$['name']`): one member of the input, the
    /// most common path, which runtimes read without walking.
    #[inline]
    pub fn input_member(&self) -> Option<&str> {
        match (&self.root, self.segments.as_slice()) {
            (Root::Input, [Segment::Child(Selector::Name(name))]) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> PathError {
        let found = self.peek().map_or("end of path".to_string(), |c| format!("`{c}`"));
        PathError { message: format!("{msg} (found {found})"), offset: self.i }
    }
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn eat(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn skip_ws(&mut self) {
        // By the character's length: Unicode has whitespace of 2 and 3 bytes.
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.i += c.len_utf8();
        }
    }

    fn root(&mut self) -> Result<Root, PathError> {
        if !self.eat("$") {
            return Err(self.err("a path must start with `$`"));
        }
        if self.eat("$") {
            return Ok(Root::Context);
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.i += self.peek().map_or(0, char::len_utf8);
        }
        if self.i > start {
            return Ok(Root::Variable(self.s[start..self.i].to_string()));
        }
        Ok(Root::Input)
    }

    /// Segments until the end (or, inside a filter, until a non-path character).
    fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, PathError> {
        let mut out = Vec::new();
        loop {
            if self.eat("..") {
                let sel = if self.peek() == Some('[') {
                    self.i += 1;
                    self.bracket()?
                } else {
                    self.dot_name(in_filter)?
                };
                out.push(Segment::Descendant(sel));
            } else if self.eat(".") {
                // Jayway reads `$.[...]` as `$[...]`.
                if self.eat("[") {
                    out.push(Segment::Child(self.bracket()?));
                } else {
                    out.push(Segment::Child(self.dot_name(in_filter)?));
                }
            } else if self.eat("[") {
                out.push(Segment::Child(self.bracket()?));
            } else {
                return Ok(out);
            }
        }
    }

    fn dot_name(&mut self, in_filter: bool) -> Result<Selector, PathError> {
        if self.eat("*") {
            return Ok(Selector::Wildcard);
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            // Jayway reads a dotted name up to the next `.` or `[`; inside a
            // filter the expression's own punctuation ends it too.
            let stop = c == '.' || c == '[' || (in_filter && (c.is_whitespace() || "()=!<>&|,".contains(c)));
            if stop {
                break;
            }
            self.i += c.len_utf8();
        }
        if self.i == start {
            return Err(self.err("expected a member name"));
        }
        Ok(Selector::Name(self.s[start..self.i].to_string()))
    }

    fn bracket(&mut self) -> Result<Selector, PathError> {
        self.skip_ws();
        let sel = if self.eat("*") {
            Selector::Wildcard
        } else if self.eat("?(") {
            let f = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected `)` to close the filter"));
            }
            Selector::Filter(Box::new(f))
        } else if self.eat("(") {
            self.skip_ws();
            if !self.eat("@.length") {
                return Err(self.err("only `(@.length-N)` is supported as a script"));
            }
            self.skip_ws();
            let n = if self.eat("-") {
                self.skip_ws();
                self.int()?
            } else {
                0
            };
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected `)`"));
            }
            Selector::FromEnd(n)
        } else if matches!(self.peek(), Some('\'' | '"')) {
            let mut names = vec![self.quoted()?];
            self.skip_ws();
            while self.eat(",") {
                self.skip_ws();
                names.push(self.quoted()?);
                self.skip_ws();
            }
            if names.len() == 1 { Selector::Name(names.pop().unwrap_or_default()) } else { Selector::Names(names) }
        } else {
            self.index_or_slice()?
        };
        self.skip_ws();
        if !self.eat("]") {
            return Err(self.err("expected `]`"));
        }
        Ok(sel)
    }

    fn index_or_slice(&mut self) -> Result<Selector, PathError> {
        let first = self.opt_int()?;
        self.skip_ws();
        if self.peek() == Some(':') {
            self.i += 1;
            self.skip_ws();
            let end = self.opt_int()?;
            self.skip_ws();
            let step = if self.eat(":") {
                self.skip_ws();
                self.opt_int()?
            } else {
                None
            };
            return Ok(Selector::Slice { start: first, end, step });
        }
        let Some(first) = first else {
            return Err(self.err("expected an index, slice, `*`, a quoted name or a filter"));
        };
        let mut indexes = vec![first];
        while self.eat(",") {
            self.skip_ws();
            indexes.push(self.int()?);
            self.skip_ws();
        }
        Ok(if indexes.len() == 1 { Selector::Index(first) } else { Selector::Indexes(indexes) })
    }

    fn opt_int(&mut self) -> Result<Option<i64>, PathError> {
        if self.peek().is_some_and(|c| c == '-' || c.is_ascii_digit()) { self.int().map(Some) } else { Ok(None) }
    }

    fn int(&mut self) -> Result<i64, PathError> {
        let start = self.i;
        self.eat("-");
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.s[start..self.i].parse().map_err(|_| PathError { message: "expected an integer".into(), offset: start })
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let Some(q @ ('\'' | '"')) = self.peek() else { return Err(self.err("expected a quoted name")) };
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated quoted name")),
                Some(c) if c == q => {
                    self.i += 1;
                    return Ok(out);
                }
                // As in Jayway, a backslash escapes only the quote in use;
                // anywhere else it is a literal backslash.
                Some('\\') if self.s[self.i + 1..].starts_with(q) => {
                    out.push(q);
                    self.i += 1 + q.len_utf8();
                }
                Some(c) => {
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    fn filter_or(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if self.eat("||") {
                left = Filter::Or(Box::new(left), Box::new(self.filter_and()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if self.eat("&&") {
                left = Filter::And(Box::new(left), Box::new(self.filter_unary()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_unary(&mut self) -> Result<Filter, PathError> {
        self.skip_ws();
        if self.eat("!") {
            return Ok(Filter::Not(Box::new(self.filter_unary()?)));
        }
        if self.eat("(") {
            let inner = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected `)`"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_ws();
        let op = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ]
        .into_iter()
        .find(|(t, _)| self.rest().starts_with(t));
        match op {
            Some((t, op)) => {
                self.i += t.len();
                self.skip_ws();
                let right = self.operand()?;
                Ok(Filter::Compare(left, op, right))
            }
            None => Ok(Filter::Exists(left)),
        }
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        if self.eat("@") {
            return Ok(Operand::Current(self.segments(true)?));
        }
        if self.rest().starts_with('$') {
            self.i += 1;
            return Ok(Operand::Root(self.segments(true)?));
        }
        if matches!(self.peek(), Some('\'' | '"')) {
            return Ok(Operand::Literal(Value::String(self.quoted()?)));
        }
        for (word, value) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)] {
            if self.eat(word) {
                return Ok(Operand::Literal(value));
            }
        }
        let start = self.i;
        // Jayway reads a bare word as a string (`@.key == FooBar`).
        if self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
            while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                self.i += self.peek().map_or(0, char::len_utf8);
            }
            return Ok(Operand::Literal(Value::String(self.s[start..self.i].to_string())));
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit() || "-+.eE".contains(c)) {
            self.i += 1;
        }
        serde_json::from_str::<serde_json::Number>(&self.s[start..self.i])
            .map(|n| Operand::Literal(Value::Number(n)))
            .map_err(|_| PathError { message: "expected `@`, `$`, or a literal in the filter".into(), offset: start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> Vec<Segment> {
        Path::parse(text).unwrap().segments
    }

    #[test]
    fn an_input_member_is_one_name_under_the_input() {
        let member = |text: &str| Path::parse(text).unwrap().input_member().map(str::to_owned);
        assert_eq!(member("$.id"), Some("id".into()));
        assert_eq!(member("$['a b']"), Some("a b".into()));
        for other in ["$", "$.a.b", "$[0]", "$$.Execution", "$var", "$.*"] {
            assert_eq!(member(other), None, "{other}");
        }
    }

    #[test]
    fn text_after_a_comma_or_unicode_space_is_no_panic() {
        // Found by the parser fuzz target: a name list whose next item is
        // not quoted, and whitespace of more than one byte.
        assert!(Path::parse("$[ 'k ey',\u{202e}][*].x").is_err());
        assert!(Path::parse("$[\u{2003}0\u{a0}]").is_ok());
    }

    #[test]
    fn roots() {
        assert_eq!(Path::parse("$").unwrap().root, Root::Input);
        assert_eq!(Path::parse("$$.Execution.Id").unwrap().root, Root::Context);
        assert_eq!(Path::parse("$myVar.x").unwrap().root, Root::Variable("myVar".into()));
    }

    #[test]
    fn names_with_hyphens_and_brackets() {
        assert_eq!(segs("$.input-value"), vec![Segment::Child(Selector::Name("input-value".into()))]);
        assert_eq!(
            segs("$['a b'][0]"),
            vec![Segment::Child(Selector::Name("a b".into())), Segment::Child(Selector::Index(0))]
        );
    }

    #[test]
    fn indefinite_forms() {
        for p in ["$.items[*]", "$.items[1:]", "$.a[:1].b", "$..x", "$[0,1]", "$.users[?(@.status == 0)]"] {
            assert!(!Path::parse(p).unwrap().is_definite(), "{p}");
        }
        assert!(Path::parse("$.a[0].b").unwrap().is_definite());
    }

    #[test]
    fn filters() {
        let s = segs("$.u[?(@.year <= 1999 && @.name != 'x')]");
        let Segment::Child(Selector::Filter(f)) = &s[1] else { panic!() };
        assert!(matches!(**f, Filter::And(..)));
    }

    #[test]
    fn quoted_names_escape_only_their_quote() {
        assert_eq!(segs(r#"$['Test\""Name"']"#), vec![Segment::Child(Selector::Name(r#"Test\""Name""#.into()))]);
        assert_eq!(segs(r"$['it\'s']"), vec![Segment::Child(Selector::Name("it's".into()))]);
    }

    #[test]
    fn errors() {
        assert!(Path::parse("a.b").is_err());
        assert!(Path::parse("$.").is_err());
        assert!(Path::parse("$[").is_err());
        assert!(Path::parse("$.a[?(@.x ==").is_err());
        assert!(Path::parse_reference("$.a[*]").is_err());
        assert!(Path::parse_reference("$.a[0].b").is_ok());
    }
}
