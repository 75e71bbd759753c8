//! `LambdaEndpoint` against a real HTTP server that speaks Lambda's Invoke
//! REST API (`POST /2015-03-31/functions/{name}/invocations`, as SAM CLI's
//! `start-lambda` and LocalStack do): a function's payload is the Task's
//! result (bare for a function ARN, in the Invoke envelope through
//! `lambda:invoke`), a function error (`X-Amz-Function-Error`) is the
//! Task's error with the function's error document as cause, and the
//! service's own errors are `Lambda.<ErrorType>`.

mod support {
    pub mod http_server;
}

use asl_runtime::{LambdaEndpoint, Status, Workflow};
use hyper::Response;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The paths and bodies the service received.
type Seen = Arc<Mutex<Vec<(String, Value)>>>;

async fn lambda_service(seen: Seen) -> String {
    support::http_server::serve(move |request| {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        seen.lock().unwrap().push((request.path.clone(), body.clone()));
        let function = request
            .path
            .strip_prefix("/2015-03-31/functions/")
            .and_then(|p| p.strip_suffix("/invocations"))
            .unwrap_or_default()
            .to_string();
        match function.as_str() {
            "double" => {
                Response::builder().status(200).body(json!({"n": body["n"].as_i64().unwrap_or(0) * 2}).to_string())
            }
            "broken" => Response::builder().status(200).header("X-Amz-Function-Error", "Unhandled").body(
                json!({"errorType": "ValueError", "errorMessage": "bad n", "stackTrace": ["line 1"]}).to_string(),
            ),
            _ => Response::builder()
                .status(404)
                .header("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")
                .body(json!({"Type": "User", "message": format!("Function not found: {function}")}).to_string()),
        }
        .unwrap()
    })
    .await
}

const DEFINITION: &str = r#"{"StartAt": "Direct", "States": {
    "Direct": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
               "ResultPath": "$.direct", "Next": "Invoked"},
    "Invoked": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:double", "Payload": {"n.$": "$.direct.n"}},
                "ResultSelector": {"n.$": "$.Payload.n", "status.$": "$.StatusCode"}, "ResultPath": "$.invoked", "Next": "Broken"},
    "Broken": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:broken",
               "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.caught", "Next": "Missing"}], "End": true},
    "Missing": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "nope", "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.missing", "Next": "Done"}], "End": true},
    "Done": {"Type": "Succeed"}}}"#;

#[tokio::test]
async fn lambda_tasks_go_to_the_invoke_api_and_come_back_as_on_aws() {
    let seen = Seen::default();
    let url = lambda_service(seen.clone()).await;
    let workflow = Workflow::from_json(DEFINITION).unwrap();
    let executor = workflow.executor().handler(LambdaEndpoint::new(&url).unwrap());
    let execution = executor.run(json!({"n": 3})).await;
    assert_eq!(execution.status, Status::Succeeded, "{execution:?}");
    let output = execution.output.clone().unwrap();
    // The service's error: Lambda.<ErrorType>, with the SDK's cause.
    assert_eq!(output["missing"]["Error"], "Lambda.ResourceNotFoundException");
    let cause = output["missing"]["Cause"].as_str().unwrap();
    assert!(cause.starts_with("Function not found: nope (Service: AWSLambda; Status Code: 404"), "{cause}");

    let seen = seen.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/2015-03-31/functions/double/invocations",
            "/2015-03-31/functions/double/invocations",
            "/2015-03-31/functions/broken/invocations",
            "/2015-03-31/functions/nope/invocations",
        ]
    );
    // The event is the effective input for a function ARN, the Payload through lambda:invoke.
    assert_eq!(seen[0].1, json!({"n": 3}));
    assert_eq!(seen[1].1, json!({"n": 6}));

    // The function's results, bare and in the Invoke envelope.
    let input = &output;
    assert_eq!(input["direct"], json!({"n": 6}));
    assert_eq!(input["invoked"], json!({"n": 12, "status": 200}));
    // A function error: its type, and its error document as the cause.
    assert_eq!(input["caught"]["Error"], "ValueError");
    let document: Value = serde_json::from_str(input["caught"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        (document["errorType"].as_str(), document["errorMessage"].as_str()),
        (Some("ValueError"), Some("bad n"))
    );
    assert_eq!(document["stackTrace"], json!(["line 1"]));
}

#[tokio::test]
async fn an_endpoint_that_is_not_there_fails_the_task_with_the_sdks_error() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let workflow = Workflow::from_json(DEFINITION).unwrap();
    let handler = LambdaEndpoint::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let execution = workflow.executor().handler(handler).run(json!({"n": 1})).await;
    assert_eq!(execution.status, Status::Failed);
    assert_eq!(execution.error.as_deref(), Some("Lambda.SdkClientException"), "{execution:?}");
    assert!(LambdaEndpoint::new("https://lambda.example").is_err(), "plain http:// only");
}
