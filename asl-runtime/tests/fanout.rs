//! Parallel and Map: results in order, failures cancel in-flight work,
//! MaxConcurrency bounds what runs at once.

use asl_runtime::{Handlers, Status, TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn workflow(text: &str) -> Workflow {
    Workflow::from_json(text)
        .unwrap_or_else(|d| panic!("invalid: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

/// Counts handler futures that were dropped before they finished.
#[derive(Default)]
struct Probe {
    started: AtomicUsize,
    finished: AtomicUsize,
    cancelled: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

struct Guard(Arc<Probe>, bool);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
        if !self.1 {
            self.0.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A handler that sleeps `input.sleep` seconds, then returns or fails with `input.fail`.
fn slow(
    probe: Arc<Probe>,
) -> impl Fn(TaskRequest) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, TaskError>> + Send>>
+ Send
+ Sync
+ 'static {
    move |r: TaskRequest| {
        let probe = probe.clone();
        Box::pin(async move {
            probe.started.fetch_add(1, Ordering::SeqCst);
            let now = probe.running.fetch_add(1, Ordering::SeqCst) + 1;
            probe.peak.fetch_max(now, Ordering::SeqCst);
            let mut guard = Guard(probe.clone(), false);
            tokio::time::sleep(Duration::from_secs(r.input["sleep"].as_u64().unwrap_or(0))).await;
            guard.1 = true;
            probe.finished.fetch_add(1, Ordering::SeqCst);
            match r.input["fail"].as_str() {
                Some(e) => Err(TaskError::new(e, "asked to fail")),
                None => Ok(r.input),
            }
        })
    }
}

const TASK: &str = r#"{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Work", "End": true}"#;

#[tokio::test(start_paused = true)]
async fn parallel_returns_branch_outputs_in_order() {
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Work", "Parameters": {"sleep": 3, "b": 1}, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Work", "Parameters": {"sleep": 1, "b": 2}, "End": true}}}]}}}"#.to_string();
    let probe = Arc::new(Probe::default());
    let run = workflow(&def).executor().clock(VirtualClock::new()).handler(slow(probe.clone())).run(json!({})).await;
    assert_eq!(run.output, Some(json!([{"sleep": 3, "b": 1}, {"sleep": 1, "b": 2}])));
    assert_eq!(probe.peak.load(Ordering::SeqCst), 2, "branches run concurrently");
}

