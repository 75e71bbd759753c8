//! Task states answered by an HTTP endpoint (feature `http`): a program
//! with no Rust code of its own (`asl build`) hands its Tasks to a service
//! written in anything.
//!
//! Each call is a `POST` of the Task's effective input as JSON, with the
//! call's context in headers; a 2xx answer's JSON body is the result. Any
//! other status fails the Task: with the `error` and `cause` of a JSON body
//! `{"error": …, "cause": …}` when it has them, else as AWS's HTTP Task
//! fails, `States.Http.StatusCode.<code>` with the body as cause. A
//! connection that fails is `States.Http.Socket`. Plain `http://` only: the
//! endpoint is meant to be local.

use crate::clock::BoxFuture;
use crate::task::{TaskError, TaskHandler, TaskRequest};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// The largest answer read: AWS's limit on a task result (256 KiB).
const MAX_ANSWER_BYTES: usize = 262_144;

/// Sends every Task to one HTTP endpoint: a `POST` of the Task's effective
/// input, the context in `x-asl-*` headers; a 2xx JSON answer is the result.
#[derive(Clone)]
pub struct HttpTasks {
    url: hyper::Uri,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for HttpTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTasks").field("url", &self.url).finish()
    }
}

impl HttpTasks {
    /// Tasks go to `url` (`http://host:port/path`).
    pub fn new(url: &str) -> Result<HttpTasks, String> {
        let parsed: hyper::Uri = url.parse().map_err(|e| format!("'{url}' is not a URL: {e}"))?;
        match parsed.scheme_str() {
            Some("http") if parsed.host().is_some() => {}
            Some("https") => return Err(format!("'{url}': only plain http:// endpoints are supported")),
            _ => return Err(format!("'{url}' is not an http:// URL with a host")),
        }
        Ok(HttpTasks { url: parsed, client: Client::builder(TokioExecutor::new()).build_http() })
    }

    async fn call(&self, request: TaskRequest) -> Result<Value, TaskError> {
        let ctx = &request.context;
        let body = serde_json::to_vec(&request.input)?;
        let mut builder = hyper::Request::post(self.url.clone())
            .header("content-type", "application/json")
            .header("x-asl-resource", header_text(ctx.resource()))
            .header("x-asl-state", header_text(ctx.state_name()))
            .header("x-asl-execution-arn", header_text(ctx.execution_arn()))
            .header("x-asl-retry-count", ctx.retry_count());
        if let Some(token) = ctx.task_token() {
            builder = builder.header("x-asl-task-token", header_text(token));
        }
        if let Some(key) = ctx.idempotency_key() {
            builder = builder.header("idempotency-key", header_text(key));
        }
        let http = builder
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| TaskError::new("States.Runtime", format!("the request could not be made: {e}")))?;
        let answer = self
            .client
            .request(http)
            .await
            .map_err(|e| TaskError::new("States.Http.Socket", format!("{}: {e}", self.url)))?;
        let status = answer.status();
        let bytes = read_whole(answer.into_body(), &self.url).await?;
        let json = || serde_json::from_slice::<Value>(&bytes);
        if status.is_success() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return json().map_err(|e| {
                TaskError::new("States.Runtime", format!("the answer from {} is not JSON: {e}", self.url))
            });
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Err(match json() {
            Ok(Value::Object(body)) if body.get("error").is_some_and(Value::is_string) => {
                let cause = match body.get("cause") {
                    Some(Value::String(cause)) => Some(cause.clone()),
                    Some(other) => Some(other.to_string()),
                    None => None,
                };
                TaskError { error: body["error"].as_str().unwrap_or_default().to_string(), cause }
            }
            _ => TaskError::new(format!("States.Http.StatusCode.{}", status.as_u16()), text),
        })
    }
}

/// An answer's body, up to AWS's limit on a task result.
async fn read_whole(body: hyper::body::Incoming, from: &(dyn std::fmt::Display + Sync)) -> Result<Bytes, TaskError> {
    match Limited::new(body, MAX_ANSWER_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => {
            Err(TaskError::new("States.DataLimitExceeded", format!("the answer from {from} was not read whole: {e}")))
        }
    }
}

