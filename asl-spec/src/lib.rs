//! The Amazon States Language front end.
//!
//! The pipeline is `load` (strict JSON with spans) → `build` (the typed
//! [`Definition`], with paths, templates, intrinsic calls and Choice rules
//! parsed) → `graph` (targets, reachability, terminals). Every stage collects
//! [`Diagnostic`]s instead of stopping, so one call reports every problem.
//!
//! ```
//! let loaded = asl_spec::load(r#"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": true}}}"#);
//! assert!(loaded.diagnostics.is_empty());
//! assert_eq!(loaded.definition.unwrap().body.states[0].name, "Hello");
//! ```

#![warn(missing_docs)]

pub mod diag;
mod graph;
pub mod intrinsic;
pub mod json;
mod load;
pub mod model;
pub mod path;
pub mod render;
pub mod time;

pub use diag::{Code, Diagnostic, Diagnostics, Severity, SourceFile, Span};
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

/// Loads and validates a definition from its JSON text.
pub fn load(text: &str) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    let definition = json::parse(text, &mut diagnostics).and_then(|root| load::build(&root, &mut diagnostics));
    let definition = definition.map(|mut d| {
        graph::check(&mut d, &mut diagnostics);
        d
    });
    diagnostics.sort();
    Loaded { definition, diagnostics }
}

/// Validates a definition and returns only its diagnostics.
pub fn validate(text: &str) -> Diagnostics {
    load(text).diagnostics
}
