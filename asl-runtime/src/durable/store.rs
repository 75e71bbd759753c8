//! What a durable store keeps, and the trait every backend implements.
//!
//! The trait speaks of executions, journal entries, task tokens and posted
//! messages, never of SQL: SQLite is the embedded default, and a PostgreSQL
//! backend plugs into the same trait.

use crate::clock::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// One execution as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// The execution ARN (the key).
    pub arn: String,
    /// The execution name (unique per state machine: starting the same name
    /// again is idempotent).
    pub name: String,
    /// The state machine ARN.
    pub state_machine_arn: String,
    /// The definition the execution runs, as text. An execution keeps the
    /// version it started with, whatever the file says later.
    pub definition: String,
    /// The identity (names, account, region), as JSON.
    pub identity: String,
    /// The input, as the execution was given it.
    pub input: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    /// The output of a succeeded execution.
    pub output: Option<String>,
    /// The error of one that did not succeed.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_ms: i64,
    /// When it ended.
    pub stop_ms: Option<i64>,
    /// The seed of its deterministic randomness (`States.UUID`, task tokens, …).
    pub seed: u64,
    /// How often it was redriven.
    pub redrive_count: u32,
    /// When it was last redriven (AWS's `redriveDate`).
    #[serde(default)]
    pub redrive_ms: Option<i64>,
    /// What the runner needs to know besides (a mock test case, …), as JSON.
    pub options: String,
}

/// What a durable execution received from outside, in the order it was
/// delivered: replaying the entries in order rebuilds the execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The entry's place in the execution's journal, from 1.
    pub seq: u64,
    /// The request it answers (requests are numbered from 1 in the order the
    /// execution made them; 0 for none).
    pub request: u64,
    /// When it was delivered: the execution's clock from here on.
    pub at_ms: i64,
    /// What arrived.
    pub outcome: Outcome,
}

/// What arrives for a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A task (or a callback) succeeded with this output.
    Output {
        /// The output.
        value: Value,
    },
    /// A task (or a callback) failed.
    Failure {
        /// The error name.
        error: String,
        /// The cause, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
    },
    /// A timer reached its deadline.
    Fired,
    /// A running task said it is alive.
    Heartbeat,
    /// The execution was redriven: the attempt after this entry goes on
    /// from where the one before it stopped.
    Redrive {
        /// `RedriveCount` from here on.
        count: u32,
        /// The id of its `ExecutionRedriven` event.
        first_event: u64,
        /// Where each scope stood when the attempt before ended (opaque to
        /// the store).
        resume: Value,
    },
    /// Someone stopped the execution.
    Stop {
        /// The error `StopExecution` was given.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
}

/// A message posted to an execution from outside (another process): a
/// callback's answer, a heartbeat or a stop. The runner of the execution
/// turns it into a journal entry, and the store forgets the message in the
/// same write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posted {
    /// The message's id in the store.
    pub id: i64,
    /// The execution it is for.
    pub arn: String,
    /// The request it answers (0 for a stop).
    pub request: u64,
    /// The message.
    pub outcome: Outcome,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    /// The output (succeeded).
    pub output: Option<String>,
    /// The error (otherwise).
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it ended.
    pub stop_ms: i64,
}

/// A page of executions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only executions with this status.
    pub status: Option<String>,
    /// Only executions of this state machine.
    pub state_machine_arn: Option<String>,
    /// At most this many (0: no limit).
    pub limit: usize,
    /// Start after this execution ARN (the previous page's last).
    pub after: Option<String>,
    /// Newest first (AWS's `ListExecutions` order), instead of oldest first.
    pub newest_first: bool,
}

