//! A benchmark, not a test: start-up and scale numbers.
//!
//! * memory per in-flight execution: 100,000 executions of
//!   `benches/workloads/parked.json` parked on its Wait state at once, on the
//!   compiled path, with history on and off (RSS growth per execution);
//! * start-up: what a compiled machine's first use costs (building its
//!   model from the embedded text: parse and check), for the payment
//!   example and the 1,000-state definition;
//! * `include_workflow!` on a 1,000-state definition: expansion time, the
//!   generated code's size, and what the call adds to a `cargo build` of a
//!   crate (debug profile, measured against the same crate without it).
//!
//! `cargo bench -p asl-benches --bench scale` (the build measurement compiles a scratch
//! crate under `target/`, so the first run also builds its dependencies).

use asl_runtime::Executor;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

asl_runtime::include_workflow!("workloads/parked.json");

struct NoTasks;
impl parked::Tasks for NoTasks {}

const PARKED: usize = 100_000;

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn parked_executions(history: bool) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
    let machine = Arc::new(parked::Machine::new(NoTasks).configure(|e: Executor| e.record_history(history)));
    let before = rss_mib();
    let started = Instant::now();
    let (parked_mib, finished) = runtime.block_on(async {
        let handles: Vec<_> = (0..PARKED)
            .map(|i| {
                let machine = machine.clone();
                tokio::spawn(async move { machine.run(json!({"order": i})).await })
            })
            .collect();
        // Every execution needs one poll to reach its one-hour Wait.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let finished = handles.iter().filter(|h| h.is_finished()).count();
        let rss = rss_mib();
        handles.iter().for_each(|h| h.abort());
        (rss, finished)
    });
    let grown = parked_mib - before;
    println!(
        "parked: {PARKED} executions on a Wait (history {}): RSS +{grown:.0} MiB ({:.0} bytes each), {finished} finished early, started in {:.0} ms",
        if history { "on" } else { "off" },
        grown * 1024.0 * 1024.0 / PARKED as f64,
        started.elapsed().as_secs_f64() * 1e3 - 500.0,
    );
}

asl_runtime::include_workflow!("../statemachines/payment.json");
asl_runtime::include_workflow!("workloads/pass_chain.json");

/// Best of 50 runs of `f`, in µs (the first use is a process's only one,
/// but the best shows the work, not the machine's noise).
fn best_us<T>(mut f: impl FnMut() -> T) -> f64 {
    let best = (0..50)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    best.as_secs_f64() * 1e6
}

/// What a compiled machine's first use costs: its model built from the
/// Rust data the macro wrote, against loading its JSON text (parse and
/// check), which is what it did before.
fn start_up() {
    type Build = fn() -> asl_runtime::Definition;
    let machines: [(&str, &str, Build); 2] =
        [("payment", payment::DEFINITION, payment::model), ("1,000-state", pass_chain::DEFINITION, pass_chain::model)];
    for (name, text, model) in machines {
        let loaded = best_us(|| asl_runtime::Workflow::from_json(std::hint::black_box(text)).map(|w| w.definition()));
        let built = best_us(model);
        println!(
            "start-up: the {name} model in {built:.1} µs from the data the macro wrote, {loaded:.1} µs loaded from its text"
        );
    }
}

fn expansion() {
    let repo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let text = std::fs::read_to_string(repo.join("benches/workloads/pass_chain.json")).expect("workload");
    let settings = asl_codegen::Settings::for_file("pass_chain.json");
    let rounds = 20;
    let started = Instant::now();
    let mut tokens = 0;
    for _ in 0..rounds {
        tokens = asl_codegen::expand(std::hint::black_box(&text), &settings).into_iter().count();
    }
    let per = started.elapsed().as_secs_f64() * 1e3 / rounds as f64;
    let code = asl_codegen::expand_to_string(&text, &settings);
    println!(
        "expansion: 1,000-state definition ({} KB) expands in {per:.1} ms to {tokens} top-level tokens, {} KB / {} lines of formatted Rust",
        text.len() / 1024,
        code.len() / 1024,
        code.lines().count()
    );
}

/// Builds a scratch crate with and without the macro call and reports the
/// difference, best of three builds each after touching `lib.rs`.
fn build_cost() {
    let repo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let krate = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-cost");
    std::fs::create_dir_all(krate.join("src")).expect("scratch crate");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"build-cost\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\nasl-runtime = {{ path = {:?} }}\nserde_json = \"1\"\n\n[workspace]\n",
            repo.join("asl-runtime")
        ),
    )
    .expect("manifest");
    let definition = repo.join("benches/workloads/pass_chain.json");
    let with_macro = format!(
        "asl_runtime::include_workflow!({:?});\nstruct NoTasks;\nimpl pass_chain::Tasks for NoTasks {{}}\npub async fn run() -> asl_runtime::Execution {{ pass_chain::Machine::new(NoTasks).run(serde_json::json!({{\"i\": 1}})).await }}\n",
        definition.display().to_string()
    );
    let without = "pub async fn run() -> serde_json::Value { serde_json::json!({\"i\": 1}) }\n".to_string();
    let build = |source: &str| -> Option<f64> {
        let mut best = f64::MAX;
        for _ in 0..3 {
            std::fs::write(krate.join("src/lib.rs"), source).ok()?;
            let started = Instant::now();
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "--manifest-path"])
                .arg(krate.join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", krate.join("target"))
                .status()
                .ok()?;
            if !status.success() {
                return None;
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
        Some(best)
    };
    // Warm the dependency build first, so both sides measure only this crate.
    let _ = build(&without);
    match (build(&without), build(&with_macro)) {
        (Some(base), Some(with)) => println!(
            "build: a crate's debug build takes {base:.2} s without and {with:.2} s with include_workflow! of the 1,000-state definition: +{:.2} s",
            with - base
        ),
        _ => println!("build: the scratch crate did not build"),
    }
}

fn main() {
    // Each parked measurement runs in a fresh process: memory freed by one
    // would otherwise be reused by the next and hide its growth.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--parked") {
        parked_executions(args.get(i + 1).is_some_and(|v| v == "history-on"));
        return;
    }
    start_up();
    expansion();
    build_cost();
    for history in ["history-on", "history-off"] {
        let exe = std::env::current_exe().expect("this benchmark's path");
        let status = Command::new(exe).args(["--parked", history]).status();
        if !status.is_ok_and(|s| s.success()) {
            println!("parked: the {history} measurement failed");
        }
    }
}
