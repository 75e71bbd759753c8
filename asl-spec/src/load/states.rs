//! The Wait, Fail and Parallel states.

use crate::diag::{Code, Span};
use crate::json::NodeKind;
use crate::model::*;

use super::values::is_jsonata;
use super::{Builder, Obj};

impl Builder<'_> {
    pub(super) fn wait(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
        let keys = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
        let present: Vec<&str> = keys.iter().copied().filter(|k| obj.has(k)).collect();
        if present.len() != 1 {
            let span = obj.span;
            let msg = if present.is_empty() {
                format!(
                    "Wait state `{name}` needs exactly one of `Seconds`, `SecondsPath`, `Timestamp` or `TimestampPath`"
                )
            } else {
                format!("Wait state `{name}` has {}; only one is allowed", present.join(" and "))
            };
            self.error(Code::Schema, Span::new(span.start, span.start + 1), &obj.ptr, msg);
        }
        if let Some(m) = obj.take("Timestamp") {
            let ptr = obj.child_ptr("Timestamp");
            if let Some((s, span)) = self.string_value(&m.value, &ptr, "Timestamp") {
                if ql == QueryLanguage::Jsonata
                    && is_jsonata(&s)
                    && let Ok(e) = Expr::compile(&s)
                {
                    return StateKind::Wait(Wait::TimestampJsonata(e));
                }
                if crate::time::parse_rfc3339(&s).is_none() {
                    self.error(
                        Code::Schema,
                        span,
                        &ptr,
                        format!("`Timestamp` must be an RFC 3339 timestamp such as `2016-03-14T01:59:00Z`, not `{s}`"),
                    )
                    .label = "String does not match RFC3339 timestamp".into();
                }
                return StateKind::Wait(Wait::Timestamp(s));
            }
        }
        if let Some(m) = obj.take("TimestampPath")
            && let Some(p) = self.path_value(&m.value, &obj.child_ptr("TimestampPath"), "TimestampPath")
        {
            return StateKind::Wait(Wait::TimestampPath(p));
        }
        if let Some(m) = obj.take("Seconds") {
            let ptr = obj.child_ptr("Seconds");
            if let NodeKind::String(s) = &m.value.kind
                && let Some(e) = is_jsonata(s).then(|| Expr::compile(s).ok()).flatten()
            {
                return StateKind::Wait(Wait::Seconds(Seconds::Jsonata(e)));
            }
            if let Some(v) = self.int_value(&m.value, &ptr, "Seconds", 0) {
                return StateKind::Wait(Wait::Seconds(Seconds::Fixed(v)));
            }
        }
        if let Some(m) = obj.take("SecondsPath")
            && let Some(p) = self.path_value(&m.value, &obj.child_ptr("SecondsPath"), "SecondsPath")
        {
            return StateKind::Wait(Wait::Seconds(Seconds::Path(p)));
        }
        StateKind::Wait(Wait::Seconds(Seconds::Fixed(0)))
    }

    pub(super) fn fail(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Fail {
        let mut text = |b: &mut Self, key: &str, path_key: &str| -> Option<FailText> {
            let lit = obj.take(key);
            let path = obj.take(path_key);
            if let (Some(_), Some(p)) = (lit, path) {
                b.error(
                    Code::Schema,
                    p.key_span,
                    &obj.child_ptr(path_key),
                    format!("`{key}` and `{path_key}` cannot both be set"),
                );
            }
            if let Some(m) = lit {
                return b.string_value(&m.value, &obj.child_ptr(key), key).map(|(s, _)| {
                    let expr =
                        (ql == QueryLanguage::Jsonata && is_jsonata(&s)).then(|| Expr::compile(&s).ok()).flatten();
                    expr.map_or(FailText::Literal(s), FailText::Jsonata)
                });
            }
            let m = path?;
            match b.dynamic_value(&m.value, &obj.child_ptr(path_key), path_key)? {
                Template::Path(p) => Some(FailText::Path(p)),
                Template::Call(c) => Some(FailText::Call(c)),
                _ => None,
            }
        };
        let error = text(self, "Error", "ErrorPath");
        let cause = text(self, "Cause", "CausePath");
        Fail { error, cause }
    }

    pub(super) fn parallel(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
        let mut branches = Vec::new();
        if let Some(m) = self.required(obj, "Branches", format_args!("Parallel state `{name}`")) {
            let ptr = obj.child_ptr("Branches");
            match &m.value.kind {
                NodeKind::Array(items) if items.is_empty() => {
                    self.error(Code::Schema, m.value.span, &ptr, "`Branches` cannot be empty");
                }
                NodeKind::Array(items) => {
                    for (i, n) in items.iter().enumerate() {
                        let p = format!("{ptr}/{i}");
                        if let Some(mut b) = self.object(n, &p) {
                            let ql_b = self.query_language(&mut b).unwrap_or(ql);
                            b.take("Comment");
                            if let Some(scope) = self.scope(&mut b, ql_b, &format!("branch {i} of `{name}`")) {
                                branches.push(scope);
                            }
                            self.finish(b, &["StartAt", "States", "Comment", "QueryLanguage"], "a Parallel branch");
                        }
                    }
                }
                _ => self.type_error(&m.value, &ptr, "Branches", "an array of branches"),
            }
        }
        let retry = self.retriers(obj);
        let catch = self.catchers(obj, ql);
        StateKind::Parallel(Box::new(Parallel { branches, retry, catch }))
    }
}
