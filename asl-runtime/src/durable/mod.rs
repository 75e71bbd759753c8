//! Durable Standard executions: they survive the death of their process.
//!
//! # The model
//!
//! An execution is deterministic given its input and what it receives from
//! the world: task answers, timer firings, callback answers, heartbeats and
//! stops. A durable execution journals exactly those, as [`Entry`]s in its
//! [`ExecutionStore`], and nothing else: a Pass, a Choice or a JSONata
//! expression writes nothing. After a crash the execution is rebuilt by
//! running it again from its input and handing it the journaled entries in
//! order; its history (AWS's events, derived, not stored) comes out the same.
//!
//! Three rules make the replay exact:
//! - the driver hands the execution one entry at a time and lets it run
//!   until it waits again, so concurrent branches interleave by the
//!   journal's order, not by timing;
//! - the execution's clock is the time of the latest entry (its start
//!   before any), so `$$.State.EnteredTime`, `$now()` and event timestamps
//!   replay as they were; a deterministic step is stamped with the time of
//!   the entry that led to it;
//! - randomness (`States.UUID`, `$uuid()`, `$random()`, task tokens, retry
//!   jitter, Map run ids) comes from the execution's seed.
//!
//! # Guarantees
//!
//! - No transition is lost or appears twice: the history is a function of
//!   the journal, and an entry is journaled once.
//! - A Task that was running at the crash runs again when the execution
//!   resumes (at-least-once, as on AWS). Its
//!   [`idempotency_key`](crate::TaskContext::idempotency_key) is the same
//!   both times, so a handler that remembers the keys it acted on applies its
//!   effect exactly once.
//! - Waits, retry back-offs and timeouts are deadlines on the execution's
//!   clock: after a restart they fire when they were due (at once if that
//!   has passed), and once.
//! - A `.waitForTaskToken` token is kept in the store: any process can answer
//!   it ([`Durable::send_task_success`]), and the execution resumes wherever
//!   its store's executions run.

mod journal;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub(crate) use journal::current;
#[cfg(feature = "sqlite")]
pub use sqlite::{SCHEMA_VERSION, SqliteStore};
pub use store::{Ending, Entry, ExecutionRecord, ExecutionStore, ListQuery, Outcome, Posted, Started, StoreError};

use crate::Workflow;
use crate::clock::{Clock, SystemClock};
use crate::executor::{Execution, Status};
use crate::history::{Events, HistoryEvent};
use crate::identity::Identity;
use crate::limits::Limits;
use crate::run::{FrameLog, Resume};
use crate::task::{Handlers, TaskHandler};
use journal::{Arrival, Journal, JournalClock, JournalHandler};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// A random `u64`: from the seed of the durable execution being polled on
/// this thread, or from the process's generator otherwise.
pub(crate) fn random_u64() -> u64 {
    match current() {
        Some(journal) => journal.random_u64(),
        None => fastrand::u64(..),
    }
}

/// A random `f64` in `[0, 1)`, as [`random_u64`] draws.
pub(crate) fn random_f64() -> f64 {
    (random_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A version 4 UUID, as [`random_u64`] draws.
pub(crate) fn uuid_v4() -> uuid::Uuid {
    match current() {
        Some(journal) => {
            let bytes = (u128::from(journal.random_u64()) << 64 | u128::from(journal.random_u64())).to_le_bytes();
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        }
        None => uuid::Uuid::new_v4(),
    }
}

/// Why a durable operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurableError {
    /// The store refused or failed.
    Store(StoreError),
    /// The definition is not valid (the message lists its diagnostics).
    InvalidDefinition(String),
    /// The input is not JSON, or is over the payload limit
    /// (AWS: `InvalidExecutionInput`).
    InvalidInput(String),
    /// The journal does not fit the execution (the store was edited by
    /// hand, or written by an incompatible version).
    Journal(String),
}

impl fmt::Display for DurableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurableError::Store(e) => e.fmt(f),
            DurableError::InvalidDefinition(m) => write!(f, "InvalidDefinition: {m}"),
            DurableError::InvalidInput(m) => write!(f, "InvalidExecutionInput: {m}"),
            DurableError::Journal(m) => write!(f, "the execution's journal cannot be replayed: {m}"),
        }
    }
}

