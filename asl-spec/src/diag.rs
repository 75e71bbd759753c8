//! Diagnostics: collected during loading and validation, reported all at once.

use std::fmt;

/// A byte range in the definition's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "diag::Span"))]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The definition is rejected.
    Error,
    /// AWS accepts the definition, but it is probably a mistake.
    Warning,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// A diagnostic code. Where AWS has a code for the problem, the text is AWS's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code { $($(#[$doc])* $variant,)* }
        impl Code {
            /// The code as printed (`SCHEMA_VALIDATION_FAILED`, …).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The text is not a JSON document (AWS: `INVALID_JSON_DESCRIPTION`).
    InvalidJson => "INVALID_JSON_DESCRIPTION",
    /// An object repeats a key.
    DuplicateKey => "DUPLICATE_JSON_KEY",
    /// A field is missing, has the wrong type, an invalid value, or is not allowed.
    Schema => "SCHEMA_VALIDATION_FAILED",
    /// A `Next`, `Default` or `StartAt` names no state of its scope.
    MissingTarget => "MISSING_TRANSITION_TARGET",
    /// A state cannot be reached from `StartAt`.
    Unreachable => "UNREACHABLE_STATE",
    /// A scope has no state that ends the execution.
    NoTerminal => "MISSING_TERMINAL_STATE",
    /// Two states share a name.
    DuplicateStateName => "DUPLICATE_STATE_NAME",
    /// A JSONPath or reference path does not parse.
    InvalidPath => "INVALID_JSON_PATH",
    /// An intrinsic function call does not parse or names no function.
    InvalidIntrinsic => "INVALID_INTRINSIC_FUNCTION",
    /// A payload template has both `x` and `x.$`.
    DuplicateField => "DUPLICATE_FIELD_NAME",
    /// Warning: a retrier or catcher that no error can ever reach.
    HandlerNeverApplies => "HANDLER_NEVER_APPLIES",
    /// Warning: `OutputPath` drops the result that `ResultPath` stored.
    ResultDiscarded => "RESULT_DISCARDED",
    /// Warning: a template value that looks like a path or intrinsic call
    /// under a key without `.$`, so it stays literal text.
    LiteralLooksDynamic => "LITERAL_LOOKS_DYNAMIC",
    /// A `${Name}` placeholder that the given substitutions do not fill.
    UnresolvedPlaceholder => "UNRESOLVED_PLACEHOLDER",
    /// A Step Functions Local `MockConfigFile` that cannot serve the
    /// definition (an unknown state, a malformed response).
    InvalidMockConfig => "INVALID_MOCK_CONFIG",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Machine-readable code.
    pub code: Code,
    /// One-line message.
    pub message: String,
    /// Where it is; `None` only for problems with the document as a whole.
    pub span: Option<Span>,
    /// Short label printed under the caret.
    pub label: String,
    /// Further places that explain the problem.
    pub related: Vec<(Span, String)>,
    /// AWS's location of the problem, as a JSON pointer (`/States/Charge/Next`).
    pub location: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            related: Vec::new(),
            location: String::new(),
            hint: None,
        }
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Sets the primary span and its label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    /// Adds a related span.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// Sets AWS's location pointer.
    pub fn location(mut self, pointer: impl Into<String>) -> Self {
        self.location = pointer.into();
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint when there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint.or(self.hint);
        self
    }
}

/// The collected diagnostics of one definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    /// The most recent one, for adding detail after pushing.
    pub fn last_mut(&mut self) -> Option<&mut Diagnostic> {
        self.items.last_mut()
    }
    /// Whether any error (not warning) was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    /// Whether nothing at all was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// How many were reported.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// All of them, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }
    /// Moves every span, primary and related, by `f` (from a substituted
    /// text back to the file it came from).
    pub fn map_spans(&mut self, mut f: impl FnMut(Span) -> Span) {
        for d in &mut self.items {
            d.span = d.span.map(&mut f);
            for (span, _) in &mut d.related {
                *span = f(*span);
            }
        }
    }

    /// Sorts by position so output reads top to bottom.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| d.span.map(|s| (s.start, s.end)).unwrap_or((usize::MAX, 0)));
    }
    /// Takes the list out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A definition's source text and the name it is printed under, for turning
/// spans into `file:line:col` and rendering snippets.
#[derive(Debug, Clone)]
pub struct SourceFile<'a> {
    /// The path as the user wrote it (`statemachines/order.json`).
    pub name: &'a str,
    /// The full text.
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// `name:line:col` for a diagnostic (or just `name` without a span).
    pub fn position(&self, d: &Diagnostic) -> String {
        match d.span {
            Some(span) => {
                let (line, col) = self.line_col(span.start);
                format!("{}:{line}:{col}", self.name)
            }
            None => self.name.to_string(),
        }
    }

    /// Renders one diagnostic rustc-style: header, `--> file:line:col`, the
    /// source line with a caret, related notes and the hint.
    pub fn render(&self, d: &Diagnostic, styled: bool) -> String {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title =
            if d.location.is_empty() { d.message.clone() } else { format!("{} (at {})", d.message, d.location) };
        let mut group = annotate_snippets::Group::with_title(level.primary_title(title).id(d.code.as_str()));
        if let Some(span) = d.span {
            let clamp = |s: Span| {
                let start = floor_char_boundary(self.text, s.start.min(self.text.len()));
                let end = floor_char_boundary(self.text, s.end.clamp(start, self.text.len()));
                start..end
            };
            let mut snippet = Snippet::source(self.text)
                .path(self.name)
                .annotation(AnnotationKind::Primary.span(clamp(span)).label(d.label.as_str()));
            for (s, label) in &d.related {
                snippet = snippet.annotation(AnnotationKind::Context.span(clamp(*s)).label(label.as_str()));
            }
            group = group.element(snippet);
        }
        if let Some(hint) = &d.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&[group]).to_string()
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The JSON pointer (RFC 6901) of member `key` under `parent`: `~` is
/// written `~0` and `/` `~1`, as AWS reports locations. Every member of a
/// definition gets one, so it is written straight into one string (through
/// `format!` and two `replace` calls it took a fifth of loading a
/// 1,000-state definition).
pub(crate) fn pointer_to(parent: &str, key: &str) -> String {
    let mut pointer = String::with_capacity(parent.len() + 1 + key.len());
    pointer.push_str(parent);
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
    pointer
}

/// The closest of `candidates` to `name`, for "did you mean" hints.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let src = SourceFile { name: "x.json", text: "{\n  \"a\": 1\n}" };
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(4), (2, 3));
    }

    #[test]
    fn renders_position_source_line_and_hint() {
        let src = SourceFile { name: "m.json", text: "{\n  \"Next\": \"Chrage\"\n}" };
        let d = Diagnostic::error(Code::MissingTarget, "no state named `Chrage`")
            .at(Span::new(12, 20), "unknown target")
            .hint("did you mean `Charge`?");
        let out = src.render(&d, false);
        assert!(out.contains("m.json:2:11"), "{out}");
        assert!(out.contains("\"Next\": \"Chrage\""), "{out}");
        assert!(out.contains("did you mean `Charge`?"), "{out}");
        assert!(out.contains("MISSING_TRANSITION_TARGET"), "{out}");
    }

    #[test]
    fn closest_name() {
        assert_eq!(closest("Chrage", ["Charge", "Refund"]), Some("Charge"));
        assert_eq!(closest("zzz", ["Charge"]), None);
    }
}