/// What [`ExecutionStore::start`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A new execution was created.
    Created(ExecutionRecord),
    /// An execution of that name and input already existed: this is it.
    Existing(ExecutionRecord),
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// An execution of that name exists with a different input
    /// (AWS: `ExecutionAlreadyExists`).
    ExecutionAlreadyExists(String),
    /// No such execution (AWS: `ExecutionDoesNotExist`).
    ExecutionDoesNotExist(String),
    /// No task was ever given this token (AWS: `TaskDoesNotExist`).
    TaskDoesNotExist,
    /// The token's task is over: answered, timed out, or its execution
    /// ended (AWS: `TaskTimedOut`).
    TaskTimedOut,
    /// The execution has ended, so it cannot take this (AWS: `ExecutionNotRedrivable`
    /// and the like, by operation).
    NotRunning(String),
    /// The execution cannot be redriven, for the reason given (AWS:
    /// `ExecutionNotRedrivable`).
    ExecutionNotRedrivable(String),
    /// The store was written by a newer version of this software.
    NewerSchema {
        /// The store's schema version.
        found: i64,
        /// The newest this version knows.
        known: i64,
    },
    /// The store cannot be read or written (corrupt, locked, unreachable).
    Backend(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::ExecutionAlreadyExists(arn) => {
                write!(f, "ExecutionAlreadyExists: an execution named like {arn} exists with a different input")
            }
            StoreError::ExecutionDoesNotExist(arn) => write!(f, "ExecutionDoesNotExist: {arn}"),
            StoreError::TaskDoesNotExist => f.write_str("TaskDoesNotExist: no task is waiting for this token"),
            StoreError::TaskTimedOut => {
                f.write_str("TaskTimedOut: the token's task is over (answered, timed out, or its execution ended)")
            }
            StoreError::NotRunning(arn) => write!(f, "the execution {arn} is not running"),
            StoreError::ExecutionNotRedrivable(reason) => write!(f, "ExecutionNotRedrivable: {reason}"),
            StoreError::NewerSchema { found, known } => write!(
                f,
                "the store has schema version {found}, newer than this version of asl knows ({known}); use a newer asl"
            ),
            StoreError::Backend(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where durable executions live. Every method is one atomic step: an
/// execution, its journal and its tokens are never seen half-written.
pub trait ExecutionStore: Send + Sync + 'static {
    /// Creates `record` (status `RUNNING`), or finds the execution of the same ARN: the same input
    /// gives it back (`Existing`), a different one fails with
    /// `ExecutionAlreadyExists`, as `StartExecution` does.
    fn start(&self, record: ExecutionRecord) -> BoxFuture<'_, Result<Started, StoreError>>;

    /// The execution with this ARN.
    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>, StoreError>>;

    /// Its journal, in order.
    fn journal(&self, arn: &str) -> BoxFuture<'_, Result<Vec<Entry>, StoreError>>;

    /// Appends `entries` to the journal and forgets the posted messages
    /// `consumed` (which they came from), in one write.
    fn append<'a>(
        &'a self, arn: &'a str, entries: &'a [Entry], consumed: &'a [i64],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Records how the execution ended, and forgets its tokens.
    fn finish(&self, arn: &str, ending: Ending) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Executions, oldest first (newest first if asked), as `query` says.
    fn list(&self, query: ListQuery) -> BoxFuture<'_, Result<Vec<ExecutionRecord>, StoreError>>;

    /// The ARNs of the running executions, oldest first (what a worker
    /// polls: no definitions or inputs read).
    fn running(&self) -> BoxFuture<'_, Result<Vec<String>, StoreError>>;

    /// Makes tokens known (`add`: token and the request it answers) and
    /// forgets others (`remove`), for the execution `arn`.
    fn tokens(&self, arn: &str, add: Vec<(String, u64)>, remove: Vec<String>) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Posts a callback's answer or heartbeat for `token` to the execution
    /// that waits for it; `TaskDoesNotExist` if no task ever had it,
    /// `TaskTimedOut` if its task is over.
    fn post_callback(&self, token: &str, outcome: Outcome) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Posts a stop to a running execution.
    fn post_stop(
        &self, arn: &str, error: Option<String>, cause: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Every message posted and not yet consumed, oldest first.
    fn posted(&self) -> BoxFuture<'_, Result<Vec<Posted>, StoreError>>;

    /// Redrives the ended execution `arn` in one write: appends `entry`
    /// (an [`Outcome::Redrive`]) to its journal, and makes it `RUNNING` again
    /// with its redrive count one up and `redrive_ms` its time. Refused with
    /// `ExecutionNotRedrivable` unless it is `FAILED`, `TIMED_OUT` or
    /// `ABORTED` with `count` redrives so far (another redrive got there
    /// first otherwise).
    fn redrive(&self, arn: &str, count: u32, entry: Entry) -> BoxFuture<'_, Result<ExecutionRecord, StoreError>>;

    /// Forgets every execution that ended before `before_ms` (milliseconds
    /// since the epoch), with its journal; returns how many.
    fn forget_ended(&self, before_ms: i64) -> BoxFuture<'_, Result<usize, StoreError>>;
}
