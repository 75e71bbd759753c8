//! `asl graph --execution HISTORY.json`: what an execution did, read from its
//! history, for [`asl_spec::render::Overlay`]. The history is what `asl run
//! --json` prints, what `GetExecutionHistory` answers (`aws stepfunctions
//! get-execution-history`, from AWS or `asl serve`), or a bare list of its events.

use crate::UsageError;
use asl_spec::render::{Overlay, Visit};
use serde_json::Value;
use std::collections::HashMap;

/// An event's type and the state name its details carry, by event id.
struct Event<'a> {
    kind: &'a str,
    previous: Option<u64>,
    name: Option<&'a str>,
}

/// The overlay of the history in `text` (`name` is the file, for messages).
pub(crate) fn from_history(text: &str, name: &str) -> Result<Overlay, UsageError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| UsageError(format!("{name} is not a history (JSON with an `events` list): {e}")))?;
    let events = match &value {
        Value::Array(events) => events,
        Value::Object(o) => match o.get("events") {
            Some(Value::Array(events)) => events,
            _ => return Err(UsageError(format!("{name} has no `events` list"))),
        },
        _ => return Err(UsageError(format!("{name} is not a history (JSON with an `events` list)"))),
    };
    let mut by_id: HashMap<u64, Event<'_>> = HashMap::new();
    let mut order = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let Some(kind) = event.get("type").and_then(Value::as_str) else {
            return Err(UsageError(format!("{name}: event {} has no `type`", i + 1)));
        };
        let id = event.get("id").and_then(Value::as_u64).unwrap_or(i as u64 + 1);
        let previous = event.get("previousEventId").and_then(Value::as_u64);
        let details = ["stateEnteredEventDetails", "stateExitedEventDetails"].iter().find_map(|k| event.get(*k));
        let name = details.and_then(|d| d.get("name")).and_then(Value::as_str);
        by_id.insert(id, Event { kind, previous, name });
        order.push(id);
    }
    // The state an event belongs to: the nearest entry up its chain of
    // previous events (for a branch's or iteration's events, its own).
    let owner = |mut id: u64| -> Option<&str> {
        for _ in 0..by_id.len() {
            let event = by_id.get(&id)?;
            if event.kind.ends_with("StateEntered") {
                return event.name;
            }
            id = event.previous?;
        }
        None
    };
    let mut overlay = Overlay::default();
    // Task states entered and not yet exited, latest last: a Task's work is
    // scheduled while it is open. (Previous-event chains cross between
    // concurrent branches, so they cannot say whose an attempt is.)
    let mut open: Vec<&str> = Vec::new();
    for id in &order {
        let event = &by_id[id];
        if event.kind.ends_with("StateEntered") {
            if let Some(state) = event.name {
                overlay.states.entry(state.to_string()).or_insert_with(Visit::default).entered += 1;
                let from = event.previous.and_then(|p| by_id.get(&p)).filter(|p| p.kind.ends_with("StateExited"));
                if let Some(from) = from.and_then(|f| f.name) {
                    overlay.taken.insert((from.to_string(), state.to_string()));
                }
                if event.kind == "TaskStateEntered" {
                    open.push(state);
                }
            }
        } else if event.kind.ends_with("StateExited") {
            if let Some(state) = event.name {
                overlay.states.entry(state.to_string()).or_insert_with(Visit::default).exited += 1;
            }
            if let Some(at) = open.iter().rposition(|s| Some(*s) == event.name) {
                open.remove(at);
            }
        } else if event.kind.ends_with("Scheduled") {
            // Each attempt schedules its work once: a state's attempts past its entries are retries.
            if let Some(state) = open.last() {
                overlay.states.entry(state.to_string()).or_insert_with(Visit::default).retries += 1;
            }
        } else if matches!(event.kind, "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted") {
            overlay.failed = event.previous.and_then(owner).map(str::to_string);
        }
    }
    for visit in overlay.states.values_mut() {
        visit.retries = visit.retries.saturating_sub(visit.entered);
    }
    Ok(overlay)
}
