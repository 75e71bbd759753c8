//! The executor: runs a [`Definition`] state by state with AWS's semantics
//! for data flow, errors, retries, catchers, waits, timeouts and history.

use crate::clock::{Clock, SystemClock, format_timestamp};
use crate::error::{Failure, StatesError, names};
use crate::history::{ErrorDetails, EventDetails, History, HistoryEvent, PayloadDetails};
use crate::identity::Identity;
use crate::jsonpath::{self, Roots};
use crate::payload;
use crate::task::{Handlers, ResourceKind, TaskContext, TaskHandler, TaskRequest};
use asl_spec::model::*;
use serde_json::{Map, Value};
use std::sync::OnceLock;
use std::sync::Arc;
use std::time::Duration;

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// It reached a Succeed state or an `End`.
    Succeeded,
    /// A Fail state or an uncaught error ended it.
    Failed,
    /// The machine's `TimeoutSeconds` ran out.
    TimedOut,
    /// It was stopped from outside.
    Aborted,
}

impl Status {
    /// AWS's name (`SUCCEEDED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// The result of one execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// How it ended.
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Value>,
    /// The error name, when it failed.
    pub error: Option<String>,
    /// The cause, when it failed.
    pub cause: Option<String>,
    /// The history (empty when history recording is off).
    pub events: Vec<HistoryEvent>,
}

impl Execution {
    /// The names of the states entered, in order (needs history).
    pub fn states_entered(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match &e.details {
                Some(EventDetails::StateEntered { name, .. }) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The output, or the error as a [`StatesError`].
    pub fn into_result(self) -> Result<Value, StatesError> {
        match self.status {
            Status::Succeeded => Ok(self.output.unwrap_or(Value::Null)),
            _ => Err(StatesError { error: self.error.unwrap_or_else(|| self.status.as_str().to_string()), cause: self.cause }),
        }
    }
}

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

/// Runs executions of one definition. Cheap to clone; reuse it.
#[derive(Clone)]
pub struct Executor {
    definition: Arc<Definition>,
    handler: Arc<dyn TaskHandler>,
    clock: Arc<dyn Clock>,
    identity: Identity,
    record_history: bool,
    limits: Limits,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor").field("identity", &self.identity).field("record_history", &self.record_history).finish()
    }
}

impl Executor {
    /// An executor with no task handlers, the system clock and default identity.
    pub fn new(definition: impl Into<Arc<Definition>>) -> Self {
        Executor {
            definition: definition.into(),
            handler: Arc::new(Handlers::new()),
            clock: Arc::new(SystemClock),
            identity: Identity::default(),
            record_history: true,
            limits: Limits::default(),
        }
    }

    /// Sets what runs Task states.
    pub fn handler(mut self, handler: impl TaskHandler) -> Self {
        self.handler = Arc::new(handler);
        self
    }

    /// Sets what runs Task states, shared.
    pub fn shared_handler(mut self, handler: Arc<dyn TaskHandler>) -> Self {
        self.handler = handler;
        self
    }

    /// Sets the clock (e.g. a [`VirtualClock`](crate::VirtualClock)).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sets the execution's identity.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = identity;
        self
    }

