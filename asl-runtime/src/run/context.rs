//! The context object (`$$`) of one state, and the roots (`$`, `$$`,
//! variables) that paths and JSONata read.

use crate::callbacks;
use crate::clock::format_timestamp;
use crate::jsonata;
use crate::jsonpath::Roots;
use crate::variables::Variables;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::{Map as JsonMap, Value};
use std::sync::OnceLock;

use crate::run::Run;

/// The context object of one state, built only if a path asks for `$$`.
///
/// Every waiting execution holds one across its await, so it is kept small:
/// the run gives the clock and the execution's facts, the state is referred
/// to whole.
pub(super) struct StateContext<'a> {
    pub(super) run: &'a Run<'a>,
    pub(super) state: &'a State,
    /// Noted on entry when the state reads the context (or history is kept).
    pub(super) entered_time: Option<Timestamp>,
    pub(super) retry_count: Option<u32>,
    pub(super) value: OnceLock<Box<Value>>,
    pub(super) task_token: Option<Box<str>>,
    /// `$$.Map.Item` while evaluating a Map state's `ItemSelector`.
    pub(super) map_item: Option<(usize, &'a Value)>,
    /// The workflow variables as the state entered.
    pub(super) variables: &'a Variables,
}

impl<'a> StateContext<'a> {
    /// `$$.State`, `$$.Map` and `$$.Task`: small, built on first use.
    fn own_members(&self) -> &Value {
        self.value.get_or_init(|| {
            let mut own = JsonMap::new();
            let mut state = JsonMap::new();
            state.insert("Name".into(), Value::String(self.state.name.to_string()));
            let entered = self.entered_time.unwrap_or_else(|| self.run.now());
            state.insert("EnteredTime".into(), Value::String(format_timestamp(entered)));
            if let Some(n) = self.retry_count {
                state.insert("RetryCount".into(), Value::from(n));
            }
            own.insert("State".into(), Value::Object(state));
            if let Some((index, value)) = self.map_item {
                let mut item = JsonMap::new();
                item.insert("Index".into(), Value::from(index));
                item.insert("Value".into(), value.clone());
                let mut map = JsonMap::new();
                map.insert("Item".into(), Value::Object(item));
                own.insert("Map".into(), Value::Object(map));
            }
            if let Some(token) = &self.task_token {
                let mut task = JsonMap::new();
                task.insert("Token".into(), Value::String(token.to_string()));
                own.insert("Task".into(), Value::Object(task));
            }
            Box::new(Value::Object(own))
        })
    }

    /// This state's context for one Task attempt.
    pub(super) fn for_attempt(&self, retry_count: u32, task_token: Option<Box<str>>) -> StateContext<'a> {
        self.derived(Some(retry_count), task_token.or_else(|| self.task_token.clone()), self.map_item)
    }

    /// This (Map) state's context while its `ItemSelector` reads item `index`
    /// (`$$.Map.Item`).
    pub(super) fn for_item(&self, index: usize, item: &'a Value) -> StateContext<'a> {
        self.derived(None, None, Some((index, item)))
    }

    /// The same state's context with these members of its own.
    fn derived(
        &self, retry_count: Option<u32>, task_token: Option<Box<str>>, map_item: Option<(usize, &'a Value)>,
    ) -> StateContext<'a> {
        StateContext { value: OnceLock::new(), retry_count, task_token, map_item, ..*self }
    }

    pub(super) fn member(&self, name: &str) -> Option<&Value> {
        match name {
            "Execution" => Some(&self.run.info.members().0),
            "StateMachine" => Some(&self.run.info.members().1),
            other => self.own_members().get(other),
        }
    }

    /// The whole context object, in AWS's member order.
    pub(super) fn whole(&self) -> Value {
        let mut ctx = JsonMap::new();
        for name in ["Execution", "StateMachine", "State", "Map", "Task"] {
            if let Some(v) = self.member(name) {
                ctx.insert(name.into(), v.clone());
            }
        }
        Value::Object(ctx)
    }
}

/// `$` is some value, `$$` the state's context.
pub(super) struct Env<'a> {
    pub(super) input: &'a Value,
    pub(super) context: &'a StateContext<'a>,
}

impl Roots for Env<'_> {
    fn input(&self) -> &Value {
        self.input
    }
    fn context_member(&self, name: &str) -> Option<&Value> {
        self.context.member(name)
    }
    fn context(&self) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Owned(self.context.whole())
    }
    fn variable(&self, name: &str) -> Option<&Value> {
        self.context.variables.get(name)
    }
}

impl jsonata::StateView for StateContext<'_> {
    fn context(&self) -> Option<Value> {
        self.state.reads_context.then(|| self.whole())
    }
    fn variables(&self) -> &Variables {
        self.variables
    }
    fn budget(&self) -> jsonata::Budget {
        let (run, limit) = (self.run, self.run.exec.limits.max_evaluation_time);
        let interrupts = run.info.interrupts.as_deref();
        let left = interrupts.and_then(|i| i.deadline).map(|deadline| {
            let span = deadline.duration_since(run.now());
            std::time::Duration::try_from(span).unwrap_or(std::time::Duration::ZERO)
        });
        jsonata::Budget {
            time: left.map_or(limit, |left| left.min(limit)),
            result_bytes: run.exec.limits.max_payload_bytes.saturating_mul(4),
            cancel: interrupts.and_then(|i| i.cancel.clone()),
            ends_execution: left.is_some_and(|left| left <= limit),
        }
    }
    fn deadline_passed(&self) -> bool {
        let Some(interrupts) = self.run.info.interrupts.as_deref() else { return false };
        let passed = interrupts.deadline.is_some_and(|deadline| self.run.now() >= deadline);
        if passed {
            interrupts.deadline_hit.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        passed
    }
}

impl<'a> Run<'a> {
    /// The state's context object (built only if read). Returned on its
    /// own, not inside a `Result`, so it is built in place.
    pub(super) fn context<'s>(
        &'s self, state: &'s State, entered_time: Option<Timestamp>, variables: &'s Variables,
    ) -> StateContext<'s> {
        let retry_count = matches!(state.kind, StateKind::Task(_)).then_some(0);
        // `$$.Task.Token` exists for callback tasks only, one token per state entry.
        let task_token = match &state.kind {
            StateKind::Task(t) if t.integration == Integration::WaitForTaskToken => {
                Some(Box::from(callbacks::new_token()))
            }
            _ => None,
        };
        StateContext {
            run: self,
            state,
            entered_time,
            retry_count,
            value: OnceLock::new(),
            task_token,
            map_item: None,
            variables,
        }
    }
}
