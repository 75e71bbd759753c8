//! The Parallel state.

use crate::error::StatesError;
use crate::history::EventType;
use crate::size::{self};
use crate::variables::Variables;
use asl_spec::model::*;
use serde_json::Value;

use crate::run::catch::RetryPolicy;
use crate::run::redrive::Child;
use crate::run::{Next, OpenTask, Run};

impl<'a> Run<'a> {
    /// Branches that never wait, run on threads of their own when they are
    /// worth it ([`Run::speculate`]); `None` when the ordered run must do it.
    fn parallel_instant(
        &self, state: &State, parallel: &Parallel, input: &Value, variables: &Variables,
    ) -> Option<Vec<Value>> {
        let branches = &parallel.branches;
        if !self.exec.plan.of_state(state).instant_inside {
            return None;
        }
        let threads = self.threads_for(branches.iter().map(|b| b.states.len()).sum()).min(branches.len());
        if threads < 2 {
            return None;
        }
        self.speculate(branches.len(), threads, |worker, i| {
            let branch = &branches[i];
            let start = Next { index: branch.start_index, input: input.clone(), text: None, bound: size::UNKNOWN };
            let mut at = start;
            match worker.run_instant(branch, &mut at, &mut variables.clone()) {
                Ok(None) => Some(at.input),
                _ => None,
            }
        })
    }

    /// Runs the branches concurrently (retrying the whole state as `Retry`
    /// says). The first failing branch fails the state; the other branches'
    /// futures are dropped, which cancels whatever they were awaiting.
    pub(super) async fn parallel(
        &self, state: &State, parallel: &Parallel, input: Value, variables: &Variables,
    ) -> Result<Value, StatesError> {
        if let Some(stand_in) = &self.exec.stand_in {
            return stand_in(&input);
        }
        let mut policy = RetryPolicy::new(&parallel.retry);
        // A redriven Parallel runs again only the branches that did not succeed.
        let mut plan = self.take_plan(state);
        loop {
            self.within_history_limit()?;
            self.mark(EventType::ParallelStateStarted);
            let mut plan = plan.take().unwrap_or_default();
            if plan.is_empty()
                && let Some(outputs) = self.parallel_instant(state, parallel, &input, variables)
            {
                self.mark(EventType::ParallelStateSucceeded);
                return Ok(Value::Array(outputs));
            }
            // Each branch starts with the variables around it.
            let open: Vec<OpenTask> = parallel.branches.iter().map(|_| OpenTask::default()).collect();
            let branches = parallel.branches.iter().zip(&open).enumerate().map(|(i, (branch, open))| {
                let planned = plan.remove(&i);
                let input = &input;
                async move {
                    let outcome = match planned {
                        Some(Child::Done(output)) => Ok(output),
                        Some(Child::Again(frame)) => self.scope_resumed(branch, frame, Some(open), i).await,
                        None => self.scope_in(branch, input.clone(), variables.clone(), open, i).await,
                    };
                    outcome.map_err(|error| {
                        // The Task a branch failed in is closed at once.
                        let in_task = open.take();
                        if in_task {
                            self.mark(EventType::TaskStateAborted);
                        }
                        (error, in_task)
                    })
                }
            });
            let (error, in_task) = match futures_util::future::try_join_all(branches).await {
                Ok(outputs) => {
                    self.mark(EventType::ParallelStateSucceeded);
                    return Ok(Value::Array(outputs));
                }
                Err(failed) => failed,
            };
            // The other branches were stopped inside their Tasks.
            for _ in open.iter().filter(|open| open.take()) {
                self.mark(EventType::TaskStateAborted);
            }
            match policy.next_delay(&error) {
                Some(delay) => self.exec.pause(delay).await,
                None => {
                    // AWS records the Parallel's failure when a branch
                    // failed in a Fail (or other) state, not after a Task
                    // it aborted.
                    if !in_task {
                        self.mark(EventType::ParallelStateFailed);
                    }
                    return Err(error);
                }
            }
        }
    }
}
