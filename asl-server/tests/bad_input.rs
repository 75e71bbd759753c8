//! Bad requests get AWS's error shape, never a panic or a hang: random
//! bytes, random JSON with the API's own field names holding values of
//! every type, unknown targets, bodies over the limit and invalid ARNs,
//! sent as raw HTTP (no SDK would send them) to a real server.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

const OPERATIONS: &[&str] = &[
    "CreateStateMachine",
    "UpdateStateMachine",
    "DescribeStateMachine",
    "ListStateMachines",
    "DeleteStateMachine",
    "ValidateStateMachineDefinition",
    "PublishStateMachineVersion",
    "ListStateMachineVersions",
    "DeleteStateMachineVersion",
    "CreateStateMachineAlias",
    "UpdateStateMachineAlias",
    "DescribeStateMachineAlias",
    "ListStateMachineAliases",
    "DeleteStateMachineAlias",
    "DescribeStateMachineForExecution",
    "StartExecution",
    "StartSyncExecution",
    "DescribeExecution",
    "ListExecutions",
    "GetExecutionHistory",
    "StopExecution",
    "RedriveExecution",
    "ListMapRuns",
    "DescribeMapRun",
    "UpdateMapRun",
    "SendTaskSuccess",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "CreateActivity",
    "DescribeActivity",
    "ListActivities",
    "DeleteActivity",
    "GetActivityTask",
    "TestState",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
];

const FIELDS: &[&str] = &[
    "name",
    "definition",
    "roleArn",
    "type",
    "stateMachineArn",
    "executionArn",
    "activityArn",
    "mapRunArn",
    "resourceArn",
    "stateMachineAliasArn",
    "stateMachineVersionArn",
    "input",
    "output",
    "taskToken",
    "error",
    "cause",
    "maxResults",
    "nextToken",
    "reverseOrder",
    "includeExecutionData",
    "statusFilter",
    "tags",
    "tagKeys",
    "routingConfiguration",
    "publish",
    "inspectionLevel",
    "variables",
    "stateName",
    "mock",
    "context",
    "severity",
    "workerName",
    "revisionId",
];

/// A state machine that exists, so that requests reach past the lookups.
const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:fuzzed";

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        Just(json!(MACHINE)),
        Just(json!(format!("{MACHINE}:1"))),
        Just(json!(format!("{MACHINE}#Case"))),
        Just(json!("arn:aws:states:us-east-1:123456789012:execution:fuzzed:x")),
        Just(json!("arn:aws:states:us-east-1:123456789012:activity:a")),
        Just(json!("arn:aws:states:::::")),
        Just(json!("arn:aws:states:us-east-1:1:mapRun:fuzzed/M:x")),
        Just(json!(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#)),
        Just(json!(r#"{"Type": "Pass", "Next": "B"}"#)),
        Just(json!(r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 99999, "End": true}}}"#)),
        Just(json!("{}")),
        Just(json!("{not json")),
        Just(json!("p99999")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(prop::sample::select(FIELDS).prop_map(str::to_string), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Objects with the API's field names.
        prop::collection::btree_map(prop::sample::select(FIELDS).prop_map(str::to_string), value(), 0..6)
            .prop_map(|m| serde_json::to_vec(&Value::Object(m.into_iter().collect())).unwrap()),
        // Any JSON.
        value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // Any bytes.
        prop::collection::vec(any::<u8>(), 0..256),
    ]
}

fn target() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        8 => prop::sample::select(OPERATIONS).prop_map(|o| Some(format!("AWSStepFunctions.{o}"))),
        1 => ".{0,30}".prop_map(Some),
        1 => Just(None),
    ]
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: Client<HttpConnector, Full<Bytes>>,
    endpoint: String,
}

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let endpoint = runtime.block_on(async {
            let config =
                asl_server::Config { activity_poll: Duration::from_millis(10), ..asl_server::Config::in_memory() };
            let server = asl_server::Server::new(config).unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let endpoint = format!("http://{}/", listener.local_addr().unwrap());
            tokio::spawn(server.serve(listener));
            endpoint
        });
        let client = Client::builder(TokioExecutor::new()).build_http();
        let harness = Harness { runtime, client, endpoint };
        let created = harness.send(
            Some("AWSStepFunctions.CreateStateMachine"),
            serde_json::to_vec(&json!({
                "name": "fuzzed",
                "roleArn": "arn:aws:iam::123456789012:role/r",
                "definition": r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#,
            }))
            .unwrap(),
        );
        assert_eq!(created.0, 200, "{}", created.1);
        harness
    }

    /// The status and the body, as JSON.
    fn send(&self, target: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        self.runtime.block_on(async {
            let mut request =
                hyper::Request::post(self.endpoint.as_str()).header("content-type", "application/x-amz-json-1.0");
            if let Some(target) = target.and_then(|t| hyper::header::HeaderValue::from_str(t).ok()) {
                request = request.header("x-amz-target", target);
            }
            let request = request.body(Full::new(Bytes::from(body))).unwrap();
            let answer = tokio::time::timeout(Duration::from_secs(20), self.client.request(request))
                .await
                .expect("the server answers within 20 s")
                .expect("the server answers (it did not die)");
            let status = answer.status().as_u16();
            let bytes = answer.into_body().collect().await.unwrap().to_bytes();
            let value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
            (status, value)
        })
    }
}