    /// Turns history recording on (the default) or off.
    pub fn record_history(mut self, on: bool) -> Self {
        self.record_history = on;
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The definition being run.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Runs one execution to its end.
    pub async fn run(&self, input: Value) -> Execution {
        let start = self.clock.now();
        let identity = &self.identity;
        let info = RunInfo {
            execution_id: identity.execution_arn(),
            execution_name: identity.execution_name.clone(),
            role_arn: identity.role_arn.clone(),
            state_machine_id: identity.state_machine_arn(),
            state_machine_name: identity.state_machine_name.clone(),
            start_time: format_timestamp(start),
            input: input.clone(),
        };
        let mut run = Run { exec: self, history: History::new(self.record_history), info: &info };
        let input_text = run.history.enabled().then(|| to_text(&input));
        run.history.record(
            "ExecutionStarted",
            || info.start_time.clone(),
            || {
                Some(EventDetails::ExecutionStarted {
                    input: input_text.unwrap_or_default(),
                    input_details: PayloadDetails::default(),
                    role_arn: identity.role_arn.clone(),
                })
            },
        );
        let body = &self.definition.body;
        let outcome = match self.definition.timeout_seconds {
            Some(secs) => {
                let sleep = self.clock.sleep(Duration::from_secs(secs));
                tokio::select! {
                    biased;
                    r = run.scope(body, input) => Some(r),
                    _ = sleep => None,
                }
            }
            None => Some(run.scope(body, input).await),
        };
        let mut history = run.history;
        let now = || format_timestamp(self.clock.now());
        match outcome {
            Some(Ok(output)) => {
                let text = history.enabled().then(|| to_text(&output));
                history.record("ExecutionSucceeded", now, || {
                    Some(EventDetails::ExecutionSucceeded { output: text.unwrap_or_default(), output_details: PayloadDetails::default() })
                });
                Execution { status: Status::Succeeded, output: Some(output), error: None, cause: None, events: history.into_events() }
            }
            Some(Err(e)) => {
                // A Fail state without `Error` fails with no error name at all.
                let error = Some(e.error).filter(|name| !name.is_empty());
                let details = ErrorDetails { error: error.clone(), cause: e.cause.clone() };
                history.record("ExecutionFailed", now, || Some(EventDetails::ExecutionFailed(details)));
                Execution { status: Status::Failed, output: None, error, cause: e.cause, events: history.into_events() }
            }
            None => {
                let error = names::TIMEOUT.to_string();
                let details = ErrorDetails { error: Some(error.clone()), cause: None };
                history.record("ExecutionTimedOut", now, || Some(EventDetails::ExecutionTimedOut(details)));
                Execution { status: Status::TimedOut, output: None, error: Some(error), cause: None, events: history.into_events() }
            }
        }
    }
}

/// Execution-wide facts for the context object.
struct RunInfo {
    execution_id: String,
    execution_name: String,
    role_arn: String,
    state_machine_id: String,
    state_machine_name: String,
    start_time: String,
    input: Value,
}

/// The context object of one state, built only if a path asks for `$$`.
struct StateContext<'a> {
    info: &'a RunInfo,
    state: &'a str,
    entered_time: String,
    retry_count: Option<u32>,
    value: OnceLock<Value>,
    task_token: Option<String>,
}

impl StateContext<'_> {
    fn value(&self) -> &Value {
        self.value.get_or_init(|| {
            let i = self.info;
            let mut execution = Map::new();
            execution.insert("Id".into(), Value::String(i.execution_id.clone()));
            execution.insert("Input".into(), i.input.clone());
            execution.insert("StartTime".into(), Value::String(i.start_time.clone()));
            execution.insert("Name".into(), Value::String(i.execution_name.clone()));
            execution.insert("RoleArn".into(), Value::String(i.role_arn.clone()));
            execution.insert("RedriveCount".into(), Value::from(0));
            let mut machine = Map::new();
            machine.insert("Id".into(), Value::String(i.state_machine_id.clone()));
            machine.insert("Name".into(), Value::String(i.state_machine_name.clone()));
            let mut state = Map::new();
            state.insert("Name".into(), Value::String(self.state.to_string()));
            state.insert("EnteredTime".into(), Value::String(self.entered_time.clone()));
            if let Some(n) = self.retry_count {
                state.insert("RetryCount".into(), Value::from(n));
            }
            let mut ctx = Map::new();
            ctx.insert("Execution".into(), Value::Object(execution));
            ctx.insert("StateMachine".into(), Value::Object(machine));
            ctx.insert("State".into(), Value::Object(state));
            if let Some(token) = &self.task_token {
                let mut task = Map::new();
                task.insert("Token".into(), Value::String(token.clone()));
                ctx.insert("Task".into(), Value::Object(task));
            }
            Value::Object(ctx)
        })
    }
}

