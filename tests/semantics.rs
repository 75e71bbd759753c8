//! The engine's semantics, checked in this repository: each case in
//! `tests/semantics/` is a definition (`NAME.asl.json`) and the runs it must
//! give (`NAME.runs.json`: input, status, output or error and cause, and the
//! history's event types where they matter). The cases are this project's
//! own, written from the Amazon States Language specification and AWS's
//! developer guide; the recorded AWS executions in `../shared` stay the
//! measure of fidelity in CI, and these keep the core checked without them.
//!
//! Every run is also made with history off, where the fast paths that only
//! count events take over, and through `include_workflow!` (the compiled
//! path); both must agree with the dynamic run with history on.
//!
//! Tasks call four functions, named by the last part of their Lambda ARN:
//! `echo` returns its input; `fail` fails with the input's `error` and
//! `cause`; `flaky` fails with `Flaky.Error` until its retry count reaches
//! the input's `failures`; `slow` sleeps the input's `seconds` (in virtual
//! time) and returns `{"slept": seconds}`.

use asl_runtime::{
    Durable, Execution, ExecutionStore, Executor, Identity, SqliteStore, Status, TaskError, TaskRequest, VirtualClock,
    Workflow,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const CASES: &str = "tests/semantics";

/// The Task functions the cases call.
fn handler(req: TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> {
    Box::pin(async move {
        let function = req.resource().rsplit(':').next().unwrap_or_default().to_string();
        let input = req.input;
        let text = |key: &str| input[key].as_str().unwrap_or_default().to_string();
        match function.as_str() {
            "echo" => Ok(input),
            "fail" => Err(TaskError::new(text("error"), text("cause"))),
            "flaky" => {
                let attempt = u64::from(req.context.retry_count()) + 1;
                if attempt <= input["failures"].as_u64().unwrap_or(0) {
                    return Err(TaskError::new("Flaky.Error", format!("attempt {attempt} failed")));
                }
                Ok(json!({"attempts": attempt}))
            }
            "slow" => {
                let seconds = input["seconds"].as_u64().unwrap_or(0);
                tokio::time::sleep(Duration::from_secs(seconds)).await;
                Ok(json!({"slept": seconds}))
            }
            other => Err(asl_runtime::no_handler(other)),
        }
    })
}

/// One run of a case, as its `.runs.json` gives it.
#[derive(Debug, Clone)]
struct Expected {
    input: Value,
    status: String,
    output: Option<Value>,
    error: Option<String>,
    cause: Option<String>,
    events: Option<Vec<String>>,
}

impl Expected {
    fn from_json(run: &Value) -> Expected {
        let text = |key: &str| run.get(key).and_then(Value::as_str).map(str::to_string);
        Expected {
            input: run["input"].clone(),
            status: text("status").expect("a run names its status"),
            output: run.get("output").cloned(),
            error: text("error"),
            cause: text("cause"),
            events: run
                .get("events")
                .and_then(Value::as_array)
                .map(|types| types.iter().map(|t| t.as_str().expect("event types are strings").to_string()).collect()),
        }
    }
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(CASES)
        .expect("tests/semantics")
        .map(|entry| entry.expect("a directory entry").path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.strip_suffix(".asl.json")?.to_string();
            Some((name, path))
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "the semantics cases are missing: {} found in {CASES}", cases.len());
    cases
}

fn runs_of(name: &str) -> Vec<Expected> {
    let path = Path::new(CASES).join(format!("{name}.runs.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let runs: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    runs.as_array().expect("a list of runs").iter().map(Expected::from_json).collect()
}

/// Runs `input` on `executor` (set to the cases' handler and virtual time),
/// with history on or off.
fn run(executor: &Executor, input: &Value, history: bool) -> Execution {
    let runtime = asl_runtime::virtual_time_runtime().expect("a tokio runtime");
    runtime.block_on(async {
        let executor = executor.clone().handler(handler).clock(VirtualClock::new()).record_history(history);
        executor.run(input.clone()).await
    })
}

fn outcome(run: &Execution) -> (Status, Option<&Value>, Option<&str>, Option<&str>) {
    (run.status, run.output.as_ref(), run.error.as_deref(), run.cause.as_deref())
}

fn event_types(run: &Execution) -> Vec<&str> {
    run.events.iter().map(|e| e.event_type.as_str()).collect()
}

/// Checks `got` against `want`; the problems, if any, named after the case.
fn check(name: &str, want: &Expected, got: &Execution) -> Vec<String> {
    let mut problems = Vec::new();
    let mut differ = |what: &str, expected: String, actual: String| {
        if expected != actual {
            problems.push(format!("{name} on {}: {what}\n  want {expected}\n  got  {actual}", want.input));
        }
    };
    differ("status", want.status.clone(), got.status.as_str().to_string());
    if let Some(output) = &want.output {
        differ("output", output.to_string(), got.output.as_ref().map_or("none".into(), Value::to_string));
    }
    if want.status != "SUCCEEDED" {
        differ("error", format!("{:?}", want.error), format!("{:?}", got.error));
    }
    if let Some(cause) = &want.cause {
        differ("cause", cause.clone(), got.cause.clone().unwrap_or_default());
    }
    if let Some(events) = &want.events {
        differ("events", events.join(" "), event_types(got).join(" "));
    }
    problems
}

#[test]
fn every_case_runs_as_specified_with_history_on_and_off() {
    let mut problems = Vec::new();
    let mut count = 0;
    for (name, path) in cases() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let workflow = Workflow::from_json(&text)
            .unwrap_or_else(|d| panic!("{name}: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()));
        for want in runs_of(&name) {
            count += 1;
            let with_history = run(&workflow.executor(), &want.input, true);
            problems.extend(check(&name, &want, &with_history));
            let without = run(&workflow.executor(), &want.input, false);
            if outcome(&without) != outcome(&with_history) {
                problems.push(format!(
                    "{name} on {}: history off gives {:?}, history on {:?}",
                    want.input,
                    outcome(&without),
                    outcome(&with_history)
                ));
            }
            assert!(without.events.is_empty(), "{name}: history off keeps no events");
        }
    }
    assert!(problems.is_empty(), "{} of {count} runs differ:\n{}", problems.len(), problems.join("\n"));
}

/// Every case compiled by `include_workflow!`, by name.
macro_rules! compiled {
    ($($name:ident = $path:literal),* $(,)?) => {
        $(asl_runtime::include_workflow!($path as $name);)*

        /// The executor of the compiled case `name`.
        fn compiled(name: &str) -> Option<Executor> {
            match name {
                $(stringify!($name) => Some($name::Machine::with_handler(handler).executor().clone()),)*
                _ => None,
            }
        }

        /// The compiled case `name`, durable on `store`, and its definition.
        fn compiled_durable(name: &str, store: SqliteStore) -> Option<(Durable, &'static str)> {
            match name {
                $(stringify!($name) => Some(($name::Machine::durable_with_handler(handler, store), $name::DEFINITION)),)*
                _ => None,
            }
        }
    };
}

compiled!(
    catch_error_without_cause = "tests/semantics/catch_error_without_cause.asl.json",
    choice_no_match = "tests/semantics/choice_no_match.asl.json",
    choice_rules = "tests/semantics/choice_rules.asl.json",
    fail_error_path = "tests/semantics/fail_error_path.asl.json",
    intrinsics = "tests/semantics/intrinsics.asl.json",
    jsonata_choice_and_assign = "tests/semantics/jsonata_choice_and_assign.asl.json",
    jsonata_evaluation_error = "tests/semantics/jsonata_evaluation_error.asl.json",
    jsonata_fail_and_catch = "tests/semantics/jsonata_fail_and_catch.asl.json",
    jsonata_map_items = "tests/semantics/jsonata_map_items.asl.json",
    jsonata_pass_output = "tests/semantics/jsonata_pass_output.asl.json",
    jsonata_task_arguments_output = "tests/semantics/jsonata_task_arguments_output.asl.json",
    jsonata_without_inner_spaces = "tests/semantics/jsonata_without_inner_spaces.asl.json",
    machine_timeout = "tests/semantics/machine_timeout.asl.json",
    map_failure_fails_the_map = "tests/semantics/map_failure_fails_the_map.asl.json",
    map_item_selector = "tests/semantics/map_item_selector.asl.json",
    map_of_waiting_iterations = "tests/semantics/map_of_waiting_iterations.asl.json",
    map_retry_whole_state = "tests/semantics/map_retry_whole_state.asl.json",
    map_tolerated_failures = "tests/semantics/map_tolerated_failures.asl.json",
    parallel_branch_failure_caught = "tests/semantics/parallel_branch_failure_caught.asl.json",
    parallel_branches = "tests/semantics/parallel_branches.asl.json",
    parallel_failure_cancels_other_branches = "tests/semantics/parallel_failure_cancels_other_branches.asl.json",
    pass_context_object = "tests/semantics/pass_context_object.asl.json",
    pass_input_parameters_output = "tests/semantics/pass_input_parameters_output.asl.json",
    pass_input_path_null_gives_empty_object = "tests/semantics/pass_input_path_null_gives_empty_object.asl.json",
    pass_missing_path_fails_runtime = "tests/semantics/pass_missing_path_fails_runtime.asl.json",
    pass_result_path = "tests/semantics/pass_result_path.asl.json",
    pass_result_path_null_keeps_input = "tests/semantics/pass_result_path_null_keeps_input.asl.json",
    payload_limit = "tests/semantics/payload_limit.asl.json",
    retry_all_does_not_retry_runtime = "tests/semantics/retry_all_does_not_retry_runtime.asl.json",
    task_catch = "tests/semantics/task_catch.asl.json",
    task_result_selector_path = "tests/semantics/task_result_selector_path.asl.json",
    task_retry_then_succeed = "tests/semantics/task_retry_then_succeed.asl.json",
    task_timeout_caught = "tests/semantics/task_timeout_caught.asl.json",
    task_uncaught_error = "tests/semantics/task_uncaught_error.asl.json",
    variables_jsonpath = "tests/semantics/variables_jsonpath.asl.json",
    wait_seconds_path = "tests/semantics/wait_seconds_path.asl.json",
);

#[test]
fn the_compiled_path_agrees_with_the_dynamic_path() {
    let mut problems = Vec::new();
    for (name, path) in cases() {
        let Some(executor) = compiled(&name) else {
            problems.push(format!("{name}: not compiled; add it to `compiled!` in tests/semantics.rs"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let dynamic = Workflow::from_json(&text).expect("the case is valid").executor();
        for want in runs_of(&name) {
            let (compiled, dynamic) = (run(&executor, &want.input, true), run(&dynamic, &want.input, true));
            if (outcome(&compiled), event_types(&compiled)) != (outcome(&dynamic), event_types(&dynamic)) {
                problems.push(format!("{name} on {}: compiled {:?}, dynamic {:?}", want.input, compiled, dynamic));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn compiled_machines_run_durably_as_they_run_in_memory() {
    let mut compared = 0;
    for (name, _) in cases() {
        for want in runs_of(&name) {
            let store = SqliteStore::in_memory().expect("a store");
            let (durable, definition) = compiled_durable(&name, store).expect("every case is compiled");
            let runtime = asl_runtime::virtual_time_runtime().expect("a tokio runtime");
            let got = runtime.block_on(async {
                let durable = durable.clock(VirtualClock::new());
                let record = durable.start(definition, Identity::default(), &want.input.to_string(), None).await;
                durable.run(&record.expect("started").arn).await.expect("ran")
            });
            let problems = check(&name, &Expected { events: None, ..want.clone() }, &got);
            assert!(problems.is_empty(), "{}", problems.join("\n"));
            compared += 1;
        }
    }
    assert!(compared >= 40, "{compared} runs");
}

/// `definition` with a retrier that never applies on every Task that has no
/// `Retry`: such a Task leaves the plain path (a call and nothing else, its
/// input given away) for the supervised one.
fn supervised(definition: &mut Value) -> usize {
    let mut changed = 0;
    if let Some(states) = definition.get_mut("States").and_then(Value::as_object_mut) {
        for state in states.values_mut() {
            if state["Type"] == "Task" && state.get("Retry").is_none() {
                state["Retry"] = json!([{"ErrorEquals": ["Never.Raised"]}]);
                changed += 1;
            }
            for scope in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = state.get_mut(scope) {
                    changed += supervised(processor);
                }
            }
            if let Some(branches) = state.get_mut("Branches").and_then(Value::as_array_mut) {
                changed += branches.iter_mut().map(supervised).sum::<usize>();
            }
        }
    }
    changed
}

#[test]
fn plain_and_supervised_tasks_agree() {
    let mut compared = 0;
    for (name, path) in cases() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut definition: Value = serde_json::from_str(&text).expect("JSON");
        if supervised(&mut definition) == 0 {
            continue;
        }
        let plain = Workflow::from_json(&text).expect("the case is valid").executor();
        let supervised = Workflow::from_json(&definition.to_string()).expect("still valid").executor();
        for want in runs_of(&name) {
            for history in [true, false] {
                let (a, b) = (run(&plain, &want.input, history), run(&supervised, &want.input, history));
                assert_eq!(
                    (outcome(&a), event_types(&a)),
                    (outcome(&b), event_types(&b)),
                    "{name} on {} (history {history})",
                    want.input
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "only {compared} runs had a plain Task to compare");
}

#[path = "../asl-runtime/tests/support/dying.rs"]
mod dying;
use dying::Dying;

/// Whether a definition has branches that run at once (a Parallel, or a Map
/// that may run more than one iteration at a time).
fn concurrent(text: &str) -> bool {
    text.contains("\"Parallel\"") || (text.contains("\"Map\"") && !text.contains("\"MaxConcurrency\": 1"))
}

/// An event as the comparison sees it: everything but the timestamp.
fn untimed(events: &[asl_runtime::HistoryEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).expect("events serialise");
            v.as_object_mut().expect("an object").remove("timestamp");
            v
        })
        .collect()
}

/// Runs `input` durably on `store`, dying after `budget` journal writes
/// (none: never). The ARN, the execution if it ended, and the writes made.
fn run_durably(
    text: &str, input: &Value, store: Arc<dyn ExecutionStore>, budget: Option<usize>,
) -> (String, Option<Execution>, usize) {
    let runtime = asl_runtime::virtual_time_runtime().expect("a tokio runtime");
    runtime.block_on(async {
        let dead = Arc::new(tokio::sync::Notify::new());
        let limit = budget.unwrap_or(usize::MAX);
        let dying = Arc::new(Dying::new(store, limit, dead.clone()));
        let durable = Durable::shared(dying.clone()).handler(handler).clock(VirtualClock::new());
        let identity = Identity { execution_name: "durable".into(), ..Identity::default() };
        let record = durable.start(text, identity, &input.to_string(), None).await.expect("started");
        let ended = tokio::select! {
            run = durable.run(&record.arn) => Some(run.expect("ran")),
            _ = dead.notified() => None,
        };
        (record.arn, ended, dying.writes())
    })
}

/// The execution `arn` of `store`, resumed and run to its end, and its history.
fn resume(store: Arc<dyn ExecutionStore>, arn: &str) -> (Execution, Vec<asl_runtime::HistoryEvent>) {
    let runtime = asl_runtime::virtual_time_runtime().expect("a tokio runtime");
    runtime.block_on(async {
        let durable = Durable::shared(store).handler(handler).clock(VirtualClock::new());
        let execution = durable.run(arn).await.expect("resumed");
        let history = durable.history(arn).await.expect("history");
        (execution, history)
    })
}

#[test]
fn every_case_runs_durably_and_resumes_after_a_crash_at_every_journal_entry() {
    let mut problems = Vec::new();
    let mut crashes = 0;
    for (name, path) in cases() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let workflow = Workflow::from_json(&text).expect("the case is valid");
        for want in runs_of(&name) {
            let reference = run(&workflow.executor(), &want.input, true);
            let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().expect("a store"));
            let (arn, durable, writes) = run_durably(&text, &want.input, store.clone(), None);
            let durable = durable.expect("no crash without a budget");
            // The run keeps no events (the history is derived): its outcome
            // is checked here, its history against the in-memory one below.
            problems.extend(check(&name, &Expected { events: None, ..want.clone() }, &durable));
            let (again, history) = resume(store.clone(), &arn);
            if outcome(&again) != outcome(&durable) {
                problems.push(format!("{name} on {}: the stored end differs from the run's", want.input));
            }
            // Concurrent branches interleave by when their answers arrive,
            // which a journaled task (answered on another tokio task) does a
            // turn later than an in-memory one: the same events, perhaps in
            // another order. Without concurrency, the very same history.
            let sorted = |events: Vec<Value>| {
                let mut events: Vec<String> = events
                    .into_iter()
                    .map(|mut e| {
                        let fields = e.as_object_mut().expect("an object");
                        fields.remove("id");
                        fields.remove("previousEventId");
                        e.to_string()
                    })
                    .collect();
                events.sort();
                events
            };
            let want_events = untimed(&reference.events.iter().cloned().collect::<Vec<_>>());
            if sorted(untimed(&history)) != sorted(want_events.clone())
                || (!concurrent(&text) && untimed(&history) != want_events)
            {
                problems.push(format!(
                    "{name} on {}: durable history differs\n  want {:?}\n  got  {:?}",
                    want.input,
                    event_types(&reference),
                    history.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>()
                ));
                continue;
            }
            // Die at each journal write in turn, resume, and compare.
            for budget in 0..writes {
                crashes += 1;
                let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().expect("a store"));
                let (arn, ended, _) = run_durably(&text, &want.input, store.clone(), Some(budget));
                if ended.is_some() {
                    problems.push(format!("{name} on {}: did not die after {budget} writes", want.input));
                    continue;
                }
                let (resumed, resumed_history) = resume(store, &arn);
                if outcome(&resumed) != outcome(&durable) || untimed(&resumed_history) != untimed(&history) {
                    problems.push(format!(
                        "{name} on {}: after a crash at write {budget}: {:?}\n  want {:?}\n  got  {:?}",
                        want.input,
                        outcome(&resumed),
                        history.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(),
                        resumed_history.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(crashes >= 30, "only {crashes} crash points");
}

/// TestState agrees with every run: each state entered in a run (outside
/// Parallels and Maps, in cases without variables), tested alone with the
/// input it got and its Task's answer as the mock, gives the output the run
/// recorded at its exit and goes where the run went next.
#[test]
fn test_state_gives_what_each_state_gave_in_its_run() {
    let (mut compared, mut inspected) = (0, 0);
    for (name, path) in cases() {
        let text = std::fs::read_to_string(&path).unwrap();
        if concurrent(&text) || text.contains("\"Assign\"") || text.contains("$$.State.EnteredTime") {
            continue;
        }
        let executor = Workflow::from_json(&text).unwrap().executor();
        for want in runs_of(&name) {
            let execution = run(&executor, &want.input, true);
            let events: Vec<Value> = execution.events.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
            for (i, event) in events.iter().enumerate() {
                let kind = event["type"].as_str().unwrap();
                let Some(state_type) = kind.strip_suffix("StateEntered") else { continue };
                if ["Parallel", "Map"].contains(&state_type) {
                    continue;
                }
                let state = event["stateEnteredEventDetails"]["name"].as_str().unwrap();
                let input: Value =
                    serde_json::from_str(event["stateEnteredEventDetails"]["input"].as_str().unwrap()).unwrap();
                let exited = format!("{state_type}StateExited");
                let Some(j) = events[i + 1..].iter().position(|e| e["type"] == exited.as_str()).map(|k| i + 1 + k)
                else {
                    continue;
                };
                let between = &events[i + 1..j];
                // A Task answered once, successfully: its answer is the mock.
                if between.iter().any(|e| {
                    let t = e["type"].as_str().unwrap();
                    t.ends_with("Failed") || t.ends_with("TimedOut") || t.ends_with("StateEntered")
                }) {
                    continue;
                }
                let mock = between.iter().find_map(|e| {
                    let details =
                        e.get("taskSucceededEventDetails").or_else(|| e.get("lambdaFunctionSucceededEventDetails"))?;
                    Some(asl_runtime::TestMock::Result(serde_json::from_str(details["output"].as_str()?).unwrap()))
                });
                let output: Value =
                    serde_json::from_str(events[j]["stateExitedEventDetails"]["output"].as_str().unwrap()).unwrap();
                let next = events.get(j + 1).and_then(|e| match e["type"].as_str().unwrap() {
                    t if t.ends_with("StateEntered") => {
                        Some(Some(e["stateEnteredEventDetails"]["name"].as_str().unwrap().to_string()))
                    }
                    "ExecutionSucceeded" => Some(None),
                    _ => None,
                });
                let test =
                    asl_runtime::TestState { state: state.into(), input, mock, inspect: true, ..Default::default() };
                let runtime = asl_runtime::virtual_time_runtime().unwrap();
                // The virtual clock reads the runtime's paused time: made inside it.
                let got = runtime
                    .block_on(async {
                        executor.clone().handler(handler).clock(VirtualClock::new()).test_state(test).await
                    })
                    .unwrap();
                assert_eq!(got.output.as_ref(), Some(&output), "{name}: state {state}: {got:?}");
                // The inspected steps end where the state ended (before an `OutputPath`).
                let after_result_path = got.inspection.as_ref().and_then(|i| i.after_result_path.as_ref());
                if !text.contains("\"OutputPath\"")
                    && let Some(placed) = after_result_path
                {
                    assert_eq!(placed, &output, "{name}: state {state}: the inspected steps");
                    inspected += 1;
                }
                if let Some(next) = next {
                    assert_eq!(got.next_state, next, "{name}: state {state}");
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 30, "only {compared} states compared");
    assert!(inspected >= 10, "only {inspected} inspected");
    eprintln!("test_state: {compared} states agree with their runs, {inspected} of them step by step");
}
