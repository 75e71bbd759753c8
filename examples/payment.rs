//! A payment transaction from `statemachines/payment.json`, with its Task
//! states implemented in Rust: a card gateway that is sometimes unavailable
//! (retried by the definition's `Retry`) and declines some cards (caught by
//! its `Catch`, which routes to `Cancelled`).
//!
//! Run it with `cargo run --example payment`.

use asl_runtime::{TaskContext, TaskError, VirtualClock};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

asl_runtime::include_workflow!("statemachines/payment.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenRequest {
    order_id: String,
    amount: f64,
    currency: String,
}

#[derive(Debug, Serialize)]
struct Transaction {
    id: String,
    status: &'static str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChargeRequest {
    transaction_id: String,
    amount: f64,
    card: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChargeResult {
    status: &'static str,
    authorization_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settle {
    transaction_id: String,
    #[serde(default)]
    authorization: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgerEntry {
    transaction_id: String,
    order_id: String,
    amount: f64,
    outcome: Value,
}

/// An in-memory payment service standing in for the real Lambda functions.
#[derive(Default)]
struct PaymentService {
    next_id: AtomicU32,
    gateway_calls: AtomicU32,
    ledger: Mutex<HashMap<String, Value>>,
}

impl payment::Tasks for PaymentService {
    type InitPaymentInput = OpenRequest;
    type InitPaymentOutput = Transaction;
    async fn init_payment(&self, req: OpenRequest, _ctx: TaskContext) -> Result<Transaction, TaskError> {
        if req.amount <= 0.0 {
            return Err(TaskError::new(
                "Payment.InvalidAmount",
                format!("{} {} is not a valid amount", req.amount, req.currency),
            ));
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(Transaction { id: format!("txn-{}-{n:04}", req.order_id), status: "OPEN" })
    }

    type ChargeCardInput = ChargeRequest;
    type ChargeCardOutput = ChargeResult;
    async fn charge_card(&self, req: ChargeRequest, ctx: TaskContext) -> Result<ChargeResult, TaskError> {
        // Every other first attempt finds the gateway busy; the definition retries it.
        let call = self.gateway_calls.fetch_add(1, Ordering::Relaxed);
        if ctx.retry_count() == 0 && call.is_multiple_of(2) {
            return Err(TaskError::new("PaymentGateway.Unavailable", "the card gateway timed out"));
        }
        if req.card.ends_with("0000") {
            return Err(TaskError::new(
                "PaymentDeclined",
                format!("card ending {} was declined", &req.card[req.card.len() - 4..]),
            ));
        }
        let approved = req.amount <= 5_000.0;
        Ok(ChargeResult {
            status: if approved { "APPROVED" } else { "REVIEW" },
            authorization_code: approved.then(|| format!("AUTH-{}", req.transaction_id)),
        })
    }

    type CompletePaymentInput = Settle;
    type CompletePaymentOutput = Value;
    async fn complete_payment(&self, req: Settle, _ctx: TaskContext) -> Result<Value, TaskError> {
        Ok(json!({"transactionId": req.transaction_id, "status": "PAID", "authorization": req.authorization}))
    }

    type CancelPaymentInput = Settle;
    type CancelPaymentOutput = Value;
    async fn cancel_payment(&self, req: Settle, _ctx: TaskContext) -> Result<Value, TaskError> {
        Ok(json!({"transactionId": req.transaction_id, "status": "CANCELLED", "reason": req.reason}))
    }

    type ReconcileInput = LedgerEntry;
    type ReconcileOutput = Value;
    async fn reconcile(&self, entry: LedgerEntry, _ctx: TaskContext) -> Result<Value, TaskError> {
        let record = json!({
            "transactionId": entry.transaction_id,
            "orderId": entry.order_id,
            "amount": entry.amount,
            "status": entry.outcome["status"],
        });
        self.ledger
            .lock()
            .map_err(|_| TaskError::bare("Ledger.Poisoned"))?
            .insert(entry.transaction_id, record.clone());
        Ok(record)
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    // Virtual time: the retry back-off takes no real time.
    let machine = payment::Machine::new(PaymentService::default()).configure(|e| e.clock(VirtualClock::new()));
    let orders = [
        json!({"orderId": "A-100", "amount": 42.5, "currency": "EUR", "card": "4111111111111111"}),
        json!({"orderId": "A-101", "amount": 99.0, "currency": "EUR", "card": "4000000000000000"}),
        json!({"orderId": "A-102", "amount": 12000.0, "currency": "EUR", "card": "4111111111111111"}),
    ];
    for order in orders {
        let execution = machine.run(&order).await;
        let path: Vec<&str> = payment::State::path(&execution).into_iter().map(payment::State::name).collect();
        let retries = execution.events.iter().filter(|e| e.event_type == "LambdaFunctionFailed").count();
        println!("order {}", order["orderId"]);
        println!("  status: {}", execution.status.as_str());
        match &execution.output {
            Some(output) => println!("  output: {output}"),
            None => println!(
                "  error:  {} ({})",
                execution.error.as_deref().unwrap_or("-"),
                execution.cause.as_deref().unwrap_or("-")
            ),
        }
        println!("  path:   {}", path.join(" -> "));
        println!("  failed gateway calls: {retries}");
    }
    let ledger = machine.tasks().ledger.lock().map(|l| l.len()).unwrap_or(0);
    println!("ledger entries: {ledger}");

    // The same machine, durable: the execution lives in a store (here in
    // memory; `SqliteStore::open("payments.db")` for a file) and would
    // survive the death of this process.
    let store = asl_runtime::SqliteStore::in_memory().expect("a store");
    let durable = payment::Machine::durable(PaymentService::default(), store).clock(VirtualClock::new());
    let identity = asl_runtime::Identity { execution_name: "A-200".into(), ..asl_runtime::Identity::default() };
    let order = json!({"orderId": "A-200", "amount": 10.0, "currency": "EUR", "card": "4111111111111111"});
    let started = durable.start(payment::DEFINITION, identity, &order.to_string(), None).await.expect("started");
    let execution = durable.run(&started.arn).await.expect("ran");
    let events = durable.history(&started.arn).await.expect("history").len();
    println!("durable order A-200: {} ({events} events, derived from its journal)", execution.status.as_str());
}
