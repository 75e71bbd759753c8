//! Lifecycle: stopping an execution, task-token callbacks, heartbeats.

use asl_runtime::{
    CallbackError, Status, TaskError, TaskRequest, VirtualClock, Workflow, send_task_failure, send_task_heartbeat,
    send_task_success,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn workflow(text: &str) -> Workflow {
    Workflow::from_json(text)
        .unwrap_or_else(|d| panic!("invalid: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

struct Live(Arc<AtomicUsize>);
impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_ends_aborted_with_nothing_running() {
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "work", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "work", "End": true}}}]}}}"#;
    let live = Arc::new(AtomicUsize::new(0));
    let l = live.clone();
    let handler = move |_r: TaskRequest| {
        let live = l.clone();
        async move {
            live.fetch_add(1, Ordering::SeqCst);
            let _guard = Live(live);
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(Value::Null)
        }
    };
    let executor = workflow(def).executor().clock(VirtualClock::new()).handler(handler);
    let (stopper, execution) = executor.start(json!({}));
    let watcher = live.clone();
    let stop_later = async move {
        // Wait until both tasks are running, then stop.
        while watcher.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stopper.stop(Some("Operator.Cancelled"), Some("stopped by the test"));
    };
    let (run, ()) = tokio::join!(execution, stop_later);
    assert_eq!(run.status, Status::Aborted);
    assert_eq!(run.error.as_deref(), Some("Operator.Cancelled"));
    assert_eq!(live.load(Ordering::SeqCst), 0, "no task is still running");
    assert_eq!(run.events.last().map(|e| e.event_type.as_str()), Some("ExecutionAborted"));
}

const CALLBACK: &str = r#"{"StartAt": "Approve", "States": {"Approve": {"Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
    "HeartbeatSeconds": 60, "TimeoutSeconds": 3600, "ResultPath": "$.approval", "End": true}}}"#;

/// The messages a [`queue`] handler published.
type Inbox = Arc<Mutex<Vec<Value>>>;

/// A stand-in for a queue: the handler publishes the message; the test plays the approver.
fn queue() -> (Inbox, impl Fn(TaskRequest) -> std::future::Ready<Result<Value, TaskError>> + Send + Sync + 'static) {
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let sent = inbox.clone();
    (inbox, move |r: TaskRequest| {
        sent.lock().unwrap().push(r.input["MessageBody"].clone());
        std::future::ready(Ok(json!({"MessageId": "m-1"})))
    })
}

async fn take_token(inbox: &Mutex<Vec<Value>>) -> String {
    loop {
        if let Some(msg) = inbox.lock().unwrap().pop() {
            return msg["token"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_task_token_callback_resumes_the_execution() {
    let (inbox, handler) = queue();
    let executor = workflow(CALLBACK).executor().clock(VirtualClock::new()).handler(handler);
    let approver = async {
        let token = take_token(&inbox).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        send_task_heartbeat(&token).unwrap();
        tokio::time::sleep(Duration::from_secs(50)).await;
        send_task_success(&token, json!({"approved": true})).unwrap();
        // A token answers once.
        assert_eq!(send_task_success(&token, json!({})), Err(CallbackError::TaskDoesNotExist));
    };
    let (run, ()) = tokio::join!(executor.run(json!({"order": 7})), approver);
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.cause);
    assert_eq!(run.output, Some(json!({"order": 7, "approval": {"approved": true}})));
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(&types[2..6], ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]);
}

#[tokio::test(start_paused = true)]
async fn a_callback_failure_fails_the_task() {
    let (inbox, handler) = queue();
    let executor = workflow(CALLBACK).executor().clock(VirtualClock::new()).handler(handler);
    let approver = async {
        let token = take_token(&inbox).await;
        send_task_failure(&token, "Rejected", "not today").unwrap();
    };
    let (run, ()) = tokio::join!(executor.run(json!({"order": 7})), approver);
    assert_eq!((run.error.as_deref(), run.cause.as_deref()), (Some("Rejected"), Some("not today")));
}

#[tokio::test(start_paused = true)]
async fn a_missed_heartbeat_times_the_task_out() {
    let (_inbox, handler) = queue();
    let run = workflow(CALLBACK).executor().clock(VirtualClock::new()).handler(handler).run(json!({"order": 1})).await;
    assert_eq!(run.error.as_deref(), Some("States.HeartbeatTimeout"));
    assert!(run.events.iter().any(|e| e.event_type == "TaskTimedOut"));
}

#[tokio::test(start_paused = true)]
async fn handlers_can_heartbeat_long_work() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "long", "HeartbeatSeconds": 10, "End": true}}}"#;
    let beating = |r: TaskRequest| async move {
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_secs(5)).await;
            r.context.heartbeat();
        }
        Ok(json!("done"))
    };
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(beating).run(json!({})).await;
    assert_eq!(run.output, Some(json!("done")));
    let silent = |_r: TaskRequest| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(json!("late"))
    };
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(silent).run(json!({})).await;
    assert_eq!(run.error.as_deref(), Some("States.HeartbeatTimeout"));
}

#[tokio::test(start_paused = true)]
async fn activity_workers_poll_for_tasks_and_answer_with_the_token() {
    use asl_runtime::{ActivityWorkers, Handlers};
    let def = r#"{"StartAt": "Review", "States": {"Review": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:review", "HeartbeatSeconds": 20,
        "Parameters": {"doc.$": "$.doc"}, "ResultPath": "$.review", "End": true}}}"#;
    let workers = ActivityWorkers::new();
    let handlers = Handlers::new().on("arn:aws:states:us-east-1:123456789012:activity:review", workers.clone());
    let executor = workflow(def).executor().clock(VirtualClock::new()).handler(handlers);
    let worker = async {
        let task = workers.get_activity_task(Duration::from_secs(60)).await.expect("a task arrives");
        assert_eq!(task.input, json!({"doc": "d-1"}));
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(15)).await;
            send_task_heartbeat(&task.task_token).unwrap();
        }
        send_task_success(&task.task_token, json!({"verdict": "ok"})).unwrap();
        // Nothing else is queued.
        assert!(workers.get_activity_task(Duration::from_secs(60)).await.is_none());
    };
    let (run, ()) = tokio::join!(executor.run(json!({"doc": "d-1"})), worker);
    assert_eq!(run.output, Some(json!({"doc": "d-1", "review": {"verdict": "ok"}})), "{:?}", run.cause);
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(&types[2..5], ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]);
}
