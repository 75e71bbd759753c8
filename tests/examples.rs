//! The examples, run as a user runs them.

use std::process::Command;

fn run_example(name: &str) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "example {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn hello_world_prints_the_greeting_and_path() {
    let out = run_example("hello_world");
    assert!(out.contains("status: SUCCEEDED"), "{out}");
    assert!(out.contains("output: \"Hello, World!\""), "{out}");
    assert!(out.contains("path:   HelloWorld"), "{out}");
}

#[test]
fn payment_takes_all_three_routes() {
    let out = run_example("payment");
    assert!(out.contains("path:   Init -> InProgress -> ChargeApproved? -> Completed -> Reconciliation"), "{out}");
    assert!(out.contains("path:   Init -> InProgress -> Cancelled -> Reconciliation"), "{out}");
    assert!(out.contains("path:   Init -> InProgress -> ChargeApproved? -> Cancelled -> Reconciliation"), "{out}");
    assert!(out.contains("\"status\":\"PAID\""), "{out}");
    assert!(out.contains("ledger entries: 3"), "{out}");
}
