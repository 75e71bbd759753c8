//! The Task state: its call, with timeouts, heartbeats, task tokens and
//! `Retry`; the plain path for a Task that waits for its call and nothing else.

use crate::callbacks;
use crate::error::{Failure, StatesError, names};
use crate::task::{ResourceKind, TaskContext, TaskRequest};
use crate::variables::Variables;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::Value;
use std::time::Duration;

use crate::run::catch::RetryPolicy;
use crate::run::context::{Env, StateContext};
use crate::run::resolve::task_seconds;
use crate::run::{Done, Next, Run};

/// `TimeoutSeconds` of a Task that sets none (AWS's default).
const DEFAULT_TASK_TIMEOUT_SECONDS: u64 = 99_999_999;

/// A Task state's input: borrowed when Retry or Catch need it again,
/// otherwise given away.
pub(super) enum TaskInput<'v> {
    Borrowed(&'v Value),
    Owned(Value),
}

/// A plain Task ([`Step::PlainTask`](crate::plan::Step::PlainTask)) whose call is in flight: what its end needs.
pub(super) struct PlainTask<'s> {
    pub(super) state: &'s State,
    pub(super) entered: u64,
    pub(super) entered_time: Option<Timestamp>,
    /// The resource's kind, when history records its events.
    pub(super) kind: Option<ResourceKind>,
}

impl<'a> Run<'a> {
    /// Invokes the resource, retrying as the `Retry` rules say. Each attempt
    /// evaluates `Parameters` afresh, so `$$.State.RetryCount` (and a
    /// callback's `$$.Task.Token`) are the attempt's own. Returns the result
    /// and the number of retries it took.
    pub(super) async fn task(
        &self, state: &State, task: &Task, state_input: TaskInput<'_>, context: &StateContext<'_>, entered: u64,
    ) -> Result<(Value, u32), StatesError> {
        let (borrowed, mut owned) = match state_input {
            TaskInput::Borrowed(v) => (Some(v), None),
            TaskInput::Owned(v) => (None, Some(v)),
        };
        let (timeout, heartbeat) = {
            // `TimeoutSecondsPath` and `HeartbeatSecondsPath` read the state's input.
            static NO_INPUT: Value = Value::Null;
            let env = Env { input: borrowed.or(owned.as_ref()).unwrap_or(&NO_INPUT), context };
            let t = task_seconds(task.timeout.as_ref(), "TimeoutSeconds", &env)
                .map_err(|f| self.fail_in(state, entered, f))?;
            let h = task_seconds(task.heartbeat.as_ref(), "HeartbeatSeconds", &env)
                .map_err(|f| self.fail_in(state, entered, f))?;
            (t, h)
        };
        // Only history events tell resource kinds apart.
        let kind = self.history().enabled().then(|| ResourceKind::of(&task.resource));
        let kind = kind.as_ref();
        let mut policy = RetryPolicy::new(&task.retry);
        loop {
            self.within_history_limit()?;
            let token = context.task_token.as_ref().map(|_| Box::from(callbacks::new_token()));
            let context = &context.for_attempt(policy.retries, token);
            let input = match (owned.take(), borrowed) {
                (Some(given), _) => self.effective_input_owned(state, given, context),
                (None, Some(state_input)) => self.effective_input(state, state_input, context),
                // An owned input comes with no Retry: there is one attempt.
                (None, None) => Err(Failure::runtime("a Task without Retry was attempted twice")),
            }
            .map_err(|f| self.fail_in(state, entered, f))?;
            self.record_task_start(kind, task, &input, timeout, heartbeat);
            // Heartbeats come from the handler (`ctx.heartbeat()`) or, for
            // callback tasks, from `send_task_heartbeat`; when neither can
            // happen, no channel is made.
            let (heartbeats, mut heartbeat_rx) = match heartbeat.or(context.task_token.as_ref().map(|_| 0)) {
                Some(_) => {
                    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                    (Some(tx), Some(rx))
                }
                None => (None, None),
            };
            let registration =
                context.task_token.as_deref().zip(heartbeats.clone()).map(|(token, tx)| callbacks::register(token, tx));
            // AWS's default task timeout; it matters for callbacks, which
            // would otherwise wait for a token forever.
            let timeout = timeout.or(registration.is_some().then_some(DEFAULT_TASK_TIMEOUT_SECONDS));
            let request = self.task_request(
                state,
                task,
                input,
                policy.retries,
                context.task_token.as_deref(),
                heartbeats.clone(),
            );
            let attempt = crate::trace::attempt_if_traced(task, policy.retries);
            let call = crate::trace::within(attempt.as_ref(), || self.exec.handler.invoke(request));
            // Most tasks have no deadline, heartbeat or callback: await the
            // call itself. The supervised path is boxed so that its size
            // does not weigh on every state's future.
            let outcome = match (timeout, heartbeat, registration) {
                (None, None, None) => crate::trace::boxed_in(attempt.clone(), call).await,
                (timeout, heartbeat, registration) => {
                    let supervised = Box::pin(self.supervise(
                        call,
                        kind,
                        registration,
                        timeout,
                        heartbeat.zip(heartbeat_rx.as_mut()),
                    ));
                    crate::trace::boxed_in(attempt.clone(), supervised).await
                }
            };
            drop(heartbeats);
            let error = match self.task_answered(kind, outcome) {
                Ok(output) => return Ok((output, policy.retries)),
                Err(error) if error.is_uncatchable() => return Err(error),
                Err(error) => error,
            };
            crate::trace::within(attempt.as_ref(), || crate::trace::task_failed(&error));
            match policy.next_delay(&error) {
                Some(delay) => self.exec.pause(delay).await,
                None => return Err(error),
            }
        }
    }

