//! The durable commands: `asl run --db`, `asl worker`, `asl executions …`
//! and `asl task …`, all on one SQLite store file.

use crate::UsageError;
use asl_runtime::{Durable, DurableError, ExecutionRecord, ListQuery, SqliteStore};
use clap::Subcommand;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// `asl executions …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExecutionsCommand {
    /// List executions, oldest first (as `ListExecutions`, paged).
    List {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Only executions with this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED).
        #[arg(long)]
        status: Option<String>,
        /// At most this many (0: all).
        #[arg(long, default_value_t = 100)]
        max_results: usize,
        /// The `nextToken` of the previous page.
        #[arg(long)]
        next_token: Option<String>,
    },
    /// One execution, as `DescribeExecution` shows it.
    Describe {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The execution ARN.
        arn: String,
    },
    /// An execution's history, as `GetExecutionHistory` gives it (paged).
    History {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The execution ARN.
        arn: String,
        /// Newest first.
        #[arg(long)]
        reverse_order: bool,
        /// At most this many events per page (0: all).
        #[arg(long, default_value_t = 0)]
        max_results: usize,
        /// The `nextToken` of the previous page.
        #[arg(long)]
        next_token: Option<String>,
    },
    /// Redrive an execution that FAILED, TIMED_OUT or was ABORTED: it goes
    /// on from the state that did not succeed (as `RedriveExecution`), and
    /// runs to its end here unless detached or a worker runs the store.
    Redrive {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The execution ARN.
        arn: String,
        /// Answer Tasks from this mock file (the test case the execution
        /// was started with), when it runs here.
        #[arg(long, value_name = "FILE")]
        mock: Option<PathBuf>,
        /// Only redrive it: print `redriveDate` and leave it to `asl worker`.
        #[arg(long)]
        detach: bool,
    },
    /// Stop a running execution (it ends ABORTED, wherever it runs).
    Stop {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The execution ARN.
        arn: String,
        /// The error to end it with.
        #[arg(long)]
        error: Option<String>,
        /// The cause.
        #[arg(long)]
        cause: Option<String>,
    },
}

/// `asl task …`: answer a `.waitForTaskToken` task from another process.
#[derive(Debug, Subcommand)]
pub(crate) enum TaskCommand {
    /// Complete the task waiting for TOKEN with OUTPUT (JSON, `@FILE` or `-`).
    Success {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The task token.
        token: String,
        /// The task's output.
        output: String,
    },
    /// Fail the task waiting for TOKEN.
    Failure {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The task token.
        token: String,
        /// The error name.
        #[arg(long, default_value = "")]
        error: String,
        /// The cause.
        #[arg(long, default_value = "")]
        cause: String,
    },
    /// Tell the task waiting for TOKEN that work goes on.
    Heartbeat {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// The task token.
        token: String,
    },
}

fn open(db: &Path) -> Result<SqliteStore, UsageError> {
    SqliteStore::open(db).map_err(|e| UsageError(e.to_string()))
}

/// A runtime for a command that only reads or writes the store.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T, UsageError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    Ok(runtime.block_on(f))
}

/// A durable error as the command reports it: exit 1, the AWS error name first.
fn failed(e: DurableError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}

fn millis_text(ms: i64) -> Value {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => Value::String(asl_runtime::format_timestamp(t)),
        Err(_) => Value::Null,
    }
}

/// An execution as `DescribeExecution` answers (dates as text).
pub(crate) fn describe_json(r: &ExecutionRecord) -> Value {
    asl_server::describe_json(r, millis_text)
}

fn print_json(v: &Value) -> Result<ExitCode, UsageError> {
    crate::say(format_args!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default()))?;
    Ok(ExitCode::SUCCESS)
}

