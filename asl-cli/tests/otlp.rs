//! OpenTelemetry export (feature `otlp`): `asl run` with an OTLP endpoint
//! set sends its execution's spans there. The collector is this test: an
//! HTTP server in its process that takes OTLP/HTTP JSON exports, as an
//! OpenTelemetry Collector's `otlphttp` receiver does.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The exports received: the path posted to and the body.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// Accepts OTLP/HTTP exports on a loopback port until the test ends; each
/// body (JSON) is kept with the path it was posted to.
fn collector() -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_string();
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
            keep.lock().unwrap().push((path, json));
            let answer = "{}";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (endpoint, received)
}

#[test]
fn an_execution_s_spans_reach_an_otlp_collector() {
    let (endpoint, received) = collector();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let input = format!("@{}", repo.join("inputs/order.json").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asl"))
        .args(["run", repo.join("statemachines/payment.json").to_str().unwrap(), "--input", &input])
        .args(["--mock", repo.join("mocks/payment.json").to_str().unwrap(), "--test-case", "GatewayFlaky"])
        .arg("--virtual-time")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_SERVICE_NAME", "payments")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let received = received.lock().unwrap();
    assert!(!received.is_empty(), "asl exported nothing before it exited");
    assert!(
        received.iter().all(|(path, _)| path == "/v1/traces"),
        "{:?}",
        received.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    let mut spans = Vec::new();
    for (_, body) in received.iter() {
        for resource in body["resourceSpans"].as_array().unwrap() {
            let service = resource["resource"]["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["key"] == "service.name")
                .map(|a| a["value"]["stringValue"].clone());
            assert_eq!(service, Some(Value::from("payments")));
            for scope in resource["scopeSpans"].as_array().unwrap() {
                spans.extend(scope["spans"].as_array().unwrap().iter().cloned());
            }
        }
    }
    let attribute = |span: &Value, key: &str| -> Option<String> {
        span["attributes"].as_array()?.iter().find(|a| a["key"] == key).map(|a| {
            let v = &a["value"];
            v["stringValue"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v["intValue"].to_string().trim_matches('"').to_string())
        })
    };
    let named = |name: &str| spans.iter().filter(|s| s["name"] == name).collect::<Vec<_>>();
    let executions = named("execution");
    assert_eq!(executions.len(), 1, "one execution span");
    let execution = executions[0];
    assert!(attribute(execution, "arn").is_some_and(|a| a.starts_with("arn:aws:states:")), "{execution}");
    let trace = execution["traceId"].clone();
    assert!(spans.iter().all(|s| s["traceId"] == trace), "one trace");
    // The five states on the path, each a child of the execution.
    let states = named("state");
    let mut names: Vec<String> = states.iter().filter_map(|s| attribute(s, "name")).collect();
    names.sort();
    assert_eq!(names, ["ChargeApproved?", "Completed", "InProgress", "Init", "Reconciliation"]);
    assert!(states.iter().all(|s| s["parentSpanId"] == execution["spanId"]));
    // InProgress's three attempts are its children, numbered; the retries are its events.
    let in_progress = states.iter().find(|s| attribute(s, "name").as_deref() == Some("InProgress")).unwrap();
    let mut attempts: Vec<String> = named("task")
        .iter()
        .filter(|t| t["parentSpanId"] == in_progress["spanId"])
        .filter_map(|t| attribute(t, "attempt"))
        .collect();
    attempts.sort();
    assert_eq!(attempts, ["0", "1", "2"]);
    let retries = in_progress["events"].as_array().unwrap().iter().filter(|e| e["name"] == "retry").count();
    assert_eq!(retries, 2, "{in_progress}");
}
