//! Task-token callbacks: a `.waitForTaskToken` task waits until someone,
//! anywhere in the process, calls [`send_task_success`] or
//! [`send_task_failure`] with its token, the way AWS's `SendTaskSuccess` and
//! `SendTaskFailure` APIs resume an execution.

use crate::error::StatesError;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex};
use tokio::sync::{mpsc, oneshot};

struct Waiter {
    result: oneshot::Sender<Result<Value, StatesError>>,
    heartbeat: mpsc::UnboundedSender<()>,
}

static WAITING: LazyLock<Mutex<HashMap<String, Waiter>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn waiting() -> std::sync::MutexGuard<'static, HashMap<String, Waiter>> {
    WAITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why a callback was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// No task is waiting for this token: it never existed, already got its
    /// answer, timed out, or its execution ended (AWS: `TaskDoesNotExist`).
    TaskDoesNotExist,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TaskDoesNotExist: no task is waiting for this token")
    }
}

impl std::error::Error for CallbackError {}

/// Completes the task waiting for `token` with `output`.
pub fn send_task_success(token: &str, output: Value) -> Result<(), CallbackError> {
    deliver(token, Ok(output))
}

/// Fails the task waiting for `token` with `error` and `cause`.
pub fn send_task_failure(token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
    deliver(token, Err(StatesError::new(error, cause)))
}

/// Tells the task waiting for `token` that work is still going on, which
/// restarts its `HeartbeatSeconds` clock.
pub fn send_task_heartbeat(token: &str) -> Result<(), CallbackError> {
    let map = waiting();
    let waiter = map.get(token).ok_or(CallbackError::TaskDoesNotExist)?;
    waiter.heartbeat.send(()).map_err(|_| CallbackError::TaskDoesNotExist)
}

fn deliver(token: &str, outcome: Result<Value, StatesError>) -> Result<(), CallbackError> {
    let waiter = waiting().remove(token).ok_or(CallbackError::TaskDoesNotExist)?;
    waiter.result.send(outcome).map_err(|_| CallbackError::TaskDoesNotExist)
}

/// A registered token. Dropping it (the task finished, timed out, or its
/// execution was stopped) forgets the token.
pub(crate) struct Registration {
    /// The token, when this process's table holds it (a durable execution's
    /// tokens live in its store).
    token: Option<String>,
    /// The answer.
    pub(crate) result: crate::clock::BoxFuture<'static, Result<Value, StatesError>>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(token) = &self.token {
            waiting().remove(token);
        }
    }
}

/// An opaque task token, as long and unguessable as AWS's.
pub(crate) fn new_token() -> String {
    use base64::Engine;
    // From the execution's seed in a durable execution, so that a replay
    // hands out the token the waiting party holds.
    let bytes: Vec<u8> =
        crate::durable::uuid_v4().as_bytes().iter().chain(crate::durable::uuid_v4().as_bytes()).copied().collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Registers `token`; heartbeats for it arrive on `heartbeat`. In a durable
/// execution the token goes to its store, where another process can answer.
pub(crate) fn register(token: &str, heartbeat: mpsc::UnboundedSender<()>) -> Registration {
    if let Some(journal) = crate::durable::current() {
        return Registration { token: None, result: journal.register_callback(token, heartbeat) };
    }
    let (tx, rx) = oneshot::channel();
    waiting().insert(token.to_string(), Waiter { result: tx, heartbeat });
    let result = Box::pin(async move {
        rx.await.unwrap_or_else(|_| Err(StatesError::new(crate::error::names::RUNTIME, "the task token was forgotten")))
    });
    Registration { token: Some(token.to_string()), result }
}
