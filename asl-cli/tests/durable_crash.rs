//! Durable executions survive `kill -9`, through the real binary: `asl
//! worker` on a store file, driven with the CLI (`asl run --detach`, `asl
//! task success`, `asl executions …`). The harness (`common/crash.rs`) is
//! the one `serve_crash.rs` runs through the Step Functions API.

mod common;

use common::crash::{Job, Runner, resources, round_of};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

fn asl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asl"))
}

fn run(args: &[&str]) -> Output {
    asl().args(args).output().expect("asl runs")
}

fn json_of(output: &Output) -> Value {
    assert!(output.status.success(), "asl failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("asl prints JSON")
}

fn start(db: &Path, job: &Job) {
    let definition = resources().join(format!("{}.json", job.workflow));
    let mocks = resources().join("mocks.json");
    let out = run(&[
        "run",
        definition.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--name",
        &job.name,
        "--detach",
        "--mock",
        mocks.to_str().unwrap(),
        "--state-machine",
        job.workflow,
        "--test-case",
        job.test_case,
        "--input",
        &job.input,
    ]);
    json_of(&out);
}

fn arn(job: &Job) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:StateMachine:{}", job.name)
}

fn history(db: &Path, arn: &str) -> Vec<Value> {
    let out = run(&["executions", "history", "--db", db.to_str().unwrap(), arn]);
    json_of(&out)["events"].as_array().expect("events").clone()
}

fn running(db: &Path) -> usize {
    let out = run(&["executions", "list", "--db", db.to_str().unwrap(), "--status", "RUNNING", "--max-results", "0"]);
    json_of(&out)["executions"].as_array().expect("executions").len()
}

/// The callback token `job` was handed, once its task is submitted.
fn token(db: &Path, job: &Job) -> Option<String> {
    let events = history(db, &arn(job));
    if !events.iter().any(|e| e["type"] == "TaskSubmitted") {
        return None;
    }
    events.iter().find_map(|e| {
        let parameters: Value = serde_json::from_str(e["taskScheduledEventDetails"]["parameters"].as_str()?).ok()?;
        parameters["MessageBody"]["token"].as_str().map(str::to_string)
    })
}

/// What is compared: the ending and the history without timestamps and
/// task tokens. Names carry the round, which is replaced by `r*`.
fn fingerprint(db: &Path, job: &Job) -> String {
    let out = run(&["executions", "describe", "--db", db.to_str().unwrap(), &arn(job)]);
    let describe = json_of(&out);
    let mut events = history(db, &arn(job));
    for event in &mut events {
        event.as_object_mut().unwrap().remove("timestamp");
        if let Some(details) = event.get_mut("taskScheduledEventDetails") {
            details["parameters"] = Value::String("(has the token)".into());
        }
    }
    let text = serde_json::json!({
        "status": describe["status"],
        "output": describe["output"],
        "error": describe["error"],
        "cause": describe["cause"],
        "events": events,
    })
    .to_string();
    text.replace(round_of(job), "r*")
}

/// `asl worker` on a store file, which the CLI reads and writes.
struct Cli {
    db: PathBuf,
    worker: Option<Worker>,
}

impl Runner for Cli {
    const SERVED: bool = false;
    fn up(&mut self) {
        self.worker = Some(Worker::start(&self.db));
    }
    fn kill(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.kill();
        }
    }
    fn start(&mut self, job: &Job) {
        start(&self.db, job);
    }
    fn running(&mut self) -> usize {
        running(&self.db)
    }
    fn token(&mut self, job: &Job) -> Option<String> {
        token(&self.db, job)
    }
    fn answer(&mut self, token: &str, output: &str) -> bool {
        run(&["task", "success", "--db", self.db.to_str().unwrap(), token, output]).status.success()
    }
    fn failed(&mut self, job: &Job) -> bool {
        let described = json_of(&run(&["executions", "describe", "--db", self.db.to_str().unwrap(), &arn(job)]));
        ["FAILED", "TIMED_OUT", "ABORTED"].contains(&described["status"].as_str().unwrap_or_default())
    }
    fn redrive(&mut self, job: &Job) {
        json_of(&run(&["executions", "redrive", "--db", self.db.to_str().unwrap(), &arn(job), "--detach"]));
    }
    fn fingerprint(&mut self, job: &Job) -> String {
        fingerprint(&self.db, job)
    }
}

