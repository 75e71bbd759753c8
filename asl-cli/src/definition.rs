//! Reading a definition file: the size cap, `${Name}` substitutions
//! (`--var`, `--vars`), and diagnostics that point into the file as written.

use crate::{MAX_SIDE_FILE_BYTES, TypeArg, UsageError, read, read_capped};
use asl_spec::substitute::Substituted;
use asl_spec::{Diagnostics, Severity, SourceFile};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Values for a definition's `${Name}` placeholders, as SAM's and
/// CloudFormation's `DefinitionSubstitutions` or Terraform's `templatefile`
/// give them at deployment.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Vars {
    /// A value for a `${NAME}` placeholder of the definition (repeatable).
    /// With any value given, every placeholder must have one.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    var: Vec<(String, String)>,
    /// A JSON file of placeholder values, `{"NAME": "VALUE", …}` (the shape
    /// of SAM's `DefinitionSubstitutions`); `--var` overrides it.
    #[arg(long = "vars", value_name = "FILE")]
    vars_file: Option<PathBuf>,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

impl Vars {
    /// The values, the file's first so that `--var` wins; `None` when none
    /// were given (placeholders then stay as written).
    fn values(&self) -> Result<Option<Vec<(String, String)>>, UsageError> {
        let mut values = Vec::new();
        if let Some(path) = &self.vars_file {
            let text = read_capped(path, "the vars file", MAX_SIDE_FILE_BYTES)?;
            values = asl_spec::substitute::values_from_json(&text)
                .map_err(|why| UsageError(format!("{} is not a vars file: {why}", path.display())))?;
        }
        values.extend(self.var.iter().cloned());
        Ok((self.vars_file.is_some() || !self.var.is_empty()).then_some(values))
    }
}

/// A definition file as read, and as loaded after substitution.
pub(crate) struct DefinitionFile {
    /// The path as given, for messages.
    pub(crate) name: String,
    /// The file's text.
    original: String,
    filled: Substituted,
    /// Values were given, so every placeholder must have one.
    complete: bool,
}

impl DefinitionFile {
    /// Reads `path` (at most AWS's 1 MiB) and fills in `vars`.
    pub(crate) fn read(path: &Path, vars: &Vars) -> Result<DefinitionFile, UsageError> {
        let original = read(path)?;
        let values = vars.values()?;
        let filled = asl_spec::substitute::substitute(&original, values.as_deref().unwrap_or_default());
        Ok(DefinitionFile { name: path.display().to_string(), original, filled, complete: values.is_some() })
    }

    /// The text to load: the definition that will be deployed.
    pub(crate) fn text(&self) -> &str {
        &self.filled.text
    }

    /// The file as written, for rendering diagnostics.
    pub(crate) fn source(&self) -> SourceFile<'_> {
        SourceFile { name: &self.name, text: &self.original }
    }

    /// The diagnostics of loading [`DefinitionFile::text`], moved to the
    /// file's positions, with the placeholders left without a value.
    pub(crate) fn diagnostics(&self, mut found: Diagnostics) -> Diagnostics {
        self.filled.map_back(&mut found);
        if self.complete {
            self.filled.unresolved_errors(&mut found);
        }
        found.sort();
        found
    }

    /// A hint for a definition that failed with placeholders and no values.
    pub(crate) fn placeholder_note(&self) -> Option<String> {
        let (name, _) = self.filled.unresolved.first()?;
        (!self.complete).then(|| {
            format!(
                "note: {} has `${{…}}` placeholders; give the values it is deployed with: --var {name}=VALUE",
                self.name
            )
        })
    }

    /// Loads the definition as a valid workflow; problems go to stderr and
    /// end the command with exit code 1.
    pub(crate) fn load(&self, workflow_type: TypeArg) -> Result<asl_runtime::Workflow, ExitCode> {
        let (workflow, found) = match asl_runtime::Workflow::from_json_as(self.text(), workflow_type.spec()) {
            Ok(workflow) => (Some(workflow), Diagnostics::default()),
            Err(diagnostics) => (None, diagnostics),
        };
        let diagnostics = self.diagnostics(found);
        match workflow {
            Some(workflow) if !diagnostics.has_errors() => Ok(workflow),
            _ => {
                let styled = std::io::stderr().is_terminal();
                let source = self.source();
                for d in diagnostics.iter().filter(|d| d.severity == Severity::Error || workflow.is_none()) {
                    eprintln!("{}", source.render(d, styled));
                }
                if let Some(note) = self.placeholder_note() {
                    eprintln!("{note}");
                }
                eprintln!("{} is not a valid state machine definition", self.name);
                Err(ExitCode::from(1))
            }
        }
    }
}
