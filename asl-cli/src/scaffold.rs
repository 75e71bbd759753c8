//! `asl new`: a crate that compiles a definition into a native program
//! (the files are asl-codegen's [`Scaffold`](asl_codegen::Scaffold)).

use crate::{TypeArg, UsageError, load_valid, read};
use asl_codegen::scaffold::Runtime;
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

/// `asl build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The definition file.
    definition: PathBuf,
    /// Where to write the binary.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// The folder its crate is written and compiled in, kept so that a
    /// rebuild is quick (default: `target/asl-build/NAME`).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// The asl checkout whose `asl-runtime` it uses (as for `asl new`).
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

/// The `asl-runtime` dependency: the folder of a checkout's, or `None` for
/// crates.io's.
fn runtime_dependency(asl_path: Option<PathBuf>) -> Result<Option<String>, UsageError> {
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
    Ok(checkout.map(|path| std::fs::canonicalize(&path).unwrap_or(path).join("asl-runtime").display().to_string()))
}

/// Writes `files` under `dir`.
fn write_files(dir: &Path, files: &[asl_codegen::scaffold::File]) -> Result<(), UsageError> {
    for (path, contents) in files {
        let path = dir.join(path);
        // Unchanged files keep their time, so cargo rebuilds only what changed.
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *contents) {
            continue;
        }
        let written =
            path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, contents));
        written.map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// `asl build`: the definition as a ready binary whose Task states go to
/// mocks: a crate generated in the work folder, compiled by cargo.
pub(crate) fn build(args: BuildArgs) -> Result<ExitCode, UsageError> {
    if let Err(code) = load_valid(&args.definition, TypeArg::Standard)? {
        return Ok(code);
    }
    let text = read(&args.definition)?;
    let file_name = args.definition.file_name().and_then(|n| n.to_str()).unwrap_or("workflow.json");
    let wanted = args.output.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    // The binary is named after the output, if that can name a crate.
    let name = if crate_name_ok(wanted) { wanted.to_string() } else { "asl-program".to_string() };
    let work = args.work_dir.unwrap_or_else(|| Path::new("target/asl-build").join(&name));
    let path = runtime_dependency(args.asl_path)?;
    let runtime = path.as_deref().map_or(Runtime::Version(env!("CARGO_PKG_VERSION")), Runtime::Path);
    let scaffold = asl_codegen::Scaffold { name: &name, file_name, text: &text, runtime };
    write_files(&work, &scaffold.ready_files().map_err(UsageError)?)?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| work.join("target"), PathBuf::from);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building {} in {}", name, work.display());
    let status = std::process::Command::new(&cargo)
        .args(["build", "--release", "--manifest-path"])
        .arg(work.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| {
            UsageError(format!(
                "cannot run cargo ({}): {e}; asl build needs the Rust toolchain",
                cargo.to_string_lossy()
            ))
        })?;
    if !status.success() {
        eprintln!("asl build: cargo could not build {}", work.display());
        return Ok(ExitCode::from(1));
    }
    let built = target.join("release").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(&built, &args.output)
        .map_err(|e| UsageError(format!("cannot copy {} to {}: {e}", built.display(), args.output.display())))?;
    eprintln!(
        "built {}: `{} run --input JSON --mock FILE` (or `--http URL`)",
        args.output.display(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
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
    let path = runtime_dependency(args.asl_path)?;
    let runtime = path.as_deref().map_or(Runtime::Version(env!("CARGO_PKG_VERSION")), Runtime::Path);
    let scaffold = asl_codegen::Scaffold { name: &args.name, file_name, text: &text, runtime };
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
