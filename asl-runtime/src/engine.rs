//! The executor: runs a [`Definition`] state by state with AWS's semantics
//! for data flow, errors, retries, catchers, waits, timeouts and history.

use crate::callbacks;
use crate::clock::{Clock, SystemClock, format_timestamp};
use crate::error::{Failure, StatesError, names};
use crate::history::{ErrorDetails, EventDetails, Events, History, PayloadDetails};
use crate::identity::{Identity, Names};
use crate::jsonata;
use crate::jsonpath::{self, Roots};
use crate::payload;
use crate::size::{self, Bound};
use crate::store::ObjectStore;
use crate::task::{Handlers, ResourceKind, TaskContext, TaskHandler, TaskRequest};
use crate::variables::Variables;
use asl_spec::model::*;
use asl_spec::path::Path;
use serde_json::{Map as JsonMap, Value};
use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::Arc;
use jiff::Timestamp;
use std::time::Duration;

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// It reached a Succeed state or an `End`.
    Succeeded,
    /// A Fail state or an uncaught error ended it.
    Failed,
    /// The machine's `TimeoutSeconds` ran out.
    TimedOut,
    /// It was stopped from outside.
    Aborted,
}

impl Status {
    /// AWS's name (`SUCCEEDED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// The result of one execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// How it ended.
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Value>,
    /// The error name, when it failed.
    pub error: Option<String>,
    /// The cause, when it failed.
    pub cause: Option<String>,
    /// The history (empty when history recording is off).
    pub events: Events,
}

impl Execution {
    /// The names of the states entered, in order (needs history).
    pub fn states_entered(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match &e.details {
                Some(EventDetails::StateEntered { name, .. }) => Some(&**name),
                _ => None,
            })
            .collect()
    }

    /// The result as one JSON object `{status, output, error, cause,
    /// events}`: what `asl run --json` prints, with events shaped like AWS
    /// `GetExecutionHistory` events.
    pub fn to_json(&self) -> Value {
        let mut out = JsonMap::new();
        out.insert("status".into(), Value::String(self.status.as_str().to_string()));
        out.insert("output".into(), self.output.clone().unwrap_or(Value::Null));
        out.insert("error".into(), self.error.clone().map_or(Value::Null, Value::String));
        out.insert("cause".into(), self.cause.clone().map_or(Value::Null, Value::String));
        out.insert("events".into(), serde_json::to_value(&self.events).unwrap_or(Value::Null));
        Value::Object(out)
    }

    /// The output, or the error as a [`StatesError`].
    pub fn into_result(self) -> Result<Value, StatesError> {
        match self.status {
            Status::Succeeded => Ok(self.output.unwrap_or(Value::Null)),
            _ => Err(StatesError { error: self.error.unwrap_or_else(|| self.status.as_str().to_string()), cause: self.cause }),
        }
    }
}

/// Limits AWS enforces, configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest state input or output, in bytes of JSON text (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Most history events one execution may have (AWS: 25,000). This also
    /// stops a workflow that loops forever.
    pub max_history_events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_payload_bytes: 256 * 1024, max_history_events: 25_000 }
    }
}

/// Runs executions of one definition. Cheap to clone; reuse it.
#[derive(Clone)]
pub struct Executor {
    definition: Arc<Definition>,
    handler: Arc<dyn TaskHandler>,
    clock: Arc<dyn Clock>,
    identity: Identity,
    /// The ARNs and names the identity gives every execution, built once.
    names: Arc<Names>,
    record_history: bool,
    limits: Limits,
    object_store: Option<Arc<dyn ObjectStore>>,
    /// Whether any state reads the context object; if none does, nothing
    /// keeps a copy of the execution input for `$$.Execution.Input`.
    reads_context: bool,
    /// Threads a Map's or Parallel's instant work may spread over.
    parallelism: usize,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor").field("identity", &self.identity).field("record_history", &self.record_history).finish()
    }
}

impl Executor {
    /// An executor with no task handlers, the system clock and default identity.
    pub fn new(definition: impl Into<Arc<Definition>>) -> Self {
        let definition = definition.into();
        Executor {
            reads_context: definition.reads_context,
            definition,
            handler: Arc::new(Handlers::new()),
            clock: Arc::new(SystemClock),
            names: Arc::new(Names::of(&Identity::default())),
            identity: Identity::default(),
            record_history: true,
            limits: Limits::default(),
            object_store: None,
            parallelism: available_parallelism(),
        }
    }

    /// Sets where distributed Maps' `ItemReader` and `ResultWriter` read
    /// and write objects (e.g. a [`LocalObjectStore`](crate::LocalObjectStore)).
    pub fn object_store(mut self, store: impl ObjectStore) -> Self {
        self.object_store = Some(Arc::new(store));
        self
    }

    /// Sets what runs Task states.
    pub fn handler(mut self, handler: impl TaskHandler) -> Self {
        self.handler = Arc::new(handler);
        self
    }

    /// Sets what runs Task states, shared.
    pub fn shared_handler(mut self, handler: Arc<dyn TaskHandler>) -> Self {
        self.handler = handler;
        self
    }

    /// Sets the clock (e.g. a [`VirtualClock`](crate::VirtualClock)).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sets the execution's identity.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.names = Arc::new(Names::of(&identity));
        self.identity = identity;
        self
    }

    /// Turns history recording on (the default) or off.
    pub fn record_history(mut self, on: bool) -> Self {
        self.record_history = on;
        self
    }

    /// How many threads may share the work of an inline Map or a Parallel
    /// whose states never wait (Pass, Choice, Succeed, Fail), when history
    /// is off. The default is the machine's available parallelism; 1 keeps
    /// all work on the thread polling the execution. Work of fewer than
    /// about 2,048 states per thread stays on that thread whatever this
    /// says: waking another costs more than it saves. Outputs, errors and
    /// event numbering are the same either way: work done on other threads
    /// is kept only when every item or branch succeeded within the history
    /// limit, and is otherwise done again in order on the polling thread.
    pub fn parallelism(mut self, threads: usize) -> Self {
        self.parallelism = threads.max(1);
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The definition being run.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Runs one execution to its end. (The execution's own future, not
    /// wrapped in another: a parked execution holds no more than it needs.)
    pub fn run(&self, input: Value) -> impl std::future::Future<Output = Execution> + Send + '_ {
        self.run_inner(input, None, None)
    }

    /// Starts an execution that can be stopped from outside: the returned
    /// [`Stopper`] ends it as `ABORTED`, dropping (and so cancelling) all of
    /// its in-flight work. Await the future to drive the execution.
    pub fn start(&self, input: Value) -> (Stopper, impl std::future::Future<Output = Execution> + Send + '_) {
        let (tx, rx) = tokio::sync::watch::channel(None);
        (Stopper { tx: Arc::new(tx) }, self.run_inner(input, None, Some(rx)))
    }

    /// Runs one execution from input given as JSON text. History records the
    /// text exactly as given, as AWS records `StartExecution`'s input.
    pub async fn run_text(&self, input: &str) -> Result<Execution, serde_json::Error> {
        let value = serde_json::from_str(input)?;
        Ok(self.run_inner(value, Some(input), None).await)
    }

    async fn run_inner(&self, input: Value, input_text: Option<&str>, stop: Option<StopSignal>) -> Execution {
        let start = self.clock.now();
        let info = RunInfo {
            names: &self.names,
            start_time: start,
            input: self.reads_context.then(|| Box::new(input.clone())),
            input_text,
            members: OnceLock::new(),
        };
        let run = Run { exec: self, history: History::new(self.record_history), info: &info };
        run.history().record(
            "ExecutionStarted",
            || start,
            || {
                Some(EventDetails::ExecutionStarted {
                    input: input_text.map_or_else(|| to_text(&input), str::to_string),
                    input_details: PayloadDetails::default(),
                    role_arn: self.names.role_arn.clone(),
                })
            },
        );
        let body = run.scope(&self.definition.body, input, Variables::default());
        // Most executions have no execution timeout and no stopper: await
        // the body itself, and keep the supervised path (boxed) out of
        // every execution's future.
        let outcome = match (stop, self.definition.timeout_seconds) {
            (None, None) => Outcome::Finished(body.await),
            (stop, timeout) => Box::pin(self.supervise_execution(body, stop, timeout)).await,
        };
        let history = run.history;
        let now = || self.clock.now();
        match outcome {
            Outcome::Finished(Ok(output)) => {
                let text = history.enabled().then(|| to_text(&output));
                history.record("ExecutionSucceeded", now, || {
                    Some(EventDetails::ExecutionSucceeded { output: text.unwrap_or_default(), output_details: PayloadDetails::default() })
                });
                Execution { status: Status::Succeeded, output: Some(output), error: None, cause: None, events: history.into_events() }
            }
            Outcome::Finished(Err(e)) => {
                // A Fail state without `Error` fails with no error name at all.
                let error = Some(e.error).filter(|name| !name.is_empty());
                let details = ErrorDetails { error: error.clone(), cause: e.cause.clone() };
                history.record("ExecutionFailed", now, || Some(EventDetails::ExecutionFailed(details)));
                Execution { status: Status::Failed, output: None, error, cause: e.cause, events: history.into_events() }
            }
            Outcome::Aborted(StopReason { error, cause }) => {
                let details = ErrorDetails { error: error.clone(), cause: cause.clone() };
                history.record("ExecutionAborted", now, || Some(EventDetails::ExecutionAborted(details)));
                Execution { status: Status::Aborted, output: None, error, cause, events: history.into_events() }
            }
            Outcome::TimedOut => {
                let error = names::TIMEOUT.to_string();
                let details = ErrorDetails { error: Some(error.clone()), cause: None };
                history.record("ExecutionTimedOut", now, || Some(EventDetails::ExecutionTimedOut(details)));
                Execution { status: Status::TimedOut, output: None, error: Some(error), cause: None, events: history.into_events() }
            }
        }
    }
}

impl Executor {
    /// An execution's body under its `TimeoutSeconds` and its stopper.
    async fn supervise_execution(
        &self,
        body: crate::clock::BoxFuture<'_, Result<Value, StatesError>>,
        stop: Option<StopSignal>,
        timeout: Option<u64>,
    ) -> Outcome {
        let deadline = async {
            match timeout {
                Some(secs) => self.clock.sleep(Duration::from_secs(secs)).await,
                None => std::future::pending().await,
            }
        };
        let stopped = async {
            let Some(mut rx) = stop else { return std::future::pending().await };
            loop {
                if let Some(reason) = rx.borrow_and_update().clone() {
                    return reason;
                }
                if rx.changed().await.is_err() {
                    // Every Stopper is gone: nobody can stop this execution.
                    return std::future::pending().await;
                }
            }
        };
        tokio::select! {
            biased;
            reason = stopped => Outcome::Aborted(reason),
            r = body => Outcome::Finished(r),
            _ = deadline => Outcome::TimedOut,
        }
    }
}

/// `TimeoutSeconds` of a Task that sets none (AWS's default).
const DEFAULT_TASK_TIMEOUT_SECONDS: u64 = 99_999_999;

/// How the top-level run ended.
enum Outcome {
    Finished(Result<Value, StatesError>),
    TimedOut,
    Aborted(StopReason),
}

/// Why an execution was stopped (AWS `StopExecution`'s error and cause).
#[derive(Debug, Clone, Default)]
struct StopReason {
    error: Option<String>,
    cause: Option<String>,
}

type StopSignal = tokio::sync::watch::Receiver<Option<StopReason>>;

/// Stops an execution started with [`Executor::start`]. Cloneable and usable
/// from any thread or task.
#[derive(Debug, Clone)]
pub struct Stopper {
    tx: Arc<tokio::sync::watch::Sender<Option<StopReason>>>,
}

impl Stopper {
    /// Ends the execution as `ABORTED` with an optional error and cause, as
    /// `StopExecution` does. Stopping a finished execution does nothing.
    pub fn stop(&self, error: Option<&str>, cause: Option<&str>) {
        let reason = StopReason { error: error.map(str::to_string), cause: cause.map(str::to_string) };
        self.tx.send_replace(Some(reason));
    }
}

/// Execution-wide facts for the context object; the names are the
/// executor's, shared by all its executions.
struct RunInfo<'e> {
    /// The execution's and machine's ids and names (the executor's).
    names: &'e Arc<Names>,
    start_time: Timestamp,
    /// The execution input, kept only when a state reads `$$`.
    input: Option<Box<Value>>,
    /// The execution input as given, when it came as text.
    input_text: Option<&'e str>,
    /// `$$.Execution` and `$$.StateMachine`, built once per execution.
    members: OnceLock<Box<(Value, Value)>>,
}

impl RunInfo<'_> {
    fn members(&self) -> &(Value, Value) {
        // Boxed: a `Value` is 72 bytes, and most executions never build these.
        self.members.get_or_init(|| {
            let mut execution = JsonMap::new();
            execution.insert("Id".into(), Value::String(self.names.execution_id.to_string()));
            execution.insert("Input".into(), self.input.as_deref().cloned().unwrap_or_default());
            execution.insert("StartTime".into(), Value::String(format_timestamp(self.start_time)));
            execution.insert("Name".into(), Value::String(self.names.execution_name.to_string()));
            execution.insert("RoleArn".into(), Value::String(self.names.role_arn.to_string()));
            execution.insert("RedriveCount".into(), Value::from(0));
            let mut machine = JsonMap::new();
            machine.insert("Id".into(), Value::String(self.names.state_machine_id.to_string()));
            machine.insert("Name".into(), Value::String(self.names.state_machine_name.to_string()));
            Box::new((Value::Object(execution), Value::Object(machine)))
        })
    }
}

