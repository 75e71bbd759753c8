//! Drawing a definition as a Mermaid flowchart or a Graphviz DOT graph.

use crate::model::{Definition, Scope, State, StateKind, Transition};
use std::fmt::Write;

/// A Mermaid `flowchart TD` of the machine; branches and processors become subgraphs.
pub fn mermaid(def: &Definition) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut ids = Ids::default();
    mermaid_scope(&def.body, &mut out, &mut ids, "    ", "");
    out
}

#[derive(Default)]
struct Ids {
    next: usize,
}

impl Ids {
    fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next
    }
}

fn escape(label: &str) -> String {
    label.replace('"', "#quot;")
}

fn node_id(prefix: &str, index: usize) -> String {
    format!("{prefix}s{index}")
}

fn mermaid_scope(scope: &Scope, out: &mut String, ids: &mut Ids, indent: &str, prefix: &str) {
    let start = format!("{prefix}start");
    let _ = writeln!(out, "{indent}{start}((start))");
    for (i, state) in scope.states.iter().enumerate() {
        let id = node_id(prefix, i);
        let label = format!("{}<br/><i>{}</i>", escape(&state.name), state.kind.type_name());
        let shape = match state.kind {
            StateKind::Choice(_) => format!("{id}{{\"{label}\"}}"),
            StateKind::Succeed | StateKind::Fail(_) => format!("{id}([\"{label}\"])"),
            _ => format!("{id}[\"{label}\"]"),
        };
        let _ = writeln!(out, "{indent}{shape}");
    }
    if scope.start_index < scope.states.len() {
        let _ = writeln!(out, "{indent}{start} --> {}", node_id(prefix, scope.start_index));
    }
    for (i, state) in scope.states.iter().enumerate() {
        let id = node_id(prefix, i);
        for (label, target) in edges(state) {
            if target < scope.states.len() {
                let arrow = if label.is_empty() { " --> ".to_string() } else { format!(" -->|{}| ", escape(&label)) };
                let _ = writeln!(out, "{indent}{id}{arrow}{}", node_id(prefix, target));
            }
        }
        if state.is_terminal() {
            let _ = writeln!(out, "{indent}{id} --> {prefix}finish((end))");
        }
        let inner: Vec<&Scope> = match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().collect(),
            StateKind::Map(m) => vec![&m.processor],
            _ => Vec::new(),
        };
        for (b, scope) in inner.into_iter().enumerate() {
            let sub = format!("g{}_", ids.fresh());
            let title = match &state.kind {
                StateKind::Map(_) => format!("{} item processor", escape(&state.name)),
                _ => format!("{} branch {}", escape(&state.name), b + 1),
            };
            let _ = writeln!(out, "{indent}subgraph {sub}[\"{title}\"]");
            mermaid_scope(scope, out, ids, &format!("{indent}    "), &sub);
            let _ = writeln!(out, "{indent}end");
            let _ = writeln!(out, "{indent}{id} -.- {sub}");
        }
    }
}

/// Outgoing edges of a state: (label, target index).
fn edges(state: &State) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if let Transition::Next(t) = &state.transition {
        out.push((String::new(), t.index));
    }
    match &state.kind {
        StateKind::Choice(c) => {
            for (i, b) in c.choices.iter().enumerate() {
                out.push((format!("rule {}", i + 1), b.next.index));
            }
            if let Some(d) = &c.default {
                out.push(("default".into(), d.index));
            }
        }
        StateKind::Task(t) => {
            out.extend(t.catch.iter().map(|c| (format!("catch {}", c.error_equals.join(", ")), c.next.index)))
        }
        StateKind::Parallel(p) => {
            out.extend(p.catch.iter().map(|c| (format!("catch {}", c.error_equals.join(", ")), c.next.index)))
        }
        StateKind::Map(m) => {
            out.extend(m.catch.iter().map(|c| (format!("catch {}", c.error_equals.join(", ")), c.next.index)))
        }
        _ => {}
    }
    out
}

/// A Graphviz `digraph` of the machine.
pub fn dot(def: &Definition) -> String {
    let mut out = String::from("digraph asl {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n");
    let mut ids = Ids::default();
    dot_scope(&def.body, &mut out, &mut ids, "    ", "");
    out.push_str("}\n");
    out
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot_scope(scope: &Scope, out: &mut String, ids: &mut Ids, indent: &str, prefix: &str) {
    let start = format!("{prefix}start");
    let _ = writeln!(out, "{indent}{start} [shape=circle, label=\"start\"];");
    for (i, state) in scope.states.iter().enumerate() {
        let shape = match state.kind {
            StateKind::Choice(_) => "diamond",
            StateKind::Succeed | StateKind::Fail(_) => "doubleoctagon",
            _ => "box",
        };
        let label = dot_quote(&format!("{}\n{}", state.name, state.kind.type_name()));
        let _ = writeln!(out, "{indent}{} [shape={shape}, label={label}];", node_id(prefix, i));
    }
    if scope.start_index < scope.states.len() {
        let _ = writeln!(out, "{indent}{start} -> {};", node_id(prefix, scope.start_index));
    }
    for (i, state) in scope.states.iter().enumerate() {
        for (label, target) in edges(state) {
            if target < scope.states.len() {
                let attr = if label.is_empty() { String::new() } else { format!(" [label={}]", dot_quote(&label)) };
                let _ = writeln!(out, "{indent}{} -> {}{attr};", node_id(prefix, i), node_id(prefix, target));
            }
        }
        let inner: Vec<&Scope> = match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().collect(),
            StateKind::Map(m) => vec![&m.processor],
            _ => Vec::new(),
        };
        for scope in inner {
            let sub = format!("cluster_{}_", ids.fresh());
            let _ = writeln!(out, "{indent}subgraph {sub} {{\n{indent}    label={};", dot_quote(&state.name));
            dot_scope(scope, out, ids, &format!("{indent}    "), &sub);
            let _ = writeln!(out, "{indent}}}");
            let _ = writeln!(out, "{indent}{} -> {sub}start [style=dashed];", node_id(prefix, i));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_states_and_edges() {
        let def = crate::load(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"}], "Default": "C"}, "B": {"Type": "Succeed"}, "C": {"Type": "Fail"}}}"#,
        )
        .valid()
        .unwrap();
        let m = super::mermaid(&def);
        assert!(m.contains("s0 -->|rule 1| s1"), "{m}");
        assert!(m.contains("s0 -->|default| s2"), "{m}");
        let d = super::dot(&def);
        assert!(d.contains("s0 -> s1 [label=\"rule 1\"];"), "{d}");
    }
}
