//! A durable worker with a Task whose effect must happen exactly once.
//!
//! `cargo run --bin durable_worker -- STORE LEDGER_DIR` runs every
//! pending execution of the SQLite store `STORE` until none is left. Every
//! Task (any resource) "charges" its input: the charge is a file in
//! `LEDGER_DIR` named by the call's idempotency key, created only if it does
//! not exist yet, so a call made again after a crash finds its charge and
//! does not charge twice. Each call, fresh or not, also appends a line to
//! `LEDGER_DIR/calls.log`.
//!
//! `tests/durable_effects.rs` kills this process with SIGKILL at random
//! moments and checks the ledger.

use asl_runtime::{Durable, SqliteStore, TaskError, TaskRequest};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

fn charge(ledger: PathBuf) -> impl Fn(TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> {
    move |req: TaskRequest| {
        let ledger = ledger.clone();
        Box::pin(async move {
            let io = |e: std::io::Error| TaskError::new("Ledger.Unwritable", e.to_string());
            let key = req.context.idempotency_key().ok_or_else(|| TaskError::bare("NotDurable"))?.to_string();
            // A file name from the key: its characters that a path may hold.
            let name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            let mut calls =
                std::fs::OpenOptions::new().create(true).append(true).open(ledger.join("calls.log")).map_err(io)?;
            writeln!(calls, "{key}").map_err(io)?;
            let fresh = match std::fs::OpenOptions::new().write(true).create_new(true).open(ledger.join(&name)) {
                Ok(mut file) => {
                    writeln!(file, "{key} {}", req.input).map_err(io)?;
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                Err(e) => return Err(io(e)),
            };
            // Some work, so that a kill can come while a charge is in flight.
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            Ok(json!({"charged": req.input, "fresh": fresh}))
        })
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, ledger] = args.as_slice() else {
        eprintln!("usage: durable_worker STORE LEDGER_DIR");
        return std::process::ExitCode::from(2);
    };
    let store = match SqliteStore::open(store) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let durable = Durable::new(store).handler(charge(PathBuf::from(ledger)));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    match runtime.block_on(durable.work(true, |arn, e| eprintln!("error: {arn}: {e}"))) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(_) => std::process::ExitCode::from(1),
    }
}
