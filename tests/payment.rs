//! End-to-end: the payment workflow compiled by `include_workflow!`, run
//! with scripted handlers, checked against the paths AWS would take.

use asl_runtime::{Status, TaskContext, TaskError, VirtualClock};
use serde_json::{Value, json};
use std::sync::Mutex;

asl_runtime::include_workflow!("statemachines/payment.json");

use payment::State;

/// Handlers whose ChargeCard answers from a script, one entry per call.
struct Scripted {
    charges: Mutex<Vec<Result<Value, TaskError>>>,
    calls: Mutex<Vec<(String, u32)>>,
}

impl Scripted {
    fn new(charges: Vec<Result<Value, TaskError>>) -> Self {
        Scripted { charges: Mutex::new(charges.into_iter().rev().collect()), calls: Mutex::new(Vec::new()) }
    }
    fn log(&self, ctx: &TaskContext) {
        self.calls.lock().unwrap().push((ctx.state_name().to_string(), ctx.retry_count()));
    }
}

impl payment::Tasks for Scripted {
    type InitPaymentInput = Value;
    type InitPaymentOutput = Value;
    async fn init_payment(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        self.log(&ctx);
        Ok(json!({"id": format!("txn-{}", input["orderId"].as_str().unwrap_or("?"))}))
    }
    type ChargeCardInput = Value;
    type ChargeCardOutput = Value;
    async fn charge_card(&self, _input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        self.log(&ctx);
        self.charges.lock().unwrap().pop().expect("script has an answer for every charge")
    }
    type CompletePaymentInput = Value;
    type CompletePaymentOutput = Value;
    async fn complete_payment(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        self.log(&ctx);
        Ok(json!({"status": "PAID", "auth": input["authorization"]}))
    }
    type CancelPaymentInput = Value;
    type CancelPaymentOutput = Value;
    async fn cancel_payment(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        self.log(&ctx);
        Ok(json!({"status": "CANCELLED", "reason": input["reason"]}))
    }
    type ReconcileInput = Value;
    type ReconcileOutput = Value;
    async fn reconcile(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        self.log(&ctx);
        Ok(json!({"order": input["orderId"], "status": input["outcome"]["status"]}))
    }
}

fn order() -> Value {
    json!({"orderId": "A1", "amount": 10, "currency": "EUR", "card": "4111"})
}

async fn run(charges: Vec<Result<Value, TaskError>>) -> (asl_runtime::Execution, Vec<(String, u32)>) {
    let machine = payment::Machine::new(Scripted::new(charges)).configure(|e| e.clock(VirtualClock::new()));
    let execution = machine.run(order()).await;
    let calls = machine.tasks().calls.lock().unwrap().clone();
    (execution, calls)
}

