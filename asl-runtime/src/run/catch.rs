//! `Retry` (when to try again and how long to wait) and `Catch`.

use crate::error::StatesError;
use crate::jsonata;
use crate::size::{self};
use asl_spec::model::*;
use serde_json::Value;
use std::time::Duration;

use crate::run::context::{Env, StateContext};
use crate::run::dataflow::{apply_result_path, assign_jsonpath, jsonata_outcome, output_or};
use crate::run::{Assigned, Flow, Next, Run, to_text};

/// AWS's retry rule: the first retrier whose `ErrorEquals` matches decides;
/// once it has used its `MaxAttempts` the error stands (later retriers are
/// not consulted). Attempts are counted per retrier.
pub(crate) struct RetryPolicy<'r> {
    retriers: &'r [Retrier],
    attempts: Vec<u64>,
    /// Retries so far (`$$.State.RetryCount`).
    pub(super) retries: u32,
}

impl<'r> RetryPolicy<'r> {
    pub(crate) fn new(retriers: &'r [Retrier]) -> Self {
        RetryPolicy { retriers, attempts: vec![0; retriers.len()], retries: 0 }
    }

    /// How long to wait before retrying after `error`, or `None` to give up.
    pub(crate) fn next_delay(&mut self, error: &StatesError) -> Option<Duration> {
        if error.is_uncatchable() {
            return None;
        }
        let r = self.retriers.iter().position(|r| error.matches(&r.error_equals, true))?;
        if self.attempts[r] >= self.retriers[r].max_attempts {
            return None;
        }
        let delay = backoff(&self.retriers[r], self.attempts[r]);
        self.attempts[r] += 1;
        self.retries += 1;
        crate::trace::retry(error, self.retries, delay);
        Some(delay)
    }
}

/// Delay before retry number `attempt` (0-based), per AWS: interval times
/// backoff^attempt, capped by `MaxDelaySeconds`, with optional full jitter.
fn backoff(r: &Retrier, attempt: u64) -> Duration {
    let base = r.interval_seconds as f64 * r.backoff_rate.powi(attempt.min(i32::MAX as u64) as i32);
    let capped = match r.max_delay_seconds {
        Some(max) => base.min(max as f64),
        None => base,
    };
    let secs = match r.jitter {
        Jitter::Full => crate::durable::random_f64() * capped,
        Jitter::None => capped,
    };
    Duration::try_from_secs_f64(secs.min(1.0e9)).unwrap_or(Duration::ZERO)
}

impl<'a> Run<'a> {
    /// Hands an error to the first catcher that takes it: its `Assign`
    /// and `ResultPath` (JSONata: `Assign` and `Output`, by default the
    /// error output) read the error output `{"Error", "Cause"}`. Returns
    /// where to go and the variables assigned.
    pub(super) fn catch(
        &self, state: &State, catchers: &[Catcher], error: StatesError, input: Value, entered: u64,
        context: &StateContext<'_>,
    ) -> Result<(Flow, Assigned), StatesError> {
        if error.is_uncatchable() {
            return Err(error);
        }
        let Some(catcher) = catchers.iter().find(|c| error.matches(&c.error_equals, true)) else {
            return Err(error);
        };
        crate::trace::caught(&error, &catcher.next.name);
        let error_output = error.into_output();
        let caught = if state.query_language == QueryLanguage::Jsonata {
            let scope = jsonata::Scope::new(&input, None, Some(&error_output), context);
            jsonata_outcome(catcher.assign.as_ref(), catcher.output.as_ref(), scope)
                .map(|(output, assigned)| (output_or(output, input, |_| error_output), assigned))
        } else {
            assign_jsonpath(catcher.assign.as_ref(), &Env { input: &error_output, context })
                .and_then(|assigned| Ok((apply_result_path(&catcher.result_path, input, error_output)?, assigned)))
        };
        let (output, assigned) = caught.map_err(|f| self.fail_in(state, entered, f))?;
        let text =
            self.record_exited(state, self.history().enabled().then(|| to_text(&output)), None, assigned.as_deref());
        Ok((Flow::Next(Next { index: catcher.next.index, input: output, text, bound: size::UNKNOWN }), assigned))
    }
}
