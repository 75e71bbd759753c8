//! Warnings: definitions AWS accepts that almost certainly do not do what
//! their author meant. Each check is conservative; it fires only where the
//! definition's own text proves the problem, never on a guess about the data.
//!
//! Runs on the span-keeping JSON tree of a definition that has no errors, so
//! every warning points at the field to change.

use crate::diag::{Code, Diagnostic, Diagnostics, Span, pointer_to};
use crate::fields::StateType;
use crate::intrinsic::Call;
use crate::json::{Member, Node, NodeKind};
use crate::path::{Path, Root, Segment, Selector};

/// Adds a warning for every likely mistake in the (valid) definition `root`.
pub(crate) fn check(root: &Node, diags: &mut Diagnostics) {
    states(root, "", diags);
}

/// Lints the states of the scope `node` (the machine, a branch or a processor).
fn states(node: &Node, ptr: &str, diags: &mut Diagnostics) {
    let Some(list) = node.get("States").and_then(|m| m.value.as_object()) else { return };
    let states_ptr = pointer_to(ptr, "States");
    for state in list {
        let ptr = pointer_to(&states_ptr, &state.key);
        lint_state(state, &ptr, diags);
        let node = &state.value;
        if let Some(branches) = node.get("Branches").map(|m| &m.value)
            && let NodeKind::Array(items) = &branches.kind
        {
            for (i, branch) in items.iter().enumerate() {
                states(branch, &format!("{ptr}/Branches/{i}"), diags);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = node.get(key) {
                states(&processor.value, &pointer_to(&ptr, key), diags);
            }
        }
    }
}

fn lint_state(state: &Member, ptr: &str, diags: &mut Diagnostics) {
    let node = &state.value;
    let state_type = node.get("Type").and_then(|m| m.value.as_str()).and_then(StateType::from_name);
    shadowed_handlers(node, "Retry", ptr, diags);
    shadowed_handlers(node, "Catch", ptr, diags);
    if state_type == Some(StateType::Task) {
        heartbeat_never_checked(node, ptr, diags);
    }
    // The states that produce a result of their own: what `ResultPath` keeps.
    if state_type.is_some_and(|t| t.has("ResultSelector")) {
        result_discarded(node, ptr, diags);
    }
    for key in ["Parameters", "ResultSelector", "ItemSelector"] {
        if let Some(template) = node.get(key) {
            missing_dollar_suffix(&template.value, &pointer_to(ptr, key), diags);
        }
    }
}

/// A retrier or catcher all of whose errors an earlier one already handles
/// can never apply: the first match wins.
fn shadowed_handlers(node: &Node, key: &str, ptr: &str, diags: &mut Diagnostics) {
    let Some(NodeKind::Array(handlers)) = node.get(key).map(|m| &m.value.kind) else { return };
    let what = if key == "Retry" { "retrier" } else { "catcher" };
    let mut earlier: Vec<(&str, Span)> = Vec::new();
    for (i, handler) in handlers.iter().enumerate() {
        let Some(NodeKind::Array(names)) = handler.get("ErrorEquals").map(|m| &m.value.kind) else { continue };
        let names: Vec<(&str, Span)> = names.iter().filter_map(|n| Some((n.as_str()?, n.span))).collect();
        let covered = !names.is_empty() && names.iter().all(|(name, _)| earlier.iter().any(|(e, _)| e == name));
        if covered {
            let (first, span) = names[0];
            let before = earlier.iter().find(|(e, _)| *e == first).map(|(_, s)| *s);
            let mut d = Diagnostic::warning(
                Code::HandlerNeverApplies,
                format!("this {what} can never apply: an earlier {what} already handles every error it names"),
            )
            .at(span, format!("`{first}` is handled above"))
            .location(format!("{ptr}/{key}/{i}"))
            .hint(format!("remove this {what}, or move it before the one that handles `{first}`"));
            if let Some(before) = before {
                d = d.also(before, "handled here first");
            }
            diags.push(d);
        }
        earlier.extend(names);
    }
}

/// `States.HeartbeatTimeout` is raised only for a Task that sets a heartbeat.
fn heartbeat_never_checked(node: &Node, ptr: &str, diags: &mut Diagnostics) {
    if node.get("HeartbeatSeconds").is_some() || node.get("HeartbeatSecondsPath").is_some() {
        return;
    }
    for key in ["Retry", "Catch"] {
        let Some(NodeKind::Array(handlers)) = node.get(key).map(|m| &m.value.kind) else { continue };
        for (i, handler) in handlers.iter().enumerate() {
            let Some(NodeKind::Array(names)) = handler.get("ErrorEquals").map(|m| &m.value.kind) else { continue };
            for name in names.iter().filter(|n| n.as_str() == Some("States.HeartbeatTimeout")) {
                diags.push(
                    Diagnostic::warning(
                        Code::HandlerNeverApplies,
                        "`States.HeartbeatTimeout` never occurs here: this Task sets no `HeartbeatSeconds`",
                    )
                    .at(name.span, "never raised by this state")
                    .location(format!("{ptr}/{key}/{i}/ErrorEquals"))
                    .hint("set `HeartbeatSeconds` on the Task, or handle `States.Timeout` instead"),
                );
            }
        }
    }
}

/// Where the result lands (`ResultPath`) and what leaves the state
/// (`OutputPath`) are both plain field paths, and neither contains the
/// other: the state's result is computed and then thrown away.
fn result_discarded(node: &Node, ptr: &str, diags: &mut Diagnostics) {
    let (Some(result), Some(output)) = (node.get("ResultPath"), node.get("OutputPath")) else { return };
    let (Some(result_text), Some(output_text)) = (result.value.as_str(), output.value.as_str()) else { return };
    let (Some(stored), Some(kept)) = (field_names(result_text), field_names(output_text)) else { return };
    let overlaps = stored.iter().zip(&kept).all(|(a, b)| a == b);
    if overlaps {
        return;
    }
    diags.push(
        Diagnostic::warning(
            Code::ResultDiscarded,
            format!("the state's result is discarded: `ResultPath` puts it at `{result_text}`, but `OutputPath` keeps only `{output_text}`"),
        )
        .at(output.value.span, "selects a part without the result")
        .also(result.value.span, "the result goes here")
        .location(format!("{ptr}/OutputPath"))
        .hint("write `\"ResultPath\": null` if the result is meant to be dropped, or make `OutputPath` include the result"),
    );
}

/// The field names of a `$.a.b` path made only of names, else `None`.
fn field_names(text: &str) -> Option<Vec<String>> {
    let path = Path::parse(text).ok()?;
    if path.root != Root::Input {
        return None;
    }
    path.segments
        .into_iter()
        .map(|s| match s {
            Segment::Child(Selector::Name(name)) => Some(name),
            _ => None,
        })
        .collect()
}

/// A payload-template string that looks like a path or an intrinsic call
/// under a key without `.$` is passed on as that literal text.
fn missing_dollar_suffix(node: &Node, ptr: &str, diags: &mut Diagnostics) {
    match &node.kind {
        NodeKind::Object(members) => {
            for m in members {
                if m.key.ends_with(".$") {
                    continue;
                }
                let child = pointer_to(ptr, &m.key);
                match m.value.as_str() {
                    Some(text) if looks_dynamic(text) => diags.push(
                        Diagnostic::warning(
                            Code::LiteralLooksDynamic,
                            format!(
                                "`{}` is passed on as the literal text `{text}`: its key does not end in `.$`",
                                m.key
                            ),
                        )
                        .at(m.key_span, "no `.$` suffix")
                        .location(child)
                        .hint(format!("rename the key to `{}.$` to evaluate it", m.key)),
                    ),
                    _ => missing_dollar_suffix(&m.value, &child, diags),
                }
            }
        }
        NodeKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                missing_dollar_suffix(item, &format!("{ptr}/{i}"), diags);
            }
        }
        _ => {}
    }
}

