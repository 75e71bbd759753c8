//! Usage tests: calls against the generated API that must type-check. They
//! are compiled by `cargo test`; an API regression breaks the build.

#![allow(dead_code)]

use asl_runtime::{Execution, Identity, Status, TaskContext, TaskError, VirtualClock};
use serde::{Deserialize, Serialize};
use serde_json::Value;

asl_runtime::include_workflow!("statemachines/payment.json");
asl_runtime::include_workflow!("statemachines/hello_world.json" as greeting);

#[derive(Deserialize)]
struct Typed {
    amount: f64,
}

#[derive(Serialize)]
struct Out {
    id: String,
}

struct Impl;

impl payment::Tasks for Impl {
    type InitPaymentInput = Typed;
    type InitPaymentOutput = Out;
    async fn init_payment(&self, input: Typed, ctx: TaskContext) -> Result<Out, TaskError> {
        let _: f64 = input.amount;
        let _: &str = ctx.state_name();
        let _: u32 = ctx.retry_count();
        Ok(Out { id: String::new() })
    }
    type ChargeCardInput = Value;
    type ChargeCardOutput = Value;
    async fn charge_card(&self, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        Err(TaskError::new("Declined", input.to_string()))
    }
    type CompletePaymentInput = Value;
    type CompletePaymentOutput = Value;
    async fn complete_payment(&self, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
    type CancelPaymentInput = Value;
    type CancelPaymentOutput = Value;
    async fn cancel_payment(&self, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
    type ReconcileInput = Value;
    type ReconcileOutput = ();
    async fn reconcile(&self, _: Value, _: TaskContext) -> Result<(), TaskError> {
        Err(TaskError::bare("Ledger.Down"))
    }
}

struct Nothing;
impl greeting::Tasks for Nothing {}

fn state_api() {
    let s: payment::State = payment::State::START;
    let _: &'static [payment::State] = payment::State::ALL;
    let _: &'static str = s.name();
    let _: Option<payment::State> = payment::State::from_name("Init");
    let _: &'static [payment::State] = s.successors();
    let _: Option<payment::State> = s.next();
    let _: bool = s.is_terminal();
    let _: &'static str = s.type_name();
    let _: String = s.to_string();
    let _: &str = payment::DEFINITION;
    let _: &str = payment::SOURCE;
    let _: std::sync::Arc<asl_runtime::Definition> = payment::definition();
}

async fn machine_api() {
    let machine = payment::Machine::new(Impl)
        .configure(|e| e.clock(VirtualClock::new()).identity(Identity::default()).record_history(false));
    let _: &Impl = machine.tasks();
    let run: Execution = machine.run(serde_json::json!({"orderId": "1"})).await;
    let _: Status = run.status;
    let _: Vec<payment::State> = payment::State::path(&run);
    let _: Value = run.to_json();
    let _: Result<Value, asl_runtime::StatesError> = run.into_result();
    let _ = greeting::Machine::new(Nothing).run(()).await;
    let mocks = asl_runtime::MockConfig::from_json("{}").unwrap().test_case(None, None);
    if let Ok(mocks) = mocks {
        let _: Execution = payment::Machine::with_handler(mocks).run(serde_json::json!({})).await;
    }
}

/// The machine must be shareable across tasks.
fn machine_is_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<payment::Machine<Impl>>();
}

#[test]
fn usage_compiles() {}

/// A Task input that does not fit its serde type fails the Task with
/// `States.TaskFailed`, naming the field that did not fit.
#[tokio::test]
async fn a_typed_input_that_does_not_fit_names_the_field() {
    let order = serde_json::json!({"orderId": "A-1", "amount": "lots", "currency": "EUR", "card": "4111"});
    let execution = payment::Machine::new(Impl).run(order).await;
    assert_eq!(execution.error.as_deref(), Some("States.TaskFailed"));
    // A Lambda function's error: the cause is its error document.
    let cause: Value = serde_json::from_str(&execution.cause.unwrap_or_default()).unwrap();
    let message = cause["errorMessage"].as_str().unwrap_or_default();
    assert!(message.contains("does not fit its type at `amount`: invalid type: string \"lots\""), "{message}");
}
