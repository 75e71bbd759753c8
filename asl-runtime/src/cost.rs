//! What an execution costs on AWS, as a Standard and as an Express workflow,
//! from its history: the figures `asl run --cost` prints, for choosing the
//! workflow type.
//!
//! Standard workflows are billed per state transition: each time a state is
//! entered, in Parallel branches and Map iterations too, and each retry of a
//! Task, Parallel or Map. Express workflows are billed per request plus their
//! duration (rounded up to 100 ms) times their memory (in 64-MB steps, at
//! least 64 MB; AWS estimates it from the definition's size and the data the
//! execution holds, and so does this). Prices are AWS's public list prices
//! for US East (N. Virginia), without free tiers or volume discounts
//! ([`Prices::default`]); give your region's or your contract's with
//! [`Prices`], or `asl run --cost --prices FILE`.

use crate::{EventType, Execution};
use serde::{Deserialize, Serialize};

/// Prices in US dollars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prices {
    /// Standard: one state transition ($0.025 per 1,000).
    pub standard_per_transition: f64,
    /// Express: one request, that is one execution ($1.00 per million).
    pub express_per_request: f64,
    /// Express: one GB-second of duration times memory ($0.00001667, the
    /// first tier).
    pub express_per_gb_second: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Prices { standard_per_transition: 0.000025, express_per_request: 0.000001, express_per_gb_second: 0.00001667 }
    }
}

/// The longest an Express execution may run: five minutes.
pub const EXPRESS_MAX_SECONDS: u64 = 300;

/// One execution's bill, both ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// Billable state transitions (Standard): states entered plus retries.
    pub transitions: u64,
    /// From the execution's start to its end, in milliseconds.
    pub duration_ms: u64,
    /// Express's billed duration: rounded up to the next 100 ms.
    pub billed_duration_ms: u64,
    /// Express's billed memory, in MB: 64-MB steps.
    pub billed_memory_mb: u64,
    /// The execution as a Standard workflow, in US dollars.
    pub standard_usd: f64,
    /// The execution as an Express workflow, in US dollars.
    pub express_usd: f64,
    /// Why the definition cannot be an Express workflow (empty: it can).
    pub express_blockers: Vec<String>,
    /// The prices used.
    pub prices: Prices,
}

/// What `execution` of `definition` (whose JSON text is `text`) costs. The
/// execution must have recorded its history.
pub fn estimate(definition: &asl_spec::Definition, text: &str, execution: &Execution, prices: Prices) -> Cost {
    let mut entered = 0u64;
    let mut attempts = 0u64;
    let mut attempted_states = 0u64;
    let mut largest_payload = 0usize;
    for event in execution.events.iter() {
        use EventType::*;
        match event.event_type {
            TaskStateEntered | ParallelStateEntered | MapStateEntered => {
                entered += 1;
                attempted_states += 1;
            }
            t if t.as_str().ends_with("StateEntered") => entered += 1,
            TaskScheduled | LambdaFunctionScheduled | ActivityScheduled | ParallelStateStarted | MapStateStarted => {
                attempts += 1
            }
            _ => {}
        }
        if let Some(details) = &event.details {
            largest_payload = largest_payload.max(payload_len(details));
        }
    }
    let retries = attempts.saturating_sub(attempted_states);
    let transitions = entered + retries;
    let (first, last) = (execution.events.iter().next(), execution.events.iter().next_back());
    let duration_ms = match (first, last) {
        (Some(a), Some(b)) => u64::try_from(b.timestamp.duration_since(a.timestamp).as_millis()).unwrap_or(0),
        _ => 0,
    };
    let billed_duration_ms = duration_ms.div_ceil(100).max(1) * 100;
    const MB: usize = 1024 * 1024;
    let held = text.len() + largest_payload;
    let billed_memory_mb = (held.div_ceil(64 * MB).max(1) * 64) as u64;
    let gb_seconds = (billed_memory_mb as f64 / 1024.0) * (billed_duration_ms as f64 / 1000.0);
    let mut found = asl_spec::Diagnostics::default();
    asl_spec::express_rules(definition, &mut found);
    let mut express_blockers: Vec<String> = found.iter().map(|d| d.message.clone()).collect();
    if duration_ms > EXPRESS_MAX_SECONDS * 1000 {
        express_blockers.push(format!(
            "it ran {}, longer than the {EXPRESS_MAX_SECONDS} s an Express execution may",
            seconds(duration_ms)
        ));
    }
    Cost {
        transitions,
        duration_ms,
        billed_duration_ms,
        billed_memory_mb,
        standard_usd: transitions as f64 * prices.standard_per_transition,
        express_usd: prices.express_per_request + gb_seconds * prices.express_per_gb_second,
        express_blockers,
        prices,
    }
}

/// The size of the largest payload an event carries.
fn payload_len(details: &crate::EventDetails) -> usize {
    serde_json::to_value(details)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.values().next().cloned()))
        .and_then(|inner| {
            inner.as_object().map(|o| {
                ["input", "output", "parameters", "result"]
                    .iter()
                    .filter_map(|k| o.get(*k).and_then(|v| v.as_str()).map(str::len))
                    .max()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "cost of this execution on AWS (list prices, US East):")?;
        writeln!(
            f,
            "  Standard: {} state transitions × ${} = ${:.6}",
            self.transitions, self.prices.standard_per_transition, self.standard_usd
        )?;
        writeln!(
            f,
            "  Express:  1 request + {} ms billed × {} MB = ${:.6}",
            self.billed_duration_ms, self.billed_memory_mb, self.express_usd
        )?;
        writeln!(f, "  ran for {}", seconds(self.duration_ms))?;
        if self.express_blockers.is_empty() {
            let (cheaper, ratio) = if self.express_usd < self.standard_usd {
                ("Express", self.standard_usd / self.express_usd.max(f64::MIN_POSITIVE))
            } else {
                ("Standard", self.express_usd / self.standard_usd.max(f64::MIN_POSITIVE))
            };
            writeln!(f, "  eligible for Express; {cheaper} is {ratio:.1}× cheaper for this execution")
        } else {
            writeln!(f, "  not eligible for Express:")?;
            for why in &self.express_blockers {
                writeln!(f, "    - {why}")?;
            }
            Ok(())
        }
    }
}