/// A string that parses as a path into the input or context (`$.x`, `$$.x`)
/// or as a whole intrinsic call. A bare `$` is left alone: it is common text.
fn looks_dynamic(text: &str) -> bool {
    let path_like = (text.starts_with("$.") || text.starts_with("$$.") || text.starts_with("$["))
        && Path::parse(text).is_ok_and(|p| matches!(p.root, Root::Input | Root::Context));
    path_like || (Call::looks_like_call(text) && Call::parse(text).is_ok())
}

#[cfg(test)]
mod tests {
    use crate::{Code, Severity};

    fn warnings(text: &str) -> Vec<(Code, String)> {
        let loaded = crate::load(text);
        assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| (d.code, d.location.clone()))
            .collect()
    }

    fn task(fields: &str) -> String {
        format!(
            r#"{{"StartAt": "T", "States": {{"T": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", {fields}, "Next": "Done"}},
                "Done": {{"Type": "Succeed"}}}}}}"#
        )
    }

    #[test]
    fn a_catcher_after_one_handling_the_same_errors_never_fires() {
        let def =
            task(r#""Catch": [{"ErrorEquals": ["A", "B"], "Next": "Done"}, {"ErrorEquals": ["B"], "Next": "Done"}]"#);
        assert_eq!(warnings(&def), [(Code::HandlerNeverApplies, "/States/T/Catch/1".to_string())]);
        let fine =
            task(r#""Catch": [{"ErrorEquals": ["A"], "Next": "Done"}, {"ErrorEquals": ["A", "B"], "Next": "Done"}]"#);
        assert_eq!(warnings(&fine), []);
    }

    #[test]
    fn a_shadowed_retrier_is_flagged_too() {
        let def = task(r#""Retry": [{"ErrorEquals": ["X"]}, {"ErrorEquals": ["X"], "MaxAttempts": 5}]"#);
        assert_eq!(warnings(&def), [(Code::HandlerNeverApplies, "/States/T/Retry/1".to_string())]);
    }

    #[test]
    fn heartbeat_timeout_without_a_heartbeat() {
        let def = task(r#""Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}]"#);
        assert_eq!(warnings(&def), [(Code::HandlerNeverApplies, "/States/T/Catch/0/ErrorEquals".to_string())]);
        let fine =
            task(r#""HeartbeatSeconds": 10, "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}]"#);
        assert_eq!(warnings(&fine), []);
    }

    #[test]
    fn output_path_that_drops_the_result() {
        let def = task(r#""ResultPath": "$.result", "OutputPath": "$.request""#);
        assert_eq!(warnings(&def), [(Code::ResultDiscarded, "/States/T/OutputPath".to_string())]);
        for fine in [
            r#""ResultPath": "$.result", "OutputPath": "$.result""#,
            r#""ResultPath": "$.result.body", "OutputPath": "$.result""#,
            r#""ResultPath": "$.result", "OutputPath": "$.result.body""#,
            r#""ResultPath": "$", "OutputPath": "$.body""#,
            r#""ResultPath": null, "OutputPath": "$.body""#,
        ] {
            assert_eq!(warnings(&task(fine)), [], "{fine}");
        }
    }

    #[test]
    fn template_keys_without_the_dollar_suffix() {
        let def = task(
            r#""Parameters": {"id": "$.order.id", "nested": {"when": "$$.Execution.StartTime"}, "n": "States.MathAdd($.n, 1)"}"#,
        );
        assert_eq!(
            warnings(&def),
            [
                (Code::LiteralLooksDynamic, "/States/T/Parameters/id".to_string()),
                (Code::LiteralLooksDynamic, "/States/T/Parameters/nested/when".to_string()),
                (Code::LiteralLooksDynamic, "/States/T/Parameters/n".to_string()),
            ]
        );
        let fine = task(r#""Parameters": {"price": "$", "text": "States are fun", "id.$": "$.id", "cost": "$5.00"}"#);
        assert_eq!(warnings(&fine), []);
    }
}