/// `asl executions …`.
pub(crate) fn executions(command: ExecutionsCommand) -> Result<ExitCode, UsageError> {
    match command {
        ExecutionsCommand::List { db, status, max_results, next_token } => {
            let durable = Durable::new(open(&db)?);
            let query = ListQuery { status, limit: max_results, after: next_token, ..ListQuery::default() };
            match block_on(durable.list(query))? {
                Ok(records) => {
                    let next = (max_results > 0 && records.len() == max_results)
                        .then(|| records.last().map(|r| r.arn.clone()))
                        .flatten();
                    let list: Vec<Value> = records
                        .iter()
                        .map(|r| {
                            let mut v = describe_json(r);
                            let fields = v.as_object_mut().expect("an object");
                            for key in ["input", "inputDetails", "output", "outputDetails", "error", "cause"] {
                                fields.remove(key);
                            }
                            v
                        })
                        .collect();
                    let mut out = json!({ "executions": list });
                    if let Some(next) = next {
                        out["nextToken"] = Value::String(next);
                    }
                    print_json(&out)
                }
                Err(e) => Ok(failed(e)),
            }
        }
        ExecutionsCommand::Describe { db, arn } => {
            let durable = Durable::new(open(&db)?);
            match block_on(durable.describe(&arn))? {
                Ok(record) => {
                    let mut out = describe_json(&record);
                    match durable.not_redrivable(&record) {
                        None => out["redriveStatus"] = json!("REDRIVABLE"),
                        Some(reason) => {
                            out["redriveStatus"] = json!("NOT_REDRIVABLE");
                            out["redriveStatusReason"] = Value::String(reason);
                        }
                    }
                    print_json(&out)
                }
                Err(e) => Ok(failed(e)),
            }
        }
        ExecutionsCommand::History { db, arn, reverse_order, max_results, next_token } => {
            let durable = Durable::new(open(&db)?);
            let events = match block_on(durable.history(&arn))? {
                Ok(events) => events,
                Err(e) => return Ok(failed(e)),
            };
            let out =
                asl_server::history_page(&events, reverse_order, true, max_results, next_token.as_deref(), millis_text)
                    .map_err(|e| UsageError(e.to_string()))?;
            print_json(&out)
        }
        ExecutionsCommand::Redrive { db, arn, mock, detach } => redrive(&db, &arn, mock, detach),
        ExecutionsCommand::Stop { db, arn, error, cause } => {
            let durable = Durable::new(open(&db)?);
            match block_on(durable.stop(&arn, error, cause))? {
                Ok(()) => print_json(&json!({ "stopDate": millis_text(jiff::Timestamp::now().as_millisecond()) })),
                Err(e) => Ok(failed(e)),
            }
        }
    }
}

/// `asl task …`.
pub(crate) fn task(command: TaskCommand) -> Result<ExitCode, UsageError> {
    let result = match command {
        TaskCommand::Success { db, token, output } => {
            let text = crate::input_text(Some(output))?;
            let output: Value = serde_json::from_str(&text).expect("input_text checked the JSON");
            let durable = Durable::new(open(&db)?);
            block_on(async { durable.send_task_success(&token, output).await })?
        }
        TaskCommand::Failure { db, token, error, cause } => {
            let durable = Durable::new(open(&db)?);
            block_on(async { durable.send_task_failure(&token, &error, &cause).await })?
        }
        TaskCommand::Heartbeat { db, token } => {
            let durable = Durable::new(open(&db)?);
            block_on(async { durable.send_task_heartbeat(&token).await })?
        }
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Ok(failed(e)),
    }
}

/// The worker lock of a store: one `asl worker` (or `asl run --db` driving
/// in-process) per store file. The OS releases it when the process dies,
/// however it dies.
pub(crate) fn worker_lock(db: &Path) -> Result<Option<std::fs::File>, UsageError> {
    let mut path = db.as_os_str().to_owned();
    path.push(".worker-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| UsageError(format!("cannot open the worker lock {}: {e}", Path::new(&path).display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(UsageError(format!("cannot lock {}: {e}", Path::new(&path).display())))
        }
    }
}

/// What runs the Tasks of a store's executions: the mock file's test case
/// each execution was started with, or no handler.
pub(crate) fn handlers(durable: Durable, mock: Option<PathBuf>) -> Result<Durable, UsageError> {
    let Some(path) = mock else { return Ok(durable) };
    let config = Arc::new(crate::mocks::MockFile::read(&path)?.config);
    Ok(durable.handler_for(move |record| {
        let options: Value = serde_json::from_str(&record.options).unwrap_or_default();
        config.handler(options["state_machine"].as_str(), options["test_case"].as_str(), None)
    }))
}