/// The context object of one state, built only if a path asks for `$$`.
///
/// Every waiting execution holds one across its await, so it is kept small:
/// the run gives the clock and the execution's facts, the state is referred
/// to whole.
struct StateContext<'a> {
    run: &'a Run<'a>,
    state: &'a State,
    /// Noted on entry when the state reads the context (or history is kept).
    entered_time: Option<Timestamp>,
    retry_count: Option<u32>,
    value: OnceLock<Box<Value>>,
    task_token: Option<Box<str>>,
    /// `$$.Map.Item` while evaluating a Map state's `ItemSelector`.
    map_item: Option<(usize, &'a Value)>,
    /// The workflow variables as the state entered.
    variables: &'a Variables,
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
    fn for_attempt(&self, retry_count: u32, task_token: Option<Box<str>>) -> StateContext<'a> {
        StateContext {
            run: self.run,
            state: self.state,
            entered_time: self.entered_time,
            retry_count: Some(retry_count),
            value: OnceLock::new(),
            task_token: task_token.or_else(|| self.task_token.clone()),
            map_item: self.map_item,
            variables: self.variables,
        }
    }

    fn member(&self, name: &str) -> Option<&Value> {
        match name {
            "Execution" => Some(&self.run.info.members().0),
            "StateMachine" => Some(&self.run.info.members().1),
            other => self.own_members().get(other),
        }
    }

    /// The whole context object, in AWS's member order.
    fn whole(&self) -> Value {
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
struct Env<'a> {
    input: &'a Value,
    context: &'a StateContext<'a>,
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

/// `v`'s JSON text, allocated at its exact length: history keeps these texts
/// for the whole execution, and `serde_json::to_string` gives each one at
/// least 128 bytes of capacity. Written into a reused buffer, then copied.
fn to_text(v: &Value) -> String {
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

/// A Task state's input: borrowed when Retry or Catch need it again,
/// otherwise given away.
enum TaskInput<'v> {
    Borrowed(&'v Value),
    Owned(Value),
}

/// One pass of a Map state over its items.
#[derive(Clone, Copy)]
struct MapRun<'a> {
    state: &'a State,
    map: &'a Map,
    /// The items, or their batches.
    items: &'a [Value],
    /// Whether `items` are already what the iterations get (batches).
    selected: bool,
    /// The Map's effective input (what `ItemSelector` reads as `$`).
    input: &'a Value,
    context: &'a StateContext<'a>,
    limits: &'a MapLimits,
    /// Whether iterations are child executions.
    distributed: bool,
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

/// The machine's available parallelism, asked once (it reads cgroup limits).
fn available_parallelism() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Below this many states per thread, spreading instant work over threads
/// costs more than it saves. A state takes 0.05–0.1 µs; handing work to a
/// pool thread that sleeps takes 0.1–0.2 ms on a 2-core VM (the wake-up),
/// and the two threads then share the allocator. Measured there (Pass
/// states, warm, 1 against 2 threads): a Parallel of 1,000 and of 4,000
/// states was slower or no faster on 2 threads (0.068 / 0.076 ms, 0.32 /
/// 0.33 ms), one of 10,000 states faster (0.82 / 0.48 ms); a Map of 500
/// four-state items (2,000 states) no faster, of 1,000 items 7 % faster,
/// of 4,000 items 30 % faster.
const MIN_STATES_PER_THREAD: usize = 2048;

/// What one thread did in [`Run::speculate`]: the chunks it ran, by index,
/// and the events they counted.
struct ThreadShare<T> {
    chunks: Vec<(usize, Vec<T>)>,
    events: u64,
}

/// How many chunks per thread [`Run::speculate`] cuts its work into: enough
/// that a thread that starts late leaves little for the others to wait on,
/// few enough that taking one costs nothing next to running it.
const CHUNKS_PER_THREAD: usize = 16;

/// One execution in progress. Shared by concurrent branches and iterations,
/// so its history takes events through a shared reference.
struct Run<'a> {
    exec: &'a Executor,
    history: History,
    info: &'a RunInfo<'a>,
}

impl<'a> Run<'a> {
    fn history(&self) -> &History {
        &self.history
    }

    /// Records an event with no details.
    fn mark(&self, event_type: &'static str) {
        self.history().record(event_type, || self.now(), || None);
    }

    /// Records an event whose time and details are taken only when history is kept.
    fn event(&self, event_type: &'static str, details: impl FnOnce() -> EventDetails) {
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

    /// How many threads instant work of about `states` states should be
    /// spread over (1: stay on this thread).
    fn threads_for(&self, states: usize) -> usize {
        if self.history().enabled() {
            return 1;
        }
        self.exec.parallelism.min(states / MIN_STATES_PER_THREAD).max(1)
    }

    /// Runs `job` for every index in `0..len` on up to `threads` threads
    /// (this one too), each in a run of its own that counts events. Gives
    /// the results in index order, with how many events they counted, or
    /// `None` as soon as a job gives up or the events would reach the
    /// history limit: nothing is then kept, and the caller does the work
    /// again in order, as if this had not happened.
    fn speculate<T: Send>(&self, len: usize, threads: usize, job: impl Fn(&Run<'_>, usize) -> Option<T> + Sync) -> Option<Vec<T>> {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
        let base = self.history().count();
        // The work is cut into small contiguous chunks that whichever thread
        // is free takes next, rather than one fixed part per thread: a pool
        // thread takes 0.1-0.2 ms to wake on a small VM, and this thread
        // takes on what it has not started by then instead of waiting.
        let chunk = len.div_ceil(threads * CHUNKS_PER_THREAD).max(1);
        let chunks = len.div_ceil(chunk);
        let (taken, gave_up) = (AtomicUsize::new(0), AtomicBool::new(false));
        let work = || {
            let run = self.counting_from(base);
            let mut done = Vec::new();
            while !gave_up.load(Relaxed) {
                let c = taken.fetch_add(1, Relaxed);
                if c >= chunks {
                    break;
                }
                match (c * chunk..((c + 1) * chunk).min(len)).map(|i| job(&run, i)).collect() {
                    Some(results) => done.push((c, results)),
                    None => gave_up.store(true, Relaxed),
                }
            }
            ThreadShare { chunks: done, events: run.history().count() - base }
        };
        // Rayon's pool keeps its threads: starting one per Map would cost
        // about as much as the work it takes on.
        let mut parts: Vec<ThreadShare<T>> = (0..threads).map(|_| ThreadShare { chunks: Vec::new(), events: 0 }).collect();
        rayon_core::in_place_scope(|scope| {
            let (first, others) = parts.split_first_mut().expect("at least one thread");
            for slot in others {
                let work = &work;
                scope.spawn(move |_| *slot = work());
            }
            *first = work();
        });
        if gave_up.into_inner() {
            return None;
        }
        let mut in_order: Vec<Option<Vec<T>>> = (0..chunks).map(|_| None).collect();
        let mut events = 0;
        for share in parts {
            events += share.events;
            for (c, results) in share.chunks {
                in_order[c] = Some(results);
            }
        }
        let mut results = Vec::with_capacity(len);
        for chunk_results in in_order {
            // Every chunk was taken, since no job gave up.
            results.extend(chunk_results?);
        }
        // Counts only grow: if the total stays under the limit, so did the
        // count at every state the ordered run would have started.
        let launches = len as u64;
        if base.saturating_add(events).saturating_add(launches) >= self.exec.limits.max_history_events {
            return None;
        }
        self.history().count_only(events);
        #[cfg(test)]
        tests::SPECULATIONS_KEPT.with(|kept| kept.set(kept.get() + 1));
        Some(results)
    }

    /// Runs a scope to its end; `variables` are the ones it starts with.
    fn scope<'s>(&'s self, scope: &'s Scope, input: Value, variables: Variables) -> crate::clock::BoxFuture<'s, Result<Value, StatesError>> {
        Box::pin(self.scope_inner(scope, input, variables, ()))
    }

    /// [`Run::scope`] for a Parallel branch or an inline Map iteration,
    /// which notes in `open` the Task it is in (see [`OpenTask`]).
    fn scope_in<'s>(&'s self, scope: &'s Scope, input: Value, variables: Variables, open: &'s OpenTask) -> crate::clock::BoxFuture<'s, Result<Value, StatesError>> {
        Box::pin(self.scope_inner(scope, input, variables, open))
    }

    /// (Generic over where it notes its Task so that a scope that notes
    /// none, like the execution's own, keeps no room for it while parked.)
    async fn scope_inner(&self, scope: &Scope, input: Value, mut variables: Variables, open: impl NotesTask) -> Result<Value, StatesError> {
        let mut next = Next { index: scope.start_index, input, text: None, bound: size::UNKNOWN };
        loop {
            // A borrowed local keeps its room in the future until its block
            // ends, so `at` lives in a block that a plain task's await is
            // in and the other waits (a parked Wait) are not.
            let (state, input, text) = {
                let mut at = next;
                let Some(state) = self.run_instant(scope, &mut at, &mut variables)? else { return Ok(at.input) };
                if matches!(state.kind, StateKind::Task(_)) {
                    open.note(true);
                }
                // A Task that fails returns here and stays open.
                if let Some(task) = plain_task(state) {
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
            let flow = self.waiting_state(state, input, text, &mut variables).await?;
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
    fn run_instant<'s>(&self, scope: &'s Scope, at: &mut Next, variables: &mut Variables) -> Result<Option<&'s State>, StatesError> {
        loop {
            let limit = self.exec.limits.max_history_events;
            if self.history().count() >= limit {
                return Err(StatesError::new(
                    names::RUNTIME,
                    format!("The execution reached the maximum number of history events ({limit})."),
                ));
            }
            let state = scope.states.get(at.index).ok_or_else(|| {
                StatesError::new(names::RUNTIME, format!("the definition has no state at index {}; was it validated?", at.index))
            })?;
            if state.kind.waits() {
                return Ok(Some(state));
            }
            // The payload stays in `at`, changed in place, state to state.
            if !self.instant_state(state, at, variables)? {
                return Ok(None);
            }
        }
    }

    /// Records the entry (`text` is the input's JSON text when the previous
    /// state's exit already wrote it); returns its event id and, when
    /// history or the context object needs it, the entry time.
    #[inline(always)]
    fn enter(&self, state: &State, input: &Value, text: Option<String>) -> (u64, Option<Timestamp>) {
        let history = self.history();
        // Reading the clock costs; only history and `$$.State.EnteredTime` need it.
        let entered_time = (history.enabled() || state.reads_context).then(|| self.now());
        let first = history.last_id() == 1;
        // AWS links the first state to no event, and shows it the execution
        // input exactly as given.
        let previous = if first { 0 } else { history.last_id() };
        let text = history.enabled().then(|| match (self.info.input_text, first) {
            (Some(raw), true) => raw.to_string(),
            _ => text.unwrap_or_else(|| to_text(input)),
        });
        let id = history.record_after(
            previous,
            state_event(&state.kind, true),
            || entered_time.unwrap_or_else(|| self.now()),
            || Some(EventDetails::StateEntered { name: state.name.clone(), input: text.unwrap_or_default(), input_details: PayloadDetails::default() }),
        );
        (id, entered_time)
    }

    /// Records the exit with the output's JSON text and the variables the
    /// state assigned (when history is kept); returns the text for the next
    /// state's entry, so it is written once. (Counting is in line, as every
    /// state ends here; building the event is not.)
    #[inline(always)]
    fn record_exited(&self, state: &State, text: Option<String>, at: Option<Timestamp>, assigned: Option<&JsonMap<String, Value>>) -> Option<String> {
        let history = self.history();
        if !history.enabled() {
            history.count_only(1);
            return text;
        }
        self.record_exited_event(state, text, at, assigned)
    }

    #[inline(never)]
    fn record_exited_event(&self, state: &State, text: Option<String>, at: Option<Timestamp>, assigned: Option<&JsonMap<String, Value>>) -> Option<String> {
        let history = self.history();
        history.record(
            state_event(&state.kind, false),
            || at.unwrap_or_else(|| self.now()),
            || {
                let assigned_variables = assigned.map(|a| a.iter().map(|(k, v)| (k.clone(), to_text(v))).collect());
                Some(EventDetails::StateExited {
                    name: state.name.clone(),
                    output: text.clone().unwrap_or_default(),
                    output_details: PayloadDetails::default(),
                    assigned_variables_details: assigned.map(|_| PayloadDetails::default()),
                    assigned_variables,
                })
            },
        );
        text
    }


    /// A failure inside `state` as the error it raises. A JSONata
    /// evaluation failure is also recorded as AWS records it
    /// (`EvaluationFailed`, naming the field).
    fn fail_in(&self, state: &State, entered: u64, failure: Failure) -> StatesError {
        let location = failure.location.clone();
        let error = failure.in_state(&state.name, entered);
        if error.error == names::QUERY_EVALUATION_ERROR {
            self.event("EvaluationFailed", || EventDetails::EvaluationFailed {
                error: error.error.clone(),
                cause: error.cause.clone().unwrap_or_default(),
                location,
                state: state.name.clone(),
            });
        }
        error
    }

    /// The state's context object (built only if read). Returned on its
    /// own, not inside a `Result`, so it is built in place.
    fn context<'s>(&'s self, state: &'s State, entered_time: Option<Timestamp>, variables: &'s Variables) -> StateContext<'s> {
        let retry_count = matches!(state.kind, StateKind::Task(_)).then_some(0);
        // `$$.Task.Token` exists for callback tasks only, one token per state entry.
        let task_token = match &state.kind {
            StateKind::Task(t) if waits_for_token(t) => Some(Box::from(callbacks::new_token())),
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

    /// Checks the output's size (walking it only when its bound is past the
    /// limit), records the exit (`at` that time, if given) with the
    /// variables assigned, and says where to go.
    #[inline(always)]
    fn leave(
        &self,
        state: &State,
        output: Value,
        (next, bound): (Option<usize>, Bound),
        at: Option<Timestamp>,
        assigned: Option<&JsonMap<String, Value>>,
    ) -> Result<Flow, StatesError> {
        let mut to = Next { index: 0, input: output, text: None, bound };
        Ok(if self.leave_in(state, &mut to, (next, bound), at, assigned)? { Flow::Next(to) } else { Flow::End(to.input) })
    }

    /// [`Run::leave`] with the output in `to.input`, where it stays: fills
    /// in the rest of `to` and says whether there is a next state.
    #[inline(always)]
    fn leave_in(
        &self,
        state: &State,
        to: &mut Next,
        (next, bound): (Option<usize>, Bound),
        at: Option<Timestamp>,
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
                format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", state.name),
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

    /// Pass, Choice, Succeed and Fail: no awaiting. Runs on `at`, leaving
    /// the output there (see [`Run::leave_in`]); `false` when the scope ends.
    fn instant_state(&self, state: &State, at: &mut Next, variables: &mut Variables) -> Result<bool, StatesError> {
        let (entered, entered_time) = self.enter(state, &at.input, at.text.take());
        let decided = self.instant_outcome(state, at, (entered, entered_time), variables)?;
        // A state that never waits leaves in the instant it entered.
        self.end_in(state, at, decided, entered_time, variables)
    }

    /// What [`Run::instant_state`] does between entering and leaving: the
    /// output goes in `at`; where to go, a bound of its size and the
    /// variables assigned are returned. (Its own function so that the state
    /// context is dropped where it lies, not moved out to be dropped.)
    #[inline(always)]
    fn instant_outcome(
        &self,
        state: &State,
        at: &mut Next,
        (entered, entered_time): (u64, Option<Timestamp>),
        variables: &Variables,
    ) -> Result<(Option<usize>, Bound, Assigned), StatesError> {
        let context = self.context(state, entered_time, variables);
        let in_state = |f: Failure| self.fail_in(state, entered, f);
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let no_match = || {
            StatesError::new(
                names::NO_CHOICE_MATCHED,
                format!("An error occurred while executing the state '{}' (entered at the event id #{entered}). No Matches!", state.name),
            )
        };
        let bound = at.bound;
        Ok(match &state.kind {
            StateKind::Fail(fail) => {
                let env = Env { input: &at.input, context: &context };
                let error = fail_text(fail.error.as_ref(), &env, "Error").map_err(in_state)?;
                let cause = fail_text(fail.cause.as_ref(), &env, "Cause").map_err(in_state)?;
                return Err(StatesError { error: error.unwrap_or_default(), cause });
            }
            StateKind::Choice(choice) if jsonata => {
                let input = std::mem::take(&mut at.input);
                let scope = jsonata::Scope::new(&input, None, None, &context);
                let chosen = choose(state, choice, |rule| condition_holds(rule, &scope)).map_err(in_state)?;
                let Some(Chosen { next, assign, output }) = chosen else { return Err(no_match()) };
                let (output, assigned) = jsonata_outcome(assign, output, scope).map_err(in_state)?;
                at.input = output_or(output, input, |input| input);
                (Some(next), size::UNKNOWN, assigned)
            }
            StateKind::Choice(choice) => {
                let (matched, assigned) = self
                    .through_in(state, &mut at.input, &context, |env| match choose(state, choice, |rule| payload::rule_holds(rule, env))? {
                        Some(Chosen { next, assign, .. }) => Ok((Some(next), assign_jsonpath(assign, env)?)),
                        None => Ok((None, None)),
                    })
                    .map_err(in_state)?;
                let Some(next) = matched else { return Err(no_match()) };
                // A Choice with `$` paths passes its input on unchanged.
                (Some(next), if passes_input_through(&state.io) { bound } else { size::UNKNOWN }, assigned)
            }
            StateKind::Succeed | StateKind::Pass(_) if jsonata => {
                let input = std::mem::take(&mut at.input);
                let scope = jsonata::Scope::new(&input, None, None, &context);
                let (output, assigned) = jsonata_outcome(state.assign.as_ref(), state.output.as_ref(), scope).map_err(in_state)?;
                at.input = output_or(output, input, |input| input);
                (next_of(state), size::UNKNOWN, assigned)
            }
            StateKind::Succeed => {
                self.through_in(state, &mut at.input, &context, |_| Ok(())).map_err(in_state)?;
                (None, if passes_input_through(&state.io) { bound } else { size::UNKNOWN }, None)
            }
            StateKind::Pass(pass) => match (&pass.result, &state.io.parameters, &state.io.result_path, &state.assign) {
                (None, Some(Template::Object(object)), ResultPath::Path(path), None) => {
                    let bound = self.parameters_into(state, object, &mut at.input, bound, Some(path), &context).map_err(in_state)?;
                    if !passes_output_through(&state.io) {
                        at.input = self.select_output(state, std::mem::take(&mut at.input), &context).map_err(in_state)?;
                        (next_of(state), size::UNKNOWN, None)
                    } else {
                        (next_of(state), bound, None)
                    }
                }
                _ => {
                    let input = std::mem::take(&mut at.input);
                    let effective = self.effective_input(state, &input, &context).map_err(in_state)?;
                    let result = match &pass.result {
                        Some(r) => r.clone(),
                        None => effective,
                    };
                    // `Assign` reads the state's result as `$`.
                    let assigned = assign_jsonpath(state.assign.as_ref(), &Env { input: &result, context: &context }).map_err(in_state)?;
                    at.input = self.finish_output(state, input, result, &context).map_err(in_state)?;
                    (next_of(state), size::UNKNOWN, assigned)
                }
            },
            StateKind::Task(_) | StateKind::Wait(_) | StateKind::Parallel(_) | StateKind::Map(_) => {
                unreachable!("`run_instant` hands waiting states back to `scope_inner`")
            }
        })
    }

    /// Leaves `state` with the output in `to.input` ([`Run::leave_in`], `at`
    /// that time if given); the variables it assigned take effect as it
    /// ends. (In line: the states that run without a future end here.)
    #[inline(always)]
    fn end_in(&self, state: &State, to: &mut Next, (next, bound, assigned): (Option<usize>, Bound, Assigned), at: Option<Timestamp>, variables: &mut Variables) -> Result<bool, StatesError> {
        let more = self.leave_in(state, to, (next, bound), at, assigned.as_deref())?;
        if let Some(assigned) = assigned {
            variables.assign(*assigned);
        }
        Ok(more)
    }

    /// Task, Wait, Parallel and Map.
    async fn waiting_state(&self, state: &State, input: Value, text: Option<String>, variables: &mut Variables) -> Result<Flow, StatesError> {
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
                    self.exec.clock.sleep(duration).await;
                }
                Ok(Done { output, next: next_of(state), bound: size::UNKNOWN, assigned })
            }
            StateKind::Task(task) => {
                let (input, outcome) = if task_consumes_input(state, task) {
                    (Value::Null, Box::pin(self.task(state, task, TaskInput::Owned(input), &context, entered)).await)
                } else {
                    let outcome = Box::pin(self.task(state, task, TaskInput::Borrowed(&input), &context, entered)).await;
                    (input, outcome)
                };
                match outcome {
                    Ok((result, retries)) => {
                        // `ResultSelector` sees the final `$$.State.RetryCount`.
                        let context = context.for_attempt(retries, None);
                        Ok(self.finish_result(state, input, result, &context).map_err(|f| self.fail_in(state, entered, f))?)
                    }
                    Err(error) => Err((error, input, &task.catch)),
                }
            }
            StateKind::Parallel(parallel) => {
                let effective = self.effective_input(state, &input, &context).map_err(|f| self.fail_in(state, entered, f))?;
                // Boxed, like Map: their futures are large, and rare next to
                // the states every scope runs. The effective input moves in.
                match Box::pin(self.parallel(parallel, effective, context.variables)).await {
                    Ok(result) => Ok(self.finish_result(state, input, result, &context).map_err(|f| self.fail_in(state, entered, f))?),
                    Err(error) => Err((error, input, &parallel.catch)),
                }
            }
            StateKind::Map(map) => {
                // The Map reads its effective input itself, inside its boxed
                // future (an `InputPath` failure is `States.Runtime`, which
                // no catcher takes).
                match Box::pin(self.map(state, map, &input, &context, entered)).await {
                    Ok(result) => Ok(self.finish_result(state, input, result, &context).map_err(|f| self.fail_in(state, entered, f))?),
                    Err(error) => Err((error, input, &map.catch)),
                }
            }
            StateKind::Pass(_) | StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => {
                unreachable!("`run_instant` runs the states that never wait")
            }
        };
        let (flow, assigned) = match outcome {
            Ok(Done { output, next, bound, assigned }) => (self.leave(state, output, (next, bound), None, assigned.as_deref())?, assigned),
            Err((error, input, catchers)) => self.catch(state, catchers, error, input, entered, &context)?,
        };
        drop(context);
        if let Some(assigned) = assigned {
            variables.assign(*assigned);
        }
        Ok(flow)
    }

    /// [`Run::through`] on a payload that stays where it is when both
    /// paths are `$` (else it is taken, and the output put in its place).
    fn through_in<T>(
        &self,
        state: &State,
        payload: &mut Value,
        context: &StateContext<'_>,
        inspect: impl FnOnce(&Env<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        if passes_input_through(&state.io) {
            return inspect(&Env { input: payload, context });
        }
        let (output, found) = self.through(state, std::mem::take(payload), context, inspect)?;
        *payload = output;
        Ok(found)
    }

    /// `InputPath`, then `inspect` on the effective input, then `OutputPath`;
    /// with both paths `$` the input moves through without a copy.
    fn through<T>(
        &self,
        state: &State,
        input: Value,
        context: &StateContext<'_>,
        inspect: impl FnOnce(&Env<'_>) -> Result<T, Failure>,
    ) -> Result<(Value, T), Failure> {
        let effective = select_owned(&state.io.input_path, input, context)?;
        let found = inspect(&Env { input: &effective, context })?;
        Ok((select_owned(&state.io.output_path, effective, context)?, found))
    }

    /// `InputPath` then `Parameters`, over an input nothing needs afterwards.
    fn effective_input_owned(&self, state: &State, mut input: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        self.effective_input_in(state, &mut input, context)?;
        Ok(input)
    }

    /// [`Run::effective_input_owned`] in place: `payload` becomes the
    /// effective input (an error may leave it half changed).
    /// (In line: it is the start of every Task call that gives its input away.)
    #[inline(always)]
    fn effective_input_in(&self, state: &State, payload: &mut Value, context: &StateContext<'_>) -> Result<(), Failure> {
        if state.query_language == QueryLanguage::Jsonata {
            *payload = self.arguments_owned(state, std::mem::take(payload), context)?;
            return Ok(());
        }
        match &state.io.parameters {
            Some(Template::Object(object)) => self.parameters_into(state, object, payload, size::UNKNOWN, None, context).map(|_| ()),
            Some(_) => self.effective_input(state, payload, context).map(|effective| *payload = effective),
            None if matches!(&state.io.input_path, NullablePath::Path(p) if p.is_identity()) => Ok(()),
            None => select_owned(&state.io.input_path, std::mem::take(payload), context).map(|effective| *payload = effective),
        }
    }

    /// JSONata `Arguments` (by default the input), built in the input.
    #[inline(never)]
    fn arguments_owned(&self, state: &State, input: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        let Some(arguments) = &state.io.arguments else { return Ok(input) };
        let built = jsonata::Scope::new(&input, None, None, context).build(arguments, "Arguments")?;
        Ok(built.over(input))
    }

    /// Evaluates object `Parameters` over `input` (after `InputPath`) and
    /// puts the object at `at` in `input` (`None`: `$`, replacing it). Where
    /// the value it replaces already has the template's leading keys (a
    /// state adding members, a loop writing the same shape again), the
    /// object is built in that value's map. Leaves the result in `input`
    /// (which an error may leave half changed: it is one nothing reads
    /// afterwards) and returns a bound of its size, from the input's
    /// (`input_bound`) and the object's.
    fn parameters_into(
        &self,
        state: &State,
        object: &ObjectTemplate,
        input: &mut Value,
        input_bound: Bound,
        at: Option<&Path>,
        context: &StateContext<'_>,
    ) -> Result<Bound, Failure> {
        let whole = at.is_none_or(Path::is_identity);
        if let Some(at) = at.filter(|_| !whole) {
            // Into a member (`ResultPath` `$.last`): the members are
            // evaluated first, then the path is walked once, and the
            // object is built inside the member it replaces where it can.
            let mut members = payload::Members::new();
            {
                let selected = select_nullable(&state.io.input_path, input, context)?;
                payload::evaluate_members(object, &Env { input: &selected, context }, payload::Reuse::NONE, &mut members)?;
            }
            let mut built = size::UNKNOWN;
            jsonpath::replace_in(input, at, |slot| built = payload::build_in(object, &mut members, slot))?;
            // The replaced member is not taken off (that would walk it), so
            // the bound grows until the limit makes `leave` measure the payload.
            return Ok(input_bound.saturating_add(built).saturating_add(size::path_overhead(at)));
        }
        let in_place = matches!(&state.io.input_path, NullablePath::Path(p) if p.is_identity());
        let Some(reuse) = payload::reuse_for(object, input, in_place) else {
            *input = self.effective_input(state, input, context)?;
            return Ok(size::UNKNOWN);
        };
        let mut members = payload::Members::new();
        {
            let selected = select_nullable(&state.io.input_path, input, context)?;
            payload::evaluate_members(object, &Env { input: &selected, context }, reuse, &mut members)?;
        }
        Ok(payload::rebuild(object, reuse, &mut members, input))
    }

    /// `InputPath` then `Parameters` (JSONata: `Arguments`, by default the input).
    fn effective_input(&self, state: &State, input: &Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        if state.query_language == QueryLanguage::Jsonata {
            return match &state.io.arguments {
                Some(arguments) => jsonata::Scope::new(input, None, None, context).value(arguments, "Arguments"),
                None => Ok(input.clone()),
            };
        }
        let selected = select_nullable(&state.io.input_path, input, context)?;
        match &state.io.parameters {
            Some(t) => payload::evaluate(t, &Env { input: &selected, context }),
            None => Ok(selected.into_owned()),
        }
    }

    /// `ResultSelector`, `Assign` (reading the selected result as `$`),
    /// then `ResultPath` and `OutputPath`. JSONata: `Assign` and `Output`
    /// (by default the result) over `$states.result`.
    /// (In line where there is only `ResultPath` and `OutputPath` to
    /// apply, as after most Task calls.)
    #[inline(always)]
    fn finish_result(&self, state: &State, input: Value, result: Value, context: &StateContext<'_>) -> Result<Done, Failure> {
        if state.query_language == QueryLanguage::JsonPath && state.io.result_selector.is_none() && state.assign.is_none() {
            return Ok(Done { output: self.finish_output(state, input, result, context)?, next: next_of(state), bound: size::UNKNOWN, assigned: None });
        }
        self.finish_result_selected(state, input, result, context)
    }

    #[inline(never)]
    fn finish_result_selected(&self, state: &State, input: Value, result: Value, context: &StateContext<'_>) -> Result<Done, Failure> {
        let next = next_of(state);
        if state.query_language == QueryLanguage::Jsonata {
            let scope = jsonata::Scope::new(&input, Some(&result), None, context);
            let (output, assigned) = jsonata_outcome(state.assign.as_ref(), state.output.as_ref(), scope)?;
            return Ok(Done { output: output_or(output, input, |_| result), next, bound: size::UNKNOWN, assigned });
        }
        let selected = match &state.io.result_selector {
            Some(t) => payload::evaluate(t, &Env { input: &result, context })?,
            None => result,
        };
        let assigned = assign_jsonpath(state.assign.as_ref(), &Env { input: &selected, context })?;
        Ok(Done { output: self.finish_output(state, input, selected, context)?, next, bound: size::UNKNOWN, assigned })
    }

    /// Branches that never wait, run on threads of their own when they are
    /// worth it ([`Run::speculate`]); `None` when the ordered run must do it.
    fn parallel_instant(&self, parallel: &Parallel, input: &Value, variables: &Variables) -> Option<Vec<Value>> {
        let branches = &parallel.branches;
        if !branches.iter().all(Scope::never_waits) {
            return None;
        }
        let threads = self.threads_for(branches.iter().map(|b| b.states.len()).sum()).min(branches.len());
        if threads < 2 {
            return None;
        }
        self.speculate(branches.len(), threads, |worker, i| {
            let branch = &branches[i];
            let start = Next { index: branch.start_index, input: input.clone(), text: None, bound: size::UNKNOWN };
            let mut at = start;
            match worker.run_instant(branch, &mut at, &mut variables.clone()) {
                Ok(None) => Some(at.input),
                _ => None,
            }
        })
    }

    /// Runs the branches concurrently (retrying the whole state as `Retry`
    /// says). The first failing branch fails the state; the other branches'
    /// futures are dropped, which cancels whatever they were awaiting.
    async fn parallel(&self, parallel: &Parallel, input: Value, variables: &Variables) -> Result<Value, StatesError> {
        let mut policy = RetryPolicy::new(&parallel.retry);
        loop {
            self.mark("ParallelStateStarted");
            if let Some(outputs) = self.parallel_instant(parallel, &input, variables) {
                self.mark("ParallelStateSucceeded");
                return Ok(Value::Array(outputs));
            }
            // Each branch starts with the variables around it.
            let open: Vec<OpenTask> = parallel.branches.iter().map(|_| OpenTask::default()).collect();
            let branches = parallel.branches.iter().zip(&open).map(|(branch, open)| async {
                self.scope_in(branch, input.clone(), variables.clone(), open).await.map_err(|error| {
                    // The Task a branch failed in is closed at once.
                    let in_task = open.take();
                    if in_task {
                        self.mark("TaskStateAborted");
                    }
                    (error, in_task)
                })
            });
            let (error, in_task) = match futures_util::future::try_join_all(branches).await {
                Ok(outputs) => {
                    self.mark("ParallelStateSucceeded");
                    return Ok(Value::Array(outputs));
                }
                Err(failed) => failed,
            };
            // The other branches were stopped inside their Tasks.
            for _ in open.iter().filter(|open| open.take()) {
                self.mark("TaskStateAborted");
            }
            match policy.next_delay(&error) {
                Some(delay) => self.exec.clock.sleep(delay).await,
                None => {
                    // AWS records the Parallel's failure when a branch
                    // failed in a Fail (or other) state, not after a Task
                    // it aborted.
                    if !in_task {
                        self.mark("ParallelStateFailed");
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Runs the item processor over every item, at most `MaxConcurrency` at
    /// a time, retrying the whole state as `Retry` says.
    async fn map(&self, state: &State, map: &Map, state_input: &Value, context: &StateContext<'_>, entered: u64) -> Result<Value, StatesError> {
        let effective = select_nullable(&state.io.input_path, state_input, context).map_err(|f| self.fail_in(state, entered, f))?;
        let input = &*effective;
        let mut policy = RetryPolicy::new(&map.retry);
        loop {
            let error = match self.map_once(state, map, input, context).await {
                Ok(v) => return Ok(v),
                Err(MapError::Failure(f)) => {
                    let error = self.fail_in(state, entered, f);
                    // A JSONata Map whose items fail to evaluate has failed as a Map.
                    if error.error == names::QUERY_EVALUATION_ERROR {
                        self.mark("MapStateFailed");
                    }
                    return Err(error);
                }
                Err(MapError::Failed(error)) => error,
            };
            match policy.next_delay(&error) {
                Some(delay) => self.exec.clock.sleep(delay).await,
                None => {
                    self.mark("MapStateFailed");
                    return Err(error);
                }
            }
        }
    }

    async fn map_once(&self, state: &State, map: &Map, input: &Value, context: &StateContext<'_>) -> Result<Value, MapError> {
        let env = Env { input, context };
        let read;
        let selected;
        let items: &Vec<Value> = match &map.item_reader {
            Some(reader) => {
                read = self.read_items(reader, &env)?;
                &read
            }
            None if state.query_language == QueryLanguage::Jsonata => {
                selected = self.jsonata_items(map, input, context).map_err(MapError::Failure)?;
                match selected.as_ref() {
                    Value::Array(items) => items,
                    _ => unreachable!("`jsonata_items` gives an array"),
                }
            }
            None => {
                selected = jsonpath::select(&map.items_path, &env)
                    .map_err(|miss| MapError::Failure(Failure::runtime(jsonpath::invalid_path_message(&map.items_path, miss))))?;
                match selected.as_ref() {
                    Value::Array(items) => items,
                    other => {
                        return Err(MapError::Failure(Failure::runtime(format!(
                            "Map state input must be an array but was: {}",
                            to_text(other)
                        ))));
                    }
                }
            }
        };
        // AWS checks MaxConcurrency before the state starts, tolerances after.
        let max_concurrency = MapLimits::max_concurrency(map, &env).map_err(MapError::Failure)?;
        self.event("MapStateStarted", || EventDetails::MapStateStarted { length: items.len() });
        let limits = MapLimits::resolve(map, max_concurrency, &env).map_err(MapError::Failure)?;
        let distributed = map.mode == ProcessorMode::Distributed;
        let run_id = uuid::Uuid::new_v4().to_string();
        let map_run_arn = format!(
            "arn:{}:states:{}:{}:mapRun:{}/{}:{run_id}",
            self.exec.identity.partition,
            self.exec.identity.region,
            self.exec.identity.account_id,
            self.info.names.state_machine_name,
            map.label.as_deref().unwrap_or(&state.name),
        );
        if distributed {
            let arn = map_run_arn.clone();
            self.event("MapRunStarted", || EventDetails::MapRunStarted { map_run_arn: arn });
        }
        let batches;
        let (items, selected) = match &map.item_batcher {
            Some(batcher) => {
                batches = self.batch(state, batcher, items, input, context).map_err(MapError::Failure)?;
                (batches.as_slice(), true)
            }
            None => (items.as_slice(), false),
        };
        let run = MapRun { state, map, items, selected, input, context, limits: &limits, distributed };
        let outcome = self.iterate(&run).await;
        match outcome {
            Ok(results) => {
                let output = match &map.result_writer {
                    Some(writer) => self.write_results(writer, &env, &map_run_arn, &run_id, items, results)?,
                    None => Value::Array(results),
                };
                if distributed {
                    self.mark("MapRunSucceeded");
                }
                self.mark("MapStateSucceeded");
                Ok(output)
            }
            Err(error) => {
                if distributed {
                    let details = ErrorDetails { error: Some(error.error.clone()), cause: error.cause.clone() };
                    self.event("MapRunFailed", || EventDetails::MapRunFailed(details));
                }
                Err(MapError::Failed(error))
            }
        }
    }

    /// A JSONata Map's items: `Items`, or else the state input; an array.
    fn jsonata_items<'v>(&self, map: &Map, input: &'v Value, context: &StateContext<'_>) -> Result<Cow<'v, Value>, Failure> {
        let Some(items) = &map.items else {
            return match input {
                Value::Array(_) => Ok(Cow::Borrowed(input)),
                other => Err(Failure::query_unplaced(format!("Map state input must be an array but was: {}", to_text(other)))),
            };
        };
        if let Jsonata::Expr(expr) = items
            && let Some(selected @ Value::Array(_)) = jsonata::input_member(expr, input)
        {
            return Ok(Cow::Borrowed(selected));
        }
        let value = jsonata::Scope::new(input, None, None, context).value(items, "Items")?;
        match (&value, items) {
            (Value::Array(_), _) => Ok(Cow::Owned(value)),
            (_, Jsonata::Expr(expr)) => Err(jsonata::unexpected_type(expr, "Items", "array", &value)),
            _ => Err(Failure::query("Items", format!("The field 'Items' must be an array, but was: {}", to_text(&value)))),
        }
    }

    fn store(&self, what: &str) -> Result<&dyn ObjectStore, MapError> {
        self.exec.object_store.as_deref().ok_or_else(|| {
            MapError::Failure(Failure::runtime(format!(
                "{what} needs an object store: configure Executor::object_store (asl run: --s3-root DIR)"
            )))
        })
    }

    /// The items an `ItemReader` reads (`States.ItemReaderFailed` when it cannot).
    fn read_items(&self, reader: &ItemReader, env: &Env<'_>) -> Result<Vec<Value>, MapError> {
        let store = self.store("ItemReader")?;
        let params = request(reader.parameters.as_ref(), reader.arguments.as_ref(), "ItemReader/Arguments", env).map_err(MapError::Failure)?;
        let failed = |cause: String| MapError::Failed(StatesError::new(names::ITEM_READER_FAILED, cause));
        let field = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        let bucket = field("Bucket");
        let mut items = if reader.resource.ends_with(":s3:listObjectsV2") {
            let listed = store.list(&bucket, &field("Prefix")).map_err(|e| failed(e.to_string()))?;
            listed
                .into_iter()
                .map(|o| serde_json::json!({"Key": o.key, "Size": o.size, "StorageClass": "STANDARD"}))
                .collect()
        } else if reader.resource.ends_with(":s3:getObject") {
            let key = field("Key");
            let bytes = store.get(&bucket, &key).map_err(|e| failed(e.to_string()))?;
            parse_items(reader, &bytes).map_err(|why| failed(format!("s3://{bucket}/{key}: {why}")))?
        } else {
            return Err(failed(format!("the ItemReader resource '{}' is not supported; use s3:getObject or s3:listObjectsV2", reader.resource)));
        };
        if let Some(max) = &reader.max_items {
            let v = count_value(max, "MaxItems", env).map_err(MapError::Failure)?;
            let max = v.as_u64().ok_or_else(|| MapError::Failure(not_a_number(max, "MaxItems", &v, "integer")))?;
            items.truncate(usize::try_from(max).unwrap_or(usize::MAX));
        }
        Ok(items)
    }

    /// Writes the results as AWS's `ResultWriter` does (a manifest and a
    /// results file under `Prefix/<map run id>/`) and returns the Map output.
    fn write_results(
        &self,
        writer: &ResultWriter,
        env: &Env<'_>,
        map_run_arn: &str,
        run_id: &str,
        items: &[Value],
        results: Vec<Value>,
    ) -> Result<Value, MapError> {
        let store = self.store("ResultWriter")?;
        let params = request(writer.parameters.as_ref(), writer.arguments.as_ref(), "ResultWriter/Arguments", env).map_err(MapError::Failure)?;
        let failed = |e: StatesError| MapError::Failed(StatesError::new(names::RESULT_WRITER_FAILED, e.to_string()));
        let bucket = params.get("Bucket").and_then(Value::as_str).unwrap_or_default().to_string();
        let prefix = params.get("Prefix").and_then(Value::as_str).unwrap_or_default().trim_end_matches('/').to_string();
        let dir = if prefix.is_empty() { run_id.to_string() } else { format!("{prefix}/{run_id}") };
        let records: Vec<Value> = results
            .into_iter()
            .zip(items)
            .map(|(output, input)| {
                serde_json::json!({
                    "Input": to_text(input),
                    "InputDetails": {"Included": true},
                    "Output": to_text(&output),
                    "OutputDetails": {"Included": true},
                    "Status": "SUCCEEDED",
                    "StateMachineArn": self.info.names.state_machine_id,
                })
            })
            .collect();
        let results_key = format!("{dir}/SUCCEEDED_0.json");
        let body = serde_json::to_vec(&records).unwrap_or_default();
        store.put(&bucket, &results_key, &body).map_err(failed)?;
        let manifest = serde_json::json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": [{"Key": results_key, "Size": body.len()}]},
        });
        let manifest_key = format!("{dir}/manifest.json");
        store.put(&bucket, &manifest_key, &serde_json::to_vec(&manifest).unwrap_or_default()).map_err(failed)?;
        Ok(serde_json::json!({"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}))
    }

    /// Groups the (selected) items into `{"BatchInput": …, "Items": […]}`
    /// objects of at most `MaxItemsPerBatch` items and
    /// `MaxInputBytesPerBatch` bytes (always at least one item).
    fn batch(&self, state: &State, batcher: &ItemBatcher, items: &[Value], input: &Value, context: &StateContext<'_>) -> Result<Vec<Value>, Failure> {
        let env = Env { input, context };
        let limit = |count: &Option<Count>, field: &str| -> Result<Option<u64>, Failure> {
            let Some(count) = count else { return Ok(None) };
            let v = count_value(count, field, &env)?;
            match v.as_u64() {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(not_a_number(count, field, &v, "positive integer")),
            }
        };
        let max_items = limit(&batcher.max_items, "MaxItemsPerBatch")?.unwrap_or(u64::MAX);
        // A JSONata `BatchInput` is evaluated once, over the Map's input.
        let batch_input = match &batcher.batch_input_jsonata {
            Some(template) => Some(jsonata::Scope::new(input, None, None, context).value(template, "ItemBatcher/BatchInput")?),
            None => batcher.batch_input.clone(),
        };
        let max_bytes = limit(&batcher.max_bytes, "MaxInputBytesPerBatch")?.unwrap_or(self.exec.limits.max_payload_bytes as u64);
        let mut batches = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        let mut bytes = 0u64;
        for (index, item) in items.iter().enumerate() {
            let selected = self.select_item(state, index, item, input, context)?;
            let size = size::json_len(&selected) as u64;
            if !current.is_empty() && (current.len() as u64 >= max_items || bytes + size > max_bytes) {
                batches.push(batch_object(batch_input.as_ref(), std::mem::take(&mut current)));
                bytes = 0;
            }
            bytes += size;
            current.push(selected);
        }
        if !current.is_empty() {
            batches.push(batch_object(batch_input.as_ref(), current));
        }
        Ok(batches)
    }

    /// An item as its iteration sees it: through `ItemSelector` (with
    /// `$$.Map.Item`) when there is one.
    fn select_item(&self, state: &State, index: usize, item: &Value, input: &Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        let jsonata_selector = match &state.kind {
            StateKind::Map(map) => map.item_selector.as_ref(),
            _ => None,
        };
        if jsonata_selector.is_none() && state.io.parameters.is_none() {
            return Ok(item.clone());
        }
        let item_context = StateContext {
            run: context.run,
            state: context.state,
            entered_time: context.entered_time,
            retry_count: None,
            value: OnceLock::new(),
            task_token: None,
            map_item: Some((index, item)),
            variables: context.variables,
        };
        match (jsonata_selector, &state.io.parameters) {
            (Some(selector), _) => jsonata::Scope::new(input, None, None, &item_context).value(selector, "ItemSelector"),
            (None, Some(selector)) => payload::evaluate(selector, &Env { input, context: &item_context }),
            (None, None) => Ok(item.clone()),
        }
    }

    async fn iterate(&self, run: &MapRun<'_>) -> Result<Vec<Value>, StatesError> {
        use futures_util::stream::{FuturesUnordered, StreamExt};
        let MapRun { state, map, items, input: _, context: _, selected: _, limits, distributed } = *run;
        if !distributed && map.processor.never_waits() {
            return self.iterate_instant(run).await;
        }
        // Every launch is recorded (or, without history, counted) before the
        // iterations launched run, as AWS records it, so that event ids agree
        // with or without history.
        let window = if limits.max_concurrency == 0 { usize::MAX } else { limits.max_concurrency };
        let mut failures = 0usize;
        let mut results: Vec<Value> = Vec::with_capacity(items.len());
        results.resize(items.len(), Value::Null);
        // The Task each inline iteration is in (a child execution keeps its own).
        let open: Vec<OpenTask> = if distributed { Vec::new() } else { (0..items.len()).map(|_| OpenTask::default()).collect() };
        let mut running = FuturesUnordered::new();
        let mut in_flight: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        let mut next = 0;
        loop {
            while running.len() < window && next < items.len() {
                let index = next;
                next += 1;
                in_flight.insert(index);
                if !distributed {
                    self.iterations_started(state, index..index + 1);
                }
                running.push(Box::pin(self.iteration(run, index, open.get(index))));
            }
            let Some((index, outcome)) = running.next().await else { break };
            in_flight.remove(&index);
            match limits.settle(outcome, &mut failures, items.len()) {
                Ok(result) => results[index] = result,
                Err(error) => {
                    // Dropping the rest cancels their in-flight work.
                    drop(running);
                    if !distributed {
                        for i in in_flight {
                            self.iterations_aborted(state, i..i + 1);
                            if open[i].take() {
                                self.mark("TaskStateAborted");
                            }
                        }
                    }
                    return Err(error);
                }
            }
        }
        Ok(results)
    }

    /// An item processor that never waits runs item after item with no
    /// future per iteration, recording the events the general path would, in
    /// its order; it yields to the scheduler now and then, so timers (a
    /// `TimeoutSeconds`, a stop) still fire during a long Map. Without
    /// history, the items between yields may be spread over threads
    /// ([`Executor::parallelism`]).
    async fn iterate_instant(&self, run: &MapRun<'_>) -> Result<Vec<Value>, StatesError> {
        const ITEMS_BETWEEN_YIELDS: usize = 4096;
        let total = run.items.len();
        let mut results = Vec::with_capacity(total);
        let mut failures = 0usize;
        // The general path records each launch (`MapIterationStarted`)
        // before running what it launched, and aborts what is still in
        // flight: record those events where it would, so that histories and
        // the event ids in causes agree.
        let window = if run.limits.max_concurrency == 0 { total } else { run.limits.max_concurrency.min(total) };
        let mut launched = window;
        self.iterations_started(run.state, 0..window);
        let mut start = 0;
        while start < total {
            if start > 0 {
                tokio::task::yield_now().await;
            }
            let end = total.min(start + ITEMS_BETWEEN_YIELDS);
            // Each item runs at most the processor's states (a Choice loop
            // may run more; most processors run about that many).
            let threads = self.threads_for((end - start).saturating_mul(run.map.processor.states.len()));
            let speculated = (threads > 1)
                .then(|| self.speculate(end - start, threads, |worker, i| worker.instant_iteration(run, start + i).ok()))
                .flatten();
            let mut speculated = speculated.map(Vec::into_iter);
            for index in start..end {
                let outcome = match speculated.as_mut().and_then(Iterator::next) {
                    Some(output) => Ok(output),
                    None => self.instant_iteration(run, index),
                };
                match run.limits.settle(outcome, &mut failures, total) {
                    Ok(result) => results.push(result),
                    Err(error) => {
                        self.iterations_aborted(run.state, index + 1..launched);
                        return Err(error);
                    }
                }
                if launched < total {
                    self.iterations_started(run.state, launched..launched + 1);
                    launched += 1;
                }
            }
            start = end;
        }
        Ok(results)
    }

    /// Records `MapIterationStarted` for the inline iterations in `indices`
    /// of the Map `state` (without history, counts them in one step).
    fn iterations_started(&self, state: &State, indices: std::ops::Range<usize>) {
        self.iterations_marked("MapIterationStarted", indices, |index| EventDetails::MapIterationStarted { name: state.name.clone(), index });
    }

    /// Records `MapIterationAborted` for the inline iterations in `indices`.
    fn iterations_aborted(&self, state: &State, indices: std::ops::Range<usize>) {
        self.iterations_marked("MapIterationAborted", indices, |index| EventDetails::MapIterationAborted { name: state.name.clone(), index });
    }

    fn iterations_marked(&self, event_type: &'static str, indices: std::ops::Range<usize>, details: impl Fn(usize) -> EventDetails) {
        if !self.history().enabled() {
            self.history().count_only(indices.len() as u64);
            return;
        }
        for index in indices {
            self.event(event_type, || details(index));
        }
    }

    /// One iteration of a processor that never waits, run to its end.
    fn instant_iteration(&self, run: &MapRun<'_>, index: usize) -> Result<Value, StatesError> {
        // As in `iteration`: an item its selector fails on never started.
        let item_input = self.iteration_input(run, index)?;
        let processor = &run.map.processor;
        let start = Next { index: processor.start_index, input: item_input, text: None, bound: size::UNKNOWN };
        // Each iteration starts with the variables around the Map.
        let mut variables = run.context.variables.clone();
        let mut at = start;
        let outcome = match self.run_instant(processor, &mut at, &mut variables) {
            Ok(None) => Ok(at.input),
            Ok(Some(waiting)) => Err(StatesError::new(
                names::RUNTIME,
                format!("the state '{}' waits inside a processor that never waits", waiting.name),
            )),
            Err(error) => Err(error),
        };
        self.iteration_ended(run.state, index, outcome.is_ok());
        outcome
    }

    /// The input of item `index`'s iteration: the batch or the item as
    /// `ItemSelector` (with `$$.Map.Item`) selects it.
    fn iteration_input(&self, run: &MapRun<'_>, index: usize) -> Result<Value, StatesError> {
        let item = &run.items[index];
        if run.selected {
            return Ok(item.clone());
        }
        self.select_item(run.state, index, item, run.input, run.context).map_err(|f| f.in_state(&run.state.name, 0))
    }

    /// One item: `ItemSelector` (with `$$.Map.Item`), then the processor.
    /// Distributed iterations are child executions with their own history.
    async fn iteration(&self, run: &MapRun<'_>, index: usize, open: Option<&OpenTask>) -> (usize, Result<Value, StatesError>) {
        let item_input = match self.iteration_input(run, index) {
            Ok(v) => v,
            Err(e) => return (index, Err(e)),
        };
        let (state, map) = (run.state, run.map);
        if run.distributed {
            // A child execution sees no variables of its parent.
            let child = self.counting_from(0);
            return (index, child.scope(&map.processor, item_input, Variables::default()).await);
        }
        let variables = run.context.variables.clone();
        let outcome = match open {
            Some(open) => self.scope_in(&map.processor, item_input, variables, open).await,
            None => self.scope(&map.processor, item_input, variables).await,
        };
        self.iteration_ended(state, index, outcome.is_ok());
        // The Task the iteration failed in is closed after it.
        if open.is_some_and(OpenTask::take) {
            self.mark("TaskStateAborted");
        }
        (index, outcome)
    }

    /// Records the end of an inline Map iteration.
    fn iteration_ended(&self, state: &State, index: usize, succeeded: bool) {
        let name = || state.name.clone();
        match succeeded {
            true => self.event("MapIterationSucceeded", || EventDetails::MapIterationSucceeded { name: name(), index }),
            false => self.event("MapIterationFailed", || EventDetails::MapIterationFailed { name: name(), index }),
        }
    }

    /// `ResultPath` then `OutputPath`.
    /// (In line: where `ResultPath` and `OutputPath` are both `$`, as for
    /// most Tasks, the result is the output, and nothing else is done.)
    #[inline(always)]
    fn finish_output(&self, state: &State, input: Value, result: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        if matches!(&state.io.result_path, ResultPath::Path(p) if p.segments.is_empty())
            && matches!(&state.io.output_path, NullablePath::Path(p) if p.is_identity())
        {
            return Ok(result);
        }
        let combined = apply_result_path(&state.io.result_path, input, result)?;
        self.select_output(state, combined, context)
    }

    /// `OutputPath`.
    #[inline(always)]
    fn select_output(&self, state: &State, combined: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        match &state.io.output_path {
            NullablePath::Path(p) if p.is_identity() => Ok(combined),
            other => select_nullable(other, &combined, context).map(Cow::into_owned),
        }
    }

    fn wait_duration(&self, wait: &Wait, env: &Env<'_>) -> Result<Duration, Failure> {
        let until = |ts: jiff::Timestamp| {
            let now = self.exec.clock.now();
            let span = ts.duration_since(now);
            Duration::try_from(span).unwrap_or(Duration::ZERO)
        };
        match wait {
            Wait::Seconds(Seconds::Fixed(s)) => Ok(Duration::from_secs(*s)),
            Wait::Seconds(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
                })?;
                match v.as_ref() {
                    Value::Number(n) if n.as_i64().is_some_and(|i| i < 0) => Err(Failure::runtime(format!(
                        "The SecondsPath parameter references a negative value: {} == {n}",
                        p.text
                    ))),
                    Value::Number(n) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
                    other => Err(Failure::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.text,
                        text_of(other)
                    ))),
                }
            }
            Wait::Timestamp(s) => {
                let ts = asl_spec::time::parse_rfc3339(s).ok_or_else(|| {
                    Failure::runtime(format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {s}"))
                })?;
                Ok(until(ts))
            }
            Wait::TimestampPath(p) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The TimestampPath parameter does not reference an input value: {}", p.text))
                })?;
                let ts = v.as_str().and_then(asl_spec::time::parse_rfc3339).ok_or_else(|| {
                    Failure::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.text,
                        text_of(&v)
                    ))
                })?;
                Ok(until(ts))
            }
            Wait::Seconds(Seconds::Jsonata(expr)) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, "Seconds")?;
                match v.as_u64() {
                    Some(s) => Ok(Duration::from_secs(s)),
                    None => Err(jsonata::unexpected_type(expr, "Seconds", "integer", &v)),
                }
            }
            Wait::TimestampJsonata(expr) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, "Timestamp")?;
                let ts = v.as_str().and_then(asl_spec::time::parse_rfc3339).ok_or_else(|| {
                    Failure::query(
                        "Timestamp",
                        format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}", v.as_str().map_or_else(|| to_text(&v), str::to_string)),
                    )
                })?;
                Ok(until(ts))
            }
        }
    }

    fn task_seconds(&self, seconds: &Option<Seconds>, field: &str, env: &Env<'_>) -> Result<Option<u64>, Failure> {
        match seconds {
            None => Ok(None),
            Some(Seconds::Fixed(s)) => Ok(Some(*s)),
            Some(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env)
                    .map_err(|_| Failure::runtime(format!("The {field}Path parameter does not reference an input value: {}", p.text)))?;
                match v.as_u64() {
                    Some(s) if s > 0 => Ok(Some(s)),
                    _ => Err(Failure::runtime(format!(
                        "The {field}Path parameter does not reference a positive integer: {} == {}",
                        p.text,
                        text_of(&v)
                    ))),
                }
            }
            Some(Seconds::Jsonata(expr)) => {
                let v = jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field)?;
                match v.as_u64() {
                    Some(s) if s > 0 => Ok(Some(s)),
                    _ => Err(jsonata::unexpected_type(expr, field, "positive integer", &v)),
                }
            }
        }
    }

    /// Invokes the resource, retrying as the `Retry` rules say.
    /// Invokes the resource, retrying as the `Retry` rules say. Each attempt
    /// evaluates `Parameters` afresh, so `$$.State.RetryCount` (and a
    /// callback's `$$.Task.Token`) are the attempt's own. Returns the result
    /// and the number of retries it took.
    async fn task(
        &self,
        state: &State,
        task: &Task,
        state_input: TaskInput<'_>,
        context: &StateContext<'_>,
        entered: u64,
    ) -> Result<(Value, u32), StatesError> {
        let (borrowed, mut owned) = match state_input {
            TaskInput::Borrowed(v) => (Some(v), None),
            TaskInput::Owned(v) => (None, Some(v)),
        };
        let (timeout, heartbeat) = {
            // `TimeoutSecondsPath` and `HeartbeatSecondsPath` read the state's input.
            static NO_INPUT: Value = Value::Null;
            let env = Env { input: borrowed.or(owned.as_ref()).unwrap_or(&NO_INPUT), context };
            let t = self.task_seconds(&task.timeout, "TimeoutSeconds", &env).map_err(|f| self.fail_in(state, entered, f))?;
            let h = self.task_seconds(&task.heartbeat, "HeartbeatSeconds", &env).map_err(|f| self.fail_in(state, entered, f))?;
            (t, h)
        };
        // Only history events tell resource kinds apart.
        let kind = self.history().enabled().then(|| ResourceKind::of(&task.resource));
        let kind = kind.as_ref();
        let mut policy = RetryPolicy::new(&task.retry);
        loop {
            let token = context.task_token.as_ref().map(|_| Box::from(callbacks::new_token()));
            let context = &context.for_attempt(policy.retries, token);
            let input = match (owned.take(), borrowed) {
                (Some(given), _) => self.effective_input_owned(state, given, context),
                (None, Some(state_input)) => self.effective_input(state, state_input, context),
                // An owned input comes with no Retry: there is one attempt.
                (None, None) => Err(Failure::runtime("a Task without Retry was attempted twice")),
            }
            .map_err(|f| self.fail_in(state, entered, f))?;
            self.record_task_start(kind, task, &input, timeout, heartbeat);
            // Heartbeats come from the handler (`ctx.heartbeat()`) or, for
            // callback tasks, from `send_task_heartbeat`; when neither can
            // happen, no channel is made.
            let (heartbeats, mut heartbeat_rx) = match heartbeat.or(context.task_token.as_ref().map(|_| 0)) {
                Some(_) => {
                    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                    (Some(tx), Some(rx))
                }
                None => (None, None),
            };
            let registration = context.task_token.as_deref().zip(heartbeats.clone()).map(|(token, tx)| callbacks::register(token, tx));
            // AWS's default task timeout; it matters for callbacks, which
            // would otherwise wait for a token forever.
            let timeout = timeout.or(registration.is_some().then_some(DEFAULT_TASK_TIMEOUT_SECONDS));
            let request = self.task_request(state, task, input, policy.retries, context.task_token.as_deref(), heartbeats.clone());
            let call = self.exec.handler.invoke(request);
            // Most tasks have no deadline, heartbeat or callback: await the
            // call itself. The supervised path is boxed so that its size
            // does not weigh on every state's future.
            let outcome = match (timeout, heartbeat, registration) {
                (None, None, None) => call.await,
                (timeout, heartbeat, registration) => {
                    Box::pin(self.supervise(call, kind, registration, timeout, heartbeat.zip(heartbeat_rx.as_mut()))).await
                }
            };
            drop(heartbeats);
            let error = match self.task_answered(kind, outcome) {
                Ok(output) => return Ok((output, policy.retries)),
                Err(error) if error.is_uncatchable() => return Err(error),
                Err(error) => error,
            };
            match policy.next_delay(&error) {
                Some(delay) => self.exec.clock.sleep(delay).await,
                None => return Err(error),
            }
        }
    }

    /// Records how a task call ended (an uncatchable error, such as a stop,
    /// ends no task) and passes the outcome on.
    #[inline(always)]
    fn task_answered(&self, kind: Option<&ResourceKind>, outcome: Result<Value, StatesError>) -> Result<Value, StatesError> {
        match &outcome {
            Ok(output) => self.record_task_end(kind, Ok(output)),
            Err(error) if !error.is_uncatchable() => self.record_task_end(kind, Err(error)),
            Err(_) => {}
        }
        outcome
    }

    /// What the handler of `task` gets for one attempt.
    fn task_request(
        &self,
        state: &State,
        task: &Task,
        input: Value,
        retry_count: u32,
        task_token: Option<&str>,
        heartbeats: Option<tokio::sync::mpsc::UnboundedSender<()>>,
    ) -> TaskRequest {
        TaskRequest {
            input,
            context: TaskContext::new((&state.name, &task.resource), retry_count, task_token, self.info.names, heartbeats),
        }
    }

    /// Enters a [`plain_task`] and calls its handler, all without awaiting:
    /// what is left is the call, and then [`Run::finish_plain_task`].
    /// (In line in each kind of scope: it is the Task loop's hot path.)
    #[inline(always)]
    /// The state input stays in `at` when the output is made from it (else
    /// it is given away, and `at` holds `null`).
    fn start_plain_task<'s>(
        &self,
        state: &'s State,
        task: &Task,
        at: &mut Next,
        variables: &Variables,
    ) -> Result<(PlainTask<'s>, crate::clock::BoxFuture<'static, Result<Value, StatesError>>), StatesError> {
        let (entered, entered_time) = self.enter(state, &at.input, at.text.take());
        let context = self.context(state, entered_time, variables);
        let effective = if task_consumes_input(state, task) {
            self.effective_input_in(state, &mut at.input, &context).map(|()| std::mem::take(&mut at.input))
        } else {
            self.effective_input(state, &at.input, &context)
        };
        let effective = effective.map_err(|f| self.fail_in(state, entered, f))?;
        let kind = self.history().enabled().then(|| ResourceKind::of(&task.resource));
        self.record_task_start(kind.as_ref(), task, &effective, None, None);
        let call = self.exec.handler.invoke(self.task_request(state, task, effective, 0, None, None));
        Ok((PlainTask { state, entered, entered_time, kind }, call))
    }

    /// The rest of a [`plain_task`] once its call is answered.
    #[inline(always)]
    fn finish_plain_task(&self, task: PlainTask<'_>, outcome: Result<Value, StatesError>, to: &mut Next, variables: &mut Variables) -> Result<bool, StatesError> {
        let PlainTask { state, entered, entered_time, kind } = task;
        // No Retry, no Catch: an error is the state's.
        let result = self.task_answered(kind.as_ref(), outcome)?;
        // (A block, not `drop`: the context is dropped where it lies.)
        let Done { output, next, bound, assigned } = {
            let context = self.context(state, entered_time, variables);
            self.finish_result(state, std::mem::take(&mut to.input), result, &context).map_err(|f| self.fail_in(state, entered, f))?
        };
        to.input = output;
        self.end_in(state, to, (next, bound, assigned), None, variables)
    }

    /// A task call under its `TimeoutSeconds`, `HeartbeatSeconds` and, for
    /// callback tasks, waiting for the token's answer.
    async fn supervise(
        &self,
        call: crate::clock::BoxFuture<'static, Result<Value, StatesError>>,
        kind: Option<&ResourceKind>,
        registration: Option<callbacks::Registration>,
        timeout: Option<u64>,
        heartbeat: Option<(u64, &mut tokio::sync::mpsc::UnboundedReceiver<()>)>,
    ) -> Result<Value, StatesError> {
        let work = async {
            let response = call.await?;
            match registration {
                None => Ok(response),
                // `.waitForTaskToken`: the call only hands the token out;
                // the result is whatever the callback sends.
                Some(mut registration) => {
                    self.record_task_submitted(kind, &response);
                    (&mut registration.result)
                        .await
                        .unwrap_or_else(|_| Err(StatesError::new(names::RUNTIME, "the task token was forgotten")))
                }
            }
        };
        let watchdog = async {
            let Some((secs, rx)) = heartbeat else {
                return std::future::pending::<StatesError>().await;
            };
            loop {
                tokio::select! {
                    _ = self.exec.clock.sleep(Duration::from_secs(secs)) => return StatesError::bare(names::HEARTBEAT_TIMEOUT),
                    // The sender is alive while the task runs, so this never reports a closed channel.
                    _ = rx.recv() => {}
                }
            }
        };
        let deadline = async {
            match timeout {
                Some(secs) => {
                    self.exec.clock.sleep(Duration::from_secs(secs)).await;
                    // AWS reports task timeouts with an empty cause.
                    StatesError::new(names::TIMEOUT, "")
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            r = work => r,
            e = watchdog => Err(e),
            e = deadline => Err(e),
        }
    }

    /// The `*Scheduled` and `*Started` events of a call (counted in line
    /// when history keeps nothing: every Task call starts here).
    #[inline(always)]
    fn record_task_start(&self, kind: Option<&ResourceKind>, task: &Task, input: &Value, timeout: Option<u64>, heartbeat: Option<u64>) {
        match kind.filter(|_| self.history().enabled()) {
            Some(kind) => self.record_task_start_events(kind, task, input, timeout, heartbeat),
            None => {
                self.history().record("", || self.now(), || None);
                self.history().record("", || self.now(), || None);
            }
        }
    }

    #[inline(never)]
    fn record_task_start_events(&self, kind: &ResourceKind, task: &Task, input: &Value, timeout: Option<u64>, heartbeat: Option<u64>) {
        let history = self.history();
        let now = self.now();
        let text = to_text(input);
        match kind {
            ResourceKind::LambdaFunction => {
                history.record("LambdaFunctionScheduled", || now, || {
                    Some(EventDetails::LambdaFunctionScheduled {
                        resource: task.resource.clone(),
                        input: text,
                        input_details: PayloadDetails::default(),
                        timeout_in_seconds: timeout,
                    })
                });
                history.record("LambdaFunctionStarted", || now, || None);
            }
            ResourceKind::Activity => {
                history.record("ActivityScheduled", || now, || {
                    Some(EventDetails::ActivityScheduled {
                        resource: task.resource.clone(),
                        input: text,
                        input_details: PayloadDetails::default(),
                        timeout_in_seconds: timeout,
                        heartbeat_in_seconds: heartbeat,
                    })
                });
                history.record("ActivityStarted", || now, || {
                    Some(EventDetails::ActivityStarted { worker_name: "asl-runtime".into() })
                });
            }
            ResourceKind::Service { resource_type, resource } => {
                history.record("TaskScheduled", || now, || {
                    Some(EventDetails::TaskScheduled {
                        resource: resource.clone(),
                        resource_type: resource_type.clone(),
                        region: self.exec.identity.region.clone(),
                        parameters: text,
                        timeout_in_seconds: timeout,
                        heartbeat_in_seconds: heartbeat,
                    })
                });
                history.record("TaskStarted", || now, || {
                    Some(EventDetails::TaskStarted { resource: resource.clone(), resource_type: resource_type.clone() })
                });
            }
        }
    }

    /// The event that ends a call (counted in line when history keeps nothing).
    #[inline(always)]
    fn record_task_end(&self, kind: Option<&ResourceKind>, outcome: Result<&Value, &StatesError>) {
        match kind.filter(|_| self.history().enabled()) {
            Some(kind) => self.record_task_end_event(kind, outcome),
            None => {
                self.history().record("", || self.now(), || None);
            }
        }
    }

    #[inline(never)]
    fn record_task_end_event(&self, kind: &ResourceKind, outcome: Result<&Value, &StatesError>) {
        let history = self.history();
        let now = self.now();
        let timed_out = matches!(outcome, Err(e) if e.error == names::TIMEOUT || e.error == names::HEARTBEAT_TIMEOUT);
        let details_of = |e: &StatesError| ErrorDetails { error: Some(e.error.clone()), cause: e.cause.clone() };
        let (event_type, details) = match (kind, outcome) {
            (ResourceKind::LambdaFunction, Ok(v)) => (
                "LambdaFunctionSucceeded",
                EventDetails::LambdaFunctionSucceeded { output: to_text(v), output_details: PayloadDetails::default() },
            ),
            (ResourceKind::LambdaFunction, Err(e)) => {
                let d = details_of(e);
                if timed_out {
                    ("LambdaFunctionTimedOut", EventDetails::LambdaFunctionTimedOut(d))
                } else {
                    ("LambdaFunctionFailed", EventDetails::LambdaFunctionFailed(d))
                }
            }
            (ResourceKind::Activity, Ok(v)) => (
                "ActivitySucceeded",
                EventDetails::ActivitySucceeded { output: to_text(v), output_details: PayloadDetails::default() },
            ),
            (ResourceKind::Activity, Err(e)) => {
                let d = details_of(e);
                if timed_out {
                    ("ActivityTimedOut", EventDetails::ActivityTimedOut(d))
                } else {
                    ("ActivityFailed", EventDetails::ActivityFailed(d))
                }
            }
            (ResourceKind::Service { resource_type, resource }, Ok(v)) => (
                "TaskSucceeded",
                EventDetails::TaskSucceeded {
                    resource: resource.clone(),
                    resource_type: resource_type.clone(),
                    output: to_text(v),
                    output_details: PayloadDetails::default(),
                },
            ),
            (ResourceKind::Service { resource_type, resource }, Err(e)) => {
                let error = details_of(e);
                let (resource, resource_type) = (resource.clone(), resource_type.clone());
                if timed_out {
                    ("TaskTimedOut", EventDetails::TaskTimedOut { resource, resource_type, error })
                } else {
                    ("TaskFailed", EventDetails::TaskFailed { resource, resource_type, error })
                }
            }
        };
        history.record(event_type, || now, || Some(details));
    }

    /// A callback task's call returned; it now waits for its token.
    fn record_task_submitted(&self, kind: Option<&ResourceKind>, response: &Value) {
        if let Some(ResourceKind::Service { resource_type, resource }) = kind {
            self.event("TaskSubmitted", || EventDetails::TaskSubmitted {
                resource: resource.clone(),
                resource_type: resource_type.clone(),
                output: to_text(response),
                output_details: PayloadDetails::default(),
            });
        }
    }

    /// Applies the first matching catcher, or passes the error on.
    /// Hands an error to the first catcher that takes it: its `Assign`
    /// and `ResultPath` (JSONata: `Assign` and `Output`, by default the
    /// error output) read the error output `{"Error", "Cause"}`. Returns
    /// where to go and the variables assigned.
    fn catch(
        &self,
        state: &State,
        catchers: &[Catcher],
        error: StatesError,
        input: Value,
        entered: u64,
        context: &StateContext<'_>,
    ) -> Result<(Flow, Assigned), StatesError> {
        if error.is_uncatchable() {
            return Err(error);
        }
        let Some(catcher) = catchers.iter().find(|c| error.matches(&c.error_equals, true)) else {
            return Err(error);
        };
        let mut error_output = JsonMap::new();
        error_output.insert("Error".into(), Value::String(error.error));
        if let Some(cause) = error.cause {
            error_output.insert("Cause".into(), Value::String(cause));
        }
        let error_output = Value::Object(error_output);
        let caught = if state.query_language == QueryLanguage::Jsonata {
            let scope = jsonata::Scope::new(&input, None, Some(&error_output), context);
            jsonata_outcome(catcher.assign.as_ref(), catcher.output.as_ref(), scope).map(|(output, assigned)| (output_or(output, input, |_| error_output), assigned))
        } else {
            assign_jsonpath(catcher.assign.as_ref(), &Env { input: &error_output, context })
                .and_then(|assigned| Ok((apply_result_path(&catcher.result_path, input, error_output)?, assigned)))
        };
        let (output, assigned) = caught.map_err(|f| self.fail_in(state, entered, f))?;
        let text = self.record_exited(state, self.history().enabled().then(|| to_text(&output)), None, assigned.as_deref());
        Ok((Flow::Next(Next { index: catcher.next.index, input: output, text, bound: size::UNKNOWN }), assigned))
    }
}

/// Whether nothing reads a Task's input once its handler is called: a Task
/// without Retry or Catch whose result replaces the input (JSONPath: the
/// `ResultPath` is `$`; JSONata: there is no `Output` or `Assign`, which
/// could read `$states.input`). The input is then handed to the task,
/// which builds its `Parameters` or `Arguments` in it.
fn task_consumes_input(state: &State, task: &Task) -> bool {
    task.retry.is_empty()
        && task.catch.is_empty()
        && match state.query_language {
            QueryLanguage::JsonPath => matches!(&state.io.result_path, ResultPath::Path(p) if p.is_identity()),
            QueryLanguage::Jsonata => state.output.is_none() && state.assign.is_none(),
        }
}

/// Whether a task hands out a task token and waits for it to come back.
fn waits_for_token(task: &Task) -> bool {
    task.integration == Integration::WaitForTaskToken
}

/// A Task state that waits for its call and nothing else: no Retry or
/// Catch, no timeout or heartbeat to watch, no task token. Most tasks are
/// this; they run with no future of their own ([`Run::start_plain_task`]).
fn plain_task(state: &State) -> Option<&Task> {
    match &state.kind {
        StateKind::Task(task)
            if task.retry.is_empty() && task.catch.is_empty() && task.timeout.is_none() && task.heartbeat.is_none() && !waits_for_token(task) =>
        {
            Some(task)
        }
        _ => None,
    }
}

/// A [`plain_task`] whose call is in flight: what its end needs.
struct PlainTask<'s> {
    state: &'s State,
    entered: u64,
    entered_time: Option<Timestamp>,
    /// The resource's kind, when history records its events.
    kind: Option<ResourceKind>,
}

