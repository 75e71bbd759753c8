//! What durability costs, measured (not a criterion bench: each figure is
//! one long run, several times, the median kept).
//!
//! `cargo bench -p asl-benches --bench durable --features mimalloc`
//!
//! - the five workloads of `benches/workloads/` in memory and durably on a
//!   SQLite file, in the same run, as a ratio;
//! - journaled Task completions per second, for one execution and over 100
//!   at once;
//! - replaying an execution of about 25,000 events (what resuming it after
//!   a crash costs), from the store to its last event.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use asl_runtime::{Durable, Identity, Limits, SqliteStore, TaskError, TaskRequest, Workflow};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn echo(r: TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> {
    Box::pin(async move { Ok(r.input) })
}

fn limits() -> Limits {
    Limits { max_history_events: u64::MAX, ..Limits::default() }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn text(name: &str) -> String {
    std::fs::read_to_string(format!("workloads/{name}.json")).expect("a workload")
}

/// One execution in memory, history on or off.
async fn in_memory(definition: &str, input: &Value, history: bool) -> Duration {
    let executor =
        Workflow::from_json(definition).unwrap().executor().handler(echo).limits(limits()).record_history(history);
    let start = Instant::now();
    let run = executor.run(input.clone()).await;
    assert_eq!(run.status, asl_runtime::Status::Succeeded, "{run:?}");
    start.elapsed()
}

/// One execution on `durable`'s store, started and run to its end.
async fn durable(durable: &Durable, definition: &str, input: &Value) -> Duration {
    let start = Instant::now();
    let record = durable.start(definition, Identity::default(), &input.to_string(), None).await.unwrap();
    let run = durable.run(&record.arn).await.unwrap();
    assert_eq!(run.status, asl_runtime::Status::Succeeded, "{run:?}");
    start.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store =
        |name: &str| Durable::new(SqliteStore::open(dir.path().join(name)).unwrap()).handler(echo).limits(limits());
    let items: Vec<Value> = (0..10_000).map(|i| json!({"id": i, "v": i % 100})).collect();
    let workloads = [
        ("pass_chain", json!({"i": 7}), 1_000),
        ("counter_loop", json!({"i": 0, "n": 10_000}), 20_002),
        ("map_10k", json!({"items": items}), 40_001),
        ("parallel_fanout", json!({"seed": 42}), 1_001),
        ("task_heavy", json!({"i": 0, "n": 10_000}), 20_001),
    ];
    println!(
        "| workload | transitions | in memory, history on | history off | durable (SQLite file) | durable / on | durable / off |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, input, transitions) in &workloads {
        let definition = text(name);
        let on_store = store(&format!("{name}.db"));
        let (mut on, mut off, mut stored) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..7 {
            on.push(rt.block_on(in_memory(&definition, input, true)));
            off.push(rt.block_on(in_memory(&definition, input, false)));
            stored.push(rt.block_on(durable(&on_store, &definition, input)));
        }
        let (on, off, d) = (median(on), median(off), median(stored));
        let ms = |t: Duration| t.as_secs_f64() * 1e3;
        println!(
            "| {name} | {transitions} | {:.3} ms | {:.3} ms | {:.3} ms | {:.2}x | {:.2}x |",
            ms(on),
            ms(off),
            ms(d),
            d.as_secs_f64() / on.as_secs_f64(),
            d.as_secs_f64() / off.as_secs_f64()
        );
    }

    // Journaled completions: the Task loop's 10,000 tasks, one journal entry each.
    let task_loop = text("task_heavy");
    let loops = store("loop.db");
    let one: Vec<Duration> =
        (0..3).map(|_| rt.block_on(durable(&loops, &task_loop, &json!({"i": 0, "n": 10_000})))).collect();
    let one = median(one);
    println!(
        "\njournaled Task completions, one execution: {:.0}/s (10,000 in {:.1} ms)",
        1e4 / one.as_secs_f64(),
        one.as_secs_f64() * 1e3
    );

    // 100 executions at once on one store, 1,000 tasks each.
    let many = rt.block_on(async {
        let durable = store("many.db");
        let mut arns = Vec::new();
        for i in 0..100 {
            let identity = Identity { execution_name: format!("e{i}"), ..Identity::default() };
            let record = durable.start(&task_loop, identity, r#"{"i": 0, "n": 1000}"#, None).await.unwrap();
            arns.push(record.arn);
        }
        let start = Instant::now();
        let runs = arns.iter().map(|arn| durable.run(arn));
        for run in futures_join(runs).await {
            assert_eq!(run.unwrap().status, asl_runtime::Status::Succeeded);
        }
        start.elapsed()
    });
    println!(
        "journaled Task completions, 100 executions at once: {:.0}/s (100,000 in {:.1} ms)",
        1e5 / many.as_secs_f64(),
        many.as_secs_f64() * 1e3
    );

    // Replay of an execution of about 25,000 events (3,571 rounds of 7).
    let replay = rt.block_on(async {
        let durable = store("replay.db");
        let record = durable.start(&task_loop, Identity::default(), r#"{"i": 0, "n": 3571}"#, None).await.unwrap();
        durable.run(&record.arn).await.unwrap();
        let mut times = Vec::new();
        let mut events = 0;
        for _ in 0..5 {
            let start = Instant::now();
            events = durable.history(&record.arn).await.unwrap().len();
            times.push(start.elapsed());
        }
        (events, median(times))
    });
    println!("replay (resume) of an execution of {} events: {:.1} ms", replay.0, replay.1.as_secs_f64() * 1e3);
}

/// Awaits all of `futures` together on this thread.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}
