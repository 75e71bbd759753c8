//! `build.rs` generation: the modules `include_workflow!` expands to,
//! written as Rust source into `OUT_DIR`, for projects that want the code on
//! disk (to read it, or to build without the proc macro).
//!
//! In `build.rs`'s `main`:
//!
//! ```no_run
//! asl_codegen::Builder::new()
//!     .workflow("statemachines/order.json")
//!     .write("workflows.rs")
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```
//!
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/workflows.rs"));`.
//!
//! The text is the very text `asl generate` prints and the golden
//! expansions hold: one function, [`expand_to_string`](crate::expand_to_string),
//! makes all three.

use crate::{Settings, expand_to_string, names};
use std::fmt;
use std::path::{Path, PathBuf};

/// Generates the modules of several definitions (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Builder {
    /// Each definition's path as written, and its module name if given.
    workflows: Vec<(String, Option<String>)>,
    /// What the paths are relative to (default: `CARGO_MANIFEST_DIR`).
    root: Option<PathBuf>,
}

/// Why generation failed: an unreadable file, an invalid definition (every
/// diagnostic, rendered at `file:line:col`), or a module name that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// No definitions yet.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds a definition, its module named after the file (as
    /// `include_workflow!("…")` names it). The path is relative to the
    /// crate's `Cargo.toml`, as the macro's is.
    pub fn workflow(mut self, path: impl Into<String>) -> Builder {
        self.workflows.push((path.into(), None));
        self
    }

    /// Adds a definition whose module is `module` (`include_workflow!("…" as module)`).
    pub fn workflow_as(mut self, path: impl Into<String>, module: impl Into<String>) -> Builder {
        self.workflows.push((path.into(), Some(module.into())));
        self
    }

    /// Reads the definitions relative to `root` instead of `CARGO_MANIFEST_DIR`.
    pub fn root(mut self, root: impl Into<PathBuf>) -> Builder {
        self.root = Some(root.into());
        self
    }

    fn root_dir(&self) -> PathBuf {
        self.root.clone().or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)).unwrap_or_default()
    }

    /// The modules' source, one after another; every problem of every
    /// definition at once if any is invalid.
    pub fn generate(&self) -> Result<String, BuildError> {
        let root = self.root_dir();
        let mut out = String::new();
        let mut problems = Vec::new();
        for (path, module) in &self.workflows {
            let text = match std::fs::read_to_string(root.join(path)) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(format!("cannot read {path}: {e}"));
                    continue;
                }
            };
            let loaded = asl_spec::load(&text);
            let source = asl_spec::SourceFile { name: path, text: &text };
            let errors: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == asl_spec::Severity::Error)
                .map(|d| source.render(d, false))
                .collect();
            if !errors.is_empty() {
                problems.push(format!("{}\n{path} is not a valid state machine definition", errors.join("\n")));
                continue;
            }
            let mut settings = Settings::for_file(path);
            if let Some(module) = module {
                if !names::is_module_name(module) {
                    problems.push(format!("`{module}` is not a valid Rust module name (for {path})"));
                    continue;
                }
                settings.module_name = module.clone();
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&expand_to_string(&text, &settings));
        }
        if problems.is_empty() { Ok(out) } else { Err(BuildError(problems.join("\n\n"))) }
    }

    /// Writes the modules to `dir/file` and returns its path. Also tells
    /// Cargo to run the build script again when a definition changes.
    pub fn write_to(&self, dir: &Path, file: &str) -> Result<PathBuf, BuildError> {
        let code = self.generate()?;
        let root = self.root_dir();
        for (path, _) in &self.workflows {
            println!("cargo:rerun-if-changed={}", root.join(path).display());
        }
        let target = dir.join(file);
        std::fs::write(&target, code).map_err(|e| BuildError(format!("cannot write {}: {e}", target.display())))?;
        Ok(target)
    }

    /// [`Builder::write_to`] into `OUT_DIR` (what a build script uses).
    pub fn write(&self, file: &str) -> Result<PathBuf, BuildError> {
        let dir = std::env::var_os("OUT_DIR")
            .ok_or_else(|| BuildError("OUT_DIR is not set: is this a build script?".into()))?;
        self.write_to(Path::new(&dir), file)
    }
}