/// Whether `InputPath` and `OutputPath` both select the whole input.
/// Whether `OutputPath` is `$`, so a state's output is what it built.
fn passes_output_through(io: &Io) -> bool {
    matches!(&io.output_path, NullablePath::Path(p) if p.is_identity())
}

fn passes_input_through(io: &Io) -> bool {
    let whole = |p: &NullablePath| matches!(p, NullablePath::Path(p) if p.is_identity());
    whole(&io.input_path) && whole(&io.output_path)
}

/// `PassStateEntered`, `TaskStateExited`, …
fn state_event(kind: &StateKind, entered: bool) -> &'static str {
    match (kind, entered) {
        (StateKind::Pass(_), true) => "PassStateEntered",
        (StateKind::Pass(_), false) => "PassStateExited",
        (StateKind::Task(_), true) => "TaskStateEntered",
        (StateKind::Task(_), false) => "TaskStateExited",
        (StateKind::Choice(_), true) => "ChoiceStateEntered",
        (StateKind::Choice(_), false) => "ChoiceStateExited",
        (StateKind::Wait(_), true) => "WaitStateEntered",
        (StateKind::Wait(_), false) => "WaitStateExited",
        (StateKind::Succeed, true) => "SucceedStateEntered",
        (StateKind::Succeed, false) => "SucceedStateExited",
        (StateKind::Fail(_), true) => "FailStateEntered",
        (StateKind::Fail(_), false) => "FailStateExited",
        (StateKind::Parallel(_), true) => "ParallelStateEntered",
        (StateKind::Parallel(_), false) => "ParallelStateExited",
        (StateKind::Map(_), true) => "MapStateEntered",
        (StateKind::Map(_), false) => "MapStateExited",
    }
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

