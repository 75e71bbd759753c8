//! The crate `asl new` writes: a definition made a native program.
//!
//! `src/lib.rs` holds the `include_workflow!` and the `Tasks` skeleton (one
//! `todo!()` per method, each documented with the states it serves, their
//! input template and their `Retry`/`Catch`); `src/main.rs` is a small CLI
//! (`run`, `test-state`); `tests/mocked.rs` runs the machine with its Tasks
//! mocked from `tests/mocks.json`. The text is made from the same lowering
//! as the generated module, so the skeleton names exactly its methods and
//! types.

use crate::lower::{Module, TaskItem, lower};
use crate::names;
use asl_spec::model::{Definition, State, StateKind};
use serde_json::Value;

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct Scaffold<'a> {
    /// The crate's (and binary's) name.
    pub name: &'a str,
    /// The definition's file name, written to `statemachines/`.
    pub file_name: &'a str,
    /// The definition's text.
    pub text: &'a str,
    /// Where `asl-runtime` comes from.
    pub runtime: Runtime<'a>,
}

/// Where a scaffold's `asl-runtime` dependency comes from.
#[derive(Debug, Clone, Copy)]
pub enum Runtime<'a> {
    /// A checkout's `asl-runtime` folder.
    Path(&'a str),
    /// A version from crates.io.
    Version(&'a str),
}

/// A file of the scaffold: its path in the crate and its text.
pub type File = (String, String);

impl Scaffold<'_> {
    /// The crate's files, or the definition's diagnostics (rendered) when
    /// it is invalid: a scaffold of a definition that cannot compile helps
    /// no one.
    pub fn files(&self) -> Result<Vec<File>, String> {
        let (definition, module) = self.load()?;
        let definition = &definition;
        let crate_ident = self.name.replace('-', "_");
        Ok(vec![
            ("Cargo.toml".into(), self.cargo_toml()),
            (format!("statemachines/{}", self.file_name), self.text.to_string()),
            ("src/lib.rs".into(), lib_rs(&module, definition, self.text, self.file_name)),
            ("src/main.rs".into(), main_rs(&module, Program::Scaffold { crate_ident: &crate_ident }, self.name)),
            ("tests/mocked.rs".into(), test_rs(&module, &crate_ident)),
            ("tests/mocks.json".into(), mocks_json(&module, definition)),
            ("tests/input.json".into(), "{}\n".into()),
            (".gitignore".into(), "/target\n".into()),
        ])
    }

    /// The crate `asl build` compiles: the program alone (`src/main.rs`
    /// with the `include_workflow!`), its Task states answered by mocks.
    pub fn ready_files(&self) -> Result<Vec<File>, String> {
        let (_, module) = self.load()?;
        let program = Program::Ready { file_name: self.file_name };
        Ok(vec![
            ("Cargo.toml".into(), self.cargo_toml()),
            (format!("statemachines/{}", self.file_name), self.text.to_string()),
            ("src/main.rs".into(), main_rs(&module, program, self.name)),
        ])
    }

    /// The definition and its lowered module (named after the file), or
    /// its diagnostics, rendered.
    fn load(&self) -> Result<(Definition, Module), String> {
        let loaded = asl_spec::load(self.text);
        let source = asl_spec::SourceFile { name: self.file_name, text: self.text };
        match loaded.definition {
            Some(definition) if !loaded.diagnostics.has_errors() => {
                let stem =
                    std::path::Path::new(self.file_name).file_stem().and_then(|s| s.to_str()).unwrap_or("workflow");
                let module = lower(&definition, &names::snake(stem));
                Ok((definition, module))
            }
            _ => Err(loaded.diagnostics.iter().map(|d| source.render(d, false)).collect::<Vec<_>>().join("\n")),
        }
    }

    fn cargo_toml(&self) -> String {
        format!(
            r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.95"
publish = false

[dependencies]
asl-runtime = {{ {runtime}, features = ["http"] }}
serde_json = {{ version = "1", features = ["preserve_order", "float_roundtrip"] }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros"] }}
"#,
            name = self.name,
            // A TOML basic string: JSON's escaping of a path is TOML's.
            runtime = match self.runtime {
                Runtime::Path(path) => format!("path = {}", Value::String(path.into())),
                Runtime::Version(version) => format!("version = {}", Value::String(version.into())),
            },
        )
    }
}

/// The states' JSON objects by name (any scope), to quote their templates.
fn raw_states(text: &str) -> std::collections::HashMap<String, Value> {
    fn walk(scope: &Value, out: &mut std::collections::HashMap<String, Value>) {
        let Some(states) = scope.get("States").and_then(Value::as_object) else { return };
        for (name, state) in states {
            out.insert(name.clone(), state.clone());
            for branch in state.get("Branches").and_then(Value::as_array).into_iter().flatten() {
                walk(branch, out);
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = state.get(key) {
                    walk(processor, out);
                }
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    if let Ok(root) = serde_json::from_str::<Value>(text) {
        walk(&root, &mut out);
    }
    out
}

/// The states a method serves, in definition order.
fn served<'d>(definition: &'d Definition, task: &TaskItem) -> Vec<&'d State> {
    let mut states = Vec::new();
    asl_spec::model::visit_states(&definition.body, &mut |s| {
        if task.states.iter().any(|n| *n == *s.name) {
            states.push(s);
        }
    });
    states
}

/// One line on a state's `Retry` and `Catch`, for a method's docs.
fn retry_and_catch(state: &State) -> Vec<String> {
    let StateKind::Task(task) = &state.kind else { return Vec::new() };
    let errors = |e: &[String]| e.join(", ");
    let mut lines = Vec::new();
    for r in &task.retry {
        lines.push(format!(
            "Retry on {}: up to {} times, {} s apart at first, times {}{}.",
            errors(&r.error_equals),
            r.max_attempts,
            r.interval_seconds,
            r.backoff_rate,
            r.max_delay_seconds.map(|m| format!(", at most {m} s")).unwrap_or_default()
        ));
    }
    for c in &task.catch {
        lines.push(format!("Catch {}: goes to `{}`.", errors(&c.error_equals), c.next.name));
    }
    if lines.is_empty() {
        lines.push("No Retry or Catch: an error fails the execution.".into());
    }
    lines
}

/// A `///` doc block, each line made safe for a comment.
fn doc(lines: &[String], indent: &str) -> String {
    lines
        .iter()
        .map(|l| format!("{indent}///{}{}\n", if l.is_empty() { "" } else { " " }, names::doc_safe(l)))
        .collect()
}

fn lib_rs(m: &Module, definition: &Definition, text: &str, file_name: &str) -> String {
    let raw = raw_states(text);
    let mut out = format!(
        "//! The `{module}` workflow (`statemachines/{file_name}`), compiled: its states\n\
         //! are `{module}::State`, its Task states call [`App`]'s methods.\n\n\
         #[allow(unused_imports)]\n\
         use asl_runtime::{{TaskContext, TaskError}};\n\
         #[allow(unused_imports)]\n\
         use serde_json::{{Value, json}};\n\n\
         asl_runtime::include_workflow!(\"statemachines/{file_name}\" as {module});\n\n\
         /// The code behind the workflow's Task states.\n\
         #[derive(Debug, Default, Clone)]\n\
         pub struct App;\n\n",
        module = m.name,
    );
    if m.tasks.is_empty() {
        out.push_str(&format!(
            "/// The workflow has no Task state: nothing to write.\nimpl {}::Tasks for App {{}}\n",
            m.name
        ));
        return out;
    }
    out.push_str(&format!("impl {}::Tasks for App {{\n", m.name));
    // What a method's docs say of each state it serves.
    let about = |task: &TaskItem, lines: &mut Vec<String>| {
        for state in served(definition, task) {
            lines.push(String::new());
            let comment = state.comment.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
            lines.push(format!("State `{}`.{comment}", state.name));
            let template = raw.get(&*state.name).and_then(|s| s.get("Parameters").or_else(|| s.get("Arguments")));
            match template {
                Some(t) => lines.push(format!("Input template: `{}`", serde_json::to_string(t).unwrap_or_default())),
                None => lines.push("Input: the state's whole input.".into()),
            }
            lines.extend(retry_and_catch(state));
        }
    };
    let mut first = true;
    for task in m.tasks.iter().filter(|t| t.service.is_none()) {
        if !std::mem::take(&mut first) {
            out.push('\n');
        }
        let mut lines = vec![match &task.function {
            Some(f) => format!("The Lambda function `{f}` (`{}`).", task.resource),
            None => format!("`{}`.", task.resource),
        }];
        about(task, &mut lines);
        out.push_str(&doc(&lines, "    "));
        let input_type = match task.input {
            Some(_) => format!("{}::{}Input", m.name, task.type_prefix),
            None => "Value".into(),
        };
        let states = task.states.join(", ");
        out.push_str(&format!(
            "    type {p}Input = {input_type};\n    type {p}Output = Value;\n\
             \x20   async fn {method}(&self, input: Self::{p}Input, ctx: TaskContext) -> Result<Value, TaskError> {{\n\
             \x20       let _ = (input, ctx);\n\
             \x20       todo!({todo:?})\n    }}\n",
            p = task.type_prefix,
            method = task.method,
            todo = format!("{} for {states}", task.method),
        ));
    }
    // A service's actions in one method, a `todo!()` per action.
    for service in &m.services {
        if !std::mem::take(&mut first) {
            out.push('\n');
        }
        let mut lines = vec![format!("Every `arn:aws:states:::{}:…` call.", service.service)];
        let mut arms = String::new();
        for action in &service.actions {
            let task = &m.tasks[action.task];
            lines.push(String::new());
            lines.push(format!("`{}`:", action.action));
            about(task, &mut lines);
            arms.push_str(&format!(
                "            {}::{}::{} => todo!({:?}),\n",
                m.name,
                service.action_type,
                action.variant,
                format!("{} for {}", task.method, task.states.join(", "))
            ));
        }
        out.push_str(&doc(&lines, "    "));
        out.push_str(&format!(
            "    async fn {method}(&self, action: {module}::{ty}, input: Value, ctx: TaskContext) -> Result<Value, TaskError> {{\n\
             \x20       let _ = (input, ctx);\n\
             \x20       match action {{\n{arms}        }}\n    }}\n",
            method = service.method,
            module = m.name,
            ty = service.action_type,
        ));
    }
    out.push_str("}\n");
    out
}

/// Where a program's machine comes from: the scaffold's crate (its `App`
/// implements the Tasks), or the program itself (`asl build`: Tasks go to
/// mocks only).
enum Program<'a> {
    Scaffold { crate_ident: &'a str },
    Ready { file_name: &'a str },
}

fn main_rs(m: &Module, program: Program<'_>, binary: &str) -> String {
    let module = &m.name;
    let (header, preamble, default_machine) = match program {
        Program::Scaffold { crate_ident } => (
            "Task states call the crate's `App`, or mocks with `--mock`, or an HTTP endpoint with `--http`.",
            format!("use {crate_ident}::{{App, {module}}};"),
            format!("{module}::Machine::new(App)"),
        ),
        Program::Ready { file_name } => (
            "Task states go to the mocks given with `--mock` (a Step Functions Local mock file) or to an HTTP endpoint (`--http`).",
            format!("asl_runtime::include_workflow!(\"statemachines/{file_name}\" as {module});"),
            format!("{module}::Machine::with_handler(asl_runtime::Handlers::new())"),
        ),
    };
    format!(
        r#"//! `{binary}`: the `{module}` workflow as a native program. {header}
//!
//!     {binary} run [--input JSON|@FILE] [--mock FILE [--test-case NAME] | --http URL]
//!     {binary} test-state STATE [--input JSON|@FILE] [--mock FILE [--test-case NAME] | --http URL]
//!
//! `--http URL` sends every Task to an HTTP endpoint (a POST of its input;
//! the JSON answer is its result; see `asl_runtime::HttpTasks`). `run` prints the execution (status, output or error, history) as JSON
//! and exits 0 when it succeeded, 1 when it did not; `test-state` runs one
//! state alone, as AWS's TestState does. A usage error exits 2.

{preamble}
use std::process::ExitCode;

const USAGE: &str = "usage: {binary} run [--input JSON|@FILE] [--mock FILE [--test-case NAME] | --http URL]
       {binary} test-state STATE [--input JSON|@FILE] [--mock FILE [--test-case NAME] | --http URL]";

/// A usage error: its message, and exit code 2.
fn usage(message: &str) -> ExitCode {{
    eprintln!("{binary}: {{message}}\n{{USAGE}}");
    ExitCode::from(2)
}}

/// The command line: the command, its one positional argument, and the options.
#[derive(Default)]
struct Args {{
    command: String,
    state: Option<String>,
    input: Option<String>,
    mock: Option<String>,
    test_case: Option<String>,
    http: Option<String>,
}}

fn parse(args: Vec<String>) -> Result<Args, String> {{
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    parsed.command = args.next().ok_or("a command is needed")?;
    while let Some(arg) = args.next() {{
        let slot = match arg.as_str() {{
            "--input" => &mut parsed.input,
            "--mock" => &mut parsed.mock,
            "--test-case" => &mut parsed.test_case,
            "--http" => &mut parsed.http,
            _ if parsed.command == "test-state" && parsed.state.is_none() && !arg.starts_with("--") => {{
                parsed.state = Some(arg);
                continue;
            }}
            _ => return Err(format!("unexpected argument '{{arg}}'")),
        }};
        *slot = Some(args.next().ok_or(format!("{{arg}} needs a value"))?);
    }}
    Ok(parsed)
}}

/// JSON text, or `@FILE`.
fn read_json(text: &str) -> Result<serde_json::Value, String> {{
    let text = match text.strip_prefix('@') {{
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {{path}}: {{e}}"))?,
        None => text.to_string(),
    }};
    serde_json::from_str(&text).map_err(|e| format!("the input is not JSON: {{e}}"))
}}

/// Runs the command on `machine`, whatever answers its Tasks.
async fn act<T>(machine: {module}::Machine<T>, args: Args) -> ExitCode {{
    let input = match args.input.as_deref().map(read_json).transpose() {{
        Ok(input) => input.unwrap_or_else(|| serde_json::json!({{}})),
        Err(e) => return usage(&e),
    }};
    match args.command.as_str() {{
        "run" => {{
            let execution = machine.run(input).await;
            println!("{{}}", execution.to_json());
            if execution.status == asl_runtime::Status::Succeeded {{ ExitCode::SUCCESS }} else {{ ExitCode::FAILURE }}
        }}
        "test-state" => {{
            let Some(state) = args.state.as_deref().and_then({module}::State::from_name) else {{
                return usage("test-state needs the name of one of the machine's states");
            }};
            match machine.test_state(state, input).await {{
                Ok(outcome) => {{
                    println!(
                        "{{}}",
                        serde_json::json!({{
                            "status": outcome.status.as_str(),
                            "output": outcome.output,
                            "error": outcome.error,
                            "cause": outcome.cause,
                            "nextState": outcome.next_state,
                        }})
                    );
                    ExitCode::SUCCESS
                }}
                Err(e) => usage(&e.to_string()),
            }}
        }}
        other => usage(&format!("unknown command '{{other}}'")),
    }}
}}

#[tokio::main]
async fn main() -> ExitCode {{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {{
        Some("-h" | "--help") => {{
            println!("{{USAGE}}");
            return ExitCode::SUCCESS;
        }}
        Some("serve") => return usage("this program runs its one machine; to serve the Step Functions API, run `asl serve` and create the machine there from its definition"),
        _ => {{}}
    }}
    let args = match parse(args) {{
        Ok(args) => args,
        Err(e) => return usage(&e),
    }};
    if let Some(url) = args.http.clone() {{
        if args.mock.is_some() {{
            return usage("--mock and --http cannot go together");
        }}
        return match asl_runtime::HttpTasks::new(&url) {{
            Ok(http) => act({module}::Machine::with_handler(http), args).await,
            Err(e) => usage(&e),
        }};
    }}
    let Some(mock) = args.mock.clone() else {{
        return act({default_machine}, args).await;
    }};
    let mocks = std::fs::read_to_string(&mock)
        .map_err(|e| format!("cannot read {{mock}}: {{e}}"))
        .and_then(|text| asl_runtime::MockConfig::from_json(&text).map_err(|e| format!("{{mock}}: {{e}}")))
        .and_then(|config| config.test_case(None, args.test_case.as_deref()).map_err(|e| format!("{{mock}}: {{e}}")));
    match mocks {{
        Ok(mocks) => act({module}::Machine::with_handler(mocks), args).await,
        Err(e) => usage(&e),
    }}
}}
"#
    )
}

fn test_rs(m: &Module, crate_ident: &str) -> String {
    let module = &m.name;
    format!(
        r#"//! The workflow with its Task states mocked, as Step Functions Local mocks
//! them: `tests/mocks.json` (test case `HappyPath`) answers each Task, and
//! the execution starts with `tests/input.json`. Edit both so the run takes
//! the path you mean to test; the scaffold's answers are empty results.

use {crate_ident}::{module};

#[tokio::test]
async fn happy_path_succeeds_with_mocked_tasks() {{
    let config = asl_runtime::MockConfig::from_json(include_str!("mocks.json")).expect("tests/mocks.json is a mock file");
    let mocks = config.test_case(None, Some("HappyPath")).expect("tests/mocks.json has the HappyPath test case");
    let input: serde_json::Value = serde_json::from_str(include_str!("input.json")).expect("tests/input.json is JSON");
    let execution = {module}::Machine::with_handler(mocks).run(input).await;
    assert_eq!(execution.status, asl_runtime::Status::Succeeded, "{{}}", execution.to_json());
}}
"#
    )
}

/// A mock file with one test case, `HappyPath`, answering every Task state
/// with an empty result (a Lambda `Invoke` response around an empty payload
/// for `lambda:invoke`).
fn mocks_json(m: &Module, definition: &Definition) -> String {
    let mut case = serde_json::Map::new();
    let mut responses = serde_json::Map::new();
    for task in &m.tasks {
        let invoke = asl_spec::model::lambda_resource(&task.resource) == Some(asl_spec::model::LambdaResource::Invoke);
        let result = if invoke { serde_json::json!({"StatusCode": 200, "Payload": {}}) } else { serde_json::json!({}) };
        for state in served(definition, task) {
            let response = format!("{}Response", state.name);
            case.insert(state.name.to_string(), Value::String(response.clone()));
            responses.insert(response, serde_json::json!({"0": {"Return": result}}));
        }
    }
    let file = serde_json::json!({
        "StateMachines": {m.name.clone(): {"TestCases": {"HappyPath": case}}},
        "MockedResponses": responses,
    });
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}
