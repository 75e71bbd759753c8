//! The Task interface: how the runtime calls out to the code behind a
//! `Resource`, and how each kind of resource shows up in history.

use crate::clock::BoxFuture;
use crate::error::StatesError;
use crate::identity::Names;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// What a Task handler receives besides its input: which state calls which
/// resource, the attempt, the callback token and the execution it is in.
/// The names are shared with the definition and the execution, not copied
/// for each call, and read as `&str`: `ctx.state_name() == "ChargeCard"`.
#[derive(Debug, Clone)]
pub struct TaskContext {
    state_name: Arc<str>,
    resource: Arc<str>,
    retry_count: u32,
    task_token: Option<String>,
    /// The execution's ids, shared by all its calls: one reference count
    /// per call, not one per name.
    execution: Arc<Names>,
    /// Where [`heartbeat`](TaskContext::heartbeat) reports to.
    heartbeats: Option<tokio::sync::mpsc::UnboundedSender<()>>,
    /// Stable across replays of a durable execution (boxed: most calls have none).
    idempotency_key: Option<Box<str>>,
}

impl TaskContext {
    /// A context for calling a handler outside an execution (tests, tools):
    /// the first attempt, no token, and empty execution names.
    pub fn detached(state_name: &str, resource: &str) -> TaskContext {
        let none: Arc<str> = Arc::from("");
        let execution = Names {
            execution_id: none.clone(),
            execution_name: none.clone(),
            role_arn: none.clone(),
            state_machine_id: none.clone(),
            state_machine_name: none,
        };
        TaskContext {
            state_name: state_name.into(),
            resource: resource.into(),
            retry_count: 0,
            task_token: None,
            execution: Arc::new(execution),
            heartbeats: None,
            idempotency_key: None,
        }
    }

    /// The context of one attempt inside an execution.
    pub(crate) fn new(
        (state_name, resource): (&Arc<str>, &Arc<str>), retry_count: u32, task_token: Option<&str>,
        execution: &Arc<Names>, heartbeats: Option<tokio::sync::mpsc::UnboundedSender<()>>,
    ) -> TaskContext {
        TaskContext {
            state_name: state_name.clone(),
            resource: resource.clone(),
            retry_count,
            task_token: task_token.map(str::to_string),
            execution: execution.clone(),
            heartbeats,
            idempotency_key: None,
        }
    }

    /// The Task state's name.
    pub fn state_name(&self) -> &str {
        &self.state_name
    }

    /// The `Resource` being invoked, as written in the definition.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// `$$.State.RetryCount`: 0 on the first attempt.
    pub fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// `$$.Task.Token`, for `.waitForTaskToken` resources.
    pub fn task_token(&self) -> Option<&str> {
        self.task_token.as_deref()
    }

    /// `$$.Execution.Id`.
    pub fn execution_arn(&self) -> &str {
        &self.execution.execution_id
    }

    /// `$$.Execution.Name`.
    pub fn execution_name(&self) -> &str {
        &self.execution.execution_name
    }

    /// `$$.StateMachine.Id`.
    pub fn state_machine_arn(&self) -> &str {
        &self.execution.state_machine_id
    }

    /// A key that names this call of this Task in this execution, and stays
    /// the same when a durable execution is resumed after a crash and the
    /// call is made again (at-least-once): a handler that remembers the keys
    /// it has acted on applies its effect exactly once. `None` outside
    /// durable executions.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    pub(crate) fn set_idempotency_key(&mut self, key: String) {
        self.idempotency_key = Some(key.into());
    }

    pub(crate) fn take_heartbeats(&mut self) -> Option<tokio::sync::mpsc::UnboundedSender<()>> {
        self.heartbeats.take()
    }

    pub(crate) fn set_heartbeats(&mut self, tx: tokio::sync::mpsc::UnboundedSender<()>) {
        self.heartbeats = Some(tx);
    }

    /// Reports that the task is still working, restarting the state's
    /// `HeartbeatSeconds` clock (a no-op when the state has none).
    pub fn heartbeat(&self) {
        if let Some(tx) = &self.heartbeats {
            let _ = tx.send(());
        }
    }
}

/// One invocation of a Task's resource.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The effective input (after `InputPath` and `Parameters`).
    pub input: Value,
    /// Where the call comes from, including the resource.
    pub context: TaskContext,
}

impl TaskRequest {
    /// The `Resource` string, as written in the definition.
    pub fn resource(&self) -> &str {
        self.context.resource()
    }
}

/// A Task's failure: an error name that `Retry`/`Catch` match, and a cause.
/// It is the same type as [`StatesError`]; the name reads better in handlers.
pub type TaskError = StatesError;

/// Runs Task states. Implemented for async closures, by [`Handlers`], and by
/// the code `include_workflow!` generates for a typed handler trait.
pub trait TaskHandler: Send + Sync + 'static {
    /// Invokes the resource.
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>>;

    /// Told of a call that a durable execution's journal answers, so the
    /// handler is not invoked: a handler that counts its calls (mocks answer
    /// by call number) counts this one too. Does nothing by default.
    fn replayed(&self, request: &TaskRequest) {
        let _ = request;
    }
}

impl<F, Fut> TaskHandler for F
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, TaskError>> + Send + 'static,
{
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        Box::pin(self(request))
    }
}

