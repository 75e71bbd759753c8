//! Activities and callbacks: `GetActivityTask` long polls, and the
//! `SendTask*` answers to activity tasks and `.waitForTaskToken` tasks.

use super::machines::page;
use super::now_ms;
use crate::App;
use crate::arn::{self, Arn};
use crate::protocol::{ApiError, check_name, epoch, length, parse, required};
use crate::registry::{Activity, Kind};
use asl_runtime::{CallbackError, DurableError, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskRequest {
    task_token: Option<String>,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

/// The token of a callback request, checked as AWS bounds it.
fn token(request: &TaskRequest) -> Result<&str, ApiError> {
    let token = required(request.task_token.as_deref(), "taskToken")?;
    length("taskToken", token, 1, 2048)?;
    Ok(token)
}

/// Hands `answer` to the task waiting for `token`: an activity task of
/// this process, or a callback task of a durable execution (wherever it runs).
async fn answer<L, D>(token: &str, local: L, durable: D) -> Result<Value, ApiError>
where
    L: FnOnce(&str) -> Result<(), CallbackError>,
    D: std::future::Future<Output = Result<(), DurableError>>,
{
    if local(token).is_ok() {
        return Ok(json!({}));
    }
    match durable.await {
        Ok(()) => Ok(json!({})),
        Err(DurableError::Store(StoreError::TaskDoesNotExist)) => {
            // A token this server never handed out is not a token at all.
            let ours = token.len() == 44 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
            if ours {
                Err(ApiError::new("TaskDoesNotExist", "Task Does Not Exist"))
            } else {
                Err(ApiError::new("InvalidToken", format!("Invalid Token: '{token}'")))
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// `SendTaskSuccess`.
pub(crate) async fn send_task_success(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TaskRequest = parse(body)?;
    let token = token(&request)?;
    let output = required(request.output.as_deref(), "output")?;
    length("output", output, 0, 262_144)?;
    let output: Value =
        serde_json::from_str(output).map_err(|e| ApiError::new("InvalidOutput", format!("Invalid Output: {e}")))?;
    let local = output.clone();
    answer(token, |t| asl_runtime::send_task_success(t, local), app.durable.send_task_success(token, output)).await
}

/// `SendTaskFailure`.
pub(crate) async fn send_task_failure(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TaskRequest = parse(body)?;
    let token = token(&request)?;
    let error = request.error.as_deref().unwrap_or("");
    let cause = request.cause.as_deref().unwrap_or("");
    length("error", error, 0, 256)?;
    length("cause", cause, 0, 32_768)?;
    answer(
        token,
        |t| asl_runtime::send_task_failure(t, error, cause),
        app.durable.send_task_failure(token, error, cause),
    )
    .await
}

/// `SendTaskHeartbeat`.
pub(crate) async fn send_task_heartbeat(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TaskRequest = parse(body)?;
    let token = token(&request)?;
    answer(token, asl_runtime::send_task_heartbeat, app.durable.send_task_heartbeat(token)).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivityRequest {
    name: Option<String>,
    activity_arn: Option<String>,
    worker_name: Option<String>,
    tags: Option<Vec<super::tags::Tag>>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

fn activity_json(activity: &Activity) -> Value {
    json!({ "activityArn": activity.arn, "name": activity.name, "creationDate": epoch(activity.created_ms) })
}

/// The activity `arn`, or `ActivityDoesNotExist`.
fn activity(app: &App, arn: &str) -> Result<Activity, ApiError> {
    let Arn::Activity = arn::parse(arn)? else { return Err(ApiError::invalid_arn(arn)) };
    app.registry
        .get(Kind::Activity, arn)?
        .ok_or_else(|| ApiError::new("ActivityDoesNotExist", format!("Activity Does Not Exist: '{arn}'")))
}

/// `CreateActivity`: idempotent by name.
pub(crate) fn create(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ActivityRequest = parse(body)?;
    let name = required(request.name, "name")?;
    check_name(&name, "activity")?;
    let arn = app.home.activity(&name);
    let now = now_ms();
    let created = Activity { arn: arn.clone(), name, created_ms: now };
    let activity = app.registry.create(Kind::Activity, &arn, None, now, &created)?.unwrap_or(created);
    let tags = super::tags::pairs(request.tags.unwrap_or_default())?;
    app.registry.tag(&arn, &tags, &[])?;
    Ok(json!({ "activityArn": activity.arn, "creationDate": epoch(activity.created_ms) }))
}

/// `DescribeActivity`.
pub(crate) fn describe(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ActivityRequest = parse(body)?;
    let arn = required(request.activity_arn, "activityArn")?;
    Ok(activity_json(&activity(app, &arn)?))
}

/// `ListActivities`.
pub(crate) fn list(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ActivityRequest = parse(body)?;
    let activities: Vec<Activity> = app.registry.list(Kind::Activity, None)?;
    page(
        "activities",
        activities.iter().map(activity_json).collect(),
        request.max_results,
        request.next_token.as_deref(),
    )
}

/// `DeleteActivity`.
pub(crate) fn delete(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ActivityRequest = parse(body)?;
    let arn = required(request.activity_arn, "activityArn")?;
    let Arn::Activity = arn::parse(&arn)? else { return Err(ApiError::invalid_arn(&arn)) };
    app.registry.delete(&arn)?;
    app.tasks.activities().forget(&arn);
    Ok(json!({}))
}

/// `GetActivityTask`: waits for a task (AWS: up to 60 seconds); no task
/// gives an answer without a token.
pub(crate) async fn get_task(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ActivityRequest = parse(body)?;
    let arn = required(request.activity_arn, "activityArn")?;
    if let Some(worker) = &request.worker_name {
        length("workerName", worker, 1, 80)?;
    }
    activity(app, &arn)?;
    match app.tasks.activities().next(&arn, app.activity_poll).await {
        Some(task) => Ok(json!({ "taskToken": task.task_token, "input": task.input.to_string() })),
        None => Ok(json!({})),
    }
}
