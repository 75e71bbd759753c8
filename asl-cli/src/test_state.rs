//! `asl test-state`: one state alone, as AWS's TestState API runs it; the
//! answer is TestState's response (`status`, `output`, `error`, `cause`,
//! `nextState`, and `inspectionData` at the DEBUG level).

use crate::UsageError;
use asl_runtime::{TestMock, TestState, VirtualClock};
use clap::Args;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// `asl test-state`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct TestStateArgs {
    /// The definition file.
    definition: PathBuf,
    /// The state to run (a top-level state, or one in a branch or processor).
    #[arg(long)]
    state: String,
    /// The state's input: inline JSON, `@FILE` or `-` (default `{}`).
    #[arg(long, value_name = "JSON|@FILE|-")]
    input: Option<String>,
    /// A Task's result instead of calling it: inline JSON or `@FILE`.
    #[arg(long, value_name = "JSON|@FILE", conflicts_with = "mock_error")]
    mock_result: Option<String>,
    /// A Task's error instead of calling it.
    #[arg(long, value_name = "ERROR")]
    mock_error: Option<String>,
    /// The mocked error's cause.
    #[arg(long, requires = "mock_error")]
    mock_cause: Option<String>,
    /// How many retries were made already: a retrier with attempts left
    /// makes the status RETRIABLE.
    #[arg(long, value_name = "N", default_value_t = 0)]
    retrier_retry_count: u32,
    /// The workflow variables the state sees (a JSON object).
    #[arg(long, value_name = "JSON")]
    variables: Option<String>,
    /// The context object's members the state sees (AWS's `context`: a JSON
    /// object whose `Execution` and `StateMachine` members replace the
    /// defaults'), inline or `@FILE`.
    #[arg(long, value_name = "JSON|@FILE")]
    context: Option<String>,
    /// INFO (the outcome) or DEBUG (with the data as it went).
    #[arg(long, value_enum, default_value_t = Level::Info)]
    inspection_level: Level,
}

/// `--inspection-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Level {
    #[value(name = "INFO")]
    Info,
    #[value(name = "DEBUG")]
    Debug,
}

fn json_arg(text: String, what: &str) -> Result<Value, UsageError> {
    let text = crate::input_text(Some(text)).map_err(|UsageError(e)| UsageError(format!("{what}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| UsageError(format!("{what} is not valid JSON: {e}")))
}

/// `asl test-state`: prints TestState's response; exit 0 when the state
/// ran (whatever its status), 1 when it could not (no such state).
pub(crate) fn test_state(args: TestStateArgs) -> Result<ExitCode, UsageError> {
    let workflow = match crate::load_valid(&args.definition, crate::TypeArg::Standard)? {
        Ok(w) => w,
        Err(code) => return Ok(code),
    };
    let input = json_arg(args.input.unwrap_or_else(|| "{}".into()), "the input")?;
    let mock = match (args.mock_result, args.mock_error) {
        (Some(result), _) => Some(TestMock::Result(json_arg(result, "the mock result")?)),
        (None, Some(error)) => Some(TestMock::Error { error, cause: args.mock_cause }),
        (None, None) => None,
    };
    let variables = match args.variables {
        Some(text) => match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => map,
            _ => return Err(UsageError("--variables must be a JSON object".into())),
        },
        None => Map::new(),
    };
    let context = match args.context.map(|c| json_arg(c, "--context")).transpose()? {
        Some(Value::Object(map)) => map,
        Some(_) => return Err(UsageError("--context must be a JSON object".into())),
        None => Map::new(),
    };
    let test = TestState {
        state: args.state,
        input,
        mock,
        retrier_retry_count: args.retrier_retry_count,
        variables,
        inspect: args.inspection_level == Level::Debug,
        run_branches: false,
        context,
    };
    let runtime =
        asl_runtime::virtual_time_runtime().map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let outcome = runtime.block_on(async { workflow.executor().clock(VirtualClock::new()).test_state(test).await });
    match outcome {
        Ok(outcome) => {
            crate::say(format_args!(
                "{}\n",
                serde_json::to_string_pretty(&asl_server::test_state_response(&outcome)).unwrap_or_default()
            ))?;
            // The status is in the answer: the command itself succeeded.
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
