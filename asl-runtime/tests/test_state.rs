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
    assert_eq!(inspection.after_input_path, Some(json!({"order": {"amount": 5}})));
    assert_eq!(inspection.after_parameters, Some(json!({"FunctionName": "charge", "Payload": {"amount": 5}})));
    assert_eq!(inspection.result, Some(envelope));
    assert_eq!(inspection.after_result_selector, Some(json!({"paid": true})));
    assert_eq!(inspection.after_result_path, got.output, "no OutputPath: the output");
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

const FAN_OUT: &str = r#"{
  "StartAt": "Both",
  "States": {
    "Both": {"Type": "Parallel", "Parameters": {"id.$": "$.id"}, "ResultSelector": {"first.$": "$[0]"},
      "ResultPath": "$.both", "Next": "Each",
      "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.each", "End": true,
      "Retry": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "MaxAttempts": 1}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Sorry"}],
      "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}},
    "Sorry": {"Type": "Pass", "End": true}
  }
}"#;

#[tokio::test]
async fn a_parallel_or_a_map_runs_its_data_flow_around_a_mocked_result() {
    let executor = Workflow::from_json(FAN_OUT).unwrap().executor();
    let mut t = test("Both", json!({"id": 7, "items": [1]}), Some(TestMock::Result(json!([{"a": 1}, {"b": 2}]))));
    let got = executor.test_state(t.clone()).await.unwrap();
    assert_eq!(got.status, TestStatus::Succeeded);
    assert_eq!(got.output, Some(json!({"id": 7, "items": [1], "both": {"first": {"a": 1}}})));
    assert_eq!(got.next_state.as_deref(), Some("Each"));
    // The branches are given their effective input (after `Parameters`).
    assert_eq!(got.inspection.unwrap().after_parameters, Some(json!({"id": 7})));
    t.state = "Each".into();
    t.mock = Some(TestMock::Result(json!(["x"])));
    let got = executor.test_state(t.clone()).await.unwrap();
    assert_eq!((got.status, got.output.unwrap()["each"].clone()), (TestStatus::Succeeded, json!(["x"])));
    // A failed Map: retriable once, then caught.
    t.mock = Some(TestMock::Error { error: "States.ExceedToleratedFailureThreshold".into(), cause: None });
    assert_eq!(executor.test_state(t.clone()).await.unwrap().status, TestStatus::Retriable);
    t.retrier_retry_count = 1;
    let got = executor.test_state(t.clone()).await.unwrap();
    assert_eq!((got.status, got.next_state.as_deref()), (TestStatus::CaughtError, Some("Sorry")));
    // Without a mock, as on AWS, a Parallel or Map is not run alone.
    t.mock = None;
    assert!(matches!(executor.test_state(t).await, Err(TestStateError::Unsupported(_))));
}

#[tokio::test]
async fn a_given_context_object_is_what_the_state_reads_at_dollar_dollar() {
    let machine = r#"{"StartAt": "Who", "States": {"Who": {"Type": "Pass", "End": true,
        "Parameters": {"name.$": "$$.Execution.Name", "machine.$": "$$.StateMachine.Name", "input.$": "$$.Execution.Input"}}}}"#;
    let context = json!({"Execution": {"Name": "order-7"}, "StateMachine": {"Name": "Orders"}});
    let test = TestState {
        state: "Who".into(),
        input: json!({"id": 7}),
        context: context.as_object().unwrap().clone(),
        ..Default::default()
    };
    let got = Workflow::from_json(machine).unwrap().executor().test_state(test).await.unwrap();
    // The members given replace the defaults; the rest stay (the input).
    assert_eq!(got.output, Some(json!({"name": "order-7", "machine": "Orders", "input": {"id": 7}})));
}
