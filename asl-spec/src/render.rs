//! Drawing a definition as a Mermaid flowchart or a Graphviz DOT graph,
//! optionally with an execution drawn over it ([`Overlay`]).
//!
//! Both drawings show the same things: a start and an end node per scope;
//! Choice edges labelled with a short form of their condition; catchers and
//! retriers (a retrier is a dashed loop on its state, labelled with its
//! errors and attempts); Parallel branches and Map item processors as nested
//! subgraphs hanging off their state.

use crate::model::{Definition, Operand, Operator, Rule, Scope, State, StateKind, Transition};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// What one execution did, to draw over its machine: read from its history
/// by the caller (the history is the runtime's, or AWS's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    /// The states entered, by name: how often, and how many retries they took.
    pub states: HashMap<String, Visit>,
    /// The transitions taken: (from, to), by state name.
    pub taken: HashSet<(String, String)>,
    /// The state the execution failed in, if it failed.
    pub failed: Option<String>,
}

/// What happened to one state in an execution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Visit {
    /// How many times it was entered.
    pub entered: u32,
    /// How many times its work was attempted again by a retrier.
    pub retries: u32,
    /// How many times it was left (a state cut short by a failure is not).
    pub exited: u32,
}

/// A Mermaid `flowchart TD` of the machine.
pub fn mermaid(def: &Definition) -> String {
    mermaid_with(def, None)
}

/// A Graphviz `digraph` of the machine.
pub fn dot(def: &Definition) -> String {
    dot_with(def, None)
}

/// [`mermaid`], with `overlay`'s execution drawn over it: the states it
/// visited filled green (the one it failed in red), with their visits and
/// retries, and the transitions it took drawn thick.
pub fn mermaid_with(def: &Definition, overlay: Option<&Overlay>) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut ids = 0;
    let mut classes: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut draw = Draw { overlay, ids: &mut ids };
    draw.mermaid_scope(&def.body, &mut out, "    ", "", &mut classes);
    if overlay.is_some() {
        out.push_str("    classDef visited fill:#d8f0d8,stroke:#2d7d2d\n");
        out.push_str("    classDef failed fill:#f6cccc,stroke:#b00000\n");
        if !classes.0.is_empty() {
            let _ = writeln!(out, "    class {} visited", classes.0.join(","));
        }
        if !classes.1.is_empty() {
            let _ = writeln!(out, "    class {} failed", classes.1.join(","));
        }
    }
    out
}

/// [`dot`], with `overlay`'s execution drawn over it (see [`mermaid_with`]).
pub fn dot_with(def: &Definition, overlay: Option<&Overlay>) -> String {
    let mut out = String::from("digraph asl {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    let mut ids = 0;
    Draw { overlay, ids: &mut ids }.dot_scope(&def.body, &mut out, "    ", "");
    out.push_str("}\n");
    out
}

/// One edge out of a state.
struct Edge {
    label: String,
    target: usize,
    kind: EdgeKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    Next,
    Catch,
    /// A retrier: a loop back to the state itself.
    Retry,
}

/// Outgoing edges of a state.
fn edges(state: &State, index: usize) -> Vec<Edge> {
    let mut out = Vec::new();
    if let Transition::Next(t) = &state.transition {
        out.push(Edge { label: String::new(), target: t.index, kind: EdgeKind::Next });
    }
    let (retry, catch) = match &state.kind {
        StateKind::Choice(c) => {
            for b in &c.choices {
                out.push(Edge { label: short(&rule_text(&b.rule)), target: b.next.index, kind: EdgeKind::Next });
            }
            if let Some(d) = &c.default {
                out.push(Edge { label: "default".into(), target: d.index, kind: EdgeKind::Next });
            }
            (&[][..], &[][..])
        }
        StateKind::Task(t) => (&t.retry[..], &t.catch[..]),
        StateKind::Parallel(p) => (&p.retry[..], &p.catch[..]),
        StateKind::Map(m) => (&m.retry[..], &m.catch[..]),
        _ => (&[][..], &[][..]),
    };
    for r in retry {
        let label = format!("retry {} ×{}", r.error_equals.join(", "), r.max_attempts);
        out.push(Edge { label, target: index, kind: EdgeKind::Retry });
    }
    for c in catch {
        let label = format!("catch {}", c.error_equals.join(", "));
        out.push(Edge { label, target: c.next.index, kind: EdgeKind::Catch });
    }
    out
}

/// A Choice rule as people write conditions: `$.total >= 100`,
/// `$.kind == "gift" and not ($.express)`, a JSONata condition's expression.
pub fn rule_text(rule: &Rule) -> String {
    let inner = |r: &Rule| match r {
        Rule::And(_) | Rule::Or(_) => format!("({})", rule_text(r)),
        _ => rule_text(r),
    };
    match rule {
        Rule::And(rules) => rules.iter().map(inner).collect::<Vec<_>>().join(" and "),
        Rule::Or(rules) => rules.iter().map(inner).collect::<Vec<_>>().join(" or "),
        Rule::Not(r) => format!("not {}", inner(r)),
        Rule::Compare(c) => {
            let operand = match &c.operand {
                Operand::Literal(v) => v.to_string(),
                Operand::Path(p) => p.to_string(),
            };
            let yes = matches!(&c.operand, Operand::Literal(serde_json::Value::Bool(true)));
            let is = |what: &str| format!("{} is {}{what}", c.variable, if yes { "" } else { "not " });
            use Operator::*;
            match c.op {
                StringEquals | NumericEquals | BooleanEquals | TimestampEquals => {
                    format!("{} == {operand}", c.variable)
                }
                StringLessThan | NumericLessThan | TimestampLessThan => format!("{} < {operand}", c.variable),
                StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => {
                    format!("{} > {operand}", c.variable)
                }
                StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
                    format!("{} <= {operand}", c.variable)
                }
                StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
                    format!("{} >= {operand}", c.variable)
                }
                StringMatches => format!("{} matches {operand}", c.variable),
                IsNull => is("null"),
                IsPresent => is("present"),
                IsNumeric => is("numeric"),
                IsString => is("a string"),
                IsBoolean => is("a boolean"),
                IsTimestamp => is("a timestamp"),
            }
        }
        Rule::Condition(crate::jsonata::Jsonata::Expr(e)) => {
            e.source().trim().trim_start_matches("{%").trim_end_matches("%}").trim().to_string()
        }
        Rule::Condition(other) => format!("{other:?}"),
    }
}