impl std::error::Error for DurableError {}

impl From<StoreError> for DurableError {
    fn from(e: StoreError) -> Self {
        DurableError::Store(e)
    }
}

/// Gives each execution its task handler (mocks count calls per execution,
/// so each gets its own).
type HandlerFor = dyn Fn(&ExecutionRecord) -> Arc<dyn TaskHandler> + Send + Sync;

/// Runs Standard executions durably on an [`ExecutionStore`].
///
/// ```no_run
/// # async fn demo() -> Result<(), asl_runtime::DurableError> {
/// use asl_runtime::{Durable, Identity, SqliteStore};
/// let durable = Durable::new(SqliteStore::open("workflows.db")?);
/// let definition = std::fs::read_to_string("statemachines/order.json").unwrap();
/// let started = durable.start(&definition, Identity::default(), r#"{"id": 7}"#, None).await?;
/// let execution = durable.run(&started.arn).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Durable {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn ExecutionStore>,
    handlers: Arc<HandlerFor>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    /// The executions this process drives, and where their posted messages go.
    driving: Mutex<HashMap<String, mpsc::UnboundedSender<Posted>>>,
    poller: Mutex<bool>,
    poll_interval: Duration,
    /// How long an ended execution is kept (AWS: 90 days).
    retention: Duration,
    /// Definitions loaded so far, by text: a worker runs many executions
    /// of a few definitions, and loading a large one takes milliseconds.
    workflows: Mutex<HashMap<Arc<str>, Workflow>>,
    /// Told when this process starts or redrives an execution, so that its
    /// [`work`](Durable::work) loop takes it up at once, not at its next poll.
    started: Notify,
    /// See [`Durable::wait_time_scale`].
    wait_scale: f64,
}

impl fmt::Debug for Durable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Durable").finish_non_exhaustive()
    }
}

/// How long ended executions are kept by default: AWS's 90 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// Wakes the driver when the execution it polls wants polling again.
#[derive(Default)]
struct Flag {
    woken: AtomicBool,
    /// Set while the driver itself is delivering or polling: it polls again
    /// anyway, so no notice is needed.
    busy: AtomicBool,
    notify: Notify,
}

impl std::task::Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if !self.busy.load(Ordering::SeqCst) {
            self.notify.notify_one();
        }
    }
}

/// What driving an execution gave.
struct Driven {
    /// The execution, if it ended.
    execution: Option<Execution>,
    /// Its history, when asked for.
    events: Vec<HistoryEvent>,
}

fn status_of(text: &str) -> Option<Status> {
    [Status::Succeeded, Status::Failed, Status::TimedOut, Status::Aborted].into_iter().find(|s| s.as_str() == text)
}

impl Durable {
    /// Durable executions on `store`, with no task handlers and the system clock.
    pub fn new(store: impl ExecutionStore) -> Durable {
        Durable::shared(Arc::new(store))
    }

    /// Durable executions on a shared store.
    pub fn shared(store: Arc<dyn ExecutionStore>) -> Durable {
        let handlers: Arc<dyn TaskHandler> = Arc::new(Handlers::new());
        Durable {
            shared: Arc::new(Shared {
                store,
                handlers: Arc::new(move |_: &ExecutionRecord| handlers.clone()),
                clock: Arc::new(SystemClock),
                limits: Limits::default(),
                driving: Mutex::new(HashMap::new()),
                poller: Mutex::new(false),
                poll_interval: Duration::from_millis(50),
                workflows: Mutex::new(HashMap::new()),
                retention: DEFAULT_RETENTION,
                started: Notify::new(),
                wait_scale: 1.0,
            }),
        }
    }