/// An object's items per `ReaderConfig.InputType`.
fn parse_items(reader: &ItemReader, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the object is not UTF-8 text".to_string())?;
    match reader.input_type.as_deref().unwrap_or("JSON") {
        "JSON" => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err("a JSON item source must hold an array".into()),
            Err(e) => Err(format!("not valid JSON: {e}")),
        },
        "JSONL" => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect(),
        "CSV" => {
            let delimiter = match reader.csv_delimiter.as_deref().unwrap_or("COMMA") {
                "COMMA" => b',',
                "PIPE" => b'|',
                "SEMICOLON" => b';',
                "SPACE" => b' ',
                "TAB" => b'\t',
                other => return Err(format!("unknown CSVDelimiter {other}")),
            };
            let given = reader.csv_header_location.as_deref() == Some("GIVEN");
            let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(!given).flexible(true).from_reader(text.as_bytes());
            let headers: Vec<String> = if given {
                reader.csv_headers.clone().ok_or("CSVHeaderLocation GIVEN needs CSVHeaders")?
            } else {
                csv.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect()
            };
            let mut items = Vec::new();
            for row in csv.records() {
                let row = row.map_err(|e| e.to_string())?;
                let mut item = JsonMap::new();
                for (h, v) in headers.iter().zip(row.iter()) {
                    item.insert(h.clone(), Value::String(v.to_string()));
                }
                items.push(Value::Object(item));
            }
            Ok(items)
        }
        other => Err(format!("InputType {other} is not supported by this runtime")),
    }
}

