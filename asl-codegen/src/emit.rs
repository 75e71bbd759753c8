//! Emission: the lowered [`Module`] becomes tokens. Generated code reaches
//! the runtime only through `::asl_runtime::__private` and its public API.

use crate::Settings;
use crate::lower::Module;
use crate::names;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The whole module for a valid definition.
pub fn module(
    m: &Module, model: &TokenStream, svg: &str, mermaid: &str, text: &str, settings: &Settings,
) -> TokenStream {
    let name = ident(&m.name);
    let doc = module_doc(m, svg, mermaid, settings);
    let body = body(m, model, text, settings);
    quote! {
        #[doc = #doc]
        #[allow(clippy::all, dead_code)]
        pub mod #name {
            #body
        }
    }
}

/// The module's docs: the diagram (an inline SVG: rustdoc shows it offline,
/// with no script), a table of the states, and the Mermaid source. Every
/// name from the definition goes through [`names::doc_safe`].
fn module_doc(m: &Module, svg: &str, mermaid: &str, settings: &Settings) -> String {
    let source = names::doc_safe(&settings.source_name);
    let mut doc = format!(" The state machine in `{source}`.\n\n");
    doc.push_str(&format!(" <div class=\"asl-diagram\">{}</div>\n\n", names::doc_safe(svg)));
    doc.push_str(" | State | Type | In | Next |\n |---|---|---|---|\n");
    for s in &m.states {
        let next: Vec<String> =
            s.successors.iter().map(|i| format!("`{}`", names::doc_safe(&m.states[*i].name))).collect();
        let parent = s.parent.map(|i| format!("`{}`", names::doc_safe(&m.states[i].name))).unwrap_or_default();
        doc.push_str(&format!(
            " | `{}` | {} | {parent} | {} |\n",
            names::doc_safe(&s.name),
            s.type_name,
            if s.terminal && next.is_empty() { "end".to_string() } else { next.join(", ") }
        ));
    }
    doc.push_str("\n <details><summary>Mermaid source (for GitHub, GitLab or mermaid.live)</summary>\n\n ```mermaid\n");
    for line in mermaid.lines() {
        doc.push_str(&format!(" {}\n", names::doc_safe(line)));
    }
    doc.push_str(" ```\n\n </details>\n");
    doc
}

