//! The README's "Migrating from Step Functions Local" block, run as written
//! (from the repository root, with `asl` and the AWS CLI on the PATH): Step
//! Functions Local's own mocking walkthrough, unchanged but for the command
//! that starts the emulator. Only the port differs, so that tests run side
//! by side.

use std::path::Path;
use std::process::Command;

#[test]
fn the_readme_migration_steps_run_step_functions_locals_mocked_test_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = readme
        .split("<!-- step-functions-local:begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- step-functions-local:end -->").next())
        .expect("the README has the migration block");
    let script = block.trim().trim_start_matches("```sh").trim_end_matches("```");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = script.replace("localhost:8083", &format!("localhost:{port}"));
    let bin = Path::new(env!("CARGO_BIN_EXE_asl")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(root)
        .env("PATH", path)
        .env("ASL_SERVE_PORT", port.to_string())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_PAGER", "")
        .env_remove("SFN_MOCK_CONFIG")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the block failed (needs `pip install awscli`):\n{stdout}\n{stderr}");
    // HappyPath: succeeded, with the mocked SQS response as its output.
    assert!(stdout.contains("\"SUCCEEDED\""), "{stdout}");
    assert!(stdout.contains("3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"), "{stdout}");
    // RetryPath: the Lambda Task failed three times before it succeeded.
    let events: Vec<&str> = stdout.lines().last().unwrap_or_default().split_whitespace().collect();
    assert_eq!(events.iter().filter(|e| **e == "TaskFailed").count(), 3, "{events:?}");
    assert_eq!(events.first(), Some(&"ExecutionStarted"));
    assert_eq!(events.last(), Some(&"ExecutionSucceeded"));
    let sqs = events.iter().rposition(|e| *e == "TaskStateEntered").unwrap();
    assert!(events[..sqs].iter().filter(|e| **e == "TaskSucceeded").count() == 1, "{events:?}");
}
