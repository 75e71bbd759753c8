//! Redriving durable executions, as AWS's `RedriveExecution` does: the
//! execution goes on from the state that failed with the same input, the
//! states that succeeded do not run again, a Parallel runs again only its
//! failed branches and a Map only its failed iterations, and the history
//! goes on after `ExecutionRedriven`.

mod support {
    pub mod dying;
}

use asl_runtime::{
    Durable, DurableError, Execution, ExecutionStore, HistoryEvent, Identity, SqliteStore, Status, StoreError,
    TaskError, TaskRequest, VirtualClock,
};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Tasks by function name that fail with `Broken` while their name is in
/// `broken`, and count their calls by idempotency key.
#[derive(Clone, Default)]
struct Service {
    broken: Arc<Mutex<Vec<String>>>,
    calls: Arc<Mutex<Vec<(String, String, Value)>>>,
    /// How long each call takes.
    takes: Arc<Mutex<Duration>>,
}

impl Service {
    fn breaking(names: &[&str]) -> Service {
        let service = Service::default();
        *service.broken.lock().unwrap() = names.iter().map(|n| n.to_string()).collect();
        service
    }

    fn repair(&self) {
        self.broken.lock().unwrap().clear();
    }

    fn calls_of(&self, name: &str) -> Vec<Value> {
        self.calls.lock().unwrap().iter().filter(|(n, _, _)| n == name).map(|(_, _, input)| input.clone()).collect()
    }

    fn keys(&self) -> Vec<String> {
        self.calls.lock().unwrap().iter().map(|(_, key, _)| key.clone()).collect()
    }

    fn handler(&self) -> impl Fn(TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> + use<> {
        let service = self.clone();
        move |req: TaskRequest| {
            let name = req.resource().rsplit(':').next().unwrap_or_default().to_string();
            let key = req.context.idempotency_key().unwrap_or_default().to_string();
            service.calls.lock().unwrap().push((name.clone(), key, req.input.clone()));
            // An item named "bad" breaks `work` while it is broken.
            let broken = service.broken.lock().unwrap().iter().any(|b| *b == name || req.input == json!(b));
            let takes = *service.takes.lock().unwrap();
            let input = req.input;
            Box::pin(async move {
                tokio::time::sleep(takes).await;
                if broken { Err(TaskError::new("Broken", format!("{name} is down"))) } else { Ok(json!({name: input})) }
            })
        }
    }
}

fn identity(name: &str) -> Identity {
    Identity { execution_name: name.into(), ..Identity::default() }
}

fn types(events: &[HistoryEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

/// Ids run 1, 2, 3, … across the attempts, and each event follows one before it.
fn assert_numbered(events: &[HistoryEvent]) {
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "event {i}: {:?}", types(events));
        assert!(event.previous_event_id < event.id, "event {} follows {}", event.id, event.previous_event_id);
    }
}

/// A durable runner on an in-memory store answering Tasks with `service`,
/// and the first attempt of an execution of `definition` run to its end.
async fn first_attempt(service: &Service, definition: &str, name: &str, input: &str) -> (Durable, String, Execution) {
    let durable = Durable::new(SqliteStore::in_memory().unwrap()).handler(service.handler()).clock(VirtualClock::new());
    let record = durable.start(definition, identity(name), input, None).await.unwrap();
    let first = durable.run(&record.arn).await.unwrap();
    (durable, record.arn, first)
}

/// Repairs `service`, redrives the execution and runs it: it succeeds; its output.
async fn second_attempt(service: &Service, durable: &Durable, arn: &str) -> Value {
    service.repair();
    durable.redrive(arn).await.unwrap();
    let second = durable.run(arn).await.unwrap();
    assert_eq!(second.status, Status::Succeeded, "{second:?}");
    second.output.unwrap()
}

/// The execution's whole history, numbered from 1, and where its
/// `ExecutionRedriven` is.
async fn redriven_history(durable: &Durable, arn: &str) -> (Vec<HistoryEvent>, usize) {
    let events = durable.history(arn).await.unwrap();
    assert_numbered(&events);
    let at = events.iter().position(|e| e.event_type.as_str() == "ExecutionRedriven").expect("ExecutionRedriven");
    (events, at)
}

fn entered<'a>(events: &'a [HistoryEvent], state: &str) -> Vec<&'a HistoryEvent> {
    events
        .iter()
        .filter(|e| {
            e.event_type.as_str().ends_with("StateEntered")
                && serde_json::to_value(e).unwrap()["stateEnteredEventDetails"]["name"] == state
        })
        .collect()
}