/// What an `ItemReader` or `ResultWriter` asks of the object store: its
/// `Parameters` (JSONPath) or `Arguments` (JSONata) over the Map's input.
fn request(parameters: Option<&Template>, arguments: Option<&Jsonata>, field: &str, env: &Env<'_>) -> Result<Value, Failure> {
    match (parameters, arguments) {
        (Some(t), _) => payload::evaluate(t, env),
        (None, Some(arguments)) => jsonata::Scope::new(env.input, None, None, env.context).value(arguments, field),
        (None, None) => Ok(Value::Object(JsonMap::new())),
    }
}

fn batch_object(batch_input: Option<&Value>, items: Vec<Value>) -> Value {
    let mut batch = JsonMap::new();
    if let Some(fixed) = batch_input {
        batch.insert("BatchInput".into(), fixed.clone());
    }
    batch.insert("Items".into(), Value::Array(items));
    Value::Object(batch)
}

/// Why a Map state did not produce a result.
enum MapError {
    /// A problem evaluating the Map state's own fields (`States.Runtime`).
    Failure(Failure),
    /// An iteration failed, or too many did.
    Failed(StatesError),
}

/// `MaxConcurrency` and the tolerated-failure thresholds, resolved for one run.
struct MapLimits {
    max_concurrency: usize,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
}

