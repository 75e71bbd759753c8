//! `asl new`: a crate that compiles a definition into a native program
//! (the files are asl-codegen's [`Scaffold`](asl_codegen::Scaffold)).

use crate::{TypeArg, UsageError, load_valid, read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `asl new`.
#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// The crate's and the binary's name (letters, digits, `-` and `_`).
    name: String,
    /// The definition the program runs; copied into `statemachines/`.
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// The folder to create (default: `./NAME`). It must not exist, or be empty.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The asl checkout whose `asl-runtime` the crate uses, by path
    /// (default: the checkout this `asl` was built from, when it is still
    /// there; otherwise `asl-runtime` from crates.io).
    #[arg(long, value_name = "DIR")]
    asl_path: Option<PathBuf>,
}

/// Whether `name` can be a package's and a binary's name.
fn crate_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && asl_codegen::names::is_module_name(&name.replace('-', "_"))
}

/// The `asl-runtime` dependency: by path to a checkout, or from crates.io.
fn runtime_dependency(asl_path: Option<PathBuf>) -> Result<String, UsageError> {
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
    let checkout = match asl_path {
        Some(path) if path.join("asl-runtime/Cargo.toml").is_file() => Some(path),
        Some(path) => {
            return Err(UsageError(format!(
                "{} is not an asl checkout: it has no asl-runtime/Cargo.toml",
                path.display()
            )));
        }
        None => built_from.filter(|p| p.join("asl-runtime/Cargo.toml").is_file()),
    };
    Ok(match checkout {
        Some(path) => {
            let path = std::fs::canonicalize(&path).unwrap_or(path).join("asl-runtime");
            // A TOML basic string: JSON's escaping of a path is TOML's.
            format!("{{ path = {} }}", serde_json::Value::String(path.display().to_string()))
        }
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    })
}

pub(crate) fn new(args: NewArgs) -> Result<ExitCode, UsageError> {
    if !crate_name_ok(&args.name) {
        return Err(UsageError(format!(
            "`{}` cannot name a crate: use letters, digits, `-` and `_`, starting with a letter, and no Rust keyword",
            args.name
        )));
    }
    if let Err(code) = load_valid(&args.from, TypeArg::Standard)? {
        return Ok(code);
    }
    let text = read(&args.from)?;
    let file_name = args.from.file_name().and_then(|n| n.to_str()).unwrap_or("workflow.json");
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&args.name));
    if std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(UsageError(format!("{} exists and is not empty", dir.display())));
    }
    let runtime = runtime_dependency(args.asl_path)?;
    let scaffold = asl_codegen::Scaffold { name: &args.name, file_name, text: &text, runtime: &runtime };
    let files = scaffold.files().map_err(UsageError)?;
    for (path, contents) in &files {
        let path = dir.join(path);
        let written =
            path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, contents));
        written.map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    }
    eprintln!(
        "created {} ({} files): fill in the todo!()s in src/lib.rs, then `cargo build --release`",
        dir.display(),
        files.len()
    );
    Ok(ExitCode::SUCCESS)
}
