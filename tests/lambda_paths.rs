//! The typed path and the dynamic path call a Lambda function alike: the
//! typed method is the function (it gets the event and returns its
//! payload), and the Task sees what AWS shows, the Invoke response for
//! `lambda:invoke` and the function's error document as a cause, whichever
//! path called it.

use asl_runtime::{Execution, Handlers, TaskContext, TaskError, TaskRequest, Workflow};
use serde_json::{Value, json};

asl_runtime::include_workflow!("tests/workflows/invoke.json" as invoke);

/// `greet` greets; `shout` shouts the greeting; `check` refuses names
/// shorter than four letters.
struct Functions;

fn greet(event: Value) -> Value {
    json!({"greeting": format!("hello {}", event["name"].as_str().unwrap_or("?")), "event": event})
}

fn shout(event: &Value) -> Value {
    json!({"loud": event["greeting"].as_str().unwrap_or_default().to_uppercase()})
}

fn check(event: &Value) -> Result<Value, TaskError> {
    match event["greeting"].as_str() {
        Some(g) if g.len() >= "hello abcd".len() => Ok(json!("fine")),
        _ => Err(TaskError::new("Invalid", "the name is too short")),
    }
}

impl invoke::Tasks for Functions {
    // Each `lambda:invoke` function has its own method.
    type GreetInput = Value;
    type GreetOutput = Value;
    async fn greet(&self, event: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(greet(event))
    }
    type ShoutInput = Value;
    type ShoutOutput = Value;
    async fn shout(&self, event: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(shout(&event))
    }
    type CheckInput = Value;
    type CheckOutput = Value;
    async fn check(&self, event: Value, _: TaskContext) -> Result<Value, TaskError> {
        check(&event)
    }
}

fn dynamic() -> asl_runtime::Executor {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/workflows/invoke.json")).unwrap();
    let handlers = Handlers::new()
        .function("greet", |req: TaskRequest| async move { Ok(greet(req.input)) })
        .function("shout", |req: TaskRequest| async move { Ok(shout(&req.input)) })
        .function("check", |req: TaskRequest| async move { check(&req.input) });
    Workflow::from_json(&text).unwrap().executor().handler(handlers)
}

/// The outcome with the Lambda request ids (fresh per call) taken out.
fn comparable(e: &Execution) -> Value {
    let mut v = json!({"status": e.status.as_str(), "output": e.output, "error": e.error, "cause": e.cause});
    if let Some(cause) = v.pointer_mut("/output/error/Cause") {
        let mut doc: Value = serde_json::from_str(cause.as_str().unwrap()).unwrap();
        doc.as_object_mut().unwrap().remove("requestId").expect("a Lambda error document");
        *cause = doc;
    }
    v
}

#[tokio::test]
async fn lambda_invoke_reads_its_payload_and_errors_are_lambda_errors_on_both_paths() {
    for name in ["Alexandra", "Al"] {
        let typed = invoke::Machine::new(Functions).run(json!({"name": name})).await;
        let dynamic = dynamic().run(json!({"name": name})).await;
        assert_eq!(comparable(&typed), comparable(&dynamic), "{name}");
        let output = typed.output.expect("succeeds");
        // `OutputPath: $.Payload` reads the function's payload out of the Invoke response.
        assert_eq!(output["greeting"], format!("hello {name}"));
        assert_eq!(output["event"], json!({"name": name}), "the function gets the Payload");
        assert_eq!(output["shouted"], json!({"loud": format!("HELLO {}", name.to_uppercase())}));
        if name == "Al" {
            let cause: Value = serde_json::from_str(output["error"]["Cause"].as_str().unwrap()).unwrap();
            assert_eq!(output["error"]["Error"], "Invalid");
            assert_eq!(
                (&cause["errorType"], &cause["errorMessage"]),
                (&json!("Invalid"), &json!("the name is too short"))
            );
        } else {
            assert_eq!(output["checked"], "fine");
        }
    }
}
