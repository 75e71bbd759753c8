//! One execution in progress: the scope loop that runs a branch of states
//! from its `StartAt` to its end, and how a state hands its output to the next.

mod catch;
mod context;
mod dataflow;
mod events;
mod instant;
mod map;
mod map_io;
mod parallel;
mod redrive;
mod resolve;
mod spread;
mod task;
#[cfg(test)]
mod tests;
mod wait;

use crate::clock::format_timestamp;
use crate::error::{StatesError, names};
use crate::history::EventType;
use crate::history::{EventDetails, History};
use crate::identity::Names;
use crate::jsonata;
use crate::size::{self, Bound};
use crate::variables::Variables;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::{Map as JsonMap, Value};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

use crate::clock::Clock;
use crate::identity::Identity;
use crate::limits::Limits;
use crate::plan::{Plan, Step};
use crate::run::context::Env;
use crate::run::dataflow::{assign_jsonpath, jsonata_outcome, output_or};
use crate::run::task::TaskInput;
use crate::store::ObjectStore;
use crate::task::TaskHandler;
pub(crate) use catch::RetryPolicy;
pub(crate) use redrive::{FrameLog, Resume};

/// Execution-wide facts for the context object; the names are the
/// executor's, shared by all its executions.
pub(crate) struct RunInfo<'e> {
    /// The execution's and machine's ids and names (the executor's).
    pub(crate) names: &'e Arc<Names>,
    /// When the execution started, in milliseconds since the epoch (the
    /// precision `$$.Execution.StartTime` shows; one word, not two).
    pub(crate) start_ms: i64,
    /// The execution input, kept only when a state reads `$$`.
    pub(crate) input: Option<Box<Value>>,
    /// The execution input as given, when it came as text.
    /// (A reference to the caller's `&str`: one word, not two, in every
    /// parked execution.)
    pub(crate) input_text: Option<&'e &'e str>,
    /// `$$.Execution` and `$$.StateMachine`, built once per execution.
    pub(crate) members: OnceLock<Box<(Value, Value)>>,
    /// What may interrupt an expression being evaluated, for an execution
    /// with a `TimeoutSeconds` or a stopper (boxed: every parked execution
    /// holds this, and most have neither).
    pub(crate) interrupts: Option<Box<Interrupts>>,
    /// `$$.Execution.RedriveCount`: how often the execution was redriven.
    pub(crate) redrive_count: u32,
}

/// What may interrupt an expression being evaluated.
#[derive(Debug, Default)]
pub(crate) struct Interrupts {
    /// When the machine's `TimeoutSeconds` runs out, if it has one: an
    /// expression evaluated then may take no longer than what is left.
    pub(crate) deadline: Option<Timestamp>,
    /// Set when an evaluation was cut short by that deadline: the
    /// execution then ends `TIMED_OUT`, as the deadline would have ended it.
    pub(crate) deadline_hit: std::sync::atomic::AtomicBool,
    /// Cancelled by the execution's [`Stopper`](crate::Stopper), so that a
    /// stop interrupts an expression being evaluated.
    pub(crate) cancel: Option<jlens_core::CancelToken>,
}

