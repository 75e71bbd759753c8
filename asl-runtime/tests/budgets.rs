//! Every evaluation has a budget: no expression, input or definition can
//! make an execution hang or take all the memory. Each test is a way an
//! execution once ran away; it must now end with the error AWS would raise,
//! well within the time these tests allow (a hang would fail them).

use asl_runtime::{Execution, Limits, Status, Workflow};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Far more than any of these needs; only a hang reaches it.
const HANG: Duration = Duration::from_secs(15);

fn workflow(definition: &Value) -> Workflow {
    Workflow::from_json(&definition.to_string())
        .unwrap_or_else(|d| panic!("{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

fn jsonata_pass(output: &str) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": output, "End": true}}})
}

/// Runs `definition` on `input` with `limits`, in real time; the execution
/// and how long it took.
fn run(definition: &Value, input: Value, limits: Limits, history: bool) -> (Execution, Duration) {
    let workflow = workflow(definition);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let execution = runtime.block_on(workflow.executor().limits(limits).record_history(history).run(input));
    (execution, started.elapsed())
}

fn short_evaluations() -> Limits {
    Limits { max_evaluation_time: Duration::from_millis(300), ..Limits::default() }
}

/// Runs `definition` and checks that it fails with a JSONata error `code`,
/// well within [`HANG`]; gives how long it took.
fn ends_with_query_error(definition: &Value, input: Value, limits: Limits, history: bool, code: &str) -> Duration {
    let (execution, took) = run(definition, input, limits, history);
    assert_query_error(&execution, code);
    assert!(took < HANG, "{took:?}");
    took
}

fn assert_query_error(execution: &Execution, code: &str) {
    assert_eq!(execution.status, Status::Failed, "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("States.QueryEvaluationError"), "{execution:?}");
    let cause = execution.cause.as_deref().unwrap_or_default();
    assert!(cause.contains(code), "{cause}");
}

#[test]
fn an_endless_recursion_ends_with_a_query_evaluation_error() {
    let definition = jsonata_pass("{% ($f := function($x){$f($x)}; $f(1)) %}");
    ends_with_query_error(&definition, json!({}), short_evaluations(), true, "D1012");
}

#[test]
fn a_runaway_regular_expression_on_the_input_ends() {
    let definition = jsonata_pass("{% $contains($states.input.s, /^(a+)+$/) %}");
    let input = json!({"s": format!("{}!", "a".repeat(40))});
    ends_with_query_error(&definition, input, short_evaluations(), false, "D1012");
}

#[test]
fn the_evaluation_time_limit_has_a_default_that_ends_a_runaway_expression() {
    let definition = jsonata_pass("{% ($f := function($x){$f($x)}; $f(1)) %}");
    let took = ends_with_query_error(&definition, json!({}), Limits::default(), false, "D1012");
    assert!(took >= Limits::default().max_evaluation_time, "{took:?}");
}

#[test]
fn a_query_evaluation_error_from_a_runaway_expression_can_be_caught() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Output": "{% ($f := function($x){$f($x)}; $f(1)) %}", "End": true}}}],
          "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Succeed"}}});
    let (execution, _) = run(&definition, json!({}), short_evaluations(), true);
    assert_eq!(execution.status, Status::Succeeded, "{execution:?}");
}

#[test]
fn stopping_an_execution_interrupts_the_expression_it_evaluates() {
    let workflow = workflow(&jsonata_pass("{% ($f := function($x){$f($x)}; $f(1)) %}"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let executor = workflow.executor();
    let (stopper, execution) = executor.start(json!({}));
    let started = Instant::now();
    // The expression holds the thread that polls the execution: the stop
    // comes from another one, as a server's StopExecution would.
    let stopping = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        stopper.stop(Some("Operator.Stop"), Some("enough"));
    });
    let execution = runtime.block_on(execution);
    stopping.join().unwrap();
    assert_eq!(execution.status, Status::Aborted, "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("Operator.Stop"));
    // Well before the 5 s evaluation limit would have ended it.
    assert!(started.elapsed() < Limits::default().max_evaluation_time, "{:?}", started.elapsed());
}

#[test]
fn the_machine_timeout_interrupts_the_expression_it_evaluates() {
    let mut definition = jsonata_pass("{% ($f := function($x){$f($x)}; $f(1)) %}");
    definition["TimeoutSeconds"] = json!(1);
    let (execution, took) = run(&definition, json!({}), Limits::default(), true);
    assert_eq!(execution.status, Status::TimedOut, "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("States.Timeout"));
    assert!(took < Limits::default().max_evaluation_time, "{took:?}");
}

#[test]
fn an_inline_map_stops_building_events_at_the_history_limit() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    let items: Vec<u32> = (0..30_000).collect();
    for history in [true, false] {
        let (execution, took) = run(&definition, json!(items), Limits::default(), history);
        assert_eq!(execution.status, Status::Failed);
        assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
        let cause = execution.cause.as_deref().unwrap_or_default();
        assert!(cause.contains("maximum number of history events (25000)"), "{cause}");
        assert!(execution.events.len() <= 25_010, "{} events kept", execution.events.len());
        assert!(took < HANG);
    }
}

#[test]
fn a_jsonata_map_over_ten_million_numbers_ends_early() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "Items": "{% [1..10000000] %}",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    ends_with_query_error(&definition, json!({}), Limits::default(), true, "U1001");
}