fn body(m: &Module, model: &TokenStream, text: &str, settings: &Settings) -> TokenStream {
    let source = &settings.source_name;
    let track = settings.track_path.as_ref().map(|p| quote! { const _: &[u8] = include_bytes!(#p); });
    let text_lit = Literal::string(text);
    let state_enum = state_enum(m);
    let tasks = tasks_trait(m);
    let inputs = input_structs(m);
    let machine = machine(m);
    quote! {
        #track
        /// The definition's JSON text, exactly as compiled.
        pub const DEFINITION: &str = #text_lit;
        /// The path the definition was loaded from, as written in the macro call.
        pub const SOURCE: &str = #source;

        /// The validated definition, built once per process from the model
        /// the macro wrote as Rust data: nothing is parsed.
        pub fn definition() -> ::asl_runtime::__private::Arc<::asl_runtime::Definition> {
            static DEFINITION_MODEL: ::asl_runtime::__private::LazyLock<::asl_runtime::__private::Arc<::asl_runtime::Definition>> =
                ::asl_runtime::__private::LazyLock::new(|| ::asl_runtime::__private::Arc::new(model()));
            DEFINITION_MODEL.clone()
        }

        /// The validated definition, built afresh from the Rust data the
        /// macro wrote ([`definition`] builds it once and shares it).
        #[allow(clippy::all, unused_imports)]
        pub fn model() -> ::asl_runtime::Definition {
            use ::asl_runtime::__private::asl_spec as spec;
            use ::asl_runtime::__private::serde_json as json;
            #model
        }

        #state_enum
        #tasks
        #inputs
        #machine
    }
}

/// The generated input structs (see [`crate::inputs`]): a ready
/// `…Input` type for each method whose states fix their input's keys.
fn input_structs(m: &Module) -> TokenStream {
    let structs = m.tasks.iter().filter_map(|t| {
        let fields = t.input.as_ref()?;
        let name = format_ident!("{}Input", t.type_prefix);
        let users = t.states.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        let doc = match t.service {
            // A service action's method takes it as it is.
            Some(_) => format!(" What `{}` receives from {users}, whose templates fix these keys.", t.method),
            None => format!(
                " What `{}` receives from {users}, whose templates fix these keys. Use it as `type {name} = {}::{name};` in your `Tasks`, or name a type of your own.",
                t.method, m.name
            ),
        };
        let doc = names::doc_safe(&doc);
        let members = fields.iter().map(|f| {
            let field = ident(&f.name);
            let key = &f.key;
            let ty = match f.kind {
                crate::inputs::FieldKind::String => quote! { ::std::string::String },
                crate::inputs::FieldKind::Integer => quote! { i64 },
                crate::inputs::FieldKind::Float => quote! { f64 },
                crate::inputs::FieldKind::Bool => quote! { bool },
                crate::inputs::FieldKind::Value => quote! { ::asl_runtime::__private::serde_json::Value },
            };
            let field_doc = names::doc_safe(&format!(" `{key}`."));
            quote! {
                #[doc = #field_doc]
                #[serde(rename = #key)]
                pub #field: #ty,
            }
        });
        Some(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, ::asl_runtime::__private::serde::Deserialize, ::asl_runtime::__private::serde::Serialize)]
            #[serde(crate = "::asl_runtime::__private::serde")]
            pub struct #name {
                #(#members)*
            }
        })
    });
    quote! { #(#structs)* }
}