const TASK: &str = r#"{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Result": {"ready": true}, "ResultPath": "$.prepared", "Next": "Charge"},
    "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
      "ResultPath": "$.charged", "Retry": [{"ErrorEquals": ["Broken"], "MaxAttempts": 1, "IntervalSeconds": 1}],
      "Next": "Report"},
    "Report": {"Type": "Pass", "Parameters": {"redriven.$": "$$.Execution.RedriveCount", "charged.$": "$.charged",
      "prepared.$": "$.prepared"}, "End": true}
  }
}"#;

#[tokio::test(start_paused = true)]
async fn a_failed_task_runs_again_and_the_states_before_it_do_not() {
    let service = Service::breaking(&["charge"]);
    let (durable, arn, first) = first_attempt(&service, TASK, "task", r#"{"order": 7}"#).await;
    assert_eq!((first.status, first.error.as_deref()), (Status::Failed, Some("Broken")));
    assert_eq!(service.calls_of("charge").len(), 2, "the call and its one retry");

    service.repair();
    let redriven = durable.redrive(&arn).await.unwrap();
    assert_eq!((redriven.status.as_str(), redriven.redrive_count), ("RUNNING", 1));
    assert!(redriven.redrive_ms.is_some() && redriven.error.is_none());
    let second = durable.run(&arn).await.unwrap();
    assert_eq!(second.status, Status::Succeeded, "{second:?}");
    // The same input, the Pass's output kept, and `$$.Execution.RedriveCount` is 1.
    assert_eq!(
        second.output.unwrap(),
        json!({"redriven": 1, "prepared": {"ready": true},
               "charged": {"charge": {"order": 7, "prepared": {"ready": true}}}})
    );
    // The retry policy starts afresh: one call succeeds.
    assert_eq!(service.calls_of("charge").len(), 3);
    let keys = service.keys();
    assert!(keys[2].ends_with("#1.1") && !keys[..2].iter().any(|k| k.contains("#1.")), "{keys:?}");

    let (events, redrive_at) = redriven_history(&durable, &arn).await;
    assert_eq!(
        types(&events[..redrive_at]),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(
        types(&events[redrive_at..]),
        [
            "ExecutionRedriven",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let redriven_event = serde_json::to_value(&events[redrive_at]).unwrap();
    assert_eq!(redriven_event["executionRedrivenEventDetails"], json!({"redriveCount": 1}));
    // The Task is entered again with the input it had.
    let charge = entered(&events, "Charge");
    assert_eq!(charge.len(), 2);
    let inputs: Vec<Value> =
        charge.iter().map(|e| serde_json::to_value(e).unwrap()["stateEnteredEventDetails"]["input"].clone()).collect();
    assert_eq!(inputs[0], inputs[1]);
    assert_eq!(entered(&events, "Prepare").len(), 1, "a state that succeeded does not run again");

    // A succeeded execution is not redrivable.
    match durable.redrive(&arn).await {
        Err(DurableError::Store(StoreError::ExecutionNotRedrivable(reason))) => {
            assert_eq!(reason, "Execution is SUCCEEDED and cannot be redriven.")
        }
        other => panic!("{other:?}"),
    }
}

const PARALLEL: &str = r#"{
  "StartAt": "Both",
  "States": {
    "Both": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a", "End": true}}},
      {"StartAt": "B0", "States": {
        "B0": {"Type": "Pass", "Parameters": {"step.$": "$.step"}, "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "End": true}}},
      {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 60, "Next": "C"},
        "C": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:c", "End": true}}}
    ]}
  }
}"#;

#[tokio::test(start_paused = true)]
async fn a_parallel_runs_again_only_the_branches_that_did_not_succeed() {
    let service = Service::breaking(&["b"]);
    let (durable, arn, first) = first_attempt(&service, PARALLEL, "parallel", r#"{"step": 1}"#).await;
    assert_eq!(first.status, Status::Failed);
    assert_eq!((service.calls_of("a").len(), service.calls_of("b").len(), service.calls_of("c").len()), (1, 1, 0));

    assert_eq!(
        second_attempt(&service, &durable, &arn).await,
        json!([{"a": {"step": 1}}, {"b": {"step": 1}}, {"c": {"step": 1}}]),
        "branch A keeps its output"
    );
    // A succeeded and does not run again; B goes on from its Task, not its
    // Pass; the branch that was aborted in its Wait waits again.
    assert_eq!((service.calls_of("a").len(), service.calls_of("b").len(), service.calls_of("c").len()), (1, 2, 1));
    let (events, redrive_at) = redriven_history(&durable, &arn).await;
    let after = &events[redrive_at..];
    assert_eq!(entered(&events, "B0").len(), 1);
    assert_eq!(entered(&events, "A").len(), 1);
    assert_eq!(entered(after, "Both").len(), 1, "the Parallel is entered again");
    assert_eq!(entered(after, "B").len(), 1);
    assert_eq!(entered(after, "Slow").len(), 1);
    assert_eq!(
        types(&events[redrive_at - 1..redrive_at + 3]),
        ["ExecutionFailed", "ExecutionRedriven", "ParallelStateEntered", "ParallelStateStarted"]
    );
    assert_eq!(
        types(&events[events.len() - 3..]),
        ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    );
}

const MAP: &str = r#"{
  "StartAt": "Each",
  "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
      "ItemProcessor": {"StartAt": "Check", "States": {
        "Check": {"Type": "Pass", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true}}},
      "Next": "Done"},
    "Done": {"Type": "Pass", "Parameters": {"results.$": "$", "redriven.$": "$$.Execution.RedriveCount"}, "End": true}
  }
}"#;

#[tokio::test(start_paused = true)]
async fn a_map_runs_again_only_its_failed_iterations() {
    let service = Service::breaking(&["bad"]);
    let input = r#"{"items": ["one", "bad", "three", "four"]}"#;
    let (durable, arn, first) = first_attempt(&service, MAP, "map", input).await;
    assert_eq!((first.status, first.error.as_deref()), (Status::Failed, Some("Broken")));
    let before: Vec<Value> = service.calls_of("work");

    assert_eq!(
        second_attempt(&service, &durable, &arn).await,
        json!({"redriven": 1, "results": [{"work": "one"}, {"work": "bad"}, {"work": "three"}, {"work": "four"}]})
    );
    let (events, redrive_at) = redriven_history(&durable, &arn).await;
    let after = &events[redrive_at..];
    let succeeded_first: Vec<u64> = events[..redrive_at]
        .iter()
        .filter(|e| e.event_type.as_str() == "MapIterationSucceeded")
        .map(|e| serde_json::to_value(e).unwrap()["mapIterationSucceededEventDetails"]["index"].as_u64().unwrap())
        .collect();
    assert!(succeeded_first.contains(&0), "{succeeded_first:?}");
    let calls = service.calls_of("work");
    for (index, item) in ["one", "bad", "three", "four"].into_iter().enumerate() {
        // An iteration that succeeded keeps its result; one that failed, was
        // aborted or had not started runs (again).
        let first = before.iter().filter(|c| **c == json!(item)).count();
        let again = usize::from(!succeeded_first.contains(&(index as u64)));
        let count = calls.iter().filter(|c| **c == json!(item)).count();
        assert_eq!(count, first + again, "{item}: {calls:?} (first attempt: {before:?})");
    }
    assert_eq!(calls.iter().filter(|c| **c == json!("bad")).count(), 2);
    // Iterations go on from their Task: each enters its Pass once in all.
    assert_eq!(entered(&events, "Check").len(), 4);
    assert_eq!(entered(after, "Check").len(), 4 - before.len(), "only those that had not started");
    assert!(types(after).contains(&"MapIterationSucceeded"));
    // Every iteration that runs again is started again; none that succeeded is.
    let started_again = after.iter().filter(|e| e.event_type.as_str() == "MapIterationStarted").count();
    assert_eq!(started_again, 4 - succeeded_first.len());
    assert_eq!(
        types(&events[events.len() - 4..]),
        ["MapStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    );
}

const SLOW: &str = r#"{
  "TimeoutSeconds": 30,
  "StartAt": "Work",
  "States": {
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true}
  }
}"#;

#[tokio::test(start_paused = true)]
async fn a_timed_out_execution_gets_its_timeout_afresh_and_an_aborted_one_goes_on() {
    let service = Service::default();
    *service.takes.lock().unwrap() = Duration::from_secs(50);
    let (durable, arn, first) = first_attempt(&service, SLOW, "slow", r#""x""#).await;
    assert_eq!(first.status, Status::TimedOut);

    // 20 seconds is within a fresh 30-second timeout, not within what was
    // left of the first (none).
    *service.takes.lock().unwrap() = Duration::from_secs(20);
    durable.redrive(&arn).await.unwrap();
    let second = durable.run(&arn).await.unwrap();
    assert_eq!((second.status, second.output), (Status::Succeeded, Some(json!({"work": "x"}))));

    // Stopped while its Task runs, then redriven: the Task runs again.
    let stopped = durable.start(SLOW, identity("stopped"), r#""y""#, None).await.unwrap().arn;
    let run = tokio::spawn({
        let durable = durable.clone();
        let arn = stopped.clone();
        async move { durable.run(&arn).await }
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    durable.stop(&stopped, Some("Halt".into()), None).await.unwrap();
    assert_eq!(run.await.unwrap().unwrap().status, Status::Aborted);
    let redriven = durable.redrive(&stopped).await.unwrap();
    assert_eq!(redriven.redrive_count, 1);
    let second = durable.run(&stopped).await.unwrap();
    assert_eq!((second.status, second.output), (Status::Succeeded, Some(json!({"work": "y"}))));
    let events = durable.history(&stopped).await.unwrap();
    assert_numbered(&events);
    assert!(types(&events).windows(2).any(|w| w == ["ExecutionAborted", "ExecutionRedriven"]), "{:?}", types(&events));
}

#[tokio::test(start_paused = true)]
async fn what_is_not_redrivable_is_refused_and_a_redriven_attempt_survives_a_crash() {
    let service = Service::breaking(&["charge"]);
    let store: Arc<dyn ExecutionStore> = Arc::new(SqliteStore::in_memory().unwrap());
    let durable = Durable::shared(store.clone()).handler(service.handler()).clock(VirtualClock::new());
    let record = durable.start(TASK, identity("crash"), r#"{"order": 8}"#, None).await.unwrap();
    let refused = |r: Result<asl_runtime::ExecutionRecord, DurableError>| match r {
        Err(DurableError::Store(StoreError::ExecutionNotRedrivable(reason))) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(refused(durable.redrive(&record.arn).await), "Execution is RUNNING and cannot be redriven.");
    assert_eq!(durable.run(&record.arn).await.unwrap().status, Status::Failed);
    service.repair();
    durable.redrive(&record.arn).await.unwrap();
    // A second redrive of the same attempt finds it running.
    assert_eq!(refused(durable.redrive(&record.arn).await), "Execution is RUNNING and cannot be redriven.");

    // The process dies at its first journal write of the new attempt ...
    let dead = Arc::new(tokio::sync::Notify::new());
    let dying = Arc::new(support::dying::Dying::new(store.clone(), 0, dead.clone()));
    let doomed = Durable::shared(dying.clone()).handler(service.handler()).clock(VirtualClock::new());
    tokio::select! {
        run = doomed.run(&record.arn) => panic!("ran to its end: {run:?}"),
        _ = dead.notified() => {}
    }
    assert_eq!(dying.writes(), 0);
    // ... and another runs the attempt from its journal.
    let done = durable.run(&record.arn).await.unwrap();
    assert_eq!(done.status, Status::Succeeded);
    let events = durable.history(&record.arn).await.unwrap();
    assert_numbered(&events);
    assert_eq!(events.iter().filter(|e| e.event_type.as_str() == "ExecutionRedriven").count(), 1);
    assert_eq!(events.iter().filter(|e| e.event_type.as_str() == "ExecutionSucceeded").count(), 1);

    // Long after it ended, it cannot be redriven.
    *service.takes.lock().unwrap() = Duration::from_secs(50);
    let late = Durable::shared(store.clone()).handler(service.handler()).clock(VirtualClock::new());
    let failed = late.start(SLOW, identity("late"), r#""z""#, None).await.unwrap();
    late.stop(&failed.arn, None, None).await.unwrap();
    assert_eq!(late.run(&failed.arn).await.unwrap().status, Status::Aborted);
    tokio::time::advance(Duration::from_secs(15 * 24 * 60 * 60)).await;
    assert_eq!(refused(late.redrive(&failed.arn).await), "Execution redrivable period exceeded.");
}

const INSTANT_MAP: &str = r#"{
  "StartAt": "Each",
  "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
      "ItemProcessor": {"StartAt": "Odd?", "States": {
        "Odd?": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Two"}], "Default": "Keep"},
        "Two": {"Type": "Fail", "Error": "Two", "Cause": "no twos"},
        "Keep": {"Type": "Pass", "End": true}}}}
  }
}"#;

/// A Map whose processor never waits runs its items without a scope each;
/// its succeeded items are kept all the same, and the failed one and the
/// one aborted with it run again (the failed one, deterministic, fails
/// again the same way, and aborts the other again).
#[tokio::test(start_paused = true)]
async fn an_instant_map_keeps_its_succeeded_items_on_redrive() {
    let service = Service::default();
    let (durable, arn, first) = first_attempt(&service, INSTANT_MAP, "instant", r#"{"items": [1, 2, 3]}"#).await;
    assert_eq!((first.status, first.error.as_deref()), (Status::Failed, Some("Two")));
    durable.redrive(&arn).await.unwrap();
    let second = durable.run(&arn).await.unwrap();
    assert_eq!(
        (second.status, second.error.as_deref(), second.cause.as_deref()),
        (Status::Failed, Some("Two"), Some("no twos"))
    );
    let (events, redrive_at) = redriven_history(&durable, &arn).await;
    let after = &events[redrive_at..];
    let count = |kind: &str| after.iter().filter(|e| e.event_type.as_str() == kind).count();
    assert_eq!(count("MapIterationStarted"), 2, "the failed and the aborted item: {:?}", types(after));
    assert_eq!((count("ChoiceStateEntered"), count("MapIterationAborted")), (1, 1), "{:?}", types(after));
    let first_attempt = &events[..redrive_at];
    let kept = first_attempt.iter().filter(|e| e.event_type.as_str() == "MapIterationSucceeded").count();
    assert_eq!(kept, 1, "item 1 succeeded in the first attempt and is not run again");
    // And it can be redriven again.
    assert_eq!(durable.redrive(&arn).await.unwrap().redrive_count, 2);
    assert_eq!(durable.run(&arn).await.unwrap().status, Status::Failed);
    let (events, _) = redriven_history(&durable, &arn).await;
    assert_eq!(events.iter().filter(|e| e.event_type.as_str() == "ExecutionRedriven").count(), 2);
}