impl MapLimits {
    /// `MaxConcurrency` (0: unbounded).
    fn max_concurrency(map: &Map, env: &Env<'_>) -> Result<usize, Failure> {
        Ok(match &map.max_concurrency {
            None => 0,
            Some(count) => {
                let v = count_value(count, "MaxConcurrency", env)?;
                match v.as_u64() {
                    Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                    None => return Err(not_a_number(count, "MaxConcurrency", &v, "integer")),
                }
            }
        })
    }

    fn resolve(map: &Map, max_concurrency: usize, env: &Env<'_>) -> Result<MapLimits, Failure> {
        let tolerated_count = match &map.tolerated_failure_count {
            None => None,
            Some(count) => {
                let v = count_value(count, "ToleratedFailureCount", env)?;
                match v.as_i64() {
                    Some(n) if n < 0 => return Err(Failure::runtime("ToleratedFailureCount cannot be negative.")),
                    Some(n) => Some(n as u64),
                    None => return Err(not_a_number(count, "ToleratedFailureCount", &v, "integer")),
                }
            }
        };
        let tolerated_percentage = match &map.tolerated_failure_percentage {
            None => None,
            Some(count) => {
                let v = count_value(count, "ToleratedFailurePercentage", env)?;
                match v.as_f64() {
                    Some(p) if !(0.0..=100.0).contains(&p) => {
                        return Err(Failure::runtime("ToleratedFailurePercentage must be between 0 and 100."));
                    }
                    Some(p) => Some(p),
                    None => return Err(not_a_number(count, "ToleratedFailurePercentage", &v, "float")),
                }
            }
        };
        Ok(MapLimits { max_concurrency, tolerated_count, tolerated_percentage })
    }