fn state_enum(m: &Module) -> TokenStream {
    let variants: Vec<Ident> = m.states.iter().map(|s| ident(&s.variant)).collect();
    let variant_names: Vec<&str> = m.states.iter().map(|s| s.variant.as_str()).collect();
    let docs: Vec<String> =
        m.states.iter().map(|s| names::doc_safe(&format!(" `{}` ({} state).", s.name, s.type_name))).collect();
    let names: Vec<&str> = m.states.iter().map(|s| s.name.as_str()).collect();
    let successors: Vec<TokenStream> = m
        .states
        .iter()
        .map(|s| {
            let targets = s.successors.iter().map(|i| ident(&m.states[*i].variant));
            quote! { &[#(State::#targets),*] }
        })
        .collect();
    // `Some(State::X)` or `None`, for each state's `Next` or parent.
    let optional = |of: fn(&crate::lower::StateItem) -> Option<usize>| -> Vec<TokenStream> {
        let variant = |i: usize| ident(&m.states[i].variant);
        m.states
            .iter()
            .map(|s| {
                of(s).map_or(quote! { None }, |i| {
                    let v = variant(i);
                    quote! { Some(State::#v) }
                })
            })
            .collect()
    };
    let nexts = optional(|s| s.next);
    let terminal: Vec<bool> = m.states.iter().map(|s| s.terminal).collect();
    let types: Vec<&str> = m.states.iter().map(|s| s.type_name).collect();
    let parents = optional(|s| s.parent);
    let start = m.states.get(m.start).map(|s| ident(&s.variant));
    let start = match start {
        Some(v) => quote! { pub const START: State = State::#v; },
        None => quote! {},
    };
    quote! {
        /// One variant per state, those in Parallel branches and Map item
        /// processors included (AWS makes state names unique machine-wide);
        /// [`State::parent`] tells where each runs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum State {
            #( #[doc = #docs] #variants, )*
        }

        impl State {
            /// The state named by `StartAt`.
            #start
            /// Every state, in definition order: a state, then the states
            /// inside it.
            pub const ALL: &'static [State] = &[#(State::#variants),*];

            /// The variants' names, in [`State::ALL`]'s order (the runtime's
            /// tracing spans carry them).
            #[doc(hidden)]
            pub const VARIANT_NAMES: &'static [&'static str] = &[#(#variant_names),*];

            /// The state's name in the definition.
            pub const fn name(self) -> &'static str {
                match self { #(State::#variants => #names,)* }
            }

            /// The state with this name, if any.
            pub fn from_name(name: &str) -> ::core::option::Option<State> {
                match name { #(#names => Some(State::#variants),)* _ => None }
            }

            /// The state's `Type` (`"Task"`, `"Choice"`, …).
            pub const fn type_name(self) -> &'static str {
                match self { #(State::#variants => #types,)* }
            }

            /// Every state this one can transition to (in its own scope):
            /// `Next`, Choice targets and `Default`, then Catch targets.
            pub const fn successors(self) -> &'static [State] {
                match self { #(State::#variants => #successors,)* }
            }

            /// The transition on success: the `Next` state, or `None` for
            /// `End`, Choice, Succeed and Fail states.
            pub const fn next(self) -> ::core::option::Option<State> {
                match self { #(State::#variants => #nexts,)* }
            }

            /// Whether its scope (the execution, a Parallel branch or a Map
            /// iteration) can end in this state.
            pub const fn is_terminal(self) -> bool {
                match self { #(State::#variants => #terminal,)* }
            }

            /// The Parallel or Map state this one runs in, or `None` at the
            /// top level.
            pub const fn parent(self) -> ::core::option::Option<State> {
                match self { #(State::#variants => #parents,)* }
            }

            /// The states an execution entered, in the order of its history
            /// (those in branches and iterations included).
            pub fn path(execution: &::asl_runtime::Execution) -> ::std::vec::Vec<State> {
                execution.states_entered().into_iter().filter_map(State::from_name).collect()
            }

            /// The state each of the execution's history events belongs to
            /// (by index: the event whose `id` is `i + 1`); `None` for the
            /// execution's own events (`ExecutionStarted`, …).
            pub fn of_events(execution: &::asl_runtime::Execution) -> ::std::vec::Vec<::core::option::Option<State>> {
                execution
                    .events
                    .state_ids(&definition())
                    .into_iter()
                    .map(|id| id.and_then(|id| State::ALL.get(id as usize).copied()))
                    .collect()
            }
        }

        impl ::core::fmt::Display for State {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }
    }
}

/// The input type of a service action's method: its generated struct, or
/// JSON.
fn service_input(t: &crate::lower::TaskItem) -> TokenStream {
    match t.input {
        Some(_) => {
            let name = format_ident!("{}Input", t.type_prefix);
            quote! { #name }
        }
        None => quote! { ::asl_runtime::__private::serde_json::Value },
    }
}

/// A service's method (required), and one provided method per action
/// that hands its call to it.
fn service_items(m: &Module) -> TokenStream {
    let items = m.services.iter().map(|s| {
        let method = ident(&s.method);
        let action_type = ident(&s.action_type);
        let calls = s
            .actions
            .iter()
            .map(|a| format!("`{}` (by {})", a.action, m.tasks[a.task].states.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        let doc = names::doc_safe(&format!(
            " Every `arn:aws:states:::{}:…` call the machine makes: {calls}. One implementation serves them all (`action` says which), unless an action's own method is implemented. `input` is the state's effective input, the API's request; the answer is the task result.",
            s.service
        ));
        let actions = s.actions.iter().map(|a| {
            let t = &m.tasks[a.task];
            let action_method = ident(&t.method);
            let variant = ident(&a.variant);
            let input = service_input(t);
            let users = t.states.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let doc = names::doc_safe(&format!(
                " Runs `{}`, invoked by {users}. By default it goes to [`Tasks::{}`]; implement it to serve this action alone.",
                t.resource, s.method
            ));
            quote! {
                #[doc = #doc]
                fn #action_method(
                    &self,
                    input: #input,
                    ctx: ::asl_runtime::TaskContext,
                ) -> impl ::core::future::Future<Output = ::core::result::Result<::asl_runtime::__private::serde_json::Value, ::asl_runtime::TaskError>> + Send {
                    async move {
                        let input = ::asl_runtime::__private::to_output(input)?;
                        <Self as Tasks>::#method(self, #action_type::#variant, input, ctx).await
                    }
                }
            }
        });
        quote! {
            #[doc = #doc]
            fn #method(
                &self,
                action: #action_type,
                input: ::asl_runtime::__private::serde_json::Value,
                ctx: ::asl_runtime::TaskContext,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<::asl_runtime::__private::serde_json::Value, ::asl_runtime::TaskError>> + Send;
            #(#actions)*
        }
    });
    quote! { #(#items)* }
}

/// The enums naming each service's actions.
fn action_enums(m: &Module) -> TokenStream {
    let enums = m.services.iter().map(|s| {
        let name = ident(&s.action_type);
        let doc =
            names::doc_safe(&format!(" The `{}` actions the machine calls (see [`Tasks::{}`]).", s.service, s.method));
        let variants: Vec<Ident> = s.actions.iter().map(|a| ident(&a.variant)).collect();
        let docs: Vec<String> =
            s.actions.iter().map(|a| names::doc_safe(&format!(" `{}`.", m.tasks[a.task].resource))).collect();
        let actions: Vec<&str> = s.actions.iter().map(|a| a.action.as_str()).collect();
        let resources: Vec<&str> = s.actions.iter().map(|a| m.tasks[a.task].resource.as_str()).collect();
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #name {
                #( #[doc = #docs] #variants, )*
            }

            impl #name {
                /// The action as the resource names it (`putItem`, `runTask.sync`).
                pub const fn action(self) -> &'static str {
                    match self { #(#name::#variants => #actions,)* }
                }

                /// The Task resource.
                pub const fn resource(self) -> &'static str {
                    match self { #(#name::#variants => #resources,)* }
                }
            }
        }
    });
    quote! { #(#enums)* }
}

fn tasks_trait(m: &Module) -> TokenStream {
    let services = service_items(m);
    let action_enums = action_enums(m);
    let items = m.tasks.iter().filter(|t| t.service.is_none()).map(|t| {
        let method = ident(&t.method);
        let input = format_ident!("{}Input", t.type_prefix);
        let output = format_ident!("{}Output", t.type_prefix);
        let users = t.states.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        let doc = match &t.function {
            Some(function) => format!(" Runs the Lambda function `{function}` (`{}`), invoked by {users}.", t.resource),
            None => format!(" Runs `{}`, invoked by {users}.", t.resource),
        };
        let doc = names::doc_safe(&doc);
        let (input_doc, output_doc) = match asl_spec::model::lambda_resource(&t.resource) {
            Some(asl_spec::model::LambdaResource::Invoke) => (
                format!(" What `{}` receives: the event the function gets, the `Payload` of the state's effective input. Use `serde_json::Value` to take it untyped.", t.method),
                format!(" What `{}` returns: the function's payload; the task result is Lambda's Invoke response around it (read it at `$.Payload`), and an error becomes the function's error document, as on AWS.", t.method),
            ),
            Some(asl_spec::model::LambdaResource::Direct { .. }) => (
                format!(" What `{}` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.", t.method),
                format!(" What `{}` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.", t.method),
            ),
            None => (
                format!(" What `{}` receives: the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.", t.method),
                format!(" What `{}` returns: the task result (before `ResultSelector` and `ResultPath`).", t.method),
            ),
        };
        quote! {
            #[doc = #input_doc]
            type #input: ::asl_runtime::__private::serde::de::DeserializeOwned + Send + 'static;
            #[doc = #output_doc]
            type #output: ::asl_runtime::__private::serde::Serialize + Send + 'static;
            #[doc = #doc]
            fn #method(
                &self,
                input: Self::#input,
                ctx: ::asl_runtime::TaskContext,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<Self::#output, ::asl_runtime::TaskError>> + Send;
        }
    });
    // A function's own method before its resource's general one.
    let mut ordered: Vec<_> = m.tasks.iter().collect();
    ordered.sort_by_key(|t| t.function.is_none());
    let arms = ordered.into_iter().map(|t| {
        let method = ident(&t.method);
        let resource = &t.resource;
        let input = match t.service {
            Some(_) => service_input(t),
            None => {
                let input = format_ident!("{}Input", t.type_prefix);
                quote! { T::#input }
            }
        };
        let pattern = match &t.function {
            Some(function) => quote! { (#resource, ::core::option::Option::Some(#function)) },
            None => quote! { (#resource, _) },
        };
        quote! {
            #pattern => ::asl_runtime::__private::as_lambda(request, move |request| ::std::boxed::Box::pin(async move {
                let input: #input = ::asl_runtime::__private::from_input(request.input)?;
                // Named through the trait: a Task method called `clone` or
                // `as_ref` must not find `Arc`'s own method first.
                let output = <T as Tasks>::#method(&tasks, input, request.context).await?;
                ::asl_runtime::__private::to_output(output)
            })),
        }
    });
    let trait_doc = if m.tasks.is_empty() {
        " The machine invokes no Task resources, so there is nothing to implement.".to_string()
    } else {
        " The code behind every Task resource the machine invokes. A Lambda function or an activity has a method with an input and an output type: your own serde types, or `serde_json::Value`. An AWS service's actions go to one method for the service (`dynamodb`, `sns`, …), or each to its own if you implement it.".to_string()
    };
    quote! {
        #[doc = #trait_doc]
        pub trait Tasks: Send + Sync + 'static {
            #(#items)*
            #services
        }

        #action_enums

        /// Routes Task invocations to the typed methods of `T`.
        struct Dispatch<T>(::asl_runtime::__private::Arc<T>);

        impl<T: Tasks> ::asl_runtime::TaskHandler for Dispatch<T> {
            fn invoke(
                &self,
                request: ::asl_runtime::TaskRequest,
            ) -> ::asl_runtime::BoxFuture<'static, ::core::result::Result<::asl_runtime::__private::serde_json::Value, ::asl_runtime::TaskError>> {
                #[allow(unused_variables)]
                let tasks = self.0.clone();
                // `lambda:invoke` states go to their function's method.
                let function = ::asl_runtime::__private::lambda_function(request.resource(), &request.input);
                match (request.resource(), function.as_deref()) {
                    #(#arms)*
                    (other, _) => {
                        let error = ::asl_runtime::no_handler(other);
                        ::std::boxed::Box::pin(async move { Err(error) })
                    }
                }
            }
        }
    }
}

fn machine(_m: &Module) -> TokenStream {
    quote! {
        /// The state machine, ready to run with your [`Tasks`] (or any
        /// [`TaskHandler`](::asl_runtime::TaskHandler), such as mocks).
        pub struct Machine<T> {
            tasks: ::asl_runtime::__private::Arc<T>,
            executor: ::asl_runtime::Executor,
        }

        impl<T: Tasks> Machine<T> {
            /// A machine whose Task states call `tasks`.
            pub fn new(tasks: T) -> Self {
                let tasks = ::asl_runtime::__private::Arc::new(tasks);
                let executor = ::asl_runtime::Executor::new(definition()).handler(Dispatch(tasks.clone()));
                let executor = ::asl_runtime::__private::with_variants(executor, State::VARIANT_NAMES);
                Machine { tasks, executor }
            }

            /// The task implementation.
            pub fn tasks(&self) -> &T {
                &self.tasks
            }

            /// Durable executions of this machine on `store`, their Task
            /// states calling `tasks`: they survive the death of the process
            /// (see [`Durable`](::asl_runtime::Durable)). Start one with
            /// `durable.start(DEFINITION, identity, input, None)`.
            pub fn durable(tasks: T, store: impl ::asl_runtime::ExecutionStore) -> ::asl_runtime::Durable {
                ::asl_runtime::Durable::new(store).handler(Dispatch(::asl_runtime::__private::Arc::new(tasks)))
            }
        }

        impl Machine<()> {
            /// A machine whose Task states go to an untyped handler, such as
            /// [`Mocks`](::asl_runtime::Mocks) or [`Handlers`](::asl_runtime::Handlers).
            pub fn with_handler(handler: impl ::asl_runtime::TaskHandler) -> Self {
                let executor = ::asl_runtime::Executor::new(definition()).handler(handler);
                let executor = ::asl_runtime::__private::with_variants(executor, State::VARIANT_NAMES);
                Machine { tasks: ::asl_runtime::__private::Arc::new(()), executor }
            }

            /// Durable executions of this machine on `store`, their Task
            /// states going to an untyped handler. Start one with
            /// `durable.start(DEFINITION, identity, input, None)`.
            pub fn durable_with_handler(
                handler: impl ::asl_runtime::TaskHandler,
                store: impl ::asl_runtime::ExecutionStore,
            ) -> ::asl_runtime::Durable {
                ::asl_runtime::Durable::new(store).handler(handler)
            }
        }

        impl<T> Machine<T> {
            /// Adjusts the executor: clock, identity, history, limits.
            pub fn configure(mut self, f: impl FnOnce(::asl_runtime::Executor) -> ::asl_runtime::Executor) -> Self {
                self.executor = f(self.executor);
                self
            }

            /// The executor this machine runs on.
            pub fn executor(&self) -> &::asl_runtime::Executor {
                &self.executor
            }

            /// Runs one execution with `input` to its end.
            pub fn run(
                &self,
                input: impl ::asl_runtime::__private::serde::Serialize,
            ) -> impl ::core::future::Future<Output = ::asl_runtime::Execution> + Send + '_ {
                // The input is converted now, so the future holds the JSON
                // value and the execution, not the caller's input too.
                let input = ::asl_runtime::__private::serde_json::to_value(input);
                let executor = &self.executor;
                async move {
                    match input {
                        Ok(input) => executor.run(input).await,
                        Err(e) => ::asl_runtime::__private::input_error(e),
                    }
                }
            }

            /// Runs `state` alone with `input`, as AWS's TestState does: its
            /// output and next state, or its error and whether a retrier or
            /// catcher takes it. Its Task is answered by the machine's tasks;
            /// for a mock, variables, a retry count or the data as it went,
            /// use [`Machine::transition_with`].
            pub async fn test_state(
                &self,
                state: State,
                input: impl ::asl_runtime::__private::serde::Serialize,
            ) -> ::core::result::Result<::asl_runtime::TestOutcome, ::asl_runtime::TestStateError> {
                let input = ::asl_runtime::__private::serde_json::to_value(input)
                    .map_err(|e| ::asl_runtime::TestStateError::InvalidInput(e.to_string()))?;
                self.transition_with(state, ::asl_runtime::TestState { input, ..::core::default::Default::default() })
                    .await
                    .map(|(_, outcome)| outcome)
            }

            /// Runs `state` alone with `input` through the engine's own code
            /// for it, and says where it leads: the next state and the output,
            /// the end, or the error and the catcher that takes it. A
            /// Parallel or Map runs its branches or iterations; a Wait does
            /// not wait.
            pub async fn transition(
                &self,
                state: State,
                input: impl ::asl_runtime::__private::serde::Serialize,
            ) -> ::core::result::Result<::asl_runtime::Transition<State>, ::asl_runtime::TestStateError> {
                let input = ::asl_runtime::__private::serde_json::to_value(input)
                    .map_err(|e| ::asl_runtime::TestStateError::InvalidInput(e.to_string()))?;
                let test = ::asl_runtime::TestState { input, run_branches: true, ..::core::default::Default::default() };
                self.transition_with(state, test).await.map(|(transition, _)| transition)
            }

            /// [`Machine::transition`] with everything AWS's TestState takes
            /// in `test` (its `state` is set to `state`): the Task's answer
            /// (`mock`), the variables, the retries made so far, and whether
            /// to keep the data as it went (`inspect`). Gives the full
            /// outcome too: the variables after the state and the inspection.
            pub async fn transition_with(
                &self,
                state: State,
                mut test: ::asl_runtime::TestState,
            ) -> ::core::result::Result<
                (::asl_runtime::Transition<State>, ::asl_runtime::TestOutcome),
                ::asl_runtime::TestStateError,
            > {
                test.state = state.name().into();
                let outcome = self.executor.test_state(test).await?;
                match outcome.transition(State::from_name) {
                    Some(transition) => Ok((transition, outcome)),
                    None => Err(::asl_runtime::TestStateError::NoSuchState(outcome.next_state.unwrap_or_default())),
                }
            }
        }
    }
}

/// Items emitted when the definition is invalid, so that the user's code
/// referring to the module reports our diagnostics, not forty follow-on errors.
pub fn fallback(module_name: &str, errors: TokenStream) -> TokenStream {
    let name = ident(module_name);
    quote! {
        #errors
        #[allow(dead_code, unused)]
        pub mod #name {
            pub const DEFINITION: &str = "";
            pub const SOURCE: &str = "";
            pub fn definition() -> ::asl_runtime::__private::Arc<::asl_runtime::Definition> { unreachable!() }
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum State {}
            impl State {
                pub const ALL: &'static [State] = &[];
                pub const fn name(self) -> &'static str { match self {} }
                pub fn from_name(_name: &str) -> ::core::option::Option<State> { None }
                pub const fn successors(self) -> &'static [State] { match self {} }
                pub const fn next(self) -> ::core::option::Option<State> { match self {} }
                pub const fn parent(self) -> ::core::option::Option<State> { match self {} }
                pub fn path(_execution: &::asl_runtime::Execution) -> ::std::vec::Vec<State> { ::std::vec::Vec::new() }
            }
            pub trait Tasks: Send + Sync + 'static {}
            impl<T: Send + Sync + 'static> Tasks for T {}
            pub struct Machine<T>(::core::marker::PhantomData<T>);
            impl<T> Machine<T> {
                pub fn new(_tasks: T) -> Self { unreachable!() }
                pub fn with_handler(_handler: impl ::asl_runtime::TaskHandler) -> Self { unreachable!() }
                pub fn configure(self, _f: impl FnOnce(::asl_runtime::Executor) -> ::asl_runtime::Executor) -> Self { unreachable!() }
                pub async fn run(&self, _input: impl ::asl_runtime::__private::serde::Serialize) -> ::asl_runtime::Execution { unreachable!() }
                pub fn durable(_tasks: T, _store: impl ::asl_runtime::ExecutionStore) -> ::asl_runtime::Durable { unreachable!() }
                pub fn durable_with_handler(_handler: impl ::asl_runtime::TaskHandler, _store: impl ::asl_runtime::ExecutionStore) -> ::asl_runtime::Durable { unreachable!() }
            }
        }
    }
}

/// One `compile_error!` per message, at `span`.
pub fn errors(messages: &[String], span: Span) -> TokenStream {
    messages
        .iter()
        .map(|m| {
            let lit = Literal::string(m);
            quote::quote_spanned! { span => ::core::compile_error!(#lit); }
        })
        .collect()
}

/// Warnings as rustc `deprecated` warnings: stable Rust has no other way for
/// a proc macro to warn. Each is a deprecated constant used once, at the
/// macro's path literal, so the note appears there; `#[deny(deprecated)]`
/// (or `-D warnings`) turns them into errors. The anonymous `const _` keeps
/// the names out of the caller's module.
pub fn warnings(messages: &[String], span: Span) -> TokenStream {
    messages
        .iter()
        .map(|m| {
            let note = Literal::string(m);
            let used = proc_macro2::Ident::new("ASL_WARNING", span);
            quote::quote! {
                const _: () = {
                    #[deprecated(note = #note)]
                    const ASL_WARNING: () = ();
                    #used
                };
            }
        })
        .collect()
}
