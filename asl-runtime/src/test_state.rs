//! TestState: one state run alone, as AWS's `TestState` API runs it: its
//! output and the state it would go to, or its error, and whether a
//! retrier or a catcher would take that error; with `Debug`, the data as it
//! went (the input, the task's parameters and result, the history).
//!
//! The state runs through the engine's own code (the same functions an
//! execution calls for it); only what surrounds it differs: Waits do not
//! wait, a retrier is reported (`RETRIABLE`) instead of retried, and a
//! Task's answer can be given (`mock`).

use crate::clock::{BoxFuture, Clock};
use crate::executor::Executor;
use crate::history::{EventDetails, History, HistoryEvent};
use crate::run::{Run, RunInfo};
use crate::task::{TaskError, TaskHandler, TaskRequest};
use crate::variables::Variables;
use asl_spec::model::{Scope, State, StateKind};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// What a TestState run is asked to do.
#[derive(Debug, Clone, Default)]
pub struct TestState {
    /// The state's name (in the machine's own states, or any branch or
    /// processor: the first of that name).
    pub state: String,
    /// The state's input.
    pub input: Value,
    /// The Task's answer, instead of calling its handler.
    pub mock: Option<TestMock>,
    /// How many retries were made already (AWS's `retrierRetryCount`): a
    /// retrier with attempts left makes the outcome `Retriable`.
    pub retrier_retry_count: u32,
    /// The workflow variables the state sees.
    pub variables: Map<String, Value>,
    /// The context object's `Execution` and `StateMachine` members the
    /// state sees (AWS's `context`), over the executor's own: for example
    /// `{"Execution": {"Name": "order-7", "Input": {…}}}`.
    pub context: Map<String, Value>,
    /// Whether to give [`Inspection`] data (AWS's `DEBUG` level).
    pub inspect: bool,
    /// Whether a Parallel or Map without a `mock` runs its branches or
    /// iterations (through the engine, their Tasks answered by the
    /// executor's handler). AWS's TestState refuses such a state; a typed
    /// `Machine::transition` runs it.
    pub run_branches: bool,
}

/// A Task's answer given to TestState (AWS's `mock`).
#[derive(Debug, Clone, PartialEq)]
pub enum TestMock {
    /// The task succeeded with this result.
    Result(Value),
    /// The task failed.
    Error {
        /// The error name.
        error: String,
        /// The cause.
        cause: Option<String>,
    },
}

/// How the state ended (AWS's `TestExecutionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    /// It succeeded: `output` and `next_state` are set.
    Succeeded,
    /// It failed with `error` and `cause`, and nothing took the error.
    Failed,
    /// It failed, and a retrier would run it again.
    Retriable,
    /// It failed, and a catcher took the error: `output` and `next_state`
    /// are the catcher's.
    CaughtError,
}

impl TestStatus {
    /// AWS's name (`SUCCEEDED`, `FAILED`, `RETRIABLE`, `CAUGHT_ERROR`).
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Succeeded => "SUCCEEDED",
            TestStatus::Failed => "FAILED",
            TestStatus::Retriable => "RETRIABLE",
            TestStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// The data as it went through the state (AWS's `inspectionData`). The
/// steps between (`after_…`) are those of a JSONPath state, as AWS gives
/// them; a JSONata state has the input, its Task's arguments and result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    /// The state's input.
    pub input: Value,
    /// The input after `InputPath`.
    pub after_input_path: Option<Value>,
    /// The effective input (after `InputPath` and `Parameters`; a Task's as
    /// its handler got it, `Arguments` included).
    pub after_parameters: Option<Value>,
    /// The result (a Task's or a mocked Parallel's or Map's, a Pass's
    /// `Result`), before `ResultSelector` and `ResultPath`.
    pub result: Option<Value>,
    /// The result after `ResultSelector`.
    pub after_result_selector: Option<Value>,
    /// The input with the result placed at `ResultPath` (before `OutputPath`).
    pub after_result_path: Option<Value>,
    /// The events the state recorded, as an execution records them.
    pub events: Vec<HistoryEvent>,
}

/// What a TestState run gave (AWS's `TestStateOutput`).
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// How it ended.
    pub status: TestStatus,
    /// The output (succeeded, or caught).
    pub output: Option<Value>,
    /// The error (failed, retriable or caught).
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
    /// The state it goes to next (`None` at the end, or on failure).
    pub next_state: Option<String>,
    /// The workflow variables after the state: those it was given, with
    /// what its `Assign` (or its catcher's) set.
    pub variables: Map<String, Value>,
    /// The data as it went, when asked for.
    pub inspection: Option<Inspection>,
}