#[tokio::test(start_paused = true)]
async fn a_failing_branch_cancels_the_others_and_is_caught() {
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "Done",
        "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "Done"}],
        "Branches": [
            {"StartAt": "Fast", "States": {"Fast": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Work", "Parameters": {"sleep": 1, "fail": "Boom"}, "End": true}}},
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Work", "Parameters": {"sleep": 600}, "End": true}}}]},
        "Done": {"Type": "Succeed"}}}"#;
    let probe = Arc::new(Probe::default());
    let started = tokio::time::Instant::now();
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(slow(probe.clone())).run(json!({})).await;
    assert_eq!(run.status, Status::Succeeded);
    assert_eq!(run.output, Some(json!({"error": {"Error": "Boom", "Cause": "asked to fail"}})));
    assert_eq!(probe.cancelled.load(Ordering::SeqCst), 1, "the slow branch's task was dropped");
    assert_eq!(probe.running.load(Ordering::SeqCst), 0, "nothing is still running");
    assert!(started.elapsed() < Duration::from_secs(600), "the execution did not wait for the slow branch");
    // As AWS records it: the failed Task is closed as aborted at once, the
    // other branch's running Task is aborted, and a Parallel whose branch
    // failed in a Task gets no `ParallelStateFailed`.
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    // (A Lambda function ARN as `Resource` records AWS's legacy Lambda events.)
    let failed = types.iter().position(|t| *t == "LambdaFunctionFailed").expect("the fast task failed");
    assert_eq!(types[failed + 1..failed + 3], ["TaskStateAborted", "TaskStateAborted"], "{types:?}");
    assert_eq!(types[failed + 3], "ParallelStateExited", "{types:?}");
    assert!(!types.contains(&"ParallelStateFailed"), "{types:?}");
}

#[tokio::test(start_paused = true)]
async fn a_branch_that_fails_in_a_fail_state_fails_the_parallel() {
    // No Task is open: AWS records `ParallelStateFailed`, and no abort.
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope"}}}]}}}"#;
    let run = workflow(def).executor().clock(VirtualClock::new()).run(json!({})).await;
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "FailStateEntered",
            "ParallelStateFailed",
            "ExecutionFailed"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_task_failing_outside_any_branch_is_not_aborted() {
    let def = format!(r#"{{"StartAt": "W", "States": {{"W": {TASK}}}}}"#);
    let probe = Arc::new(Probe::default());
    let run =
        workflow(&def).executor().clock(VirtualClock::new()).handler(slow(probe)).run(json!({"fail": "Bad"})).await;
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types[types.len() - 2..], ["LambdaFunctionFailed", "ExecutionFailed"]);
    assert!(!types.contains(&"TaskStateAborted"), "{types:?}");
}

#[tokio::test(start_paused = true)]
async fn map_respects_max_concurrency_and_keeps_order() {
    let def = format!(
        r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "MaxConcurrency": 3, "ItemsPath": "$.items",
            "ItemSelector": {{"sleep.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"}},
            "ItemProcessor": {{"StartAt": "W", "States": {{"W": {TASK}}}}}, "End": true}}}}}}"#
    );
    let probe = Arc::new(Probe::default());
    let items: Vec<u64> = (0..10).map(|i| 10 - i).collect();
    let run = workflow(&def)
        .executor()
        .clock(VirtualClock::new())
        .handler(slow(probe.clone()))
        .run(json!({"items": items, "tag": "t"}))
        .await;
    assert_eq!(run.status, Status::Succeeded);
    let out = run.output.unwrap();
    let indexes: Vec<u64> = out.as_array().unwrap().iter().map(|v| v["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, (0..10).collect::<Vec<_>>());
    assert_eq!(out[0]["tag"], "t");
    assert_eq!(probe.peak.load(Ordering::SeqCst), 3);
    let started = run.events.iter().find(|e| e.event_type == "MapStateStarted").unwrap();
    assert_eq!(serde_json::to_value(started).unwrap()["mapStateStartedEventDetails"]["length"], 10);
}

#[tokio::test(start_paused = true)]
async fn a_failing_iteration_aborts_the_rest() {
    let def = format!(
        r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "MaxConcurrency": 0,
            "ItemProcessor": {{"StartAt": "W", "States": {{"W": {TASK}}}}}, "End": true}}}}}}"#
    );
    let probe = Arc::new(Probe::default());
    let mut items: Vec<Value> = (0..20).map(|_| json!({"sleep": 100})).collect();
    items[7] = json!({"sleep": 1, "fail": "Bad.Item"});
    let run = workflow(&def)
        .executor()
        .clock(VirtualClock::new())
        .handler(slow(probe.clone()))
        .run(Value::Array(items))
        .await;
    assert_eq!((run.status, run.error.as_deref()), (Status::Failed, Some("Bad.Item")));
    assert_eq!(probe.started.load(Ordering::SeqCst), 20, "MaxConcurrency 0 runs everything at once");
    assert_eq!(probe.cancelled.load(Ordering::SeqCst), 19);
    assert_eq!(probe.running.load(Ordering::SeqCst), 0);
    let aborted = run.events.iter().filter(|e| e.event_type == "MapIterationAborted").count();
    assert_eq!(aborted, 19);
    // As AWS records it: the failed iteration, then its Task closed as
    // aborted; each other iteration aborted, then its running Task.
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    let failed = types.iter().position(|t| *t == "MapIterationFailed").expect("an iteration failed");
    let mut expected = vec!["MapIterationFailed", "TaskStateAborted"];
    expected.extend(std::iter::repeat_n(["MapIterationAborted", "TaskStateAborted"], 19).flatten());
    expected.extend(["MapStateFailed", "ExecutionFailed"]);
    assert_eq!(types[failed..], expected[..]);
}

#[tokio::test(start_paused = true)]
async fn aborted_tasks_are_counted_without_history() {
    // A state after the failed Map names its entry's event id in its error:
    // the same with and without history, so the aborts were counted.
    let def = format!(
        r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "MaxConcurrency": 0,
            "ItemProcessor": {{"StartAt": "W", "States": {{"W": {TASK}}}}},
            "Catch": [{{"ErrorEquals": ["States.ALL"], "Next": "After"}}], "End": true}},
            "After": {{"Type": "Pass", "Parameters": {{"x.$": "$.missing"}}, "End": true}}}}}}"#
    );
    let items =
        || Value::Array(vec![json!({"sleep": 1, "fail": "Bad.Item"}), json!({"sleep": 100}), json!({"sleep": 100})]);
    let run = |history: bool| {
        let executor = workflow(&def)
            .executor()
            .clock(VirtualClock::new())
            .handler(slow(Arc::new(Probe::default())))
            .record_history(history);
        async move { executor.run(items()).await }
    };
    let (kept, counted) = (run(true).await, run(false).await);
    let entered = kept.events.iter().find(|e| e.event_type == "PassStateEntered").expect("After was entered").id;
    assert_eq!(kept.events.iter().filter(|e| e.event_type == "TaskStateAborted").count(), 3);
    assert!(
        kept.cause.as_deref().unwrap().contains(&format!("(entered at the event id #{entered})")),
        "{:?}",
        kept.cause
    );
    assert_eq!(counted.cause, kept.cause);
}