#[tokio::test(start_paused = true)]
async fn approved_payment_completes() {
    let (execution, _) = run(vec![Ok(json!({"status": "APPROVED", "authorizationCode": "X1"}))]).await;
    assert_eq!(execution.status, Status::Succeeded);
    assert_eq!(
        State::path(&execution),
        [State::Init, State::InProgress, State::ChargeApproved, State::Completed, State::Reconciliation]
    );
    assert_eq!(execution.output, Some(json!({"order": "A1", "status": "PAID"})));
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_with_backoff() {
    let unavailable = || Err(TaskError::new("PaymentGateway.Unavailable", "busy"));
    let started = tokio::time::Instant::now();
    let (execution, calls) =
        run(vec![unavailable(), unavailable(), Ok(json!({"status": "APPROVED", "authorizationCode": "X"}))]).await;
    assert_eq!(execution.status, Status::Succeeded);
    let charges: Vec<u32> = calls.iter().filter(|(s, _)| s == "InProgress").map(|(_, n)| *n).collect();
    assert_eq!(charges, [0, 1, 2], "RetryCount counts attempts");
    // IntervalSeconds 1, BackoffRate 2: waits of 1 s and 2 s, in virtual time.
    assert_eq!(started.elapsed().as_secs(), 3);
    let failed = execution.events.iter().filter(|e| e.event_type == "LambdaFunctionFailed").count();
    assert_eq!(failed, 2);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_are_caught_and_cancel() {
    let unavailable = || Err(TaskError::new("PaymentGateway.Unavailable", "busy"));
    let (execution, _) = run(vec![unavailable(), unavailable(), unavailable(), unavailable()]).await;
    assert_eq!(execution.status, Status::Succeeded);
    assert_eq!(State::path(&execution), [State::Init, State::InProgress, State::Cancelled, State::Reconciliation]);
    assert_eq!(execution.output, Some(json!({"order": "A1", "status": "CANCELLED"})));
}

#[tokio::test(start_paused = true)]
async fn decline_is_caught_with_error_and_cause() {
    let (execution, calls) = run(vec![Err(TaskError::new("PaymentDeclined", "insufficient funds"))]).await;
    assert_eq!(State::path(&execution), [State::Init, State::InProgress, State::Cancelled, State::Reconciliation]);
    assert_eq!(calls.iter().filter(|(s, _)| s == "InProgress").count(), 1, "a decline is not retried");
    let cancelled_input = execution
        .events
        .iter()
        .find_map(|e| match &e.details {
            Some(asl_runtime::EventDetails::StateEntered { name, input, .. }) if &**name == "Cancelled" => {
                Some(input.clone())
            }
            _ => None,
        })
        .unwrap();
    let input: Value = serde_json::from_str(&cancelled_input).unwrap();
    assert_eq!(input["charge"]["Error"], "PaymentDeclined");
    // The charge is a Lambda function: its error arrives as Lambda reports
    // it, the cause being the function's error document.
    let cause: Value = serde_json::from_str(input["charge"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&cause["errorType"], &cause["errorMessage"]),
        (&json!("PaymentDeclined"), &json!("insufficient funds"))
    );
}

#[tokio::test(start_paused = true)]
async fn unapproved_charge_takes_the_choice_default() {
    let (execution, _) = run(vec![Ok(json!({"status": "REVIEW", "authorizationCode": null}))]).await;
    assert_eq!(
        State::path(&execution),
        [State::Init, State::InProgress, State::ChargeApproved, State::Cancelled, State::Reconciliation]
    );
}

#[tokio::test(start_paused = true)]
async fn a_wrongly_shaped_result_is_a_runtime_error() {
    // ResultSelector needs `$.status`; AWS fails the execution with States.Runtime.
    let (execution, _) = run(vec![Ok(json!({"unexpected": true}))]).await;
    assert_eq!(execution.status, Status::Failed);
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
    let cause = execution.cause.unwrap();
    assert!(cause.starts_with("An error occurred while executing the state 'InProgress'"), "{cause}");
    assert!(cause.contains("The JSONPath '$.status' specified for the field 'status.$' could not be found"), "{cause}");
}

/// TestState from the typed machine: the charge state alone, its Task
/// answered by the machine's own `charge_card`.
#[tokio::test(start_paused = true)]
async fn the_charge_state_is_tested_alone() {
    let input = json!({"orderId": "A1", "amount": 10, "currency": "EUR", "card": "4111", "transaction": {"id": "t-1"}});
    let approved = Ok(json!({"status": "APPROVED", "authorizationCode": "X1"}));
    let machine = payment::Machine::new(Scripted::new(vec![approved]));
    let got = machine.test_state(State::InProgress, &input).await.unwrap();
    assert_eq!(got.status, asl_runtime::TestStatus::Succeeded);
    assert_eq!(got.next_state.as_deref(), Some(State::ChargeApproved.name()));
    assert_eq!(got.output.unwrap()["charge"], json!({"status": "APPROVED", "authorization": "X1"}));
    // A transient failure: the retrier would run it again.
    let unavailable = Err(TaskError::new("PaymentGateway.Unavailable", "busy"));
    let machine = payment::Machine::new(Scripted::new(vec![unavailable]));
    let got = machine.test_state(State::InProgress, &input).await.unwrap();
    assert_eq!(
        (got.status, got.error.as_deref()),
        (asl_runtime::TestStatus::Retriable, Some("PaymentGateway.Unavailable"))
    );
    assert_eq!(machine.tasks().calls.lock().unwrap().len(), 1, "called once, not retried");
}