/// `$` is some value, `$$` the state's context.
struct Env<'a> {
    input: &'a Value,
    context: &'a StateContext<'a>,
}

impl Roots for Env<'_> {
    fn input(&self) -> &Value {
        self.input
    }
    fn context(&self) -> &Value {
        self.context.value()
    }
    fn variable(&self, _name: &str) -> Option<&Value> {
        None
    }
}

fn to_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Counts the bytes of a value's JSON text without building it.
fn json_len(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// Where a state sends the execution next.
enum Flow {
    Next(usize, Value),
    End(Value),
}

struct Run<'a> {
    exec: &'a Executor,
    history: History,
    info: &'a RunInfo,
}

impl Run<'_> {
    fn now(&self) -> String {
        format_timestamp(self.exec.clock.now())
    }

    async fn scope(&mut self, scope: &Scope, input: Value) -> Result<Value, StatesError> {
        let mut index = scope.start_index;
        let mut input = input;
        loop {
            let limit = self.exec.limits.max_history_events;
            if self.history.count() >= limit {
                return Err(StatesError::new(
                    names::RUNTIME,
                    format!("The execution reached the maximum number of history events ({limit})."),
                ));
            }
            let state = scope.states.get(index).ok_or_else(|| {
                StatesError::new(names::RUNTIME, format!("the definition has no state at index {index}; was it validated?"))
            })?;
            match self.state(state, input).await? {
                Flow::Next(next, output) => {
                    index = next;
                    input = output;
                }
                Flow::End(output) => return Ok(output),
            }
        }
    }

    fn record_entered(&mut self, state: &State, input: &Value) -> (u64, String) {
        let entered_time = self.now();
        let type_name = state.kind.type_name();
        // AWS links the first state of an execution to no event.
        let previous = if self.history.last_id() == 1 { 0 } else { self.history.last_id() };
        let text = self.history.enabled().then(|| to_text(input));
        let id = self.history.record_after(
            previous,
            &format!("{type_name}StateEntered"),
            || entered_time.clone(),
            || Some(EventDetails::StateEntered { name: state.name.clone(), input: text.unwrap_or_default(), input_details: PayloadDetails::default() }),
        );
        (id, entered_time)
    }

    fn record_exited(&mut self, state: &State, output: &Value) {
        let now = self.now();
        let text = self.history.enabled().then(|| to_text(output));
        self.history.record(
            &format!("{}StateExited", state.kind.type_name()),
            || now,
            || Some(EventDetails::StateExited { name: state.name.clone(), output: text.unwrap_or_default(), output_details: PayloadDetails::default() }),
        );
    }

    async fn state(&mut self, state: &State, input: Value) -> Result<Flow, StatesError> {
        let (entered, entered_time) = self.record_entered(state, &input);
        let retry_count = matches!(state.kind, StateKind::Task(_)).then_some(0);
        // `$$.Task.Token` exists for callback tasks only, one token per state entry.
        let task_token = match &state.kind {
            StateKind::Task(t) if t.resource.ends_with(".waitForTaskToken") => Some(new_task_token()),
            _ => None,
        };
        let context = StateContext { info: self.info, state: &state.name, entered_time, retry_count, value: OnceLock::new(), task_token };
        let in_state = |f: Failure| f.in_state(&state.name, entered);
        if let Some(missing) = unsupported(state) {
            return Err(in_state(Failure::runtime(format!("{missing} is not supported by this version of asl-runtime"))));
        }

        let (output, next) = match &state.kind {
            StateKind::Fail(fail) => {
                let env = Env { input: &input, context: &context };
                let error = fail_text(fail.error.as_ref(), &env, "ErrorPath").map_err(in_state)?;
                let cause = fail_text(fail.cause.as_ref(), &env, "CausePath").map_err(in_state)?;
                return Err(StatesError { error: error.unwrap_or_default(), cause });
            }
            StateKind::Choice(choice) => {
                let effective = select_nullable(&state.io.input_path, &input, &context).map_err(in_state)?;
                let env = Env { input: &effective, context: &context };
                let mut next = choice.default.as_ref().map(|t| t.index);
                for branch in &choice.choices {
                    if payload::rule_holds(&branch.rule, &env).map_err(in_state)? {
                        next = Some(branch.next.index);
                        break;
                    }
                }
                let Some(next) = next else {
                    return Err(StatesError::new(
                        names::NO_CHOICE_MATCHED,
                        format!("An error occurred while executing the state '{}' (entered at the event id #{entered}). No Matches!", state.name),
                    ));
                };
                let output = select_nullable(&state.io.output_path, &effective, &context).map_err(in_state)?;
                (output, Some(next))
            }
            StateKind::Succeed => {
                let effective = select_nullable(&state.io.input_path, &input, &context).map_err(in_state)?;
                let output = select_nullable(&state.io.output_path, &effective, &context).map_err(in_state)?;
                (output, None)
            }
            StateKind::Wait(wait) => {
                let effective = select_nullable(&state.io.input_path, &input, &context).map_err(in_state)?;
                let duration = {
                    let env = Env { input: &effective, context: &context };
                    self.wait_duration(wait, &env).map_err(in_state)?
                };
                if !duration.is_zero() {
                    self.exec.clock.sleep(duration).await;
                }
                let output = select_nullable(&state.io.output_path, &effective, &context).map_err(in_state)?;
                (output, next_of(state))
            }
            StateKind::Pass(pass) => {
                let effective = self.effective_input(state, &input, &context).map_err(in_state)?;
                let result = match &pass.result {
                    Some(r) => r.clone(),
                    None => effective,
                };
                let output = self.finish_output(state, input, result, &context).map_err(in_state)?;
                (output, next_of(state))
            }
            StateKind::Task(task) => {
                let effective = self.effective_input(state, &input, &context).map_err(in_state)?;
                match self.task(state, task, effective, &context, entered).await {
                    Ok(result) => {
                        let selected = match &state.io.result_selector {
                            Some(t) => payload::evaluate(t, &Env { input: &result, context: &context }).map_err(in_state)?,
                            None => result,
                        };
                        let output = self.finish_output(state, input, selected, &context).map_err(in_state)?;
                        (output, next_of(state))
                    }
                    Err(error) => return self.catch(state, &task.catch, error, input, entered),
                }
            }
            StateKind::Parallel(_) | StateKind::Map(_) => unreachable!("rejected by `unsupported` above"),
        };
        if json_len(&output) > self.exec.limits.max_payload_bytes {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", state.name),
            ));
        }
        self.record_exited(state, &output);
        Ok(match next {
            Some(i) => Flow::Next(i, output),
            None => Flow::End(output),
        })
    }

    /// `InputPath` then `Parameters`.
    fn effective_input(&self, state: &State, input: &Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        let selected = select_nullable(&state.io.input_path, input, context)?;
        match &state.io.parameters {
            Some(t) => payload::evaluate(t, &Env { input: &selected, context }),
            None => Ok(selected),
        }
    }

    /// `ResultPath` then `OutputPath`.
    fn finish_output(&self, state: &State, input: Value, result: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        let combined = apply_result_path(&state.io.result_path, input, result)?;
        match &state.io.output_path {
            NullablePath::Path(p) if p.is_identity() => Ok(combined),
            other => select_nullable(other, &combined, context),
        }
    }

    fn wait_duration(&self, wait: &Wait, env: &Env<'_>) -> Result<Duration, Failure> {
        let until = |ts: jiff::Timestamp| {
            let now = self.exec.clock.now();
            let span = ts.duration_since(now);
            Duration::try_from(span).unwrap_or(Duration::ZERO)
        };
        match wait {
            Wait::Seconds(Seconds::Fixed(s)) => Ok(Duration::from_secs(*s)),
            Wait::Seconds(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
                })?;
                match v.as_ref() {
                    Value::Number(n) if n.as_i64().is_some_and(|i| i < 0) => Err(Failure::runtime(format!(
                        "The SecondsPath parameter references a negative value: {} == {n}",
                        p.text
                    ))),
                    Value::Number(n) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
                    other => Err(Failure::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.text,
                        text_of(other)
                    ))),
                }
            }
            Wait::Timestamp(s) => {
                let ts = asl_spec::time::parse_rfc3339(s).ok_or_else(|| {
                    Failure::runtime(format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {s}"))
                })?;
                Ok(until(ts))
            }
            Wait::TimestampPath(p) => {
                let v = jsonpath::select(p, env).map_err(|_| {
                    Failure::runtime(format!("The TimestampPath parameter does not reference an input value: {}", p.text))
                })?;
                let ts = v.as_str().and_then(asl_spec::time::parse_rfc3339).ok_or_else(|| {
                    Failure::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.text,
                        text_of(&v)
                    ))
                })?;
                Ok(until(ts))
            }
            Wait::Seconds(Seconds::Jsonata(_)) | Wait::TimestampJsonata(_) => {
                Err(Failure::runtime("JSONata Wait states are not supported by this runtime yet"))
            }
        }
    }

    fn task_seconds(&self, seconds: &Option<Seconds>, field: &str, env: &Env<'_>) -> Result<Option<u64>, Failure> {
        match seconds {
            None => Ok(None),
            Some(Seconds::Fixed(s)) => Ok(Some(*s)),
            Some(Seconds::Path(p)) => {
                let v = jsonpath::select(p, env)
                    .map_err(|_| Failure::runtime(format!("The {field}Path parameter does not reference an input value: {}", p.text)))?;
                match v.as_u64() {
                    Some(s) if s > 0 => Ok(Some(s)),
                    _ => Err(Failure::runtime(format!(
                        "The {field}Path parameter does not reference a positive integer: {} == {}",
                        p.text,
                        text_of(&v)
                    ))),
                }
            }
            Some(Seconds::Jsonata(_)) => Err(Failure::runtime(format!("JSONata `{field}` is not supported by this runtime yet"))),
        }
    }

    /// Invokes the resource, retrying as the `Retry` rules say.
    async fn task(&mut self, state: &State, task: &Task, input: Value, context: &StateContext<'_>, entered: u64) -> Result<Value, StatesError> {
        let (timeout, heartbeat) = {
            let env = Env { input: &input, context };
            let t = self.task_seconds(&task.timeout, "TimeoutSeconds", &env).map_err(|f| f.in_state(&state.name, entered))?;
            let h = self.task_seconds(&task.heartbeat, "HeartbeatSeconds", &env).map_err(|f| f.in_state(&state.name, entered))?;
            (t, h)
        };
        let kind = ResourceKind::of(&task.resource);
        let resource: Arc<str> = Arc::from(task.resource.as_str());
        let mut attempts = vec![0u64; task.retry.len()];
        let mut retry_count = 0u32;
        loop {
            self.record_task_start(&kind, task, &input, timeout, heartbeat);
            let request = TaskRequest {
                resource: resource.clone(),
                input: input.clone(),
                context: TaskContext {
                    state_name: state.name.clone(),
                    resource: task.resource.clone(),
                    retry_count,
                    task_token: context.task_token.clone(),
                    execution_arn: self.info.execution_id.clone(),
                    execution_name: self.info.execution_name.clone(),
                    state_machine_arn: self.info.state_machine_id.clone(),
                },
            };
            let call = self.exec.handler.invoke(request);
            let outcome = match timeout {
                Some(secs) => {
                    let sleep = self.exec.clock.sleep(Duration::from_secs(secs));
                    tokio::select! {
                        biased;
                        r = call => Some(r),
                        _ = sleep => None,
                    }
                }
                None => Some(call.await),
            };
            let error = match outcome {
                Some(Ok(output)) => {
                    self.record_task_end(&kind, task, Ok(&output));
                    return Ok(output);
                }
                Some(Err(e)) => e,
                None => StatesError::bare(names::TIMEOUT),
            };
            if error.is_uncatchable() {
                return Err(error);
            }
            self.record_task_end(&kind, task, Err(&error));
            let Some(r) = task.retry.iter().position(|r| error.matches(&r.error_equals, true)) else {
                return Err(error);
            };
            let retrier = &task.retry[r];
            if attempts[r] >= retrier.max_attempts {
                return Err(error);
            }
            let delay = backoff(retrier, attempts[r]);
            attempts[r] += 1;
            retry_count += 1;
            if !delay.is_zero() {
                self.exec.clock.sleep(delay).await;
            }
        }
    }

    fn record_task_start(&mut self, kind: &ResourceKind, task: &Task, input: &Value, timeout: Option<u64>, heartbeat: Option<u64>) {
        if !self.history.enabled() {
            self.history.record("", String::new, || None);
            self.history.record("", String::new, || None);
            return;
        }
        let now = self.now();
        let text = to_text(input);
        match kind {
            ResourceKind::LambdaFunction => {
                self.history.record("LambdaFunctionScheduled", || now.clone(), || {
                    Some(EventDetails::LambdaFunctionScheduled {
                        resource: task.resource.clone(),
                        input: text,
                        input_details: PayloadDetails::default(),
                        timeout_in_seconds: timeout,
                    })
                });
                self.history.record("LambdaFunctionStarted", || now, || None);
            }
            ResourceKind::Service { resource_type, resource } => {
                self.history.record("TaskScheduled", || now.clone(), || {
                    Some(EventDetails::TaskScheduled {
                        resource: resource.clone(),
                        resource_type: resource_type.clone(),
                        region: self.exec.identity.region.clone(),
                        parameters: text,
                        timeout_in_seconds: timeout,
                        heartbeat_in_seconds: heartbeat,
                    })
                });
                self.history.record("TaskStarted", || now, || {
                    Some(EventDetails::TaskStarted { resource: resource.clone(), resource_type: resource_type.clone() })
                });
            }
        }
    }

    fn record_task_end(&mut self, kind: &ResourceKind, _task: &Task, outcome: Result<&Value, &StatesError>) {
        if !self.history.enabled() {
            self.history.record("", String::new, || None);
            return;
        }
        let now = self.now();
        let timed_out = matches!(outcome, Err(e) if e.error == names::TIMEOUT);
        let (event_type, details) = match (kind, outcome) {
            (ResourceKind::LambdaFunction, Ok(v)) => (
                "LambdaFunctionSucceeded",
                EventDetails::LambdaFunctionSucceeded { output: to_text(v), output_details: PayloadDetails::default() },
            ),
            (ResourceKind::LambdaFunction, Err(e)) => {
                let d = ErrorDetails { error: Some(e.error.clone()), cause: e.cause.clone() };
                if timed_out {
                    ("LambdaFunctionTimedOut", EventDetails::LambdaFunctionTimedOut(d))
                } else {
                    ("LambdaFunctionFailed", EventDetails::LambdaFunctionFailed(d))
                }
            }
            (ResourceKind::Service { resource_type, resource }, Ok(v)) => (
                "TaskSucceeded",
                EventDetails::TaskSucceeded {
                    resource: resource.clone(),
                    resource_type: resource_type.clone(),
                    output: to_text(v),
                    output_details: PayloadDetails::default(),
                },
            ),
            (ResourceKind::Service { resource_type, resource }, Err(e)) => {
                let error = ErrorDetails { error: Some(e.error.clone()), cause: e.cause.clone() };
                let (resource, resource_type) = (resource.clone(), resource_type.clone());
                if timed_out {
                    ("TaskTimedOut", EventDetails::TaskTimedOut { resource, resource_type, error })
                } else {
                    ("TaskFailed", EventDetails::TaskFailed { resource, resource_type, error })
                }
            }
        };
        self.history.record(event_type, || now, || Some(details));
    }

    /// Applies the first matching catcher, or passes the error on.
    fn catch(&mut self, state: &State, catchers: &[Catcher], error: StatesError, input: Value, entered: u64) -> Result<Flow, StatesError> {
        if error.is_uncatchable() {
            return Err(error);
        }
        let Some(catcher) = catchers.iter().find(|c| error.matches(&c.error_equals, true)) else {
            return Err(error);
        };
        let mut error_output = Map::new();
        error_output.insert("Error".into(), Value::String(error.error.clone()));
        if let Some(cause) = &error.cause {
            error_output.insert("Cause".into(), Value::String(cause.clone()));
        }
        let output = apply_result_path(&catcher.result_path, input, Value::Object(error_output))
            .map_err(|f| f.in_state(&state.name, entered))?;
        self.record_exited(state, &output);
        Ok(Flow::Next(catcher.next.index, output))
    }
}

