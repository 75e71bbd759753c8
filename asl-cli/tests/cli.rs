//! The `asl` binary as users and CI call it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn asl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl")).args(args).output().expect("asl runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn validate_reports_five_mistakes_at_once() {
    let file = repo().join("compile-tests/tests/ui/five_mistakes.json");
    let out = asl(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let positions: Vec<&str> = stderr.lines().filter(|l| l.trim_start().starts_with("--> ")).collect();
    assert_eq!(positions.len(), 5, "{stderr}");
    for (pos, line) in positions.iter().zip([4, 5, 6, 7, 8]) {
        assert!(pos.contains(&format!("five_mistakes.json:{line}:")), "{pos}");
    }
    assert!(stderr.contains("did you mean `Check`?"), "{stderr}");
    assert!(stderr.contains("did you mean `Retry`?"), "{stderr}");
}

#[test]
fn warnings_pass_unless_denied() {
    let file = repo().join("compile-tests/tests/ui/warning_denied.json");
    let file = file.to_str().unwrap();
    let out = asl(&["validate", file]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[RESULT_DISCARDED]"), "{stderr}");
    assert!(stderr.contains("warning_denied.json:8:21"), "{stderr}");
    assert!(stderr.contains("warning_denied.json: 1 warning(s)"), "{stderr}");
    assert_eq!(asl(&["validate", "--deny-warnings", file]).status.code(), Some(1));
    let out = asl(&["validate", "--format", "json", file]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(
        (v["diagnostics"][0]["severity"].as_str(), v["diagnostics"][0]["code"].as_str()),
        (Some("warning"), Some("RESULT_DISCARDED"))
    );
}

#[test]
fn validate_json_format_and_express_type() {
    let file = repo().join("compile-tests/tests/ui/five_mistakes.json");
    let out = asl(&["validate", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let first = &v["diagnostics"][0];
    assert_eq!(
        (first["code"].as_str(), first["line"].as_u64(), first["location"].as_str()),
        (Some("MISSING_TRANSITION_TARGET"), Some(4), Some("/States/Start/Next"))
    );
    assert_eq!(first["hint"], "did you mean `Check`?");
    let dir = tempfile::tempdir().unwrap();
    let sync = write(
        &dir,
        "sync.json",
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true}}}"#,
    );
    assert_eq!(asl(&["validate", &sync]).status.code(), Some(0));
    assert_eq!(asl(&["validate", "--type", "EXPRESS", &sync]).status.code(), Some(1));
}

#[test]
fn validate_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.json", r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#);
    let bad = write(&dir, "bad.json", r#"{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}"#);
    assert_eq!(asl(&["validate", &good]).status.code(), Some(0));
    assert_eq!(asl(&["validate", &good, &bad]).status.code(), Some(1));
    assert_eq!(asl(&["validate", "/no/such/file.json"]).status.code(), Some(2));
    assert_eq!(asl(&["validate"]).status.code(), Some(2));
    assert_eq!(asl(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(asl(&["run", &good, "--input", "{not json"]).status.code(), Some(2));
}

#[test]
fn run_json_is_the_conformance_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(
        &dir,
        "wait.json",
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "Next": "P"}, "P": {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": true}}}"#,
    );
    let start = std::time::Instant::now();
    let out = asl(&["run", &def, "--input", r#"{"a": [1, 2.5]}"#, "--virtual-time", "--json"]);
    assert!(start.elapsed().as_secs() < 60, "virtual time does not wait an hour");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["output"], serde_json::json!({"x": [1, 2.5]}));
    let types: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(v["events"][4]["stateExitedEventDetails"]["output"], r#"{"x":[1,2.5]}"#);
}

#[test]
fn run_reports_failures_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(
        &dir,
        "fail.json",
        r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}}}"#,
    );
    let out = asl(&["run", &def, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["error"].as_str(), v["cause"].as_str()),
        (Some("FAILED"), Some("Boom"), Some("because"))
    );
}

