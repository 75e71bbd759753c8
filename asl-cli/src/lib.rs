//! The `asl` command line: `validate`, `run`, and friends.
//!
//! Exit codes: 0 success, 1 an invalid definition (validate) or a failed
//! execution (run), 2 a usage error or an unreadable file.

use asl_runtime::{Identity, Status, VirtualClock, Workflow};
use asl_spec::{Severity, SourceFile};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
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
    },
    /// Execute a definition locally.
    Run {
        /// The definition file.
        definition: PathBuf,
        /// Execution input: a file path or inline JSON (default `{}`).
        #[arg(long)]
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
    },
}

/// A failure that ends the command with exit code 2.
struct UsageError(String);

/// Runs the command line and returns the process exit code.
pub fn main(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Run { definition, input, context, virtual_time, json } => run(&definition, input, context, virtual_time, json),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<String, UsageError> {
    let bytes = std::fs::read(path).map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| UsageError(format!("{} is not UTF-8 text", path.display())))
}

fn validate(files: &[PathBuf]) -> Result<ExitCode, UsageError> {
    let styled = std::io::stderr().is_terminal();
    let mut any_invalid = false;
    let mut unreadable = None;
    for path in files {
        let text = match read(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}", e.0);
                unreadable = Some(());
                continue;
            }
        };
        let diagnostics = asl_spec::validate(&text);
        let name = path.display().to_string();
        let source = SourceFile { name: &name, text: &text };
        let mut stderr = std::io::stderr().lock();
        for d in diagnostics.iter() {
            let _ = writeln!(stderr, "{}", source.render(d, styled));
        }
        let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        if errors > 0 {
            any_invalid = true;
            let _ = writeln!(stderr, "{name}: {errors} error(s)");
        }
    }
    Ok(match (unreadable, any_invalid) {
        (Some(()), _) => ExitCode::from(2),
        (None, true) => ExitCode::from(1),
        (None, false) => ExitCode::SUCCESS,
    })
}

fn parse_input(input: Option<String>) -> Result<Value, UsageError> {
    let Some(input) = input else { return Ok(json!({})) };
    let text = if Path::new(&input).is_file() { read(Path::new(&input))? } else { input };
    serde_json::from_str(&text).map_err(|e| UsageError(format!("the execution input is not valid JSON: {e}")))
}

fn run(definition: &Path, input: Option<String>, context: Option<PathBuf>, virtual_time: bool, json: bool) -> Result<ExitCode, UsageError> {
    let text = read(definition)?;
    let name = definition.display().to_string();
    let workflow = match Workflow::from_json(&text) {
        Ok(w) => w,
        Err(diagnostics) => {
            let source = SourceFile { name: &name, text: &text };
            for d in diagnostics.iter() {
                eprintln!("{}", source.render(d, false));
            }
            return Err(UsageError(format!("{name} is not a valid state machine definition")));
        }
    };
    let input = parse_input(input)?;
    let identity = match context {
        Some(path) => serde_json::from_str::<Identity>(&read(&path)?)
            .map_err(|e| UsageError(format!("{} is not a valid context file: {e}", path.display())))?,
        None => Identity::default(),
    };
    let runtime = if virtual_time {
        asl_runtime::virtual_time_runtime()
    } else {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    }
    .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let execution = runtime.block_on(async {
        let executor = workflow.executor().identity(identity);
        let executor = if virtual_time { executor.clock(VirtualClock::new()) } else { executor };
        executor.run(input).await
    });
    let status = execution.status;
    if json {
        let out = json!({
            "status": status.as_str(),
            "output": execution.output,
            "error": execution.error,
            "cause": execution.cause,
            "events": execution.events,
        });
        println!("{out}");
    } else {
        match status {
            Status::Succeeded => println!("{}", serde_json::to_string_pretty(&execution.output).unwrap_or_default()),
            _ => {
                eprintln!("{}: {}", status.as_str(), execution.error.as_deref().unwrap_or(""));
                if let Some(cause) = &execution.cause {
                    eprintln!("{cause}");
                }
            }
        }
    }
    Ok(if status == Status::Succeeded { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
