//! AWS Lambda as Step Functions sees it: which function a Task invokes, the
//! `lambda:invoke` response envelope, and how a function's error becomes the
//! Task's error and cause.

use crate::error::StatesError;
use crate::identity::Identity;
use serde_json::{Map, Value, json};

/// How a Task reaches a Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Integration {
    /// `Resource` is the function's ARN; the result is the function's payload.
    Direct,
    /// `arn:aws:states:::lambda:invoke`: the result is the Invoke API response.
    Invoke,
}

/// The Lambda function a Task invokes, if it invokes one.
pub(crate) fn target(resource: &str, input: &Value) -> Option<(Integration, String)> {
    use asl_spec::model::{LambdaResource, lambda_function_name, lambda_resource};
    match lambda_resource(resource)? {
        LambdaResource::Direct { name } => Some((Integration::Direct, name.to_string())),
        LambdaResource::Invoke => {
            let name = input.get("FunctionName")?.as_str()?;
            Some((Integration::Invoke, lambda_function_name(name)))
        }
    }
}

/// The function a Lambda Task invokes, by name, if it invokes one (how a
/// compiled machine picks the method of a `lambda:invoke` state).
pub fn function_of(resource: &str, input: &Value) -> Option<String> {
    target(resource, input).map(|(_, name)| name)
}

/// What the function receives. Through `lambda:invoke` it is the `Payload`
/// field, sent as the request body: a string is sent as its text (so it is
/// read as JSON when it is JSON), and no payload arrives as `{}`.
pub(crate) fn event(integration: &Integration, input: &Value) -> Value {
    match integration {
        Integration::Direct => input.clone(),
        Integration::Invoke => match input.get("Payload") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
            Some(other) => other.clone(),
        },
    }
}

/// The Task result for a function's returned payload; `input` is the
/// Task's effective input (the Invoke API parameters).
pub(crate) fn result(integration: &Integration, payload: Value, input: &Value) -> Value {
    match integration {
        Integration::Direct => payload,
        Integration::Invoke => {
            let log_tail = input.get("LogType").and_then(Value::as_str) == Some("Tail");
            let request_id = uuid::Uuid::new_v4().to_string();
            // The body as the function's runtime wrote it, with spaced separators.
            let length = spaced(&payload).len().to_string();
            let date = jiff::Timestamp::now().strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let trace = format!(
                "root=1-{:08x}-{}",
                jiff::Timestamp::now().as_second(),
                &uuid::Uuid::new_v4().simple().to_string()[..24]
            );
            let mut response = json!({
                "ExecutedVersion": "$LATEST",
                "Payload": payload,
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "X-Amz-Executed-Version": ["$LATEST"],
                        "x-amzn-Remapped-Content-Length": ["0"],
                        "Connection": ["keep-alive"],
                        "x-amzn-RequestId": [request_id],
                        "Content-Length": [length],
                        "Date": [date],
                        "X-Amzn-Trace-Id": [trace],
                        "Content-Type": ["application/json"]
                    },
                    "HttpHeaders": {
                        "Connection": "keep-alive",
                        "Content-Length": length,
                        "Content-Type": "application/json",
                        "Date": date,
                        "X-Amz-Executed-Version": "$LATEST",
                        "x-amzn-Remapped-Content-Length": "0",
                        "x-amzn-RequestId": request_id,
                        "X-Amzn-Trace-Id": trace
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": request_id},
                "StatusCode": 200
            });
            if log_tail {
                // `LogType: Tail` returns the end of the function's log, base64-encoded.
                use base64::Engine;
                let log = format!("START RequestId: {request_id} Version: $LATEST\nEND RequestId: {request_id}\n");
                let encoded = base64::engine::general_purpose::STANDARD.encode(log);
                if let Some(map) = response.as_object_mut() {
                    map.insert("LogResult".into(), Value::String(encoded.clone()));
                    map.sort_keys();
                }
                if let Some(headers) =
                    response.pointer_mut("/SdkHttpMetadata/AllHttpHeaders").and_then(Value::as_object_mut)
                {
                    headers.insert("X-Amz-Log-Result".into(), json!([encoded.clone()]));
                }
                if let Some(headers) =
                    response.pointer_mut("/SdkHttpMetadata/HttpHeaders").and_then(Value::as_object_mut)
                {
                    headers.insert("X-Amz-Log-Result".into(), Value::String(encoded));
                }
            }
            response
        }
    }
}

