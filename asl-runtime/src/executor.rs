//! The executor: runs a [`Definition`] state by state with AWS's semantics
//! for data flow, errors, retries, catchers, waits, timeouts and history.

use crate::clock::{Clock, SystemClock};
use crate::error::{StatesError, names};
use crate::history::EventType;
use crate::history::{ErrorDetails, EventDetails, Events, History, HistoryEvent, PayloadDetails};
use crate::identity::{Identity, Names};
use crate::store::ObjectStore;
use crate::task::{Handlers, TaskHandler};
use crate::variables::Variables;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::{Map as JsonMap, Value};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::limits::Limits;
use crate::plan::Plan;
use crate::run::{FrameLog, Interrupts, Resume, Run, RunInfo, Services, to_text};

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
            _ => Err(StatesError {
                error: self.error.unwrap_or_else(|| self.status.as_str().to_string()),
                cause: self.cause,
            }),
        }
    }
}

/// Runs executions of one definition. Cheap to clone; reuse it.
#[derive(Clone)]
pub struct Executor {
    pub(crate) definition: Arc<Definition>,
    /// What the executions' states call on: handlers, clock, limits, ….
    pub(crate) services: Services,
    /// The ARNs and names the identity gives every execution, built once.
    pub(crate) names: Arc<Names>,
    pub(crate) record_history: bool,
    /// Where history events go as they happen, if not into the execution.
    pub(crate) history_sink: Option<crate::history::HistorySink>,
    /// See [`Executor::on_event`].
    pub(crate) observer: Option<crate::history::EventObserver>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("identity", &self.services.identity)
            .field("record_history", &self.record_history)
            .finish()
    }
}

impl Executor {
    /// An executor with no task handlers, the system clock and default identity.
    pub fn new(definition: impl Into<Arc<Definition>>) -> Self {
        let definition = definition.into();
        let plan = Arc::new(Plan::of(&definition));
        Executor::planned(definition, plan)
    }

    /// An executor of `definition` run as `plan` says (planned once, by a
    /// [`Workflow`](crate::Workflow), for all its executors).
    pub(crate) fn planned(definition: Arc<Definition>, plan: Arc<Plan>) -> Self {
        Executor {
            definition,
            services: Services {
                handler: Arc::new(Handlers::new()),
                clock: Arc::new(SystemClock),
                identity: Identity::default(),
                limits: Limits::default(),
                object_store: None,
                parallelism: available_parallelism(),
                plan,
                frames: None,
                stand_in: None,
                wait_scale: 1.0,
                variants: &[],
            },
            names: Arc::new(Names::of(&Identity::default())),
            record_history: true,
            history_sink: None,
            observer: None,
        }
    }

    /// Sets where distributed Maps' `ItemReader` and `ResultWriter` read
    /// and write objects (e.g. a [`LocalObjectStore`](crate::LocalObjectStore)).
    pub fn object_store(mut self, store: impl ObjectStore) -> Self {
        self.services.object_store = Some(Arc::new(store));
        self
    }

    /// Sets what runs Task states.
    pub fn handler(mut self, handler: impl TaskHandler) -> Self {
        self.services.handler = Arc::new(handler);
        self
    }

    /// Sets what runs Task states, shared.
    pub fn shared_handler(mut self, handler: Arc<dyn TaskHandler>) -> Self {
        self.services.handler = handler;
        self
    }

