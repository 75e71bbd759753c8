//! Executions: start (Standard, durable; Express, in memory), describe,
//! list, history, stop, redrive, and the Map runs they hold.

use super::machines::{Resolved, page, resolve};
use super::now_ms;
use crate::App;
use crate::arn::{self, Arn};
use crate::protocol::{ApiError, check_name, epoch, length, max_results, page_start, page_token, parse, required};
use asl_runtime::{DurableError, EventDetails, ExecutionRecord, HistoryEvent, Identity, Limits, ListQuery, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The largest input or output (AWS: 256 KiB).
const MAX_PAYLOAD: usize = 262_144;

/// What an execution keeps besides its record: how it was started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Options {
    /// The state machine's name (for its mocked test case).
    #[serde(default)]
    pub(crate) state_machine: String,
    /// Step Functions Local's `#TestCase`.
    #[serde(default)]
    pub(crate) test_case: Option<String>,
    /// The version it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version_arn: Option<String>,
    /// The alias it was started through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) alias_arn: Option<String>,
}

impl Options {
    /// The options of `record` (the defaults for one started elsewhere).
    pub(crate) fn of(record: &ExecutionRecord) -> Options {
        serde_json::from_str(&record.options).unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartRequest {
    state_machine_arn: Option<String>,
    name: Option<String>,
    input: Option<String>,
    trace_header: Option<String>,
}

/// The checked start of an execution.
struct Start {
    resolved: Resolved,
    identity: Identity,
    input: String,
}

fn start_request(app: &App, body: &[u8]) -> Result<Start, ApiError> {
    let request: StartRequest = parse(body)?;
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let resolved = resolve(app, &arn)?;
    if let Some(case) = &resolved.test_case {
        app.tasks.check_test_case(&resolved.machine.name, case).map_err(ApiError::validation)?;
    }
    let name = match request.name {
        Some(name) => {
            check_name(&name, "execution")?;
            name
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    if let Some(header) = &request.trace_header {
        length("traceHeader", header, 0, 256)?;
    }
    let input = request.input.unwrap_or_else(|| "{}".into());
    if input.len() > MAX_PAYLOAD {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to {MAX_PAYLOAD}"
        )));
    }
    if let Err(e) = serde_json::from_str::<Value>(&input) {
        return Err(ApiError::new("InvalidExecutionInput", format!("Invalid execution input: {e}")));
    }
    let identity = Identity {
        account_id: app.home.account.clone(),
        region: app.home.region.clone(),
        partition: app.home.partition.clone(),
        state_machine_name: resolved.machine.name.clone(),
        execution_name: name,
        role_arn: resolved.machine.role_arn.clone(),
        state_machine_arn: Some(resolved.machine.arn.clone()),
        execution_arn: None,
    };
    Ok(Start { resolved, identity, input })
}

/// `StartExecution`: a Standard execution is durable and idempotent by
/// name; an Express one runs in memory and is not kept.
pub(crate) async fn start(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let Start { resolved, identity, input } = start_request(app, body)?;
    let now = now_ms();
    if resolved.machine.kind == "EXPRESS" {
        let arn = app.home.express_execution(&resolved.machine.name, &identity.execution_name);
        let identity = Identity { execution_arn: Some(arn.clone()), ..identity };
        let executor = express_executor(app, &resolved, identity)?;
        let input: Value = serde_json::from_str(&input).expect("checked");
        tokio::spawn(async move {
            executor.run(input).await;
        });
        return Ok(json!({ "executionArn": arn, "startDate": epoch(now) }));
    }
    let options = Options {
        state_machine: resolved.machine.name.clone(),
        test_case: resolved.test_case.clone(),
        version_arn: resolved.version_arn.clone(),
        alias_arn: resolved.alias_arn.clone(),
    };
    let options = serde_json::to_value(options).expect("plain JSON");
    let record = app.durable.start(&resolved.machine.definition, identity, &input, Some(options)).await?;
    // The same name and input again is the same execution while it runs;
    // once it has ended, the name is taken.
    if record.status != "RUNNING" {
        return Err(StoreError::ExecutionAlreadyExists(record.arn).into());
    }
    Ok(json!({ "executionArn": record.arn, "startDate": epoch(record.start_ms) }))
}

/// An executor for an Express execution of `resolved`.
fn express_executor(app: &App, resolved: &Resolved, identity: Identity) -> Result<asl_runtime::Executor, ApiError> {
    let workflow = app.workflow(&resolved.machine.definition)?;
    let handler = app.tasks.for_execution(&resolved.machine.name, resolved.test_case.as_deref());
    Ok(workflow
        .executor()
        .identity(identity)
        .shared_handler(handler)
        .limits(Limits::express())
        .wait_time_scale(app.wait_scale)
        .record_history(false))
}

/// `StartSyncExecution`: an Express execution, answered when it ends.
pub(crate) async fn start_sync(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let Start { resolved, identity, input } = start_request(app, body)?;
    if resolved.machine.kind != "EXPRESS" {
        return Err(ApiError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let arn = app.home.express_execution(&resolved.machine.name, &identity.execution_name);
    let name = identity.execution_name.clone();
    let identity = Identity { execution_arn: Some(arn.clone()), ..identity };
    let executor = express_executor(app, &resolved, identity)?;
    let start = now_ms();
    let execution = executor.run(serde_json::from_str(&input).expect("checked")).await;
    let stop = now_ms();
    let mut out = json!({
        "executionArn": arn,
        "stateMachineArn": resolved.machine.arn,
        "name": name,
        "startDate": epoch(start),
        "stopDate": epoch(stop),
        "status": execution.status.as_str(),
        "input": input,
        "inputDetails": {"included": true},
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": (stop - start).max(100)},
    });
    if let Some(output) = &execution.output {
        out["output"] = json!(output.to_string());
        out["outputDetails"] = json!({"included": true});
    }
    if let Some(error) = &execution.error {
        out["error"] = json!(error);
    }
    if let Some(cause) = &execution.cause {
        out["cause"] = json!(cause);
    }
    Ok(out)
}

/// An execution as `DescribeExecution` answers, with its dates written by
/// `date` (epoch seconds for the API, text for the CLI).
pub fn describe_json(record: &ExecutionRecord, date: impl Fn(i64) -> Value) -> Value {
    let mut out = json!({
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": date(record.start_ms),
        "input": record.input,
        "inputDetails": {"included": true},
        "redriveCount": record.redrive_count,
    });
    let fields = out.as_object_mut().expect("an object");
    if let Some(stop) = record.stop_ms {
        fields.insert("stopDate".into(), date(stop));
    }
    if let Some(redriven) = record.redrive_ms {
        fields.insert("redriveDate".into(), date(redriven));
    }
    if let Some(output) = &record.output {
        fields.insert("output".into(), Value::String(output.clone()));
        fields.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(error) = &record.error {
        fields.insert("error".into(), Value::String(error.clone()));
    }
    if let Some(cause) = &record.cause {
        fields.insert("cause".into(), Value::String(cause.clone()));
    }
    let options = Options::of(record);
    if let Some(version) = options.version_arn {
        fields.insert("stateMachineVersionArn".into(), Value::String(version));
    }
    if let Some(alias) = options.alias_arn {
        fields.insert("stateMachineAliasArn".into(), Value::String(alias));
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionRequest {
    execution_arn: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
    #[serde(default)]
    reverse_order: bool,
    include_execution_data: Option<bool>,
    error: Option<String>,
    cause: Option<String>,
    map_run_arn: Option<String>,
}

/// The Standard execution `arn`, or AWS's error for it.
async fn record(app: &App, arn: &str) -> Result<ExecutionRecord, ApiError> {
    match arn::parse(arn)? {
        Arn::Execution { .. } => Ok(app.durable.describe(arn).await?),
        Arn::Express => Err(ApiError::new(
            "InvalidArn",
            format!(
                "Invalid Arn: '{arn}': Express executions are not kept, as on AWS (use StartSyncExecution for the outcome)"
            ),
        )),
        _ => Err(ApiError::invalid_arn(arn)),
    }
}

/// `DescribeExecution`.
pub(crate) async fn describe(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    let record = record(app, &arn).await?;
    let mut out = describe_json(&record, epoch);
    match app.durable.not_redrivable(&record) {
        None => out["redriveStatus"] = json!("REDRIVABLE"),
        Some(reason) => {
            out["redriveStatus"] = json!("NOT_REDRIVABLE");
            out["redriveStatusReason"] = json!(reason);
        }
    }
    Ok(out)
}

/// `DescribeStateMachineForExecution`: the definition the execution runs.
pub(crate) async fn describe_machine(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    let record = record(app, &arn).await?;
    let identity: Identity = serde_json::from_str(&record.identity).unwrap_or_default();
    let machine =
        app.registry.get::<crate::registry::Machine>(crate::registry::Kind::Machine, &record.state_machine_arn)?;
    let mut out = json!({
        "stateMachineArn": record.state_machine_arn,
        "name": identity.state_machine_name,
        "definition": record.definition,
        "roleArn": identity.role_arn,
        "updateDate": epoch(machine.as_ref().map_or(record.start_ms, |m| m.updated_ms.unwrap_or(m.created_ms))),
        "loggingConfiguration": machine.as_ref().map_or(json!({"level": "OFF", "includeExecutionData": false}), |m| m.logging.clone()),
        "tracingConfiguration": machine.as_ref().map_or(json!({"enabled": false}), |m| m.tracing.clone()),
    });
    if let Some(machine) = machine {
        out["revisionId"] = json!(machine.revision_id);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListRequest {
    state_machine_arn: Option<String>,
    map_run_arn: Option<String>,
    status_filter: Option<String>,
    redrive_filter: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

const STATUSES: [&str; 6] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];

/// `ListExecutions`: newest first, as on AWS.
pub(crate) async fn list(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ListRequest = parse(body)?;
    if let Some(status) = &request.status_filter
        && !STATUSES.contains(&status.as_str())
    {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            STATUSES.join(", ")
        )));
    }
    if request.map_run_arn.is_some() {
        // A Distributed Map's child executions run inside their parent here.
        return Ok(json!({ "executions": [] }));
    }
    let arn = required(request.state_machine_arn, "stateMachineArn")?;
    let resolved = resolve(app, &arn)?;
    if resolved.machine.kind == "EXPRESS" {
        return Err(ApiError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let max = max_results(request.max_results, 100)?;
    if let Some(token) = &request.next_token
        && app.durable.store().execution(token).await.map_err(ApiError::from)?.is_none()
    {
        return Err(ApiError::new("InvalidToken", format!("Invalid Token: '{token}'")));
    }
    let qualified = matches!(arn::parse(&arn)?, Arn::StateMachine { qualifier: Some(_), .. });
    let keep = |record: &ExecutionRecord| {
        let options = Options::of(record);
        let started_so = !qualified
            || options.alias_arn.as_deref() == Some(arn.as_str())
            || (options.alias_arn.is_none() && options.version_arn.as_deref() == Some(arn.as_str()));
        let redriven = match request.redrive_filter.as_deref() {
            Some("REDRIVEN") => record.redrive_count > 0,
            Some("NOT_REDRIVEN") => record.redrive_count == 0,
            _ => true,
        };
        started_so && redriven
    };
    // Pages of the store, filtered (by version, alias or redrives), until
    // one more than a page is found or the store has no more.
    const BATCH: usize = 200;
    let mut found = Vec::new();
    let mut after = request.next_token.clone();
    loop {
        let query = ListQuery {
            status: request.status_filter.clone(),
            state_machine_arn: Some(resolved.machine.arn.clone()),
            limit: BATCH,
            after: after.clone(),
            newest_first: true,
        };
        let records = app.durable.list(query).await?;
        let exhausted = records.len() < BATCH;
        for record in records {
            after = Some(record.arn.clone());
            if keep(&record) {
                found.push(record);
                if found.len() > max {
                    break;
                }
            }
        }
        if found.len() > max || exhausted {
            break;
        }
    }
    let next = (found.len() > max).then(|| found[max - 1].arn.clone());
    found.truncate(max);
    let items: Vec<Value> = found.iter().map(list_item).collect();
    let mut answer = json!({ "executions": items });
    if let Some(next) = next {
        answer["nextToken"] = json!(next);
    }
    Ok(answer)
}

/// An execution as `ListExecutions` shows it.
fn list_item(record: &ExecutionRecord) -> Value {
    let mut item = describe_json(record, epoch);
    let fields = item.as_object_mut().expect("an object");
    for key in ["input", "inputDetails", "output", "outputDetails", "error", "cause"] {
        fields.remove(key);
    }
    item
}

/// One page of `events` as `GetExecutionHistory` gives it: newest first if
/// `reverse`, without inputs and outputs unless `data`, `max` events from
/// the offset `token` gives. Dates are written by `date`.
pub fn history_page(
    events: &[HistoryEvent], reverse: bool, data: bool, max: usize, token: Option<&str>, date: impl Fn(i64) -> Value,
) -> Result<Value, ApiError> {
    let start = page_start(token, events.len())?;
    let end = if max == 0 { events.len() } else { (start + max).min(events.len()) };
    let index = |i: usize| if reverse { events.len() - 1 - i } else { i };
    let mut page = Vec::with_capacity(end - start);
    for i in start..end {
        let event = &events[index(i)];
        let mut value = serde_json::to_value(event).map_err(|e| ApiError::internal(e.to_string()))?;
        if let Some(fields) = value.as_object_mut() {
            fields.insert("timestamp".into(), date(event.timestamp.as_millisecond()));
            if !data {
                strip_data(fields);
            }
        }
        page.push(value);
    }
    let mut out = json!({ "events": page });
    if let Some(token) = page_token(end, events.len()) {
        out["nextToken"] = json!(token);
    }
    Ok(out)
}

/// Removes the payloads of an event's details (`includeExecutionData: false`).
fn strip_data(fields: &mut Map<String, Value>) {
    for (key, details) in fields.iter_mut() {
        if key.ends_with("EventDetails")
            && let Some(details) = details.as_object_mut()
        {
            for payload in ["input", "output", "parameters", "result"] {
                details.remove(payload);
            }
        }
    }
}

/// `GetExecutionHistory`.
pub(crate) async fn history(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    record(app, &arn).await?;
    let max = max_results(request.max_results, 100)?;
    let events = app.durable.history(&arn).await?;
    history_page(
        &events,
        request.reverse_order,
        request.include_execution_data.unwrap_or(true),
        max,
        request.next_token.as_deref(),
        epoch,
    )
}

/// `StopExecution`: it ends `ABORTED`, wherever it runs.
pub(crate) async fn stop(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    if let Some(error) = &request.error {
        length("error", error, 0, 256)?;
    }
    if let Some(cause) = &request.cause {
        length("cause", cause, 0, 32_768)?;
    }
    let record = record(app, &arn).await?;
    if record.status != "RUNNING" {
        // Already ended: nothing to stop.
        return Ok(json!({ "stopDate": epoch(record.stop_ms.unwrap_or_else(now_ms)) }));
    }
    match app.durable.stop(&arn, request.error, request.cause).await {
        Ok(()) | Err(DurableError::Store(StoreError::NotRunning(_))) => Ok(json!({ "stopDate": epoch(now_ms()) })),
        Err(e) => Err(e.into()),
    }
}

/// `RedriveExecution`: it goes on from the states that did not succeed.
pub(crate) async fn redrive(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    record(app, &arn).await?;
    let record = app.durable.redrive(&arn).await?;
    Ok(json!({ "redriveDate": epoch(record.redrive_ms.unwrap_or_else(now_ms)) }))
}

/// A Distributed Map's run, as the execution's history tells it.
struct MapRunEvents {
    arn: String,
    start_ms: i64,
    stop_ms: Option<i64>,
    /// `SUCCEEDED` or `FAILED`, once it has ended.
    status: Option<&'static str>,
    /// How many items it was given (its `MapStateStarted`).
    items: usize,
}

/// The Map runs of `events`, in order.
fn map_runs(events: &[HistoryEvent]) -> Vec<MapRunEvents> {
    let mut runs: Vec<MapRunEvents> = Vec::new();
    let mut length = 0;
    for event in events {
        let ms = event.timestamp.as_millisecond();
        match (&event.details, event.event_type.as_str()) {
            (Some(EventDetails::MapStateStarted { length: n }), _) => length = *n,
            (Some(EventDetails::MapRunStarted { map_run_arn }), _) => runs.push(MapRunEvents {
                arn: map_run_arn.clone(),
                start_ms: ms,
                stop_ms: None,
                status: None,
                items: length,
            }),
            (_, kind @ ("MapRunSucceeded" | "MapRunFailed")) => {
                if let Some(run) = runs.iter_mut().rev().find(|r| r.stop_ms.is_none()) {
                    run.stop_ms = Some(ms);
                    run.status = Some(if kind == "MapRunSucceeded" { "SUCCEEDED" } else { "FAILED" });
                }
            }
            _ => {}
        }
    }
    runs
}

/// `ListMapRuns`: the Distributed Maps an execution ran.
pub(crate) async fn list_map_runs(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let arn = required(request.execution_arn, "executionArn")?;
    let record = record(app, &arn).await?;
    let events = app.durable.history(&arn).await?;
    let items = map_runs(&events)
        .into_iter()
        .map(|run| {
            let mut item = json!({
                "executionArn": arn,
                "mapRunArn": run.arn,
                "stateMachineArn": record.state_machine_arn,
                "startDate": epoch(run.start_ms),
            });
            if let Some(stop) = run.stop_ms {
                item["stopDate"] = epoch(stop);
            }
            item
        })
        .collect();
    page("mapRuns", items, request.max_results, request.next_token.as_deref())
}

/// Finds the execution whose history holds the Map run `arn`.
async fn find_map_run(app: &App, run_arn: &str) -> Result<(ExecutionRecord, MapRunEvents), ApiError> {
    let Arn::MapRun { machine } = arn::parse(run_arn)? else { return Err(ApiError::invalid_arn(run_arn)) };
    let machine_arn = app.home.state_machine(machine);
    let mut after = None;
    loop {
        let query = ListQuery {
            state_machine_arn: Some(machine_arn.clone()),
            limit: 100,
            after: after.clone(),
            newest_first: true,
            ..ListQuery::default()
        };
        let records = app.durable.list(query).await?;
        for record in &records {
            let events = app.durable.history(&record.arn).await?;
            if let Some(run) = map_runs(&events).into_iter().find(|r| r.arn == run_arn) {
                return Ok((record.clone(), run));
            }
        }
        if records.len() < 100 {
            return Err(ApiError::new("ResourceNotFound", format!("Resource not found: '{run_arn}'")));
        }
        after = records.last().map(|r| r.arn.clone());
    }
}

/// The `MaxConcurrency`, `ToleratedFailurePercentage` and
/// `ToleratedFailureCount` of the Map state a run's ARN names
/// (`…:mapRun:<machine>/<label or name>:<id>`), where they are numbers.
fn map_settings(app: &App, definition: &str, run_arn: &str) -> (i64, f64, i64) {
    use asl_spec::model::{Count, StateKind, visit_states};
    let label = run_arn.split(":mapRun:").nth(1).and_then(|r| r.split_once('/')).and_then(|(_, r)| r.rsplit_once(':'));
    let (Some((label, _)), Ok(workflow)) = (label, app.workflow(definition)) else { return (0, 0.0, 0) };
    let mut found = None;
    visit_states(&workflow.definition().body, &mut |state| {
        if let StateKind::Map(map) = &state.kind
            && found.is_none()
            && map.label.as_deref().unwrap_or(&state.name) == label
        {
            found = Some(map.clone());
        }
    });
    let number = |count: Option<&Count>| match count {
        Some(Count::Fixed(value)) => value.as_f64().unwrap_or(0.0),
        _ => 0.0,
    };
    match found {
        Some(map) => (
            number(map.max_concurrency.as_ref()) as i64,
            number(map.tolerated_failure_percentage.as_ref()),
            number(map.tolerated_failure_count.as_ref()) as i64,
        ),
        None => (0, 0.0, 0),
    }
}

/// `DescribeMapRun`. Its counts come from the history: the items it was
/// given, each succeeded when the run did; a run that failed counts them
/// all as failed (the history of a Distributed Map keeps no per-item
/// outcome in its parent, as on AWS).
pub(crate) async fn describe_map_run(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let run_arn = required(request.map_run_arn, "mapRunArn")?;
    let (record, run) = find_map_run(app, &run_arn).await?;
    let status = match run.status {
        Some(status) => status,
        None if record.status == "RUNNING" => "RUNNING",
        None => "ABORTED",
    };
    let n = run.items;
    let (running, succeeded, failed, aborted) = match status {
        "RUNNING" => (n, 0, 0, 0),
        "SUCCEEDED" => (0, n, 0, 0),
        "FAILED" => (0, 0, n, 0),
        _ => (0, 0, 0, n),
    };
    let counts = json!({
        "pending": 0, "running": running, "succeeded": succeeded, "failed": failed, "timedOut": 0,
        "aborted": aborted, "total": n, "resultsWritten": succeeded, "failuresNotRedrivable": 0, "pendingRedrive": 0
    });
    let (max_concurrency, tolerated_percentage, tolerated_count) = map_settings(app, &record.definition, &run_arn);
    let mut out = json!({
        "mapRunArn": run_arn,
        "executionArn": record.arn,
        "status": status,
        "startDate": epoch(run.start_ms),
        "maxConcurrency": max_concurrency,
        "toleratedFailurePercentage": tolerated_percentage,
        "toleratedFailureCount": tolerated_count,
        "itemCounts": counts,
        "executionCounts": counts,
        "redriveCount": 0,
    });
    if let Some(stop) = run.stop_ms {
        out["stopDate"] = epoch(stop);
    }
    Ok(out)
}

/// `UpdateMapRun`: a run here is never throttled, so there is nothing to
/// change; the run must exist.
pub(crate) async fn update_map_run(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: ExecutionRequest = parse(body)?;
    let run_arn = required(request.map_run_arn, "mapRunArn")?;
    find_map_run(app, &run_arn).await?;
    Ok(json!({}))
}