    /// Changes a setting. A clone configured apart becomes a runner of its
    /// own on the same store (with its own executions in hand).
    fn configure(self, f: impl FnOnce(&mut Shared)) -> Durable {
        let mut shared = Arc::try_unwrap(self.shared).unwrap_or_else(|shared| Shared {
            store: shared.store.clone(),
            handlers: shared.handlers.clone(),
            clock: shared.clock.clone(),
            limits: shared.limits,
            driving: Mutex::new(HashMap::new()),
            poller: Mutex::new(false),
            poll_interval: shared.poll_interval,
            workflows: Mutex::new(HashMap::new()),
            retention: shared.retention,
            started: Notify::new(),
            wait_scale: shared.wait_scale,
        });
        f(&mut shared);
        Durable { shared: Arc::new(shared) }
    }

    /// Sets what runs Task states, for every execution.
    pub fn handler(self, handler: impl TaskHandler) -> Durable {
        let handler: Arc<dyn TaskHandler> = Arc::new(handler);
        self.configure(|s| s.handlers = Arc::new(move |_: &ExecutionRecord| handler.clone()))
    }

    /// Sets what runs Task states, per execution (mocks, which count calls).
    pub fn handler_for(self, f: impl Fn(&ExecutionRecord) -> Arc<dyn TaskHandler> + Send + Sync + 'static) -> Durable {
        self.configure(|s| s.handlers = Arc::new(f))
    }

    /// Sets the real clock timers fire by (a `VirtualClock` in tests, feature `virtual-time`).
    pub fn clock(self, clock: impl Clock) -> Durable {
        self.configure(|s| s.clock = Arc::new(clock))
    }

    /// How long an ended execution stays in the store: [`purge`](Durable::purge)
    /// forgets it after that (default [`DEFAULT_RETENTION`], AWS's 90 days).
    pub fn retention(self, retention: Duration) -> Durable {
        self.configure(|s| s.retention = retention)
    }

    /// Forgets the executions that ended longer ago than the retention, with
    /// their journals; returns how many. [`work`](Durable::work) does this as
    /// it goes.
    pub async fn purge(&self) -> Result<usize, DurableError> {
        let now = self.shared.clock.now().as_millisecond();
        let keep = i64::try_from(self.shared.retention.as_millis()).unwrap_or(i64::MAX);
        Ok(self.shared.store.forget_ended(now.saturating_sub(keep)).await?)
    }

    /// Multiplies Wait states and retry intervals by `scale`, as
    /// [`Executor::wait_time_scale`](crate::Executor::wait_time_scale) does.
    /// Keep it the same across restarts: a timer journaled before keeps the
    /// deadline it was given.
    pub fn wait_time_scale(self, scale: f64) -> Durable {
        self.configure(|s| s.wait_scale = scale)
    }

    /// Sets the limits.
    pub fn limits(self, limits: Limits) -> Durable {
        self.configure(|s| s.limits = limits)
    }

    /// The store.
    pub fn store(&self) -> &dyn ExecutionStore {
        &*self.shared.store
    }

    /// Creates an execution of `definition` (idempotent by name, as
    /// `StartExecution`: the same name and input give back the same
    /// execution; a different input fails with `ExecutionAlreadyExists`).
    /// It does not run until [`run`](Durable::run) or [`work`](Durable::work).
    /// `options` is kept with it for the handler factory (a mock test case).
    pub async fn start(
        &self, definition: &str, identity: Identity, input: &str, options: Option<Value>,
    ) -> Result<ExecutionRecord, DurableError> {
        self.workflow(definition)?;
        if input.len() > self.shared.limits.max_payload_bytes {
            return Err(DurableError::InvalidInput(format!(
                "the input is {} bytes, over the limit of {}",
                input.len(),
                self.shared.limits.max_payload_bytes
            )));
        }
        serde_json::from_str::<Value>(input).map_err(|e| DurableError::InvalidInput(e.to_string()))?;
        let identity_text = serde_json::to_string(&identity).expect("an identity is plain JSON");
        let record = ExecutionRecord {
            arn: identity.execution_arn(),
            name: identity.execution_name.clone(),
            state_machine_arn: identity.state_machine_arn(),
            definition: definition.to_string(),
            identity: identity_text,
            input: input.to_string(),
            status: "RUNNING".into(),
            output: None,
            error: None,
            cause: None,
            start_ms: self.shared.clock.now().as_millisecond(),
            stop_ms: None,
            seed: fastrand::u64(..),
            redrive_count: 0,
            redrive_ms: None,
            options: options.unwrap_or(Value::Object(Default::default())).to_string(),
        };
        match self.shared.store.start(record).await? {
            Started::Created(record) => {
                self.shared.started.notify_one();
                Ok(record)
            }
            Started::Existing(record) => Ok(record),
        }
    }

