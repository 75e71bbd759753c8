//! `include_workflow!`: an Amazon States Language definition as a typed Rust
//! module, validated at compile time. Use it through `asl_runtime`, which
//! re-exports it; the generated code depends on `asl_runtime` only.

#![deny(missing_docs)]

use proc_macro::TokenStream;
use std::path::PathBuf;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Reads an ASL definition at compile time, validates it with AWS's rules,
/// and expands to a module named after the file (or the name after `as`).
///
/// ```text
/// asl_runtime::include_workflow!("statemachines/order.json");          // → pub mod order
/// asl_runtime::include_workflow!("statemachines/order.json" as orders); // → pub mod orders
/// ```
///
/// The path is relative to the crate's `Cargo.toml` (`CARGO_MANIFEST_DIR`);
/// a path starting with `./` or `../` is relative to the file containing the
/// call, as with `include_str!`. Editing the JSON file rebuilds the crate.
///
/// # The generated module
///
/// * `DEFINITION` (the JSON text), `SOURCE` (the path) and `definition()`
///   (the validated model, parsed once per process).
/// * `enum State`: one variant per top-level state, in PascalCase, with
///   `State::START`, `State::ALL`, `name()`, `from_name()`, `type_name()`,
///   `successors()`, `next()`, `is_terminal()` and `State::path(&execution)`.
/// * `trait Tasks`: one method per distinct Task `Resource`, named after the
///   function, activity or API it invokes (`…:function:ChargeCard` →
///   `charge_card`), and for `lambda:invoke` one per `FunctionName` written
///   out (`refund`), with associated `…Input`/`…Output` types that are your
///   own serde types (or `serde_json::Value`). A Lambda method is the
///   function: it gets the event and returns the payload, and the state sees
///   what AWS shows. Each method's docs name the states that use it. Leaving
///   a method out is a compile error. Where the states fix their input's
///   keys, a `…Input` serde struct is generated to use as the input type.
/// * `struct Machine<T: Tasks>`: `Machine::new(tasks)`, `.configure(|e| …)`
///   to set the clock, identity or history, `.run(input).await`, which
///   returns an [`Execution`](../asl_runtime/struct.Execution.html), and
///   `.test_state(State::X, input).await`, one state alone as AWS's
///   TestState runs it.
///
/// # Names
///
/// A state's variant is its name in PascalCase: words split at spaces,
/// punctuation, `_`, `-` and case changes (`charge-card`, `Charge Card` and
/// `CHARGE_CARD` all give `ChargeCard`; `HTTPRequest` gives `HttpRequest`).
/// Letters and digits of any script stay (`Überprüfen`, `注文を確認`);
/// symbols such as emoji separate words. A name that would start with a
/// digit, or is empty, gets an `S` in front (`1st` → `S1st`); `Self` becomes
/// `Self_`. When two states give the same variant, the later ones are
/// numbered in document order (`ChargeCard2`). Task methods follow the same
/// rules in snake_case, with a `_` after a keyword (`type_`).
/// `State::from_name` and `name()` always use the name as written.
///
/// # Placeholders
///
/// Definitions deployed with SAM or CloudFormation `DefinitionSubstitutions`
/// or Terraform's `templatefile` carry `${Name}` placeholders. Give the
/// values they are deployed with, listed or as a JSON file of them (the file
/// is resolved as the definition's path is, and tracked):
///
/// ```text
/// asl_runtime::include_workflow!("statemachines/order.asl.json", vars = {
///     ChargeFunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:charge",
///     ChargeTimeout = 30,
/// });
/// asl_runtime::include_workflow!("statemachines/order.asl.json", vars = "deploy/prod.json");
/// ```
///
/// Inside a JSON string a value is inserted escaped; a bare placeholder
/// (`"TimeoutSeconds": ${ChargeTimeout}`) takes the value as written. With
/// `vars`, a placeholder without a value is a compile error, and errors point
/// at the file's lines as written. `DEFINITION` holds the filled-in text.
///
/// A build script can write the same code to `OUT_DIR` with
/// `asl_codegen::Builder`; `asl generate` prints it.
///
/// # Errors
///
/// An invalid definition fails the build with every problem at once, each as
/// `--> statemachines/order.json:LINE:COL` with the source line, a caret and
/// a hint. A missing file or malformed JSON is reported the same way.
///
/// # Warnings
///
/// Likely mistakes that AWS accepts (a catcher an earlier one shadows, an
/// `OutputPath` that drops the result `ResultPath` stored, a template value
/// like `"$.id"` under a key without `.$`) do not fail the build. They show
/// as `deprecated` warnings at the path literal, with the same snippet and
/// hint. To make them errors, deny the lint where the macro is called:
///
/// ```text
/// #[deny(deprecated)]
/// mod workflows { asl_runtime::include_workflow!("statemachines/order.json"); }
/// ```
#[proc_macro]
pub fn include_workflow(input: TokenStream) -> TokenStream {
    let call = syn::parse_macro_input!(input as Call);
    let written = call.path.value();
    let span = call.path.span();
    let module_name = call
        .name
        .as_ref()
        .map(Ident::to_string)
        .unwrap_or_else(|| asl_codegen::Settings::for_file(&written).module_name);
    let absolute = resolve(&written);
    let text = match std::fs::read_to_string(&absolute) {
        Ok(text) => text,
        Err(e) => {
            let message =
                format!("cannot read the workflow definition `{written}`: {e}\n  (looked for {})", absolute.display());
            return asl_codegen::error(&message, span, &module_name).into();
        }
    };
    let settings = asl_codegen::Settings {
        module_name,
        source_name: written,
        track_path: Some(absolute.display().to_string()),
        error_span: span,
        substitutions: None,
    };
    let (substitutions, vars_file) = match call.vars.map(Vars::values).transpose() {
        Ok(Some((values, file))) => (Some(values), file),
        Ok(None) => (None, None),
        Err(error) => return error.into_compile_error().into(),
    };
    let module = asl_codegen::expand(&text, &asl_codegen::Settings { substitutions, ..settings });
    // Editing the vars file rebuilds, as editing the definition does.
    let track = vars_file.map(|file| {
        let file = file.display().to_string();
        quote::quote! { const _: &[u8] = ::core::include_bytes!(#file); }
    });
    quote::quote! { #module #track }.into()
}

/// `./x.json` and `../x.json` are relative to the file that calls the macro
/// (as with `include_str!`); anything else is relative to `CARGO_MANIFEST_DIR`.
fn resolve(written: &str) -> PathBuf {
    let relative_to_file = written.starts_with("./") || written.starts_with("../");
    let caller_dir = relative_to_file
        .then(|| proc_macro::Span::call_site().local_file())
        .flatten()
        .and_then(|f| f.parent().map(PathBuf::from));
    let base = match caller_dir {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => std::env::current_dir().map(|cwd| cwd.join(&dir)).unwrap_or(dir),
        None => std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default(),
    };
    base.join(written)
}

/// `"path"` or `"path" as name`, then optionally `, vars = { … }` or `, vars = "file.json"`.
struct Call {
    path: LitStr,
    name: Option<Ident>,
    vars: Option<Vars>,
}

/// Placeholder names and their values.
type Values = Vec<(String, String)>;

/// The values of `${Name}` placeholders: written out, or a JSON file of them.
enum Vars {
    /// `{ Name = "value", Max = 5, … }`.
    Listed(Vec<(String, String)>),
    /// `"deploy/vars.json"`: `{"Name": "value", …}`, resolved as the definition's path is.
    File(LitStr),
}

impl Vars {
    /// The values, and the file they came from (to rebuild when it changes).
    fn values(self) -> syn::Result<(Values, Option<PathBuf>)> {
        match self {
            Vars::Listed(values) => Ok((values, None)),
            Vars::File(path) => {
                let absolute = resolve(&path.value());
                let fail = |why: String| {
                    syn::Error::new(path.span(), format!("cannot read the vars file `{}`: {why}", path.value()))
                };
                let text = std::fs::read_to_string(&absolute)
                    .map_err(|e| fail(format!("{e} (looked for {})", absolute.display())))?;
                let values = asl_spec::substitute::values_from_json(&text).map_err(fail)?;
                Ok((values, Some(absolute)))
            }
        }
    }
}

impl Parse for Vars {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Vars::File(input.parse()?));
        }
        let content;
        syn::braced!(content in input);
        let mut values = Vec::new();
        while !content.is_empty() {
            let name: Ident = content.call(Ident::parse_any)?;
            content.parse::<Token![=]>()?;
            let value = match content.parse::<syn::Lit>()? {
                syn::Lit::Str(s) => s.value(),
                syn::Lit::Int(i) => i.base10_digits().to_string(),
                syn::Lit::Float(f) => f.base10_digits().to_string(),
                syn::Lit::Bool(b) => b.value.to_string(),
                other => return Err(syn::Error::new(other.span(), "a value is a string, number or boolean literal")),
            };
            values.push((name.to_string(), value));
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(Vars::Listed(values))
    }
}

impl Parse for Call {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let name = if input.peek(Token![as]) {
            input.parse::<Token![as]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        let mut vars = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && input.peek(Ident::peek_any) {
            let key: Ident = input.call(Ident::parse_any)?;
            if key != "vars" {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `vars = { Name = \"value\", … }` or `vars = \"vars.json\"`",
                ));
            }
            input.parse::<Token![=]>()?;
            vars = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error("expected `include_workflow!(\"statemachines/x.json\")` or `include_workflow!(\"statemachines/x.json\" as name)`"));
        }
        Ok(Call { path, name, vars })
    }
}
