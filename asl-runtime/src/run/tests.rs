//! The run's own tests: work-spreading agrees with the ordered run, and a
//! parked scope stays small.

use super::*;
use crate::executor::{Execution, Status};
use crate::history::History;
use crate::limits::Limits;
use crate::variables::Variables;
use serde_json::Value;
use serde_json::json;
use std::sync::OnceLock;

thread_local! {
    /// Speculative runs whose results were kept (see [`Run::speculate`]),
    /// on the thread that asked (each test has its own).
    pub(super) static SPECULATIONS_KEPT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `definition` without history on 1 and on 2 threads; the
/// outcomes must be the same. Returns the 2-thread run and whether it
/// kept work done on the other thread.
fn on_one_and_two_threads(definition: &str, input: Value, limits: Limits) -> (Execution, bool) {
    let workflow = crate::Workflow::from_json(definition)
        .unwrap_or_else(|d| panic!("{:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let run = |threads| {
        let executor = workflow.executor().record_history(false).limits(limits).parallelism(threads);
        runtime.block_on(executor.run(input.clone()))
    };
    let alone = run(1);
    let kept = SPECULATIONS_KEPT.with(std::cell::Cell::get);
    let shared = run(2);
    let spread = SPECULATIONS_KEPT.with(std::cell::Cell::get) > kept;
    assert_eq!(
        (&shared.status, &shared.output, &shared.error, &shared.cause),
        (&alone.status, &alone.output, &alone.error, &alone.cause)
    );
    (shared, spread)
}

fn map_of(processor: &str, tolerated: Option<u32>) -> String {
    let tolerated = tolerated.map(|n| format!(r#""ToleratedFailureCount": {n},"#)).unwrap_or_default();
    format!(
        r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "ItemsPath": "$.items", {tolerated} "ItemProcessor": {processor}, "End": true}}}}}}"#
    )
}

/// Items under `limit` succeed, those over it fail, and the one at it
/// matches no rule.
fn route(limit: u64) -> String {
    let processor = r#"{"StartAt": "Label", "States": {
        "Label": {"Type": "Pass", "Parameters": {"v.$": "$.v", "label.$": "States.Format('item-{}', $.v)"}, "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericLessThan": LIMIT, "Next": "Low"},
                                                 {"Variable": "$.v", "NumericGreaterThan": LIMIT, "Next": "High"}]},
        "Low": {"Type": "Pass", "Result": "low", "ResultPath": "$.bucket", "End": true},
        "High": {"Type": "Fail", "Error": "Too.High", "Cause": "over the limit"}}}"#;
    processor.replace("LIMIT", &limit.to_string())
}

fn items(n: u64) -> Value {
    json!({"items": (0..n).map(|v| json!({"v": v})).collect::<Vec<_>>()})
}

#[test]
fn a_map_that_never_waits_spreads_over_threads_with_the_same_outcome() {
    // 1,200 items of (at most) 4 states: enough to be worth a second thread.
    let (run, spread) = on_one_and_two_threads(
        &map_of(&route(1200), None),
        items(1200),
        Limits { max_history_events: u64::MAX, ..Limits::default() },
    );
    assert!(spread, "1,200 items on 2 threads");
    let output = run.output.unwrap();
    assert_eq!(output.as_array().map(Vec::len), Some(1200));
    assert_eq!(output[1199], json!({"v": 1199, "label": "item-1199", "bucket": "low"}));
}

