//! The journal's side of a durable execution: every point where the
//! execution waits for the world (a task's answer, a timer, a callback, a
//! heartbeat) is a numbered *request*, and what answers it arrives as an
//! [`Entry`]. Because the driver hands the execution one entry at a time and
//! lets it run until it waits again, the execution is a function of its
//! input and its entries: replaying them rebuilds it, request numbers and
//! all.
//!
//! The pieces the engine sees are ordinary: a [`Clock`] whose "now" is the
//! time of the latest entry and whose sleeps are requests, a
//! [`TaskHandler`] whose calls are requests, and callback registrations.
//! Randomness (`States.UUID`, `$random()`, task tokens, retry jitter) comes
//! from the execution's seed while the driver polls it.

use super::store::{Entry, Outcome};
use crate::clock::{BoxFuture, Clock};
use crate::error::StatesError;
use crate::task::{TaskError, TaskHandler, TaskRequest};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::sync::mpsc;

/// Something that answers a request, on its way to the driver.
#[derive(Debug)]
pub(crate) struct Arrival {
    pub(crate) request: u64,
    pub(crate) outcome: Outcome,
    pub(crate) at_ms: i64,
    /// The posted message it came from, forgotten when it is journaled.
    pub(crate) posted: Option<i64>,
}

/// Work to begin once the execution waits: begun by the driver, after the
/// poll, so that nothing starts (and no token is handed out) before the
/// store knows what it needs to know.
enum Start {
    Task(BoxFuture<'static, Result<Value, TaskError>>),
    Timer { deadline_ms: i64 },
}

#[derive(Default)]
struct Slot {
    outcome: Option<Outcome>,
    waker: Option<Waker>,
    /// The callback token this request waits on.
    token: Option<String>,
}

#[derive(Default)]
struct Requests {
    /// Requests still waiting for their outcome.
    slots: HashMap<u64, Slot>,
    /// Work to begin after this poll.
    starts: Vec<(u64, Start)>,
    /// Work under way, to cancel if its request is dropped.
    running: HashMap<u64, tokio::task::AbortHandle>,
    /// Where each task's (or callback's) heartbeats go in the engine.
    heartbeats: HashMap<u64, mpsc::UnboundedSender<()>>,
    tokens_added: Vec<(String, u64)>,
    tokens_removed: Vec<String>,
}

/// The shared state of one durable execution.
pub(crate) struct Journal {
    /// The execution's clock, in milliseconds: its start, then the time of
    /// the latest entry delivered.
    now_ms: AtomicI64,
    next_request: AtomicU64,
    /// Which attempt this is: how often the execution was redriven before it.
    attempt: u32,
    /// Requests the journal already answers: they begin no work.
    answered: HashSet<u64>,
    /// Whether work begins at all (not when only rebuilding a history).
    live: bool,
    requests: Mutex<Requests>,
    rng: Mutex<fastrand::Rng>,
    /// The real clock: when timers fire and when answers arrive.
    base: Arc<dyn Clock>,
    arrivals: mpsc::UnboundedSender<Arrival>,
}

thread_local! {
    /// The journal of the execution being polled on this thread.
    static CURRENT: RefCell<Option<Arc<Journal>>> = const { RefCell::new(None) };
}

/// The journal of the durable execution being polled on this thread, if any.
pub(crate) fn current() -> Option<Arc<Journal>> {
    CURRENT.with(|c| c.borrow().clone())
}

fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

impl Journal {
    pub(crate) fn new(
        start_ms: i64, seed: u64, attempt: u32, entries: &[Entry], live: bool, base: Arc<dyn Clock>,
        arrivals: mpsc::UnboundedSender<Arrival>,
    ) -> Arc<Journal> {
        Arc::new(Journal {
            now_ms: AtomicI64::new(start_ms),
            next_request: AtomicU64::new(1),
            attempt,
            answered: entries.iter().map(|e| e.request).collect(),
            live,
            requests: Mutex::new(Requests::default()),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            base,
            arrivals,
        })
    }

