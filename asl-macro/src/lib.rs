//! `include_workflow!`: an Amazon States Language definition as a typed Rust
//! module, validated at compile time. Use it through `asl_runtime`, which
//! re-exports it; the generated code depends on `asl_runtime` only.

#![deny(missing_docs)]

use proc_macro::TokenStream;
use std::path::PathBuf;
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
    };
    asl_codegen::expand(&text, &settings).into()
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

/// `"path"` or `"path" as name`.
struct Call {
    path: LitStr,
    name: Option<Ident>,
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
        input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error("expected `include_workflow!(\"statemachines/x.json\")` or `include_workflow!(\"statemachines/x.json\" as name)`"));
        }
        Ok(Call { path, name })
    }
}
