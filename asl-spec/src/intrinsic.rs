//! Intrinsic function calls (`States.Format('{}', $.x)`), parsed once.
//!
//! The call's arguments are literals, paths or nested calls. Name and arity
//! are checked here; evaluation lives in `asl-runtime`.

use crate::path::{Path, PathError};
use serde_json::Number;
use std::fmt;

macro_rules! functions {
    ($($variant:ident => $name:literal, $min:expr, $max:expr;)*) => {
        /// One of the 18 intrinsic functions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "intrinsic::Function"))]
        pub enum Function { $(#[doc = $name] $variant,)* }
        impl Function {
            /// Every function.
            pub const ALL: &'static [Function] = &[$(Function::$variant,)*];
            /// The name as written (`States.Format`).
            pub fn name(self) -> &'static str {
                match self { $(Function::$variant => $name,)* }
            }
            /// Looks a function up by name.
            pub fn from_name(name: &str) -> Option<Function> {
                match name { $($name => Some(Function::$variant),)* _ => None }
            }
            /// Fewest and most arguments (`None`: unbounded).
            pub fn arity(self) -> (usize, Option<usize>) {
                match self { $(Function::$variant => ($min, $max),)* }
            }
        }
    };
}

functions! {
    Format => "States.Format", 1, None;
    StringToJson => "States.StringToJson", 1, Some(1);
    JsonToString => "States.JsonToString", 1, Some(1);
    Array => "States.Array", 0, None;
    ArrayPartition => "States.ArrayPartition", 2, Some(2);
    ArrayContains => "States.ArrayContains", 2, Some(2);
    ArrayRange => "States.ArrayRange", 3, Some(3);
    ArrayGetItem => "States.ArrayGetItem", 2, Some(2);
    ArrayLength => "States.ArrayLength", 1, Some(1);
    ArrayUnique => "States.ArrayUnique", 1, Some(1);
    Base64Encode => "States.Base64Encode", 1, Some(1);
    Base64Decode => "States.Base64Decode", 1, Some(1);
    Hash => "States.Hash", 2, Some(2);
    JsonMerge => "States.JsonMerge", 3, Some(3);
    MathRandom => "States.MathRandom", 2, Some(3);
    MathAdd => "States.MathAdd", 2, Some(2);
    StringSplit => "States.StringSplit", 2, Some(2);
    Uuid => "States.UUID", 0, Some(0);
}

impl Function {
    /// Functions whose every argument is a number (literal arguments of
    /// another type are rejected when the definition is loaded).
    pub fn numeric_args(self) -> bool {
        matches!(self, Function::MathAdd | Function::MathRandom | Function::ArrayRange)
    }
}

/// A parsed call.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "intrinsic::Call"))]
pub struct Call {
    /// Which function.
    pub function: Function,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "intrinsic::Arg"))]
pub enum Arg {
    /// A string literal (escapes resolved).
    String(StringLit),
    /// A number literal.
    Number(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::number"))] Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path into the input, context or a variable.
    Path(Path),
    /// A nested call.
    Call(Call),
}

/// A string literal argument. `holes` are the byte offsets in `value` of each
/// unescaped `{}` (what `States.Format` fills); an escaped `\{\}` is not a hole.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "intrinsic::StringLit"))]
pub struct StringLit {
    /// The string with escapes resolved.
    pub value: String,
    /// Offsets of unescaped `{}` pairs in `value`.
    pub holes: Vec<usize>,
}

/// Why a call did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the call text.
    pub offset: usize,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message, self.offset)
    }
}

impl Call {
    /// Whether a `.$` value is meant as an intrinsic call rather than a path.
    pub fn looks_like_call(text: &str) -> bool {
        // No leading space: AWS rejects ` States.Array(...)` as neither a
        // path nor a call.
        text.starts_with("States.")
    }

    /// Parses a whole call; nothing may follow it.
    pub fn parse(text: &str) -> Result<Call, CallError> {
        let mut p = Parser { s: text, i: 0, depth: 0 };
        p.skip_ws();
        let call = p.call()?;
        p.skip_ws();
        if p.i != text.len() {
            return Err(p.err("unexpected text after the call"));
        }
        Ok(call)
    }
}

/// How deep intrinsic calls may nest in one another. Far deeper than any
/// definition needs; without a limit, a string of nested calls (a few KB of
/// `States.Array(`) overflowed the parser's stack.
const MAX_NESTING: usize = 100;

