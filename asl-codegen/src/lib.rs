//! The code generator behind `include_workflow!`.
//!
//! A plain library, so it is tested without a proc-macro context and shared
//! by the macro and `asl generate`. The pipeline: `asl_spec::load` (parse and
//! validate) → [`lower`](mod@lower) (plain data, unit-tested) → `emit` (tokens).

#![deny(missing_docs)]

mod builder;
mod emit;
pub mod inputs;
pub mod lower;
pub mod model;
pub mod names;
pub mod scaffold;

pub use builder::{BuildError, Builder};
pub use lower::{Module, lower};
use proc_macro2::{Span, TokenStream};
pub use scaffold::Scaffold;

/// How to generate one module.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The module's name.
    pub module_name: String,
    /// The definition's path as the user wrote it, for messages and docs.
    pub source_name: String,
    /// The absolute path to track with `include_bytes!` so that editing the
    /// JSON rebuilds; `None` leaves tracking out (golden files, `asl generate`).
    pub track_path: Option<String>,
    /// Where compile errors point (the macro's path literal).
    pub error_span: Span,
    /// Values for the definition's `${Name}` placeholders (see
    /// [`asl_spec::substitute`]); with them, every placeholder must have one.
    pub substitutions: Option<Vec<(String, String)>>,
}

impl Settings {
    /// Settings for `source_name`, module named after the file.
    pub fn for_file(source_name: &str) -> Settings {
        let stem = std::path::Path::new(source_name).file_stem().and_then(|s| s.to_str()).unwrap_or("workflow");
        Settings {
            module_name: names::snake(stem),
            source_name: source_name.to_string(),
            track_path: None,
            error_span: Span::call_site(),
            substitutions: None,
        }
    }
}

/// Expands a definition's text into the module, or, when it is invalid,
/// into one `compile_error!` per diagnostic plus placeholder items.
pub fn expand(text: &str, settings: &Settings) -> TokenStream {
    // Placeholders are filled before loading; diagnostics point into the file as written.
    let filled = settings.substitutions.as_ref().map(|vars| asl_spec::substitute::substitute(text, vars));
    let (written, text) = (text, filled.as_ref().map_or(text, |f| f.text.as_str()));
    let mut loaded = asl_spec::load(text);
    if let Some(filled) = &filled {
        filled.map_back(&mut loaded.diagnostics);
        filled.unresolved_errors(&mut loaded.diagnostics);
        loaded.diagnostics.sort();
    }
    let source = asl_spec::SourceFile { name: &settings.source_name, text: written };
    let messages = |severity| -> Vec<String> {
        loaded.diagnostics.iter().filter(|d| d.severity == severity).map(|d| compile_error_text(&source, d)).collect()
    };
    let errors = emit::errors(&messages(asl_spec::Severity::Error), settings.error_span);
    let warnings = emit::warnings(&messages(asl_spec::Severity::Warning), settings.error_span);
    match &loaded.definition {
        // Even with errors, the partial model gives the real enum and trait,
        // so the user's code type-checks and only our messages show.
        Some(def) => {
            let module = lower(def, &settings.module_name);
            let model = match model::expression(def, &quote::quote! { spec }, &quote::quote! { json }) {
                Ok(model) => model,
                Err(e) => {
                    let message = format!("asl-codegen cannot write this definition's model: {e}");
                    quote::quote_spanned! { settings.error_span => ::core::compile_error!(#message) }
                }
            };
            let items = emit::module(
                &module,
                &model,
                &asl_spec::render::svg(def),
                &asl_spec::render::mermaid(def),
                text,
                settings,
            );
            quote::quote! { #errors #warnings #items }
        }
        None => emit::fallback(&settings.module_name, errors),
    }
}

/// A diagnostic as a compile error or warning: rustc already prints
/// `error:`/`warning:`, so the first line is the message with the code and
/// AWS's location, then the snippet.
fn compile_error_text(source: &asl_spec::SourceFile<'_>, d: &asl_spec::Diagnostic) -> String {
    let rendered = source.render(d, false);
    let snippet = rendered.split_once('\n').map_or("", |(_, rest)| rest);
    let location = if d.location.is_empty() { String::new() } else { format!(" at {}", d.location) };
    format!("{} [{}{location}]\n{snippet}", d.message, d.code)
}

/// Expands and formats as Rust source (for `asl generate` and golden files).
pub fn expand_to_string(text: &str, settings: &Settings) -> String {
    let tokens = expand(text, settings);
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

/// Errors with no definition text to point into (unreadable file, bad macro input).
pub fn error(message: &str, span: Span, module_name: &str) -> TokenStream {
    emit::fallback(module_name, emit::errors(&[message.to_string()], span))
}