impl RunInfo<'_> {
    /// `$$.Execution` and `$$.StateMachine` with the members of `context`
    /// (a context object, as TestState takes one) over this run's own.
    pub(crate) fn override_context(&mut self, context: &JsonMap<String, Value>) {
        let (mut execution, mut machine) = self.members().clone();
        for (key, slot) in [("Execution", &mut execution), ("StateMachine", &mut machine)] {
            if let (Some(Value::Object(given)), Value::Object(own)) = (context.get(key), slot) {
                own.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        self.members = OnceLock::from(Box::new((execution, machine)));
    }

    fn members(&self) -> &(Value, Value) {
        // Boxed: a `Value` is 72 bytes, and most executions never build these.
        self.members.get_or_init(|| {
            let mut execution = JsonMap::new();
            execution.insert("Id".into(), Value::String(self.names.execution_id.to_string()));
            execution.insert("Input".into(), self.input.as_deref().cloned().unwrap_or_default());
            let start = Timestamp::from_millisecond(self.start_ms).unwrap_or(Timestamp::UNIX_EPOCH);
            execution.insert("StartTime".into(), Value::String(format_timestamp(start)));
            execution.insert("Name".into(), Value::String(self.names.execution_name.to_string()));
            execution.insert("RoleArn".into(), Value::String(self.names.role_arn.to_string()));
            execution.insert("RedriveCount".into(), Value::from(self.redrive_count));
            let mut machine = JsonMap::new();
            machine.insert("Id".into(), Value::String(self.names.state_machine_id.to_string()));
            machine.insert("Name".into(), Value::String(self.names.state_machine_name.to_string()));
            Box::new((Value::Object(execution), Value::Object(machine)))
        })
    }
}

/// `v`'s JSON text, allocated at its exact length: history keeps these texts
/// for the whole execution, and `serde_json::to_string` gives each one at
/// least 128 bytes of capacity. Written into a reused buffer, then copied.
pub(crate) fn to_text(v: &Value) -> String {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let Ok(mut buffer) = buffer.try_borrow_mut() else { return serde_json::to_string(v).unwrap_or_default() };
        buffer.clear();
        // serde_json writes only UTF-8; an error leaves no text.
        match serde_json::to_writer(&mut *buffer, v) {
            Ok(()) => std::str::from_utf8(&buffer).map(str::to_owned).unwrap_or_default(),
            Err(_) => String::new(),
        }
    })
}

/// The Task state a Parallel branch or an inline Map iteration is in: set
/// while the Task runs and left set if it fails there. AWS closes such a
/// Task with `TaskStateAborted` when the branch or iteration ends with it
/// failed, or is aborted because another one failed. (A Task whose failure
/// ends the execution itself, outside any branch, gets no such event.)
#[derive(Default)]
struct OpenTask(std::sync::atomic::AtomicBool);

/// Where a scope notes whether it is in a Task: an [`OpenTask`], or
/// nowhere (`()`).
trait NotesTask: Copy + Send + Sync {
    fn note(self, open: bool);
}

impl NotesTask for () {
    fn note(self, _: bool) {}
}

impl NotesTask for &OpenTask {
    fn note(self, open: bool) {
        self.0.store(open, std::sync::atomic::Ordering::Relaxed);
    }
}

impl OpenTask {
    /// Whether a Task is open; the marker is cleared.
    fn take(&self) -> bool {
        self.0.swap(false, std::sync::atomic::Ordering::Relaxed)
    }
}

/// Where a scope starts: at its `StartAt` (`()`), or at the state of that
/// index (a redriven scope).
trait StartsAt: Copy + Send {
    fn index(self, scope: &Scope) -> usize;
}

impl StartsAt for () {
    fn index(self, scope: &Scope) -> usize {
        scope.start_index
    }
}

impl StartsAt for usize {
    fn index(self, _: &Scope) -> usize {
        self
    }
}

/// Where a state sends the execution next.
enum Flow {
    /// Go on to another state.
    Next(Next),
    End(Value),
}

/// What a state produced: its output, where it goes next (`None`: the
/// scope ends), a bound of the output's size, and the variables it assigned.
struct Done {
    output: Value,
    next: Option<usize>,
    bound: Bound,
    assigned: Assigned,
}

/// The variables a state assigned, if it has `Assign` (boxed: most states
/// have none, and what they hand around stays small).
type Assigned = Option<Box<JsonMap<String, Value>>>;

/// The state to run next and its input.
struct Next {
    index: usize,
    input: Value,
    /// The input's JSON text, if history already wrote it.
    text: Option<String>,
    /// A bound of the input's size, within the payload limit.
    bound: Bound,
}