/// An answer is a JSON object; an error is AWS's shape.
fn check_shape(status: u16, body: &Value) {
    assert!(body.is_object(), "{status}: {body}");
    if status != 200 {
        assert!((400..600).contains(&status), "{status}");
        assert!(body["__type"].as_str().is_some_and(|t| !t.is_empty()), "{status}: {body}");
        assert!(body["message"].is_string(), "{status}: {body}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_an_answer_in_aws_shape(target in target(), body in body()) {
        thread_local! {
            static HARNESS: Harness = Harness::new();
        }
        HARNESS.with(|h| {
            let (status, answer) = h.send(target.as_deref(), body);
            check_shape(status, &answer);
            // The server is still there and still right.
            let (status, answer) = h.send(Some("AWSStepFunctions.DescribeStateMachine"),
                serde_json::to_vec(&json!({"stateMachineArn": MACHINE})).unwrap());
            prop_assert_eq!(status, 200, "{}", answer);
            Ok(())
        })?;
    }
}

#[test]
fn unknown_targets_huge_bodies_and_invalid_arns_are_refused_in_aws_shape() {
    let h = Harness::new();
    let (status, answer) = h.send(Some("AWSStepFunctions.LaunchRocket"), b"{}".to_vec());
    assert_eq!((status, answer["__type"].as_str()), (400, Some("UnknownOperationException")));
    let (status, answer) = h.send(None, b"{}".to_vec());
    assert_eq!((status, answer["__type"].as_str()), (400, Some("UnknownOperationException")));
    // Over the request limit: refused before it is read whole. Just over
    // it: the server answers once it has read the limit, and what it has
    // not read must still fit the sockets' buffers, or the client's last
    // writes can fail (a broken pipe) before it reads the answer.
    let over = asl_server::protocol::MAX_BODY_BYTES + 16 * 1024;
    let huge = format!(r#"{{"name": "x", "definition": "{}"}}"#, "a".repeat(over));
    let (status, answer) = h.send(Some("AWSStepFunctions.CreateStateMachine"), huge.into_bytes());
    assert_eq!(status, 413, "{answer}");
    check_shape(status, &answer);
    // Over a field's limit: AWS's ValidationException.
    let input = format!(r#""{}""#, "a".repeat(300_000));
    let body = format!(r#"{{"stateMachineArn": "{MACHINE}", "input": {input}}}"#);
    let (status, answer) = h.send(Some("AWSStepFunctions.StartExecution"), body.into_bytes());
    assert_eq!((status, answer["__type"].as_str()), (400, Some("ValidationException")), "{answer}");
    let definition = "x".repeat(1_048_577);
    let body = serde_json::to_vec(&json!({"name": "big", "roleArn": "r", "definition": definition})).unwrap();
    let (status, answer) = h.send(Some("AWSStepFunctions.CreateStateMachine"), body);
    assert_eq!((status, answer["__type"].as_str()), (400, Some("ValidationException")), "{answer}");
    for arn in ["", "arn", "arn:aws:states", "arn:aws:states:us-east-1:1:stateMachine:", "arn:aws:s3:::b", "💥"] {
        let body = serde_json::to_vec(&json!({ "executionArn": arn })).unwrap();
        let (status, answer) = h.send(Some("AWSStepFunctions.DescribeExecution"), body);
        assert_eq!((status, answer["__type"].as_str()), (400, Some("InvalidArn")), "{arn}: {answer}");
    }
    // The wrong method or path is answered in the same shape.
    let answer = h.runtime.block_on(async {
        let request = hyper::Request::get(format!("{}nope", h.endpoint)).body(Full::new(Bytes::new())).unwrap();
        h.client.request(request).await.unwrap()
    });
    assert_eq!(answer.status().as_u16(), 404);
}