#[test]
fn graph_and_generate() {
    let def = repo().join("statemachines/payment.json");
    let out = asl(&["graph", def.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("flowchart TD") && text.contains("catch States.ALL"), "{text}");
    let out = asl(&["graph", "--format", "dot", def.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("digraph asl {"));
    let out = asl(&["generate", def.to_str().unwrap(), "--name", "pay"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pub mod pay {") && text.contains("fn charge_card("), "{text}");
    assert_eq!(asl(&["generate", def.to_str().unwrap(), "--name", "not a name"]).status.code(), Some(2));
}

/// Every file of the shared validation corpus, through `validate` and `run`:
/// never a panic, always exit 0, 1 or 2.
#[test]
fn never_panics_on_the_validation_corpus() {
    let root = repo().join("../shared/validation");
    if !root.exists() {
        eprintln!("skipped: {} is absent (it ships beside the repository, not in it)", root.display());
        return;
    }
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json")
                && path.file_name().is_some_and(|n| n != "expected.json")
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 490, "found only {} files", files.len());
    for file in &files {
        let f = file.to_str().unwrap();
        for args in [vec!["validate", f], vec!["run", f, "--virtual-time", "--json"]] {
            let out = asl(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(matches!(out.status.code(), Some(0..=2)), "{args:?} exited {:?}: {stderr}", out.status);
            assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        }
    }
}

#[test]
fn run_with_mocks() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(
        &dir,
        "order.json",
        r#"{"StartAt": "Charge", "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                   "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30}], "ResultSelector": {"paid.$": "$.Payload"}, "End": true}}}"#,
    );
    let mocks = write(
        &dir,
        "mocks.json",
        r#"{"StateMachines": {"Order": {"TestCases": {"Happy": {"Charge": "BusyThenEcho"}, "Sad": {"Charge": "Declined"}}}},
        "MockedResponses": {
            "BusyThenEcho": {"0": {"Throw": {"Error": "Busy", "Cause": "later"}}, "1": {"ReturnTemplate": {"StatusCode": 200, "Payload.$": "$.Payload"}}},
            "Declined": {"0": {"Throw": {"Error": "Declined", "Cause": "no"}}}}}"#,
    );
    let out = asl(&[
        "run",
        &def,
        "--input",
        r#"{"amount": 5}"#,
        "--mock",
        &mocks,
        "--test-case",
        "Happy",
        "--virtual-time",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["output"], serde_json::json!({"paid": {"amount": 5}}), "{v}");
    let out = asl(&["run", &def, "--mock", &mocks, "--test-case", "Sad", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["status"].as_str(), v["error"].as_str()), (Some("FAILED"), Some("Declined")));
    // Several test cases and none chosen: a usage error naming them.
    let out = asl(&["run", &def, "--mock", &mocks]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`Happy`"));
    assert_eq!(asl(&["run", &def, "--test-case", "Happy"]).status.code(), Some(2), "--test-case needs --mock");
}

#[test]
fn run_applies_the_history_quota_unless_lifted() {
    let counter = repo().join("benches/workloads/counter_loop.json");
    let counter = counter.to_str().unwrap();
    // 5,000 rounds take about 20,000 events: within AWS's quota of 25,000.
    let out = asl(&["run", counter, "--input", r#"{"i": 0, "n": 5000}"#]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!({"i": 5000, "n": 5000})
    );
    // 10,000 rounds pass it, and fail as they would on AWS...
    let out = asl(&["run", counter, "--input", r#"{"i": 0, "n": 10000}"#, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "States.Runtime");
    assert!(v["cause"].as_str().unwrap().contains("maximum number of history events"), "{v}");
    // ...unless the quota is lifted for a local run.
    let out = asl(&["run", counter, "--input", r#"{"i": 0, "n": 10000}"#, "--max-history-events", "0"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!({"i": 10000, "n": 10000})
    );
}

#[test]
fn input_says_whether_it_is_a_file_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let echo = write(&dir, "echo.json", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#);
    let input = write(&dir, "input.json", r#"{"from": "file"}"#);
    // A file named like inline JSON does not shadow it.
    write(&dir, "1", r#"{"from": "the file named 1"}"#);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_asl")).current_dir(dir.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    assert_eq!(run(&["run", &echo, "--input", "1"]).1, "1");
    assert_eq!(run(&["run", &echo, "--input", &format!("@{input}")]).1, r#"{"from":"file"}"#);
    assert_eq!(run(&["run", &echo, "--input", &format!("file://{input}")]).1, r#"{"from":"file"}"#);
    // A path without @ is not JSON, and the message says how to read the file.
    let (code, _, stderr) = run(&["run", &echo, "--input", &input]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(&format!("--input @{input}")), "{stderr}");
    // A missing file and a folder are named as what they are.
    let (code, _, stderr) = run(&["run", &echo, "--input", "@missing.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read the input file missing.json"), "{stderr}");
    let (code, _, stderr) = run(&["run", &echo, "--input", &format!("@{}", dir.path().display())]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read the input file"), "{stderr}");
    // Standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["run", &echo, "--input", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), br#"{"from": "stdin"}"#).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"from":"stdin"}"#);
}

#[test]
fn reads_are_capped_at_aws_limits() {
    let dir = tempfile::tempdir().unwrap();
    let echo = write(&dir, "echo.json", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#);
    // StartExecution's limit: 262,144 bytes of input, inline or from a file.
    let big = format!(r#"{{"s": "{}"}}"#, "x".repeat(300 * 1024));
    let file = write(&dir, "big.json", &big);
    let out = asl(&["run", &echo, "--input", &format!("@{file}")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 262144 bytes"));
    // (Inline JSON that large cannot even be one argument on Linux.)
    // A definition is read up to AWS's 1 MiB and no further: an endless
    // source ends at once.
    let out = asl(&["validate", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 1048576 bytes"), "{:?}", out);
}

#[test]
fn a_reader_that_goes_away_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(
        &dir,
        "big.json",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"xs.$": "States.ArrayRange(1, 1000, 1)"}, "End": true}}}"#,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["run", &def, "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe without reading, as `| head -c 0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn generate_refuses_module_names_that_would_not_compile() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(&dir, "ok.json", r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#);
    for name in ["fn", "self", "_", "1st", "a-b"] {
        let out = asl(&["generate", &def, "--name", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid Rust module name"), "{name}");
    }
    assert_eq!(asl(&["generate", &def, "--name", "my_flow"]).status.code(), Some(0));
}

/// Runs `asl` under a 2 GiB address-space limit (`ulimit -v`), killing it
/// after 15 s; its exit code (None if killed) and standard output.
fn asl_within_2_gib_and_15_s(args: &[&str]) -> (Option<i32>, String, std::time::Duration) {
    let script = format!("ulimit -v {}; exec \"$0\" \"$@\"", 2 * 1024 * 1024);
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_asl"))
        .args(args)
        .current_dir(repo())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("bash runs");
    let started = std::time::Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).ok();
        out
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > std::time::Duration::from_secs(15) {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    (code, reader.join().unwrap(), started.elapsed())
}

/// Each way an execution once ran away, through the real binary: it ends
/// with AWS's error within 15 s and 2 GiB of address space.
#[test]
fn runaway_executions_end_within_their_budgets() {
    let r = "asl-cli/tests/resources";
    let cases: &[(&str, &[&str], &str)] = &[
        ("recursion", &[], "States.QueryEvaluationError"),
        ("regex", &["--input", "@asl-cli/tests/resources/regex.input.json"], "States.QueryEvaluationError"),
        ("ten_million", &[], "States.QueryEvaluationError"),
        ("big_string", &[], "States.QueryEvaluationError"),
        ("wide_map", &[], "States.Runtime"),
        ("retry_forever", &["--mock", "asl-cli/tests/resources/fails.mock.json", "--virtual-time"], "States.Runtime"),
        ("unique", &["--input", "@asl-cli/tests/resources/unique.input.json"], ""),
    ];
    for (name, extra, error) in cases {
        let definition = format!("{r}/{name}.json");
        let mut args = vec!["run", definition.as_str(), "--json"];
        args.extend_from_slice(extra);
        let (code, stdout, took) = asl_within_2_gib_and_15_s(&args);
        assert!(code.is_some(), "{name}: still running after {took:?}");
        let result: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", &stdout[..stdout.len().min(300)]));
        if error.is_empty() {
            assert_eq!(result["status"], "SUCCEEDED", "{name}: {}", result["cause"]);
            assert_eq!(code, Some(0), "{name}");
        } else {
            assert_eq!(result["error"], *error, "{name}: {}", result["cause"]);
            assert_eq!(code, Some(1), "{name}");
        }
    }
}

#[test]
fn express_runs_in_memory_for_five_minutes_at_most_and_refuses_callbacks() {
    let dir = tempfile::tempdir().unwrap();
    let long = write(
        &dir,
        "long.json",
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "Next": "D"}, "D": {"Type": "Succeed"}}}"#,
    );
    let out = asl(&["run", &long, "--type", "EXPRESS", "--virtual-time", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((result["status"].as_str(), result["error"].as_str()), (Some("TIMED_OUT"), Some("States.Timeout")));
    let ended = result["events"].as_array().unwrap().last().unwrap()["timestamp"].as_str().unwrap().to_string();
    let started = result["events"][0]["timestamp"].as_str().unwrap().to_string();
    let (a, b): (jiff::Timestamp, jiff::Timestamp) = (started.parse().unwrap(), ended.parse().unwrap());
    assert_eq!(b.duration_since(a).as_secs(), 300, "ended at five minutes");
    // The same definition as a Standard workflow waits its 400 seconds.
    let out = asl(&["run", &long, "--virtual-time"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let callback = write(
        &dir,
        "callback.json",
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": true}}}"#,
    );
    let out = asl(&["run", &callback, "--type", "EXPRESS"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("waitForTaskToken"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Express executions are not durable.
    let db = dir.path().join("x.db");
    let out = asl(&["run", &long, "--type", "EXPRESS", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn test_state_answers_as_aws_test_state_does() {
    let payment = repo().join("statemachines/payment.json");
    let payment = payment.to_str().unwrap();
    let input = r#"{"amount": 3, "currency": "EUR", "card": "c", "transaction": {"id": "t"}}"#;
    // The charge state with `more` arguments: TestState's answer.
    let charge = |more: &[&str]| -> serde_json::Value {
        let mut args = vec!["test-state", payment, "--state", "InProgress", "--input", input];
        args.extend_from_slice(more);
        let out = asl(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let approved = r#"{"status": "APPROVED", "authorizationCode": "A"}"#;
    let got = charge(&["--mock-result", approved, "--inspection-level", "DEBUG"]);
    assert_eq!((got["status"].as_str(), got["nextState"].as_str()), (Some("SUCCEEDED"), Some("ChargeApproved?")));
    let output: serde_json::Value = serde_json::from_str(got["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["charge"], serde_json::json!({"status": "APPROVED", "authorization": "A"}));
    let parameters: serde_json::Value =
        serde_json::from_str(got["inspectionData"]["afterParameters"].as_str().unwrap()).unwrap();
    assert_eq!(parameters, serde_json::json!({"transactionId": "t", "amount": 3, "currency": "EUR", "card": "c"}));
    // The retrier (MaxAttempts 3) would retry after two retries, not after three.
    for (done, status) in [("2", "RETRIABLE"), ("3", "CAUGHT_ERROR")] {
        let unavailable = ["--mock-error", "PaymentGateway.Unavailable", "--mock-cause", "busy"];
        let got = charge(&[&unavailable[..], &["--retrier-retry-count", done]].concat());
        assert_eq!(got["status"], status, "after {done} retries");
    }
    let out = asl(&["test-state", payment, "--state", "Nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no state named 'Nope'"));
    let out = asl(&["test-state", payment, "--state", "InProgress", "--mock-result", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The three ways to get the generated code give the same bytes: a build
/// script's `Builder`, `asl generate`, and the golden expansion (which the
/// root crate compiles and compares with what `include_workflow!` expands).
#[test]
fn builder_generate_and_golden_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["payment", "hello_world"] {
        let source = format!("statemachines/{name}.json");
        let written = asl_codegen::Builder::new()
            .root(repo())
            .workflow(source.clone())
            .write_to(dir.path(), &format!("{name}.rs"))
            .unwrap();
        let built = std::fs::read_to_string(written).unwrap();
        let printed =
            Command::new(env!("CARGO_BIN_EXE_asl")).args(["generate", &source]).current_dir(repo()).output().unwrap();
        assert!(printed.status.success());
        let golden = std::fs::read_to_string(repo().join(format!("compile-tests/tests/golden/{name}.rs"))).unwrap();
        assert_eq!(built, String::from_utf8(printed.stdout).unwrap(), "{name}: Builder and asl generate");
        assert_eq!(built, golden, "{name}: Builder and the golden expansion");
    }
    // A bad definition fails the build script with every diagnostic, placed.
    write(&dir, "bad.json", r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#);
    let error = asl_codegen::Builder::new().root(dir.path()).workflow("bad.json").generate().unwrap_err();
    assert!(error.0.contains("bad.json:1:") && error.0.contains("is not a valid state machine definition"), "{error}");
    let error = asl_codegen::Builder::new().root(repo()).workflow_as("statemachines/payment.json", "fn").generate();
    assert!(error.unwrap_err().0.contains("not a valid Rust module name"));
}

/// The repository's payment workflow under `asl run`: without mocks the
/// failure says how to give its Tasks answers; with them `-v` shows the
/// retries as they happen, and the summary the path taken.
#[test]
fn run_explains_missing_handlers_and_shows_the_path_taken() {
    let payment = repo().join("statemachines/payment.json").display().to_string();
    let input = format!("@{}", repo().join("inputs/order.json").display());
    let out = asl(&["run", &payment, "--input", &input]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("no task handler is registered"), "{stderr}");
    assert!(stderr.contains("hint:") && stderr.contains("--mock FILE"), "{stderr}");

    let mocks = repo().join("mocks/payment.json").display().to_string();
    let args = ["run", &payment, "--input", &input, "--mock", &mocks, "--test-case", "GatewayFlaky", "--virtual-time"];
    let out = asl(&[&args[..], &["-v"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"ledgerId":"L-1","recorded":true}"#);
    // Live: each failed attempt and retry, placed in its state.
    assert!(stderr.contains("InProgress (attempt 0): task failed error=PaymentGateway.Unavailable"), "{stderr}");
    assert!(
        stderr.contains("InProgress: retry error=PaymentGateway.Unavailable") && stderr.contains("retry=2"),
        "{stderr}"
    );
    assert!(stderr.contains("execution ended status=SUCCEEDED"), "{stderr}");
    // The summary: the path, its durations in (virtual) time, the retries.
    assert!(stderr.contains("SUCCEEDED in 3.000s (5 states)"), "{stderr}");
    let in_progress = stderr.lines().find(|l| l.trim_start().starts_with("InProgress ")).expect("a line per state");
    assert!(in_progress.contains("Task") && in_progress.contains("3.000s") && in_progress.contains("(2 retries)"));
    // -vv: every history event, numbered.
    let out = asl(&[&args[..], &["-vv"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().any(|l| l.trim_start().starts_with("#1 ") && l.contains("ExecutionStarted")), "{stderr}");
    // Not watched (no terminal, no -v): stderr stays empty, stdout is the output.
    let out = asl(&args);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A mock file that mocks a state the definition does not have is refused
/// at the line of that state's name, with the name it probably meant.
#[test]
fn a_mock_file_is_checked_against_the_definition() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(repo().join("mocks/payment.json")).unwrap().replace("\"Completed\"", "\"Complete\"");
    let mocks = write(&dir, "mocks.json", &text);
    let payment = repo().join("statemachines/payment.json").display().to_string();
    let out = asl(&["run", &payment, "--mock", &mocks, "--test-case", "HappyPath"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = text.lines().position(|l| l.contains("\"Complete\"")).unwrap() + 1;
    assert!(stderr.contains(&format!("mocks.json:{line}:11")), "{stderr}");
    assert!(stderr.contains("INVALID_MOCK_CONFIG") && stderr.contains("did you mean `Completed`?"), "{stderr}");
    // A malformed response, at its key.
    let broken = write(&dir, "broken.json", r#"{"MockedResponses": {"R": {"x": {"Return": 1}}}}"#);
    let out = asl(&["run", &payment, "--mock", &broken]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.json:1:28"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `${Name}` placeholders: validated and run with the values given by
/// `--var` or `--vars`, every one needed once any is given; problems point
/// into the file as written.
#[test]
fn placeholders_take_their_values_from_var_and_vars() {
    let dir = tempfile::tempdir().unwrap();
    let def = write(
        &dir,
        "greet.json",
        r#"{"StartAt": "Greet", "States": {
  "Greet": {"Type": "Pass", "Parameters": {"greeting": "${Greeting}, world", "stage": "${Stage}"}, "End": true}}}"#,
    );
    let vars = write(&dir, "vars.json", r#"{"Greeting": "Hello", "Stage": "prod"}"#);
    let out = asl(&["validate", &def, "--vars", &vars]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "ok: 1 file valid");
    let out = asl(&["run", &def, "--vars", &vars, "--var", "Stage=dev"]);
    let output: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(output, serde_json::json!({"greeting": "Hello, world", "stage": "dev"}), "--var wins over --vars");
    // One value given, one missing: an error at the placeholder.
    let out = asl(&["validate", &def, "--var", "Greeting=Hi"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("UNRESOLVED_PLACEHOLDER") && stderr.contains("greet.json:2:88"), "{stderr}");
    assert_eq!(asl(&["validate", &def, "--var", "NoEquals"]).status.code(), Some(2));
}

/// `asl run --cost`: the execution's bill as Standard and as Express, at
/// the list prices or those of a file.
#[test]
fn run_reports_what_an_execution_costs() {
    let payment = repo().join("statemachines/payment.json").display().to_string();
    let input = format!("@{}", repo().join("inputs/order.json").display());
    let mocks = repo().join("mocks/payment.json").display().to_string();
    let args = ["run", &payment, "--input", &input, "--mock", &mocks, "--test-case", "GatewayFlaky", "--virtual-time"];
    let out = asl(&[&args[..], &["--cost"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Standard: 7 state transitions × $0.000025 = $0.000175"), "{stderr}");
    assert!(stderr.contains("3000 ms billed × 64 MB") && stderr.contains("eligible for Express"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let prices = write(
        &dir,
        "prices.json",
        r#"{"standardPerTransition": 0.001, "expressPerRequest": 0, "expressPerGbSecond": 0}"#,
    );
    let out = asl(&[&args[..], &["--cost", "--prices", &prices, "--json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cost"]["transitions"], 7);
    assert_eq!(v["cost"]["standardUsd"], 0.007);
    assert!(v["events"].as_array().is_some_and(|e| !e.is_empty()), "the history is there too");
    let bad = write(&dir, "bad.json", r#"{"perTransition": 1}"#);
    assert_eq!(asl(&[&args[..], &["--cost", "--prices", &bad]].concat()).status.code(), Some(2));
}
