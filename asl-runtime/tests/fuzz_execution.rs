//! Fuzz targets for execution and for the mock file reader.
//!
//! Execution: random state machines (every state type; random paths,
//! templates, intrinsic calls, JSONata, Choice rules, Retry and Catch;
//! transitions anywhere) run on random inputs. Every valid one must end,
//! without a panic and within its budgets, and give the same status, output,
//! error and cause with history on and off.
//!
//! Durable execution: the same random machines run durably, end as they
//! end in memory, and, cut at a random journal write and resumed, end with
//! the same outcome and history as without the cut.
//!
//! CI runs a bounded number of cases (`ASL_FUZZ_CASES`, default 300 for
//! execution and 2,000 for mock files); run more locally with, e.g.,
//! `ASL_FUZZ_CASES=100000 cargo test --release -p asl-runtime --test fuzz_execution`.

mod support {
    pub mod dying;
}

use asl_runtime::{
    Durable, Execution, ExecutionStore, HistoryEvent, Identity, Limits, MockConfig, SqliteStore, TaskError,
    TaskRequest, VirtualClock, Workflow,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::dying::Dying;

fn cases(default: u32) -> u32 {
    std::env::var("ASL_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

const PATHS: &[&str] = &["$", "$.a", "$.b[0]", "$.missing", "$.a.c", "$..a", "$[0]", "$.b[-1:]", "$.b[?(@ > 1)]"];
const JSONATA: &[&str] = &[
    "{% $states.input %}",
    "{% $states.input.a %}",
    "{% $count($states.input.b) %}",
    "{% $states.input.a & 'x' %}",
    "{% [1..5] %}",
    "{% $states.input.nope.deeper %}",
    "{% $number($states.input.a) / 0 %}",
    "{% $states.context.State.Name %}",
];

fn path() -> impl Strategy<Value = Value> {
    prop_oneof![prop::sample::select(PATHS).prop_map(|p| json!(p)), Just(Value::Null)]
}

/// A leaf value for inputs and literals.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(prop::sample::select(vec!["a", "b", "c", "d"]), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A `Parameters`-style template.
fn template() -> impl Strategy<Value = Value> {
    prop_oneof![
        value(),
        prop::sample::select(PATHS).prop_map(|p| json!({"x.$": p, "k": 1})),
        prop::sample::select(vec![
            "States.Format('{}-{}', $.a, $.b)",
            "States.Array($.a, 1, 'two')",
            "States.ArrayLength($.b)",
            "States.MathAdd($.a, 1)",
            "States.StringToJson($.a)",
            "States.JsonMerge($, $.a, false)",
            "States.ArrayRange(1, $.a, 1)",
            "States.UUID()",
        ])
        .prop_map(|c| json!({"v.$": c})),
    ]
}

/// Everything a state may be, before its transitions are chosen.
#[derive(Debug, Clone)]
enum Kind {
    Pass(Option<Value>, Option<Value>),
    Task(&'static str, bool, bool),
    Choice(Value),
    Wait(u64),
    Succeed,
    Fail,
    Map(Option<u32>),
    Parallel(usize),
    JsonataPass(&'static str),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (prop::option::of(value()), prop::option::of(template())).prop_map(|(r, p)| Kind::Pass(r, p)),
        (prop::sample::select(vec!["echo", "fail", "slow"]), any::<bool>(), any::<bool>())
            .prop_map(|(f, retry, catch)| Kind::Task(f, retry, catch)),
        prop::sample::select(vec![
            json!({"Variable": "$.a", "NumericGreaterThan": 0}),
            json!({"Variable": "$.a", "IsPresent": true}),
            json!({"Variable": "$.b[0]", "StringEquals": "x"}),
            json!({"And": [{"Variable": "$.a", "IsNumeric": true}, {"Not": {"Variable": "$.a", "NumericEquals": 3}}]}),
            json!({"Variable": "$.missing", "BooleanEquals": true}),
        ])
        .prop_map(Kind::Choice),
        (0u64..3).prop_map(Kind::Wait),
        Just(Kind::Succeed),
        Just(Kind::Fail),
        prop::option::of(0u32..3).prop_map(Kind::Map),
        (1usize..3).prop_map(Kind::Parallel),
        prop::sample::select(JSONATA).prop_map(Kind::JsonataPass),
    ]
}

/// State `i`, of `kind`, going to `next` (a state name) or ending, with
/// random data-flow fields; `chain` is the state after it (a Choice's
/// `Default` and a catcher's target), so every state stays reachable.
fn state(i: usize, kind: &Kind, next: Option<String>, chain: &str, io: &(Value, Value, Value)) -> Value {
    const L: &str = "arn:aws:lambda:us-east-1:123456789012:function:";
    let flows = |mut s: Value| {
        match &next {
            Some(n) => s["Next"] = json!(n),
            None => s["End"] = json!(true),
        }
        s
    };
    let with_io = |mut s: Value| {
        let (input_path, output_path, result_path) = io;
        s["InputPath"] = input_path.clone();
        s["OutputPath"] = output_path.clone();
        if let Some(r) = result_path.as_str() {
            s["ResultPath"] = json!(r.replace("..", ".").replace("[?(@ > 1)]", "").replace("[-1:]", ""));
        }
        s
    };
    let leaf = |b: usize| json!({"StartAt": format!("B{i}x{b}"), "States": {format!("B{i}x{b}"): {"Type": "Pass", "End": true}}});
    match kind {
        Kind::Pass(result, parameters) => {
            let mut s = with_io(json!({"Type": "Pass"}));
            if let Some(r) = result {
                s["Result"] = r.clone();
            }
            if let Some(p) = parameters {
                s["Parameters"] = p.clone();
            }
            flows(s)
        }
        Kind::Task(function, retry, catch) => {
            let mut s = with_io(json!({"Type": "Task", "Resource": format!("{L}{function}")}));
            if *function == "slow" {
                s["TimeoutSeconds"] = json!(1);
            }
            if *retry {
                s["Retry"] = json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}]);
            }
            if *catch {
                s["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": chain}]);
            }
            flows(s)
        }
        Kind::Choice(rule) => {
            let mut rule = rule.clone();
            rule["Next"] = json!(next.clone().unwrap_or_else(|| chain.to_string()));
            json!({"Type": "Choice", "Choices": [rule], "Default": chain})
        }
        Kind::Wait(seconds) => flows(json!({"Type": "Wait", "Seconds": seconds})),
        Kind::Succeed => json!({"Type": "Succeed"}),
        Kind::Fail => json!({"Type": "Fail", "Error": "Fuzz.Fail", "CausePath": "$.a"}),
        Kind::Map(concurrency) => {
            let item = format!("Item{i}");
            let mut s = with_io(json!({"Type": "Map", "ItemsPath": "$.b", "ItemProcessor": {"StartAt": item,
                "States": {item.clone(): {"Type": "Pass", "Parameters": {"item.$": "$", "i.$": "$$.Map.Item.Index"}, "End": true}}}}));
            if let Some(c) = concurrency {
                s["MaxConcurrency"] = json!(c);
            }
            flows(s)
        }
        Kind::Parallel(branches) => {
            flows(with_io(json!({"Type": "Parallel", "Branches": (0..*branches).map(leaf).collect::<Vec<_>>()})))
        }
        Kind::JsonataPass(output) => flows(json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": output})),
    }
}