/// At most 48 characters, for an edge label.
fn short(text: &str) -> String {
    const MAX: usize = 48;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    text.chars().take(MAX - 1).chain(std::iter::once('…')).collect()
}

fn node_id(prefix: &str, index: usize) -> String {
    format!("{prefix}s{index}")
}

/// The nested scopes a state holds, with their titles.
fn inner_scopes(state: &State) -> Vec<(&Scope, String)> {
    match &state.kind {
        StateKind::Parallel(p) => {
            p.branches.iter().enumerate().map(|(b, s)| (s, format!("{} branch {}", state.name, b + 1))).collect()
        }
        StateKind::Map(m) => vec![(&m.processor, format!("{} item processor", state.name))],
        _ => Vec::new(),
    }
}

struct Draw<'o, 'i> {
    overlay: Option<&'o Overlay>,
    ids: &'i mut usize,
}

impl Draw<'_, '_> {
    fn fresh(&mut self) -> usize {
        *self.ids += 1;
        *self.ids
    }

    fn visit(&self, state: &State) -> Option<Visit> {
        self.overlay.and_then(|o| o.states.get(&*state.name).copied())
    }

    fn failed(&self, state: &State) -> bool {
        self.overlay.is_some_and(|o| o.failed.as_deref() == Some(&*state.name))
    }

    /// Whether the execution went from `from` to `to` (a retry: whether it retried).
    fn took(&self, from: &State, to: &State, kind: EdgeKind) -> bool {
        match (self.overlay, kind) {
            (None, _) => false,
            (Some(_), EdgeKind::Retry) => self.visit(from).is_some_and(|v| v.retries > 0),
            (Some(o), _) => o.taken.contains(&(from.name.to_string(), to.name.to_string())),
        }
    }

    /// What the overlay adds under a state's name.
    fn visit_note(&self, state: &State) -> Option<String> {
        let v = self.visit(state)?;
        let mut notes = Vec::new();
        if v.entered > 1 {
            notes.push(format!("×{}", v.entered));
        }
        if v.retries > 0 {
            notes.push(format!("{} retr{}", v.retries, if v.retries == 1 { "y" } else { "ies" }));
        }
        if self.failed(state) {
            notes.push("failed".into());
        }
        (!notes.is_empty()).then(|| notes.join(", "))
    }

