//! Criterion benchmarks of the workloads in `benches/workloads/` (the shapes
//! of ../shared/bench/workloads): each on the compiled path
//! (`include_workflow!`) with history off and on, and on the dynamic path
//! (`Workflow::from_json`). Throughput is in state transitions, so criterion's
//! "elem/s" is transitions per second.
//!
//! `cargo bench -p asl-benches --bench workloads` (or `-- counter_loop` for one group);
//! `--features mimalloc` allocates with mimalloc, as the `asl` binary does.
//!
//! The `jsonata_*` groups are the same workloads written in JSONata (same
//! transitions, same outputs).
//! AWS's 25,000-event history limit is lifted, since the loops run past it.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use asl_runtime::{
    Executor, Handlers, Limits, TaskContext, TaskError, TaskHandler, TaskRequest, VirtualClock, Workflow,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::time::Duration;

asl_runtime::include_workflow!("workloads/pass_chain.json");
asl_runtime::include_workflow!("workloads/counter_loop.json");
asl_runtime::include_workflow!("workloads/map_10k.json");
asl_runtime::include_workflow!("workloads/parallel_fanout.json");
asl_runtime::include_workflow!("workloads/task_heavy.json");
asl_runtime::include_workflow!("workloads/retry_catch.json");
asl_runtime::include_workflow!("workloads/jsonata_pass_chain.json");
asl_runtime::include_workflow!("workloads/jsonata_counter_loop.json");
asl_runtime::include_workflow!("workloads/jsonata_map_10k.json");
asl_runtime::include_workflow!("workloads/jsonata_parallel_fanout.json");
asl_runtime::include_workflow!("workloads/jsonata_task_heavy.json");

struct NoTasks;
impl pass_chain::Tasks for NoTasks {}
impl counter_loop::Tasks for NoTasks {}
impl map_10k::Tasks for NoTasks {}
impl parallel_fanout::Tasks for NoTasks {}
impl jsonata_pass_chain::Tasks for NoTasks {}
impl jsonata_counter_loop::Tasks for NoTasks {}
impl jsonata_map_10k::Tasks for NoTasks {}
impl jsonata_parallel_fanout::Tasks for NoTasks {}

