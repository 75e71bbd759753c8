//! ASL errors: the `{Error, Cause}` pairs that states raise and catchers match.

use std::fmt;

/// An error as ASL sees it: a name that `ErrorEquals` matches, and an
/// optional human-readable cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatesError {
    /// The error name (`States.Timeout`, `PaymentDeclined`, …).
    pub error: String,
    /// The cause, if any.
    pub cause: Option<String>,
}

/// Names of the errors the runtime itself raises.
pub mod names {
    /// Matches every error except `States.Runtime` (in a catcher or retrier).
    pub const ALL: &str = "States.ALL";
    /// A runtime failure: bad paths, bad values. Never retried or caught.
    pub const RUNTIME: &str = "States.Runtime";
    /// A Task failed.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A Task or the execution ran longer than its `TimeoutSeconds`.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A Task missed its heartbeat.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// No Choice rule matched and there is no `Default`.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// More Map iterations failed than `ToleratedFailure*` allows.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map's `ItemReader` could not read its items.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A Map's `ResultWriter` could not write its results.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    /// A payload exceeded the size limit.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// A `ResultPath` could not be applied.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A `Parameters` field could not be evaluated.
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A JSONata expression (or query) could not be evaluated.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

impl StatesError {
    /// The error output a catcher (and a Map that tolerates the failure)
    /// sees: `{"Error": …, "Cause": …}`. An error without a cause (a Fail
    /// state with only `Error`, say) has an empty `Cause`, as on AWS.
    pub fn into_output(self) -> serde_json::Value {
        let mut output = serde_json::Map::new();
        output.insert("Error".into(), serde_json::Value::String(self.error));
        output.insert("Cause".into(), serde_json::Value::String(self.cause.unwrap_or_default()));
        serde_json::Value::Object(output)
    }

    /// An error with a cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError { error: error.into(), cause: Some(cause.into()) }
    }

    /// An error without a cause.
    pub fn bare(error: impl Into<String>) -> Self {
        StatesError { error: error.into(), cause: None }
    }

    /// Whether a retrier or catcher listing `names` handles this error, by
    /// AWS's rules: `States.ALL` matches everything but `States.Runtime`
    /// (and the data-limit error); `States.TaskFailed` matches any error a
    /// Task raised except `States.Timeout`.
    pub fn matches(&self, names: &[String], from_task: bool) -> bool {
        names.iter().any(|name| {
            if *name == self.error {
                return true;
            }
            match name.as_str() {
                names::ALL => self.error != names::RUNTIME && self.error != names::DATA_LIMIT_EXCEEDED,
                names::TASK_FAILED => from_task && self.is_task_error(),
                _ => false,
            }
        })
    }

    fn is_task_error(&self) -> bool {
        !self.error.starts_with("States.") || self.error == names::TASK_FAILED
    }

    /// Whether this error always ends the execution, whatever the catchers say.
    pub fn is_uncatchable(&self) -> bool {
        self.error == names::RUNTIME
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(c) => write!(f, "{}: {c}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for StatesError {}

impl From<serde_json::Error> for StatesError {
    /// A handler's input or output did not fit its serde type.
    fn from(e: serde_json::Error) -> Self {
        StatesError::new(names::TASK_FAILED, format!("the task's data did not match its type: {e}"))
    }
}

/// A failure while evaluating a state, before AWS's "An error occurred while
/// executing the state …" prefix is added.
///
/// Boxed: every template, path and rule step returns `Result<_, Failure>`,
/// and a one-word error keeps those results in registers (`Result<bool, _>`)
/// or as small as their values, where the unboxed 64 bytes made each return
/// go through memory on the hot path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(Box<FailureDetail>);

/// What a [`Failure`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureDetail {
    pub error: &'static str,
    pub message: String,
    /// The field a JSONata expression failed in (`Output/result`), which
    /// AWS's `EvaluationFailed` event names.
    pub location: Option<String>,
}

impl std::ops::Deref for Failure {
    type Target = FailureDetail;
    fn deref(&self) -> &FailureDetail {
        &self.0
    }
}

impl Failure {
    // Out of line: building an error is the cold path of every caller.
    #[inline(never)]
    #[cold]
    fn new(error: &'static str, message: String, location: Option<String>) -> Self {
        Failure(Box::new(FailureDetail { error, message, location }))
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        Failure::new(names::RUNTIME, message.into(), None)
    }
    pub fn intrinsic(message: impl Into<String>) -> Self {
        Failure::new(names::INTRINSIC_FAILURE, message.into(), None)
    }
    /// `States.QueryEvaluationError` in a JSONata field.
    pub fn query(location: &str, message: impl Into<String>) -> Self {
        Failure::new(names::QUERY_EVALUATION_ERROR, message.into(), Some(location.to_string()))
    }
    /// `States.QueryEvaluationError` not tied to one field.
    pub fn query_unplaced(message: impl Into<String>) -> Self {
        Failure::new(names::QUERY_EVALUATION_ERROR, message.into(), None)
    }

    /// The message, taken out.
    pub fn into_message(self) -> String {
        self.0.message
    }

    /// AWS's full cause text for a failure inside state `state`.
    pub fn in_state(self, state: &str, entered_event: u64) -> StatesError {
        StatesError::new(
            self.error,
            format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_event}). {}",
                self.message
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn all_does_not_catch_runtime() {
        assert!(StatesError::bare("Boom").matches(&list(&["States.ALL"]), true));
        assert!(!StatesError::bare("States.Runtime").matches(&list(&["States.ALL"]), true));
    }

    #[test]
    fn task_failed_matches_task_errors_but_not_timeout() {
        assert!(StatesError::bare("Lambda.Unknown").matches(&list(&["States.TaskFailed"]), true));
        assert!(!StatesError::bare("States.Timeout").matches(&list(&["States.TaskFailed"]), true));
        assert!(StatesError::bare("States.Timeout").matches(&list(&["States.Timeout"]), true));
    }
}