    fn mermaid_scope(
        &mut self, scope: &Scope, out: &mut String, indent: &str, prefix: &str,
        classes: &mut (Vec<String>, Vec<String>),
    ) {
        let start = format!("{prefix}start");
        let end = format!("{prefix}finish");
        let _ = writeln!(out, "{indent}{start}((start))");
        for (i, state) in scope.states.iter().enumerate() {
            let id = node_id(prefix, i);
            let mut label = format!("{}<br/><i>{}</i>", mermaid_text(&state.name), state.kind.type_name());
            if let Some(note) = self.visit_note(state) {
                let _ = write!(label, "<br/><b>{}</b>", mermaid_text(&note));
            }
            let shape = match state.kind {
                StateKind::Choice(_) => format!("{id}{{\"{label}\"}}"),
                StateKind::Succeed | StateKind::Fail(_) => format!("{id}([\"{label}\"])"),
                _ => format!("{id}[\"{label}\"]"),
            };
            let _ = writeln!(out, "{indent}{shape}");
            if self.failed(state) {
                classes.1.push(id);
            } else if self.visit(state).is_some() {
                classes.0.push(id);
            }
        }
        let link = |out: &mut String, from: &str, to: &str, label: &str, kind: EdgeKind, taken: bool| {
            let arrow = match (kind, taken) {
                (_, true) => "==>",
                (EdgeKind::Retry, false) => "-.->",
                (EdgeKind::Catch, false) => "-.->",
                (EdgeKind::Next, false) => "-->",
            };
            let label = if label.is_empty() { String::new() } else { format!("|\"{}\"|", mermaid_text(label)) };
            let _ = writeln!(out, "{indent}{from} {arrow}{label} {to}");
        };
        if scope.start_index < scope.states.len() {
            let first = &scope.states[scope.start_index];
            let taken = self.visit(first).is_some();
            link(out, &start, &node_id(prefix, scope.start_index), "", EdgeKind::Next, taken);
        }
        let mut ends = false;
        for (i, state) in scope.states.iter().enumerate() {
            let id = node_id(prefix, i);
            for edge in edges(state, i) {
                if let Some(target) = scope.states.get(edge.target) {
                    let taken = self.took(state, target, edge.kind);
                    link(out, &id, &node_id(prefix, edge.target), &edge.label, edge.kind, taken);
                }
            }
            if state.is_terminal() {
                ends = true;
                let taken = self.visit(state).is_some_and(|v| v.exited > 0);
                link(out, &id, &end, "", EdgeKind::Next, taken);
            }
            for (inner, title) in inner_scopes(state) {
                let sub = format!("g{}_", self.fresh());
                let _ = writeln!(out, "{indent}subgraph {sub}[\"{}\"]", mermaid_text(&title));
                self.mermaid_scope(inner, out, &format!("{indent}    "), &sub, classes);
                let _ = writeln!(out, "{indent}end");
                let _ = writeln!(out, "{indent}{id} -.- {sub}");
            }
        }
        if ends {
            let _ = writeln!(out, "{indent}{end}((end))");
        }
    }

    fn dot_scope(&mut self, scope: &Scope, out: &mut String, indent: &str, prefix: &str) {
        let start = format!("{prefix}start");
        let end = format!("{prefix}end");
        let _ = writeln!(out, "{indent}{start} [shape=circle, label=\"start\"];");
        for (i, state) in scope.states.iter().enumerate() {
            let shape = match state.kind {
                StateKind::Choice(_) => "diamond",
                StateKind::Succeed | StateKind::Fail(_) => "doubleoctagon",
                _ => "box",
            };
            let mut label = format!("{}\n{}", state.name, state.kind.type_name());
            if let Some(note) = self.visit_note(state) {
                let _ = write!(label, "\n{note}");
            }
            let fill = if self.failed(state) {
                ", style=filled, fillcolor=\"#f6cccc\""
            } else if self.visit(state).is_some() {
                ", style=filled, fillcolor=\"#d8f0d8\""
            } else {
                ""
            };
            let _ = writeln!(out, "{indent}{} [shape={shape}, label={}{fill}];", node_id(prefix, i), dot_quote(&label));
        }
        let edge = |out: &mut String, from: &str, to: &str, label: &str, kind: EdgeKind, taken: bool| {
            let mut attrs = Vec::new();
            if !label.is_empty() {
                attrs.push(format!("label={}", dot_quote(label)));
            }
            if kind != EdgeKind::Next {
                attrs.push("style=dashed".to_string());
            }
            if taken {
                attrs.push("penwidth=2.5, color=\"#2d7d2d\"".to_string());
            }
            let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
            let _ = writeln!(out, "{indent}{from} -> {to}{attrs};");
        };
        if scope.start_index < scope.states.len() {
            let taken = self.visit(&scope.states[scope.start_index]).is_some();
            edge(out, &start, &node_id(prefix, scope.start_index), "", EdgeKind::Next, taken);
        }
        let mut ends = false;
        for (i, state) in scope.states.iter().enumerate() {
            let id = node_id(prefix, i);
            for e in edges(state, i) {
                if let Some(target) = scope.states.get(e.target) {
                    let taken = self.took(state, target, e.kind);
                    edge(out, &id, &node_id(prefix, e.target), &e.label, e.kind, taken);
                }
            }
            if state.is_terminal() {
                ends = true;
                let taken = self.visit(state).is_some_and(|v| v.exited > 0);
                edge(out, &id, &end, "", EdgeKind::Next, taken);
            }
            for (inner, title) in inner_scopes(state) {
                let sub = format!("cluster_{}_", self.fresh());
                let _ = writeln!(out, "{indent}subgraph {sub} {{\n{indent}    label={};", dot_quote(&title));
                self.dot_scope(inner, out, &format!("{indent}    "), &sub);
                let _ = writeln!(out, "{indent}}}");
                let _ = writeln!(out, "{indent}{id} -> {sub}start [style=dotted, arrowhead=none];");
            }
        }
        if ends {
            let _ = writeln!(out, "{indent}{end} [shape=doublecircle, label=\"end\"];");
        }
    }
}

