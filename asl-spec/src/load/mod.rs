//! Building the typed model from the span-keeping JSON tree.
//!
//! Every field read goes through [`Obj`], which remembers what was read so
//! that whatever is left over is reported as an unknown field, with the
//! closest allowed name as a hint. Problems are collected, never thrown: the
//! builder always continues, so one pass reports everything.

mod choice;
mod map;
mod states;
mod task;
mod values;

pub use values::{is_jsonata, template_from_value};

use crate::diag::{Code, Diagnostic, Diagnostics, Span, closest, pointer_to};
use crate::fields::{Language, StateType};
use crate::json::{Member, Node, NodeKind};
use crate::model::*;

use values::jsonata_of;

/// Builds a [`Definition`] from a parsed document. Returns `None` when the
/// document is too broken to model; diagnostics say why.
pub fn build(root: &Node, diags: &mut Diagnostics) -> Option<Definition> {
    let mut b = Builder { diags, machine_ql: QueryLanguage::JsonPath };
    let mut obj = b.object(root, "")?;
    let query_language = b.query_language(&mut obj).unwrap_or_default();
    b.machine_ql = query_language;
    let comment = b.string(&mut obj, "Comment").map(|(s, _)| s);
    let version = b.string(&mut obj, "Version").map(|(s, _)| s);
    let timeout_seconds = obj.take("TimeoutSeconds").and_then(|m| b.positive_int(m, &obj.ptr));
    let body = b.scope(&mut obj, query_language, "");
    b.finish(obj, &["Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"], "the top level");
    let mut body = body?;
    let mut state_count = 0;
    crate::model::number_states(&mut body, &mut state_count);
    Some(Definition { comment, version, timeout_seconds, query_language, body, state_count })
}

/// An object being read, with the members not yet consumed.
struct Obj<'a> {
    members: &'a [Member],
    span: Span,
    ptr: String,
    used: Vec<bool>,
}

impl<'a> Obj<'a> {
    fn take(&mut self, key: &str) -> Option<&'a Member> {
        let i = self.members.iter().position(|m| m.key == key)?;
        self.used[i] = true;
        Some(&self.members[i])
    }
    fn has(&self, key: &str) -> bool {
        self.members.iter().any(|m| m.key == key)
    }
    fn child_ptr(&self, key: &str) -> String {
        pointer_to(&self.ptr, key)
    }
}

struct Builder<'d> {
    diags: &'d mut Diagnostics,
    /// The machine's own `QueryLanguage`: only a JSONata *machine* forbids
    /// JSONPath states (a JSONata state's branches may use JSONPath).
    machine_ql: QueryLanguage,
}

/// Characters a Map `Label` may not contain (AWS's rule for names).
/// Whether a string in the state's own fields (not its branches' or
/// processor's states) mentions the context object. Conservative: a literal
/// that merely contains `$$` only costs a timestamp.
fn mentions_context(state: &Node) -> bool {
    fn anywhere(node: &Node) -> bool {
        match &node.kind {
            NodeKind::String(s) => s.contains("$$") || s.contains("$states.context"),
            NodeKind::Array(items) => items.iter().any(anywhere),
            NodeKind::Object(members) => members.iter().any(|m| anywhere(&m.value)),
            _ => false,
        }
    }
    state.as_object().unwrap_or_default().iter().any(|m| {
        let nested_states = matches!(m.key.as_str(), "Branches" | "ItemProcessor" | "Iterator");
        !nested_states && anywhere(&m.value)
    })
}

