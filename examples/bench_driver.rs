//! The in-process runner the peer comparison (`scripts/bench_peers.py`)
//! times: it loads a definition at run time (the dynamic path), runs it on
//! an input and reports the phases, the same protocol as the peer drivers in
//! `../shared/bench/peers`.
//!
//! ```text
//! cargo run --release --example bench_driver -- WORKLOAD.json INPUT.json [--skip-waits] [--no-history] [--repeat N] [--threads N]
//! ```
//!
//! Prints the output as one JSON line on stdout, and one JSON line on stderr:
//! `construct_ms` (load and validate), `run_ms` (the median execution of
//! `--repeat` runs, default 1) and `run_min_ms`. `--skip-waits` runs Waits
//! and retry back-offs in virtual time. `--threads N` sets
//! [`Executor::parallelism`](asl_runtime::Executor::parallelism) (default:
//! the machine's). AWS's 25,000-event history limit is
//! lifted, as the peers do not enforce it and the loops run past it.
//!
//! Task handlers, chosen by state name as in the peers' drivers: `Flaky`
//! fails with `Flaky.Transient` on the first `$.failures` calls of an
//! execution, then returns `{"attempts": k}`; every other Task returns its
//! input.

// The allocator the `asl` binary ships with, so this runner times what it runs.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use asl_runtime::{Limits, TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let number =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(|n| n.parse::<usize>());
    let (repeat, threads) = (number("--repeat").unwrap_or(Ok(1)), number("--threads").transpose());
    let takes_value = |i: usize| i > 0 && (args[i - 1] == "--repeat" || args[i - 1] == "--threads");
    let files: Vec<&String> =
        args.iter().enumerate().filter(|(i, a)| !a.starts_with("--") && !takes_value(*i)).map(|(_, a)| a).collect();
    let (Some(definition), Some(input), Ok(repeat), Ok(threads)) = (files.first(), files.get(1), repeat, threads)
    else {
        eprintln!(
            "usage: bench_driver WORKLOAD.json INPUT.json [--skip-waits] [--no-history] [--repeat N] [--threads N]"
        );
        return ExitCode::from(2);
    };
    let read = |path: &str| std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"));
    let (text, input) = match (read(definition), read(input)) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let input: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: the input is not JSON: {e}");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let workflow = match Workflow::from_json(&text) {
        Ok(w) => w,
        Err(diagnostics) => {
            eprintln!("error: invalid definition: {:?}", diagnostics.iter().next().map(|d| &d.message));
            return ExitCode::from(1);
        }
    };
    let construct_ms = started.elapsed().as_secs_f64() * 1e3;

    let flaky_calls = Arc::new(AtomicU64::new(0));
    let calls = flaky_calls.clone();
    let handler = move |req: TaskRequest| {
        // Only `Flaky` shares a counter; the identity handler takes nothing.
        let flaky = (req.context.state_name() == "Flaky").then(|| calls.clone());
        async move {
            let Some(calls) = flaky else { return Ok(req.input) };
            let k = calls.fetch_add(1, Ordering::Relaxed) + 1;
            if k <= req.input["failures"].as_u64().unwrap_or(0) {
                return Err(TaskError::new("Flaky.Transient", format!("transient failure #{k}")));
            }
            Ok(json!({"attempts": k}))
        }
    };
    let runtime = if flag("--skip-waits") {
        asl_runtime::virtual_time_runtime()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_time().build()
    };
    let Ok(runtime) = runtime else {
        eprintln!("error: cannot start the tokio runtime");
        return ExitCode::from(1);
    };
    let mut times = Vec::with_capacity(repeat.max(1));
    let mut last = None;
    for _ in 0..repeat.max(1) {
        flaky_calls.store(0, Ordering::Relaxed);
        // The previous execution is dropped before this one runs, as a
        // caller running executions one after another would: holding its
        // history (up to 400,000 events here) through the next run made
        // that run take all its memory fresh from the kernel.
        drop(last.take());
        let input = input.clone();
        let execution = runtime.block_on(async {
            let mut executor = workflow
                .executor()
                .handler(handler.clone())
                .record_history(!flag("--no-history"))
                .limits(Limits { max_history_events: u64::MAX, ..Limits::default() });
            if flag("--skip-waits") {
                executor = executor.clock(VirtualClock::new());
            }
            if let Some(threads) = threads {
                executor = executor.parallelism(threads);
            }
            let started = Instant::now();
            let execution = executor.run(input).await;
            (started.elapsed(), execution)
        });
        times.push(execution.0.as_secs_f64() * 1e3);
        last = Some(execution.1);
    }
    let execution = last.expect("at least one run");
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    eprintln!(
        "{}",
        json!({"load_ms": 0.0, "construct_ms": construct_ms, "run_ms": median, "run_min_ms": times[0], "runs": times.len()})
    );
    match execution.output {
        Some(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        None => {
            println!(
                "{}",
                json!({"status": execution.status.as_str(), "error": execution.error, "cause": execution.cause})
            );
            ExitCode::from(1)
        }
    }
}
