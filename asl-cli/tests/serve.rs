//! `asl serve` driven by the real clients people test Step Functions with:
//! a boto3 test suite and the AWS CLI (both from PyPI; `.ci/run` installs
//! them), against the real binary on a durable store. A missing client
//! fails the test: it is never skipped.

mod common;

use common::serve::Serve;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

/// Runs a client script against `serve`; panics with its output if it fails.
fn client(script: &str, serve: &Serve) {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(root().join("asl-cli/tests/clients").join(script))
        .arg(&serve.endpoint)
        .arg(root())
        .output()
        .unwrap_or_else(|e| panic!("{python} does not run ({e}): install Python 3 with `pip install boto3 awscli`"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "{script} failed (needs `pip install boto3 awscli`):\n{stdout}\n{stderr}");
    assert!(stdout.lines().last().is_some_and(|l| l.ends_with("passed, 0 failed")), "{stdout}");
}

#[test]
fn a_boto3_test_suite_runs_unchanged_against_asl_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let mocks = root().join("mocks/payment.json");
    let serve = Serve::start(&["--db", db.to_str().unwrap(), "--mock-config", mocks.to_str().unwrap()], &[]);
    client("boto3_client.py", &serve);
}

#[test]
fn the_aws_cli_runs_unchanged_against_asl_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    // Step Functions Local's environment variable names the mocks.
    let mocks = root().join("mocks/payment.json");
    let serve = Serve::start(&["--db", db.to_str().unwrap()], &[("SFN_MOCK_CONFIG", mocks.to_str().unwrap())]);
    client("aws_cli.py", &serve);
}

#[test]
fn what_asl_serve_was_told_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let script = r#"
import boto3, json, sys
sfn = boto3.client("stepfunctions", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="t", aws_secret_access_key="t")
if sys.argv[2] == "create":
    arn = sfn.create_state_machine(name="kept", roleArn="arn:aws:iam::1:role/r",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    sfn.create_activity(name="kept-activity")
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
else:
    machines = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    activities = [a["name"] for a in sfn.list_activities()["activities"]]
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:kept"
    tags = sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    assert (machines, activities, tags) == (["kept"], ["kept-activity"], [{"key": "k", "value": "v"}]), (machines, activities, tags)
print("1 passed, 0 failed")
"#;
    for step in ["create", "check"] {
        let serve = Serve::start(&["--db", db.to_str().unwrap()], &[]);
        let out = Command::new("python3").args(["-c", script, &serve.endpoint, step]).output().expect("python3 runs");
        assert!(out.status.success(), "{step}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn asl_serve_refuses_what_it_cannot_do_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["serve", "--in-memory", "--sqs-endpoint", "http://localhost:4566"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not call AWS services other than Lambda"));
    let out = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["serve", "--in-memory", "--wait-time-scale", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The store file is one server's: a second is refused, not raced.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let _first = Serve::start(&["--db", db.to_str().unwrap()], &[]);
    let second = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["serve", "--port", "0", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another asl serve or asl worker"));
}

#[test]
fn sigterm_stops_asl_serve_and_frees_its_store_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let mut first = Serve::start(&["--db", db.to_str().unwrap()], &[]);
    let pid = first.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = first.child.wait().unwrap();
    assert!(status.success(), "asl serve ends cleanly on SIGTERM: {status}");
    // The lock went with it: another server takes the store.
    let second = Serve::start(&["--db", db.to_str().unwrap()], &[]);
    assert!(second.endpoint.starts_with("http://127.0.0.1:"), "it listens on loopback by default");
}