    /// Records how a task call ended (an uncatchable error, such as a stop,
    /// ends no task) and passes the outcome on.
    #[inline(always)]
    fn task_answered(
        &self, kind: Option<&ResourceKind>, outcome: Result<Value, StatesError>,
    ) -> Result<Value, StatesError> {
        match &outcome {
            Ok(output) => self.record_task_end(kind, Ok(output)),
            Err(error) if !error.is_uncatchable() => self.record_task_end(kind, Err(error)),
            Err(_) => {}
        }
        outcome
    }

    /// What the handler of `task` gets for one attempt.
    fn task_request(
        &self, state: &State, task: &Task, input: Value, retry_count: u32, task_token: Option<&str>,
        heartbeats: Option<tokio::sync::mpsc::UnboundedSender<()>>,
    ) -> TaskRequest {
        TaskRequest {
            input,
            context: TaskContext::new(
                (&state.name, &task.resource),
                retry_count,
                task_token,
                self.info.names,
                heartbeats,
            ),
        }
    }

    /// Enters a plain Task ([`Step::PlainTask`](crate::plan::Step::PlainTask)) and calls its handler, all without awaiting:
    /// what is left is the call, and then [`Run::finish_plain_task`].
    /// The state input stays in `at` when the output is made from it (else
    /// it is given away, and `at` holds `null`).
    /// (In line in each kind of scope: it is the Task loop's hot path.)
    #[inline(always)]
    pub(super) fn start_plain_task<'s>(
        &self, state: &'s State, task: &Task, at: &mut Next, variables: &Variables,
    ) -> Result<(PlainTask<'s>, crate::clock::BoxFuture<'static, Result<Value, StatesError>>), StatesError> {
        let (entered, entered_time) = self.enter(state, &at.input, at.text.take());
        let context = self.context(state, entered_time, variables);
        let effective = if self.exec.plan.of_state(state).consumes_input {
            self.effective_input_in(state, &mut at.input, &context).map(|()| std::mem::take(&mut at.input))
        } else {
            self.effective_input(state, &at.input, &context)
        };
        let effective = effective.map_err(|f| self.fail_in(state, entered, f))?;
        let kind = self.history().enabled().then(|| ResourceKind::of(&task.resource));
        self.record_task_start(kind.as_ref(), task, &effective, None, None);
        let call = self.exec.handler.invoke(self.task_request(state, task, effective, 0, None, None));
        Ok((PlainTask { state, entered, entered_time, kind }, call))
    }

    /// The rest of a plain Task once its call is answered.
    #[inline(always)]
    pub(super) fn finish_plain_task(
        &self, task: PlainTask<'_>, outcome: Result<Value, StatesError>, to: &mut Next, variables: &mut Variables,
    ) -> Result<bool, StatesError> {
        let PlainTask { state, entered, entered_time, kind } = task;
        // No Retry, no Catch: an error is the state's.
        let result = self.task_answered(kind.as_ref(), outcome)?;
        // (A block, not `drop`: the context is dropped where it lies.)
        let Done { output, next, bound, assigned } = {
            let context = self.context(state, entered_time, variables);
            self.finish_result(state, std::mem::take(&mut to.input), result, &context)
                .map_err(|f| self.fail_in(state, entered, f))?
        };
        to.input = output;
        self.end_in(state, to, (next, bound, assigned), None, variables)
    }

    /// A task call under its `TimeoutSeconds`, `HeartbeatSeconds` and, for
    /// callback tasks, waiting for the token's answer.
    async fn supervise(
        &self, call: crate::clock::BoxFuture<'static, Result<Value, StatesError>>, kind: Option<&ResourceKind>,
        registration: Option<callbacks::Registration>, timeout: Option<u64>,
        heartbeat: Option<(u64, &mut tokio::sync::mpsc::UnboundedReceiver<()>)>,
    ) -> Result<Value, StatesError> {
        let work = async {
            let response = call.await?;
            match registration {
                None => Ok(response),
                // `.waitForTaskToken`: the call only hands the token out;
                // the result is whatever the callback sends.
                Some(mut registration) => {
                    self.record_task_submitted(kind, &response);
                    (&mut registration.result).await
                }
            }
        };
        let watchdog = async {
            let Some((secs, rx)) = heartbeat else {
                return std::future::pending::<StatesError>().await;
            };
            loop {
                tokio::select! {
                    _ = self.exec.clock.sleep(Duration::from_secs(secs)) => return StatesError::bare(names::HEARTBEAT_TIMEOUT),
                    // The sender is alive while the task runs, so this never reports a closed channel.
                    _ = rx.recv() => {}
                }
            }
        };
        let deadline = async {
            match timeout {
                Some(secs) => {
                    self.exec.clock.sleep(Duration::from_secs(secs)).await;
                    // AWS reports task timeouts with an empty cause.
                    StatesError::new(names::TIMEOUT, "")
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            r = work => r,
            e = watchdog => Err(e),
            e = deadline => Err(e),
        }
    }
}