    /// Sets the clock (e.g. a `VirtualClock`, feature `virtual-time`).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.services.clock = Arc::new(clock);
        self
    }

    /// Sets the execution's identity.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.names = Arc::new(Names::of(&identity));
        self.services.identity = identity;
        self
    }

    /// Hands every history event to `sink` as it is recorded, in order,
    /// instead of keeping it: `Execution::events` is then empty, and a long
    /// execution's memory holds no more than the event at hand (`asl run
    /// --json` prints events this way). Turns history recording on.
    pub fn history_sink(mut self, sink: impl Fn(HistoryEvent) + Send + Sync + 'static) -> Self {
        self.history_sink = Some(Arc::new(sink));
        self.record_history = true;
        self
    }

    /// See [`crate::__private::with_variants`].
    pub(crate) fn with_variants(mut self, variants: &'static [&'static str]) -> Self {
        self.services.variants = variants;
        self
    }

    /// Shows every history event to `observer` as it is recorded, in order,
    /// while the execution keeps its history: a live view of an execution
    /// (a progress bar, a log, a UI) while `Execution::events` still holds
    /// them all at the end. Turns history recording on. The observer runs
    /// inside the execution: keep it short, and never block in it.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let workflow = asl_runtime::Workflow::from_json(
    ///     r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}}"#,
    /// ).unwrap();
    /// let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let execution = workflow
    ///     .executor()
    ///     .on_event(move |event| log.lock().unwrap().push(event.event_type.as_str()))
    ///     .run(serde_json::json!({}))
    ///     .await;
    /// assert_eq!(seen.lock().unwrap()[..3], ["ExecutionStarted", "PassStateEntered", "PassStateExited"]);
    /// assert_eq!(execution.events.len(), seen.lock().unwrap().len());
    /// # });
    /// ```
    pub fn on_event(mut self, observer: impl Fn(&HistoryEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self.record_history = true;
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
        self.services.parallelism = threads.max(1);
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.services.limits = limits;
        self
    }

    /// Multiplies the time Wait states wait and retries pause by `scale`
    /// (0 skips them), as Step Functions Local's `WAIT_TIME_SCALE` does;
    /// timeouts and heartbeats keep their time. A negative or non-finite
    /// scale counts as 1.
    pub fn wait_time_scale(mut self, scale: f64) -> Self {
        self.services.wait_scale = if scale.is_finite() && scale >= 0.0 { scale } else { 1.0 };
        self
    }

    /// The definition being run.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Runs one execution to its end. (The execution's own future, not
    /// wrapped in another: a parked execution holds no more than it needs.)
    pub fn run(&self, input: Value) -> impl std::future::Future<Output = Execution> + Send + '_ {
        self.run_inner(input, None, None, None)
    }

    /// Starts an execution that can be stopped from outside: the returned
    /// [`Stopper`] ends it as `ABORTED`, dropping (and so cancelling) all of
    /// its in-flight work. Await the future to drive the execution.
    pub fn start(&self, input: Value) -> (Stopper, impl std::future::Future<Output = Execution> + Send + '_) {
        let (tx, rx) = tokio::sync::watch::channel(None);
        let cancel = jlens_core::CancelToken::new();
        let stopper = Stopper { tx: Arc::new(tx), cancel: cancel.clone() };
        (stopper, self.run_inner(input, None, Some(Box::new((rx, cancel))), None))
    }

    /// A stoppable execution of `input`, whose text `text` history records
    /// (the durable runner's way in); `resume`, for a redriven attempt,
    /// says where it goes on from.
    pub(crate) fn start_text<'a>(
        &'a self, input: Value, text: &'a &'a str, resume: Option<Box<Resume>>,
    ) -> (Stopper, impl std::future::Future<Output = Execution> + Send + 'a) {
        let (tx, rx) = tokio::sync::watch::channel(None);
        let cancel = jlens_core::CancelToken::new();
        let stopper = Stopper { tx: Arc::new(tx), cancel: cancel.clone() };
        (stopper, self.run_inner(input, Some(text), Some(Box::new((rx, cancel))), resume))
    }

    /// Notes where each scope stands as the executions run, in `log`, for
    /// a redrive to go on from.
    pub(crate) fn capture_frames(mut self, log: Arc<FrameLog>) -> Self {
        self.services.frames = Some(log);
        self
    }

    /// Runs one execution from input given as JSON text. History records the
    /// text exactly as given, as AWS records `StartExecution`'s input; and,
    /// as `StartExecution` does, text over the payload limit (262,144 bytes
    /// by default) starts no execution: the result is a `FAILED` execution
    /// with `States.DataLimitExceeded` and no events.
    pub async fn run_text(&self, input: &str) -> Result<Execution, serde_json::Error> {
        // Refused before the execution's future exists: every parked
        // execution would otherwise hold room for this early end.
        if let Some(refused) = self.refused_input(input) {
            return Ok(refused);
        }
        let value = serde_json::from_str(input)?;
        Ok(self.run_inner(value, Some(&input), None, None).await)
    }

    /// One execution; `control` is the stop signal and the evaluation's
    /// cancel token of a stoppable one (boxed: a parked execution holds it);
    /// `resume` begins a redriven attempt where the last one stopped (its
    /// `TimeoutSeconds` counts from now, as a redrive resets it).
    fn run_inner<'a>(
        &'a self, input: Value, input_text: Option<&'a &'a str>,
        control: Option<Box<(StopSignal, jlens_core::CancelToken)>>, resume: Option<Box<Resume>>,
    ) -> impl std::future::Future<Output = Execution> + Send + 'a {
        let execution = self.execute(input, input_text, control, resume);
        // Boxed in its span when traced: a parked execution holds no span otherwise.
        let span = crate::trace::enabled().then(|| crate::trace::execution(&self.names));
        crate::trace::Traced::new(span, execution)
    }

    /// [`Executor::run_inner`], in the execution's span.
    async fn execute(
        &self, input: Value, input_text: Option<&&str>, control: Option<Box<(StopSignal, jlens_core::CancelToken)>>,
        resume: Option<Box<Resume>>,
    ) -> Execution {
        let start = self.services.clock.now();
        let timeout_seconds = match (self.definition.timeout_seconds, self.services.limits.max_execution_seconds) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let deadline = timeout_seconds.map(|secs| {
            let secs = i64::try_from(secs).unwrap_or(i64::MAX);
            start.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MAX)
        });
        let cancel = control.as_ref().map(|control| control.1.clone());
        let interrupts = (deadline.is_some() || cancel.is_some())
            .then(|| Box::new(Interrupts { deadline, deadline_hit: AtomicBool::new(false), cancel }));
        let info = RunInfo {
            names: &self.names,
            start_ms: resume.as_ref().map_or(start.as_millisecond(), |r| r.start_ms),
            input: self.services.plan.reads_context.then(|| Box::new(input.clone())),
            input_text,
            members: OnceLock::new(),
            interrupts,
            redrive_count: resume.as_ref().map_or(0, |r| r.redrive_count),
        };
        let run = Run { exec: &self.services, history: self.history(), info: &info };
        let body = match resume {
            None => {
                run.history().record(
                    EventType::ExecutionStarted,
                    || start,
                    || {
                        Some(EventDetails::ExecutionStarted {
                            input: input_text.map_or_else(|| to_text(&input), |text| text.to_string()),
                            input_details: PayloadDetails::default(),
                            role_arn: self.names.role_arn.clone(),
                        })
                    },
                );
                run.scope(&self.definition.body, input, Variables::default(), 0)
            }
            Some(resume) => {
                let Resume { frame, redrive_count, first_event, .. } = *resume;
                // The earlier attempts' events come first.
                run.history().continue_after(first_event.saturating_sub(1));
                run.history().record(
                    EventType::ExecutionRedriven,
                    || start,
                    || Some(EventDetails::ExecutionRedriven { redrive_count }),
                );
                run.body_resumed(&self.definition.body, frame)
            }
        };
        // Most executions have no execution timeout and no stopper: await
        // the body itself, and keep the supervised path (boxed) out of
        // every execution's future.
        let outcome = match (control, timeout_seconds) {
            (None, None) => Outcome::Finished(body.await),
            (control, timeout) => Box::pin(self.supervise_execution(body, control.map(|c| c.0), timeout)).await,
        };
        // An expression cut short by the deadline ends the execution as the
        // deadline would have, had it fired during the evaluation.
        let outcome = match outcome {
            Outcome::Finished(Err(_))
                if info.interrupts.as_ref().is_some_and(|i| i.deadline_hit.load(Ordering::Relaxed)) =>
            {
                Outcome::TimedOut
            }
            other => other,
        };
        let history = run.history;
        let now = || self.services.clock.now();
        let execution = match outcome {
            Outcome::Finished(Ok(output)) => {
                let text = history.enabled().then(|| to_text(&output));
                history.record(EventType::ExecutionSucceeded, now, || {
                    Some(EventDetails::ExecutionSucceeded {
                        output: text.unwrap_or_default(),
                        output_details: PayloadDetails::default(),
                    })
                });
                Execution {
                    status: Status::Succeeded,
                    output: Some(output),
                    error: None,
                    cause: None,
                    events: history.into_events(),
                }
            }
            Outcome::Finished(Err(e)) => {
                // A Fail state without `Error` fails with no error name at all.
                let error = Some(e.error).filter(|name| !name.is_empty());
                let details = ErrorDetails { error: error.clone(), cause: e.cause.clone() };
                history.record(EventType::ExecutionFailed, now, || Some(EventDetails::ExecutionFailed(details)));
                Execution { status: Status::Failed, output: None, error, cause: e.cause, events: history.into_events() }
            }
            Outcome::Aborted(StopReason { error, cause }) => {
                let details = ErrorDetails { error: error.clone(), cause: cause.clone() };
                history.record(EventType::ExecutionAborted, now, || Some(EventDetails::ExecutionAborted(details)));
                Execution { status: Status::Aborted, output: None, error, cause, events: history.into_events() }
            }
            Outcome::TimedOut => {
                let error = names::TIMEOUT.to_string();
                let details = ErrorDetails { error: Some(error.clone()), cause: None };
                history.record(EventType::ExecutionTimedOut, now, || Some(EventDetails::ExecutionTimedOut(details)));
                Execution {
                    status: Status::TimedOut,
                    output: None,
                    error: Some(error),
                    cause: None,
                    events: history.into_events(),
                }
            }
        };
        crate::trace::ended(execution.status, execution.error.as_deref(), execution.cause.as_deref());
        execution
    }
}