#[test]
fn an_expression_building_a_huge_string_ends_early() {
    let definition = jsonata_pass("{% $join([1..1000000].$string(), '-----') %}");
    ends_with_query_error(&definition, json!({}), Limits::default(), false, "U1001");
}

#[test]
fn array_unique_over_a_payload_sized_array_is_not_quadratic() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"n.$": "States.ArrayLength(States.ArrayUnique($.xs))"}, "End": true}}});
    // 40,000 distinct numbers, then 40,000 repeats: 0.5 MB of JSON, within
    // the input limit the caller chose.
    let xs: Vec<u32> = (0..40_000).chain(0..40_000).collect();
    let limits = Limits { max_payload_bytes: 1 << 20, ..Limits::default() };
    let (execution, took) = run(&definition, json!({"xs": xs}), limits, false);
    assert_eq!(execution.output, Some(json!({"n": 40_000})), "{execution:?}");
    assert!(took < HANG, "{took:?}");
}

#[test]
fn an_execution_input_over_the_payload_limit_never_starts() {
    // The first state would narrow it to almost nothing: it must not run.
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.small", "End": true}}});
    let workflow = workflow(&definition);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let big = json!({"small": 1, "big": "x".repeat(300 * 1024)}).to_string();
    let execution = runtime.block_on(workflow.executor().run_text(&big)).unwrap();
    assert_eq!(execution.status, Status::Failed);
    assert_eq!(execution.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(execution.events.is_empty(), "nothing ran: {:?}", execution.events.len());
    // Just under the limit runs.
    let fits = json!({"small": 1, "big": "x".repeat(250 * 1024)}).to_string();
    let execution = runtime.block_on(workflow.executor().run_text(&fits)).unwrap();
    assert_eq!(execution.output, Some(json!(1)));
}

#[test]
fn a_task_retried_without_end_stops_at_the_history_limit() {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fails",
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 99_999_999, "IntervalSeconds": 1, "BackoffRate": 1}],
        "End": true}}});
    let workflow = workflow(&definition);
    let runtime = asl_runtime::virtual_time_runtime().unwrap();
    let fails = |_: asl_runtime::TaskRequest| async { Err(asl_runtime::TaskError::new("Always", "fails")) };
    let started = Instant::now();
    // The virtual clock reads the runtime's paused time: made inside it.
    let execution = runtime.block_on(async {
        let executor = workflow.executor().handler(fails).clock(asl_runtime::VirtualClock::new()).record_history(true);
        executor.run(json!({})).await
    });
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"), "{:?}", execution.cause);
    assert!(execution.cause.as_deref().is_some_and(|c| c.contains("maximum number of history events")));
    assert!((24_990..=25_010).contains(&execution.events.len()), "{} events", execution.events.len());
    assert!(started.elapsed() < HANG);
}

#[test]
fn a_history_sink_gets_every_event_in_order_and_the_execution_keeps_none() {
    // A loop whose payload grows each round, as a polling workflow's does:
    // kept, its history holds every round's payload text.
    let definition = json!({"StartAt": "Grow", "States": {
        "Grow": {"Type": "Pass", "Parameters": {"s.$": "States.Format('{}{}', $.s, $.pad)", "pad.$": "$.pad"}, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.s", "IsPresent": true, "Next": "Grow"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}});
    let workflow = workflow(&definition);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new((0u64, 0usize, 0usize)));
    let sink = seen.clone();
    let limits = Limits { max_history_events: 4_000, ..Limits::default() };
    let execution = runtime.block_on(
        workflow
            .executor()
            .limits(limits)
            .history_sink(move |event| {
                let mut seen = sink.lock().unwrap();
                assert_eq!(event.id, seen.0 + 1, "in id order");
                let text = serde_json::to_string(&event).unwrap();
                *seen = (event.id, seen.1 + text.len(), seen.2.max(text.len()));
            })
            .run(json!({"s": "", "pad": "x".repeat(40)})),
    );
    assert_eq!(execution.error.as_deref(), Some("States.Runtime"));
    assert!(execution.events.is_empty(), "the execution keeps no events");
    let (last, total, largest) = *seen.lock().unwrap();
    assert!(last > 4_000, "every event, the closing one too: {last}");
    // What a kept history would have held, against the most held at once.
    assert!(total > 100 * largest, "{total} bytes in all, {largest} at most");
}
