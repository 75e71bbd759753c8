//! Durable executions survive `kill -9`, through the real binary.
//!
//! Executions with Tasks, Retry and Catch, a Choice loop around Waits, a
//! Parallel, a Map and a callback run under `asl worker`, which is killed
//! with SIGKILL at random moments (seeded: the seed is printed; set
//! `ASL_CRASH_SEED` to repeat a run) and started again, until every
//! execution has ended; rounds repeat until at least `ASL_CRASH_KILLS`
//! (default 200) kills. Callback tokens are answered by another process
//! (`asl task success`), while the worker is dead as often as not.
//!
//! Once a round's executions have ended, those that failed are redriven
//! and run again under kills. Every execution is compared with the same
//! execution run (and redriven) without a crash: status, output, error, cause and the whole history (event ids,
//! types and details; timestamps aside, and the task token, which is the
//! execution's own).

use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

fn asl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asl"))
}

fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/resources/durable")
}

fn run(args: &[&str]) -> Output {
    asl().args(args).output().expect("asl runs")
}

fn json_of(output: &Output) -> Value {
    assert!(output.status.success(), "asl failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("asl prints JSON")
}

/// One execution of a round: its name and how it starts.
struct Job {
    name: String,
    workflow: &'static str,
    test_case: &'static str,
    input: String,
}

fn jobs(round: usize) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (i, test_case) in ["smooth", "bumpy", "broken", "smooth", "bumpy"].into_iter().enumerate() {
        let input = format!(r#"{{"n": 0, "rounds": {}, "items": [1, 2, 3]}}"#, 2 + i % 2);
        jobs.push(Job { name: format!("r{round}-orders-{i}"), workflow: "orders", test_case, input });
    }
    for i in 0..2 {
        jobs.push(Job {
            name: format!("r{round}-callback-{i}"),
            workflow: "callback",
            test_case: "asked",
            input: "{}".into(),
        });
    }
    jobs
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

/// Answers the callbacks whose tokens are out, from this (another) process.
fn answer_callbacks(db: &Path, jobs: &[Job], answered: &mut HashSet<String>) {
    for job in jobs.iter().filter(|j| j.workflow == "callback") {
        if answered.contains(&job.name) {
            continue;
        }
        let events = history(db, &arn(job));
        let token = events.iter().find_map(|e| {
            let parameters = e["taskScheduledEventDetails"]["parameters"].as_str()?;
            let parameters: Value = serde_json::from_str(parameters).ok()?;
            parameters["MessageBody"]["token"].as_str().map(str::to_string)
        });
        let Some(token) = token else { continue };
        let output = format!(r#"{{"approvedFor": "{}"}}"#, job.name.split('-').skip(1).collect::<Vec<_>>().join("-"));
        let out = run(&["task", "success", "--db", db.to_str().unwrap(), &token, &output]);
        if out.status.success() {
            answered.insert(job.name.clone());
        }
    }
}

/// What is compared: the ending and the history without timestamps and
/// task tokens. Names carry the round, which is replaced by `r*`.
fn fingerprint(db: &Path, job: &Job) -> Value {
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
    let round = job.name.split('-').next().unwrap();
    serde_json::from_str(&text.replace(round, "r*")).unwrap()
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

/// Redrives the round's executions that ended without success (once: a
/// round's second attempts run under the same kills as its first); how many.
fn redrive_failed(db: &Path, jobs: &[Job]) -> usize {
    let mut redriven = 0;
    for job in jobs {
        let described = json_of(&run(&["executions", "describe", "--db", db.to_str().unwrap(), &arn(job)]));
        if ["FAILED", "TIMED_OUT", "ABORTED"].contains(&described["status"].as_str().unwrap_or_default()) {
            json_of(&run(&["executions", "redrive", "--db", db.to_str().unwrap(), &arn(job), "--detach"]));
            redriven += 1;
        }
    }
    redriven
}

/// Runs a round's executions with an undisturbed worker, then redrives
/// those that failed and runs them again.
fn reference(db: &Path, jobs: &[Job]) -> BTreeMap<String, Value> {
    for job in jobs {
        start(db, job);
    }
    let worker = Worker::start(db);
    let mut answered = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    for attempt in 0..2 {
        while running(db) > 0 {
            assert!(Instant::now() < deadline, "the reference round did not end");
            answer_callbacks(db, jobs, &mut answered);
            std::thread::sleep(Duration::from_millis(50));
        }
        if attempt == 0 {
            assert!(redrive_failed(db, jobs) > 0, "each round has failed executions to redrive");
        }
    }
    worker.kill();
    jobs.iter().map(|j| (j.name.clone(), fingerprint(db, j))).collect()
}

#[test]
fn executions_survive_kill_9_of_their_worker() {
    let seed: u64 = std::env::var("ASL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let wanted_kills: usize = std::env::var("ASL_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    eprintln!("durable crash test: seed {seed} (repeat with ASL_CRASH_SEED={seed}), {wanted_kills} kills");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let reference_db = dir.path().join("reference.db");
    let crash_db = dir.path().join("crash.db");

    let mut kills = 0;
    let mut round = 0;
    let mut compared = 0;
    let mut redrives = 0;
    let started = Instant::now();
    while kills < wanted_kills {
        let jobs = jobs(round);
        let want = reference(&reference_db, &jobs);
        for job in &jobs {
            start(&crash_db, job);
        }
        let mut answered = HashSet::new();
        let mut redriven = false;
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let worker = Worker::start(&crash_db);
            // Most kills come early, while the worker replays and resumes;
            // some after it has run a while.
            let life = if rng.u8(..4) == 0 { rng.u64(50..400) } else { rng.u64(0..60) };
            std::thread::sleep(Duration::from_millis(life));
            worker.kill();
            kills += 1;
            // The callbacks are answered while no worker runs.
            answer_callbacks(&crash_db, &jobs, &mut answered);
            if running(&crash_db) == 0 {
                // Once the round ends, its failures are redriven, and the
                // redriven attempts run under kills too.
                if !redriven {
                    redriven = true;
                    redrives += redrive_failed(&crash_db, &jobs);
                    continue;
                }
                break;
            }
            assert!(Instant::now() < deadline, "round {round} did not end (seed {seed}, {kills} kills)");
        }
        for job in &jobs {
            let got = fingerprint(&crash_db, job);
            assert_eq!(got, want[&job.name], "{} differs after {kills} kills (seed {seed})", job.name);
            compared += 1;
        }
        round += 1;
    }
    eprintln!(
        "durable crash test: {kills} kills over {round} rounds, {compared} executions ({redrives} of them redriven) identical to their uncrashed runs, {:.1} s",
        started.elapsed().as_secs_f64()
    );
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
        let token = history(&db, &arn(&job)).iter().find_map(|e| {
            let parameters: Value =
                serde_json::from_str(e["taskScheduledEventDetails"]["parameters"].as_str()?).ok()?;
            parameters["MessageBody"]["token"].as_str().map(str::to_string)
        });
        let submitted = history(&db, &arn(&job)).iter().any(|e| e["type"] == "TaskSubmitted");
        if let (Some(token), true) = (token, submitted) {
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