/// Features the model carries but this runtime does not execute yet. A state
/// using one fails loudly instead of running with the feature ignored.
fn unsupported(state: &State) -> Option<&'static str> {
    if state.query_language == QueryLanguage::Jsonata {
        return Some("JSONata (`QueryLanguage: JSONata`)");
    }
    let assigns = state.assign.is_some()
        || match &state.kind {
            StateKind::Choice(c) => c.choices.iter().any(|b| b.assign.is_some()),
            StateKind::Task(t) => t.catch.iter().any(|c| c.assign.is_some()),
            _ => false,
        };
    if assigns {
        return Some("`Assign` (workflow variables)");
    }
    match &state.kind {
        StateKind::Parallel(_) => Some("the Parallel state"),
        StateKind::Map(_) => Some("the Map state"),
        _ => None,
    }
}

/// An opaque task token, as long and unguessable as AWS's.
fn new_task_token() -> String {
    use base64::Engine;
    let bytes: Vec<u8> = uuid::Uuid::new_v4().as_bytes().iter().chain(uuid::Uuid::new_v4().as_bytes()).copied().collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn next_of(state: &State) -> Option<usize> {
    match &state.transition {
        Transition::Next(t) => Some(t.index),
        _ => None,
    }
}

/// A value as AWS prints it inside a cause: strings bare, the rest as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => to_text(other),
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
        Jitter::Full => fastrand::f64() * capped,
        Jitter::None => capped,
    };
    Duration::try_from_secs_f64(secs.min(1.0e9)).unwrap_or(Duration::ZERO)
}