/// A whole machine: states S0.. in a chain, the last one ending; a Choice
/// may jump to any state (loops included), a catcher goes on in the chain
/// (or, at the end, back to the start). Succeed and Fail stand only at the
/// end, so that every state stays reachable.
fn machine() -> impl Strategy<Value = Value> {
    prop::collection::vec((kind(), any::<prop::sample::Index>(), (path(), path(), path())), 1..6).prop_map(|states| {
        let n = states.len();
        let mut all = serde_json::Map::new();
        for (i, (kind, target, io)) in states.iter().enumerate() {
            let last = i + 1 == n;
            let chain = if last { "S0".to_string() } else { format!("S{}", i + 1) };
            let kind = match kind {
                Kind::Succeed | Kind::Fail if !last => Kind::Pass(None, None),
                Kind::Choice(_) if last => Kind::Succeed,
                other => other.clone(),
            };
            let next = match kind {
                Kind::Choice(_) => Some(format!("S{}", target.index(n))),
                _ => (!last).then(|| chain.clone()),
            };
            all.insert(format!("S{i}"), state(i, &kind, next, &chain, io));
        }
        json!({"StartAt": "S0", "States": all})
    })
}

fn handler(req: TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> {
    Box::pin(async move {
        match req.resource().rsplit(':').next().unwrap_or_default() {
            "echo" => Ok(req.input),
            "slow" => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(req.input)
            }
            _ => Err(TaskError::new("Fuzz.TaskFailed", "as asked")),
        }
    })
}