    /// The execution `arn` as the store has it.
    pub async fn describe(&self, arn: &str) -> Result<ExecutionRecord, DurableError> {
        self.shared.store.execution(arn).await?.ok_or_else(|| StoreError::ExecutionDoesNotExist(arn.into()).into())
    }

    /// Executions, as `query` says.
    pub async fn list(&self, query: ListQuery) -> Result<Vec<ExecutionRecord>, DurableError> {
        Ok(self.shared.store.list(query).await?)
    }

    /// Runs the execution `arn` until it ends (resuming it from its journal
    /// if it ran before) and returns it. An execution that has ended is
    /// returned as it ended, without its history (see
    /// [`history`](Durable::history)).
    pub async fn run(&self, arn: &str) -> Result<Execution, DurableError> {
        let record = self.describe(arn).await?;
        if let Some(status) = status_of(&record.status) {
            return Ok(ended(&record, status));
        }
        let entries = self.shared.store.journal(&record.arn).await?;
        let mut attempts = attempts(&record, entries)?;
        let attempt = attempts.pop().expect("an execution has an attempt");
        let handler = (self.shared.handlers)(&record);
        // A redriven execution's handler hears of the earlier attempts'
        // calls first (mocks answer by how often a state was called).
        for earlier in attempts {
            self.drive(&record, earlier, false, None, None, handler.clone()).await?;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(arn.to_string(), tx);
        self.ensure_poller();
        let driven = self.drive(&record, attempt, true, Some(rx), None, handler).await;
        self.shared.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(arn);
        driven?.execution.ok_or_else(|| DurableError::Journal("the execution stopped short of its end".into()))
    }

    /// The execution's history so far, rebuilt from its journal, oldest
    /// first: each attempt's events in turn (a redriven execution keeps
    /// those of the attempts before).
    pub async fn history(&self, arn: &str) -> Result<Vec<HistoryEvent>, DurableError> {
        let record = self.describe(arn).await?;
        let entries = self.shared.store.journal(&record.arn).await?;
        let mut events = Vec::new();
        let handler = (self.shared.handlers)(&record);
        for attempt in attempts(&record, entries)? {
            let driven = self.drive(&record, attempt, false, None, None, handler.clone()).await?;
            events.extend(match driven.execution {
                Some(execution) if driven.events.is_empty() => execution.events.into_vec(),
                _ => driven.events,
            });
        }
        Ok(events)
    }

    /// Redrives an execution that `FAILED`, `TIMED_OUT` or was `ABORTED`, as
    /// AWS's `RedriveExecution` does: it goes on from where it stopped,
    /// with the same input. The states that succeeded do not run again; the
    /// state that failed (or was cut short) runs again from its input, and
    /// in a Parallel or an inline Map only the branches and iterations that
    /// did not succeed run again, each from the state it stood in. Its
    /// history goes on after an `ExecutionRedriven` event, its
    /// `RedriveCount` (and `$$.Execution.RedriveCount`) goes up, and its
    /// `TimeoutSeconds` counts afresh. It runs on [`run`](Durable::run) or
    /// in a [`work`](Durable::work)er, like a new execution.
    ///
    /// Refused with `ExecutionNotRedrivable`, as on AWS, for an execution
    /// that succeeded or is running, one that ended more than 14 days ago,
    /// one started more than a year ago, and one whose history reached the
    /// event limit.
    pub async fn redrive(&self, arn: &str) -> Result<ExecutionRecord, DurableError> {
        let record = self.describe(arn).await?;
        if let Some(reason) = self.not_redrivable(&record) {
            return Err(StoreError::ExecutionNotRedrivable(reason).into());
        }
        let entries = self.shared.store.journal(&record.arn).await?;
        let last_seq = entries.last().map_or(0, |e| e.seq);
        let last = attempts(&record, entries)?.pop().expect("an execution has an attempt");
        // Where each scope stood when the attempt ended: its replay notes it.
        let log = Arc::new(FrameLog::default());
        let handler = (self.shared.handlers)(&record);
        let driven = self.drive(&record, last, false, None, Some(log.clone()), handler).await?;
        let Some(execution) = driven.execution else {
            return Err(DurableError::Journal("the journal stops short of the execution's end".into()));
        };
        let last_event = match driven.events.last() {
            Some(event) => event.id,
            None => execution.events.last().map_or(0, |e| e.id),
        };
        if last_event >= self.shared.limits.max_history_events {
            return Err(StoreError::ExecutionNotRedrivable("Execution history event limit exceeded.".into()).into());
        }
        let frame = log.snapshot().ok_or_else(|| {
            StoreError::ExecutionNotRedrivable("the execution ended before it entered a state".into())
        })?;
        let count = record.redrive_count + 1;
        let resume = serde_json::to_value(frame).map_err(|e| DurableError::Journal(e.to_string()))?;
        let entry = Entry {
            seq: last_seq + 1,
            request: 0,
            at_ms: self.shared.clock.now().as_millisecond().max(record.stop_ms.unwrap_or(0)),
            outcome: Outcome::Redrive { count, first_event: last_event + 1, resume },
        };
        let record = self.shared.store.redrive(arn, record.redrive_count, entry).await?;
        self.shared.started.notify_one();
        Ok(record)
    }

    /// Why `record` cannot be redriven now, if it cannot (AWS's reasons).
    pub fn not_redrivable(&self, record: &ExecutionRecord) -> Option<String> {
        const DAY_MS: i64 = 24 * 60 * 60 * 1000;
        let now = self.shared.clock.now().as_millisecond();
        match record.status.as_str() {
            "RUNNING" | "SUCCEEDED" => Some(format!("Execution is {} and cannot be redriven.", record.status)),
            _ if record.stop_ms.is_some_and(|stop| now - stop > REDRIVABLE_DAYS * DAY_MS) => {
                Some("Execution redrivable period exceeded.".into())
            }
            _ if now - record.start_ms > 365 * DAY_MS => Some("Execution has exceeded the max execution time.".into()),
            _ => None,
        }
    }

    /// Stops a running execution (it ends `ABORTED` with `error` and `cause`,
    /// wherever it runs).
    pub async fn stop(&self, arn: &str, error: Option<String>, cause: Option<String>) -> Result<(), DurableError> {
        Ok(self.shared.store.post_stop(arn, error, cause).await?)
    }

    /// Answers the callback task waiting for `token` with `output`.
    pub async fn send_task_success(&self, token: &str, output: Value) -> Result<(), DurableError> {
        Ok(self.shared.store.post_callback(token, Outcome::Output { value: output }).await?)
    }

    /// Fails the callback task waiting for `token`.
    pub async fn send_task_failure(&self, token: &str, error: &str, cause: &str) -> Result<(), DurableError> {
        let outcome = Outcome::Failure { error: error.to_string(), cause: Some(cause.to_string()) };
        Ok(self.shared.store.post_callback(token, outcome).await?)
    }

    /// Tells the callback task waiting for `token` that work goes on.
    pub async fn send_task_heartbeat(&self, token: &str) -> Result<(), DurableError> {
        Ok(self.shared.store.post_callback(token, Outcome::Heartbeat).await?)
    }

    /// Runs every running execution of the store, and those that start
    /// later, until `until_idle` finds none left (or forever). An execution
    /// that cannot run (its store write failed, its journal does not fit) is
    /// reported to `on_error` and tried again after a pause that doubles, up
    /// to a minute; with `until_idle`, the first such error ends the work.
    pub async fn work(&self, until_idle: bool, on_error: impl Fn(&str, &DurableError)) -> Result<(), DurableError> {
        type Running = tokio::task::JoinHandle<Result<Execution, DurableError>>;
        let mut running: HashMap<String, Running> = HashMap::new();
        // Executions that failed to run: when to try again, and the pause.
        let mut resting: HashMap<String, (std::time::Instant, Duration)> = HashMap::new();
        let mut purged_at: Option<std::time::Instant> = None;
        loop {
            // Retention, about once a minute.
            if purged_at.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                self.purge().await?;
                purged_at = Some(std::time::Instant::now());
            }
            for arn in self.shared.store.running().await? {
                let rested = resting.get(&arn).is_none_or(|(until, _)| std::time::Instant::now() >= *until);
                if running.contains_key(&arn) || !rested {
                    continue;
                }
                let me = self.clone();
                let key = arn.clone();
                running.insert(key, tokio::spawn(async move { me.run(&arn).await }));
            }
            let finished: Vec<String> =
                running.iter().filter(|(_, h)| h.is_finished()).map(|(a, _)| a.clone()).collect();
            for arn in finished {
                let Some(handle) = running.remove(&arn) else { continue };
                let error = match handle.await {
                    Ok(Ok(_)) => {
                        resting.remove(&arn);
                        continue;
                    }
                    Ok(Err(e)) => e,
                    Err(e) => DurableError::Journal(format!("the execution's task ended: {e}")),
                };
                on_error(&arn, &error);
                if until_idle {
                    return Err(error);
                }
                let pause =
                    resting.get(&arn).map_or(Duration::from_secs(1), |(_, p)| (*p * 2).min(Duration::from_secs(60)));
                resting.insert(arn, (std::time::Instant::now() + pause, pause));
            }
            if until_idle && running.is_empty() && self.shared.store.running().await?.is_empty() {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(self.shared.poll_interval) => {}
                _ = self.shared.started.notified() => {}
            }
        }
    }