/// What the states of every execution of one executor call on: how tasks
/// run, the clock, the identity, the limits, the object store and the
/// threads instant work may spread over. (The executor owns it; a run only
/// borrows it, so this module does not depend on the executor.)
#[derive(Clone)]
pub(crate) struct Services {
    pub(crate) handler: Arc<dyn TaskHandler>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) identity: Identity,
    pub(crate) limits: Limits,
    pub(crate) object_store: Option<Arc<dyn ObjectStore>>,
    /// Threads a Map's or Parallel's instant work may spread over.
    pub(crate) parallelism: usize,
    /// How each state runs (the plan of the executor's definition).
    pub(crate) plan: Arc<Plan>,
    /// Where a replayed attempt notes where each scope stands, for a
    /// redrive to go on from (see [`redrive`]).
    pub(crate) frames: Option<Arc<FrameLog>>,
    /// What answers for a Parallel's branches or a Map's iterations, given
    /// the effective input, instead of running them (TestState's mock).
    pub(crate) stand_in: Option<StandIn>,
    /// What Wait states and retry intervals are multiplied by (Step
    /// Functions Local's `WAIT_TIME_SCALE`; 1 on AWS).
    pub(crate) wait_scale: f64,
    /// The generated `State` enum's variant names, by state id (empty for
    /// a definition loaded at run time): the `variant` of a state's span.
    pub(crate) variants: &'static [&'static str],
}

impl Services {
    /// Sleeps for a Wait state's or a retry's `duration`, scaled.
    pub(crate) async fn pause(&self, duration: Duration) {
        let duration = if self.wait_scale == 1.0 { duration } else { duration.mul_f64(self.wait_scale) };
        if !duration.is_zero() {
            self.clock.sleep(duration).await;
        }
    }
}

/// See [`Services::stand_in`].
pub(crate) type StandIn = Arc<dyn Fn(&Value) -> Result<Value, StatesError> + Send + Sync>;

/// One execution in progress. Shared by concurrent branches and iterations,
/// so its history takes events through a shared reference.
pub(crate) struct Run<'a> {
    pub(crate) exec: &'a Services,
    pub(crate) history: History,
    pub(crate) info: &'a RunInfo<'a>,
}

fn next_of(state: &State) -> Option<usize> {
    match &state.transition {
        Transition::Next(t) => Some(t.index),
        _ => None,
    }
}

/// A value as AWS prints it inside a cause: strings bare, the rest as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => to_text(other),
    }
}

impl<'a> Run<'a> {
    pub(crate) fn history(&self) -> &History {
        &self.history
    }

    /// Records an event with no details.
    fn mark(&self, event_type: EventType) {
        self.history().record(event_type, || self.now(), || None);
    }

    /// Records an event whose time and details are taken only when history is kept.
    fn event(&self, event_type: EventType, details: impl FnOnce() -> EventDetails) {
        self.history().record(event_type, || self.now(), || Some(details()));
    }

    fn now(&self) -> Timestamp {
        self.exec.clock.now()
    }

