//! Durable executions through the library: effects applied exactly once
//! across crashes, timers that fire once at their deadline after a restart,
//! and clear errors for a bad store or an unknown token.

mod support {
    pub mod dying;
}

use asl_runtime::{
    Durable, DurableError, ExecutionStore, Identity, SqliteStore, StoreError, TaskError, TaskRequest, VirtualClock,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::dying::Dying;

/// Tasks that each apply an effect once per idempotency key, and count
/// every call.
#[derive(Clone, Default)]
struct Ledger {
    calls: Arc<Mutex<HashMap<String, u32>>>,
    applied: Arc<Mutex<HashSet<String>>>,
}

impl Ledger {
    fn handler(&self) -> impl Fn(TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> + use<> {
        let ledger = self.clone();
        move |req: TaskRequest| {
            let key = req.context.idempotency_key().expect("durable calls have a key").to_string();
            *ledger.calls.lock().unwrap().entry(key.clone()).or_default() += 1;
            let fresh = ledger.applied.lock().unwrap().insert(key);
            let input = req.input;
            Box::pin(async move {
                // Some time passes, so that a crash can come while a task runs.
                tokio::time::sleep(Duration::from_secs(1)).await;
                Ok(json!({"fresh": fresh, "input": input}))
            })
        }
    }
}

const TASKS: &str = r#"{
  "StartAt": "Each",
  "States": {
    "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.items", "ResultPath": "$.each",
      "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:work", "End": true}}},
      "Next": "Both"},
    "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Last", "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:a", "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:b", "End": true}}}]},
    "Last": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:last", "End": true}
  }
}"#;

/// Runs `definition` on `store` with `handler`, dying at journal write
/// `budget`; the ARN and whether it ended.
fn run_until_death(
    definition: &str, store: Arc<dyn ExecutionStore>, handler: impl asl_runtime::TaskHandler, budget: usize,
) -> (String, bool, usize) {
    let rt = asl_runtime::virtual_time_runtime().unwrap();
    rt.block_on(async {
        let dead = Arc::new(tokio::sync::Notify::new());
        let dying = Arc::new(Dying::new(store, budget, dead.clone()));
        let durable = Durable::shared(dying.clone()).handler(handler).clock(VirtualClock::new());
        let identity = Identity { execution_name: "ledger".into(), ..Identity::default() };
        let record = durable.start(definition, identity, r#"{"items": [1, 2, 3, 4]}"#, None).await.unwrap();
        let ended = tokio::select! {
            run = durable.run(&record.arn) => { run.unwrap(); true }
            _ = dead.notified() => false,
        };
        (record.arn, ended, dying.writes())
    })
}

#[test]
fn task_effects_apply_exactly_once_across_crashes() {
    let (_, ended, writes) =
        run_until_death(TASKS, Arc::new(SqliteStore::in_memory().unwrap()), Ledger::default().handler(), usize::MAX);
    assert!(ended && writes >= 3, "{writes} writes");
    let mut reinvoked = 0;
    for budget in 0..writes {
        let ledger = Ledger::default();
        let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
        let (arn, ended, _) = run_until_death(TASKS, store.clone(), ledger.handler(), budget);
        assert!(!ended, "died at write {budget}");
        let rt = asl_runtime::virtual_time_runtime().unwrap();
        let (execution, history) = rt.block_on(async {
            let durable = Durable::shared(store).handler(ledger.handler()).clock(VirtualClock::new());
            (durable.run(&arn).await.unwrap(), durable.history(&arn).await.unwrap())
        });
        assert_eq!(execution.status, asl_runtime::Status::Succeeded, "{execution:?}");
        let succeeded = history.iter().filter(|e| e.event_type == "LambdaFunctionSucceeded").count();
        let applied = ledger.applied.lock().unwrap().len();
        // Seven Tasks ran; a call made again after the crash had the same
        // key, so each effect was applied once.
        assert_eq!((succeeded, applied), (7, 7), "crash at write {budget}");
        let calls: u32 = ledger.calls.lock().unwrap().values().sum();
        reinvoked += calls as usize - applied;
        // The call made again finds its effect applied (`fresh: false`)
        // and the execution goes on with that answer.
        let output = execution.output.unwrap();
        assert_eq!(output["input"]["each"].as_array().map(Vec::len), Some(4), "{output}");
    }
    assert!(reinvoked > 0, "no crash caught a task in flight");
}

#[test]
fn a_wait_fires_once_at_its_deadline_after_a_restart() {
    let definition = r#"{"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Up"},
        "Up": {"Type": "Pass", "End": true}}}"#;
    let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
    let rt = asl_runtime::virtual_time_runtime().unwrap();
    let arn = rt.block_on(async {
        let durable = Durable::shared(store.clone()).clock(VirtualClock::new());
        let record = durable.start(definition, Identity::default(), "{}", None).await.unwrap();
        // The process dies ten minutes into the hour.
        let cut = tokio::time::timeout(Duration::from_secs(600), durable.run(&record.arn)).await;
        assert!(cut.is_err(), "the wait is still on");
        record.arn
    });
    drop(rt);
    // A new process, started at the same (virtual) moment of the wall clock.
    let rt = asl_runtime::virtual_time_runtime().unwrap();
    rt.block_on(async {
        let durable = Durable::shared(store.clone()).clock(VirtualClock::new());
        let run = durable.run(&arn).await.unwrap();
        assert_eq!(run.status, asl_runtime::Status::Succeeded);
        let history = durable.history(&arn).await.unwrap();
        let at = |kind: &str| {
            let times: Vec<_> = history.iter().filter(|e| e.event_type == kind).map(|e| e.timestamp).collect();
            assert_eq!(times.len(), 1, "one {kind}");
            times[0]
        };
        let waited = at("WaitStateExited").duration_since(at("WaitStateEntered"));
        assert_eq!(waited, jiff::SignedDuration::from_secs(3600), "fired at its deadline");
        let fired = store.journal(&arn).await.unwrap();
        assert_eq!(fired.len(), 1, "one timer firing journaled: {fired:?}");
    });
}

