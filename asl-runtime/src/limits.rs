//! The limits AWS enforces on an execution, configurable.

/// Limits AWS enforces, configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest state input or output, in bytes of JSON text (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Most history events one execution may have (AWS: 25,000). This also
    /// stops a workflow that loops forever.
    pub max_history_events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_payload_bytes: 256 * 1024, max_history_events: 25_000 }
    }
}
