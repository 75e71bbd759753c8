//! TestState: one state alone, with AWS's statuses: SUCCEEDED with the
//! output and the next state, RETRIABLE while a retrier has attempts left,
//! CAUGHT_ERROR with the catcher's output and target, FAILED otherwise; the
//! data as it went with `inspect`.

use asl_runtime::{TestMock, TestState, TestStateError, TestStatus, Workflow};
use serde_json::{Value, json};

const MACHINE: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "charge", "Payload": {"amount.$": "$.order.amount"}},
      "ResultSelector": {"paid.$": "$.Payload.paid"}, "ResultPath": "$.charge",
      "Retry": [{"ErrorEquals": ["Gateway.Busy"], "MaxAttempts": 2}],
      "Catch": [{"ErrorEquals": ["Gateway.Busy", "Declined"], "ResultPath": "$.failure", "Next": "Refuse"}],
      "Next": "Paid?"
    },
    "Paid?": {"Type": "Choice", "Choices": [{"Variable": "$.charge.paid", "BooleanEquals": true, "Next": "Ship"}],
      "Default": "Refuse"},
    "Ship": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Refuse": {"Type": "Fail", "Error": "Order.Refused", "Cause": "not paid"}
  }
}"#;

fn test(state: &str, input: Value, mock: Option<TestMock>) -> TestState {
    TestState { state: state.into(), input, mock, inspect: true, ..Default::default() }
}

async fn outcome(t: TestState) -> asl_runtime::TestOutcome {
    Workflow::from_json(MACHINE).unwrap().executor().test_state(t).await.unwrap()
}

fn busy() -> Option<TestMock> {
    Some(TestMock::Error { error: "Gateway.Busy".into(), cause: Some("try later".into()) })
}

#[tokio::test]
async fn a_task_succeeds_with_its_data_flow_shown() {
    let envelope = json!({"Payload": {"paid": true}, "StatusCode": 200});
    let got = outcome(test("Charge", json!({"order": {"amount": 5}}), Some(TestMock::Result(envelope.clone())))).await;
    assert_eq!(got.status, TestStatus::Succeeded);
    assert_eq!(got.output, Some(json!({"order": {"amount": 5}, "charge": {"paid": true}})));
    assert_eq!(got.next_state.as_deref(), Some("Paid?"));
    let inspection = got.inspection.unwrap();
    assert_eq!(inspection.input, json!({"order": {"amount": 5}}));
    assert_eq!(inspection.after_parameters, Some(json!({"FunctionName": "charge", "Payload": {"amount": 5}})));
    assert_eq!(inspection.result, Some(envelope));
    let types: Vec<&str> = inspection.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]);
}

#[tokio::test]
async fn a_retrier_with_attempts_left_makes_it_retriable_and_then_the_catcher_takes_it() {
    let input = json!({"order": {"amount": 5}});
    for done in 0..2 {
        let mut t = test("Charge", input.clone(), busy());
        t.retrier_retry_count = done;
        let got = outcome(t).await;
        assert_eq!((got.status, got.error.as_deref(), got.output), (TestStatus::Retriable, Some("Gateway.Busy"), None));
    }
    let mut t = test("Charge", input.clone(), busy());
    t.retrier_retry_count = 2;
    let got = outcome(t).await;
    assert_eq!(got.status, TestStatus::CaughtError);
    assert_eq!(got.next_state.as_deref(), Some("Refuse"));
    assert_eq!(
        got.output,
        Some(json!({"order": {"amount": 5}, "failure": {"Error": "Gateway.Busy", "Cause": "try later"}}))
    );
    // An error nobody retries or catches fails the state.
    let got = outcome(test("Charge", input, Some(TestMock::Error { error: "Boom".into(), cause: None }))).await;
    assert_eq!((got.status, got.error.as_deref(), got.next_state), (TestStatus::Failed, Some("Boom"), None));
}

#[tokio::test]
async fn choices_waits_and_fails_run_alone() {
    let got = outcome(test("Paid?", json!({"charge": {"paid": false}}), None)).await;
    assert_eq!((got.status, got.next_state.as_deref()), (TestStatus::Succeeded, Some("Refuse")));
    // A one-day Wait does not wait.
    let started = std::time::Instant::now();
    let got = outcome(test("Ship", json!({"x": 1}), None)).await;
    assert!(started.elapsed().as_secs() < 5);
    assert_eq!(
        (got.status, got.output, got.next_state.as_deref()),
        (TestStatus::Succeeded, Some(json!({"x": 1})), Some("Done"))
    );
    let got = outcome(test("Done", json!(1), None)).await;
    assert_eq!((got.status, got.next_state), (TestStatus::Succeeded, None));
    let got = outcome(test("Refuse", json!({}), None)).await;
    assert_eq!(
        (got.status, got.error.as_deref(), got.cause.as_deref()),
        (TestStatus::Failed, Some("Order.Refused"), Some("not paid"))
    );
    let missing = Workflow::from_json(MACHINE).unwrap().executor().test_state(test("Nope", json!({}), None)).await;
    assert_eq!(missing.unwrap_err(), TestStateError::NoSuchState("Nope".into()));
}