#[test]
fn a_bad_store_or_token_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database, and it is long enough to look like a header").unwrap();
    match SqliteStore::open(&junk) {
        Err(StoreError::Backend(message)) => assert!(message.contains("junk.db"), "{message}"),
        other => panic!("a corrupt store opened: {other:?}"),
    }
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"this is not a database, and it is long enough to look like a header",
        "the file is left as it was"
    );

    let newer = dir.path().join("newer.db");
    drop(SqliteStore::open(&newer).unwrap());
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    assert_eq!(
        SqliteStore::open(&newer).unwrap_err(),
        StoreError::NewerSchema { found: 99, known: asl_runtime::SCHEMA_VERSION }
    );

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let durable = Durable::new(SqliteStore::open(dir.path().join("fresh.db")).unwrap());
        let unknown = durable.send_task_success("no-such-token", json!({})).await;
        assert_eq!(unknown, Err(DurableError::Store(StoreError::TaskDoesNotExist)));
        let missing = durable.describe("arn:aws:states:us-east-1:1:execution:x:y").await;
        assert!(matches!(missing, Err(DurableError::Store(StoreError::ExecutionDoesNotExist(_)))));
        let definition = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        let id = Identity { execution_name: "same".into(), ..Identity::default() };
        // A clone configured apart is a runner of its own on the same store.
        let other_runner = durable.clone().retention(Duration::from_secs(1));
        let first = other_runner.start(definition, id.clone(), r#"{"a": 1}"#, None).await.unwrap();
        let again = durable.start(definition, id.clone(), r#"{"a": 1}"#, None).await.unwrap();
        assert_eq!(first, again, "starting the same name and input is idempotent");
        let other = durable.start(definition, id, r#"{"a": 2}"#, None).await;
        assert!(matches!(other, Err(DurableError::Store(StoreError::ExecutionAlreadyExists(_)))), "{other:?}");
    });
}

