//! Exactly-once effects through a real process killed with SIGKILL.
//!
//! `tests/bin/durable_worker.rs` runs the executions of a store; its Task
//! charges each call once per idempotency key (a file created only if
//! absent). This test kills it at random moments (seeded; the seed is
//! printed, `ASL_CRASH_SEED` repeats a run) until every execution has ended,
//! then checks that each Task the histories show succeeded was charged
//! exactly once, while calls were made again after kills.

use asl_runtime::{Durable, Identity, ListQuery, SqliteStore};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The worker binary (`tests/bin/durable_worker.rs`).
fn worker_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_durable_worker"))
}

const CHARGES: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
               "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n", "items.$": "$.items"}, "OutputPath": "$.charged", "Next": "More?"},
    "More?": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Charge"}], "Default": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 3, "ResultPath": "$.each",
             "ItemSelector": {"i.$": "$$.Map.Item.Value", "n": 0},
             "ItemProcessor": {"StartAt": "Refund", "States": {"Refund": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:refund", "End": true}}},
             "End": true}
  }
}"#;

fn running(store: &Path) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let durable = Durable::new(SqliteStore::open(store).unwrap());
    let query = ListQuery { status: Some("RUNNING".into()), ..ListQuery::default() };
    rt.block_on(durable.list(query)).unwrap().len()
}

#[test]
fn every_task_effect_applies_once_across_kill_9() {
    let seed: u64 = std::env::var("ASL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("durable effects test: seed {seed} (repeat with ASL_CRASH_SEED={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("charges.db");
    let ledger = dir.path().join("ledger");
    std::fs::create_dir(&ledger).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let durable = Durable::new(SqliteStore::open(&store).unwrap());
    let mut arns = Vec::new();
    for e in 0..8 {
        let identity = Identity { execution_name: format!("charges-{e}"), ..Identity::default() };
        let input = r#"{"i": 0, "n": 30, "items": [1, 2, 3, 4, 5]}"#;
        arns.push(rt.block_on(durable.start(CHARGES, identity, input, None)).unwrap().arn);
    }
    drop(durable);

    let binary = worker_binary();
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(240);
    while running(&store) > 0 {
        assert!(Instant::now() < deadline, "the executions did not end (seed {seed}, {kills} kills)");
        let mut worker = Command::new(&binary).arg(&store).arg(&ledger).spawn().expect("the worker starts");
        std::thread::sleep(Duration::from_millis(rng.u64(5..60)));
        if worker.try_wait().unwrap().is_none() {
            worker.kill().expect("SIGKILL");
            kills += 1;
        }
        worker.wait().unwrap();
    }

    let durable = Durable::new(SqliteStore::open(&store).unwrap());
    let mut succeeded = 0;
    for arn in &arns {
        let run = rt.block_on(durable.describe(arn)).unwrap();
        assert_eq!(run.status, "SUCCEEDED", "{arn}: {run:?}");
        let history = rt.block_on(durable.history(arn)).unwrap();
        succeeded += history.iter().filter(|e| e.event_type == "LambdaFunctionSucceeded").count();
    }
    let charges =
        std::fs::read_dir(&ledger).unwrap().filter(|e| e.as_ref().unwrap().file_name() != "calls.log").count();
    let calls = std::fs::read_to_string(ledger.join("calls.log")).unwrap().lines().count();
    eprintln!(
        "durable effects test: {kills} kills; {succeeded} tasks succeeded, {charges} charges, {calls} calls (seed {seed})"
    );
    // 8 executions of 30 charges and 5 refunds.
    assert_eq!(succeeded, 8 * 35);
    assert_eq!(charges, succeeded, "each task charged exactly once (seed {seed})");
    assert!(kills >= 20, "only {kills} kills (seed {seed})");
    assert!(calls > charges, "no call was made again after a kill (seed {seed})");
}