struct Parser<'a> {
    s: &'a str,
    i: usize,
    /// How many calls enclose the one being parsed.
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, msg: impl Into<String>) -> CallError {
        CallError { message: msg.into(), offset: self.i }
    }
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn skip_ws(&mut self) {
        // By the character's length: Unicode has whitespace of 2 and 3 bytes.
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.i += c.len_utf8();
        }
    }

    fn call(&mut self) -> Result<Call, CallError> {
        let start = self.i;
        if self.depth >= MAX_NESTING {
            return Err(self.err(format!("intrinsic calls nest more than {MAX_NESTING} deep")));
        }
        self.depth += 1;
        let call = self.call_inner(start);
        self.depth -= 1;
        call
    }

    fn call_inner(&mut self, start: usize) -> Result<Call, CallError> {
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '.') {
            self.i += 1;
        }
        let name = &self.s[start..self.i];
        let function = Function::from_name(name).ok_or_else(|| {
            let hint = crate::diag::closest(name, Function::ALL.iter().map(|f| f.name()))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            CallError { message: format!("`{name}` is not an intrinsic function{hint}"), offset: start }
        })?;
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(self.err(format!("expected `(` after `{name}`")));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.i += 1;
        } else {
            loop {
                self.skip_ws();
                args.push(self.arg()?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => self.i += 1,
                    Some(')') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.err("expected `,` or `)` after an argument")),
                }
            }
        }
        if let Some(bad) =
            args.iter().position(|a| function.numeric_args() && matches!(a, Arg::String(_) | Arg::Bool(_) | Arg::Null))
        {
            return Err(CallError {
                message: format!("argument {} of `{name}` must be a number or a path", bad + 1),
                offset: start,
            });
        }
        let (min, max) = function.arity();
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let expected = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Err(CallError {
                message: format!("`{name}` takes {expected} argument(s), but {} were given", args.len()),
                offset: start,
            });
        }
        Ok(Call { function, args })
    }

    fn arg(&mut self) -> Result<Arg, CallError> {
        match self.peek() {
            Some('\'') => self.string().map(Arg::String),
            Some('$') => self.path().map(Arg::Path),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || "-+.eE".contains(c)) {
                    self.i += 1;
                }
                serde_json::from_str::<Number>(&self.s[start..self.i])
                    .map(Arg::Number)
                    .map_err(|_| CallError { message: "invalid number literal".into(), offset: start })
            }
            Some(_) => {
                for (word, arg) in [("true", Arg::Bool(true)), ("false", Arg::Bool(false)), ("null", Arg::Null)] {
                    if self.s[self.i..].starts_with(word)
                        && !self.s[self.i + word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
                    {
                        self.i += word.len();
                        return Ok(arg);
                    }
                }
                if self.s[self.i..].starts_with("States.") {
                    return self.call().map(Arg::Call);
                }
                Err(self.err("expected a string in single quotes, a number, `true`, `false`, `null`, a path or a call"))
            }
            None => Err(self.err("expected an argument")),
        }
    }

    /// A path argument runs to the `,` or `)` that ends it at bracket depth 0.
    fn path(&mut self) -> Result<Path, CallError> {
        let start = self.i;
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '[' | '(') => depth += 1,
                (None, ']') => depth -= 1,
                (None, ')') if depth == 0 => break,
                (None, ')') => depth -= 1,
                (None, ',') if depth == 0 => break,
                _ => {}
            }
            self.i += c.len_utf8();
        }
        let text = self.s[start..self.i].trim_end();
        Path::parse(text).map_err(|PathError { message, offset }| CallError {
            message: format!("invalid path `{text}`: {message}"),
            offset: start + offset,
        })
    }

    /// `'...'` with AWS's escapes: `\'`, `\{`, `\}` and `\\`; any other
    /// backslash sequence is rejected, as AWS rejects it.
    fn string(&mut self) -> Result<StringLit, CallError> {
        self.i += 1;
        let mut value = String::new();
        let mut holes = Vec::new();
        loop {
            let Some(c) = self.peek() else { return Err(self.err("unterminated string literal")) };
            self.i += c.len_utf8();
            match c {
                '\'' => return Ok(StringLit { value, holes }),
                '\\' => match self.peek() {
                    Some(e @ ('\'' | '{' | '}' | '\\')) => {
                        value.push(e);
                        self.i += 1;
                    }
                    other => {
                        return Err(CallError {
                            message: format!(
                                "invalid escape `\\{}` in a string literal; only \\', \\{{, \\}} and \\\\ are allowed",
                                other.map(String::from).unwrap_or_default()
                            ),
                            offset: self.i - 1,
                        });
                    }
                },
                '{' if self.peek() == Some('}') => {
                    holes.push(value.len());
                    value.push_str("{}");
                    self.i += 1;
                }
                c => value.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_calls_paths_and_literals() {
        let c = Call::parse("States.Format('{} and \\{\\}', States.ArrayLength($.a[0,1]), -1.5, true, null)").unwrap();
        assert_eq!(c.function, Function::Format);
        let Arg::String(s) = &c.args[0] else { panic!() };
        assert_eq!((s.value.as_str(), s.holes.as_slice()), ("{} and {}", &[0][..]));
        assert!(matches!(&c.args[1], Arg::Call(inner) if inner.function == Function::ArrayLength));
        assert_eq!(c.args.len(), 5);
    }

    #[test]
    fn rejects_bad_calls() {
        assert!(Call::parse("States.Formatt('x')").unwrap_err().message.contains("did you mean `States.Format`"));
        assert!(Call::parse("States.UUID(1)").is_err());
        assert!(Call::parse("States.MathAdd(1)").is_err());
        let nested = |depth: usize| format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
        assert!(Call::parse(&nested(MAX_NESTING)).is_ok());
        // Unicode whitespace (2 and 3 bytes long) between arguments.
        assert!(Call::parse("States.Array(1,\u{a0}2,\u{2003}3)").is_ok());
        let deep = Call::parse(&nested(20_000)).unwrap_err();
        assert!(deep.message.contains("nest more than"), "{}", deep.message);
        assert!(Call::parse("States.Format('\\n')").is_err());
        assert!(Call::parse("States.Format('x'").is_err());
        assert!(Call::parse("States.Format('x') extra").is_err());
        assert_eq!(Function::ALL.len(), 18);
    }
}