#[tokio::test(start_paused = true)]
async fn tolerated_failures() {
    let def = |tolerance: &str| {
        format!(
            r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", {tolerance},
                "ItemProcessor": {{"ProcessorConfig": {{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "StartAt": "W", "States": {{"W": {TASK}}}}}, "End": true}}}}}}"#
        )
    };
    let items = json!([{"fail": "X"}, {}, {"fail": "X"}, {}]);
    let probe = Arc::new(Probe::default());
    let ok = workflow(&def(r#""ToleratedFailureCount": 2"#))
        .executor()
        .handler(slow(probe.clone()))
        .run(items.clone())
        .await;
    assert_eq!(ok.status, Status::Succeeded);
    let over = workflow(&def(r#""ToleratedFailurePercentage": 25"#)).executor().handler(slow(probe)).run(items).await;
    assert_eq!(over.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    let types: Vec<&str> = over.events.iter().map(|e| e.event_type.as_str()).collect();
    assert!(types.contains(&"MapRunStarted") && types.contains(&"MapRunFailed"), "{types:?}");
    assert!(!types.contains(&"MapIterationStarted"), "distributed iterations are child executions");
}

#[tokio::test(start_paused = true)]
async fn retry_reruns_the_whole_parallel() {
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}],
        "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}]}}}"#;
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(Handlers::new()).run(json!({})).await;
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types.iter().filter(|t| **t == "ParallelStateStarted").count(), 3);
    assert_eq!(types.iter().filter(|t| **t == "ParallelStateFailed").count(), 1);
    assert_eq!(run.error.as_deref(), Some("E"));
}

/// A folder standing in for S3 with a bucket `orders` holding `in/list.csv`
/// (three rows).
fn orders_bucket() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let bucket = root.path().join("orders");
    std::fs::create_dir_all(bucket.join("in")).unwrap();
    std::fs::write(bucket.join("in/list.csv"), "id,qty\na1,2\na2,5\na3,1\n").unwrap();
    (root, bucket)
}

/// The iteration outputs a `ResultWriter` wrote, found from the Map's output
/// through the manifest.
fn written_outputs(bucket: &std::path::Path, map_output: &Value) -> Vec<Value> {
    let read = |key: &Value| -> Value {
        serde_json::from_slice(&std::fs::read(bucket.join(key.as_str().unwrap())).unwrap()).unwrap()
    };
    let manifest = read(&map_output["ResultWriterDetails"]["Key"]);
    let results = read(&manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]);
    results.as_array().unwrap().iter().map(|r| serde_json::from_str(r["Output"].as_str().unwrap()).unwrap()).collect()
}

