//! The limits AWS enforces on an execution, configurable.

/// Limits AWS enforces, configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest state input or output, in bytes of JSON text (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Most history events one execution may have (AWS: 25,000). This also
    /// stops a workflow that loops forever.
    pub max_history_events: u64,
    /// Longest time one JSONata expression may take to evaluate before it
    /// fails with `States.QueryEvaluationError` (default 5 s, far beyond
    /// any honest expression over a payload within the limit). An endless
    /// recursion or a runaway regular expression ends here.
    pub max_evaluation_time: std::time::Duration,
    /// The longest an execution may run, whatever its `TimeoutSeconds`
    /// says; past it the execution ends `TIMED_OUT` (`States.Timeout`).
    /// `None` by default; Express workflows run for at most 300 seconds
    /// ([`Limits::express`]).
    pub max_execution_seconds: Option<u64>,
}

impl Limits {
    /// The limits of an Express workflow: AWS's defaults, and five minutes
    /// at most.
    pub fn express() -> Limits {
        Limits { max_execution_seconds: Some(300), ..Limits::default() }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: 256 * 1024,
            max_history_events: 25_000,
            max_evaluation_time: std::time::Duration::from_secs(5),
            max_execution_seconds: None,
        }
    }
}
