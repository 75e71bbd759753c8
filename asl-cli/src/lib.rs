//! The `asl` command line: `validate`, `run`, and friends.
//!
//! Exit codes: 0 success, 1 an invalid definition (validate) or a failed
//! execution (run), 2 a usage error or an unreadable file.

#![deny(missing_docs)]

mod definition;
mod durable;
mod mocks;
#[cfg(feature = "otlp")]
mod otlp;
mod overlay;
mod scaffold;
mod serve;
mod test_state;
mod watch;

use asl_runtime::{Identity, Status, VirtualClock};
use asl_spec::{Severity, SourceFile};
use clap::{Parser, Subcommand};
use definition::DefinitionFile;
use serde_json::Value;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Amazon States Language workflows: validate, run, draw, generate.
#[derive(Debug, Parser)]
#[command(name = "asl", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check definitions with AWS's rules; exit 1 if any is invalid.
    Validate {
        /// Definition files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The workflow type the definitions are deployed as.
        #[arg(long = "type", value_enum, default_value_t = TypeArg::Standard)]
        workflow_type: TypeArg,
        /// `human` (rustc-style, on stderr) or `json` (one object per file, on stdout).
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Treat warnings (likely mistakes AWS accepts) as errors: exit 1.
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        vars: definition::Vars,
    },
    /// Execute a definition locally; prints the output (indented on a terminal, one line otherwise).
    Run {
        /// The definition file.
        definition: PathBuf,
        /// Execution input: inline JSON, `@FILE` (or `file://FILE`) to read a
        /// file, or `-` to read standard input (default `{}`). At most
        /// 262,144 bytes, as StartExecution accepts.
        #[arg(long, value_name = "JSON|@FILE|-")]
        input: Option<String>,
        /// A JSON file with the execution identity (account_id, region, state_machine_name, execution_name, role_arn, …).
        #[arg(long)]
        context: Option<PathBuf>,
        /// Run Wait states, back-offs and timeouts in virtual time (no real waiting).
        #[arg(long)]
        virtual_time: bool,
        /// Print one JSON object {status, output, error, cause, events}.
        #[arg(long)]
        json: bool,
        /// Show the execution as it runs on stderr: `-v` its retries,
        /// catches, timeouts and end (the runtime's tracing events; RUST_LOG
        /// chooses them instead), `-vv` also every history event. The
        /// summary of the path taken is shown on a terminal, or with `-v`.
        #[arg(short, long, action = clap::ArgAction::Count)]
        verbose: u8,
        /// Report what the execution would cost on AWS as a Standard
        /// workflow (per state transition) and as an Express one (per
        /// request, duration and memory), at AWS's list prices, and whether
        /// the definition may be Express at all. On stderr, or in `--json`'s
        /// object as `cost`.
        #[arg(long)]
        cost: bool,
        /// A JSON file of prices for --cost: {"standardPerTransition",
        /// "expressPerRequest", "expressPerGbSecond"}, in US dollars.
        #[arg(long, value_name = "FILE", requires = "cost")]
        prices: Option<PathBuf>,
        /// Answer Task states from a Step Functions Local MockConfigFile.
        #[arg(long, value_name = "FILE")]
        mock: Option<PathBuf>,
        /// The mock file's test case (needed when it has several).
        #[arg(long, requires = "mock")]
        test_case: Option<String>,
        /// The mock file's state machine (needed when it has several).
        #[arg(long, requires = "mock")]
        state_machine: Option<String>,
        /// A folder standing in for S3 (one subfolder per bucket), for Map
        /// `ItemReader` and `ResultWriter`.
        #[arg(long, value_name = "DIR")]
        s3_root: Option<PathBuf>,
        /// The most history events an execution may have before it fails
        /// with `States.Runtime` (AWS's quota: 25,000); 0 lifts the limit.
        #[arg(long, value_name = "N", default_value_t = 25_000)]
        max_history_events: u64,
        /// Run durably on this store file (SQLite, created on first use): the
        /// execution survives the death of this process, and `asl worker`
        /// finishes what it leaves.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "s3_root", "workflow_type"])]
        db: Option<PathBuf>,
        /// The workflow type: EXPRESS validates with Express's rules (no
        /// callbacks, no `.sync`, no activities), runs in memory, and ends the
        /// execution after five minutes. Standard runs durably with --db.
        #[arg(long = "type", value_enum, default_value_t = TypeArg::Standard)]
        workflow_type: TypeArg,
        /// The execution's name (with --db: starting the same name again is
        /// idempotent). Default: a new UUID, or the context file's.
        #[arg(long, requires = "db")]
        name: Option<String>,
        /// With --db: only start the execution (print its ARN); a worker runs it.
        #[arg(long, requires = "db")]
        detach: bool,
        #[command(flatten)]
        vars: definition::Vars,
    },
    /// Run the pending executions of a store, and those that start later,
    /// until killed: what a crashed process left, a worker finishes.
    Worker {
        /// The store file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Answer Task states from this Step Functions Local MockConfigFile,
        /// with the test case each execution was started with.
        #[arg(long, value_name = "FILE")]
        mock: Option<PathBuf>,
        /// Stop once no execution is running.
        #[arg(long)]
        until_idle: bool,
        /// Forget executions that ended more than this many days ago (AWS keeps 90).
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        retention_days: u64,
    },
    /// List, describe, read the history of, and stop durable executions.
    #[command(subcommand)]
    Executions(durable::ExecutionsCommand),
    /// Answer a `.waitForTaskToken` task of a durable execution.
    #[command(subcommand)]
    Task(durable::TaskCommand),
    /// Serve the AWS Step Functions API (as Step Functions Local does, on
    /// port 8083): AWS SDKs, the AWS CLI and Terraform tooling drive it
    /// unchanged. Durable in a SQLite file unless --in-memory.
    Serve(serve::ServeArgs),
    /// Run one state alone, as AWS's TestState API does; prints its response.
    TestState(test_state::TestStateArgs),
    /// Draw a definition as a Mermaid flowchart, a Graphviz DOT graph or an SVG.
    Graph {
        /// The definition file.
        definition: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        /// Draw an execution over the machine: its history as `asl run
        /// --json` prints it or GetExecutionHistory answers it. The states
        /// it visited are filled (the failed one red), with their visits
        /// and retries, and the transitions it took drawn thick.
        #[arg(long, value_name = "HISTORY.json")]
        execution: Option<PathBuf>,
        #[command(flatten)]
        vars: definition::Vars,
    },
    /// Print the Rust code `include_workflow!` generates for a definition.
    Generate {
        /// The definition file.
        definition: PathBuf,
        /// The module name (default: the file name in snake_case).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        vars: definition::Vars,
    },
    /// Create a crate that makes a definition a native program: the
    /// `include_workflow!`, a `Tasks` skeleton (one `todo!()` per Task), a
    /// CLI (`run`, `test-state`) and a test with mocked Tasks.
    New(scaffold::NewArgs),
    /// Compile a definition into a ready binary (`run`, `test-state`) whose
    /// Task states go to mocks (`--mock FILE`), for definitions that need no
    /// Rust code. Needs cargo.
    Build(scaffold::BuildArgs),
}

