//! `asl new`, round trip: the scaffold of a definition, in a folder outside
//! this workspace, has its `todo!()`s filled by a script, builds with
//! `cargo build --release`, and its binary runs the workflow; and the
//! scaffolds of 20 accepted definitions of ../shared, chosen at random
//! (seeded, the seed printed), build too.
//!
//! Every build shares one target folder (`target/scaffold-tests`), so the
//! dependencies compile once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn asl_new(name: &str, from: &Path, dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["new", name, "--from"])
        .arg(from)
        .arg("--dir")
        .arg(dir)
        .arg("--asl-path")
        .arg(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "asl new {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `cargo ARGS` in `dir`, with the shared target folder.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target/scaffold-tests"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo {args:?} in {}:\n{}", dir.display(), String::from_utf8_lossy(&out.stderr));
    out
}

fn binary(name: &str) -> PathBuf {
    repo().join("target/scaffold-tests/release").join(name)
}

/// The script: each method's `todo!()` becomes a body, as a user would write it.
fn fill(lib: &str) -> String {
    let bodies = [
        ("init_payment", r#"Ok(json!({"id": format!("t-{}", input.order_id.as_str().unwrap_or("?"))}))"#),
        ("charge_card", r#"Ok(json!({"status": "APPROVED", "authorizationCode": "A-7", "card": input.card}))"#),
        ("complete_payment", r#"Ok(json!({"paid": input.transaction_id}))"#),
        ("cancel_payment", r#"Ok(json!({"voided": input.transaction_id, "reason": input.reason}))"#),
        ("reconcile", r#"Ok(json!({"order": input.order_id, "amount": input.amount, "outcome": input.outcome}))"#),
    ];
    let mut out = lib.replace("let _ = (input, ctx);", "let _ = &ctx;");
    for (method, body) in bodies {
        let todo = format!("todo!(\"{method} for ");
        let at = out.find(&todo).unwrap_or_else(|| panic!("no todo!() for {method}:\n{lib}"));
        let end = at + out[at..].find('\n').unwrap();
        out.replace_range(at..end, body);
    }
    assert!(!out.contains("todo!("), "a todo!() is left:\n{out}");
    out
}

#[test]
fn a_scaffold_filled_in_builds_a_binary_that_runs_the_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("payment-app");
    asl_new("payment-app", &repo().join("statemachines/payment.json"), &dir);
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    // The skeleton documents each method's state, template and Retry/Catch.
    assert!(lib.contains("Retry on PaymentGateway.Unavailable: up to 3 times"), "{lib}");
    assert!(lib.contains("Catch States.ALL: goes to `Cancelled`."), "{lib}");
    assert_eq!(lib.matches("todo!(").count(), 5);
    std::fs::write(dir.join("src/lib.rs"), fill(&lib)).unwrap();
    // The mocked test, given the answers that take the happy path.
    let mocks = std::fs::read_to_string(dir.join("tests/mocks.json")).unwrap();
    let mocks = mocks.replacen(r#""Return": {}"#, r#""Return": {"id": "t-1"}"#, 1).replacen(
        r#""Return": {}"#,
        r#""Return": {"status": "APPROVED", "authorizationCode": "A"}"#,
        1,
    );
    std::fs::write(dir.join("tests/mocks.json"), mocks).unwrap();
    std::fs::write(
        dir.join("tests/input.json"),
        r#"{"orderId": "o-1", "amount": 5, "currency": "EUR", "card": "4242"}"#,
    )
    .unwrap();

    cargo(&dir, &["build", "--release", "--quiet"]);
    let run = |args: &[&str]| Command::new(binary("payment-app")).args(args).output().unwrap();
    let out = run(&["run", "--input", r#"{"orderId": "o-9", "amount": 12, "currency": "EUR", "card": "4242"}"#]);
    let execution: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{execution}");
    assert_eq!(execution["status"], "SUCCEEDED");
    assert_eq!(execution["output"], serde_json::json!({"order": "o-9", "amount": 12, "outcome": {"paid": "t-o-9"}}));

    let out = run(&["test-state", "ChargeApproved?", "--input", r#"{"charge": {"status": "DECLINED"}}"#]);
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["nextState"], "Cancelled", "{outcome}");
    let out = run(&["test-state", "NoSuchState"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["run", "--input", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));

    cargo(&dir, &["test", "--release", "--quiet"]);
}

/// The accepted definitions of ../shared: every conformance case and every
/// valid file of the validation corpus that the validator accepts.
fn accepted() -> Option<Vec<PathBuf>> {
    let shared = repo().join("../shared");
    if !shared.join("conformance").exists() {
        eprintln!("skipped: {} is absent", shared.display());
        return None;
    }
    let mut files = Vec::new();
    let mut dirs = vec![shared.join("conformance"), shared.join("validation/valid")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "json")
                && (p.starts_with(shared.join("validation")) || p.ends_with("definition.json"))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files.retain(|f| std::fs::read_to_string(f).is_ok_and(|t| !asl_spec::validate(&t).has_errors()));
    Some(files)
}

#[test]
fn twenty_accepted_definitions_chosen_at_random_build_through_the_scaffold() {
    let Some(files) = accepted() else { return };
    let seed: u64 = std::env::var("ASL_SCAFFOLD_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    });
    eprintln!(
        "scaffold test: seed {seed} (repeat with ASL_SCAFFOLD_SEED={seed}), {} accepted definitions",
        files.len()
    );
    let mut rng = fastrand::Rng::with_seed(seed);
    let tmp = tempfile::tempdir().unwrap();
    let mut members = Vec::new();
    for i in 0..20 {
        let file = &files[rng.usize(..files.len())];
        let name = format!("pick-{i}");
        eprintln!("  {name}: {}", file.display());
        asl_new(&name, file, &tmp.path().join(&name));
        members.push(format!("{name:?}"));
    }
    // One workspace of the 20, so they build in one cargo run.
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        format!("[workspace]\nmembers = [{}]\nresolver = \"3\"\n", members.join(", ")),
    )
    .unwrap();
    cargo(tmp.path(), &["build", "--release", "--quiet"]);
    for i in 0..20 {
        let out = Command::new(binary(&format!("pick-{i}"))).arg("--help").output().unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("test-state"));
    }
}

#[test]
fn asl_build_makes_a_ready_binary_whose_tasks_go_to_mocks() {
    let tmp = tempfile::tempdir().unwrap();
    let binary = tmp.path().join("payment-mocked");
    let out = Command::new(env!("CARGO_BIN_EXE_asl"))
        .arg("build")
        .arg(repo().join("statemachines/payment.json"))
        .arg("-o")
        .arg(&binary)
        .arg("--work-dir")
        .arg(tmp.path().join("work"))
        .arg("--asl-path")
        .arg(repo())
        .env("CARGO_TARGET_DIR", repo().join("target/scaffold-tests"))
        .output()
        .unwrap();
    assert!(out.status.success(), "asl build: {}", String::from_utf8_lossy(&out.stderr));
    let mocks = repo().join("mocks/payment.json");
    let input = r#"{"orderId": "o-2", "amount": 7, "currency": "EUR", "card": "4242"}"#;
    let run = |args: &[&str]| Command::new(&binary).args(args).output().unwrap();
    let declined = run(&["run", "--input", input, "--mock", mocks.to_str().unwrap(), "--test-case", "Declined"]);
    let execution: serde_json::Value = serde_json::from_slice(&declined.stdout).unwrap();
    assert_eq!(execution["status"], "SUCCEEDED", "{execution}");
    let entered: Vec<&str> = execution["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .collect();
    assert_eq!(entered, ["Init", "InProgress", "Cancelled", "Reconciliation"]);
    // Without mocks a Task has nothing to call: the execution fails, exit 1.
    let unmocked = run(&["run", "--input", input]);
    assert_eq!(unmocked.status.code(), Some(1));
    let execution: serde_json::Value = serde_json::from_slice(&unmocked.stdout).unwrap();
    assert_eq!(execution["status"], "FAILED", "{execution}");
    // With --http, Tasks go to the endpoint: here none listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/tasks");
    let unreachable = run(&["run", "--input", input, "--http", &url]);
    let execution: serde_json::Value = serde_json::from_slice(&unreachable.stdout).unwrap();
    assert_eq!(execution["error"], "States.Http.Socket", "{execution}");
    let out = run(&["run", "--http", "https://example.com/"]);
    assert_eq!(out.status.code(), Some(2));
    // A mock file's unknown test case is a usage error.
    let out = run(&["run", "--mock", mocks.to_str().unwrap(), "--test-case", "NoSuchCase"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
