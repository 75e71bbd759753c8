//! The operations, one module per concept of the API reference.

pub(crate) mod activities;
pub(crate) mod executions;
pub(crate) mod machines;
pub(crate) mod tags;
pub(crate) mod test_state;

use crate::App;
use crate::protocol::ApiError;
use serde_json::Value;

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Runs `operation` on the request `body`.
pub(crate) async fn call(app: &App, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    match operation {
        "CreateStateMachine" => machines::create(app, body),
        "UpdateStateMachine" => machines::update(app, body),
        "DescribeStateMachine" => machines::describe(app, body),
        "ListStateMachines" => machines::list(app, body),
        "DeleteStateMachine" => machines::delete(app, body),
        "ValidateStateMachineDefinition" => machines::validate(body),
        "PublishStateMachineVersion" => machines::publish(app, body),
        "ListStateMachineVersions" => machines::list_versions(app, body),
        "DeleteStateMachineVersion" => machines::delete_version(app, body),
        "CreateStateMachineAlias" => machines::create_alias(app, body),
        "UpdateStateMachineAlias" => machines::update_alias(app, body),
        "DescribeStateMachineAlias" => machines::describe_alias(app, body),
        "ListStateMachineAliases" => machines::list_aliases(app, body),
        "DeleteStateMachineAlias" => machines::delete_alias(app, body),
        "DescribeStateMachineForExecution" => executions::describe_machine(app, body).await,
        "StartExecution" => executions::start(app, body).await,
        "StartSyncExecution" => executions::start_sync(app, body).await,
        "DescribeExecution" => executions::describe(app, body).await,
        "ListExecutions" => executions::list(app, body).await,
        "GetExecutionHistory" => executions::history(app, body).await,
        "StopExecution" => executions::stop(app, body).await,
        "RedriveExecution" => executions::redrive(app, body).await,
        "ListMapRuns" => executions::list_map_runs(app, body).await,
        "DescribeMapRun" => executions::describe_map_run(app, body).await,
        "UpdateMapRun" => executions::update_map_run(app, body).await,
        "SendTaskSuccess" => activities::send_task_success(app, body).await,
        "SendTaskFailure" => activities::send_task_failure(app, body).await,
        "SendTaskHeartbeat" => activities::send_task_heartbeat(app, body).await,
        "CreateActivity" => activities::create(app, body),
        "DescribeActivity" => activities::describe(app, body),
        "ListActivities" => activities::list(app, body),
        "DeleteActivity" => activities::delete(app, body),
        "GetActivityTask" => activities::get_task(app, body).await,
        "TestState" => test_state::test_state(app, body).await,
        "TagResource" => tags::tag(app, body),
        "UntagResource" => tags::untag(app, body),
        "ListTagsForResource" => tags::list(app, body),
        other => Err(ApiError::new(
            "UnknownOperationException",
            format!("'{other}' is not an operation of AWSStepFunctions that asl serve knows"),
        )),
    }
}
