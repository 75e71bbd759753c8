//! The Amazon States Language front end.
//!
//! The pipeline is `load` (strict JSON with spans) → `build` (the typed
//! [`Definition`], with paths, templates, intrinsic calls and Choice rules
//! parsed) → `graph` (targets, reachability, terminals) → `lint` (warnings
//! about likely mistakes AWS accepts, only for definitions without errors).
//! Every stage collects [`Diagnostic`]s instead of stopping, so one call
//! reports every problem.
//!
//! ```
//! let loaded = asl_spec::load(r#"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": true}}}"#);
//! assert!(loaded.diagnostics.is_empty());
//! assert_eq!(&*loaded.definition.unwrap().body.states[0].name, "Hello");
//! ```

#![deny(missing_docs)]

pub mod diag;
pub mod fields;
mod graph;
pub mod intrinsic;
pub mod json;
pub mod jsonata;
mod lint;
mod load;
pub mod model;
pub mod path;
pub mod render;
#[cfg(feature = "static-model")]
mod static_model;
pub mod substitute;
pub mod time;

pub use diag::{Code, Diagnostic, Diagnostics, Severity, SourceFile, Span};
pub use fields::StateType;
pub use load::{is_jsonata, template_from_value};
pub use model::*;

/// The result of loading a definition: the model when it could be built, and
/// everything that is wrong with it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The model; present when the document was structurally usable. It is
    /// only safe to execute when `diagnostics` has no errors.
    pub definition: Option<Definition>,
    /// Every problem found, in source order.
    pub diagnostics: Diagnostics,
}

impl Loaded {
    /// The definition, if it has no errors.
    pub fn valid(self) -> Result<Definition, Diagnostics> {
        match self.definition {
            Some(d) if !self.diagnostics.has_errors() => Ok(d),
            _ => Err(self.diagnostics),
        }
    }
}

/// The kind of state machine a definition is deployed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkflowType {
    /// Standard workflows (the default).
    #[default]
    Standard,
    /// Express workflows: no `.sync`, no `.waitForTaskToken`, no activities.
    Express,
}

/// Loads and validates a definition from its JSON text, as a Standard workflow.
pub fn load(text: &str) -> Loaded {
    load_as(text, WorkflowType::Standard)
}

/// Loads and validates a definition deployed as `workflow_type`.
pub fn load_as(text: &str, workflow_type: WorkflowType) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    let root = json::parse(text, &mut diagnostics);
    let definition = root.as_ref().and_then(|root| load::build(root, &mut diagnostics));
    let definition = definition.map(|mut d| {
        graph::check(&mut d, &mut diagnostics);
        if workflow_type == WorkflowType::Express {
            express_rules(&d, &mut diagnostics);
        }
        d
    });
    // Warnings about a definition that is wrong anyway would only be noise.
    if let (Some(root), false) = (&root, diagnostics.has_errors()) {
        lint::check(root, &mut diagnostics);
    }
    diagnostics.sort();
    Loaded { definition, diagnostics }
}

/// Express workflows cannot wait: no `.sync` jobs, no task-token callbacks,
/// no activities. What a valid Standard definition would need changed to be
/// deployed as Express (also what [`load_as`] adds for
/// [`WorkflowType::Express`]).
pub fn express_rules(def: &Definition, diagnostics: &mut Diagnostics) {
    model::visit_states(&def.body, &mut |state| {
        let StateKind::Task(task) = &state.kind else { return };
        let problem = match task.integration {
            model::Integration::Sync => Some("the `.sync` integration pattern"),
            model::Integration::WaitForTaskToken => Some("the `.waitForTaskToken` integration pattern"),
            model::Integration::RequestResponse if task.resource.split(':').nth(5) == Some("activity") => {
                Some("activities")
            }
            model::Integration::RequestResponse => None,
        };
        if let Some(problem) = problem {
            diagnostics.push(
                Diagnostic::error(
                    Code::Schema,
                    format!("Express state machines do not support {problem} (state `{}`)", state.name),
                )
                .at(task.resource_span, "not available in an Express workflow")
                .location(format!("/States/{}/Resource", state.name))
                .hint("deploy the machine as STANDARD, or call the service without waiting for it"),
            );
        }
    });
}

/// Validates a definition and returns only its diagnostics.
pub fn validate(text: &str) -> Diagnostics {
    load(text).diagnostics
}