/// Where virtual time starts: the same for both runs of a case.
const START: &str = "2026-01-01T00:00:00Z";

fn limits() -> Limits {
    Limits { max_history_events: 2_000, max_evaluation_time: Duration::from_millis(500), ..Limits::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_machines_end_alike_with_and_without_history(definition in machine(), input in value()) {
        let text = definition.to_string();
        let Ok(workflow) = Workflow::from_json(&text) else { return Ok(()) };
        let runtime = asl_runtime::virtual_time_runtime().unwrap();
        let started = Instant::now();
        let run = |history: bool| {
            runtime.block_on(async {
                // A fixed name: a cause may quote the context object, whose
                // execution name is otherwise new each time.
                let identity = Identity { execution_name: "fuzz".into(), ..Identity::default() };
                let executor =
                    workflow.executor().identity(identity).handler(handler).clock(VirtualClock::starting_at(START.parse().unwrap())).limits(limits());
                executor.record_history(history).run(input.clone()).await
            })
        };
        let (with, without) = (run(true), run(false));
        prop_assert!(started.elapsed() < Duration::from_secs(20), "took {:?}: {text}", started.elapsed());
        // `States.UUID()` differs from run to run; compare all else.
        if !text.contains("UUID") {
            prop_assert_eq!(
                (&with.status, &with.output, &with.error, &with.cause),
                (&without.status, &without.output, &without.error, &without.cause),
                "{}", text
            );
        }
        prop_assert!(with.events.len() as u64 <= limits().max_history_events + 10);
    }

    #[test]
    fn random_machines_run_durably_and_resume_alike_after_a_crash(
        definition in machine(), input in value(), cut in 0usize..6,
    ) {
        let text = definition.to_string();
        let Ok(workflow) = Workflow::from_json(&text) else { return Ok(()) };
        let started = Instant::now();
        let memory = asl_runtime::virtual_time_runtime().unwrap().block_on(async {
            let identity = Identity { execution_name: "fuzz".into(), ..Identity::default() };
            let executor = workflow.executor().identity(identity).handler(handler).limits(limits());
            executor.clock(VirtualClock::starting_at(START.parse().unwrap())).run(input.clone()).await
        });
        // The execution to cut, and a copy of it (the same seed) that runs whole.
        let cut_store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
        let whole_store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
        copy_of_new_execution(&text, &input, &cut_store, &whole_store);
        let start: jiff::Timestamp = START.parse().unwrap();
        let (whole, writes, ended_at) = durably(whole_store.clone(), None, start);
        let (whole, history) = whole.expect("no cut, no crash");
        prop_assert!(started.elapsed() < Duration::from_secs(20), "took {:?}: {text}", started.elapsed());
        // Randomness is the execution's own when durable; all else agrees.
        if !text.contains("UUID") {
            prop_assert_eq!(outcome(&whole), outcome(&memory), "{}", text);
        }
        // An execution that did not succeed redrives: its first attempt's
        // history stays as it was, and the next goes on from it, numbered on.
        if whole.status != asl_runtime::Status::Succeeded && history.len() < 1_900 {
            let (again, again_history) = redriven(whole_store, ended_at);
            prop_assert!(started.elapsed() < Duration::from_secs(40), "took {:?}: {text}", started.elapsed());
            prop_assert_eq!(&again_history[..history.len()], &history[..], "{}", text);
            prop_assert_eq!(again_history[history.len()].event_type.as_str(), "ExecutionRedriven", "{}", text);
            for (i, event) in again_history.iter().enumerate() {
                prop_assert_eq!(event.id, i as u64 + 1, "{}", text);
            }
            let last = again_history.last().unwrap().event_type.as_str();
            prop_assert!(last.starts_with("Execution") && last != "ExecutionRedriven", "{:?}: {}", again, text);
        }
        if writes > 0 {
            let cut = cut % writes;
            let (died, _, stopped) = durably(cut_store.clone(), Some(cut), start);
            prop_assert!(died.is_none(), "did not die at write {}: {}", cut, text);
            // The restarted process reads a clock that went on meanwhile.
            let (resumed, _, _) = durably(cut_store, None, stopped);
            let (resumed, resumed_history) = resumed.expect("resumed to its end");
            prop_assert_eq!(outcome(&resumed), outcome(&whole), "cut at write {}: {}", cut, text);
            prop_assert_eq!(untimed(&resumed_history), untimed(&history), "cut at write {}: {}", cut, text);
        }
    }

    #[test]
    fn test_state_runs_any_state_of_random_machines_alone(
        definition in machine(), input in value(), result in value(), fail in any::<bool>(), retries in 0u32..4,
    ) {
        let text = definition.to_string();
        let Ok(workflow) = Workflow::from_json(&text) else { return Ok(()) };
        let started = Instant::now();
        let names: Vec<String> = workflow.definition().body.states.iter().map(|s| s.name.to_string()).collect();
        let runtime = asl_runtime::virtual_time_runtime().unwrap();
        for name in names {
            let mock = if fail {
                asl_runtime::TestMock::Error { error: "Fuzz.TaskFailed".into(), cause: Some("as asked".into()) }
            } else {
                asl_runtime::TestMock::Result(result.clone())
            };
            let test = asl_runtime::TestState {
                state: name.clone(),
                input: input.clone(),
                mock: Some(mock),
                retrier_retry_count: retries,
                inspect: true,
                ..Default::default()
            };
            let executor = workflow.executor().handler(handler).limits(limits());
            let outcome = runtime.block_on(executor.test_state(test)).unwrap();
            // An outcome says what AWS's would: output with success, an error without.
            match outcome.status {
                asl_runtime::TestStatus::Succeeded => prop_assert!(outcome.output.is_some() && outcome.error.is_none()),
                asl_runtime::TestStatus::CaughtError => prop_assert!(outcome.output.is_some() && outcome.error.is_some()),
                _ => prop_assert!(outcome.output.is_none() && outcome.error.is_some(), "{name}: {outcome:?}"),
            }
        }
        prop_assert!(started.elapsed() < Duration::from_secs(20), "took {:?}: {text}", started.elapsed());
    }

    #[test]
    fn the_mock_file_reader_never_panics(text in mock_text()) {
        if let Ok(config) = MockConfig::from_json(&text) {
            let _ = config.test_case(None, None);
            let _ = config.test_case(Some("M"), Some("T"));
        }
    }
}

fn outcome(e: &Execution) -> (asl_runtime::Status, Option<&Value>, Option<&str>, Option<&str>) {
    (e.status, e.output.as_ref(), e.error.as_deref(), e.cause.as_deref())
}

/// Events without their timestamps.
fn untimed(events: &[HistoryEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap();
            v.as_object_mut().unwrap().remove("timestamp");
            v
        })
        .collect()
}