struct Worker {
    child: Child,
}

impl Worker {
    fn start(db: &Path) -> Worker {
        let mocks = resources().join("mocks.json");
        let child = asl()
            .args(["worker", "--db", db.to_str().unwrap(), "--mock", mocks.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the worker starts");
        Worker { child }
    }

    /// SIGKILL, and wait for the process to be gone.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

#[test]
fn executions_survive_kill_9_of_their_worker() {
    common::crash::crash_rounds("durable", 200, |dir, name| Cli { db: dir.join(format!("{name}.db")), worker: None });
}

/// Starts (detached) an execution that waits `seconds` on a store in `dir`:
/// the store and the execution's ARN.
fn start_nap(dir: &Path, seconds: u32) -> (PathBuf, String) {
    let db = dir.join("nap.db");
    let definition = dir.join("nap.json");
    let text = format!(
        r#"{{"StartAt": "Nap", "States": {{"Nap": {{"Type": "Wait", "Seconds": {seconds}, "Next": "Up"}}, "Up": {{"Type": "Pass", "End": true}}}}}}"#
    );
    std::fs::write(&definition, text).unwrap();
    let out = run(&["run", definition.to_str().unwrap(), "--db", db.to_str().unwrap(), "--name", "nap", "--detach"]);
    let arn = json_of(&out)["executionArn"].as_str().unwrap().to_string();
    (db, arn)
}

#[test]
fn a_wait_fires_once_at_its_deadline_after_the_worker_was_killed() {
    let dir = tempfile::tempdir().unwrap();
    let (db, arn) = start_nap(dir.path(), 2);
    let worker = Worker::start(&db);
    std::thread::sleep(Duration::from_millis(500));
    worker.kill();
    // Nobody runs the execution for a second; then a worker finishes it.
    std::thread::sleep(Duration::from_millis(1000));
    let status = asl().args(["worker", "--db", db.to_str().unwrap(), "--until-idle"]).status().unwrap();
    assert!(status.success());
    let events = history(&db, &arn);
    let at = |kind: &str| {
        let times: Vec<jiff::Timestamp> = events
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e["timestamp"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(times.len(), 1, "one {kind}: {events:?}");
        times[0]
    };
    let waited = at("WaitStateExited").duration_since(at("WaitStateEntered")).as_millis();
    assert!((2000..2500).contains(&waited), "the wait took {waited} ms; it was due after 2,000");
}

#[test]
fn a_journal_that_does_not_fit_is_reported_and_the_store_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (db, arn) = start_nap(dir.path(), 1);
    // An entry for a request the execution never makes, as a hand edit (or
    // a changed definition) would leave.
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection
        .execute(
            "INSERT INTO journal (arn, seq, request, at_ms, outcome) VALUES (?1, 1, 99, 0, '{\"kind\":\"fired\"}')",
            [&arn],
        )
        .unwrap();
    drop(connection);
    let out = asl().args(["worker", "--db", db.to_str().unwrap(), "--until-idle"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&arn) && stderr.contains("request 99, which the execution never made"), "{stderr}");
    // Nothing was changed: the execution still runs, its journal as it was.
    let out = run(&["executions", "describe", "--db", db.to_str().unwrap(), &arn]);
    assert_eq!(json_of(&out)["status"], "RUNNING");
}

#[test]
fn another_process_answers_a_callback_after_the_worker_was_killed_and_restarted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("callback.db");
    let job = Job { name: "approval".into(), workflow: "callback", test_case: "asked", input: "{}".into() };
    start(&db, &job);
    let first = Worker::start(&db);
    // Wait until the token is out (the task was handed it), then kill the worker.
    let deadline = Instant::now() + Duration::from_secs(30);
    let token = loop {
        if let Some(token) = token(&db, &job) {
            break token;
        }
        assert!(Instant::now() < deadline, "the token never came out");
        std::thread::sleep(Duration::from_millis(20));
    };
    first.kill();
    let second = Worker::start(&db);
    std::thread::sleep(Duration::from_millis(200));
    // This test process answers, while the restarted worker runs the execution.
    let out = run(&["task", "success", "--db", db.to_str().unwrap(), &token, r#"{"approved": true}"#]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(30);
    while running(&db) > 0 {
        assert!(Instant::now() < deadline, "the execution did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    second.kill();
    let out = run(&["executions", "describe", "--db", db.to_str().unwrap(), &arn(&job)]);
    let describe = json_of(&out);
    assert_eq!(
        (describe["status"].as_str(), describe["output"].as_str()),
        (Some("SUCCEEDED"), Some(r#"{"approved":true}"#))
    );
    // The token is spent: a second answer is told its task is over (AWS's
    // TaskTimedOut), a token never handed out that there is no task.
    let again = run(&["task", "success", "--db", db.to_str().unwrap(), &token, "{}"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("TaskTimedOut"));
    let never = run(&["task", "success", "--db", db.to_str().unwrap(), "never-handed-out", "{}"]);
    assert!(String::from_utf8_lossy(&never.stderr).contains("TaskDoesNotExist"));
}

#[test]
fn a_failed_execution_is_redriven_through_the_cli_and_its_worker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("redrive.db");
    let definition = dir.path().join("pay.json");
    std::fs::write(
        &definition,
        r#"{"StartAt": "Check", "States": {
          "Check": {"Type": "Pass", "Result": "checked", "ResultPath": "$.check", "Next": "Charge"},
          "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
            "ResultPath": "$.charge", "Next": "Receipt"},
          "Receipt": {"Type": "Pass", "Parameters": {"charge.$": "$.charge", "redrives.$": "$$.Execution.RedriveCount"},
            "End": true}}}"#,
    )
    .unwrap();
    // The first call fails; the next succeeds (mocks count calls across attempts).
    let mocks = dir.path().join("mocks.json");
    std::fs::write(
        &mocks,
        r#"{"StateMachines": {"Pay": {"TestCases": {"Flaky": {"Charge": "DownThenUp"}}}},
            "MockedResponses": {"DownThenUp": {
              "0": {"Throw": {"Error": "Gateway.Down", "Cause": "try later"}},
              "1": {"Return": {"paid": true}}}}}"#,
    )
    .unwrap();
    let (db_arg, mocks_arg) = (db.to_str().unwrap(), mocks.to_str().unwrap());
    let out = run(&[
        "run",
        definition.to_str().unwrap(),
        "--db",
        db_arg,
        "--name",
        "pay-1",
        "--mock",
        mocks_arg,
        "--state-machine",
        "Pay",
        "--test-case",
        "Flaky",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAILED: Gateway.Down"));
    let arn = "arn:aws:states:us-east-1:123456789012:execution:StateMachine:pay-1";
    let described = json_of(&run(&["executions", "describe", "--db", db_arg, arn]));
    assert_eq!(
        (described["status"].as_str(), described["redriveStatus"].as_str()),
        (Some("FAILED"), Some("REDRIVABLE"))
    );

    // Redriven and left to the store's worker, which runs it to its end.
    let redriven = json_of(&run(&["executions", "redrive", "--db", db_arg, arn, "--detach"]));
    assert!(redriven["redriveDate"].is_string(), "{redriven}");
    let status =
        asl().args(["worker", "--db", db_arg, "--mock", mocks_arg, "--until-idle"]).status().expect("asl runs");
    assert!(status.success());
    let described = json_of(&run(&["executions", "describe", "--db", db_arg, arn]));
    assert_eq!(described["status"], "SUCCEEDED");
    assert_eq!(described["redriveCount"], 1);
    assert!(described["redriveDate"].is_string());
    assert_eq!(
        serde_json::from_str::<Value>(described["output"].as_str().unwrap()).unwrap(),
        serde_json::json!({"charge": {"paid": true}, "redrives": 1})
    );
    assert_eq!(described["redriveStatus"], "NOT_REDRIVABLE");
    assert_eq!(described["redriveStatusReason"], "Execution is SUCCEEDED and cannot be redriven.");
    let types: Vec<String> = history(&db, arn).iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    let at = types.iter().position(|t| t == "ExecutionRedriven").expect("ExecutionRedriven");
    assert_eq!(types[at - 1], "ExecutionFailed");
    assert_eq!(
        types[at + 1..],
        [
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(types.iter().filter(|t| *t == "PassStateEntered").count(), 2, "Check ran once, Receipt once");

    // A second redrive is refused, with AWS's error.
    let out = run(&["executions", "redrive", "--db", db_arg, arn]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven."), "{stderr}");
}
