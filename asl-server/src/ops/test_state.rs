//! `TestState`: one state run alone, with AWS's inspection levels.

use crate::App;
use crate::protocol::{ApiError, length, parse, required};
use asl_runtime::{TestMock, TestOutcome, TestState};
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    definition: Option<String>,
    role_arn: Option<String>,
    input: Option<String>,
    inspection_level: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    reveal_secrets: bool,
    variables: Option<String>,
    state_name: Option<String>,
    mock: Option<Mock>,
    context: Option<String>,
    state_configuration: Option<StateConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mock {
    result: Option<String>,
    error_output: Option<ErrorOutput>,
}

#[derive(Deserialize)]
struct ErrorOutput {
    error: Option<String>,
    cause: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateConfiguration {
    retrier_retry_count: Option<u32>,
}

/// TestState's response for `outcome`.
pub fn response(outcome: &TestOutcome) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), json!(outcome.status.as_str()));
    let text = |v: &Value| Value::String(v.to_string());
    if let Some(output) = &outcome.output {
        out.insert("output".into(), text(output));
    }
    if let Some(error) = &outcome.error {
        out.insert("error".into(), json!(error));
    }
    if let Some(cause) = &outcome.cause {
        out.insert("cause".into(), json!(cause));
    }
    if let Some(next) = &outcome.next_state {
        out.insert("nextState".into(), json!(next));
    }
    if let Some(inspection) = &outcome.inspection {
        let mut data = Map::new();
        data.insert("input".into(), text(&inspection.input));
        let steps = [
            ("afterInputPath", &inspection.after_input_path),
            ("afterParameters", &inspection.after_parameters),
            ("result", &inspection.result),
            ("afterResultSelector", &inspection.after_result_selector),
            ("afterResultPath", &inspection.after_result_path),
        ];
        for (key, value) in steps {
            if let Some(value) = value {
                data.insert(key.into(), text(value));
            }
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Value::Object(out)
}

/// The name a lone state is given in the machine it is wrapped in.
const LONE: &str = "TestState";

/// A state machine for `definition` and the state to test: a whole machine
/// (with `stateName`, or its `StartAt`), or one state, wrapped in a machine
/// whose other states are the ones it names as next (each a Succeed).
fn machine(definition: &str, state_name: Option<String>) -> Result<(String, String), ApiError> {
    let parsed: Value = serde_json::from_str(definition)
        .map_err(|e| ApiError::new("InvalidDefinition", format!("Invalid State Machine Definition: '{e}'")))?;
    if parsed.get("States").is_some() {
        let name = match state_name {
            Some(name) => name,
            None => parsed.get("StartAt").and_then(Value::as_str).unwrap_or_default().to_string(),
        };
        return Ok((definition.to_string(), name));
    }
    let mut states = Map::new();
    let mut targets = Vec::new();
    let mut push = |v: Option<&Value>| {
        if let Some(Value::String(t)) = v {
            targets.push(t.clone());
        }
    };
    push(parsed.get("Next"));
    push(parsed.get("Default"));
    for list in ["Choices", "Catch"] {
        for item in parsed.get(list).and_then(Value::as_array).into_iter().flatten() {
            push(item.get("Next"));
        }
    }
    for target in targets {
        if target != LONE {
            states.insert(target, json!({"Type": "Succeed"}));
        }
    }
    states.insert(LONE.into(), parsed);
    let wrapped = json!({ "StartAt": LONE, "States": states });
    Ok((wrapped.to_string(), state_name.unwrap_or_else(|| LONE.into())))
}

fn json_field(text: Option<String>, field: &str) -> Result<Option<Value>, ApiError> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| ApiError::validation(format!("'{field}' is not valid JSON: {e}")))
    })
    .transpose()
}

fn object_field(text: Option<String>, field: &str) -> Result<Map<String, Value>, ApiError> {
    match json_field(text, field)? {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ApiError::validation(format!("'{field}' must be a JSON object"))),
    }
}

/// AWS runs an activity, `.sync` or `.waitForTaskToken` Task in TestState
/// only with a mock: nothing would answer it. Why `name` (the first state
/// of that name, where TestState finds it) needs one, if it does.
fn needs_mock(definition: &asl_spec::Definition, name: &str) -> Option<String> {
    use asl_spec::model::{Integration, StateKind, visit_states};
    let mut found = None;
    visit_states(&definition.body, &mut |state| {
        if found.is_none() && *state.name == *name {
            found = Some(state);
        }
    });
    let StateKind::Task(task) = &found?.kind else { return None };
    let activity = matches!(crate::arn::parse(&task.resource), Ok(crate::arn::Arn::Activity));
    (task.integration != Integration::RequestResponse || activity).then(|| {
        format!(
            "TestState runs the Task '{}' only with a mock (an activity, .sync or .waitForTaskToken waits for an answer nothing here gives)",
            task.resource
        )
    })
}

/// How long TestState may run (AWS: five minutes, then `States.Timeout`).
const MAX_TEST_TIME: std::time::Duration = std::time::Duration::from_secs(300);

/// `TestState`.
pub(crate) async fn test_state(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: Request = parse(body)?;
    let definition = required(request.definition, "definition")?;
    length("definition", &definition, 1, 1_048_576)?;
    if let Some(role) = &request.role_arn {
        length("roleArn", role, 1, 256)?;
    }
    let inspect = match request.inspection_level.as_deref() {
        None | Some("INFO") => false,
        Some("DEBUG" | "TRACE") => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            )));
        }
    };
    let (text, state) = machine(&definition, request.state_name)?;
    let workflow = app.workflow(&text)?;
    if request.mock.is_none()
        && let Some(reason) = needs_mock(&workflow.definition(), &state)
    {
        return Err(ApiError::validation(reason));
    }
    let input = json_field(request.input, "input")?.unwrap_or_else(|| json!({}));
    let mock = match request.mock {
        None => None,
        Some(Mock { result: Some(result), .. }) => {
            Some(TestMock::Result(json_field(Some(result), "mock.result")?.expect("given")))
        }
        Some(Mock { error_output: Some(e), .. }) => {
            Some(TestMock::Error { error: e.error.unwrap_or_default(), cause: e.cause })
        }
        Some(_) => return Err(ApiError::validation("mock needs a result or an errorOutput")),
    };
    let test = TestState {
        state,
        input,
        mock,
        retrier_retry_count: request.state_configuration.and_then(|c| c.retrier_retry_count).unwrap_or(0),
        variables: object_field(request.variables, "variables")?,
        inspect,
        run_branches: false,
        context: object_field(request.context, "context")?,
    };
    let executor = workflow.executor().shared_handler(app.tasks.for_execution("", None));
    match tokio::time::timeout(MAX_TEST_TIME, executor.test_state(test)).await {
        Ok(Ok(outcome)) => Ok(response(&outcome)),
        Ok(Err(e)) => Err(ApiError::validation(e.to_string())),
        Err(_) => Ok(json!({
            "status": "FAILED",
            "error": "States.Timeout",
            "cause": "TestState ran for more than five minutes",
        })),
    }
}