fn durable(store: Arc<dyn ExecutionStore>, start: jiff::Timestamp) -> Durable {
    Durable::shared(store).handler(handler).limits(limits()).clock(VirtualClock::starting_at(start))
}

fn fuzz_arn() -> String {
    Identity { execution_name: "fuzz".into(), ..Identity::default() }.execution_arn()
}

/// Starts an execution of `text` on `one` and puts the same execution (its
/// seed too) on `other`.
fn copy_of_new_execution(text: &str, input: &Value, one: &Arc<dyn ExecutionStore>, other: &Arc<dyn ExecutionStore>) {
    asl_runtime::virtual_time_runtime().unwrap().block_on(async {
        let identity = Identity { execution_name: "fuzz".into(), ..Identity::default() };
        durable(one.clone(), START.parse().unwrap()).start(text, identity, &input.to_string(), None).await.unwrap();
        let record = one.execution(&fuzz_arn()).await.unwrap().unwrap();
        other.start(record).await.unwrap();
    })
}

/// Runs (or resumes) the execution of `store` on a virtual clock that reads
/// `start` at first, dying at journal write `cut` (none: never): the
/// execution and its history if it ended, the writes made, and the time the
/// clock read at the end.
fn durably(
    store: Arc<dyn ExecutionStore>, cut: Option<usize>, start: jiff::Timestamp,
) -> (Option<(Execution, Vec<HistoryEvent>)>, usize, jiff::Timestamp) {
    asl_runtime::virtual_time_runtime().unwrap().block_on(async {
        let dead = Arc::new(tokio::sync::Notify::new());
        let dying = Arc::new(Dying::new(store, cut.unwrap_or(usize::MAX), dead.clone()));
        let clock = VirtualClock::starting_at(start);
        let durable = durable(dying.clone(), start);
        let arn = fuzz_arn();
        let ended = tokio::select! {
            run = durable.run(&arn) => Some(run.unwrap()),
            _ = dead.notified() => None,
        };
        let ended = match ended {
            Some(execution) => Some((execution, durable.history(&arn).await.unwrap())),
            None => None,
        };
        (ended, dying.writes(), asl_runtime::Clock::now(&clock))
    })
}