impl Builder<'_> {
    fn error(&mut self, code: Code, span: Span, ptr: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, message).at(span, "").location(ptr));
        self.diags.last_mut().expect("just pushed")
    }

    fn type_error(&mut self, node: &Node, ptr: &str, field: &str, expected: &str) {
        let found = node.type_name();
        self.error(Code::Schema, node.span, ptr, format!("`{field}` must be {expected}, but is {found}")).label =
            format!("expected {expected}");
    }

    fn object<'a>(&mut self, node: &'a Node, ptr: &str) -> Option<Obj<'a>> {
        match &node.kind {
            NodeKind::Object(members) => {
                Some(Obj { members, span: node.span, ptr: ptr.to_string(), used: vec![false; members.len()] })
            }
            _ => {
                let what = if ptr.is_empty() { "the definition".to_string() } else { format!("`{ptr}`") };
                self.error(
                    Code::Schema,
                    node.span,
                    ptr,
                    format!("{what} must be a JSON object, but is {}", node.type_name()),
                )
                .label = "expected an object".into();
                None
            }
        }
    }

    /// Reports every member that was not consumed.
    fn finish(&mut self, obj: Obj<'_>, allowed: &[&str], owner: impl std::fmt::Display) {
        for (m, used) in obj.members.iter().zip(&obj.used) {
            if *used {
                continue;
            }
            let ptr = obj.child_ptr(&m.key);
            let hint = closest(&m.key, allowed.iter().copied()).map(|c| format!("did you mean `{c}`?"));
            let d = self.error(Code::Schema, m.key_span, &ptr, format!("unknown field `{}` in {owner}", m.key));
            d.label = "not a field here".into();
            d.hint = hint.or_else(|| Some(format!("allowed fields: {}", allowed.join(", "))));
        }
    }

    /// (`owner` is written out only when the field is missing.)
    fn required<'a>(&mut self, obj: &mut Obj<'a>, key: &str, owner: impl std::fmt::Display) -> Option<&'a Member> {
        let m = obj.take(key);
        if m.is_none() {
            let span = obj.span;
            let ptr = obj.ptr.clone();
            self.error(
                Code::Schema,
                Span::new(span.start, span.start + 1),
                &ptr,
                format!("{owner} is missing the required field `{key}`"),
            )
            .label = format!("`{key}` is required");
        }
        m
    }

    fn string(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<(String, Span)> {
        let m = obj.take(key)?;
        self.string_value(&m.value, &obj.child_ptr(key), key)
    }

    fn string_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<(String, Span)> {
        match &node.kind {
            NodeKind::String(s) => Some((s.clone(), node.span)),
            _ => {
                self.type_error(node, ptr, field, "a string");
                None
            }
        }
    }

    fn bool_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<bool> {
        match node.kind {
            NodeKind::Bool(b) => Some(b),
            _ => {
                self.type_error(node, ptr, field, "a boolean");
                None
            }
        }
    }

    fn int_value(&mut self, node: &Node, ptr: &str, field: &str, min: u64) -> Option<u64> {
        let n = match &node.kind {
            NodeKind::Number(n) => n.as_u64(),
            _ => None,
        };
        match n {
            Some(v) if v >= min => Some(v),
            _ => {
                let expected = if min == 0 { "a non-negative integer" } else { "a positive integer" };
                let found = match &node.kind {
                    NodeKind::Number(n) => n.to_string(),
                    _ => node.type_name().to_string(),
                };
                self.error(Code::Schema, node.span, ptr, format!("`{field}` must be {expected}, but is {found}"))
                    .label = format!("expected {expected}");
                None
            }
        }
    }

    fn positive_int(&mut self, m: &Member, parent: &str) -> Option<u64> {
        self.int_value(&m.value, &format!("{parent}/{}", m.key), &m.key, 1)
    }

    fn number_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<f64> {
        match &node.kind {
            NodeKind::Number(n) => n.as_f64(),
            _ => {
                self.type_error(node, ptr, field, "a number");
                None
            }
        }
    }

    fn query_language(&mut self, obj: &mut Obj<'_>) -> Option<QueryLanguage> {
        let (text, span) = self.string(obj, "QueryLanguage")?;
        match text.as_str() {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            other => {
                let ptr = obj.child_ptr("QueryLanguage");
                let hint = closest(other, ["JSONPath", "JSONata"]).map(|c| format!("did you mean `{c}`?"));
                let d = self.error(
                    Code::Schema,
                    span,
                    &ptr,
                    format!("`QueryLanguage` must be `JSONPath` or `JSONata`, not `{other}`"),
                );
                d.hint = hint;
                None
            }
        }
    }

    /// `StartAt` + `States` of a machine, branch or processor.
    fn scope(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage, owner: &str) -> Option<Scope> {
        let what = if owner.is_empty() { "the state machine".to_string() } else { owner.to_string() };
        let start = self.required(obj, "StartAt", &what).and_then(|m| {
            let ptr = obj.child_ptr("StartAt");
            self.string_value(&m.value, &ptr, "StartAt")
        });
        let states_member = self.required(obj, "States", &what);
        let mut states = Vec::new();
        let mut unloaded = Vec::new();
        if let Some(m) = states_member {
            let ptr = obj.child_ptr("States");
            if let Some(mut sobj) = self.object(&m.value, &ptr) {
                for (i, member) in sobj.members.iter().enumerate() {
                    sobj.used[i] = true;
                    match self.state(member, &sobj.child_ptr(&member.key), ql) {
                        Some(state) => states.push(state),
                        None => unloaded.push(member.key.clone()),
                    }
                }
                if sobj.members.is_empty() {
                    self.error(Code::Schema, m.value.span, &ptr, format!("`States` of {what} is empty")).hint =
                        Some("add at least one state".into());
                }
            }
        }
        let (start_at, start_at_span) = start?;
        Some(Scope { start_at, start_at_span, start_index: usize::MAX, states, unloaded })
    }

    fn state(&mut self, member: &Member, ptr: &str, parent_ql: QueryLanguage) -> Option<State> {
        let name = member.key.clone();
        if name.chars().count() > 80 {
            self.error(
                Code::Schema,
                member.key_span,
                ptr,
                format!("state name is {} characters long; the limit is 80", name.chars().count()),
            );
        }
        let mut obj = self.object(&member.value, ptr)?;
        let own_ql = self.query_language(&mut obj);
        if self.machine_ql == QueryLanguage::Jsonata && own_ql == Some(QueryLanguage::JsonPath) {
            let span = obj.take("QueryLanguage").map_or(member.key_span, |m| m.value.span);
            self.error(
                Code::Schema,
                span,
                &obj.child_ptr("QueryLanguage"),
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            )
            .hint = Some("a JSONata machine may not contain JSONPath states; remove this `QueryLanguage`".into());
        }
        let ql = own_ql.unwrap_or(parent_ql);
        let type_member = self.required(&mut obj, "Type", format_args!("state `{name}`"))?;
        let (type_name, type_span) = self.string_value(&type_member.value, &obj.child_ptr("Type"), "Type")?;
        let Some(state_type) = StateType::from_name(&type_name) else {
            let types = StateType::ALL.map(StateType::name);
            let hint = closest(&type_name, types.iter().copied()).map(|c| format!("did you mean `{c}`?"));
            let d = self.error(
                Code::Schema,
                type_span,
                &obj.child_ptr("Type"),
                format!("the field 'Type' should have one of these values: [{}]", types.join(", ")),
            );
            d.label = format!("`{type_name}` is not a state type");
            d.hint = hint;
            return None;
        };
        self.check_language_fields(&obj, state_type, ql);
        if ql == QueryLanguage::Jsonata {
            for m in obj.members {
                // Branches and item processors are checked as their own
                // states are built; walking them here reported each twice.
                const NOT_EXPRESSIONS: [&str; 9] = [
                    "Type",
                    "Comment",
                    "QueryLanguage",
                    "Next",
                    "End",
                    "Resource",
                    "Branches",
                    "ItemProcessor",
                    "Iterator",
                ];
                if !NOT_EXPRESSIONS.contains(&m.key.as_str()) {
                    self.check_jsonata_strings(&m.value, &obj.child_ptr(&m.key));
                }
            }
        }
        let comment = self.string(&mut obj, "Comment").map(|(s, _)| s);
        let assign = self.assign(&mut obj, ql);
        let output = self.output(&mut obj);

        // Input and output fields are read only where the state type has
        // them; elsewhere they are reported as unknown fields.
        let has = |field: &str| state_type.has(field);
        let mut io = Io::default();
        if has("InputPath")
            && let Some(p) = self.nullable_path(&mut obj, "InputPath")
        {
            io.input_path = p;
        }
        if has("OutputPath")
            && let Some(p) = self.nullable_path(&mut obj, "OutputPath")
        {
            io.output_path = p;
        }
        if has("ResultPath")
            && let Some(p) = self.result_path(&mut obj)
        {
            io.result_path = p;
        }
        if has("Parameters") {
            io.parameters = self.template_field(&mut obj, "Parameters");
        }
        if has("ResultSelector") {
            io.result_selector = self.template_field(&mut obj, "ResultSelector");
        }
        if has("Arguments") {
            io.arguments = obj.take("Arguments").and_then(|m| jsonata_of(&m.value));
        }

        let kind = match state_type {
            StateType::Pass => StateKind::Pass(Pass { result: obj.take("Result").map(|m| m.value.to_value()) }),
            StateType::Task => self.task(&mut obj, &name, ql),
            StateType::Choice => StateKind::Choice(self.choice(&mut obj, &name, ql)),
            StateType::Wait => self.wait(&mut obj, &name, ql),
            StateType::Succeed => StateKind::Succeed,
            StateType::Fail => StateKind::Fail(self.fail(&mut obj, ql)),
            StateType::Parallel => self.parallel(&mut obj, &name, ql),
            StateType::Map => self.map(&mut obj, &name, ql, &mut io),
        };
        let transition = self.transition(&mut obj, &kind, &name);
        let allowed: Vec<&str> = state_type.fields().map(|f| f.name).collect();
        self.finish(obj, &allowed, format_args!("{type_name} state `{name}`"));
        let reads_context = mentions_context(&member.value);
        Some(State {
            name: name.into(),
            span: member.key_span,
            comment,
            query_language: ql,
            kind,
            transition,
            io,
            assign,
            output,
            id: 0,
            reads_context,
        })
    }

    /// Reports fields of the other query language before anything else reads them.
    fn check_language_fields(&mut self, obj: &Obj<'_>, state_type: StateType, ql: QueryLanguage) {
        for m in obj.members {
            let Some(field) = state_type.fields().find(|f| f.name == m.key) else { continue };
            let ptr = obj.child_ptr(&m.key);
            match (ql, field.language) {
                (QueryLanguage::Jsonata, Language::JsonPath { instead }) => {
                    self.other_language_field(ql, m, &ptr, instead)
                }
                (QueryLanguage::JsonPath, Language::Jsonata) => self.other_language_field(ql, m, &ptr, ""),
                _ => {}
            }
        }
    }

    /// Reports `m`, a field of the other query language than `ql`, the
    /// state's; `instead` is the field a JSONata state uses in its place.
    fn other_language_field(&mut self, ql: QueryLanguage, m: &Member, ptr: &str, instead: &str) {
        let (message, hint) = match ql {
            QueryLanguage::Jsonata => (
                format!("the field `{}` is not supported in JSONata states", m.key),
                format!("use `{instead}` with a `{{% ... %}}` expression instead"),
            ),
            QueryLanguage::JsonPath => (
                format!("the field `{}` is only supported in JSONata states", m.key),
                "set `\"QueryLanguage\": \"JSONata\"` on the state or the machine".to_string(),
            ),
        };
        self.error(Code::Schema, m.key_span, ptr, message).hint = Some(hint);
    }

    fn transition(&mut self, obj: &mut Obj<'_>, kind: &StateKind, name: &str) -> Transition {
        let flows = kind.state_type().flows();
        let next = obj.take("Next");
        let end = obj.take("End");
        if !flows {
            for m in [next, end].into_iter().flatten() {
                let d = self.error(
                    Code::Schema,
                    m.key_span,
                    &obj.child_ptr(&m.key),
                    format!("a {} state cannot have `{}`", kind.type_name(), m.key),
                );
                d.hint = Some(match kind {
                    StateKind::Choice(_) => "a Choice state moves on through its `Choices` and `Default`".into(),
                    _ => format!("a {} state always ends the execution (or branch)", kind.type_name()),
                });
            }
            return Transition::None;
        }
        let end_value = end.and_then(|m| self.bool_value(&m.value, &obj.child_ptr("End"), "End"));
        let next_target = next.and_then(|m| self.target(&m.value, &obj.child_ptr("Next"), "Next"));
        match (next_target, end_value) {
            (Some(t), Some(true)) => {
                let span = end.map_or(t.span, |m| m.key_span);
                let d =
                    self.error(Code::Schema, span, &obj.ptr, format!("state `{name}` has both `Next` and `End: true`"));
                d.related.push((t.span, "`Next` here".into()));
                d.hint = Some("keep exactly one of them".into());
                Transition::Next(t)
            }
            (Some(t), _) => Transition::Next(t),
            (None, Some(true)) => Transition::End,
            (None, _) if next.is_some() => Transition::End,
            (None, _) => {
                let span = obj.span;
                let d = self.error(
                    Code::Schema,
                    Span::new(span.start, span.start + 1),
                    &obj.ptr,
                    format!("state `{name}` has neither `Next` nor `End: true`"),
                );
                d.hint = Some("add `\"Next\": \"<state>\"` or `\"End\": true`".into());
                Transition::End
            }
        }
    }
}