/// `asl validate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    /// rustc-style diagnostics on stderr.
    Human,
    /// One JSON object per file on stdout: `{file, valid, diagnostics: [...]}`.
    Json,
}

/// `asl validate --type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TypeArg {
    /// A Standard workflow.
    #[value(name = "STANDARD", alias = "standard")]
    Standard,
    /// An Express workflow.
    #[value(name = "EXPRESS", alias = "express")]
    Express,
}

impl TypeArg {
    fn spec(self) -> asl_spec::WorkflowType {
        match self {
            TypeArg::Standard => asl_spec::WorkflowType::Standard,
            TypeArg::Express => asl_spec::WorkflowType::Express,
        }
    }
}

/// `asl graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    /// A Mermaid `flowchart`.
    Mermaid,
    /// A Graphviz `digraph`.
    Dot,
    /// A self-contained SVG of the top-level states (what the generated
    /// module's docs show), for a browser or a README.
    Svg,
}

/// A failure that ends the command with exit code 2.
pub(crate) struct UsageError(String);

/// Runs the command line and returns the process exit code.
pub fn main(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = (|| match cli.command {
        Command::Validate { files, workflow_type, format, deny_warnings, vars } => {
            validate(&files, &vars, workflow_type.spec(), format == FormatArg::Json, deny_warnings)
        }
        Command::Run {
            definition,
            input,
            context,
            virtual_time,
            json,
            mock,
            test_case,
            state_machine,
            s3_root,
            max_history_events,
            db,
            name,
            detach,
            workflow_type,
            vars,
            verbose,
            cost,
            prices,
        } => {
            let file = DefinitionFile::read(&definition, &vars)?;
            if let Some(db) = db {
                let definition_text = match file.load(TypeArg::Standard) {
                    Ok(workflow) => {
                        if let Some(path) = &mock {
                            // The worker picks the test case per execution; refuse a bad one now.
                            load_mocks(path, state_machine.as_deref(), test_case.as_deref(), &workflow.definition())?;
                        }
                        file.text().to_string()
                    }
                    Err(code) => return Ok(code),
                };
                let mut identity = identity_of(context)?;
                if let Some(name) = name {
                    identity.execution_name = name;
                }
                let input = input_text(input)?;
                let run =
                    durable::DurableRun { db, definition: definition_text, identity, input, detach, virtual_time };
                return durable::run(run, (mock, test_case, state_machine));
            }
            let mocks = mock.map(|path| (path, state_machine, test_case));
            let express = workflow_type == TypeArg::Express;
            let cost = match (cost, prices) {
                (false, _) => None,
                (true, None) => Some(asl_runtime::cost::Prices::default()),
                (true, Some(path)) => {
                    let text = read_capped(&path, "the prices file", MAX_SIDE_FILE_BYTES)?;
                    Some(
                        serde_json::from_str(&text)
                            .map_err(|e| UsageError(format!("{} is not a prices file: {e}", path.display())))?,
                    )
                }
            };
            let options = RunOptions {
                input,
                context,
                virtual_time,
                json,
                mocks,
                s3_root,
                max_history_events,
                express,
                verbose,
                cost,
            };
            run(&file, options)
        }
        Command::Worker { db, mock, until_idle, retention_days } => {
            let retention = std::time::Duration::from_secs(retention_days.saturating_mul(24 * 3600));
            durable::worker(&db, mock, until_idle, retention)
        }
        Command::Executions(command) => durable::executions(command),
        Command::Task(command) => durable::task(command),
        Command::Serve(args) => serve::serve(args),
        Command::TestState(args) => test_state::test_state(args),
        Command::Graph { definition, format, execution, vars } => {
            graph(&DefinitionFile::read(&definition, &vars)?, format, execution.as_deref())
        }
        Command::Generate { definition, name, vars } => generate(&DefinitionFile::read(&definition, &vars)?, name),
        Command::New(args) => scaffold::new(args),
        Command::Build(args) => scaffold::build(args),
    })();
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The largest definition AWS accepts (`CreateStateMachine`), in bytes.
const MAX_DEFINITION_BYTES: u64 = 1024 * 1024;
/// The largest history `asl graph --execution` reads: 25,000 events of
/// AWS's largest payloads would not fit, but any real one does.
const MAX_HISTORY_BYTES: u64 = 512 * 1024 * 1024;
/// The largest mock or context file read: far more than any needs.
const MAX_SIDE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads at most `limit` bytes of UTF-8 text from `path` (`-`: standard
/// input); `what` names the text in messages. A larger source is refused
/// after `limit` bytes, so `/dev/zero` or a huge file cannot take the
/// memory.
fn read_capped(path: &Path, what: &str, limit: u64) -> Result<String, UsageError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| UsageError(format!("cannot read {what} {}: {e}", path.display()));
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes).map_err(cannot)?;
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes)).map_err(cannot)?;
    }
    if bytes.len() as u64 > limit {
        return Err(UsageError(format!(
            "{what} {} is larger than {limit} bytes, the most AWS accepts",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| UsageError(format!("{what} {} is not UTF-8 text", path.display())))
}

/// Writes `text` to standard output. A reader that went away (`asl run … |
/// head`) is no error: the rest of the output is simply not wanted.
fn say(text: impl std::fmt::Display) -> Result<(), UsageError> {
    let mut out = std::io::stdout().lock();
    match write!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(UsageError(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// `asl run --json`'s output, written as the execution goes: the events
/// first, one by one, then the rest of the result. A reader that went away
/// only stops the writing.
struct JsonEvents {
    out: std::sync::Mutex<(std::io::BufWriter<std::io::Stdout>, bool)>,
}

impl JsonEvents {
    fn start() -> JsonEvents {
        let mut out = std::io::BufWriter::new(std::io::stdout());
        let _ = out.write_all(b"{\"events\":[");
        JsonEvents { out: std::sync::Mutex::new((out, true)) }
    }

    fn write(&self, event: &asl_runtime::HistoryEvent) {
        let mut guard = self.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (out, first) = &mut *guard;
        if !std::mem::take(first) {
            let _ = out.write_all(b",");
        }
        let _ = serde_json::to_writer(&mut *out, event);
    }

    /// Closes the list and writes `rest`, the result's other members
    /// without their opening brace.
    fn finish(&self, rest: &str) {
        let mut guard = self.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let out = &mut guard.0;
        let _ = out.write_all(b"],");
        let _ = out.write_all(rest.as_bytes());
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }
}

/// A state machine definition's text (at most AWS's 1 MiB).
fn read(path: &Path) -> Result<String, UsageError> {
    read_capped(path, "the definition", MAX_DEFINITION_BYTES)
}

/// A diagnostic as JSON, for editors and CI.
fn diagnostic_json(source: &SourceFile<'_>, d: &asl_spec::Diagnostic) -> Value {
    let (line, column) = d.span.map(|s| source.line_col(s.start)).unwrap_or((0, 0));
    serde_json::json!({
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": d.code.as_str(),
        "message": d.message,
        "location": d.location,
        "line": line,
        "column": column,
        "span": d.span.map(|s| [s.start, s.end]),
        "hint": d.hint,
    })
}

fn validate(
    files: &[PathBuf], vars: &definition::Vars, workflow_type: asl_spec::WorkflowType, json: bool, deny_warnings: bool,
) -> Result<ExitCode, UsageError> {
    let styled = std::io::stderr().is_terminal();
    let mut invalid = 0;
    let mut unreadable = None;
    for path in files {
        let file = match DefinitionFile::read(path, vars) {
            Ok(file) => file,
            Err(e) => {
                eprintln!("error: {}", e.0);
                unreadable = Some(());
                continue;
            }
        };
        let diagnostics = file.diagnostics(asl_spec::load_as(file.text(), workflow_type).diagnostics);
        let name = &file.name;
        let source = file.source();
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = diagnostics.len() - errors;
        if errors > 0 || (deny_warnings && warnings > 0) {
            invalid += 1;
        }
        if json {
            let list: Vec<Value> = diagnostics.iter().map(|d| diagnostic_json(&source, d)).collect();
            say(format_args!("{}\n", serde_json::json!({"file": name, "valid": errors == 0, "diagnostics": list})))?;
            continue;
        }
        let mut stderr = std::io::stderr().lock();
        for d in diagnostics.iter() {
            let _ = writeln!(stderr, "{}", source.render(d, styled));
        }
        if errors > 0
            && let Some(note) = file.placeholder_note()
        {
            let _ = writeln!(stderr, "{note}");
        }
        match (errors, warnings) {
            (0, 0) => {}
            (0, w) => _ = writeln!(stderr, "{name}: {w} warning(s)"),
            (e, 0) => _ = writeln!(stderr, "{name}: {e} error(s)"),
            (e, w) => _ = writeln!(stderr, "{name}: {e} error(s), {w} warning(s)"),
        }
    }
    let checked = files.len();
    if !json && unreadable.is_none() && invalid == 0 {
        eprintln!("ok: {checked} file{} valid", if checked == 1 { "" } else { "s" });
    }
    Ok(match (unreadable, invalid) {
        (Some(()), _) => ExitCode::from(2),
        (None, 0) => ExitCode::SUCCESS,
        (None, _) => ExitCode::from(1),
    })
}

/// The execution input's text, checked: inline JSON, `@FILE` or
/// `file://FILE` (a file), or `-` (standard input).
/// The execution identity a context file gives, or the default one.
fn identity_of(context: Option<PathBuf>) -> Result<Identity, UsageError> {
    match context {
        Some(path) => serde_json::from_str::<Identity>(&read_capped(&path, "the context file", MAX_SIDE_FILE_BYTES)?)
            .map_err(|e| UsageError(format!("{} is not a valid context file: {e}", path.display()))),
        None => Ok(Identity::default()),
    }
}

fn input_text(input: Option<String>) -> Result<String, UsageError> {
    let Some(input) = input else { return Ok("{}".to_string()) };
    // The largest input `StartExecution` accepts: the payload limit, as the
    // runtime has it.
    let max_input_bytes = asl_runtime::Limits::default().max_payload_bytes as u64;
    let file = match input.as_str() {
        "-" => Some("-".to_string()),
        other => other.strip_prefix('@').or_else(|| other.strip_prefix("file://")).map(str::to_string),
    };
    let (text, source) = match &file {
        Some(path) => (read_capped(Path::new(path), "the input file", max_input_bytes)?, format!("in {path}")),
        None if input.len() as u64 > max_input_bytes => {
            return Err(UsageError(format!(
                "the execution input is {} bytes; StartExecution accepts at most {max_input_bytes}",
                input.len()
            )));
        }
        None => (input, "given inline".to_string()),
    };
    if let Err(e) = serde_json::from_str::<Value>(&text) {
        let hint = match file {
            // Only a path that was not marked as one can be mistaken for JSON.
            None if Path::new(&text).exists() => format!(" (to read the file, write --input @{text})"),
            _ => String::new(),
        };
        return Err(UsageError(format!("the execution input {source} is not valid JSON: {e}{hint}")));
    }
    Ok(text)
}

/// Loads a definition for a command that needs a valid one; problems go to
/// stderr and end the command with exit code 1.
fn load_valid(path: &Path, workflow_type: TypeArg) -> Result<Result<asl_runtime::Workflow, ExitCode>, UsageError> {
    Ok(DefinitionFile::read(path, &definition::Vars::default())?.load(workflow_type))
}

fn graph(file: &DefinitionFile, format: GraphFormat, execution: Option<&Path>) -> Result<ExitCode, UsageError> {
    let workflow = match file.load(TypeArg::Standard) {
        Ok(w) => w,
        Err(code) => return Ok(code),
    };
    let overlay = match execution {
        Some(path) => {
            let text = read_capped(path, "the execution history", MAX_HISTORY_BYTES)?;
            Some(overlay::from_history(&text, &path.display().to_string())?)
        }
        None => None,
    };
    let def = workflow.definition();
    say(match format {
        GraphFormat::Mermaid => asl_spec::render::mermaid_with(&def, overlay.as_ref()),
        GraphFormat::Dot => asl_spec::render::dot_with(&def, overlay.as_ref()),
        GraphFormat::Svg if overlay.is_some() => {
            return Err(UsageError("--execution draws in the mermaid and dot formats".into()));
        }
        GraphFormat::Svg => asl_spec::render::svg(&def) + "\n",
    })?;
    Ok(ExitCode::SUCCESS)
}

fn generate(file: &DefinitionFile, name: Option<String>) -> Result<ExitCode, UsageError> {
    if let Err(code) = file.load(TypeArg::Standard) {
        return Ok(code);
    }
    let text = file.text();
    let mut settings = asl_codegen::Settings::for_file(&file.name);
    if let Some(name) = name {
        if asl_codegen::names::is_module_name(&name) {
            settings.module_name = name;
        } else {
            return Err(UsageError(format!(
                "`{name}` is not a valid Rust module name (a keyword, or not an identifier)"
            )));
        }
    }
    say(asl_codegen::expand_to_string(text, &settings))?;
    Ok(ExitCode::SUCCESS)
}

/// The mocks of a test case, after the mock file is checked against the definition.
fn load_mocks(
    path: &Path, state_machine: Option<&str>, test_case: Option<&str>, definition: &asl_spec::Definition,
) -> Result<asl_runtime::Mocks, UsageError> {
    let file = mocks::MockFile::read(path)?;
    file.check(state_machine, definition)?;
    file.test_case(state_machine, test_case)
}

/// How `asl run` runs an execution.
struct RunOptions {
    input: Option<String>,
    context: Option<PathBuf>,
    virtual_time: bool,
    json: bool,
    /// The mock file, its state machine and its test case.
    mocks: Option<(PathBuf, Option<String>, Option<String>)>,
    s3_root: Option<PathBuf>,
    max_history_events: u64,
    /// An Express workflow: its rules and its five-minute limit.
    express: bool,
    /// `-v`s given.
    verbose: u8,
    /// `--cost`, with its prices.
    cost: Option<asl_runtime::cost::Prices>,
}

fn run(definition: &DefinitionFile, options: RunOptions) -> Result<ExitCode, UsageError> {
    let RunOptions { input, context, virtual_time, json, mocks, s3_root, max_history_events, express, verbose, cost } =
        options;
    let workflow_type = if express { TypeArg::Express } else { TypeArg::Standard };
    let workflow = match definition.load(workflow_type) {
        Ok(w) => w,
        Err(code) => return Ok(code),
    };
    let mocks = match mocks {
        Some((path, state_machine, test_case)) => {
            Some(load_mocks(&path, state_machine.as_deref(), test_case.as_deref(), &workflow.definition())?)
        }
        None => None,
    };
    let input = input_text(input)?;
    let identity = identity_of(context)?;
    // The engine never spawns: one thread is all an execution uses.
    let runtime = if virtual_time {
        asl_runtime::virtual_time_runtime()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    }
    .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    // `--json` streams the events, unless `--cost` needs them kept.
    let events = (json && cost.is_none()).then(|| std::sync::Arc::new(JsonEvents::start()));
    // A person watching: the state the execution is in, the path it took.
    let summary = !json && (std::io::stderr().is_terminal() || verbose > 0);
    let progress = watch::Progress::start(!json);
    let tracing = watch::init_tracing(verbose, progress.clone())?;
    let path = std::sync::Arc::new(watch::Path::default());
    let execution = runtime
        .block_on(async {
            // Only `--json` prints the history; otherwise nobody reads it.
            let base = if express { asl_runtime::Limits::express() } else { asl_runtime::Limits::default() };
            let limits = asl_runtime::Limits {
                max_history_events: if max_history_events == 0 { u64::MAX } else { max_history_events },
                ..base
            };
            let executor = workflow.executor().identity(identity).record_history(json || cost.is_some()).limits(limits);
            let executor = match mocks {
                Some(mocks) => executor.handler(mocks),
                None => executor,
            };
            let executor = match s3_root {
                Some(root) => executor.object_store(asl_runtime::LocalObjectStore::new(root)),
                None => executor,
            };
            let executor = if virtual_time { executor.clock(VirtualClock::new()) } else { executor };
            let executor = if summary || verbose >= 2 || progress.shown() {
                let (progress, path) = (progress.clone(), path.clone());
                executor.on_event(move |event| {
                    progress.on_event(event);
                    path.on_event(event);
                    if verbose >= 2 {
                        progress.println(&watch::event_line(event));
                    }
                })
            } else {
                executor
            };
            // `--json` writes each event as it happens, so a long execution
            // holds one event at a time, not its whole history.
            let executor = match &events {
                Some(events) => {
                    let events = events.clone();
                    executor.history_sink(move |event| events.write(&event))
                }
                None => executor,
            };
            executor.run_text(&input).await
        })
        .map_err(|e| UsageError(format!("the execution input is not valid JSON: {e}")))?;
    let status = execution.status;
    tracing.finish();
    progress.finish();
    if summary {
        eprint!("{}", path.summary(status.as_str()));
    }
    let cost =
        cost.map(|prices| asl_runtime::cost::estimate(&workflow.definition(), definition.text(), &execution, prices));
    if json && let Some(cost) = &cost {
        let mut all = execution.to_json();
        all["cost"] = serde_json::to_value(cost).unwrap_or_default();
        say(format_args!("{all}\n"))?;
    } else if let Some(events) = events {
        let mut rest = execution.to_json();
        if let Some(fields) = rest.as_object_mut() {
            fields.remove("events");
        }
        // `{"events": [...], "status": …, "output": …, "error": …, "cause": …}`.
        let rest = rest.to_string();
        events.finish(&rest[1..]);
    } else {
        if let Some(cost) = &cost {
            eprint!("{cost}");
        }
        report(status.as_str(), execution.output.as_ref(), execution.error.as_deref(), execution.cause.as_deref())?;
    }
    Ok(if status == Status::Succeeded { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Prints how an execution ended, as `asl run` shows it (in memory or
/// durably): the output on stdout, indented for a person and on one line for
/// a pipe; or the error and cause on stderr, with a hint where one helps.
/// The exit code: 0 when it succeeded.
pub(crate) fn report(
    status: &str, output: Option<&Value>, error: Option<&str>, cause: Option<&str>,
) -> Result<ExitCode, UsageError> {
    if status == Status::Succeeded.as_str() {
        let text = if std::io::stdout().is_terminal() {
            serde_json::to_string_pretty(&output)
        } else {
            serde_json::to_string(&output)
        };
        say(format_args!("{}\n", text.unwrap_or_default()))?;
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{status}: {}", error.unwrap_or(""));
    if let Some(cause) = cause {
        eprintln!("{cause}");
        if cause.starts_with(asl_runtime::NO_HANDLER_CAUSE) {
            eprintln!(
                "hint: `asl run` has no code behind Task states; answer them from a Step Functions Local mock file \
                 with --mock FILE --test-case NAME (mocks/payment.json is one), or run the workflow from Rust \
                 with include_workflow!"
            );
        }
    }
    Ok(ExitCode::from(1))
}
