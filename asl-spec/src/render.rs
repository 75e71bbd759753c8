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

/// An SVG drawing of the machine's top-level states, laid out in layers
/// from its start: self-contained (no script, no web font), so it shows
/// wherever HTML does, offline: in rustdoc (the generated module's docs
/// carry it), a browser or an editor's preview. Parallel and Map states say
/// how many branches or which processor they run; `mermaid` or `dot` draw
/// those nested.
pub fn svg(def: &Definition) -> String {
    let states = &def.body.states;
    let n = states.len();
    // Layers: the longest path from the start, over the edges that do not
    // close a loop (found depth first); a loop's edge goes back up.
    let mut back = HashSet::new();
    let mut order = Vec::new(); // reverse topological, as depth first finishes
    let mut colour = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let roots = std::iter::once(def.body.start_index).chain(0..n).filter(|i| *i < n).collect::<Vec<_>>();
    for root in roots {
        if colour[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        colour[root] = 1;
        while let Some((i, k)) = stack.pop() {
            let out = edges(&states[i], i);
            if let Some(e) = out.get(k) {
                stack.push((i, k + 1));
                let t = e.target;
                if t >= n || e.kind == EdgeKind::Retry {
                    continue;
                }
                match colour[t] {
                    0 => {
                        colour[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => {
                        back.insert((i, t));
                    }
                    _ => {}
                }
            } else {
                colour[i] = 2;
                order.push(i);
            }
        }
    }
    let mut layer = vec![0usize; n];
    for &i in order.iter().rev() {
        for e in edges(&states[i], i) {
            if e.target < n && e.kind != EdgeKind::Retry && !back.contains(&(i, e.target)) {
                layer[e.target] = layer[e.target].max(layer[i] + 1);
            }
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    const H: f64 = 42.0;
    const GAP_X: f64 = 36.0;
    const GAP_Y: f64 = 70.0;
    const TOP: f64 = 60.0;
    let width_of =
        |s: &State| (s.name.chars().count().max(s.kind.type_name().len() + 12) as f64 * 7.2 + 28.0).max(110.0);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, l) in layer.iter().enumerate() {
        rows[*l].push(i);
    }
    let row_width = |row: &Vec<usize>| {
        row.iter().map(|i| width_of(&states[*i])).sum::<f64>() + GAP_X * (row.len().max(1) - 1) as f64
    };
    // Room on the left for loops back up, on the right for retry labels.
    const LEFT: f64 = 110.0;
    let widest = rows.iter().map(row_width).fold(200.0, f64::max);
    let retry_room = states
        .iter()
        .flat_map(|s| edges(s, 0))
        .filter(|e| e.kind == EdgeKind::Retry)
        .map(|e| short(&e.label).chars().count() as f64 * 5.6 + 50.0)
        .fold(60.0, f64::max);
    let canvas = LEFT + widest + retry_room;
    let mut pos = vec![(0.0, 0.0, 0.0); n]; // centre x, top y, width
    for (l, row) in rows.iter().enumerate() {
        let mut x = LEFT + (widest - row_width(row)) / 2.0;
        for &i in row {
            let w = width_of(&states[i]);
            pos[i] = (x + w / 2.0, TOP + l as f64 * (H + GAP_Y), w);
            x += w + GAP_X;
        }
    }
    let bottom = TOP + layers as f64 * (H + GAP_Y);
    let height = bottom + 40.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{canvas:.0}" height="{height:.0}" viewBox="0 0 {canvas:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif" font-size="12">"##
    );
    out.push_str(r##"<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##);
    let centre = LEFT + widest / 2.0;
    let _ = write!(
        out,
        r##"<circle cx="{centre:.1}" cy="22" r="12" fill="#333"/><text x="{:.1}" y="26" font-size="10" fill="#333">start</text>"##,
        centre + 18.0
    );
    let line = |out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), label: &str, dashed: bool| {
        let dash = if dashed { r#" stroke-dasharray="5,4""# } else { "" };
        let _ = write!(
            out,
            r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#555"{dash} marker-end="url(#a)"/>"##
        );
        if !label.is_empty() {
            // Near the source, on the outer side of the edge, so that the
            // labels of a Choice's edges do not meet.
            let (mx, my) = (x1 + (x2 - x1) * 0.3, y1 + (y2 - y1) * 0.3 + 4.0);
            let (anchor, dx) = if x2 < x1 - 1.0 { ("end", -6.0) } else { ("start", 6.0) };
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{my:.1}" font-size="10" fill="#333" text-anchor="{anchor}" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                mx + dx,
                xml(label)
            );
        }
    };
    if def.body.start_index < n {
        let (x, y, _) = pos[def.body.start_index];
        line(&mut out, (centre, 34.0), (x, y - 2.0), "", false);
    }
    let mut ends = false;
    let mut on_top = String::new();
    for (i, state) in states.iter().enumerate() {
        let (x, y, w) = pos[i];
        for (k, e) in edges(state, i).into_iter().enumerate() {
            if e.target >= n {
                continue;
            }
            let dashed = e.kind != EdgeKind::Next;
            let (tx, ty, tw) = pos[e.target];
            if e.kind == EdgeKind::Retry {
                let (rx, ry) = (x + w / 2.0, y + H / 2.0);
                let _ = write!(
                    out,
                    r##"<path d="M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="none" stroke="#555" stroke-dasharray="5,4" marker-end="url(#a)"/>"##,
                    rx,
                    ry - 8.0,
                    rx + 34.0,
                    ry - 26.0,
                    rx + 34.0,
                    ry + 26.0,
                    rx + 2.0,
                    ry + 8.0
                );
                // Drawn last: a state to the right would hide it.
                let _ = write!(
                    on_top,
                    r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                    rx + 36.0,
                    ry + 4.0,
                    xml(&short(&e.label))
                );
            } else if !back.contains(&(i, e.target)) {
                line(&mut out, (x, y + H), (tx, ty - 2.0), &e.label, dashed);
            } else {
                // Back to an earlier (or the same) layer: around the left side.
                let (sx, sy) = (x - w / 2.0, y + H / 2.0);
                let (ex, ey) = (tx - tw / 2.0 - 2.0, ty + H / 2.0);
                // Left of every state on the way back up.
                let (low, high) = (layer[e.target].min(layer[i]), layer[e.target].max(layer[i]));
                let leftmost = (0..n)
                    .filter(|j| (low..=high).contains(&layer[*j]))
                    .map(|j| pos[j].0 - pos[j].2 / 2.0)
                    .fold(f64::MAX, f64::min);
                let bend = (leftmost - 30.0 - 12.0 * k as f64).max(8.0);
                let dash = if dashed { r#" stroke-dasharray="5,4""# } else { "" };
                let _ = write!(
                    out,
                    r##"<path d="M{sx:.1},{sy:.1} C{bend:.1},{sy:.1} {bend:.1},{ey:.1} {ex:.1},{ey:.1}" fill="none" stroke="#555"{dash} marker-end="url(#a)"/>"##
                );
                if !e.label.is_empty() {
                    let _ = write!(
                        out,
                        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#333" text-anchor="end" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                        bend - 2.0,
                        (sy + ey) / 2.0,
                        xml(&e.label)
                    );
                }
            }
        }
        if state.is_terminal() {
            ends = true;
            line(&mut out, (x, y + H), (centre, bottom - 14.0), "", false);
        }
    }
    if ends {
        let _ = write!(
            out,
            r##"<circle cx="{centre:.1}" cy="{:.1}" r="12" fill="none" stroke="#333" stroke-width="2"/><circle cx="{centre:.1}" cy="{:.1}" r="7" fill="#333"/>"##,
            bottom, bottom
        );
    }
    for (i, state) in states.iter().enumerate() {
        let (x, y, w) = pos[i];
        let (fill, stroke) = match state.kind {
            StateKind::Task(_) => ("#e8f0fe", "#3b6fd4"),
            StateKind::Choice(_) => ("#fff6d5", "#b08900"),
            StateKind::Succeed => ("#d8f0d8", "#2d7d2d"),
            StateKind::Fail(_) => ("#f6cccc", "#b00000"),
            StateKind::Parallel(_) | StateKind::Map(_) => ("#efe8fb", "#6a45b8"),
            _ => ("#f4f4f4", "#777"),
        };
        let left = x - w / 2.0;
        match state.kind {
            StateKind::Choice(_) => {
                let _ = write!(
                    out,
                    r##"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{fill}" stroke="{stroke}"/>"##,
                    x,
                    y - 6.0,
                    left + w,
                    y + H / 2.0,
                    x,
                    y + H + 6.0,
                    left,
                    y + H / 2.0
                );
            }
            _ => {
                let radius = if matches!(state.kind, StateKind::Succeed | StateKind::Fail(_)) { 18 } else { 6 };
                let _ = write!(
                    out,
                    r##"<rect x="{left:.1}" y="{y:.1}" width="{w:.1}" height="{H}" rx="{radius}" fill="{fill}" stroke="{stroke}"/>"##
                );
            }
        }
        let kind = match &state.kind {
            StateKind::Parallel(p) => format!("Parallel, {} branches", p.branches.len()),
            StateKind::Map(m) => format!("Map, {} states each", m.processor.states.len()),
            other => other.type_name().to_string(),
        };
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"##,
            y + 18.0,
            xml(&state.name)
        );
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#555">{}</text>"##,
            y + 33.0,
            xml(&kind)
        );
    }
    out.push_str(&on_top);
    out.push_str("</svg>");
    out
}

/// Text for SVG: XML's markup characters as entities, control characters as spaces.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
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
    fn the_svg_lays_states_out_in_layers_and_escapes_names() {
        let def = load(
            r#"{"StartAt": "a<b", "States": {"a<b": {"Type": "Pass", "Next": "Check"},
              "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Work"}], "Default": "Done"},
              "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                       "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}], "Next": "Check"},
              "Done": {"Type": "Succeed"}}}"#,
        );
        let s = svg(&def);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && s.ends_with("</svg>"));
        assert!(s.contains(">a&lt;b</text>") && !s.contains(">a<b<"), "names are escaped");
        assert!(s.contains(">$.n &lt; 3</text>") && s.contains(">default</text>"), "Choice edges: {s}");
        assert!(s.contains(">retry Busy ×2</text>"), "retries: {s}");
        // Work → Check goes back up: a curve, not a line.
        assert_eq!(s.matches("fill=\"none\" stroke=\"#555\"").count(), 2, "the loop back and the retry: {s}");
        let top_of = |name: &str| {
            let at = s.find(&format!(">{name}</text>")).unwrap();
            let y = s[..at].rsplit("y=\"").next().unwrap();
            y[..y.find('"').unwrap()].parse::<f64>().unwrap()
        };
        assert!(top_of("a&lt;b") < top_of("Check") && top_of("Check") < top_of("Work"), "layers go down");
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