    fn requests(&self) -> std::sync::MutexGuard<'_, Requests> {
        self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` with this journal as the thread's current one.
    pub(crate) fn enter<T>(self: &Arc<Self>, f: impl FnOnce() -> T) -> T {
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                CURRENT.with(|c| c.borrow_mut().take());
            }
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(self.clone()));
        let _leave = Leave;
        f()
    }

    /// A random number from the execution's seed.
    pub(crate) fn random_u64(&self) -> u64 {
        self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner).u64(..)
    }

    /// The number the next request will get.
    pub(crate) fn next_request(&self) -> u64 {
        self.next_request.load(Ordering::Relaxed)
    }

    /// Moves the clock to `at_ms` (never back).
    pub(crate) fn advance(&self, at_ms: i64) {
        self.now_ms.fetch_max(at_ms, Ordering::Relaxed);
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::Relaxed)
    }

    /// Numbers a new request; `start` is the work that answers it, begun
    /// unless the journal answers it already.
    fn request(&self, start: impl FnOnce() -> Option<Start>) -> u64 {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        let begin = self.live && !self.answered.contains(&n);
        let start = if begin { start() } else { None };
        let mut requests = self.requests();
        requests.slots.insert(n, Slot::default());
        if let Some(start) = start {
            requests.starts.push((n, start));
        }
        n
    }

    fn answered(&self, n: u64) -> bool {
        self.answered.contains(&n)
    }

    /// The outcome of request `n`, once delivered.
    fn wait(self: &Arc<Self>, n: u64) -> SlotFuture {
        SlotFuture { journal: self.clone(), request: n }
    }

    /// Delivers an entry: the clock moves to its time and its request (if
    /// still waiting) gets its outcome. Returns whether anyone took it.
    pub(crate) fn deliver(&self, request: u64, outcome: Outcome, at_ms: i64) -> bool {
        self.advance(at_ms);
        let mut requests = self.requests();
        if let Outcome::Heartbeat = outcome {
            return requests.heartbeats.get(&request).is_some_and(|tx| tx.send(()).is_ok());
        }
        let Some(slot) = requests.slots.get_mut(&request) else { return false };
        slot.outcome = Some(outcome);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
        true
    }

    /// Whether an arrival still has someone waiting for it (a task's answer
    /// after its timeout fired has not, and is not journaled).
    pub(crate) fn wanted(&self, arrival: &Arrival) -> bool {
        let requests = self.requests();
        match arrival.outcome {
            Outcome::Stop { .. } => true,
            Outcome::Heartbeat => requests.heartbeats.contains_key(&arrival.request),
            _ => requests.slots.contains_key(&arrival.request),
        }
    }

    /// Begins the work the last poll asked for, and hands back the token
    /// changes for the store.
    pub(crate) fn begin(&self) -> (Vec<(String, u64)>, Vec<String>) {
        let mut requests = self.requests();
        for (n, start) in std::mem::take(&mut requests.starts) {
            let arrivals = self.arrivals.clone();
            let base = self.base.clone();
            let handle = match start {
                Start::Task(call) => tokio::spawn(async move {
                    let outcome = match call.await {
                        Ok(value) => Outcome::Output { value },
                        Err(e) => Outcome::Failure { error: e.error, cause: e.cause },
                    };
                    let _ = arrivals.send(Arrival { request: n, outcome, at_ms: ms(base.now()), posted: None });
                }),
                Start::Timer { deadline_ms } => tokio::spawn(async move {
                    // The deadline is a time on the real clock: after a
                    // restart the timer waits for what is left of it.
                    let left = deadline_ms.saturating_sub(ms(base.now()));
                    if left > 0 {
                        base.sleep(Duration::from_millis(left as u64)).await;
                    }
                    let at_ms = ms(base.now()).max(deadline_ms);
                    let _ = arrivals.send(Arrival { request: n, outcome: Outcome::Fired, at_ms, posted: None });
                }),
            };
            requests.running.insert(n, handle.abort_handle());
        }
        (std::mem::take(&mut requests.tokens_added), std::mem::take(&mut requests.tokens_removed))
    }

    /// Stops all work under way (the execution ended or is set aside).
    pub(crate) fn abandon(&self) {
        let mut requests = self.requests();
        for (_, handle) in requests.running.drain() {
            handle.abort();
        }
        requests.starts.clear();
    }

    /// A callback's wait for `token`: answered by a posted message.
    pub(crate) fn register_callback(
        self: &Arc<Self>, token: &str, heartbeat: mpsc::UnboundedSender<()>,
    ) -> BoxFuture<'static, Result<Value, StatesError>> {
        let n = self.request(|| None);
        {
            let mut requests = self.requests();
            if let Some(slot) = requests.slots.get_mut(&n) {
                slot.token = Some(token.to_string());
            }
            requests.heartbeats.insert(n, heartbeat);
            if self.live {
                requests.tokens_added.push((token.to_string(), n));
            }
        }
        let wait = self.wait(n);
        Box::pin(async move { into_result(wait.await) })
    }
}

fn into_result(outcome: Outcome) -> Result<Value, StatesError> {
    match outcome {
        Outcome::Output { value } => Ok(value),
        Outcome::Failure { error, cause } => Err(StatesError { error, cause }),
        other => Err(StatesError::new(crate::error::names::RUNTIME, format!("unexpected journal entry {other:?}"))),
    }
}

/// Waits for request `request`'s outcome; dropping it withdraws the request
/// and cancels its work.
pub(crate) struct SlotFuture {
    journal: Arc<Journal>,
    request: u64,
}

impl Future for SlotFuture {
    type Output = Outcome;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut requests = self.journal.requests();
        let Some(slot) = requests.slots.get_mut(&self.request) else {
            // Withdrawn already: only a dropped future could see this.
            return Poll::Pending;
        };
        match slot.outcome.take() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for SlotFuture {
    fn drop(&mut self) {
        let mut requests = self.journal.requests();
        let n = self.request;
        if let Some(slot) = requests.slots.remove(&n)
            && let Some(token) = slot.token
            && self.journal.live
        {
            requests.tokens_removed.push(token);
        }
        if let Some(handle) = requests.running.remove(&n) {
            handle.abort();
        }
        requests.starts.retain(|(r, _)| *r != n);
        requests.heartbeats.remove(&n);
    }
}

/// The clock of a durable execution.
pub(crate) struct JournalClock(pub(crate) Arc<Journal>);

impl Clock for JournalClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.0.now_ms()).unwrap_or(jiff::Timestamp::MAX)
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        let deadline_ms = self.0.now_ms().saturating_add(millis);
        let n = self.0.request(|| Some(Start::Timer { deadline_ms }));
        let wait = self.0.wait(n);
        Box::pin(async move {
            wait.await;
        })
    }
}

/// A task call whose heartbeats go to the driver as arrivals of request `n`.
fn return_heartbeats(
    mut call: BoxFuture<'static, Result<Value, TaskError>>, mut rx: mpsc::UnboundedReceiver<()>,
    arrivals: mpsc::UnboundedSender<Arrival>, base: Arc<dyn Clock>, n: u64,
) -> BoxFuture<'static, Result<Value, TaskError>> {
    Box::pin(async move {
        loop {
            tokio::select! {
                biased;
                outcome = &mut call => return outcome,
                Some(()) = rx.recv() => {
                    let at_ms = ms(base.now());
                    let _ = arrivals.send(Arrival { request: n, outcome: Outcome::Heartbeat, at_ms, posted: None });
                }
            }
        }
    })
}

/// The task handler of a durable execution: each call is a request.
pub(crate) struct JournalHandler {
    pub(crate) journal: Arc<Journal>,
    pub(crate) inner: Arc<dyn TaskHandler>,
}

impl TaskHandler for JournalHandler {
    fn invoke(&self, mut request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let journal = &self.journal;
        let n = journal.next_request.load(Ordering::Relaxed);
        // Requests are numbered per attempt: a redriven one's keys name it.
        let key = match journal.attempt {
            0 => format!("{}#{n}", request.context.execution_arn()),
            attempt => format!("{}#{attempt}.{n}", request.context.execution_arn()),
        };
        request.context.set_idempotency_key(key);
        // The engine's heartbeat channel is fed from the journal, so that a
        // heartbeat counts where it was journaled, in a replay too.
        let engine_heartbeats = request.context.take_heartbeats();
        let call = if journal.answered(n) || !journal.live {
            self.inner.replayed(&request);
            None
        } else {
            Some(match &engine_heartbeats {
                None => self.inner.invoke(request),
                Some(_) => {
                    let (tx, rx) = mpsc::unbounded_channel();
                    request.context.set_heartbeats(tx);
                    let call = self.inner.invoke(request);
                    return_heartbeats(call, rx, journal.arrivals.clone(), journal.base.clone(), n)
                }
            })
        };
        let mut call = call;
        let made = journal.request(|| call.take().map(Start::Task));
        debug_assert_eq!(made, n, "one poll at a time makes requests");
        if let Some(tx) = engine_heartbeats {
            journal.requests().heartbeats.insert(n, tx);
        }
        let wait = journal.wait(n);
        Box::pin(async move { into_result(wait.await) })
    }
}