/// A function's error: the Task fails with `errorType`, and the cause is the
/// function's error document, printed as the integration prints it (Lambda's
/// own spacing for a direct ARN, compact JSON through `lambda:invoke`).
pub(crate) fn error(
    integration: &Integration, error_type: &str, message: Option<&str>, stack_trace: Option<&Value>,
) -> StatesError {
    let mut doc = Map::new();
    doc.insert("errorMessage".into(), Value::String(message.unwrap_or_default().to_string()));
    doc.insert("errorType".into(), Value::String(error_type.to_string()));
    doc.insert("requestId".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    if let Some(trace) = stack_trace {
        doc.insert("stackTrace".into(), trace.clone());
    }
    let doc = Value::Object(doc);
    let cause = match integration {
        Integration::Direct => spaced(&doc),
        Integration::Invoke => doc.to_string(),
    };
    StatesError::new(error_type, cause)
}

/// The Task outcome for a function's outcome: the Invoke envelope or the
/// payload on success, the function's error document as the cause on failure.
pub(crate) fn shape(
    integration: &Integration, input: &Value, outcome: Result<Value, StatesError>, stack_trace: Option<&Value>,
) -> Result<Value, StatesError> {
    match outcome {
        Ok(payload) => Ok(result(integration, payload, input)),
        Err(e) => Err(error(integration, &e.error, e.cause.as_deref(), stack_trace)),
    }
}

/// `lambda:invoke` of a function that does not exist.
pub(crate) fn not_found(name: &str, identity: &Identity) -> StatesError {
    StatesError::new(
        "Lambda.ResourceNotFoundException",
        format!(
            "Function not found: arn:{}:lambda:{}:{}:function:{name}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null)",
            identity.partition,
            identity.region,
            identity.account_id,
            uuid::Uuid::new_v4()
        ),
    )
}

/// JSON with `", "` and `": "` separators and ASCII escapes, as the Lambda
/// service returns a function's error document.
fn spaced(v: &Value) -> String {
    let mut out = String::new();
    write_spaced(v, &mut out);
    out
}

fn write_spaced(v: &Value, out: &mut String) {
    use crate::intrinsics::write_list;
    match v {
        Value::Object(m) => write_list(out, '{', '}', m, |out, (k, v)| {
            write_string(k, out);
            out.push_str(": ");
            write_spaced(v, out);
        }),
        Value::Array(a) => write_list(out, '[', ']', a, |out, v| write_spaced(v, out)),
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            target("arn:aws:lambda:us-east-1:1:function:f", &Value::Null),
            Some((Integration::Direct, "f".into()))
        );
        let input = json!({"FunctionName": "arn:aws:lambda:us-east-1:1:function:g:$LATEST"});
        assert_eq!(target("arn:aws:states:::lambda:invoke", &input), Some((Integration::Invoke, "g".into())));
        assert_eq!(target("arn:aws:states:::sqs:sendMessage", &input), None);
    }

    #[test]
    fn error_causes_follow_the_integration() {
        let trace = json!(["  File \"h.py\", line 2\n"]);
        let direct = error(&Integration::Direct, "Exception", Some("boom é"), Some(&trace)).cause.unwrap();
        assert!(
            direct.starts_with(r#"{"errorMessage": "boom \u00e9", "errorType": "Exception", "requestId": ""#),
            "{direct}"
        );
        assert!(direct.ends_with(r#""stackTrace": ["  File \"h.py\", line 2\n"]}"#), "{direct}");
        let invoke = error(&Integration::Invoke, "Exception", Some("boom"), None).cause.unwrap();
        assert!(invoke.starts_with(r#"{"errorMessage":"boom","errorType":"Exception","requestId":""#), "{invoke}");
    }

    #[test]
    fn invoke_envelope_reports_the_payload_length() {
        let r = result(&Integration::Invoke, json!({"a": 1}), &json!({}));
        assert_eq!(r["Payload"], json!({"a": 1}));
        assert_eq!(r["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"], "8");
        assert_eq!(r["StatusCode"], 200);
    }
}