/// Where one state leads: a [`TestOutcome`] with the next state typed
/// (generated code's `State`; see [`TestOutcome::transition`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Transition<S> {
    /// The state succeeded; the execution goes on in `state` with `output`.
    Next {
        /// The `Next` state (a Choice's chosen one).
        state: S,
        /// The state's output: the next state's input.
        output: Value,
    },
    /// The state succeeded and ends its scope (`End`, Succeed): `output` is
    /// the execution's (or the branch's, the iteration's).
    End {
        /// The output.
        output: Value,
    },
    /// The state failed and a catcher took the error: the execution goes on
    /// in `catcher` with `output` (the input with the error at the catcher's
    /// `ResultPath`).
    Caught {
        /// The error name.
        error: String,
        /// Its cause.
        cause: Option<String>,
        /// The catcher's `Next`.
        catcher: S,
        /// The catcher's output.
        output: Value,
    },
    /// The state failed and a retrier would run it again.
    Retry {
        /// The error name.
        error: String,
        /// Its cause.
        cause: Option<String>,
    },
    /// The state failed and nothing took the error: it ends the scope (and,
    /// at the top level, the execution) as failed.
    Failed {
        /// The error name.
        error: String,
        /// Its cause.
        cause: Option<String>,
    },
}

impl TestOutcome {
    /// The outcome as a [`Transition`], the next state's name made an `S`
    /// by `state` (a generated `State::from_name`). `None` only if `state`
    /// knows no state of the machine.
    pub fn transition<S>(&self, state: impl Fn(&str) -> Option<S>) -> Option<Transition<S>> {
        let error = || self.error.clone().unwrap_or_default();
        let output = || self.output.clone().unwrap_or(Value::Null);
        let next = || self.next_state.as_deref().map(&state);
        Some(match self.status {
            TestStatus::Succeeded => match next() {
                Some(state) => Transition::Next { state: state?, output: output() },
                None => Transition::End { output: output() },
            },
            TestStatus::CaughtError => {
                Transition::Caught { error: error(), cause: self.cause.clone(), catcher: next()??, output: output() }
            }
            TestStatus::Retriable => Transition::Retry { error: error(), cause: self.cause.clone() },
            TestStatus::Failed => Transition::Failed { error: error(), cause: self.cause.clone() },
        })
    }
}

/// Why a TestState run could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStateError {
    /// The machine has no state of that name.
    NoSuchState(String),
    /// The input could not be made JSON.
    InvalidInput(String),
    /// TestState runs a Parallel or a Map only with a mock of its result
    /// (as AWS does): its data flow around that result.
    Unsupported(String),
}

impl std::fmt::Display for TestStateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestStateError::NoSuchState(name) => write!(f, "the machine has no state named '{name}'"),
            TestStateError::InvalidInput(e) => write!(f, "the input is not JSON: {e}"),
            TestStateError::Unsupported(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for TestStateError {}

/// The scope holding the state named `name`, and the state.
fn find<'d>(scope: &'d Scope, name: &str) -> Option<(&'d Scope, &'d State)> {
    let mut found = None;
    asl_spec::model::visit_scoped(scope, None, &mut |state, scope, _| {
        if found.is_none() && *state.name == *name {
            found = Some((scope, state));
        }
    });
    found
}

/// A clock whose waits end at once: TestState does not wait.
struct NoWait(Arc<dyn Clock>);

impl Clock for NoWait {
    fn now(&self) -> jiff::Timestamp {
        self.0.now()
    }
    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// A Task's effective input and its answer.
type Answered = Option<(Value, Result<Value, TaskError>)>;

/// Answers the Task (from the mock or its handler), keeping the request
/// and the answer.
struct Watched {
    inner: Arc<dyn TaskHandler>,
    mock: Option<TestMock>,
    seen: Arc<Mutex<Answered>>,
}

impl TaskHandler for Watched {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let input = request.input.clone();
        // A `.waitForTaskToken` Task's mock is the callback's answer: it is
        // given at once, and the call that hands the token out succeeds.
        if let (Some(mock), Some(token)) = (&self.mock, request.context.task_token()) {
            let answer = match mock {
                TestMock::Result(value) => Ok(value.clone()),
                TestMock::Error { error, cause } => Err(TaskError { error: error.clone(), cause: cause.clone() }),
            };
            *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((input, answer.clone()));
            let given = match answer {
                Ok(value) => crate::callbacks::send_task_success(token, value),
                Err(e) => crate::callbacks::send_task_failure(token, &e.error, e.cause.as_deref().unwrap_or_default()),
            };
            return Box::pin(async move {
                given.map_err(|e| TaskError::new(crate::error::names::RUNTIME, e.to_string()))?;
                Ok(Value::Object(Map::new()))
            });
        }
        let call: BoxFuture<'static, Result<Value, TaskError>> = match &self.mock {
            Some(TestMock::Result(value)) => {
                let value = value.clone();
                Box::pin(async move { Ok(value) })
            }
            Some(TestMock::Error { error, cause }) => {
                let error = TaskError { error: error.clone(), cause: cause.clone() };
                Box::pin(async move { Err(error) })
            }
            None => self.inner.invoke(request),
        };
        let seen = self.seen.clone();
        Box::pin(async move {
            let answer = call.await;
            *seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((input, answer.clone()));
            answer
        })
    }
}