fn select_nullable(path: &NullablePath, input: &Value, context: &StateContext<'_>) -> Result<Value, Failure> {
    match path {
        NullablePath::Null => Ok(Value::Object(Map::new())),
        NullablePath::Path(p) if p.is_identity() => Ok(input.clone()),
        NullablePath::Path(p) => {
            let env = Env { input, context };
            jsonpath::select(p, &env).map(std::borrow::Cow::into_owned).map_err(|miss| Failure::runtime(jsonpath::invalid_path_message(p, miss)))
        }
    }
}

fn apply_result_path(result_path: &ResultPath, input: Value, result: Value) -> Result<Value, Failure> {
    match result_path {
        ResultPath::Discard => Ok(input),
        ResultPath::Path(p) => jsonpath::set_at(input, p, result),
    }
}

fn fail_text(text: Option<&FailText>, env: &Env<'_>, field: &str) -> Result<Option<String>, Failure> {
    Ok(match text {
        None => None,
        Some(FailText::Literal(s)) => Some(s.clone()),
        Some(FailText::Path(p)) => {
            let v = jsonpath::select(p, env).map_err(|_| payload::path_not_found(p, field, env))?;
            Some(text_of(&v))
        }
        Some(FailText::Call(c)) => Some(text_of(&crate::intrinsics::evaluate(c, env, field)?)),
    })
}