/// Redrives the ended execution of `store` at `at` and runs it to its end:
/// the execution and its whole history.
fn redriven(store: Arc<dyn ExecutionStore>, at: jiff::Timestamp) -> (Execution, Vec<HistoryEvent>) {
    asl_runtime::virtual_time_runtime().unwrap().block_on(async {
        let durable = durable(store, at);
        let arn = fuzz_arn();
        durable.redrive(&arn).await.unwrap();
        let execution = durable.run(&arn).await.unwrap();
        (execution, durable.history(&arn).await.unwrap())
    })
}

/// Mock files: random JSON, and random edits of a valid one.
fn mock_text() -> impl Strategy<Value = String> {
    let valid = json!({
        "StateMachines": {"M": {"TestCases": {"T": {"Charge": "Ok", "Ship": "Boom"}}}},
        "MockedResponses": {
            "Ok": {"0": {"Return": {"paid": true}}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}},
            "Boom": {"0": {"Throw": {"Error": "Ship.Failed"}}}
        }
    });
    prop_oneof![
        value().prop_map(|v| v.to_string()),
        (
            value(),
            prop::sample::select(vec!["StateMachines", "MockedResponses", "TestCases", "Return", "Throw", "0", "1-2"])
        )
            .prop_map(move |(v, key)| {
                let mut m = valid.clone();
                // Replace every occurrence of `key`'s value with `v`.
                fn swap(node: &mut Value, key: &str, v: &Value) {
                    match node {
                        Value::Object(map) => {
                            for (k, child) in map.iter_mut() {
                                if k == key {
                                    *child = v.clone();
                                } else {
                                    swap(child, key, v);
                                }
                            }
                        }
                        Value::Array(items) => items.iter_mut().for_each(|c| swap(c, key, v)),
                        _ => {}
                    }
                }
                swap(&mut m, key, &v);
                m.to_string()
            }),
        ".{0,40}",
    ]
}

#[test]
fn most_generated_machines_are_valid_and_run() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut valid, mut problems) = (0, Vec::new());
    for _ in 0..200 {
        let definition = machine().new_tree(&mut runner).unwrap().current();
        match Workflow::from_json(&definition.to_string()) {
            Ok(_) => valid += 1,
            Err(d) => problems.push(d.iter().next().map(|d| d.message.clone()).unwrap_or_default()),
        }
    }
    // The generator is meant to exercise execution, not validation.
    assert!(valid >= 120, "only {valid} of 200 valid; e.g. {:?}", &problems[..problems.len().min(5)]);
}
