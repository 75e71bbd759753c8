//! The Task state: its `Resource`, and the `Retry` and `Catch` lists that
//! Task, Parallel and Map share.

use crate::diag::{Code, Span, closest};
use crate::json::NodeKind;
use crate::model::*;

use super::{Builder, Obj};

/// Actions of the optimised integrations (`arn:aws:states:::SERVICE:ACTION`)
/// whose full set is known; other services are not checked here.
const OPTIMISED: &[(&str, &[&str])] = &[
    ("dynamodb", &["getItem", "putItem", "updateItem", "deleteItem"]),
    ("sqs", &["sendMessage"]),
    ("sns", &["publish"]),
    ("events", &["putEvents"]),
    ("states", &["startExecution"]),
    ("lambda", &["invoke"]),
];

impl Builder<'_> {
    pub(super) fn task(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
        let resource = self.required(obj, "Resource", format_args!("Task state `{name}`"));
        let (resource, resource_span) = resource
            .and_then(|m| self.string_value(&m.value, &obj.child_ptr("Resource"), "Resource"))
            .unwrap_or_default();
        let timeout = self.seconds(obj, "TimeoutSeconds", "TimeoutSecondsPath");
        let heartbeat = self.seconds(obj, "HeartbeatSeconds", "HeartbeatSecondsPath");
        if let (Some(Seconds::Fixed(t)), Some(Seconds::Fixed(h))) = (&timeout, &heartbeat)
            && h >= t
        {
            let span = obj.take("HeartbeatSeconds").map_or(obj.span, |m| m.value.span);
            self.error(
                Code::Schema,
                span,
                &obj.child_ptr("HeartbeatSeconds"),
                format!("`HeartbeatSeconds` ({h}) must be smaller than `TimeoutSeconds` ({t})"),
            );
        }
        let credentials = obj.take("Credentials").map(|m| {
            let ptr = obj.child_ptr("Credentials");
            match m.value.as_object() {
                Some(members) if members.iter().any(|c| c.key == "RoleArn" || c.key == "RoleArn.$") => {}
                Some(_) => {
                    self.error(Code::Schema, m.value.span, &ptr, "The field 'RoleArn' is required but was missing")
                        .hint =
                        Some("give `Credentials` a `RoleArn` (or `RoleArn.$`) naming the role to assume".into());
                }
                None => self.type_error(&m.value, &ptr, "Credentials", "an object"),
            }
            m.value.to_value()
        });
        self.check_resource(&resource, resource_span, &obj.child_ptr("Resource"));
        let retry = self.retriers(obj);
        let catch = self.catchers(obj, ql);
        let integration = Integration::of(&resource);
        StateKind::Task(Box::new(Task {
            resource: resource.into(),
            integration,
            resource_span,
            timeout,
            heartbeat,
            credentials,
            retry,
            catch,
        }))
    }

    /// An optimised integration must name an action the service has, and a
    /// Lambda function ARN a valid name and qualifier.
    fn check_resource(&mut self, resource: &str, span: Span, ptr: &str) {
        let parts: Vec<&str> = resource.split(':').collect();
        if let ["arn", _, "lambda", _, _, "function", name, rest @ ..] = parts.as_slice() {
            let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let substituted = resource.contains("${");
            let qualifier_ok = match rest {
                [] => true,
                [q] => *q == "$LATEST" || word(q),
                _ => false,
            };
            if !substituted && (!word(name) || !qualifier_ok) {
                self.error(Code::Schema, span, ptr, format!("`{resource}` is not a valid Lambda function ARN"))
                    .hint = Some("use `arn:aws:lambda:REGION:ACCOUNT:function:NAME` with an optional `:VERSION`, `:ALIAS` or `:$LATEST`".into());
            }
            return;
        }
        let Some(rest) = resource.strip_prefix("arn:aws:states:::") else { return };
        let mut parts = rest.splitn(2, ':');
        let (Some(service), Some(action)) = (parts.next(), parts.next()) else { return };
        let action = action.split('.').next().unwrap_or(action);
        if let Some((_, actions)) = OPTIMISED.iter().find(|(s, _)| *s == service)
            && !actions.contains(&action)
        {
            let hint = closest(action, actions.iter().copied()).map(|c| format!("did you mean `{c}`?"));
            let d = self.error(Code::Schema, span, ptr, format!("The resource provided {resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."));
            d.hint = hint.or_else(|| {
                Some(format!(
                    "`{service}` offers {}; other APIs go through `arn:aws:states:::aws-sdk:{service}:{action}`",
                    actions.join(", ")
                ))
            });
        }
    }

    fn error_equals(&mut self, obj: &mut Obj<'_>, owner: &str) -> Vec<String> {
        let Some(m) = self.required(obj, "ErrorEquals", owner) else { return Vec::new() };
        let ptr = obj.child_ptr("ErrorEquals");
        match &m.value.kind {
            NodeKind::Array(items) if !items.is_empty() => {
                let names: Vec<String> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| self.string_value(n, &format!("{ptr}/{i}"), "ErrorEquals").map(|(s, _)| s))
                    .collect();
                if names.len() > 1 && names.iter().any(|n| n == "States.ALL") {
                    self.error(Code::Schema, m.value.span, &ptr, "`States.ALL` must appear alone in `ErrorEquals`");
                }
                names
            }
            // AWS accepts an empty list (it matches nothing).
            NodeKind::Array(_) => Vec::new(),
            _ => {
                self.type_error(&m.value, &ptr, "ErrorEquals", "a non-empty array of error names");
                Vec::new()
            }
        }
    }

    pub(super) fn list<'a>(&mut self, obj: &mut Obj<'a>, key: &str) -> Vec<(Obj<'a>, String)> {
        let Some(m) = obj.take(key) else { return Vec::new() };
        let ptr = obj.child_ptr(key);
        let NodeKind::Array(items) = &m.value.kind else {
            self.type_error(&m.value, &ptr, key, "an array");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let p = format!("{ptr}/{i}");
                self.object(n, &p).map(|o| (o, p))
            })
            .collect()
    }

    fn check_all_last(&mut self, lists: &[(Vec<String>, Span, String)], what: &str) {
        for (i, (errors, span, ptr)) in lists.iter().enumerate() {
            if errors.iter().any(|e| e == "States.ALL") && i + 1 != lists.len() {
                self.error(Code::Schema, *span, ptr, format!("a {what} with `States.ALL` must be the last one"));
            }
        }
    }

    pub(super) fn retriers(&mut self, obj: &mut Obj<'_>) -> Vec<Retrier> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (mut r, ptr) in self.list(obj, "Retry") {
            let error_equals = self.error_equals(&mut r, "a retrier");
            seen.push((error_equals.clone(), r.span, ptr.clone()));
            let interval_seconds = r
                .take("IntervalSeconds")
                .and_then(|m| self.int_value(&m.value, &format!("{ptr}/IntervalSeconds"), "IntervalSeconds", 1))
                .unwrap_or(1);
            let max_attempts = r
                .take("MaxAttempts")
                .and_then(|m| self.int_value(&m.value, &format!("{ptr}/MaxAttempts"), "MaxAttempts", 0))
                .unwrap_or(3);
            let backoff_rate = match r.take("BackoffRate") {
                Some(m) => match self.number_value(&m.value, &format!("{ptr}/BackoffRate"), "BackoffRate") {
                    Some(v) if v >= 1.0 => v,
                    Some(v) => {
                        self.error(
                            Code::Schema,
                            m.value.span,
                            &format!("{ptr}/BackoffRate"),
                            format!("`BackoffRate` must be at least 1.0, but is {v}"),
                        );
                        2.0
                    }
                    None => 2.0,
                },
                None => 2.0,
            };
            let max_delay_seconds = r
                .take("MaxDelaySeconds")
                .and_then(|m| self.int_value(&m.value, &format!("{ptr}/MaxDelaySeconds"), "MaxDelaySeconds", 1));
            let jitter = match r.take("JitterStrategy") {
                Some(m) => match self.string_value(&m.value, &format!("{ptr}/JitterStrategy"), "JitterStrategy") {
                    Some((s, _)) if s == "FULL" => Jitter::Full,
                    Some((s, _)) if s == "NONE" => Jitter::None,
                    Some((s, span)) => {
                        self.error(
                            Code::Schema,
                            span,
                            &format!("{ptr}/JitterStrategy"),
                            format!("`JitterStrategy` must be `FULL` or `NONE`, not `{s}`"),
                        );
                        Jitter::None
                    }
                    None => Jitter::None,
                },
                None => Jitter::None,
            };
            r.take("Comment");
            self.finish(
                r,
                &[
                    "ErrorEquals",
                    "IntervalSeconds",
                    "MaxAttempts",
                    "BackoffRate",
                    "MaxDelaySeconds",
                    "JitterStrategy",
                    "Comment",
                ],
                "a retrier",
            );
            out.push(Retrier { error_equals, interval_seconds, max_attempts, backoff_rate, max_delay_seconds, jitter });
        }
        self.check_all_last(&seen, "retrier");
        out
    }

    pub(super) fn catchers(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Vec<Catcher> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (mut c, ptr) in self.list(obj, "Catch") {
            let error_equals = self.error_equals(&mut c, "a catcher");
            seen.push((error_equals.clone(), c.span, ptr.clone()));
            let next = self
                .required(&mut c, "Next", "a catcher")
                .and_then(|m| self.target(&m.value, &format!("{ptr}/Next"), "Next"));
            let result_path = self.result_path(&mut c).unwrap_or_else(|| Io::default().result_path);
            let assign = self.assign(&mut c, ql);
            let output = self.output(&mut c);
            c.take("Comment");
            self.finish(c, &["ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment"], "a catcher");
            if let Some(next) = next {
                out.push(Catcher { error_equals, next, result_path, assign, output });
            }
        }
        self.check_all_last(&seen, "catcher");
        out
    }
}
