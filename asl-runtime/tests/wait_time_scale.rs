//! `Executor::wait_time_scale` (Step Functions Local's `WAIT_TIME_SCALE`):
//! Wait states and retry intervals are multiplied by the scale; the
//! execution's other clocks (timeouts) are not.

use asl_runtime::{Status, TaskError, TaskRequest, VirtualClock, Workflow, virtual_time_runtime};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const DEFINITION: &str = r#"{"StartAt": "Nap", "States": {
    "Nap": {"Type": "Wait", "Seconds": 100, "Next": "Flaky"},
    "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
              "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 40, "MaxAttempts": 1}], "End": true}}}"#;

/// Milliseconds between the first events of the two types.
fn between(execution: &asl_runtime::Execution, from: &str, to: &str) -> i64 {
    let at = |kind: &str| {
        execution.events.iter().find(|e| e.event_type.as_str() == kind).map(|e| e.timestamp.as_millisecond()).unwrap()
    };
    at(to) - at(from)
}

fn run(scale: Option<f64>) -> asl_runtime::Execution {
    let runtime = virtual_time_runtime().unwrap();
    runtime.block_on(async {
        let calls = Arc::new(AtomicU32::new(0));
        let handler = move |_: TaskRequest| {
            let calls = calls.clone();
            async move {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(TaskError::new("Flaky", "once")),
                    _ => Ok(json!({"ok": true})),
                }
            }
        };
        let workflow = Workflow::from_json(DEFINITION).unwrap();
        let executor = workflow.executor().clock(VirtualClock::new()).handler(handler);
        let executor = match scale {
            Some(scale) => executor.wait_time_scale(scale),
            None => executor,
        };
        executor.run(json!({})).await
    })
}

#[test]
fn waits_and_retry_intervals_are_scaled() {
    let plain = run(None);
    assert_eq!(plain.status, Status::Succeeded, "{plain:?}");
    assert_eq!(between(&plain, "WaitStateEntered", "WaitStateExited"), 100_000);
    assert_eq!(between(&plain, "TaskFailed", "ExecutionSucceeded") / 1000, 40);

    let scaled = run(Some(0.01));
    assert_eq!(scaled.output, plain.output);
    assert_eq!(between(&scaled, "WaitStateEntered", "WaitStateExited"), 1_000);
    assert_eq!(between(&scaled, "TaskFailed", "ExecutionSucceeded") / 100, 4);

    let skipped = run(Some(0.0));
    assert_eq!(skipped.output, plain.output);
    assert_eq!(between(&skipped, "WaitStateEntered", "ExecutionSucceeded"), 0);

    // A scale that makes no sense is 1.
    assert_eq!(between(&run(Some(-3.0)), "WaitStateEntered", "WaitStateExited"), 100_000);
}