impl Executor {
    /// StartExecution refuses input text over the payload limit: such an
    /// execution never starts, whatever its first state would keep. (Only
    /// text is measured: a value handed to `run` is the caller's own, and
    /// measuring it would cost a walk over all of it.)
    fn refused_input(&self, text: &str) -> Option<Execution> {
        let limit = self.services.limits.max_payload_bytes;
        if text.len() <= limit {
            return None;
        }
        Some(Execution {
            status: Status::Failed,
            output: None,
            error: Some(names::DATA_LIMIT_EXCEEDED.to_string()),
            cause: Some(format!(
                "The execution input of {} bytes exceeds the maximum number of bytes service limit ({limit}); the execution was not started.",
                text.len()
            )),
            events: Events::default(),
        })
    }

    /// A new execution's history recorder.
    fn history(&self) -> History {
        match (&self.history_sink, &self.observer, self.record_history) {
            (Some(sink), None, true) => History::streaming(sink.clone()),
            (Some(sink), Some(observer), true) => {
                let (sink, observer) = (sink.clone(), observer.clone());
                History::streaming(Arc::new(move |event| {
                    observer(&event);
                    sink(event)
                }))
            }
            (None, Some(observer), true) => History::observed(observer.clone()),
            (_, _, enabled) => History::new(enabled),
        }
    }