/// Text inside a Mermaid label's quotes: its markup characters as entities.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_quote(s: &str) -> String {
    let escaped: String = s
        .chars()
        .map(|c| match c {
            '\\' => "\\\\".to_string(),
            '"' => "\\\"".to_string(),
            '\n' => "\\n".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Definition {
        crate::load(text).valid().unwrap()
    }

    #[test]
    fn choice_edges_read_as_conditions() {
        let def = load(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$.total", "NumericGreaterThanEquals": 100}, {"Not": {"Variable": "$.kind", "StringEquals": "gift"}}], "Next": "B"},
                {"Variable": "$.x", "IsPresent": false, "Next": "C"}], "Default": "C"},
              "B": {"Type": "Succeed"}, "C": {"Type": "Fail"}}}"#,
        );
        let m = mermaid(&def);
        assert!(m.contains(r#"s0 -->|"$.total #gt;= 100 and not $.kind == #quot;gift#quot;"| s1"#), "{m}");
        assert!(m.contains(r#"s0 -->|"$.x is not present"| s2"#), "{m}");
        assert!(m.contains(r#"s0 -->|"default"| s2"#), "{m}");
        let d = dot(&def);
        assert!(d.contains(r#"s0 -> s1 [label="$.total >= 100 and not $.kind == \"gift\""];"#), "{d}");
        assert!(d.contains("s1 -> end;") && d.contains("end [shape=doublecircle"), "an end node: {d}");
    }

    #[test]
    fn retries_are_loops_and_nested_scopes_are_subgraphs() {
        let def = load(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                  "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 4}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "End": true},
                 "F": {"Type": "Fail"}}}], "End": true}}}"#,
        );
        let m = mermaid(&def);
        assert!(m.contains(r#"g1_s0 -.->|"retry Busy ×4"| g1_s0"#), "{m}");
        assert!(m.contains(r#"g1_s0 -.->|"catch States.ALL"| g1_s1"#), "{m}");
        assert!(m.contains(r#"subgraph g1_["P branch 1"]"#), "{m}");
        let d = dot(&def);
        assert!(d.contains(r#"cluster_1_s0 -> cluster_1_s0 [label="retry Busy ×4", style=dashed];"#), "{d}");
        assert!(d.contains("subgraph cluster_1_ {"), "{d}");
    }

    #[test]
    fn an_overlay_marks_what_the_execution_did() {
        let def = load(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["Busy"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "B"},
              "B": {"Type": "Succeed"}, "C": {"Type": "Fail"}}}"#,
        );
        let overlay = Overlay {
            states: [
                ("A".to_string(), Visit { entered: 1, retries: 2, exited: 1 }),
                ("C".to_string(), Visit { entered: 1, retries: 0, exited: 0 }),
            ]
            .into(),
            taken: [("A".to_string(), "C".to_string())].into(),
            failed: Some("C".into()),
        };
        let m = mermaid_with(&def, Some(&overlay));
        assert!(m.contains("s0 ==>|\"catch States.ALL\"| s2"), "the catch taken is thick: {m}");
        assert!(m.contains("s0 --> s1"), "the Next not taken is not: {m}");
        assert!(
            m.contains("<b>2 retries</b>") && m.contains("class s0 visited") && m.contains("class s2 failed"),
            "{m}"
        );
        let d = dot_with(&def, Some(&overlay));
        assert!(d.contains("s0 -> s2 [label=\"catch States.ALL\", style=dashed, penwidth=2.5"), "{d}");
        assert!(d.contains("fillcolor=\"#f6cccc\""), "{d}");
    }
}