/// Handlers chosen by `Resource` (or by Lambda function), with an optional
/// fallback.
#[derive(Default, Clone)]
pub struct Handlers {
    by_resource: HashMap<String, Arc<dyn TaskHandler>>,
    functions: HashMap<String, Arc<dyn TaskHandler>>,
    fallback: Option<Arc<dyn TaskHandler>>,
}

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers")
            .field("resources", &self.by_resource.keys().collect::<Vec<_>>())
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Handlers {
    /// No handlers.
    pub fn new() -> Self {
        Handlers::default()
    }

    /// Handles `resource` with `handler`.
    pub fn on(mut self, resource: impl Into<String>, handler: impl TaskHandler) -> Self {
        self.by_resource.insert(resource.into(), Arc::new(handler));
        self
    }

    /// Handles the Lambda function `name` wherever the machine invokes it:
    /// by its ARN, or through `arn:aws:states:::lambda:invoke` with that
    /// `FunctionName`. The handler is the function: it receives the event
    /// (`Payload` for `lambda:invoke`) and returns its payload; the Task sees
    /// what AWS would show (the Invoke envelope, or an error whose cause is
    /// the function's error document).
    pub fn function(mut self, name: impl Into<String>, handler: impl TaskHandler) -> Self {
        self.functions.insert(name.into(), Arc::new(handler));
        self
    }

    /// Handles every resource without its own handler.
    pub fn otherwise(mut self, handler: impl TaskHandler) -> Self {
        self.fallback = Some(Arc::new(handler));
        self
    }
}

impl TaskHandler for Handlers {
    fn replayed(&self, request: &TaskRequest) {
        let function = crate::lambda::target(request.resource(), &request.input)
            .and_then(|(_, name)| self.functions.get(&name))
            .filter(|_| !self.by_resource.contains_key(request.resource()));
        if let Some(h) = function.or_else(|| self.by_resource.get(request.resource())).or(self.fallback.as_ref()) {
            h.replayed(request);
        }
    }

    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        if !self.by_resource.contains_key(request.resource())
            && !self.functions.is_empty()
            && let Some((integration, name)) = crate::lambda::target(request.resource(), &request.input)
            && let Some(function) = self.functions.get(&name)
        {
            let input = request.input.clone();
            let event = crate::lambda::event(&integration, &request.input);
            let call = function.invoke(TaskRequest { input: event, ..request });
            return Box::pin(async move { crate::lambda::shape(&integration, &input, call.await, None) });
        }
        match self.by_resource.get(request.resource()).or(self.fallback.as_ref()) {
            Some(h) => h.invoke(request),
            None => {
                let error = no_handler(request.resource());
                Box::pin(async move { Err(error) })
            }
        }
    }
}

/// How the cause of [`no_handler`]'s error begins (the resource follows).
pub const NO_HANDLER_CAUSE: &str = "no task handler is registered for the resource";

/// The error for a resource nothing handles: a configuration mistake, so it
/// fails the execution (`States.Runtime`) instead of being caught.
pub fn no_handler(resource: &str) -> TaskError {
    TaskError::new(crate::error::names::RUNTIME, format!("{NO_HANDLER_CAUSE} '{resource}'"))
}

/// How a resource appears in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResourceKind {
    /// A Lambda function ARN: `LambdaFunction*` events.
    LambdaFunction,
    /// An activity ARN: `Activity*` events.
    Activity,
    /// An optimised or SDK integration (`arn:aws:states:::lambda:invoke`):
    /// `Task*` events with `resourceType` and `resource`.
    Service { resource_type: String, resource: Arc<str> },
}

impl ResourceKind {
    pub(crate) fn of(resource: &str) -> ResourceKind {
        if let Some(asl_spec::model::LambdaResource::Direct { .. }) = asl_spec::model::lambda_resource(resource) {
            return ResourceKind::LambdaFunction;
        }
        let parts: Vec<&str> = resource.splitn(7, ':').collect();
        match parts.as_slice() {
            ["arn", _, "states", _, _, rest @ ..] if rest.len() >= 2 => {
                let (resource_type, action) = (rest[0], rest[1..].join(":"));
                if resource_type == "activity" {
                    ResourceKind::Activity
                } else {
                    ResourceKind::Service { resource_type: resource_type.to_string(), resource: action.into() }
                }
            }
            ["arn", _, service, ..] => {
                ResourceKind::Service { resource_type: service.to_string(), resource: resource.into() }
            }
            _ => ResourceKind::Service { resource_type: "custom".into(), resource: resource.into() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_resources() {
        assert_eq!(ResourceKind::of("arn:aws:lambda:us-east-1:1:function:f"), ResourceKind::LambdaFunction);
        assert_eq!(
            ResourceKind::of("arn:aws:states:::lambda:invoke"),
            ResourceKind::Service { resource_type: "lambda".into(), resource: "invoke".into() }
        );
        assert_eq!(
            ResourceKind::of("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            ResourceKind::Service { resource_type: "sqs".into(), resource: "sendMessage.waitForTaskToken".into() }
        );
    }

    #[tokio::test]
    async fn handlers_route_by_resource() {
        let h = Handlers::new().on("a", |r: TaskRequest| async move { Ok(r.input) });
        let ctx = TaskContext::detached("S", "a");
        let ok = h.invoke(TaskRequest { input: Value::from(1), context: ctx }).await;
        assert_eq!(ok.unwrap(), Value::from(1));
        let missing = h.invoke(TaskRequest { input: Value::Null, context: TaskContext::detached("S", "b") }).await;
        assert_eq!(missing.unwrap_err().error, "States.Runtime");
    }
}