/// The peers' `Work`: returns its input.
struct Identity;
impl task_heavy::Tasks for Identity {
    type IdentityInput = Value;
    type IdentityOutput = Value;
    async fn identity(&self, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
}

impl jsonata_task_heavy::Tasks for Identity {
    type IdentityInput = Value;
    type IdentityOutput = Value;
    async fn identity(&self, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
}

/// The peers' `Flaky`: fails the first `$.failures` attempts.
struct Flaky;
impl retry_catch::Tasks for Flaky {
    type FlakyInput = Value;
    type FlakyOutput = Value;
    async fn flaky(&self, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        flaky(&input, ctx.retry_count())
    }
}

/// Fails while the attempt is within `$.failures`, then reports the attempts.
fn flaky(input: &Value, retry_count: u32) -> Result<Value, TaskError> {
    let attempt = u64::from(retry_count) + 1;
    if attempt <= input["failures"].as_u64().unwrap_or(0) {
        return Err(TaskError::new("Flaky.Transient", format!("transient failure #{attempt}")));
    }
    Ok(json!({"attempts": attempt}))
}

fn unlimited(e: Executor) -> Executor {
    e.limits(Limits { max_history_events: u64::MAX, ..Limits::default() })
}

/// One workload: its input, transition count, output check, and the three
/// executors (compiled without history, compiled with, dynamic).
struct Case {
    name: &'static str,
    input: Value,
    transitions: u64,
    check: fn(&Value) -> bool,
    compiled_off: Executor,
    compiled_on: Executor,
    dynamic: Executor,
    virtual_time: bool,
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str, text: &str, compiled: Executor, handler: impl TaskHandler, input: Value, transitions: u64,
    check: fn(&Value) -> bool,
) -> Case {
    // The dynamic path: the definition loaded at run time, with plain
    // closures as handlers instead of the typed trait.
    let dynamic =
        unlimited(Workflow::from_json(text).expect("valid").executor().record_history(false).handler(handler));
    Case {
        name,
        input,
        transitions,
        check,
        compiled_off: unlimited(compiled.clone().record_history(false)),
        compiled_on: unlimited(compiled.record_history(true)),
        dynamic,
        virtual_time: false,
    }
}

fn cases() -> Vec<Case> {
    let items: Vec<Value> = (0..10_000).map(|i| json!({"id": i, "v": i % 100})).collect();
    let jsonata_items = items.clone();
    let mut retry = case(
        "retry_catch",
        retry_catch::DEFINITION,
        retry_catch::Machine::new(Flaky).executor().clone(),
        |r: TaskRequest| async move { flaky(&r.input, r.context.retry_count()) },
        json!({"failures": 3}),
        5,
        |o| o["result"] == json!({"attempts": 4}),
    );
    retry.virtual_time = true;
    vec![
        case(
            "pass_chain",
            pass_chain::DEFINITION,
            pass_chain::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"i": 7}),
            1000,
            |o| o["last"] == json!({"i": 7, "tag": "x", "step": 999}),
        ),
        case(
            "counter_loop",
            counter_loop::DEFINITION,
            counter_loop::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"i": 0, "n": 10_000}),
            20_002,
            |o| o["i"] == 10_000,
        ),
        case(
            "map_10k",
            map_10k::DEFINITION,
            map_10k::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"items": items}),
            40_001,
            |o| o["count"] == 10_000 && o["last"]["bucket"] == "high",
        ),
        case(
            "parallel_fanout",
            parallel_fanout::DEFINITION,
            parallel_fanout::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"seed": 42}),
            1001,
            |o| o[9]["last"] == json!({"seed": 42, "branch": 9, "step": 99}),
        ),
        case(
            "task_heavy",
            task_heavy::DEFINITION,
            task_heavy::Machine::new(Identity).executor().clone(),
            |r: TaskRequest| async move { Ok(r.input) },
            json!({"i": 0, "n": 10_000}),
            20_001,
            |o| o["i"] == 10_000,
        ),
        retry,
        case(
            "jsonata_pass_chain",
            jsonata_pass_chain::DEFINITION,
            jsonata_pass_chain::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"i": 7}),
            1000,
            |o| o["last"] == json!({"i": 7, "tag": "x", "step": 999}),
        ),
        case(
            "jsonata_counter_loop",
            jsonata_counter_loop::DEFINITION,
            jsonata_counter_loop::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"i": 0, "n": 10_000}),
            20_002,
            |o| o["i"] == 10_000,
        ),
        case(
            "jsonata_map_10k",
            jsonata_map_10k::DEFINITION,
            jsonata_map_10k::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"items": jsonata_items}),
            40_001,
            |o| o["count"] == 10_000 && o["last"]["bucket"] == "high",
        ),
        case(
            "jsonata_parallel_fanout",
            jsonata_parallel_fanout::DEFINITION,
            jsonata_parallel_fanout::Machine::new(NoTasks).executor().clone(),
            Handlers::new(),
            json!({"seed": 42}),
            1001,
            |o| o[9]["last"] == json!({"seed": 42, "branch": 9, "step": 99}),
        ),
        case(
            "jsonata_task_heavy",
            jsonata_task_heavy::DEFINITION,
            jsonata_task_heavy::Machine::new(Identity).executor().clone(),
            |r: TaskRequest| async move { Ok(r.input) },
            json!({"i": 0, "n": 10_000}),
            20_001,
            |o| o["i"] == 10_000,
        ),
    ]
}

fn workloads(c: &mut Criterion) {
    for case in cases() {
        let mut group = c.benchmark_group(case.name);
        group.throughput(Throughput::Elements(case.transitions));
        if case.transitions > 10_000 {
            group.sample_size(20).measurement_time(Duration::from_secs(8));
        }
        for (variant, executor) in [
            ("compiled/history-off", &case.compiled_off),
            ("compiled/history-on", &case.compiled_on),
            ("dynamic/history-off", &case.dynamic),
        ] {
            let runtime = if case.virtual_time {
                asl_runtime::virtual_time_runtime().expect("runtime")
            } else {
                tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime")
            };
            let executor = if case.virtual_time {
                runtime.block_on(async { executor.clone().clock(VirtualClock::new()) })
            } else {
                executor.clone()
            };
            let first = runtime.block_on(executor.run(case.input.clone()));
            let output = first
                .output
                .as_ref()
                .unwrap_or_else(|| panic!("{} {variant}: {:?} {:?}", case.name, first.error, first.cause));
            assert!((case.check)(output), "{} {variant}: unexpected output {output}", case.name);
            group.bench_with_input(BenchmarkId::from_parameter(variant), &case.input, |b, input| {
                b.iter_batched(
                    || input.clone(),
                    |input| runtime.block_on(executor.run(input)),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
        group.finish();
    }
}

criterion_group!(benches, workloads);
criterion_main!(benches);
