//! Building the typed model from the span-keeping JSON tree.
//!
//! Every field read goes through [`Obj`], which remembers what was read so
//! that whatever is left over is reported as an unknown field, with the
//! closest allowed name as a hint. Problems are collected, never thrown: the
//! builder always continues, so one pass reports everything.

use crate::diag::{Code, Diagnostic, Diagnostics, Span, closest, pointer_to};
use crate::intrinsic::Call;
use crate::json::{Member, Node, NodeKind};
use crate::model::*;
use crate::path::Path;

/// Fields that exist only in JSONPath states, with their JSONata replacement.
const JSONPATH_ONLY: &[(&str, &str)] = &[
    ("InputPath", "Output"),
    ("OutputPath", "Output"),
    ("ResultPath", "Output"),
    ("ResultSelector", "Output"),
    ("Parameters", "Arguments"),
    ("Result", "Output"),
    ("ItemsPath", "Items"),
    ("TimeoutSecondsPath", "TimeoutSeconds"),
    ("HeartbeatSecondsPath", "HeartbeatSeconds"),
    ("SecondsPath", "Seconds"),
    ("TimestampPath", "Timestamp"),
    ("ErrorPath", "Error"),
    ("CausePath", "Cause"),
    ("MaxConcurrencyPath", "MaxConcurrency"),
    ("ToleratedFailurePercentagePath", "ToleratedFailurePercentage"),
    ("ToleratedFailureCountPath", "ToleratedFailureCount"),
];

/// Fields that exist only in JSONata states.
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

/// Every field each state type may carry, in either query language.
fn fields_of(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Pass" => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Result",
            "Assign",
            "Output",
        ],
        "Task" => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Next",
            "End",
            "Resource",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Assign",
            "Arguments",
            "Output",
        ],
        "Choice" => {
            &["Type", "Comment", "QueryLanguage", "Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"]
        }
        "Wait" => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Next",
            "End",
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
            "InputPath",
            "OutputPath",
            "Assign",
            "Output",
        ],
        "Succeed" => &["Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Output"],
        "Fail" => &["Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath"],
        "Parallel" => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Next",
            "End",
            "Branches",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Assign",
            "Arguments",
            "Output",
        ],
        "Map" => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Next",
            "End",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Assign",
            "Arguments",
            "Output",
        ],
        _ => &[],
    }
}

