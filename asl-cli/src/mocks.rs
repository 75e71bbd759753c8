//! Reading a Step Functions Local `MockConfigFile`, its problems shown at
//! their line in the file, as a definition's are.

use crate::{MAX_SIDE_FILE_BYTES, UsageError, read_capped};
use asl_runtime::{MockConfig, MockError};
use std::io::IsTerminal;
use std::path::Path;

/// A mock file, read and parsed; a malformed one is refused with its
/// problem rendered at its place.
pub(crate) struct MockFile {
    /// The path as given.
    name: String,
    text: String,
    /// The parsed configuration.
    pub(crate) config: MockConfig,
}

impl MockFile {
    pub(crate) fn read(path: &Path) -> Result<MockFile, UsageError> {
        let text = read_capped(path, "the mock file", MAX_SIDE_FILE_BYTES)?;
        let name = path.display().to_string();
        match MockConfig::from_json(&text) {
            Ok(config) => Ok(MockFile { name, text, config }),
            Err(e) => Err(refuse(&name, &text, &[e])),
        }
    }

    /// Refuses the file when the test cases of `state_machine` mock states
    /// that `definition` does not have (see [`MockConfig::check`]).
    pub(crate) fn check(
        &self, state_machine: Option<&str>, definition: &asl_spec::Definition,
    ) -> Result<(), UsageError> {
        let problems = self.config.check(state_machine, definition);
        if problems.is_empty() { Ok(()) } else { Err(refuse(&self.name, &self.text, &problems)) }
    }

    /// The mocks of one test case.
    pub(crate) fn test_case(
        &self, state_machine: Option<&str>, test_case: Option<&str>,
    ) -> Result<asl_runtime::Mocks, UsageError> {
        self.config.test_case(state_machine, test_case).map_err(|e| {
            let flag = if e.message.contains("test case") { "--test-case" } else { "--state-machine" };
            UsageError(format!("{}: {e} (with {flag} NAME)", self.name))
        })
    }
}

/// Prints each problem at its place in the mock file; the error that ends the command.
fn refuse(name: &str, text: &str, problems: &[MockError]) -> UsageError {
    let source = asl_spec::SourceFile { name, text };
    let styled = std::io::stderr().is_terminal();
    for problem in problems {
        eprintln!("{}", source.render(&problem.diagnostic(text), styled));
    }
    UsageError(format!("{name} is not a usable mock file ({} problem(s))", problems.len()))
}