#[test]
fn failing_items_are_run_again_in_order_so_causes_number_events_alike() {
    let unlimited = Limits { max_history_events: u64::MAX, ..Limits::default() };
    // Item 1200 matches no rule: the cause names the event id its Choice entered at.
    let (run, _) = on_one_and_two_threads(&map_of(&route(1200), None), items(1201), unlimited);
    assert_eq!(run.error.as_deref(), Some("States.NoChoiceMatched"));
    assert!(run.cause.as_deref().is_some_and(|c| c.contains("event id #")), "{:?}", run.cause);
    // The same after a first stretch of items (between two yields) was
    // kept from the threads: the events it counted number the rest.
    let (run, spread) = on_one_and_two_threads(&map_of(&route(4500), None), items(4600), unlimited);
    assert!(spread);
    assert!(run.cause.as_deref().is_some_and(|c| c.contains("event id #")), "{:?}", run.cause);
    // Tolerated failures: items over 1200 fail, up to 50 of them are allowed.
    let (run, _) = on_one_and_two_threads(&map_of(&route(1200), Some(50)), items(1260), unlimited);
    assert_eq!(run.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    let (run, _) = on_one_and_two_threads(&map_of(&route(1200), Some(100)), items(1260), unlimited);
    assert_eq!(run.status, Status::Succeeded);
}

#[test]
fn the_history_limit_stops_a_spread_map_where_it_stops_an_ordered_one() {
    // As many items as spread in the test above, with a limit they pass.
    let (run, spread) = on_one_and_two_threads(
        &map_of(&route(1200), None),
        items(1200),
        Limits { max_history_events: 3000, ..Limits::default() },
    );
    assert!(!spread, "the events would pass the limit: the ordered run decides");
    assert_eq!(run.error.as_deref(), Some("States.Runtime"));
    assert!(
        run.cause.as_deref().is_some_and(|c| c.contains("maximum number of history events (3000)")),
        "{:?}",
        run.cause
    );
}

#[test]
fn parallel_branches_that_never_wait_spread_over_threads() {
    // 4 branches of 1,100 states: enough to be worth a second thread.
    const LAST: usize = 1099;
    let branch = |b: usize, fail_at: Option<usize>| {
        let states: Vec<String> = (0..=fail_at.unwrap_or(LAST))
            .map(|i| match fail_at {
                Some(f) if f == i => format!(r#""B{b}S{i}": {{"Type": "Fail", "Error": "Branch.Failed"}}"#),
                _ => {
                    let next = if i == LAST { r#""End": true"#.to_string() } else { format!(r#""Next": "B{b}S{}""#, i + 1) };
                    format!(r#""B{b}S{i}": {{"Type": "Pass", "Parameters": {{"seed.$": "$.seed", "step": {i}}}, "ResultPath": "$.last", {next}}}"#)
                }
            })
            .collect();
        format!(r#"{{"StartAt": "B{b}S0", "States": {{{}}}}}"#, states.join(","))
    };
    let parallel = |fail: Option<usize>| {
        let branches: Vec<String> = (0..4).map(|b| branch(b, fail.filter(|_| b == 2))).collect();
        format!(
            r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Parallel", "Branches": [{}], "End": true}}}}}}"#,
            branches.join(",")
        )
    };
    let (run, spread) = on_one_and_two_threads(&parallel(None), json!({"seed": 7}), Limits::default());
    assert!(spread, "4,400 states on 2 threads");
    assert_eq!(run.output.as_ref().map(|o| o[3].clone()), Some(json!({"seed": 7, "last": {"seed": 7, "step": LAST}})));
    let (run, _) = on_one_and_two_threads(&parallel(Some(80)), json!({"seed": 7}), Limits::default());
    assert_eq!(run.error.as_deref(), Some("Branch.Failed"));
}

/// Every parked execution holds a scope's future (a Wait parks in
/// `waiting_state`, inside `scope_inner`): what `scope_inner` keeps
/// across its awaits is what 100,000 parked executions pay 100,000
/// times (the scale benchmark's 200 MiB budget). It was 584 bytes
/// (debug build) when that budget was met with 2 MiB to spare; the boxed
/// tracing span of the state it waits in (`trace::Traced`) added 8.
#[test]
fn a_scope_holds_little_besides_the_state_it_waits_in() {
    let workflow =
        crate::Workflow::from_json(r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}"#)
            .unwrap();
    let exec = workflow.executor();
    let info = RunInfo {
        names: &exec.names,
        start_ms: exec.services.clock.now().as_millisecond(),
        input: None,
        input_text: None,
        members: OnceLock::new(),
        interrupts: None,
        redrive_count: 0,
    };
    let run = Run { exec: &exec.services, history: History::new(true), info: &info };
    let (scope, mut variables) = (&exec.definition.body, Variables::default());
    let scope_future = std::mem::size_of_val(&run.scope_inner(scope, (), Value::Null, Variables::default(), ()));
    let waiting_future = std::mem::size_of_val(&run.waiting_state(&scope.states[0], Value::Null, None, &mut variables));
    assert!(
        scope_future <= waiting_future + 136,
        "scope_inner's future is {scope_future} bytes around waiting_state's {waiting_future}"
    );
}