    /// After `failures` of `total` items failed: `None` if tolerated,
    /// `Some(true)` if a configured threshold is exceeded, `Some(false)` if
    /// no failure is tolerated at all (the item's own error stands).
    fn exceeded(&self, failures: usize, total: usize) -> Option<bool> {
        if self.tolerated_count.is_none() && self.tolerated_percentage.is_none() {
            return Some(false);
        }
        let over_count = self.tolerated_count.is_some_and(|c| failures as u64 > c);
        let over_percentage = self.tolerated_percentage.is_some_and(|p| failures as f64 * 100.0 / total.max(1) as f64 > p);
        (over_count || over_percentage).then_some(true)
    }

    /// What an iteration's outcome puts in the Map's results: its output,
    /// or, while failures are tolerated, `{"Error", "Cause"}`. `Err` when
    /// this failure ends the Map.
    fn settle(&self, outcome: Result<Value, StatesError>, failures: &mut usize, total: usize) -> Result<Value, StatesError> {
        let error = match outcome {
            Ok(v) => return Ok(v),
            Err(error) => error,
        };
        *failures += 1;
        match self.exceeded(*failures, total) {
            None => {
                let mut out = JsonMap::new();
                out.insert("Error".into(), Value::String(error.error));
                if let Some(c) = error.cause {
                    out.insert("Cause".into(), Value::String(c));
                }
                Ok(Value::Object(out))
            }
            Some(true) => Err(StatesError::new(names::EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was exceeded")),
            Some(false) => Err(error),
        }
    }
}

fn count_value(count: &Count, field: &str, env: &Env<'_>) -> Result<Value, Failure> {
    match count {
        Count::Fixed(v) => Ok(v.clone()),
        Count::Path(p) => match jsonpath::select(p, env) {
            // AWS reads a number written as a string too (`"1"`).
            Ok(v) => Ok(match v.as_str().and_then(|s| serde_json::from_str::<serde_json::Number>(s.trim()).ok()) {
                Some(n) => Value::Number(n),
                None => v.into_owned(),
            }),
            Err(_) => Err(Failure::runtime(format!("The {field}Path field does not reference an input value: {}", p.text))),
        },
        Count::Jsonata(expr) => jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field),
    }
}

fn not_a_number(count: &Count, field: &str, value: &Value, kind: &str) -> Failure {
    match count {
        Count::Path(p) => Failure::runtime(format!(
            "The {field}Path field refers to value \"{}\" which is not a valid {kind}: {}",
            text_of(value),
            p.text
        )),
        _ => Failure::runtime(format!("{field} must be a valid {kind}, not {}", text_of(value))),
    }
}

/// AWS's retry rule: the first retrier whose `ErrorEquals` matches decides;
/// once it has used its `MaxAttempts` the error stands (later retriers are
/// not consulted). Attempts are counted per retrier.
struct RetryPolicy<'r> {
    retriers: &'r [Retrier],
    attempts: Vec<u64>,
    /// Retries so far (`$$.State.RetryCount`).
    retries: u32,
}

impl<'r> RetryPolicy<'r> {
    fn new(retriers: &'r [Retrier]) -> Self {
        RetryPolicy { retriers, attempts: vec![0; retriers.len()], retries: 0 }
    }

    /// How long to wait before retrying after `error`, or `None` to give up.
    fn next_delay(&mut self, error: &StatesError) -> Option<Duration> {
        if error.is_uncatchable() {
            return None;
        }
        let r = self.retriers.iter().position(|r| error.matches(&r.error_equals, true))?;
        if self.attempts[r] >= self.retriers[r].max_attempts {
            return None;
        }
        let delay = backoff(&self.retriers[r], self.attempts[r]);
        self.attempts[r] += 1;
        self.retries += 1;
        Some(delay)
    }
}

/// Delay before retry number `attempt` (0-based), per AWS: interval times
/// backoff^attempt, capped by `MaxDelaySeconds`, with optional full jitter.
fn backoff(r: &Retrier, attempt: u64) -> Duration {
    let base = r.interval_seconds as f64 * r.backoff_rate.powi(attempt.min(i32::MAX as u64) as i32);
    let capped = match r.max_delay_seconds {
        Some(max) => base.min(max as f64),
        None => base,
    };
    let secs = match r.jitter {
        Jitter::Full => fastrand::f64() * capped,
        Jitter::None => capped,
    };
    Duration::try_from_secs_f64(secs.min(1.0e9)).unwrap_or(Duration::ZERO)
}