#[tokio::test(start_paused = true)]
async fn item_reader_and_result_writer_use_the_object_store() {
    use asl_runtime::LocalObjectStore;
    let (root, bucket) = orders_bucket();
    std::fs::write(bucket.join("in/list.jsonl"), "{\"id\": 1}\n{\"id\": 2}\n").unwrap();
    let def = |reader: &str| {
        format!(
            r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "ItemReader": {reader},
            "ResultWriter": {{"Resource": "arn:aws:states:::s3:putObject", "Parameters": {{"Bucket": "orders", "Prefix": "out"}}}},
            "ItemProcessor": {{"ProcessorConfig": {{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": true}}}}}}, "End": true}}}}}}"#
        )
    };
    let csv = def(
        r#"{"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2},
        "Parameters": {"Bucket.$": "$.bucket", "Key": "in/list.csv"}}"#,
    );
    let run = workflow(&csv)
        .executor()
        .object_store(LocalObjectStore::new(root.path()))
        .run(json!({"bucket": "orders"}))
        .await;
    let out = run.output.clone().unwrap_or_else(|| panic!("{:?}", run.cause));
    assert_eq!(
        written_outputs(&bucket, &out),
        [json!({"id": "a1", "qty": "2"}), json!({"id": "a2", "qty": "5"})],
        "MaxItems 2 of 3 rows"
    );

    let jsonl = def(
        r#"{"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"}, "Parameters": {"Bucket": "orders", "Key": "in/list.jsonl"}}"#,
    );
    let run = workflow(&jsonl).executor().object_store(LocalObjectStore::new(root.path())).run(json!({})).await;
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.cause);

    let listing = def(
        r#"{"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "orders", "Prefix": "in/"}}"#,
    );
    let run = workflow(&listing).executor().object_store(LocalObjectStore::new(root.path())).run(json!({})).await;
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.cause);

    // A missing object is States.ItemReaderFailed; no store at all says how to configure one.
    let missing =
        def(r#"{"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "orders", "Key": "nope.json"}}"#);
    let run = workflow(&missing).executor().object_store(LocalObjectStore::new(root.path())).run(json!({})).await;
    assert_eq!(run.error.as_deref(), Some("States.ItemReaderFailed"));
    let run = workflow(&missing).executor().run(json!({})).await;
    assert!(run.cause.unwrap().contains("needs an object store"));
}

#[tokio::test(start_paused = true)]
async fn item_batcher_groups_selected_items_by_count_and_size() {
    let def = r#"{"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemSelector": {"n.$": "$$.Map.Item.Value"},
        "ItemBatcher": {"MaxItemsPerBatchPath": "$.per", "MaxInputBytesPerBatch": 100, "BatchInput": {"run": "r1"}},
        "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
    let run = workflow(def).executor().run(json!({"per": 2, "items": [1, 2, 3, 4, 5]})).await;
    assert_eq!(
        run.output,
        Some(json!([
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 1}, {"n": 2}]},
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 3}, {"n": 4}]},
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 5}]}
        ])),
        "{:?}",
        run.cause
    );
    // The byte limit splits too: each {"n":"xxx…"} is ~40 bytes, 100 fit two.
    let long: Vec<Value> = (0..3).map(|i| json!(format!("{i}{}", "x".repeat(30)))).collect();
    let run = workflow(def).executor().run(json!({"per": 10, "items": long})).await;
    let sizes: Vec<usize> =
        run.output.unwrap().as_array().unwrap().iter().map(|b| b["Items"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [2, 1]);
    // A bad path value is AWS's runtime error.
    let run = workflow(def).executor().run(json!({"per": "two", "items": [1]})).await;
    assert!(run.cause.unwrap().contains("The MaxItemsPerBatchPath field refers to value \"two\""));
}

#[tokio::test(start_paused = true)]
async fn a_jsonata_distributed_map_reads_batches_and_writes_with_arguments() {
    use asl_runtime::LocalObjectStore;
    let (root, bucket) = orders_bucket();
    // `Arguments`, `MaxItems`, `MaxItemsPerBatch` and `BatchInput` read the
    // state's input through `$states.input`.
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": "{% $states.input.max %}"},
            "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "{% 'in/' & $states.input.file %}"}},
        "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.per %}", "BatchInput": {"run": "{% $states.input.run %}", "fixed": 1}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "out"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
    let input = json!({"bucket": "orders", "file": "list.csv", "max": 3, "per": 2, "run": "r7"});
    let run = workflow(def).executor().object_store(LocalObjectStore::new(root.path())).run(input.clone()).await;
    let out = run.output.clone().unwrap_or_else(|| panic!("{:?} {:?}", run.error, run.cause));
    assert!(out["ResultWriterDetails"]["Key"].as_str().unwrap().starts_with("out/"), "{out}");
    assert_eq!(
        written_outputs(&bucket, &out),
        [
            json!({"BatchInput": {"run": "r7", "fixed": 1}, "Items": [{"id": "a1", "qty": "2"}, {"id": "a2", "qty": "5"}]}),
            json!({"BatchInput": {"run": "r7", "fixed": 1}, "Items": [{"id": "a3", "qty": "1"}]}),
        ]
    );
    // A failing expression in `Arguments` is AWS's JSONata error, naming the field.
    let broken = def.replace("{% 'in/' & $states.input.file %}", "{% $states.input.nope %}");
    let run = workflow(&broken).executor().object_store(LocalObjectStore::new(root.path())).run(input).await;
    assert_eq!(run.error.as_deref(), Some("States.QueryEvaluationError"), "{:?}", run.cause);
    assert!(run.cause.as_deref().unwrap().contains("'ItemReader/Arguments/Key'"), "{:?}", run.cause);
}
