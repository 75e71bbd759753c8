//! What executions would cost on AWS (`asl_runtime::cost`): transitions as
//! Standard bills them, Express's request, duration and memory, and whether
//! a definition may be Express.

use asl_runtime::cost::{Prices, estimate};
use asl_runtime::{TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

async fn run(text: &str, handler: impl asl_runtime::TaskHandler) -> asl_runtime::cost::Cost {
    let workflow = Workflow::from_json(text).unwrap();
    let execution =
        workflow.executor().clock(VirtualClock::new()).handler(handler).run(json!({"items": [1, 2, 3]})).await;
    estimate(&workflow.definition(), text, &execution, Prices::default())
}

#[tokio::test(start_paused = true)]
async fn transitions_count_every_state_entered_and_every_retry() {
    // Parallel (1) + its two branches' states (2) + Map (1) + 3 iterations (3)
    // + the Task (1) retried twice (2) + Done (1) = 11.
    let text = r#"{"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}], "ResultPath": null, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}},
              "ResultPath": null, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 10, "BackoffRate": 1}], "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let calls = Arc::new(AtomicU32::new(0));
    let handler = move |_: TaskRequest| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move { if n < 2 { Err(TaskError::new("Busy", "later")) } else { Ok(json!({})) } }
    };
    let cost = run(text, handler).await;
    assert_eq!(cost.transitions, 11);
    assert_eq!(cost.standard_usd, 11.0 * 0.000025);
    // 20 s of back-off, billed as 20 s at 64 MB, plus the request.
    assert_eq!((cost.duration_ms, cost.billed_duration_ms, cost.billed_memory_mb), (20_000, 20_000, 64));
    let express = 0.000001 + (64.0 / 1024.0) * 20.0 * 0.00001667;
    assert!((cost.express_usd - express).abs() < 1e-12, "{} vs {express}", cost.express_usd);
    assert!(cost.express_blockers.is_empty());
    assert!(cost.to_string().contains("11 state transitions"), "{cost}");
}

#[tokio::test(start_paused = true)]
async fn callbacks_and_long_runs_cannot_be_express() {
    let text = r#"{"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 600, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "TimeoutSeconds": 1, "End": true}}}"#;
    let cost = run(text, |_: TaskRequest| async { Ok(json!({})) }).await;
    assert_eq!(cost.express_blockers.len(), 2, "{:?}", cost.express_blockers);
    assert!(cost.express_blockers[0].contains("`.waitForTaskToken`"), "{:?}", cost.express_blockers);
    assert!(cost.express_blockers[1].contains("longer than the 300 s"), "{:?}", cost.express_blockers);
    assert!(cost.to_string().contains("not eligible for Express"));
}