/// `text` as a header value: non-ASCII and control characters (a state name
/// may hold them) are percent-encoded.
fn header_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'%' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl TaskHandler for HttpTasks {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let this = self.clone();
        Box::pin(async move { this.call(request).await })
    }
}

/// Lambda Tasks answered by an endpoint that speaks Lambda's `Invoke` REST
/// API (`POST /2015-03-31/functions/{name}/invocations`): Step Functions
/// Local's `LAMBDA_ENDPOINT`, pointed at SAM CLI's `start-lambda`,
/// LocalStack, moto or any such service. The function's payload, its
/// errors (`X-Amz-Function-Error`) and the service's errors reach the Task
/// as they do on AWS: the `lambda:invoke` envelope, the function's error
/// document as the cause, `Lambda.<ErrorType>` for the service's.
#[derive(Clone)]
pub struct LambdaEndpoint {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for LambdaEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaEndpoint").field("base", &self.base).finish()
    }
}

impl LambdaEndpoint {
    /// Functions are invoked at `url` (`http://host:port`).
    pub fn new(url: &str) -> Result<LambdaEndpoint, String> {
        let checked = HttpTasks::new(url)?;
        let base = checked.url.to_string().trim_end_matches('/').to_string();
        Ok(LambdaEndpoint { base, client: checked.client })
    }

    /// Whether `request` is a Lambda Task (which this handler answers).
    pub fn handles(request: &TaskRequest) -> bool {
        crate::lambda::target(request.resource(), &request.input).is_some()
    }

    async fn call(&self, request: TaskRequest) -> Result<Value, TaskError> {
        let Some((integration, name)) = crate::lambda::target(request.resource(), &request.input) else {
            return Err(crate::task::no_handler(request.resource()));
        };
        let event = crate::lambda::event(&integration, &request.input);
        let url = format!("{}/2015-03-31/functions/{}/invocations", self.base, percent_path(&name));
        let http = hyper::Request::post(url.as_str())
            .header("content-type", "application/json")
            .header("x-amz-invocation-type", "RequestResponse")
            .body(Full::new(Bytes::from(serde_json::to_vec(&event)?)))
            .map_err(|e| TaskError::new("States.Runtime", format!("the request could not be made: {e}")))?;
        let answer = self.client.request(http).await.map_err(|e| {
            TaskError::new("Lambda.SdkClientException", format!("Unable to execute HTTP request: {url}: {e}"))
        })?;
        let status = answer.status();
        let function_error = answer.headers().contains_key("x-amz-function-error");
        let error_type = answer
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_string());
        let bytes = read_whole(answer.into_body(), &url).await?;
        let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        if !status.is_success() {
            let kind = error_type.unwrap_or_else(|| "ServiceException".into());
            let message = body.get("message").or_else(|| body.get("Message")).and_then(Value::as_str).unwrap_or("");
            return Err(TaskError::new(
                format!("Lambda.{kind}"),
                format!(
                    "{message} (Service: AWSLambda; Status Code: {}; Error Code: {kind}; Request ID: {}; Proxy: null)",
                    status.as_u16(),
                    uuid::Uuid::new_v4()
                ),
            ));
        }
        let input = request.input;
        if function_error {
            let error_type = body.get("errorType").and_then(Value::as_str).unwrap_or("Exception").to_string();
            let message = body.get("errorMessage").and_then(Value::as_str).map(str::to_string);
            let outcome = Err(TaskError { error: error_type, cause: message });
            return crate::lambda::shape(&integration, &input, outcome, body.get("stackTrace"));
        }
        crate::lambda::shape(&integration, &input, Ok(body), None)
    }
}

/// A function name (or ARN) as one path segment.
fn percent_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl TaskHandler for LambdaEndpoint {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let this = self.clone();
        Box::pin(async move { this.call(request).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_are_taken() {
        assert!(HttpTasks::new("http://127.0.0.1:9000/tasks").is_ok());
        assert!(HttpTasks::new("https://example.com/").unwrap_err().contains("only plain http://"));
        assert!(HttpTasks::new("not a url").is_err());
        assert!(HttpTasks::new("/relative").is_err());
    }

    #[test]
    fn header_text_escapes_what_a_header_cannot_hold() {
        assert_eq!(header_text("Charge card"), "Charge card");
        assert_eq!(header_text("100%é\n"), "100%25%C3%A9%0A");
    }
}