    /// A run of the same execution that only counts its events, from this
    /// run's count on: what a thread works in, or a child execution.
    fn counting_from(&self, count: u64) -> Run<'a> {
        let history = History::new(false);
        history.count_only(count);
        Run { exec: self.exec, history, info: self.info }
    }

    /// Fails with `States.Runtime` once the history holds as many events as
    /// the limit allows. Checked before each state and each retry (a Task
    /// retried without end would otherwise grow the history without end).
    #[inline(always)]
    fn within_history_limit(&self) -> Result<(), StatesError> {
        let limit = self.exec.limits.max_history_events;
        if self.history().count() < limit {
            return Ok(());
        }
        Err(StatesError::new(
            names::RUNTIME,
            format!("The execution reached the maximum number of history events ({limit})."),
        ))
    }

    /// Runs a scope to its end; `variables` are the ones it starts with
    /// (`slot`: which branch or iteration it is, for a redrive).
    pub(crate) fn scope<'s>(
        &'s self, scope: &'s Scope, input: Value, variables: Variables, slot: usize,
    ) -> crate::clock::BoxFuture<'s, Result<Value, StatesError>> {
        self.framed(slot, Box::pin(self.scope_inner(scope, (), input, variables, ())))
    }

    /// [`Run::scope`] for a Parallel branch or an inline Map iteration,
    /// which notes in `open` the Task it is in (see [`OpenTask`]).
    fn scope_in<'s>(
        &'s self, scope: &'s Scope, input: Value, variables: Variables, open: &'s OpenTask, slot: usize,
    ) -> crate::clock::BoxFuture<'s, Result<Value, StatesError>> {
        self.framed(slot, Box::pin(self.scope_inner(scope, (), input, variables, open)))
    }

    /// (Generic over where it notes its Task so that a scope that notes
    /// none, like the execution's own, keeps no room for it while parked;
    /// and over where it starts, so that one that starts at `StartAt`
    /// keeps no room for the index of another state.)
    async fn scope_inner(
        &self, scope: &Scope, start: impl StartsAt, input: Value, mut variables: Variables, open: impl NotesTask,
    ) -> Result<Value, StatesError> {
        let mut next = Next { index: start.index(scope), input, text: None, bound: size::UNKNOWN };
        loop {
            // A borrowed local keeps its room in the future until its block
            // ends, so `at` lives in a block that a plain task's await is
            // in and the other waits (a parked Wait) are not.
            let (state, input, text) = {
                let mut at = next;
                let Some(state) = self.run_instant(scope, &mut at, &mut variables)? else { return Ok(at.input) };
                if self.exec.frames.is_some() {
                    self.note_state(at.index, &at.input, &variables);
                }
                if matches!(state.kind, StateKind::Task(_)) {
                    open.note(true);
                }
                // A Task that fails returns here and stays open.
                // (Traced, a plain Task takes the general path, where its
                // attempts have spans: the plain path stays as lean as it was.)
                if let Some(task) = self.exec.plan.plain_task(state).filter(|_| !crate::trace::enabled()) {
                    // The most common wait: a task's call and nothing else.
                    let (task, call) = self.start_plain_task(state, task, &mut at, &variables)?;
                    let outcome = call.await;
                    let more = self.finish_plain_task(task, outcome, &mut at, &mut variables)?;
                    open.note(false);
                    if !more {
                        return Ok(at.input);
                    }
                    next = at;
                    continue;
                }
                (state, at.input, at.text)
            };
            // Traced, the state's future is boxed in its span: untraced, a
            // parked execution holds no span.
            let flow = self.traced_waiting_state(state, input, text, &mut variables).await?;
            open.note(false);
            next = match flow {
                Flow::Next(next) => next,
                Flow::End(output) => return Ok(output),
            };
        }
    }

    /// Runs states that never wait (Pass, Choice, Succeed, Fail) from `at`
    /// without building a future, until the scope ends (`None`, its output
    /// left in `at.input`) or reaches a state that waits, which is given
    /// back to run on `at`.
    fn run_instant<'s>(
        &self, scope: &'s Scope, at: &mut Next, variables: &mut Variables,
    ) -> Result<Option<&'s State>, StatesError> {
        loop {
            self.within_history_limit()?;
            let state = scope.states.get(at.index).ok_or_else(|| {
                StatesError::new(
                    names::RUNTIME,
                    format!("the definition has no state at index {}; was it validated?", at.index),
                )
            })?;
            if self.exec.plan.of_state(state).step != Step::Instant {
                return Ok(Some(state));
            }
            if self.exec.frames.is_some() {
                self.note_state(at.index, &at.input, variables);
            }
            // The payload stays in `at`, changed in place, state to state.
            // Its span, when traced (a check of a static otherwise: one loop
            // for both measured leaner than a copy of it for each).
            let _span = crate::trace::enabled().then(|| crate::trace::state(state, self.exec.variants).entered());
            if !self.instant_state(state, at, variables)? {
                return Ok(None);
            }
        }
    }

    /// Checks the output's size (walking it only when its bound is past the
    /// limit), records the exit (`at` that time, if given) with the
    /// variables assigned, and says where to go.
    #[inline(always)]
    fn leave(
        &self, state: &State, output: Value, (next, bound): (Option<usize>, Bound), at: Option<Timestamp>,
        assigned: Option<&JsonMap<String, Value>>,
    ) -> Result<Flow, StatesError> {
        let mut to = Next { index: 0, input: output, text: None, bound };
        Ok(if self.leave_in(state, &mut to, (next, bound), at, assigned)? {
            Flow::Next(to)
        } else {
            Flow::End(to.input)
        })
    }

    /// [`Run::leave`] with the output in `to.input`, where it stays: fills
    /// in the rest of `to` and says whether there is a next state.
    #[inline(always)]
    fn leave_in(
        &self, state: &State, to: &mut Next, (next, bound): (Option<usize>, Bound), at: Option<Timestamp>,
        assigned: Option<&JsonMap<String, Value>>,
    ) -> Result<bool, StatesError> {
        let limit = self.exec.limits.max_payload_bytes;
        // With history the output is written out anyway: its length is the size.
        let text = self.history().enabled().then(|| to_text(&to.input));
        let bound = match &text {
            Some(text) => Some(text.len()).filter(|&len| len <= limit),
            None if bound <= limit => Some(bound),
            None => size::fitting_bound(&to.input, limit),
        };
        let Some(bound) = bound else {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    state.name
                ),
            ));
        };
        to.text = self.record_exited(state, text, at, assigned);
        to.bound = bound;
        match next {
            Some(index) => {
                to.index = index;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Leaves `state` with the output in `to.input` ([`Run::leave_in`], `at`
    /// that time if given); the variables it assigned take effect as it
    /// ends. (In line: the states that run without a future end here.)
    #[inline(always)]
    fn end_in(
        &self, state: &State, to: &mut Next, (next, bound, assigned): (Option<usize>, Bound, Assigned),
        at: Option<Timestamp>, variables: &mut Variables,
    ) -> Result<bool, StatesError> {
        let more = self.leave_in(state, to, (next, bound), at, assigned.as_deref())?;
        if let Some(assigned) = assigned {
            variables.assign(*assigned);
        }
        Ok(more)
    }

    /// Runs `state` alone (TestState): the next state's index (`None`: the
    /// scope ends) and the output, or the error the state raised.
    pub(crate) async fn one_state(
        &self, state: &State, input: Value, variables: &mut Variables,
    ) -> Result<(Option<usize>, Value), StatesError> {
        if self.exec.plan.of_state(state).step == Step::Instant {
            let mut at = Next { index: 0, input, text: None, bound: size::UNKNOWN };
            let more = self.instant_state(state, &mut at, variables)?;
            return Ok((more.then_some(at.index), at.input));
        }
        match self.waiting_state(state, input, None, variables).await? {
            Flow::Next(next) => Ok((Some(next.index), next.input)),
            Flow::End(output) => Ok((None, output)),
        }
    }

    /// [`Run::waiting_state`], polled in the state's span when traced.
    fn traced_waiting_state<'s>(
        &'s self, state: &'s State, input: Value, text: Option<String>, variables: &'s mut Variables,
    ) -> crate::trace::Traced<impl std::future::Future<Output = Result<Flow, StatesError>> + 's> {
        crate::trace::Traced::new(
            crate::trace::state_if_traced(state, self.exec.variants),
            self.waiting_state(state, input, text, variables),
        )
    }

    /// Task, Wait, Parallel and Map.
    async fn waiting_state(
        &self, state: &State, input: Value, text: Option<String>, variables: &mut Variables,
    ) -> Result<Flow, StatesError> {
        let (entered, entered_time) = self.enter(state, &input, text);
        let context = self.context(state, entered_time, variables);
        // Not a closure: one held across the awaits below would be stored in
        // every waiting execution.
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let outcome = match &state.kind {
            StateKind::Wait(wait) => {
                let waited = if jsonata {
                    let env = Env { input: &input, context: &context };
                    let duration = self.wait_duration(wait, &env).map_err(|f| self.fail_in(state, entered, f))?;
                    let scope = jsonata::Scope::new(&input, None, None, &context);
                    jsonata_outcome(state.assign.as_ref(), state.output.as_ref(), scope)
                        .map(|(output, assigned)| ((output_or(output, input, |input| input), assigned), duration))
                } else {
                    self.through(state, input, &context, |env| {
                        let duration = self.wait_duration(wait, env)?;
                        Ok((duration, assign_jsonpath(state.assign.as_ref(), env)?))
                    })
                    .map(|(output, (duration, assigned))| ((output, assigned), duration))
                };
                let ((output, assigned), duration) = waited.map_err(|f| self.fail_in(state, entered, f))?;
                if !duration.is_zero() {
                    self.exec.pause(duration).await;
                }
                Ok(Done { output, next: next_of(state), bound: size::UNKNOWN, assigned })
            }
            StateKind::Task(task) => {
                let (input, outcome) = if self.exec.plan.of_state(state).consumes_input {
                    (Value::Null, Box::pin(self.task(state, task, TaskInput::Owned(input), &context, entered)).await)
                } else {
                    let outcome =
                        Box::pin(self.task(state, task, TaskInput::Borrowed(&input), &context, entered)).await;
                    (input, outcome)
                };
                match outcome {
                    Ok((result, retries)) => {
                        // `ResultSelector` sees the final `$$.State.RetryCount`.
                        let context = context.for_attempt(retries, None);
                        Ok(self
                            .finish_result(state, input, result, &context)
                            .map_err(|f| self.fail_in(state, entered, f))?)
                    }
                    Err(error) => Err((error, input, &task.catch)),
                }
            }
            StateKind::Parallel(parallel) => {
                let effective =
                    self.effective_input(state, &input, &context).map_err(|f| self.fail_in(state, entered, f))?;
                // Boxed, like Map: their futures are large, and rare next to
                // the states every scope runs. The effective input moves in.
                match Box::pin(self.parallel(state, parallel, effective, context.variables)).await {
                    Ok(result) => Ok(self
                        .finish_result(state, input, result, &context)
                        .map_err(|f| self.fail_in(state, entered, f))?),
                    Err(error) => Err((error, input, &parallel.catch)),
                }
            }
            StateKind::Map(map) => {
                // The Map reads its effective input itself, inside its boxed
                // future (an `InputPath` failure is `States.Runtime`, which
                // no catcher takes).
                match Box::pin(self.map(state, map, &input, &context, entered)).await {
                    Ok(result) => Ok(self
                        .finish_result(state, input, result, &context)
                        .map_err(|f| self.fail_in(state, entered, f))?),
                    Err(error) => Err((error, input, &map.catch)),
                }
            }
            StateKind::Pass(_) | StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => {
                unreachable!("`run_instant` runs the states that never wait")
            }
        };
        let (flow, assigned) = match outcome {
            Ok(Done { output, next, bound, assigned }) => {
                (self.leave(state, output, (next, bound), None, assigned.as_deref())?, assigned)
            }
            Err((error, input, catchers)) => self.catch(state, catchers, error, input, entered, &context)?,
        };
        drop(context);
        if let Some(assigned) = assigned {
            variables.assign(*assigned);
        }
        Ok(flow)
    }
}