/// `asl worker`: runs every pending execution of the store, and those that
/// start later, until killed (or, with `until_idle`, until none is left).
pub(crate) fn worker(
    db: &Path, mock: Option<PathBuf>, until_idle: bool, retention: std::time::Duration,
) -> Result<ExitCode, UsageError> {
    let Some(_lock) = worker_lock(db)? else {
        return Err(UsageError(format!("another worker runs the executions of {}", db.display())));
    };
    let durable = handlers(Durable::new(open(db)?).retention(retention), mock)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let report = |arn: &str, e: &DurableError| eprintln!("error: {arn}: {e}");
    match runtime.block_on(durable.work(until_idle, report)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Ok(failed(e)),
    }
}

/// How `asl run --db` starts its execution.
pub(crate) struct DurableRun {
    pub(crate) db: PathBuf,
    pub(crate) definition: String,
    pub(crate) identity: asl_runtime::Identity,
    pub(crate) input: String,
    pub(crate) detach: bool,
    /// Waits and timeouts in virtual time (tests of long workflows).
    pub(crate) virtual_time: bool,
}

/// `asl run --db`: starts the execution (idempotent by name) and, unless
/// detached, runs it to its end here, or waits for the store's worker to.
/// `mocks` is the mock file, its test case and its state machine.
pub(crate) fn run(
    options: DurableRun, mocks: (Option<PathBuf>, Option<String>, Option<String>),
) -> Result<ExitCode, UsageError> {
    let DurableRun { db, definition, identity, input, detach, virtual_time } = options;
    let (mock, test_case, state_machine) = mocks;
    let lock = if detach { None } else { worker_lock(&db)? };
    let durable = handlers(Durable::new(open(&db)?), mock)?;
    let runtime = if virtual_time {
        asl_runtime::virtual_time_runtime()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    }
    .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let job_options = json!({ "test_case": test_case, "state_machine": state_machine });
    let result = runtime.block_on(async {
        // The virtual clock reads the runtime's paused time: made inside it.
        let durable = if virtual_time { durable.clock(asl_runtime::VirtualClock::new()) } else { durable };
        let record = durable.start(&definition, identity, &input, Some(job_options)).await?;
        if detach {
            return Ok(Err(record));
        }
        to_end(&durable, lock.is_some(), &record.arn).await
    });
    match result {
        Ok(Err(record)) if detach => print_json(&json!({
            "executionArn": record.arn,
            "startDate": millis_text(record.start_ms),
        })),
        other => ended(other),
    }
}

/// `asl executions redrive`: redrives the execution and, unless detached,
/// runs it to its end here, or waits for the store's worker to.
fn redrive(db: &Path, arn: &str, mock: Option<PathBuf>, detach: bool) -> Result<ExitCode, UsageError> {
    let lock = if detach { None } else { worker_lock(db)? };
    let durable = handlers(Durable::new(open(db)?), mock)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(async {
        let record = durable.redrive(arn).await?;
        if detach {
            return Ok(Err(record));
        }
        to_end(&durable, lock.is_some(), arn).await
    });
    match result {
        Ok(Err(record)) if detach => {
            print_json(&json!({ "redriveDate": record.redrive_ms.map(millis_text).unwrap_or(Value::Null) }))
        }
        other => ended(other),
    }
}

/// Runs execution `arn` to its end here (`here`: this process holds the
/// store's worker lock) or waits for the worker that holds it to end it.
async fn to_end(
    durable: &Durable, here: bool, arn: &str,
) -> Result<Result<asl_runtime::Execution, ExecutionRecord>, DurableError> {
    if here {
        return durable.run(arn).await.map(Ok);
    }
    loop {
        let record = durable.describe(arn).await?;
        if record.status != "RUNNING" {
            return Ok(Err(record));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Reports how an execution [`to_end`] ran ended.
fn ended(
    result: Result<Result<asl_runtime::Execution, ExecutionRecord>, DurableError>,
) -> Result<ExitCode, UsageError> {
    match result {
        Err(e) => Ok(failed(e)),
        Ok(Err(record)) => {
            let status = record.status.clone();
            let output = record.output.as_deref().and_then(|o| serde_json::from_str::<Value>(o).ok());
            crate::report(&status, output.as_ref(), record.error.as_deref(), record.cause.as_deref())
        }
        Ok(Ok(execution)) => crate::report(
            execution.status.as_str(),
            execution.output.as_ref(),
            execution.error.as_deref(),
            execution.cause.as_deref(),
        ),
    }
}