const STATE_TYPES: &[&str] = &["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

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
    let body = body?;
    let mut reads_context = false;
    crate::model::visit_states(&body, &mut |s| reads_context |= s.reads_context);
    Some(Definition { comment, version, timeout_seconds, query_language, body, reads_context })
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

    fn path_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Path> {
        let (text, span) = self.string_value(node, ptr, field)?;
        match Path::parse(&text) {
            Ok(p) => Some(p),
            Err(e) => {
                let d = self.error(
                    Code::InvalidPath,
                    span,
                    ptr,
                    format!("`{field}` is not a valid JSONPath: {}", e.message),
                );
                d.label = format!("invalid path `{text}`");
                None
            }
        }
    }

    fn nullable_path(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<NullablePath> {
        let m = obj.take(key)?;
        if matches!(m.value.kind, NodeKind::Null) {
            return Some(NullablePath::Null);
        }
        self.path_value(&m.value, &obj.child_ptr(key), key).map(NullablePath::Path)
    }

    fn result_path(&mut self, obj: &mut Obj<'_>) -> Option<ResultPath> {
        let m = obj.take("ResultPath")?;
        let ptr = obj.child_ptr("ResultPath");
        if matches!(m.value.kind, NodeKind::Null) {
            return Some(ResultPath::Discard);
        }
        let (text, span) = self.string_value(&m.value, &ptr, "ResultPath")?;
        match Path::parse_reference(&text) {
            Ok(p) if p.root == crate::path::Root::Input => Some(ResultPath::Path(p)),
            Ok(_) => {
                self.error(
                    Code::InvalidPath,
                    span,
                    &ptr,
                    "`ResultPath` must start with `$.`; it cannot write to the context object or a variable",
                );
                None
            }
            Err(e) => {
                let d = self.error(
                    Code::InvalidPath,
                    span,
                    &ptr,
                    format!("`ResultPath` must be a reference path: {}", e.message),
                );
                d.hint = Some("a reference path uses only `.name`, `['name']` and `[index]`, e.g. `$.result`".into());
                None
            }
        }
    }

    /// A `"key.$"` value: an intrinsic call or a path.
    fn dynamic_value(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Template> {
        let (text, span) = self.string_value(node, ptr, field)?;
        if Call::looks_like_call(&text) {
            match Call::parse(&text) {
                Ok(c) => Some(Template::Call(c)),
                Err(e) => {
                    let d = self.error(
                        Code::InvalidIntrinsic,
                        span,
                        ptr,
                        format!("invalid intrinsic function call in `{field}`: {}", e.message),
                    );
                    d.label = format!("at offset {} of the call", e.offset);
                    None
                }
            }
        } else {
            match Path::parse(&text) {
                Ok(p) => Some(Template::Path(p)),
                Err(e) => {
                    let d = self.error(
                        Code::InvalidPath,
                        span,
                        ptr,
                        format!(
                            "the value of `{field}` must be a valid JSONPath or a valid intrinsic function call: {}",
                            e.message
                        ),
                    );
                    d.hint = Some("a `.$` field holds a path such as `$.order.id` or a call such as `States.Format('{}', $.x)`; drop the `.$` for a literal".into());
                    None
                }
            }
        }
    }

    fn template(&mut self, node: &Node, ptr: &str) -> Template {
        match &node.kind {
            NodeKind::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                let mut dynamic = false;
                for m in members {
                    let child = pointer_to(ptr, &m.key);
                    if let Some(plain) = m.key.strip_suffix(".$") {
                        if let Some(other) = members.iter().find(|o| o.key == plain) {
                            let d = self.error(
                                Code::DuplicateField,
                                m.key_span,
                                &child,
                                format!("field `{plain}` appears both as `{plain}` and as `{}`", m.key),
                            );
                            d.related.push((other.key_span, "also here".into()));
                        }
                        dynamic = true;
                        if let Some(t) = self.dynamic_value(&m.value, &child, &m.key) {
                            out.push((plain.to_string(), t));
                        }
                    } else {
                        let t = self.template(&m.value, &child);
                        dynamic |= !matches!(t, Template::Literal(_));
                        out.push((m.key.clone(), t));
                    }
                }
                if dynamic { Template::Object(ObjectTemplate::new(out)) } else { Template::Literal(node.to_value()) }
            }
            NodeKind::Array(items) => {
                let parts: Vec<Template> =
                    items.iter().enumerate().map(|(i, n)| self.template(n, &format!("{ptr}/{i}"))).collect();
                if parts.iter().all(|t| matches!(t, Template::Literal(_))) {
                    Template::Literal(node.to_value())
                } else {
                    Template::Array(parts)
                }
            }
            _ => Template::Literal(node.to_value()),
        }
    }

    /// A payload template field. Any JSON value is allowed (AWS accepts a
    /// string or an array too); `.$` members are evaluated wherever they are.
    fn template_field(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<Template> {
        let m = obj.take(key)?;
        let ptr = obj.child_ptr(key);
        Some(self.template(&m.value, &ptr))
    }

    /// `Assign`: an object of variable names. In JSONPath its `name.$`
    /// members are paths or intrinsic calls, as in a payload template.
    fn assign(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Option<Assign> {
        let m = obj.take("Assign")?;
        let ptr = obj.child_ptr("Assign");
        let members = self.object(&m.value, &ptr)?.members;
        for member in members {
            let name = match ql {
                QueryLanguage::JsonPath => member.key.strip_suffix(".$").unwrap_or(&member.key),
                QueryLanguage::Jsonata => &member.key,
            };
            if let Some(problem) = variable_name_problem(name) {
                let d = self.error(
                    Code::Schema,
                    member.key_span,
                    &pointer_to(&ptr, &member.key),
                    format!("`{name}` is not a valid variable name: {problem}"),
                );
                d.label = "invalid variable name".into();
                d.hint = Some("a variable name starts with a letter or `_`, continues with letters, digits or `_`, and has at most 80 characters".into());
            }
        }
        match ql {
            QueryLanguage::JsonPath => Some(Assign::JsonPath(self.template(&m.value, &ptr))),
            QueryLanguage::Jsonata => jsonata_of(&m.value).map(Assign::Jsonata),
        }
    }

    /// `Output` of a JSONata state or catcher.
    fn output(&mut self, obj: &mut Obj<'_>) -> Option<Jsonata> {
        obj.take("Output").and_then(|m| jsonata_of(&m.value))
    }

    fn target(&mut self, node: &Node, ptr: &str, field: &str) -> Option<Target> {
        let (name, span) = self.string_value(node, ptr, field)?;
        Some(Target { name, span, index: usize::MAX })
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
        if !STATE_TYPES.contains(&type_name.as_str()) {
            let hint = closest(&type_name, STATE_TYPES.iter().copied()).map(|c| format!("did you mean `{c}`?"));
            let d = self.error(
                Code::Schema,
                type_span,
                &obj.child_ptr("Type"),
                format!("the field 'Type' should have one of these values: [{}]", STATE_TYPES.join(", ")),
            );
            d.label = format!("`{type_name}` is not a state type");
            d.hint = hint;
            return None;
        }
        self.check_language_fields(&obj, &type_name, ql);
        if ql == QueryLanguage::Jsonata {
            for m in obj.members {
                if !["Type", "Comment", "QueryLanguage", "Next", "End", "Resource"].contains(&m.key.as_str()) {
                    self.check_jsonata_strings(&m.value, &obj.child_ptr(&m.key));
                }
            }
        }
        let comment = self.string(&mut obj, "Comment").map(|(s, _)| s);
        let assign = self.assign(&mut obj, ql);
        let output = self.output(&mut obj);

        // Input and output fields are read only where the state type has
        // them; elsewhere they are reported as unknown fields.
        let has = |field: &str| fields_of(&type_name).contains(&field);
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

        let kind = match type_name.as_str() {
            "Pass" => StateKind::Pass(Pass { result: obj.take("Result").map(|m| m.value.to_value()) }),
            "Task" => self.task(&mut obj, &name, ql),
            "Choice" => StateKind::Choice(self.choice(&mut obj, &name, ql)),
            "Wait" => self.wait(&mut obj, &name, ql),
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail(self.fail(&mut obj, ql)),
            "Parallel" => self.parallel(&mut obj, &name, ql),
            _ => self.map(&mut obj, &name, ql, &mut io),
        };
        let transition = self.transition(&mut obj, &kind, &name);
        self.finish(obj, fields_of(&type_name), format_args!("{type_name} state `{name}`"));
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
            reads_context,
        })
    }

    /// Reports fields of the other query language before anything else reads them.
    fn check_language_fields(&mut self, obj: &Obj<'_>, type_name: &str, ql: QueryLanguage) {
        let allowed = fields_of(type_name);
        for m in obj.members {
            if !allowed.contains(&m.key.as_str()) {
                continue;
            }
            let ptr = obj.child_ptr(&m.key);
            match ql {
                QueryLanguage::Jsonata => {
                    if let Some((_, instead)) = JSONPATH_ONLY.iter().find(|(k, _)| *k == m.key) {
                        self.other_language_field(ql, m, &ptr, instead);
                    }
                }
                QueryLanguage::JsonPath => {
                    if JSONATA_ONLY.contains(&m.key.as_str()) {
                        self.other_language_field(ql, m, &ptr, "");
                    }
                }
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
        let flows = !matches!(kind, StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_));
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

    fn seconds(&mut self, obj: &mut Obj<'_>, key: &str, path_key: &str) -> Option<Seconds> {
        let lit = obj.take(key);
        let path = obj.take(path_key);
        if let (Some(_), Some(p)) = (lit, path) {
            self.error(
                Code::Schema,
                p.key_span,
                &obj.child_ptr(path_key),
                format!("`{key}` and `{path_key}` cannot both be set"),
            );
        }
        if let Some(m) = lit {
            let ptr = obj.child_ptr(key);
            if let NodeKind::String(s) = &m.value.kind
                && is_jsonata(s)
            {
                return Expr::compile(s).ok().map(Seconds::Jsonata);
            }
            return self.int_value(&m.value, &ptr, key, 1).map(Seconds::Fixed);
        }
        let m = path?;
        self.path_value(&m.value, &obj.child_ptr(path_key), path_key).map(Seconds::Path)
    }

    fn task(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
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

    /// In a JSONata state, a string that opens or closes like an expression
    /// must be a whole `{% <expression> %}`, with space inside both delimiters.
    fn check_jsonata_strings(&mut self, node: &Node, ptr: &str) {
        match &node.kind {
            NodeKind::String(s) if s.starts_with("{%") || s.ends_with("%}") => {
                let inner = s.strip_prefix("{%").and_then(|r| r.strip_suffix("%}"));
                let ok = inner.is_some_and(|e| {
                    e.starts_with(char::is_whitespace) && e.ends_with(char::is_whitespace) && !e.trim().is_empty()
                });
                if !ok {
                    let d = self.error(
                        Code::Schema,
                        node.span,
                        ptr,
                        format!("`{s}` is not a JSONata expression: it must be written `{{% <expression> %}}`"),
                    );
                    d.hint = Some("open with `{% ` and close with ` %}`, with a space inside each".into());
                } else if let Some(expr) = inner {
                    // Every expression must parse; the runtime never re-parses a bad one.
                    if let Err(e) = jlens_core::parse(expr.trim()) {
                        self.error(
                            Code::Schema,
                            node.span,
                            ptr,
                            format!("the JSONata expression `{}` does not parse: {e}", expr.trim()),
                        )
                        .label = "invalid JSONata".into();
                    }
                }
            }
            NodeKind::Array(items) => {
                for (i, n) in items.iter().enumerate() {
                    self.check_jsonata_strings(n, &format!("{ptr}/{i}"));
                }
            }
            NodeKind::Object(members) => {
                for m in members {
                    self.check_jsonata_strings(&m.value, &pointer_to(ptr, &m.key));
                }
            }
            _ => {}
        }
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

    fn list<'a>(&mut self, obj: &mut Obj<'a>, key: &str) -> Vec<(Obj<'a>, String)> {
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

    fn retriers(&mut self, obj: &mut Obj<'_>) -> Vec<Retrier> {
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

    fn catchers(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Vec<Catcher> {
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

    fn choice(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> Choice {
        let default = obj.take("Default").and_then(|m| self.target(&m.value, &obj.child_ptr("Default"), "Default"));
        let mut choices = Vec::new();
        match self.required(obj, "Choices", format_args!("Choice state `{name}`")) {
            Some(m) if matches!(&m.value.kind, NodeKind::Array(a) if a.is_empty()) => {
                self.error(Code::Schema, m.value.span, &obj.child_ptr("Choices"), "`Choices` cannot be empty");
            }
            Some(_) | None => {}
        }
        for (mut r, ptr) in self.list(obj, "Choices") {
            let next = self
                .required(&mut r, "Next", "a choice rule")
                .and_then(|m| self.target(&m.value, &format!("{ptr}/Next"), "Next"));
            let assign = self.assign(&mut r, ql);
            let output = self.output(&mut r);
            let rule = self.rule(r, &ptr, ql, true);
            if let Some(next) = next {
                // A rule that failed to load keeps its branch (with an empty
                // `And`) so the graph checks still see its `Next`; the
                // definition has errors and is never executed.
                let rule = rule.unwrap_or(Rule::And(Vec::new()));
                choices.push(ChoiceBranch { rule, next, assign, output });
            }
        }
        Choice { choices, default }
    }

    /// One Choice rule; `top` rules carry `Next` (already taken by the caller).
    fn rule(&mut self, mut r: Obj<'_>, ptr: &str, ql: QueryLanguage, top: bool) -> Option<Rule> {
        r.take("Comment");
        let mut allowed: Vec<&str> = vec!["Comment", "And", "Or", "Not", "Variable", "Condition"];
        if top {
            allowed.extend(["Next", "Assign", "Output"]);
        } else if r.has("Next") {
            let m = r.take("Next").expect("checked");
            self.error(Code::Schema, m.key_span, &format!("{ptr}/Next"), "a nested choice rule cannot have `Next`")
                .hint = Some("only the rules directly in `Choices` have `Next`".into());
        }
        let result = if ql == QueryLanguage::Jsonata {
            match self.required(&mut r, "Condition", "a JSONata choice rule") {
                Some(m) => match &m.value.kind {
                    NodeKind::Bool(_) => Some(Rule::Condition(Jsonata::Literal(m.value.to_value()))),
                    NodeKind::String(s) if is_jsonata(s) => jsonata_of(&m.value).map(Rule::Condition),
                    _ => {
                        self.type_error(
                            &m.value,
                            &format!("{ptr}/Condition"),
                            "Condition",
                            "a `{% ... %}` expression or a boolean",
                        );
                        None
                    }
                },
                None => None,
            }
        } else {
            self.jsonpath_rule(&mut r, ptr, ql)
        };
        let owner = if top { "a choice rule" } else { "a nested choice rule" };
        allowed.extend(Operator::ALL.iter().map(|o| o.name()));
        let path_names: Vec<String> =
            Operator::ALL.iter().filter(|o| o.has_path_form()).map(|o| format!("{}Path", o.name())).collect();
        allowed.extend(path_names.iter().map(String::as_str));
        self.finish(r, &allowed, owner);
        result
    }

    fn jsonpath_rule(&mut self, r: &mut Obj<'_>, ptr: &str, ql: QueryLanguage) -> Option<Rule> {
        for (key, is_list) in [("And", true), ("Or", true), ("Not", false)] {
            let Some(m) = r.take(key) else { continue };
            let child = format!("{ptr}/{key}");
            if is_list {
                let NodeKind::Array(items) = &m.value.kind else {
                    self.type_error(&m.value, &child, key, "a non-empty array of rules");
                    return None;
                };
                if items.is_empty() {
                    self.error(Code::Schema, m.value.span, &child, format!("`{key}` cannot be empty"));
                }
                let rules: Vec<Rule> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| {
                        let p = format!("{child}/{i}");
                        let o = self.object(n, &p)?;
                        self.rule(o, &p, ql, false)
                    })
                    .collect();
                return Some(if key == "And" { Rule::And(rules) } else { Rule::Or(rules) });
            }
            let o = self.object(&m.value, &child)?;
            return self.rule(o, &child, ql, false).map(|inner| Rule::Not(Box::new(inner)));
        }
        let variable = r.take("Variable");
        let mut found: Vec<(Operator, bool, &Member)> = Vec::new();
        for op in Operator::ALL {
            if let Some(m) = r.take(op.name()) {
                found.push((*op, false, m));
            }
            if op.has_path_form()
                && let Some(m) = r.take(&format!("{}Path", op.name()))
            {
                found.push((*op, true, m));
            }
        }
        let Some(variable) = variable else {
            let span = r.span;
            let d = self.error(
                Code::Schema,
                Span::new(span.start, span.start + 1),
                ptr,
                "a choice rule needs `Variable` and one comparison operator, or `And`, `Or` or `Not`",
            );
            d.hint = Some("e.g. `{\"Variable\": \"$.status\", \"StringEquals\": \"paid\", \"Next\": \"Ship\"}`".into());
            return None;
        };
        let variable = self.path_value(&variable.value, &format!("{ptr}/Variable"), "Variable");
        let (op, is_path, m) = match found.as_slice() {
            [one] => *one,
            [] => {
                let span = r.span;
                self.error(
                    Code::Schema,
                    Span::new(span.start, span.start + 1),
                    ptr,
                    "a choice rule with `Variable` needs exactly one comparison operator",
                )
                .hint = Some("add e.g. `StringEquals`, `NumericGreaterThan`, `IsPresent` or `BooleanEquals`".into());
                return None;
            }
            [_, second, ..] => {
                self.error(
                    Code::Schema,
                    second.2.key_span,
                    ptr,
                    "a choice rule may use only one comparison operator",
                )
                .hint = Some("combine several comparisons with `And` or `Or`".into());
                return None;
            }
        };
        let field = if is_path { format!("{}Path", op.name()) } else { op.name().to_string() };
        let fptr = format!("{ptr}/{field}");
        let operand = if is_path {
            Operand::Path(self.path_value(&m.value, &fptr, &field)?)
        } else {
            let ok = match (op.operand_type(), &m.value.kind) {
                (OperandType::String, NodeKind::String(_)) => true,
                (OperandType::Number, NodeKind::Number(_)) => true,
                (OperandType::Boolean, NodeKind::Bool(_)) => true,
                (OperandType::Timestamp, NodeKind::String(s)) => {
                    if crate::time::parse_rfc3339(s).is_none() {
                        self.error(
                            Code::Schema,
                            m.value.span,
                            &fptr,
                            format!(
                                "`{field}` must be an RFC 3339 timestamp such as `2016-03-14T01:59:00Z`, not `{s}`"
                            ),
                        );
                    }
                    true
                }
                _ => false,
            };
            if !ok {
                let expected = match op.operand_type() {
                    OperandType::String => "a string",
                    OperandType::Number => "a number",
                    OperandType::Boolean => "a boolean",
                    OperandType::Timestamp => "a timestamp string",
                };
                self.type_error(&m.value, &fptr, &field, expected);
                return None;
            }
            Operand::Literal(m.value.to_value())
        };
        Some(Rule::Compare(Comparison { variable: variable?, op, operand }))
    }

    fn wait(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
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

    fn fail(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> Fail {
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

    fn parallel(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage) -> StateKind {
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

    fn count(&mut self, obj: &mut Obj<'_>, key: &str) -> Option<Count> {
        let path_key = format!("{key}Path");
        let lit = obj.take(key);
        let path = obj.take(&path_key);
        if let (Some(_), Some(p)) = (lit, path) {
            self.error(
                Code::Schema,
                p.key_span,
                &obj.child_ptr(&path_key),
                format!("`{key}` and `{path_key}` cannot both be set"),
            );
        }
        if let Some(m) = lit {
            let ptr = obj.child_ptr(key);
            return match &m.value.kind {
                NodeKind::String(s) if is_jsonata(s) => Expr::compile(s).ok().map(Count::Jsonata),
                NodeKind::Number(n) if n.as_f64().is_some_and(|v| v >= 0.0) => Some(Count::Fixed(m.value.to_value())),
                NodeKind::Number(n) => {
                    self.error(Code::Schema, m.value.span, &ptr, format!("`{key}` must not be negative, but is {n}"));
                    None
                }
                _ => {
                    self.type_error(&m.value, &ptr, key, "a non-negative number");
                    None
                }
            };
        }
        let m = path?;
        self.path_value(&m.value, &obj.child_ptr(&path_key), &path_key).map(Count::Path)
    }

    /// An `ItemReader`'s or `ResultWriter`'s request: `Parameters` in a
    /// JSONPath state, `Arguments` in a JSONata one; the other language's
    /// field is an error, as on the state itself.
    fn parameters_or_arguments(&mut self, obj: &mut Obj<'_>, ql: QueryLanguage) -> (Option<Template>, Option<Jsonata>) {
        let wrong = match ql {
            QueryLanguage::JsonPath => "Arguments",
            QueryLanguage::Jsonata => "Parameters",
        };
        if let Some(m) = obj.take(wrong) {
            self.other_language_field(ql, m, &obj.child_ptr(wrong), "Arguments");
        }
        match ql {
            QueryLanguage::JsonPath => (self.template_field(obj, "Parameters"), None),
            QueryLanguage::Jsonata => (None, obj.take("Arguments").and_then(|m| jsonata_of(&m.value))),
        }
    }

    fn map(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage, io: &mut Io) -> StateKind {
        let processor_member = match (obj.take("ItemProcessor"), obj.take("Iterator")) {
            (Some(p), Some(i)) => {
                self.error(
                    Code::Schema,
                    i.key_span,
                    &obj.child_ptr("Iterator"),
                    "a Map state cannot have both `ItemProcessor` and `Iterator`",
                )
                .hint = Some("`Iterator` is the legacy name; keep `ItemProcessor`".into());
                Some(p)
            }
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => {
                let span = obj.span;
                self.error(
                    Code::Schema,
                    Span::new(span.start, span.start + 1),
                    &obj.ptr,
                    format!("Map state `{name}` is missing the required field `ItemProcessor`"),
                );
                None
            }
        };
        let mut mode = ProcessorMode::Inline;
        let mut execution_type = None;
        let processor = processor_member.and_then(|m| {
            let ptr = obj.child_ptr(&m.key);
            let mut p = self.object(&m.value, &ptr)?;
            let ql_p = self.query_language(&mut p).unwrap_or(ql);
            p.take("Comment");
            if let Some(cfg) = p.take("ProcessorConfig") {
                let cptr = format!("{ptr}/ProcessorConfig");
                if let Some(mut c) = self.object(&cfg.value, &cptr) {
                    if let Some((s, span)) = self.string(&mut c, "Mode") {
                        match s.as_str() {
                            "INLINE" => mode = ProcessorMode::Inline,
                            "DISTRIBUTED" => mode = ProcessorMode::Distributed,
                            _ => {
                                self.error(
                                    Code::Schema,
                                    span,
                                    &format!("{cptr}/Mode"),
                                    format!("`Mode` must be `INLINE` or `DISTRIBUTED`, not `{s}`"),
                                );
                            }
                        }
                    }
                    execution_type = self.string(&mut c, "ExecutionType").map(|(s, _)| s);
                    self.finish(c, &["Mode", "ExecutionType"], "`ProcessorConfig`");
                }
            }
            let scope = self.scope(&mut p, ql_p, &format!("the item processor of `{name}`"));
            self.finish(p, &["StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage"], "an item processor");
            scope
        });
        let items_path = match obj.take("ItemsPath") {
            Some(m) => self.path_value(&m.value, &obj.child_ptr("ItemsPath"), "ItemsPath"),
            None => None,
        }
        .unwrap_or_else(|| Path::parse("$").expect("`$` is a path"));
        let items = obj.take("Items").and_then(|m| jsonata_of(&m.value));
        let mut item_selector = None;
        if ql == QueryLanguage::Jsonata {
            item_selector = obj.take("ItemSelector").and_then(|m| jsonata_of(&m.value));
        }
        let selector = self.template_field(obj, "ItemSelector");
        if selector.is_some() && io.parameters.is_some() {
            self.error(
                Code::Schema,
                obj.span,
                &obj.ptr,
                "a Map state cannot have both `ItemSelector` and `Parameters`",
            );
        }
        if selector.is_some() {
            io.parameters = selector;
        }
        let max_concurrency = self.count(obj, "MaxConcurrency");
        let tolerated_failure_percentage = self.count(obj, "ToleratedFailurePercentage");
        if let Some(Count::Fixed(v)) = &tolerated_failure_percentage
            && v.as_f64().is_some_and(|p| p > 100.0)
        {
            self.error(
                Code::Schema,
                obj.span,
                &obj.child_ptr("ToleratedFailurePercentage"),
                "`ToleratedFailurePercentage` must be between 0 and 100",
            );
        }
        let tolerated_failure_count = self.count(obj, "ToleratedFailureCount");
        let item_reader = obj.take("ItemReader").and_then(|m| {
            let ptr = obj.child_ptr("ItemReader");
            let mut r = self.object(&m.value, &ptr)?;
            let resource = self
                .required(&mut r, "Resource", "`ItemReader`")
                .and_then(|m| self.string_value(&m.value, &format!("{ptr}/Resource"), "Resource"));
            let (parameters, arguments) = self.parameters_or_arguments(&mut r, ql);
            let mut reader = ItemReader {
                resource: resource.map(|(s, _)| s).unwrap_or_default(),
                parameters,
                arguments,
                input_type: None,
                csv_header_location: None,
                csv_headers: None,
                csv_delimiter: None,
                max_items: None,
            };
            if let Some(cfg) = r.take("ReaderConfig") {
                let cptr = format!("{ptr}/ReaderConfig");
                if let Some(mut c) = self.object(&cfg.value, &cptr) {
                    reader.input_type = self.string(&mut c, "InputType").map(|(s, _)| s);
                    reader.csv_header_location = self.string(&mut c, "CSVHeaderLocation").map(|(s, _)| s);
                    reader.csv_delimiter = self.string(&mut c, "CSVDelimiter").map(|(s, _)| s);
                    reader.csv_headers = c.take("CSVHeaders").and_then(|m| match &m.value.kind {
                        NodeKind::Array(items) => items.iter().map(|n| n.as_str().map(str::to_string)).collect(),
                        _ => None,
                    });
                    reader.max_items = self.count(&mut c, "MaxItems");
                    c.take("ManifestType");
                    self.finish(
                        c,
                        &[
                            "InputType",
                            "CSVHeaderLocation",
                            "CSVHeaders",
                            "CSVDelimiter",
                            "MaxItems",
                            "MaxItemsPath",
                            "ManifestType",
                        ],
                        "`ReaderConfig`",
                    );
                }
            }
            self.finish(r, &["Resource", "Parameters", "Arguments", "ReaderConfig"], "`ItemReader`");
            Some(reader)
        });
        let item_batcher = obj.take("ItemBatcher").and_then(|m| {
            let ptr = obj.child_ptr("ItemBatcher");
            let mut b = self.object(&m.value, &ptr)?;
            let max_items = self.count(&mut b, "MaxItemsPerBatch");
            let max_bytes = self.count(&mut b, "MaxInputBytesPerBatch");
            let batch_input = b.take("BatchInput");
            let (batch_input, batch_input_jsonata) = match ql {
                QueryLanguage::JsonPath => (batch_input.map(|m| m.value.to_value()), None),
                QueryLanguage::Jsonata => (None, batch_input.and_then(|m| jsonata_of(&m.value))),
            };
            if max_items.is_none() && max_bytes.is_none() {
                let span = m.value.span;
                self.error(
                    Code::Schema,
                    span,
                    &ptr,
                    "`ItemBatcher` needs `MaxItemsPerBatch` or `MaxInputBytesPerBatch` (or their `Path` forms)",
                );
            }
            self.finish(
                b,
                &[
                    "MaxItemsPerBatch",
                    "MaxItemsPerBatchPath",
                    "MaxInputBytesPerBatch",
                    "MaxInputBytesPerBatchPath",
                    "BatchInput",
                ],
                "`ItemBatcher`",
            );
            Some(ItemBatcher { max_items, max_bytes, batch_input, batch_input_jsonata })
        });
        let result_writer = obj.take("ResultWriter").and_then(|m| {
            let ptr = obj.child_ptr("ResultWriter");
            let mut w = self.object(&m.value, &ptr)?;
            let resource =
                w.take("Resource").and_then(|m| self.string_value(&m.value, &format!("{ptr}/Resource"), "Resource"));
            let (parameters, arguments) = self.parameters_or_arguments(&mut w, ql);
            let writer_config = w.take("WriterConfig").map(|m| m.value.to_value());
            self.finish(w, &["Resource", "Parameters", "Arguments", "WriterConfig"], "`ResultWriter`");
            Some(ResultWriter {
                resource: resource.map(|(s, _)| s).unwrap_or_default(),
                parameters,
                arguments,
                writer_config,
            })
        });
        let label = self.string(obj, "Label").map(|(s, span)| {
            let ptr = obj.child_ptr("Label");
            if s.is_empty() {
                self.error(Code::Schema, span, &ptr, "`Label` cannot be empty");
            } else if s.chars().count() > 40 {
                self.error(Code::Schema, span, &ptr, format!("`Label` is {} characters long; the limit is 40", s.chars().count()));
            } else if let Some(bad) = s.chars().find(|c| label_forbids(*c)) {
                self.error(Code::Schema, span, &ptr, format!("`Label` contains the character {bad:?}, which is not allowed"))
                    .hint = Some("a Label may not contain whitespace, control characters or any of ? * < > { } [ ] : ; , \\ | ^ ~ $ # % & ` \"".into());
            }
            s
        });
        let retry = self.retriers(obj);
        let catch = self.catchers(obj, ql);
        let processor = processor.unwrap_or(Scope {
            start_at: String::new(),
            start_at_span: Span::default(),
            start_index: usize::MAX,
            states: Vec::new(),
            unloaded: Vec::new(),
        });
        StateKind::Map(Box::new(Map {
            processor,
            mode,
            execution_type,
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_failure_percentage,
            tolerated_failure_count,
            item_reader,
            item_batcher,
            result_writer,
            label,
            retry,
            catch,
        }))
    }
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

/// Why `name` cannot be a variable name, if it cannot: AWS takes Unicode
/// identifiers (UAX #31 `ID_Start` then `ID_Continue`, `_` allowed first)
/// of at most 80 characters.
fn variable_name_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return Some("it is empty") };
    if !(first == '_' || unicode_ident::is_xid_start(first)) {
        return Some("it must start with a letter or `_`");
    }
    if !chars.all(unicode_ident::is_xid_continue) {
        return Some("it may contain only letters, digits and `_`");
    }
    (name.chars().count() > 80).then_some("it is longer than 80 characters")
}

fn label_forbids(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "?*<>{}[]:;,\\|^~$#%&`\"".contains(c)
}

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

/// Builds a payload template from a plain JSON value (no source spans), for
/// templates that come from somewhere other than a definition, such as mock
/// files. Returns every problem's message when it does not build.
pub fn template_from_value(value: &serde_json::Value) -> Result<Template, Vec<String>> {
    let node = node_of(value);
    let mut diags = Diagnostics::default();
    let template = Builder { diags: &mut diags, machine_ql: QueryLanguage::JsonPath }.template(&node, "");
    if diags.has_errors() { Err(diags.iter().map(|d| d.message.clone()).collect()) } else { Ok(template) }
}

fn node_of(value: &serde_json::Value) -> Node {
    use serde_json::Value as V;
    let kind = match value {
        V::Null => NodeKind::Null,
        V::Bool(b) => NodeKind::Bool(*b),
        V::Number(n) => NodeKind::Number(n.clone()),
        V::String(s) => NodeKind::String(s.clone()),
        V::Array(items) => NodeKind::Array(items.iter().map(node_of).collect()),
        V::Object(map) => NodeKind::Object(
            map.iter().map(|(k, v)| Member { key: k.clone(), key_span: Span::default(), value: node_of(v) }).collect(),
        ),
    };
    Node { span: Span::default(), kind }
}

/// `value` with its expressions compiled; `None` when one does not compile
/// (the JSONata-string check has reported it with its position).
fn jsonata_of(node: &Node) -> Option<Jsonata> {
    Jsonata::from_value(&node.to_value()).ok()
}

/// Whether a string is a JSONata expression (`{% ... %}`).
pub fn is_jsonata(s: &str) -> bool {
    s.starts_with("{%") && s.ends_with("%}") && s.len() >= 4
}