impl Executor {
    /// Runs one state alone, as AWS's `TestState` does (see [`TestState`]).
    pub async fn test_state(&self, test: TestState) -> Result<TestOutcome, TestStateError> {
        let definition = self.definition.clone();
        let (scope, state) =
            find(&definition.body, &test.state).ok_or_else(|| TestStateError::NoSuchState(test.state.clone()))?;
        let nested = matches!(state.kind, StateKind::Parallel(_) | StateKind::Map(_));
        if nested && test.mock.is_none() && !test.run_branches {
            return Err(TestStateError::Unsupported(format!(
                "TestState runs the {} state '{}' only with a mock of its result, as AWS does",
                state.kind.type_name(),
                state.name
            )));
        }
        // Retriers are reported, not run: the state runs without them.
        let mut alone = state.clone();
        let retriers = match &mut alone.kind {
            StateKind::Task(task) => std::mem::take(&mut task.retry),
            StateKind::Parallel(parallel) => std::mem::take(&mut parallel.retry),
            StateKind::Map(map) => std::mem::take(&mut map.retry),
            _ => Vec::new(),
        };
        let seen = Arc::new(Mutex::new(None));
        let mut services = self.services.clone();
        // A Parallel's branches or a Map's iterations are the mock.
        if nested && let Some(mock) = test.mock.clone() {
            let seen = seen.clone();
            services.stand_in = Some(Arc::new(move |input: &Value| {
                let answer = match &mock {
                    TestMock::Result(value) => Ok(value.clone()),
                    TestMock::Error { error, cause } => Err(TaskError { error: error.clone(), cause: cause.clone() }),
                };
                *seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((input.clone(), answer.clone()));
                answer
            }));
        }
        services.handler =
            Arc::new(Watched { inner: self.services.handler.clone(), mock: test.mock.clone(), seen: seen.clone() });
        services.clock = Arc::new(NoWait(self.services.clock.clone()));
        let events = Arc::new(Mutex::new(Vec::new()));
        let history = if test.inspect {
            let events = events.clone();
            History::streaming(Arc::new(move |e| {
                events.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(e)
            }))
        } else {
            History::new(false)
        };
        let mut info = RunInfo {
            names: &self.names,
            start_ms: services.clock.now().as_millisecond(),
            input: Some(Box::new(test.input.clone())),
            input_text: None,
            members: OnceLock::new(),
            interrupts: None,
            redrive_count: 0,
        };
        if !test.context.is_empty() {
            info.override_context(&test.context);
        }
        let run = Run { exec: &services, history, info: &info };
        let entry_variables = Variables::from_map(Some(test.variables.clone()));
        let mut variables = entry_variables.clone();
        let outcome = run.one_state(&alone, test.input.clone(), &mut variables).await;
        let answered = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let task_error = match &answered {
            Some((_, Err(error))) => Some(error.clone()),
            _ => None,
        };
        let (status, output, error, next) = match (outcome, task_error) {
            // A retrier with attempts left would run the Task again.
            (_, Some(error)) if retriable(&retriers, &error, test.retrier_retry_count) => {
                (TestStatus::Retriable, None, Some(error), None)
            }
            (Ok((next, output)), Some(error)) => (TestStatus::CaughtError, Some(output), Some(error), next),
            (Ok((next, output)), None) => (TestStatus::Succeeded, Some(output), None, next),
            (Err(error), _) => (TestStatus::Failed, None, Some(error), None),
        };
        let (error, cause) = error.map_or((None, None), |e| (Some(e.error), e.cause));
        let mut result = TestOutcome {
            status,
            output,
            error,
            cause,
            next_state: next.and_then(|index| scope.states.get(index).map(|s| s.name.to_string())),
            variables: variables.into_map().unwrap_or_default(),
            inspection: None,
        };
        if test.inspect {
            let events = std::mem::take(&mut *events.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            let (asked, answer) = match answered {
                Some((parameters, answer)) => (Some(parameters), answer.ok()),
                None => (None, None),
            };
            // The result as the history shows it (a Lambda's Invoke response, …).
            let recorded = events.iter().find_map(|e| match &e.details {
                Some(
                    EventDetails::TaskSucceeded { output, .. } | EventDetails::LambdaFunctionSucceeded { output, .. },
                ) => serde_json::from_str(output).ok(),
                _ => None,
            });
            let stages = run.stages(state, &test.input, None, &entry_variables);
            let result_of = match &state.kind {
                StateKind::Pass(pass) => pass.result.clone().or(stages.after_parameters.clone()),
                _ => recorded.or(answer),
            };
            let stages = run.stages(state, &test.input, result_of.as_ref(), &entry_variables);
            result.inspection = Some(Inspection {
                input: test.input,
                after_input_path: stages.after_input_path,
                after_parameters: asked.or(stages.after_parameters),
                result: result_of,
                after_result_selector: stages.after_result_selector,
                after_result_path: stages.after_result_path,
                events,
            });
        }
        Ok(result)
    }
}

/// Whether `retriers`, after `done` retries, would retry `error`: the
/// engine's own retry policy, asked after as many failures.
fn retriable(retriers: &[asl_spec::model::Retrier], error: &TaskError, done: u32) -> bool {
    let mut policy = crate::run::RetryPolicy::new(retriers);
    for _ in 0..done {
        if policy.next_delay(error).is_none() {
            return false;
        }
    }
    policy.next_delay(error).is_some()
}
