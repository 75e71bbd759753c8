//! `${Name}` placeholders, filled in as deployment tools fill them: SAM's and
//! CloudFormation's `DefinitionSubstitutions`, Terraform's `templatefile`.
//!
//! A definition kept in `statemachines/` often names what differs between
//! deployments (function ARNs, table names, bucket names) as `${Name}`. To
//! check and run the definition that will be deployed, the same values are
//! substituted first. Inside a JSON string a value is inserted JSON-escaped;
//! outside one (`"MaxConcurrency": ${Max}`) it is inserted as written, as
//! Terraform does. Placeholders without a value stay as they are, and are
//! reported by [`Substituted::unresolved`].
//!
//! ```
//! use asl_spec::substitute::substitute;
//! let text = r#"{"Resource": "${ChargeArn}"}"#;
//! let done = substitute(text, &[("ChargeArn".into(), "arn:aws:lambda:us-east-1:123456789012:function:charge".into())]);
//! assert_eq!(done.text, r#"{"Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge"}"#);
//! assert!(done.unresolved.is_empty());
//! ```

use crate::diag::{Code, Diagnostic, Diagnostics, Span};

/// A definition's text with its placeholders filled in.
#[derive(Debug, Clone)]
pub struct Substituted {
    /// The text to load.
    pub text: String,
    /// Placeholders left without a value: the name, and where it stands in
    /// the original text.
    pub unresolved: Vec<(String, Span)>,
    /// Each replacement: its span in the original text and in `text`.
    replaced: Vec<(Span, Span)>,
}

/// Whether `c` may appear in a placeholder's name. CloudFormation's `Fn::Sub`
/// allows letters, digits, `_`, `.` (attributes) and `:` (`AWS::Region`).
fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')
}

/// Every `${Name}` of `text`: the name and the placeholder's span.
pub fn placeholders(text: &str) -> Vec<(String, Span, bool)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let start = i + 2;
                let len = bytes[start..].iter().take_while(|&&c| name_char(c)).count();
                let named = bytes.get(start).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
                if named && bytes.get(start + len) == Some(&b'}') {
                    found.push((text[start..start + len].to_string(), Span::new(i, start + len + 1), in_string));
                    i = start + len;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The values of a vars file: a JSON object of strings, numbers and
/// booleans (the shape of SAM's `DefinitionSubstitutions`), in file order.
pub fn values_from_json(text: &str) -> Result<Vec<(String, String)>, String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON object of values: {e}"))?;
    map.into_iter()
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => Ok((name, s)),
            v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Ok((name, v.to_string())),
            other => Err(format!("the value of `{name}` is {other}, not a string, number or boolean")),
        })
        .collect()
}

/// `text` with each `${Name}` that `vars` names replaced by its value.
pub fn substitute(text: &str, vars: &[(String, String)]) -> Substituted {
    let mut out = String::with_capacity(text.len());
    let mut unresolved = Vec::new();
    let mut replaced = Vec::new();
    let mut copied = 0;
    for (name, span, in_string) in placeholders(text) {
        // The last value given for a name wins, as with repeated `--var`s.
        let Some((_, value)) = vars.iter().rev().find(|(n, _)| *n == name) else {
            unresolved.push((name, span));
            continue;
        };
        out.push_str(&text[copied..span.start]);
        let start = out.len();
        if in_string {
            let quoted = serde_json::to_string(value).unwrap_or_default();
            out.push_str(&quoted[1..quoted.len() - 1]);
        } else {
            out.push_str(value);
        }
        replaced.push((span, Span::new(start, out.len())));
        copied = span.end;
    }
    out.push_str(&text[copied..]);
    Substituted { text: out, unresolved, replaced }
}

impl Substituted {
    /// Where `offset` of [`Substituted::text`] was in the original text: a
    /// position inside a value maps to its placeholder.
    pub fn original_offset(&self, offset: usize) -> usize {
        let before = self.replaced.partition_point(|(_, new)| new.start <= offset);
        match before.checked_sub(1).map(|i| self.replaced[i]) {
            None => offset,
            Some((old, new)) if offset < new.end => old.start + (offset - new.start).min(old.end - old.start - 1),
            Some((old, new)) => old.end + (offset - new.end),
        }
    }

    /// Moves the spans of diagnostics found in [`Substituted::text`] to the
    /// original text, so that they name the file's lines and columns.
    pub fn map_back(&self, diagnostics: &mut Diagnostics) {
        if self.replaced.is_empty() {
            return;
        }
        diagnostics.map_spans(|span| {
            let start = self.original_offset(span.start);
            let end = self.original_offset(span.end.saturating_sub(1)) + 1;
            Span::new(start, end.max(start))
        });
    }

    /// One error per placeholder left without a value, for callers that
    /// require every placeholder filled (values were given for deployment).
    pub fn unresolved_errors(&self, diagnostics: &mut Diagnostics) {
        for (name, span) in &self.unresolved {
            diagnostics.push(
                Diagnostic::error(Code::UnresolvedPlaceholder, format!("no value is given for the placeholder `${{{name}}}`"))
                    .at(*span, "no value for this placeholder")
                    .hint(format!(
                        "give it the value it is deployed with: `--var {name}=VALUE` to the CLI, `{name} = …` in include_workflow!'s `vars`"
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn strings_get_escaped_values_and_bare_placeholders_raw_ones() {
        let text = r#"{"A": "x-${Name}-y", "B": ${Max}, "C": "\"${Name}\""}"#;
        let done = substitute(text, &vars(&[("Name", "a\"b"), ("Max", "5")]));
        assert_eq!(done.text, r#"{"A": "x-a\"b-y", "B": 5, "C": "\"a\"b\""}"#);
        assert!(done.unresolved.is_empty());
    }

    #[test]
    fn unknown_names_stay_and_are_reported_where_they_stand() {
        let text = r#"{"A": "${Known}", "B": "${AWS::Region}", "C": "$notone {x}", "D": "${...}"}"#;
        let done = substitute(text, &vars(&[("Known", "k")]));
        assert_eq!(done.text, r#"{"A": "k", "B": "${AWS::Region}", "C": "$notone {x}", "D": "${...}"}"#);
        assert_eq!(done.unresolved.len(), 1);
        let (name, span) = &done.unresolved[0];
        assert_eq!(name, "AWS::Region");
        assert_eq!(&text[span.start..span.end], "${AWS::Region}");
    }

    #[test]
    fn offsets_map_back_to_the_original_text() {
        let text = r#"{"A": "${Long}", "B": 1}"#;
        let done = substitute(text, &vars(&[("Long", "a-much-longer-value")]));
        let b = done.text.find("\"B\"").unwrap();
        assert_eq!(done.original_offset(b), text.find("\"B\"").unwrap());
        let inside = done.text.find("much").unwrap();
        let placeholder = text.find("${Long}").unwrap();
        assert!((placeholder..placeholder + 7).contains(&done.original_offset(inside)));
        assert_eq!(done.original_offset(2), 2);
    }
}
