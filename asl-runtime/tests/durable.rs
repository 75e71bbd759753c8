//! Durable executions through the library: a store, a crash, a resume.

use asl_runtime::{Durable, Identity, SqliteStore, TaskError, TaskRequest};
use serde_json::{Value, json};

fn echo(req: TaskRequest) -> asl_runtime::BoxFuture<'static, Result<Value, TaskError>> {
    Box::pin(async move { Ok(req.input) })
}

#[test]
fn a_pass_and_a_task_run_durably() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let durable = Durable::new(SqliteStore::in_memory().unwrap()).handler(echo);
        let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "T"}, "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:echo", "End": true}}}"#;
        let record = durable.start(def, Identity::default(), r#"{"a": 1}"#, None).await.unwrap();
        let run = tokio::time::timeout(std::time::Duration::from_secs(5), durable.run(&record.arn)).await.expect("ends");
        let run = run.unwrap();
        assert_eq!(run.output, Some(json!({"a": 1})));
        let history = durable.history(&record.arn).await.unwrap();
        assert_eq!(history.len(), 9, "{history:?}");
    });
}
