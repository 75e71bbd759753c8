/** The state machine in `statemachines/hello_world.json`.

 <div class="asl-diagram"><svg xmlns="http://www.w3.org/2000/svg" width="370" height="212" viewBox="0 0 370 212" font-family="Helvetica, Arial, sans-serif" font-size="12"><defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs><circle cx="210.0" cy="22" r="12" fill="#333"/><text x="228.0" y="26" font-size="10" fill="#333">start</text><line x1="210.0" y1="34.0" x2="210.0" y2="58.0" stroke="#555" marker-end="url(#a)"/><line x1="210.0" y1="102.0" x2="210.0" y2="158.0" stroke="#555" marker-end="url(#a)"/><circle cx="210.0" cy="172.0" r="12" fill="none" stroke="#333" stroke-width="2"/><circle cx="210.0" cy="172.0" r="7" fill="#333"/><rect x="138.4" y="60.0" width="143.2" height="42" rx="6" fill="#f4f4f4" stroke="#777"/><text x="210.0" y="78.0" text-anchor="middle" font-weight="bold">HelloWorld</text><text x="210.0" y="93.0" text-anchor="middle" font-size="10" fill="#555">Pass</text></svg></div>

 | State | Type | In | Next |
 |---|---|---|---|
 | `HelloWorld` | Pass |  | end |

 <details><summary>Mermaid source (for GitHub, GitLab or mermaid.live)</summary>

 ```mermaid
 flowchart TD
     start((start))
     s0["HelloWorld<br/><i>Pass</i>"]
     start --> s0
     s0 --> finish
     finish((end))
 ```

 </details>
*/
#[allow(clippy::all, dead_code)]
pub mod hello_world {
    /// The definition's JSON text, exactly as compiled.
    pub const DEFINITION: &str = "{\n  \"Comment\": \"The smallest useful workflow: one Pass state that returns a greeting.\",\n  \"StartAt\": \"HelloWorld\",\n  \"States\": {\n    \"HelloWorld\": {\n      \"Type\": \"Pass\",\n      \"Result\": \"Hello, World!\",\n      \"End\": true\n    }\n  }\n}\n";
    /// The path the definition was loaded from, as written in the macro call.
    pub const SOURCE: &str = "statemachines/hello_world.json";
    /// The validated definition, built once per process from the model
    /// the macro wrote as Rust data: nothing is parsed.
    pub fn definition() -> ::asl_runtime::__private::Arc<::asl_runtime::Definition> {
        static DEFINITION_MODEL: ::asl_runtime::__private::LazyLock<
            ::asl_runtime::__private::Arc<::asl_runtime::Definition>,
        > = ::asl_runtime::__private::LazyLock::new(|| ::asl_runtime::__private::Arc::new(
            model(),
        ));
        DEFINITION_MODEL.clone()
    }
    /// The validated definition, built afresh from the Rust data the
    /// macro wrote ([`definition`] builds it once and shares it).
    #[allow(clippy::all, unused_imports)]
    pub fn model() -> ::asl_runtime::Definition {
        use ::asl_runtime::__private::asl_spec as spec;
        use ::asl_runtime::__private::serde_json as json;
        fn path_0() -> spec::path::Path {
            spec::path::Path {
                text: "$".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![],
            }
        }
        #[inline(never)]
        fn state_0() -> spec::model::State {
            spec::model::State {
                name: "HelloWorld".into(),
                span: spec::diag::Span {
                    start: 133,
                    end: 145,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Pass(
                    spec::model::Pass {
                        result: ::core::option::Option::Some(
                            json::Value::String("Hello, World!".into()),
                        ),
                    }
                        .into(),
                ),
                transition: spec::model::Transition::End,
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::None,
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_0()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 0,
                reads_context: false,
            }
        }
        spec::model::Definition {
            comment: ::core::option::Option::Some(
                "The smallest useful workflow: one Pass state that returns a greeting."
                    .into(),
            ),
            version: ::core::option::Option::None,
            timeout_seconds: ::core::option::Option::None,
            query_language: spec::model::QueryLanguage::JsonPath,
            body: spec::model::Scope {
                start_at: "HelloWorld".into(),
                start_at_span: spec::diag::Span {
                    start: 101,
                    end: 113,
                },
                start_index: 0,
                states: ::std::vec![state_0()],
                unloaded: ::std::vec![],
            },
            state_count: 1,
        }
    }
    /// One variant per state, those in Parallel branches and Map item
    /// processors included (AWS makes state names unique machine-wide);
    /// [`State::parent`] tells where each runs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum State {
        /// `HelloWorld` (Pass state).
        HelloWorld,
    }
    impl State {
        /// The state named by `StartAt`.
        pub const START: State = State::HelloWorld;
        /// Every state, in definition order: a state, then the states
        /// inside it.
        pub const ALL: &'static [State] = &[State::HelloWorld];
        /// The variants' names, in [`State::ALL`]'s order (the runtime's
        /// tracing spans carry them).
        #[doc(hidden)]
        pub const VARIANT_NAMES: &'static [&'static str] = &["HelloWorld"];
        /// The state's name in the definition.
        pub const fn name(self) -> &'static str {
            match self {
                State::HelloWorld => "HelloWorld",
            }
        }
        /// The state with this name, if any.
        pub fn from_name(name: &str) -> ::core::option::Option<State> {
            match name {
                "HelloWorld" => Some(State::HelloWorld),
                _ => None,
            }
        }
        /// The state's `Type` (`"Task"`, `"Choice"`, …).
        pub const fn type_name(self) -> &'static str {
            match self {
                State::HelloWorld => "Pass",
            }
        }
        /// Every state this one can transition to (in its own scope):
        /// `Next`, Choice targets and `Default`, then Catch targets.
        pub const fn successors(self) -> &'static [State] {
            match self {
                State::HelloWorld => &[],
            }
        }
        /// The transition on success: the `Next` state, or `None` for
        /// `End`, Choice, Succeed and Fail states.
        pub const fn next(self) -> ::core::option::Option<State> {
            match self {
                State::HelloWorld => None,
            }
        }
        /// Whether its scope (the execution, a Parallel branch or a Map
        /// iteration) can end in this state.
        pub const fn is_terminal(self) -> bool {
            match self {
                State::HelloWorld => true,
            }
        }
        /// The Parallel or Map state this one runs in, or `None` at the
        /// top level.
        pub const fn parent(self) -> ::core::option::Option<State> {
            match self {
                State::HelloWorld => None,
            }
        }
        /// The states an execution entered, in the order of its history
        /// (those in branches and iterations included).
        pub fn path(execution: &::asl_runtime::Execution) -> ::std::vec::Vec<State> {
            execution.states_entered().into_iter().filter_map(State::from_name).collect()
        }
        /// The state each of the execution's history events belongs to
        /// (by index: the event whose `id` is `i + 1`); `None` for the
        /// execution's own events (`ExecutionStarted`, …).
        pub fn of_events(
            execution: &::asl_runtime::Execution,
        ) -> ::std::vec::Vec<::core::option::Option<State>> {
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
    /// The machine invokes no Task resources, so there is nothing to implement.
    pub trait Tasks: Send + Sync + 'static {}
    /// Routes Task invocations to the typed methods of `T`.
    struct Dispatch<T>(::asl_runtime::__private::Arc<T>);
    impl<T: Tasks> ::asl_runtime::TaskHandler for Dispatch<T> {
        fn invoke(
            &self,
            request: ::asl_runtime::TaskRequest,
        ) -> ::asl_runtime::BoxFuture<
            'static,
            ::core::result::Result<
                ::asl_runtime::__private::serde_json::Value,
                ::asl_runtime::TaskError,
            >,
        > {
            #[allow(unused_variables)]
            let tasks = self.0.clone();
            let function = ::asl_runtime::__private::lambda_function(
                request.resource(),
                &request.input,
            );
            match (request.resource(), function.as_deref()) {
                (other, _) => {
                    let error = ::asl_runtime::no_handler(other);
                    ::std::boxed::Box::pin(async move { Err(error) })
                }
            }
        }
    }
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
            let executor = ::asl_runtime::Executor::new(definition())
                .handler(Dispatch(tasks.clone()));
            let executor = ::asl_runtime::__private::with_variants(
                executor,
                State::VARIANT_NAMES,
            );
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
        pub fn durable(
            tasks: T,
            store: impl ::asl_runtime::ExecutionStore,
        ) -> ::asl_runtime::Durable {
            ::asl_runtime::Durable::new(store)
                .handler(Dispatch(::asl_runtime::__private::Arc::new(tasks)))
        }
    }
    impl Machine<()> {
        /// A machine whose Task states go to an untyped handler, such as
        /// [`Mocks`](::asl_runtime::Mocks) or [`Handlers`](::asl_runtime::Handlers).
        pub fn with_handler(handler: impl ::asl_runtime::TaskHandler) -> Self {
            let executor = ::asl_runtime::Executor::new(definition()).handler(handler);
            let executor = ::asl_runtime::__private::with_variants(
                executor,
                State::VARIANT_NAMES,
            );
            Machine {
                tasks: ::asl_runtime::__private::Arc::new(()),
                executor,
            }
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
        pub fn configure(
            mut self,
            f: impl FnOnce(::asl_runtime::Executor) -> ::asl_runtime::Executor,
        ) -> Self {
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
        ) -> ::core::result::Result<
            ::asl_runtime::TestOutcome,
            ::asl_runtime::TestStateError,
        > {
            let input = ::asl_runtime::__private::serde_json::to_value(input)
                .map_err(|e| ::asl_runtime::TestStateError::InvalidInput(
                    e.to_string(),
                ))?;
            self.transition_with(
                    state,
                    ::asl_runtime::TestState {
                        input,
                        ..::core::default::Default::default()
                    },
                )
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
        ) -> ::core::result::Result<
            ::asl_runtime::Transition<State>,
            ::asl_runtime::TestStateError,
        > {
            let input = ::asl_runtime::__private::serde_json::to_value(input)
                .map_err(|e| ::asl_runtime::TestStateError::InvalidInput(
                    e.to_string(),
                ))?;
            let test = ::asl_runtime::TestState {
                input,
                run_branches: true,
                ..::core::default::Default::default()
            };
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
                None => {
                    Err(
                        ::asl_runtime::TestStateError::NoSuchState(
                            outcome.next_state.unwrap_or_default(),
                        ),
                    )
                }
            }
        }
    }
}
