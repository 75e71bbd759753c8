//! AWS's JSON 1.0 protocol: `POST /` with `X-Amz-Target:
//! AWSStepFunctions.<Operation>`, `application/x-amz-json-1.0` bodies, and
//! errors as `{"__type": …, "message": …}` that each SDK turns into its own
//! typed exception.

use asl_runtime::{DurableError, StoreError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The content type of every request and answer.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The prefix of `X-Amz-Target`.
pub const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// The largest request body taken. AWS's own largest fields are a 1 MiB
/// definition and 256 KiB payloads; a body over this is refused whole
/// before it is read further.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// An error answer, as AWS gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// AWS's error name (`ExecutionDoesNotExist`, …): the SDKs' exception.
    pub kind: &'static str,
    /// The message.
    pub message: String,
    /// The HTTP status (400 for a client's error, 500 for the server's).
    pub status: StatusCode,
}

impl ApiError {
    /// A client's error named `kind`.
    pub fn new(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { kind, message: message.into(), status: StatusCode::BAD_REQUEST }
    }

    /// `ValidationException`: a field breaks the API's constraints.
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationException", message)
    }

    /// The server could not do what it should have (its store failed).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError { kind: "InternalServerError", message: message.into(), status: StatusCode::INTERNAL_SERVER_ERROR }
    }

    /// `InvalidArn`.
    pub fn invalid_arn(arn: &str) -> ApiError {
        ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'"))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::ExecutionAlreadyExists(arn) => {
                ApiError::new("ExecutionAlreadyExists", format!("Execution Already Exists: '{arn}'"))
            }
            StoreError::ExecutionDoesNotExist(arn) => {
                ApiError::new("ExecutionDoesNotExist", format!("Execution Does Not Exist: '{arn}'"))
            }
            StoreError::TaskDoesNotExist => ApiError::new("TaskDoesNotExist", "Task Does Not Exist"),
            StoreError::TaskTimedOut => ApiError::new("TaskTimedOut", "Task Timed Out"),
            StoreError::NotRunning(arn) => {
                ApiError::new("ExecutionNotRunning", format!("Execution is not running: '{arn}'"))
            }
            StoreError::ExecutionNotRedrivable(reason) => ApiError::new("ExecutionNotRedrivable", reason),
            e @ (StoreError::NewerSchema { .. } | StoreError::Backend(_)) => ApiError::internal(e.to_string()),
        }
    }
}

impl From<DurableError> for ApiError {
    fn from(e: DurableError) -> ApiError {
        match e {
            DurableError::Store(e) => e.into(),
            DurableError::InvalidDefinition(m) => {
                ApiError::new("InvalidDefinition", format!("Invalid State Machine Definition: '{m}'"))
            }
            DurableError::InvalidInput(m) => ApiError::new("InvalidExecutionInput", m),
            DurableError::Journal(m) => ApiError::internal(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "__type": self.kind, "message": self.message }).to_string();
        answer(self.status, body, Some(self.kind))
    }
}

/// An answer with AWS's content type (and, for an error, `x-amzn-ErrorType`,
/// which some SDKs read before the body).
pub fn answer(status: StatusCode, body: String, error: Option<&str>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert("x-amzn-requestid", HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("ASCII"));
    if let Some(kind) = error.and_then(|k| HeaderValue::from_str(k).ok()) {
        headers.insert("x-amzn-errortype", kind);
    }
    response
}

/// The request body as `T`: a body that is not a JSON object, or whose
/// fields have the wrong types, is AWS's `SerializationException`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| ApiError::new("SerializationException", format!("{e}")))?
    };
    if !value.is_object() {
        return Err(ApiError::new("SerializationException", "the request body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| ApiError::new("SerializationException", format!("{e}")))
}

/// A required field's value, or AWS's message for its absence.
pub fn required<T>(value: Option<T>, field: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        ApiError::validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// Checks a string field's length, as the API reference bounds it.
pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if n > max {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

/// `maxResults`, checked (0 to 1000; 0 or absent means `default`).
pub fn max_results(value: Option<i64>, default: usize) -> Result<usize, ApiError> {
    match value {
        None | Some(0) => Ok(default),
        Some(n @ 1..=1000) => Ok(n as usize),
        Some(n) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000"
        ))),
    }
}

/// A resource name as AWS allows it (state machines, executions,
/// activities, aliases): 1 to 80 characters, none of them whitespace,
/// control characters or `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`.
pub fn check_name(name: &str, what: &str) -> Result<(), ApiError> {
    const FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";
    let count = name.chars().count();
    let bad = name.chars().any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(c));
    if count == 0 || count > 80 || bad {
        return Err(ApiError::new(
            "InvalidName",
            format!(
                "Invalid Name: '{name}' (a {what} name is 1 to 80 characters, without whitespace or any of {FORBIDDEN})"
            ),
        ));
    }
    Ok(())
}

/// A time as the JSON 1.0 protocol writes it: seconds since the epoch, a
/// number with milliseconds.
pub fn epoch(ms: i64) -> Value {
    if ms % 1000 == 0 { json!(ms / 1000) } else { json!(ms as f64 / 1000.0) }
}

/// The next page's token and the items from `start` on: a token is the
/// offset of the next page in a list the server rebuilds each call.
pub fn page_start(token: Option<&str>, len: usize) -> Result<usize, ApiError> {
    match token {
        None => Ok(0),
        Some(t) => match t.strip_prefix("p").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= len => Ok(n),
            _ => Err(ApiError::new("InvalidToken", format!("Invalid Token: '{t}'"))),
        },
    }
}

/// The token of a page that ends at `end` of `len` items, if more follow.
pub fn page_token(end: usize, len: usize) -> Option<String> {
    (end < len).then(|| format!("p{end}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        assert!(check_name("order-7_a.b", "execution").is_ok());
        for bad in ["", "a b", "a/b", "a:b", "x#y", &"n".repeat(81), "tab\t"] {
            assert_eq!(check_name(bad, "execution").unwrap_err().kind, "InvalidName", "{bad:?}");
        }
    }

    #[test]
    fn bodies_that_are_not_objects_are_serialization_errors() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            name: Option<String>,
        }
        assert_eq!(parse::<R>(b"[1]").unwrap_err().kind, "SerializationException");
        assert_eq!(parse::<R>(b"{").unwrap_err().kind, "SerializationException");
        assert_eq!(parse::<R>(br#"{"name": 7}"#).unwrap_err().kind, "SerializationException");
        assert!(parse::<R>(b"").is_ok());
    }

    #[test]
    fn times_are_epoch_seconds() {
        assert_eq!(epoch(1_700_000_000_000), json!(1_700_000_000));
        assert_eq!(epoch(1_700_000_000_123), json!(1_700_000_000.123));
    }

    #[test]
    fn page_tokens_round_trip_and_bad_ones_are_refused() {
        assert_eq!(page_token(10, 25).as_deref(), Some("p10"));
        assert_eq!(page_start(Some("p10"), 25), Ok(10));
        assert_eq!(page_token(25, 25), None);
        assert_eq!(page_start(Some("p99"), 25).unwrap_err().kind, "InvalidToken");
        assert_eq!(page_start(Some("junk"), 25).unwrap_err().kind, "InvalidToken");
    }
}