/// `InputPath` / `OutputPath` over a borrowed value: borrows what it selects.
/// (`$`, the usual path, in line; any other is a call.)
#[inline(always)]
fn select_nullable<'v>(path: &NullablePath, input: &'v Value, context: &StateContext<'_>) -> Result<Cow<'v, Value>, Failure> {
    match path {
        NullablePath::Path(p) if p.is_identity() => Ok(Cow::Borrowed(input)),
        _ => select_nullable_path(path, input, context),
    }
}

#[inline(never)]
fn select_nullable_path<'v>(path: &NullablePath, input: &'v Value, context: &StateContext<'_>) -> Result<Cow<'v, Value>, Failure> {
    match path {
        NullablePath::Null => Ok(Cow::Owned(Value::Object(JsonMap::new()))),
        NullablePath::Path(p) if p.is_identity() => Ok(Cow::Borrowed(input)),
        NullablePath::Path(p) => {
            let env = Env { input, context };
            match jsonpath::select(p, &env) {
                // `env` only lives here, so borrowed results are re-borrowed from `input`.
                Ok(Cow::Borrowed(v)) => Ok(Cow::Owned(v.clone())),
                Ok(Cow::Owned(v)) => Ok(Cow::Owned(v)),
                Err(miss) => Err(Failure::runtime(jsonpath::invalid_path_message(p, miss))),
            }
        }
    }
}

/// `InputPath` / `OutputPath` over an owned value: `$` moves it through.
#[inline(always)]
fn select_owned(path: &NullablePath, input: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
    match path {
        NullablePath::Path(p) if p.is_identity() => Ok(input),
        other => select_nullable(other, &input, context).map(Cow::into_owned),
    }
}

fn apply_result_path(result_path: &ResultPath, input: Value, result: Value) -> Result<Value, Failure> {
    match result_path {
        ResultPath::Discard => Ok(input),
        ResultPath::Path(p) => jsonpath::set_at(input, p, result),
    }
}

/// A Fail state's `Error` or `Cause` (`field`), given literally, by path
/// (`ErrorPath`), by intrinsic call or by JSONata.
fn fail_text(text: Option<&FailText>, env: &Env<'_>, field: &str) -> Result<Option<String>, Failure> {
    Ok(match text {
        None => None,
        Some(FailText::Literal(s)) => Some(s.clone()),
        Some(FailText::Path(p)) => {
            let v = jsonpath::select(p, env).map_err(|_| payload::path_not_found(p, format_args!("{field}Path"), env))?;
            Some(text_of(&v))
        }
        Some(FailText::Call(c)) => Some(text_of(&crate::intrinsics::evaluate(c, env, &format_args!("{field}Path"))?)),
        Some(FailText::Jsonata(expr)) => match jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field)? {
            Value::String(s) => Some(s),
            other => return Err(jsonata::unexpected_type(expr, field, "string", &other)),
        },
    })
}

/// A JSONata state's (or catcher's, or Choice rule's) `Assign` and
/// `Output` over one `$states`: both see the same values. The output is
/// `None` without `Output` (the caller's default: the input, the result or
/// the error output). Takes the scope, so what it borrows is free again.
fn jsonata_outcome<'t>(
    assign: Option<&Assign>,
    output: Option<&'t Jsonata>,
    scope: jsonata::Scope<'_>,
) -> Result<(Option<jsonata::Built<'t>>, Assigned), Failure> {
    let assigned = match assign {
        Some(Assign::Jsonata(template)) => Some(object_of(scope.value(template, "Assign")?)),
        Some(Assign::JsonPath(_)) | None => None,
    };
    let output = output.map(|template| scope.build(template, "Output")).transpose()?;
    Ok((output, assigned))
}

/// A JSONata state's output: its `Output` over its `input`, else
/// `default` (the input, the result or the error output).
fn output_or(output: Option<jsonata::Built<'_>>, input: Value, default: impl FnOnce(Value) -> Value) -> Value {
    match output {
        Some(output) => output.over(input),
        None => default(input),
    }
}

impl jsonata::StateView for StateContext<'_> {
    fn context(&self) -> Option<Value> {
        self.state.reads_context.then(|| self.whole())
    }
    fn variables(&self) -> &Variables {
        self.variables
    }
}

/// A JSONPath `Assign` over `env` (whose `$` is the state's result).
fn assign_jsonpath(assign: Option<&Assign>, env: &Env<'_>) -> Result<Assigned, Failure> {
    match assign {
        Some(Assign::JsonPath(template)) => Ok(Some(object_of(payload::evaluate(template, env)?))),
        Some(Assign::Jsonata(_)) | None => Ok(None),
    }
}

/// An `Assign` object's members (the loader only accepts objects).
fn object_of(value: Value) -> Box<JsonMap<String, Value>> {
    Box::new(match value {
        Value::Object(members) => members,
        _ => JsonMap::new(),
    })
}

/// Where a Choice goes, and the `Assign` and `Output` that go with it.
struct Chosen<'s> {
    next: usize,
    assign: Option<&'s Assign>,
    output: Option<&'s Jsonata>,
}

/// AWS's Choice rule, in both query languages: the first branch whose rule
/// holds, with its own `Assign` and `Output`; else `Default`, with the
/// state's; else nothing (`States.NoChoiceMatched`).
fn choose<'s>(state: &'s State, choice: &'s Choice, mut holds: impl FnMut(&Rule) -> Result<bool, Failure>) -> Result<Option<Chosen<'s>>, Failure> {
    for branch in &choice.choices {
        if holds(&branch.rule)? {
            return Ok(Some(Chosen { next: branch.next.index, assign: branch.assign.as_ref(), output: branch.output.as_ref() }));
        }
    }
    Ok(choice.default.as_ref().map(|d| Chosen { next: d.index, assign: state.assign.as_ref(), output: state.output.as_ref() }))
}

/// Whether a JSONata Choice rule's `Condition` holds; it must be a boolean.
fn condition_holds(rule: &Rule, scope: &jsonata::Scope) -> Result<bool, Failure> {
    let Rule::Condition(condition) = rule else {
        return Err(Failure::runtime("a JSONata Choice rule has no `Condition`"));
    };
    let value = scope.value(condition, "Condition")?;
    match (value, condition) {
        (Value::Bool(b), _) => Ok(b),
        (other, Jsonata::Expr(expr)) => Err(jsonata::unexpected_type(expr, "Condition", "boolean", &other)),
        (other, _) => Err(Failure::query("Condition", format!("The field 'Condition' must be a boolean, but was: {}", to_text(&other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    thread_local! {
        /// Speculative runs whose results were kept (see [`Run::speculate`]),
        /// on the thread that asked (each test has its own).
        pub(super) static SPECULATIONS_KEPT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Runs `definition` without history on 1 and on 2 threads; the
    /// outcomes must be the same. Returns the 2-thread run and whether it
    /// kept work done on the other thread.
    fn on_one_and_two_threads(definition: &str, input: Value, limits: Limits) -> (Execution, bool) {
        let workflow = crate::Workflow::from_json(definition).unwrap_or_else(|d| panic!("{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let run = |threads| {
            let executor = workflow.executor().record_history(false).limits(limits).parallelism(threads);
            runtime.block_on(executor.run(input.clone()))
        };
        let alone = run(1);
        let kept = SPECULATIONS_KEPT.with(std::cell::Cell::get);
        let shared = run(2);
        let spread = SPECULATIONS_KEPT.with(std::cell::Cell::get) > kept;
        assert_eq!((&shared.status, &shared.output, &shared.error, &shared.cause), (&alone.status, &alone.output, &alone.error, &alone.cause));
        (shared, spread)
    }

    fn map_of(processor: &str, tolerated: Option<u32>) -> String {
        let tolerated = tolerated.map(|n| format!(r#""ToleratedFailureCount": {n},"#)).unwrap_or_default();
        format!(r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "ItemsPath": "$.items", {tolerated} "ItemProcessor": {processor}, "End": true}}}}}}"#)
    }

    /// Items under `limit` succeed, those over it fail, and the one at it
    /// matches no rule.
    fn route(limit: u64) -> String {
        let processor = r#"{"StartAt": "Label", "States": {
            "Label": {"Type": "Pass", "Parameters": {"v.$": "$.v", "label.$": "States.Format('item-{}', $.v)"}, "Next": "Route"},
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericLessThan": LIMIT, "Next": "Low"},
                                                     {"Variable": "$.v", "NumericGreaterThan": LIMIT, "Next": "High"}]},
            "Low": {"Type": "Pass", "Result": "low", "ResultPath": "$.bucket", "End": true},
            "High": {"Type": "Fail", "Error": "Too.High", "Cause": "over the limit"}}}"#;
        processor.replace("LIMIT", &limit.to_string())
    }

    fn items(n: u64) -> Value {
        json!({"items": (0..n).map(|v| json!({"v": v})).collect::<Vec<_>>()})
    }

    #[test]
    fn a_map_that_never_waits_spreads_over_threads_with_the_same_outcome() {
        // 1,200 items of (at most) 4 states: enough to be worth a second thread.
        let (run, spread) = on_one_and_two_threads(&map_of(&route(1200), None), items(1200), Limits { max_history_events: u64::MAX, ..Limits::default() });
        assert!(spread, "1,200 items on 2 threads");
        let output = run.output.unwrap();
        assert_eq!(output.as_array().map(Vec::len), Some(1200));
        assert_eq!(output[1199], json!({"v": 1199, "label": "item-1199", "bucket": "low"}));
    }

    #[test]
    fn failing_items_are_run_again_in_order_so_causes_number_events_alike() {
        let unlimited = Limits { max_history_events: u64::MAX, ..Limits::default() };
        // Item 1200 matches no rule: the cause names the event id its Choice entered at.
        let (run, _) = on_one_and_two_threads(&map_of(&route(1200), None), items(1201), unlimited);
        assert_eq!(run.error.as_deref(), Some("States.NoChoiceMatched"));
        assert!(run.cause.as_deref().is_some_and(|c| c.contains("event id #")), "{:?}", run.cause);
        // The same after a first stretch of items (between two yields) was
        // kept from the threads: the events it counted number the rest.
        let (run, spread) = on_one_and_two_threads(&map_of(&route(4500), None), items(4600), unlimited);
        assert!(spread);
        assert!(run.cause.as_deref().is_some_and(|c| c.contains("event id #")), "{:?}", run.cause);
        // Tolerated failures: items over 1200 fail, up to 50 of them are allowed.
        let (run, _) = on_one_and_two_threads(&map_of(&route(1200), Some(50)), items(1260), unlimited);
        assert_eq!(run.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
        let (run, _) = on_one_and_two_threads(&map_of(&route(1200), Some(100)), items(1260), unlimited);
        assert_eq!(run.status, Status::Succeeded);
    }

    #[test]
    fn the_history_limit_stops_a_spread_map_where_it_stops_an_ordered_one() {
        // As many items as spread in the test above, with a limit they pass.
        let (run, spread) = on_one_and_two_threads(&map_of(&route(1200), None), items(1200), Limits { max_history_events: 3000, ..Limits::default() });
        assert!(!spread, "the events would pass the limit: the ordered run decides");
        assert_eq!(run.error.as_deref(), Some("States.Runtime"));
        assert!(run.cause.as_deref().is_some_and(|c| c.contains("maximum number of history events (3000)")), "{:?}", run.cause);
    }

    #[test]
    fn parallel_branches_that_never_wait_spread_over_threads() {
        // 4 branches of 1,100 states: enough to be worth a second thread.
        const LAST: usize = 1099;
        let branch = |b: usize, fail_at: Option<usize>| {
            let states: Vec<String> = (0..=fail_at.unwrap_or(LAST))
                .map(|i| match fail_at {
                    Some(f) if f == i => format!(r#""B{b}S{i}": {{"Type": "Fail", "Error": "Branch.Failed"}}"#),
                    _ => {
                        let next = if i == LAST { r#""End": true"#.to_string() } else { format!(r#""Next": "B{b}S{}""#, i + 1) };
                        format!(r#""B{b}S{i}": {{"Type": "Pass", "Parameters": {{"seed.$": "$.seed", "step": {i}}}, "ResultPath": "$.last", {next}}}"#)
                    }
                })
                .collect();
            format!(r#"{{"StartAt": "B{b}S0", "States": {{{}}}}}"#, states.join(","))
        };
        let parallel = |fail: Option<usize>| {
            let branches: Vec<String> = (0..4).map(|b| branch(b, fail.filter(|_| b == 2))).collect();
            format!(r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Parallel", "Branches": [{}], "End": true}}}}}}"#, branches.join(","))
        };
        let (run, spread) = on_one_and_two_threads(&parallel(None), json!({"seed": 7}), Limits::default());
        assert!(spread, "4,400 states on 2 threads");
        assert_eq!(run.output.as_ref().map(|o| o[3].clone()), Some(json!({"seed": 7, "last": {"seed": 7, "step": LAST}})));
        let (run, _) = on_one_and_two_threads(&parallel(Some(80)), json!({"seed": 7}), Limits::default());
        assert_eq!(run.error.as_deref(), Some("Branch.Failed"));
    }

    /// Every parked execution holds a scope's future (a Wait parks in
    /// `waiting_state`, inside `scope_inner`): what `scope_inner` keeps
    /// across its awaits is what 100,000 parked executions pay 100,000
    /// times (the scale benchmark's 200 MiB budget). It was 584 bytes
    /// (debug build) when that budget was met with 2 MiB to spare.
    #[test]
    fn a_scope_holds_little_besides_the_state_it_waits_in() {
        let workflow = crate::Workflow::from_json(r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}"#).unwrap();
        let exec = workflow.executor();
        let info = RunInfo { names: &exec.names, start_time: exec.clock.now(), input: None, input_text: None, members: OnceLock::new() };
        let run = Run { exec: &exec, history: History::new(true), info: &info };
        let (scope, mut variables) = (&exec.definition.body, Variables::default());
        let scope_future = std::mem::size_of_val(&run.scope_inner(scope, Value::Null, Variables::default(), ()));
        let waiting_future = std::mem::size_of_val(&run.waiting_state(&scope.states[0], Value::Null, None, &mut variables));
        assert!(scope_future <= waiting_future + 128, "scope_inner's future is {scope_future} bytes around waiting_state's {waiting_future}");
    }
}
