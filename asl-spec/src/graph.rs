//! Graph rules: transition targets exist in their own scope, every state is
//! reachable, every scope can end, and state names are unique machine-wide.
//! Resolving targets here also fills in their indexes, so the runtime never
//! looks a state up by name.

use crate::diag::{Code, Diagnostic, Diagnostics, Span, closest, pointer_to};
use crate::model::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Checks the graph of every scope and resolves target indexes.
pub fn check(def: &mut Definition, diags: &mut Diagnostics) {
    let mut everywhere: HashMap<Arc<str>, (Span, usize)> = HashMap::new();
    let mut next_scope_id = 0;
    collect_names(&def.body, &mut next_scope_id, &mut everywhere, diags);
    let mut scope_id = 0;
    check_scope(&mut def.body, "", &mut scope_id, &everywhere, diags);
}

fn collect_names(
    scope: &Scope, next_id: &mut usize, seen: &mut HashMap<Arc<str>, (Span, usize)>, diags: &mut Diagnostics,
) {
    let id = *next_id;
    *next_id += 1;
    for state in &scope.states {
        if let Some((first, _)) = seen.get(&state.name) {
            diags.push(
                Diagnostic::error(Code::DuplicateStateName, format!("state name `{}` is used more than once", state.name))
                    .at(state.span, "used again here")
                    .also(*first, "first used here")
                    .hint("state names must be unique across the whole machine, including Parallel branches and Map processors"),
            );
        } else {
            seen.insert(state.name.clone(), (state.span, id));
        }
        match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| collect_names(b, next_id, seen, diags)),
            StateKind::Map(m) => collect_names(&m.processor, next_id, seen, diags),
            _ => {}
        }
    }
}

/// Each transition of `state`: the field as messages name it, its JSON
/// pointer below the state, and the target.
fn targets_mut(state: &mut State) -> Vec<(&'static str, String, &mut Target)> {
    let mut out: Vec<(&'static str, String, &mut Target)> = Vec::new();
    if let Transition::Next(t) = &mut state.transition {
        out.push(("Next", "Next".into(), t));
    }
    let catch: &mut [Catcher] = match &mut state.kind {
        StateKind::Choice(c) => {
            for (i, b) in c.choices.iter_mut().enumerate() {
                out.push(("Next", format!("Choices/{i}/Next"), &mut b.next));
            }
            if let Some(d) = &mut c.default {
                out.push(("Default", "Default".into(), d));
            }
            &mut []
        }
        StateKind::Task(t) => &mut t.catch,
        StateKind::Parallel(p) => &mut p.catch,
        StateKind::Map(m) => &mut m.catch,
        _ => &mut [],
    };
    for (i, c) in catch.iter_mut().enumerate() {
        out.push(("Catch Next", format!("Catch/{i}/Next"), &mut c.next));
    }
    out
}

fn check_scope(
    scope: &mut Scope, ptr: &str, scope_id: &mut usize, everywhere: &HashMap<Arc<str>, (Span, usize)>,
    diags: &mut Diagnostics,
) {
    let id = *scope_id;
    *scope_id += 1;
    let names: Vec<Arc<str>> = scope.states.iter().map(|s| s.name.clone()).collect();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (&**n, i)).collect();
    let missing = |name: &str, field: &str, span: Span, location: String| {
        let elsewhere = everywhere.get(name).is_some_and(|(_, sid)| *sid != id);
        let message = if elsewhere {
            format!(
                "`{field}` names `{name}`, which is in another scope; transitions cannot cross into or out of a Parallel branch or Map processor"
            )
        } else {
            format!("`{field}` names `{name}`, but there is no state with that name")
        };
        Diagnostic::error(Code::MissingTarget, message)
            .at(span, "no such state here")
            .location(location)
            .maybe_hint(closest(name, names.iter().map(|n| &**n)).map(|c| format!("did you mean `{c}`?")))
    };

    // A misspelled target is taken to mean its closest match, so that one
    // typo does not also report the intended state as unreachable.
    let guess = |name: &str| closest(name, names.iter().map(|n| &**n)).and_then(|c| index.get(c).copied());
    let mut assumed: Vec<(usize, usize)> = Vec::new();
    let unloaded = |name: &str| scope.unloaded.iter().any(|u| u == name);
    match index.get(scope.start_at.as_str()) {
        Some(&i) => scope.start_index = i,
        None if scope.states.is_empty() || unloaded(&scope.start_at) => {}
        None => {
            diags.push(missing(&scope.start_at, "StartAt", scope.start_at_span, format!("{ptr}/StartAt")));
            if let Some(g) = guess(&scope.start_at) {
                scope.start_index = g;
            }
        }
    }
    let unloaded_names = scope.unloaded.clone();
    let states_ptr = pointer_to(ptr, "States");
    for (from, state) in scope.states.iter_mut().enumerate() {
        let sptr = pointer_to(&states_ptr, &state.name);
        for (field, pointer, target) in targets_mut(state) {
            match index.get(target.name.as_str()) {
                Some(&i) => target.index = i,
                None if unloaded_names.contains(&target.name) => {}
                None => {
                    diags.push(missing(&target.name, field, target.span, format!("{sptr}/{pointer}")));
                    if let Some(g) = guess(&target.name) {
                        assumed.push((from, g));
                    }
                }
            }
        }
        match &mut state.kind {
            StateKind::Parallel(p) => {
                for (i, b) in p.branches.iter_mut().enumerate() {
                    check_scope(b, &format!("{sptr}/Branches/{i}"), scope_id, everywhere, diags);
                }
            }
            StateKind::Map(m) => {
                check_scope(&mut m.processor, &format!("{sptr}/ItemProcessor"), scope_id, everywhere, diags)
            }
            _ => {}
        }
    }
    if scope.states.is_empty() {
        return;
    }

    // With a state that failed to load, its edges are unknown, and with a
    // name given twice (a duplicate JSON key) it is unclear which state a
    // transition names: reachability would only produce follow-on errors.
    let duplicated = scope.states.iter().enumerate().any(|(i, s)| scope.states[..i].iter().any(|t| t.name == s.name));
    if scope.start_index != usize::MAX && scope.unloaded.is_empty() && !duplicated {
        let mut reached = vec![false; scope.states.len()];
        let mut stack = vec![scope.start_index];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            stack.extend(scope.states[i].successors().into_iter().filter(|t| t.index != usize::MAX).map(|t| t.index));
            stack.extend(assumed.iter().filter(|(from, _)| *from == i).map(|(_, to)| *to));
        }
        for (state, reached) in scope.states.iter().zip(reached) {
            if !reached {
                diags.push(
                    Diagnostic::error(Code::Unreachable, format!("state `{}` can never be reached", state.name))
                        .at(state.span, "no transition leads here")
                        .location(format!("{ptr}/States/{}", state.name))
                        .hint(format!(
                            "add a `Next`, `Default` or Catch that targets `{}`, or remove the state",
                            state.name
                        )),
                );
            }
        }
    }
    if !scope.states.iter().any(State::is_terminal) && scope.unloaded.is_empty() {
        let message = "no state ends the execution: there is no `End: true`, Succeed or Fail state";
        let location = format!("{ptr}/States");
        let d = Diagnostic::error(Code::NoTerminal, message).at(scope.start_at_span, "").location(location);
        diags.push(d.hint("give the last state `\"End\": true`"));
    }
}