    /// An execution's body under its `TimeoutSeconds` and its stopper.
    async fn supervise_execution(
        &self, body: crate::clock::BoxFuture<'_, Result<Value, StatesError>>, stop: Option<StopSignal>,
        timeout: Option<u64>,
    ) -> Outcome {
        let deadline = async {
            match timeout {
                Some(secs) => self.services.clock.sleep(Duration::from_secs(secs)).await,
                None => std::future::pending().await,
            }
        };
        // A stop that interrupted an expression shows as the body's error,
        // in the same poll: the stop's reason, set first, decides.
        let stop_seen = stop.clone();
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
        let outcome = tokio::select! {
            biased;
            reason = stopped => Outcome::Aborted(reason),
            r = body => Outcome::Finished(r),
            _ = deadline => Outcome::TimedOut,
        };
        match (outcome, stop_seen.and_then(|rx| rx.borrow().clone())) {
            (Outcome::Finished(Err(_)), Some(reason)) => Outcome::Aborted(reason),
            (outcome, _) => outcome,
        }
    }
}

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
    /// Interrupts an expression being evaluated when the stop comes.
    cancel: jlens_core::CancelToken,
}

impl Stopper {
    /// Ends the execution as `ABORTED` with an optional error and cause, as
    /// `StopExecution` does. Stopping a finished execution does nothing.
    pub fn stop(&self, error: Option<&str>, cause: Option<&str>) {
        let reason = StopReason { error: error.map(str::to_string), cause: cause.map(str::to_string) };
        // The reason first: once the evaluation is interrupted, the
        // execution must find it to end as ABORTED.
        self.tx.send_replace(Some(reason));
        self.cancel.cancel();
    }
}

/// The machine's available parallelism, asked once (it reads cgroup limits).
fn available_parallelism() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}
