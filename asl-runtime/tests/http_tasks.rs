//! `HttpTasks` against a real HTTP server (hyper's, on a loopback port):
//! each Task is a POST of its input with its context in headers; a 2xx
//! JSON answer is the result, an error body `{error, cause}` is the Task's
//! error, any other status is AWS's `States.Http.StatusCode.<code>`, and an
//! endpoint that is not there is `States.Http.Socket`.

mod support {
    pub mod http_server;
}

use asl_runtime::{HttpTasks, Status, Workflow};
use hyper::Response;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// What the server saw: each request's state header and body.
type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// Serves on a loopback port: the answer depends on the Task's state.
async fn server(seen: Seen) -> String {
    let base = support::http_server::serve(move |request| {
        let state = request.headers["x-asl-state"].to_str().unwrap().to_string();
        assert_eq!(request.headers["x-asl-resource"], "arn:aws:states:::http:invoke");
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        seen.lock().unwrap().push((state.clone(), body.clone()));
        let (status, answer) = match state.as_str() {
            "Price" => (200, json!({"total": body["qty"].as_i64().unwrap_or(0) * 3}).to_string()),
            "Charge" => (402, json!({"error": "Card.Declined", "cause": "no funds"}).to_string()),
            _ => (404, "no such thing".to_string()),
        };
        Response::builder().status(status).body(answer).unwrap()
    })
    .await;
    format!("{base}/tasks")
}

const DEFINITION: &str = r#"{"StartAt": "Price", "States": {
    "Price": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "ResultPath": "$.price", "Next": "Charge"},
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "ResultPath": null,
               "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.declined", "Next": "Ship"}], "End": true},
    "Ship": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": true}}}"#;

#[tokio::test]
async fn tasks_go_to_the_endpoint_and_its_answers_are_results_or_errors() {
    let seen = Seen::default();
    let url = server(seen.clone()).await;
    let workflow = Workflow::from_json(DEFINITION).unwrap();
    let executor = workflow.executor().handler(HttpTasks::new(&url).unwrap());
    let execution = executor.run(json!({"qty": 4})).await;
    // Price answered, Charge's error caught, Ship's 404 failed the execution.
    assert_eq!(execution.status, Status::Failed, "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("States.Http.StatusCode.404"));
    assert_eq!(execution.cause.as_deref(), Some("no such thing"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("Price".to_string(), json!({"qty": 4})),
            ("Charge".to_string(), json!({"qty": 4, "price": {"total": 12}})),
            (
                "Ship".to_string(),
                json!({"qty": 4, "price": {"total": 12}, "declined": {"Error": "Card.Declined", "Cause": "no funds"}})
            ),
        ]
    );
}

#[tokio::test]
async fn an_endpoint_that_is_not_there_is_a_socket_error() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let workflow = Workflow::from_json(DEFINITION).unwrap();
    let handler = HttpTasks::new(&format!("http://127.0.0.1:{port}/")).unwrap();
    let execution = workflow.executor().handler(handler).run(json!({})).await;
    assert_eq!(execution.error.as_deref(), Some("States.Http.Socket"), "{execution:?}");
}