    /// The loaded definition of `text`, loaded once.
    fn workflow(&self, text: &str) -> Result<Workflow, DurableError> {
        let mut loaded = self.shared.workflows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(workflow) = loaded.get(text) {
            return Ok(workflow.clone());
        }
        let workflow = load(text)?;
        // A bound, for a process that sees endless distinct definitions.
        if loaded.len() >= 256 {
            loaded.clear();
        }
        loaded.insert(text.into(), workflow.clone());
        Ok(workflow)
    }

    /// Starts the task that hands posted messages (callback answers, stops)
    /// to the executions this process drives.
    fn ensure_poller(&self) {
        let mut started = self.shared.poller.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *started {
            return;
        }
        *started = true;
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        let interval = self.shared.poll_interval;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let Some(shared) = weak.upgrade() else { return };
                let any = !shared.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_empty();
                if !any {
                    continue;
                }
                let Ok(posted) = shared.store.posted().await else { continue };
                let driving = shared.driving.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                for message in posted {
                    if let Some(tx) = driving.get(&message.arn) {
                        let _ = tx.send(message);
                    }
                }
            }
        });
    }

    /// Runs `attempt` of `record` from its journal: `live`, to its end,
    /// beginning work and journaling what arrives; otherwise only as far as
    /// the journal goes, for its history (and, with `capture`, noting where
    /// each scope stands, for a redrive). `handler` runs its Tasks, or
    /// hears of the calls the journal answers.
    async fn drive(
        &self, record: &ExecutionRecord, attempt: Attempt, live: bool,
        mut posted: Option<mpsc::UnboundedReceiver<Posted>>, capture: Option<Arc<FrameLog>>,
        handler: Arc<dyn TaskHandler>,
    ) -> Result<Driven, DurableError> {
        let shared = &self.shared;
        let workflow = self.workflow(&record.definition)?;
        let identity: Identity = serde_json::from_str(&record.identity)
            .map_err(|e| DurableError::Journal(format!("the stored identity is unreadable: {e}")))?;
        let input: Value =
            serde_json::from_str(&record.input).map_err(|e| DurableError::InvalidInput(e.to_string()))?;
        let Attempt { entries, last_seq, resume, start_ms } = attempt;
        let redrive_count = resume.as_ref().map_or(0, |r| r.redrive_count);
        // Each attempt draws its own numbers (the first, the execution's).
        let seed = record.seed ^ u64::from(redrive_count).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel::<Arrival>();
        let journal = Journal::new(start_ms, seed, redrive_count, &entries, live, shared.clock.clone(), arrivals_tx);
        // However this ends (an error, the caller dropping it), the work it
        // began ends too.
        struct Abandon(Arc<Journal>);
        impl Drop for Abandon {
            fn drop(&mut self) {
                self.0.abandon();
            }
        }
        let _abandon = Abandon(journal.clone());
        let events = Arc::new(Mutex::new(Vec::new()));
        let handler = JournalHandler { journal: journal.clone(), inner: handler };
        let executor = workflow
            .executor()
            .identity(identity)
            .clock(JournalClock(journal.clone()))
            .handler(handler)
            // One thread: work spread over threads would draw randomness
            // in an order no replay could repeat.
            .parallelism(1)
            .wait_time_scale(shared.wait_scale)
            .limits(shared.limits);
        let executor = match capture {
            Some(log) => executor.capture_frames(log),
            None => executor,
        };
        // The history is derived by replay: a live run keeps none, but
        // records it all the same so that both take the same paths.
        let executor = if live {
            executor.history_sink(|_| {})
        } else {
            let events = events.clone();
            executor.history_sink(move |e| events.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(e))
        };
        let text = record.input.as_str();
        let (stopper, run) = executor.start_text(input, &text, resume);
        let mut run = std::pin::pin!(tokio::task::unconstrained(run));
        let flag = Arc::new(Flag::default());
        let waker = Waker::from(flag.clone());
        // Sequence numbers go on from the whole journal's last.
        let mut seq = last_seq;
        let mut queue: VecDeque<Entry> = entries.into();
        let mut consumed: HashSet<i64> = HashSet::new();
        loop {
            // Run until the execution waits for the world.
            flag.busy.store(true, Ordering::SeqCst);
            let done = loop {
                flag.woken.store(false, Ordering::SeqCst);
                let mut cx = Context::from_waker(&waker);
                if let Poll::Ready(execution) = journal.enter(|| run.as_mut().poll(&mut cx)) {
                    break Some(execution);
                }
                if !flag.woken.load(Ordering::SeqCst) {
                    break None;
                }
            };
            if let Some(execution) = done {
                if live {
                    let output = execution.output.as_ref().map(|o| o.to_string());
                    let ending = Ending {
                        status: execution.status.as_str().to_string(),
                        output,
                        error: execution.error.clone(),
                        cause: execution.cause.clone(),
                        stop_ms: journal.now_ms(),
                    };
                    shared.store.finish(&record.arn, ending).await?;
                }
                let events = std::mem::take(&mut *events.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                return Ok(Driven { execution: Some(execution), events });
            }
            let (added, removed) = journal.begin();
            if !added.is_empty() || !removed.is_empty() {
                shared.store.tokens(&record.arn, added, removed).await?;
            }
            if let Some(entry) = queue.pop_front() {
                if entry.request >= journal.next_request() && entry.request != 0 {
                    return Err(DurableError::Journal(format!(
                        "entry {} answers request {}, which the execution never made (was the definition changed?)",
                        entry.seq, entry.request
                    )));
                }
                match entry.outcome {
                    Outcome::Redrive { .. } => {
                        return Err(DurableError::Journal(format!("entry {} redrives a running attempt", entry.seq)));
                    }
                    Outcome::Stop { error, cause } => {
                        journal.advance(entry.at_ms);
                        stopper.stop(error.as_deref(), cause.as_deref());
                    }
                    outcome => {
                        journal.deliver(entry.request, outcome, entry.at_ms);
                    }
                }
                continue;
            }
            if !live {
                let events = std::mem::take(&mut *events.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                return Ok(Driven { execution: None, events });
            }
            // Wait for the world: an answer, a posted message, or a wake
            // from elsewhere.
            flag.busy.store(false, Ordering::SeqCst);
            if flag.woken.swap(false, Ordering::SeqCst) {
                continue;
            }
            let mut batch: Vec<Arrival> = Vec::new();
            tokio::select! {
                biased;
                _ = flag.notify.notified() => continue,
                Some(arrival) = arrivals.recv() => batch.push(arrival),
                Some(message) = async { match posted.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                    batch.push(arrival_of(message, shared.clock.now().as_millisecond()));
                }
            }
            // Everything else already here goes into the same write.
            while let Ok(arrival) = arrivals.try_recv() {
                batch.push(arrival);
            }
            if let Some(rx) = posted.as_mut() {
                while let Ok(message) = rx.try_recv() {
                    batch.push(arrival_of(message, shared.clock.now().as_millisecond()));
                }
            }
            // Answers that arrive together go in the order of their times,
            // then of their requests: two timers due at the same moment
            // fire in one order, whichever tokio woke first.
            batch.sort_by_key(|a| (a.at_ms, a.request));
            let (fresh, forget) = entries_of(batch, &journal, &mut seq, &mut consumed);
            if !fresh.is_empty() || !forget.is_empty() {
                shared.store.append(&record.arn, &fresh, &forget).await?;
            }
            queue.extend(fresh);
        }
    }
}

/// The journal entries `batch` makes, numbered on from `seq`, and the posted
/// messages it consumes. An answer nobody waits for any more (a task whose
/// timeout fired first) is not journaled; a message seen before is skipped.
fn entries_of(
    batch: Vec<Arrival>, journal: &Journal, seq: &mut u64, consumed: &mut HashSet<i64>,
) -> (Vec<Entry>, Vec<i64>) {
    let mut fresh = Vec::new();
    let mut forget = Vec::new();
    for arrival in batch {
        if let Some(id) = arrival.posted {
            if !consumed.insert(id) {
                continue;
            }
            forget.push(id);
        }
        if journal.wanted(&arrival) {
            *seq += 1;
            let at_ms = arrival.at_ms.max(journal.now_ms());
            fresh.push(Entry { seq: *seq, request: arrival.request, at_ms, outcome: arrival.outcome });
        }
    }
    (fresh, forget)
}

/// How many days after it ends an execution can be redriven (AWS: 14).
const REDRIVABLE_DAYS: i64 = 14;

/// One attempt of an execution: the first, or one a redrive began.
struct Attempt {
    /// Its entries.
    entries: Vec<Entry>,
    /// The last sequence number of the whole journal (new entries follow it).
    last_seq: u64,
    /// Where a redriven attempt goes on from.
    resume: Option<Box<Resume>>,
    /// When it began: its clock until the first entry.
    start_ms: i64,
}

/// The attempts of `record`, in order: the journal split at its redrives.
fn attempts(record: &ExecutionRecord, entries: Vec<Entry>) -> Result<Vec<Attempt>, DurableError> {
    let last_seq = entries.last().map_or(0, |e| e.seq);
    let mut attempts = Vec::new();
    let mut current = Attempt { entries: Vec::new(), last_seq, resume: None, start_ms: record.start_ms };
    for entry in entries {
        let Outcome::Redrive { count, first_event, resume } = entry.outcome else {
            current.entries.push(entry);
            continue;
        };
        let frame = serde_json::from_value(resume)
            .map_err(|e| DurableError::Journal(format!("entry {} has an unreadable redrive: {e}", entry.seq)))?;
        let resume = Resume { frame, redrive_count: count, first_event, start_ms: record.start_ms };
        let next = Attempt { entries: Vec::new(), last_seq, resume: Some(Box::new(resume)), start_ms: entry.at_ms };
        attempts.push(std::mem::replace(&mut current, next));
    }
    attempts.push(current);
    Ok(attempts)
}

/// A valid definition, or what is wrong with it.
fn load(definition: &str) -> Result<Workflow, DurableError> {
    Workflow::from_json(definition).map_err(|d| {
        let messages: Vec<String> = d.iter().map(|d| format!("{}: {}", d.location, d.message)).collect();
        DurableError::InvalidDefinition(messages.join("; "))
    })
}

fn arrival_of(message: Posted, now_ms: i64) -> Arrival {
    Arrival { request: message.request, outcome: message.outcome, at_ms: now_ms, posted: Some(message.id) }
}

/// An ended execution as its record tells it.
fn ended(record: &ExecutionRecord, status: Status) -> Execution {
    Execution {
        status,
        output: record.output.as_deref().and_then(|o| serde_json::from_str(o).ok()),
        error: record.error.clone(),
        cause: record.cause.clone(),
        events: Events::default(),
    }
}