#[test]
fn ended_executions_are_forgotten_after_the_retention() {
    let rt = asl_runtime::virtual_time_runtime().unwrap();
    rt.block_on(async {
        let durable = Durable::new(SqliteStore::in_memory().unwrap()).clock(VirtualClock::new());
        let pass = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        let ended = durable.start(pass, Identity { execution_name: "ended".into(), ..Identity::default() }, "{}", None);
        let ended = ended.await.unwrap();
        durable.run(&ended.arn).await.unwrap();
        let waiting = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 9000000, "End": true}}}"#;
        let running = Identity { execution_name: "running".into(), ..Identity::default() };
        let running = durable.start(waiting, running, "{}", None).await.unwrap();
        assert_eq!(durable.purge().await.unwrap(), 0, "both are within 90 days");
        tokio::time::advance(Duration::from_secs(91 * 24 * 3600)).await;
        assert_eq!(durable.purge().await.unwrap(), 1, "the ended one goes after 90 days");
        assert!(matches!(
            durable.describe(&ended.arn).await,
            Err(DurableError::Store(StoreError::ExecutionDoesNotExist(_)))
        ));
        assert_eq!(durable.store().journal(&ended.arn).await.unwrap(), vec![]);
        assert_eq!(durable.describe(&running.arn).await.unwrap().status, "RUNNING", "a running one stays");
    });
}

#[test]
fn a_locked_store_is_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let store = SqliteStore::open(&path).unwrap().busy_timeout(Duration::from_millis(200)).unwrap();
    let durable = Durable::new(store);
    let pass = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let first = Identity { execution_name: "first".into(), ..Identity::default() };
    let first = rt.block_on(durable.start(pass, first, "{}", None)).unwrap();
    // Another process holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let second = Identity { execution_name: "second".into(), ..Identity::default() };
    match rt.block_on(durable.start(pass, second, "{}", None)) {
        Err(DurableError::Store(StoreError::Backend(message))) => assert!(message.contains("locked"), "{message}"),
        other => panic!("a locked store took a write: {other:?}"),
    }
    other.execute_batch("ROLLBACK").unwrap();
    // Once the lock is gone, all is as it was, and work goes on.
    let run = rt.block_on(durable.run(&first.arn)).unwrap();
    assert_eq!(run.status, asl_runtime::Status::Succeeded);
    let third = Identity { execution_name: "third".into(), ..Identity::default() };
    rt.block_on(durable.start(pass, third, "{}", None)).unwrap();
    // Two executions of one definition keep its text once.
    let count =
        |table: &str| -> i64 { other.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap() };
    assert_eq!((count("executions"), count("definitions")), (2, 1));
}

#[test]
fn a_stop_posted_by_another_runner_aborts_the_execution_where_it_runs() {
    let rt = asl_runtime::virtual_time_runtime().unwrap();
    rt.block_on(async {
        let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
        let runner = Durable::shared(store.clone()).clock(VirtualClock::new());
        let waiting = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}"#;
        let record = runner.start(waiting, Identity::default(), "{}", None).await.unwrap();
        let arn = record.arn.clone();
        let run = tokio::spawn({
            let runner = runner.clone();
            async move { runner.run(&arn).await }
        });
        tokio::time::sleep(Duration::from_secs(60)).await;
        // Another runner (another process, as `asl executions stop` is) posts the stop.
        let other = Durable::shared(store.clone());
        other.stop(&record.arn, Some("Operator".into()), Some("not needed".into())).await.unwrap();
        let ended = run.await.unwrap().unwrap();
        assert_eq!(ended.status, asl_runtime::Status::Aborted);
        assert_eq!((ended.error.as_deref(), ended.cause.as_deref()), (Some("Operator"), Some("not needed")));
        let described = runner.describe(&record.arn).await.unwrap();
        assert_eq!(described.status, "ABORTED");
        let history = runner.history(&record.arn).await.unwrap();
        assert_eq!(history.last().unwrap().event_type, "ExecutionAborted");
        // Stopping it again is refused: it no longer runs.
        let again = other.stop(&record.arn, None, None).await;
        assert!(matches!(again, Err(DurableError::Store(StoreError::NotRunning(_)))), "{again:?}");
    });
}
