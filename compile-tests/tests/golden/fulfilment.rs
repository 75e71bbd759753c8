/** The state machine in `tests/workflows/fulfilment.json`.

 <div class="asl-diagram"><svg xmlns="http://www.w3.org/2000/svg" width="370" height="548" viewBox="0 0 370 548" font-family="Helvetica, Arial, sans-serif" font-size="12"><defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs><circle cx="210.0" cy="22" r="12" fill="#333"/><text x="228.0" y="26" font-size="10" fill="#333">start</text><line x1="210.0" y1="34.0" x2="210.0" y2="58.0" stroke="#555" marker-end="url(#a)"/><line x1="210.0" y1="102.0" x2="210.0" y2="170.0" stroke="#555" marker-end="url(#a)"/><line x1="210.0" y1="214.0" x2="210.0" y2="282.0" stroke="#555" marker-end="url(#a)"/><line x1="210.0" y1="326.0" x2="210.0" y2="394.0" stroke="#555" marker-end="url(#a)"/><line x1="210.0" y1="438.0" x2="210.0" y2="494.0" stroke="#555" marker-end="url(#a)"/><circle cx="210.0" cy="508.0" r="12" fill="none" stroke="#333" stroke-width="2"/><circle cx="210.0" cy="508.0" r="7" fill="#333"/><rect x="138.4" y="60.0" width="143.2" height="42" rx="6" fill="#f4f4f4" stroke="#777"/><text x="210.0" y="78.0" text-anchor="middle" font-weight="bold">Prepare</text><text x="210.0" y="93.0" text-anchor="middle" font-size="10" fill="#555">Pass</text><rect x="124.0" y="172.0" width="172.0" height="42" rx="6" fill="#efe8fb" stroke="#6a45b8"/><text x="210.0" y="190.0" text-anchor="middle" font-weight="bold">ReserveAndCharge</text><text x="210.0" y="205.0" text-anchor="middle" font-size="10" fill="#555">Parallel, 2 branches</text><rect x="142.0" y="284.0" width="136.0" height="42" rx="6" fill="#efe8fb" stroke="#6a45b8"/><text x="210.0" y="302.0" text-anchor="middle" font-weight="bold">PackEach</text><text x="210.0" y="317.0" text-anchor="middle" font-size="10" fill="#555">Map, 1 states each</text><rect x="138.4" y="396.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="210.0" y="414.0" text-anchor="middle" font-weight="bold">Notify</text><text x="210.0" y="429.0" text-anchor="middle" font-size="10" fill="#555">Task</text></svg></div>

 | State | Type | In | Next |
 |---|---|---|---|
 | `Prepare` | Pass |  | `ReserveAndCharge` |
 | `ReserveAndCharge` | Parallel |  | `PackEach` |
 | `Reserve` | Task | `ReserveAndCharge` | end |
 | `Charge` | Task | `ReserveAndCharge` | end |
 | `PackEach` | Map |  | `Notify` |
 | `Pack` | Task | `PackEach` | end |
 | `Notify` | Task |  | end |

 <details><summary>Mermaid source (for GitHub, GitLab or mermaid.live)</summary>

 ```mermaid
 flowchart TD
     start((start))
     s0["Prepare<br/><i>Pass</i>"]
     s1["ReserveAndCharge<br/><i>Parallel</i>"]
     s2["PackEach<br/><i>Map</i>"]
     s3["Notify<br/><i>Task</i>"]
     start --> s0
     s0 --> s1
     s1 --> s2
     subgraph g1_["ReserveAndCharge branch 1"]
         g1_start((start))
         g1_s0["Reserve<br/><i>Task</i>"]
         g1_start --> g1_s0
         g1_s0 --> g1_finish
         g1_finish((end))
     end
     s1 -.- g1_
     subgraph g2_["ReserveAndCharge branch 2"]
         g2_start((start))
         g2_s0["Charge<br/><i>Task</i>"]
         g2_start --> g2_s0
         g2_s0 -.->|"retry Gateway.Busy ×2"| g2_s0
         g2_s0 --> g2_finish
         g2_finish((end))
     end
     s1 -.- g2_
     s2 --> s3
     subgraph g3_["PackEach item processor"]
         g3_start((start))
         g3_s0["Pack<br/><i>Task</i>"]
         g3_start --> g3_s0
         g3_s0 --> g3_finish
         g3_finish((end))
     end
     s2 -.- g3_
     s3 --> finish
     finish((end))
 ```

 </details>
*/
#[allow(clippy::all, dead_code)]
pub mod fulfilment {
    /// The definition's JSON text, exactly as compiled.
    pub const DEFINITION: &str = "{\n  \"Comment\": \"Order fulfilment: reserve the stock and charge the card at once, pack each item, then publish a notice. JSONata, variables, a Parallel, a Map and lambda:invoke of three functions.\",\n  \"QueryLanguage\": \"JSONata\",\n  \"StartAt\": \"Prepare\",\n  \"States\": {\n    \"Prepare\": {\n      \"Type\": \"Pass\",\n      \"Assign\": {\"orderId\": \"{% $states.input.id %}\", \"items\": \"{% $states.input.items %}\", \"count\": \"{% $count($states.input.items) %}\"},\n      \"Next\": \"ReserveAndCharge\"\n    },\n    \"ReserveAndCharge\": {\n      \"Type\": \"Parallel\",\n      \"Branches\": [\n        {\n          \"StartAt\": \"Reserve\",\n          \"States\": {\n            \"Reserve\": {\n              \"Type\": \"Task\",\n              \"Resource\": \"arn:aws:states:::lambda:invoke\",\n              \"Arguments\": {\"FunctionName\": \"arn:aws:lambda:us-east-1:123456789012:function:Reserve\", \"Payload\": {\"order\": \"{% $orderId %}\", \"items\": \"{% $items %}\"}},\n              \"Output\": \"{% $states.result.Payload %}\",\n              \"End\": true\n            }\n          }\n        },\n        {\n          \"StartAt\": \"Charge\",\n          \"States\": {\n            \"Charge\": {\n              \"Type\": \"Task\",\n              \"Resource\": \"arn:aws:states:::lambda:invoke\",\n              \"Arguments\": {\"FunctionName\": \"Charge:live\", \"Payload\": {\"order\": \"{% $orderId %}\", \"amount\": \"{% $states.input.amount %}\"}},\n              \"Output\": \"{% $states.result.Payload %}\",\n              \"Retry\": [{\"ErrorEquals\": [\"Gateway.Busy\"], \"MaxAttempts\": 2, \"IntervalSeconds\": 1}],\n              \"End\": true\n            }\n          }\n        }\n      ],\n      \"Next\": \"PackEach\"\n    },\n    \"PackEach\": {\n      \"Type\": \"Map\",\n      \"Items\": \"{% $items %}\",\n      \"MaxConcurrency\": 2,\n      \"ItemProcessor\": {\n        \"ProcessorConfig\": {\"Mode\": \"INLINE\"},\n        \"StartAt\": \"Pack\",\n        \"States\": {\n          \"Pack\": {\n            \"Type\": \"Task\",\n            \"Resource\": \"arn:aws:states:::lambda:invoke\",\n            \"Arguments\": {\"FunctionName\": \"Pack\", \"Payload\": {\"item\": \"{% $states.input %}\", \"order\": \"{% $orderId %}\"}},\n            \"Output\": \"{% $states.result.Payload %}\",\n            \"End\": true\n          }\n        }\n      },\n      \"Next\": \"Notify\"\n    },\n    \"Notify\": {\n      \"Type\": \"Task\",\n      \"Resource\": \"arn:aws:states:::sns:publish\",\n      \"Arguments\": {\"TopicArn\": \"arn:aws:sns:us-east-1:123456789012:orders\", \"Message\": \"{% 'packed ' & $string($count) & ' items of ' & $orderId %}\"},\n      \"Output\": \"{% {'order': $orderId, 'boxes': $states.input, 'notice': $states.result} %}\",\n      \"End\": true\n    }\n  }\n}\n";
    /// The path the definition was loaded from, as written in the macro call.
    pub const SOURCE: &str = "tests/workflows/fulfilment.json";
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
                name: "Prepare".into(),
                span: spec::diag::Span {
                    start: 270,
                    end: 279,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Pass(
                    spec::model::Pass {
                        result: ::core::option::Option::None,
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "ReserveAndCharge".into(),
                        span: spec::diag::Span {
                            start: 458,
                            end: 476,
                        },
                        index: 1,
                    }
                        .into(),
                ),
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::None,
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_0()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::Some(
                    spec::model::Assign::Jsonata(
                        spec::jsonata::Jsonata::Object(
                                ::std::vec![
                                    ("orderId".into(),
                                    spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$states.input.id"
                                    .into()).into()),), ("items".into(),
                                    spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$states.input.items"
                                    .into()).into()),), ("count".into(),
                                    spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$count($states.input.items)"
                                    .into()).into()),)
                                ],
                            )
                            .into(),
                    ),
                ),
                output: ::core::option::Option::None,
                id: 0,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_2() -> spec::model::State {
            spec::model::State {
                name: "Reserve".into(),
                span: spec::diag::Span {
                    start: 632,
                    end: 641,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:states:::lambda:invoke".into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 701,
                            end: 733,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
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
                    arguments: ::core::option::Option::Some(
                        spec::jsonata::Jsonata::Object(
                            ::std::vec![
                                ("FunctionName".into(),
                                spec::jsonata::Jsonata::Literal(json::Value::String("arn:aws:lambda:us-east-1:123456789012:function:Reserve"
                                .into())),), ("Payload".into(),
                                spec::jsonata::Jsonata::Object(::std::vec![("order".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$orderId"
                                .into()).into()),), ("items".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$items"
                                .into()).into()),)]),)
                            ],
                        ),
                    ),
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::Some(
                    spec::jsonata::Jsonata::Expr(
                        spec::jsonata::Expr::from_validated(
                                "$states.result.Payload".into(),
                            )
                            .into(),
                    ),
                ),
                id: 2,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_3() -> spec::model::State {
            spec::model::State {
                name: "Charge".into(),
                span: spec::diag::Span {
                    start: 1097,
                    end: 1105,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:states:::lambda:invoke".into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 1165,
                            end: 1197,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![
                            spec::model::Retrier { error_equals :
                            ::std::vec!["Gateway.Busy".into()], interval_seconds : 1,
                            max_attempts : 2, backoff_rate : 2.0, max_delay_seconds :
                            ::core::option::Option::None, jitter :
                            spec::model::Jitter::None }
                        ],
                        catch: ::std::vec![],
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
                    arguments: ::core::option::Option::Some(
                        spec::jsonata::Jsonata::Object(
                            ::std::vec![
                                ("FunctionName".into(),
                                spec::jsonata::Jsonata::Literal(json::Value::String("Charge:live"
                                .into())),), ("Payload".into(),
                                spec::jsonata::Jsonata::Object(::std::vec![("order".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$orderId"
                                .into()).into()),), ("amount".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$states.input.amount"
                                .into()).into()),)]),)
                            ],
                        ),
                    ),
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::Some(
                    spec::jsonata::Jsonata::Expr(
                        spec::jsonata::Expr::from_validated(
                                "$states.result.Payload".into(),
                            )
                            .into(),
                    ),
                ),
                id: 3,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_1() -> spec::model::State {
            spec::model::State {
                name: "ReserveAndCharge".into(),
                span: spec::diag::Span {
                    start: 488,
                    end: 506,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Parallel(
                    spec::model::Parallel {
                        branches: ::std::vec![
                            spec::model::Scope { start_at : "Reserve".into(),
                            start_at_span : spec::diag::Span { start : 587, end : 596 },
                            start_index : 0, states : ::std::vec![state_2()], unloaded :
                            ::std::vec![] }, spec::model::Scope { start_at : "Charge"
                            .into(), start_at_span : spec::diag::Span { start : 1053, end
                            : 1061 }, start_index : 0, states : ::std::vec![state_3()],
                            unloaded : ::std::vec![] }
                        ],
                        retry: ::std::vec![],
                        catch: ::std::vec![],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "PackEach".into(),
                        span: spec::diag::Span {
                            start: 1580,
                            end: 1590,
                        },
                        index: 2,
                    }
                        .into(),
                ),
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
                id: 1,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_5() -> spec::model::State {
            spec::model::State {
                name: "Pack".into(),
                span: spec::diag::Span {
                    start: 1824,
                    end: 1830,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:states:::lambda:invoke".into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 1886,
                            end: 1918,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
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
                    arguments: ::core::option::Option::Some(
                        spec::jsonata::Jsonata::Object(
                            ::std::vec![
                                ("FunctionName".into(),
                                spec::jsonata::Jsonata::Literal(json::Value::String("Pack"
                                .into())),), ("Payload".into(),
                                spec::jsonata::Jsonata::Object(::std::vec![("item".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$states.input"
                                .into()).into()),), ("order".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("$orderId"
                                .into()).into()),)]),)
                            ],
                        ),
                    ),
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::Some(
                    spec::jsonata::Jsonata::Expr(
                        spec::jsonata::Expr::from_validated(
                                "$states.result.Payload".into(),
                            )
                            .into(),
                    ),
                ),
                id: 5,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_4() -> spec::model::State {
            spec::model::State {
                name: "PackEach".into(),
                span: spec::diag::Span {
                    start: 1602,
                    end: 1612,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Map(
                    spec::model::Map {
                        processor: spec::model::Scope {
                            start_at: "Pack".into(),
                            start_at_span: spec::diag::Span {
                                start: 1786,
                                end: 1792,
                            },
                            start_index: 0,
                            states: ::std::vec![state_5()],
                            unloaded: ::std::vec![],
                        },
                        mode: spec::model::ProcessorMode::Inline,
                        execution_type: ::core::option::Option::None,
                        items_path: path_0(),
                        items: ::core::option::Option::Some(
                            spec::jsonata::Jsonata::Expr(
                                spec::jsonata::Expr::from_validated("$items".into()).into(),
                            ),
                        ),
                        item_selector: ::core::option::Option::None,
                        max_concurrency: ::core::option::Option::Some(
                            spec::model::Count::Fixed(
                                json::Value::Number(json::Number::from(2u64)),
                            ),
                        ),
                        tolerated_failure_percentage: ::core::option::Option::None,
                        tolerated_failure_count: ::core::option::Option::None,
                        item_reader: ::core::option::Option::None,
                        item_batcher: ::core::option::Option::None,
                        result_writer: ::core::option::Option::None,
                        label: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "Notify".into(),
                        span: spec::diag::Span {
                            start: 2165,
                            end: 2173,
                        },
                        index: 3,
                    }
                        .into(),
                ),
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
                id: 4,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_6() -> spec::model::State {
            spec::model::State {
                name: "Notify".into(),
                span: spec::diag::Span {
                    start: 2185,
                    end: 2193,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::Jsonata,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:states:::sns:publish".into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 2237,
                            end: 2267,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
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
                    arguments: ::core::option::Option::Some(
                        spec::jsonata::Jsonata::Object(
                            ::std::vec![
                                ("TopicArn".into(),
                                spec::jsonata::Jsonata::Literal(json::Value::String("arn:aws:sns:us-east-1:123456789012:orders"
                                .into())),), ("Message".into(),
                                spec::jsonata::Jsonata::Expr(spec::jsonata::Expr::from_validated("'packed ' & $string($count) & ' items of ' & $orderId"
                                .into()).into()),)
                            ],
                        ),
                    ),
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::Some(
                    spec::jsonata::Jsonata::Expr(
                        spec::jsonata::Expr::from_validated(
                                "{'order': $orderId, 'boxes': $states.input, 'notice': $states.result}"
                                    .into(),
                            )
                            .into(),
                    ),
                ),
                id: 6,
                reads_context: false,
            }
        }
        spec::model::Definition {
            comment: ::core::option::Option::Some(
                "Order fulfilment: reserve the stock and charge the card at once, pack each item, then publish a notice. JSONata, variables, a Parallel, a Map and lambda:invoke of three functions."
                    .into(),
            ),
            version: ::core::option::Option::None,
            timeout_seconds: ::core::option::Option::None,
            query_language: spec::model::QueryLanguage::Jsonata,
            body: spec::model::Scope {
                start_at: "Prepare".into(),
                start_at_span: spec::diag::Span {
                    start: 241,
                    end: 250,
                },
                start_index: 0,
                states: ::std::vec![state_0(), state_1(), state_4(), state_6()],
                unloaded: ::std::vec![],
            },
            state_count: 7,
        }
    }
    /// One variant per state, those in Parallel branches and Map item
    /// processors included (AWS makes state names unique machine-wide);
    /// [`State::parent`] tells where each runs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum State {
        /// `Prepare` (Pass state).
        Prepare,
        /// `ReserveAndCharge` (Parallel state).
        ReserveAndCharge,
        /// `Reserve` (Task state).
        Reserve,
        /// `Charge` (Task state).
        Charge,
        /// `PackEach` (Map state).
        PackEach,
        /// `Pack` (Task state).
        Pack,
        /// `Notify` (Task state).
        Notify,
    }
    impl State {
        /// The state named by `StartAt`.
        pub const START: State = State::Prepare;
        /// Every state, in definition order: a state, then the states
        /// inside it.
        pub const ALL: &'static [State] = &[
            State::Prepare,
            State::ReserveAndCharge,
            State::Reserve,
            State::Charge,
            State::PackEach,
            State::Pack,
            State::Notify,
        ];
        /// The variants' names, in [`State::ALL`]'s order (the runtime's
        /// tracing spans carry them).
        #[doc(hidden)]
        pub const VARIANT_NAMES: &'static [&'static str] = &[
            "Prepare",
            "ReserveAndCharge",
            "Reserve",
            "Charge",
            "PackEach",
            "Pack",
            "Notify",
        ];
        /// The state's name in the definition.
        pub const fn name(self) -> &'static str {
            match self {
                State::Prepare => "Prepare",
                State::ReserveAndCharge => "ReserveAndCharge",
                State::Reserve => "Reserve",
                State::Charge => "Charge",
                State::PackEach => "PackEach",
                State::Pack => "Pack",
                State::Notify => "Notify",
            }
        }
        /// The state with this name, if any.
        pub fn from_name(name: &str) -> ::core::option::Option<State> {
            match name {
                "Prepare" => Some(State::Prepare),
                "ReserveAndCharge" => Some(State::ReserveAndCharge),
                "Reserve" => Some(State::Reserve),
                "Charge" => Some(State::Charge),
                "PackEach" => Some(State::PackEach),
                "Pack" => Some(State::Pack),
                "Notify" => Some(State::Notify),
                _ => None,
            }
        }
        /// The state's `Type` (`"Task"`, `"Choice"`, …).
        pub const fn type_name(self) -> &'static str {
            match self {
                State::Prepare => "Pass",
                State::ReserveAndCharge => "Parallel",
                State::Reserve => "Task",
                State::Charge => "Task",
                State::PackEach => "Map",
                State::Pack => "Task",
                State::Notify => "Task",
            }
        }
        /// Every state this one can transition to (in its own scope):
        /// `Next`, Choice targets and `Default`, then Catch targets.
        pub const fn successors(self) -> &'static [State] {
            match self {
                State::Prepare => &[State::ReserveAndCharge],
                State::ReserveAndCharge => &[State::PackEach],
                State::Reserve => &[],
                State::Charge => &[],
                State::PackEach => &[State::Notify],
                State::Pack => &[],
                State::Notify => &[],
            }
        }
        /// The transition on success: the `Next` state, or `None` for
        /// `End`, Choice, Succeed and Fail states.
        pub const fn next(self) -> ::core::option::Option<State> {
            match self {
                State::Prepare => Some(State::ReserveAndCharge),
                State::ReserveAndCharge => Some(State::PackEach),
                State::Reserve => None,
                State::Charge => None,
                State::PackEach => Some(State::Notify),
                State::Pack => None,
                State::Notify => None,
            }
        }
        /// Whether its scope (the execution, a Parallel branch or a Map
        /// iteration) can end in this state.
        pub const fn is_terminal(self) -> bool {
            match self {
                State::Prepare => false,
                State::ReserveAndCharge => false,
                State::Reserve => true,
                State::Charge => true,
                State::PackEach => false,
                State::Pack => true,
                State::Notify => true,
            }
        }
        /// The Parallel or Map state this one runs in, or `None` at the
        /// top level.
        pub const fn parent(self) -> ::core::option::Option<State> {
            match self {
                State::Prepare => None,
                State::ReserveAndCharge => None,
                State::Reserve => Some(State::ReserveAndCharge),
                State::Charge => Some(State::ReserveAndCharge),
                State::PackEach => None,
                State::Pack => Some(State::PackEach),
                State::Notify => None,
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
    /// The code behind every Task resource the machine invokes. A Lambda function or an activity has a method with an input and an output type: your own serde types, or `serde_json::Value`. An AWS service's actions go to one method for the service (`dynamodb`, `sns`, …), or each to its own if you implement it.
    pub trait Tasks: Send + Sync + 'static {
        /// What `reserve` receives: the event the function gets, the `Payload` of the state's effective input. Use `serde_json::Value` to take it untyped.
        type ReserveInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `reserve` returns: the function's payload; the task result is Lambda's Invoke response around it (read it at `$.Payload`), and an error becomes the function's error document, as on AWS.
        type ReserveOutput: ::asl_runtime::__private::serde::Serialize + Send + 'static;
        /// Runs the Lambda function `Reserve` (`arn:aws:states:::lambda:invoke`), invoked by `Reserve`.
        fn reserve(
            &self,
            input: Self::ReserveInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::ReserveOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// What `charge` receives: the event the function gets, the `Payload` of the state's effective input. Use `serde_json::Value` to take it untyped.
        type ChargeInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `charge` returns: the function's payload; the task result is Lambda's Invoke response around it (read it at `$.Payload`), and an error becomes the function's error document, as on AWS.
        type ChargeOutput: ::asl_runtime::__private::serde::Serialize + Send + 'static;
        /// Runs the Lambda function `Charge` (`arn:aws:states:::lambda:invoke`), invoked by `Charge`.
        fn charge(
            &self,
            input: Self::ChargeInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<Self::ChargeOutput, ::asl_runtime::TaskError>,
        > + Send;
        /// What `pack` receives: the event the function gets, the `Payload` of the state's effective input. Use `serde_json::Value` to take it untyped.
        type PackInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `pack` returns: the function's payload; the task result is Lambda's Invoke response around it (read it at `$.Payload`), and an error becomes the function's error document, as on AWS.
        type PackOutput: ::asl_runtime::__private::serde::Serialize + Send + 'static;
        /// Runs the Lambda function `Pack` (`arn:aws:states:::lambda:invoke`), invoked by `Pack`.
        fn pack(
            &self,
            input: Self::PackInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<Self::PackOutput, ::asl_runtime::TaskError>,
        > + Send;
        /// Every `arn:aws:states:::sns:…` call the machine makes: `publish` (by `Notify`). One implementation serves them all (`action` says which), unless an action's own method is implemented. `input` is the state's effective input, the API's request; the answer is the task result.
        fn sns(
            &self,
            action: SnsAction,
            input: ::asl_runtime::__private::serde_json::Value,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                ::asl_runtime::__private::serde_json::Value,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// Runs `arn:aws:states:::sns:publish`, invoked by `Notify`. By default it goes to [`Tasks::sns`]; implement it to serve this action alone.
        fn sns_publish(
            &self,
            input: SnsPublishInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                ::asl_runtime::__private::serde_json::Value,
                ::asl_runtime::TaskError,
            >,
        > + Send {
            async move {
                let input = ::asl_runtime::__private::to_output(input)?;
                <Self as Tasks>::sns(self, SnsAction::Publish, input, ctx).await
            }
        }
    }
    /// The `sns` actions the machine calls (see [`Tasks::sns`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum SnsAction {
        /// `arn:aws:states:::sns:publish`.
        Publish,
    }
    impl SnsAction {
        /// The action as the resource names it (`putItem`, `runTask.sync`).
        pub const fn action(self) -> &'static str {
            match self {
                SnsAction::Publish => "publish",
            }
        }
        /// The Task resource.
        pub const fn resource(self) -> &'static str {
            match self {
                SnsAction::Publish => "arn:aws:states:::sns:publish",
            }
        }
    }
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
                (
                    "arn:aws:states:::lambda:invoke",
                    ::core::option::Option::Some("Reserve"),
                ) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::ReserveInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::reserve(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                (
                    "arn:aws:states:::lambda:invoke",
                    ::core::option::Option::Some("Charge"),
                ) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::ChargeInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::charge(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                (
                    "arn:aws:states:::lambda:invoke",
                    ::core::option::Option::Some("Pack"),
                ) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::PackInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::pack(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                ("arn:aws:states:::sns:publish", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: SnsPublishInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::sns_publish(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                (other, _) => {
                    let error = ::asl_runtime::no_handler(other);
                    ::std::boxed::Box::pin(async move { Err(error) })
                }
            }
        }
    }
    /// What `reserve` receives from `Reserve`, whose templates fix these keys. Use it as `type ReserveInput = fulfilment::ReserveInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct ReserveInput {
        /// `order`.
        #[serde(rename = "order")]
        pub order: ::asl_runtime::__private::serde_json::Value,
        /// `items`.
        #[serde(rename = "items")]
        pub items: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `charge` receives from `Charge`, whose templates fix these keys. Use it as `type ChargeInput = fulfilment::ChargeInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct ChargeInput {
        /// `order`.
        #[serde(rename = "order")]
        pub order: ::asl_runtime::__private::serde_json::Value,
        /// `amount`.
        #[serde(rename = "amount")]
        pub amount: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `pack` receives from `Pack`, whose templates fix these keys. Use it as `type PackInput = fulfilment::PackInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct PackInput {
        /// `item`.
        #[serde(rename = "item")]
        pub item: ::asl_runtime::__private::serde_json::Value,
        /// `order`.
        #[serde(rename = "order")]
        pub order: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `sns_publish` receives from `Notify`, whose templates fix these keys.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct SnsPublishInput {
        /// `TopicArn`.
        #[serde(rename = "TopicArn")]
        pub topic_arn: ::std::string::String,
        /// `Message`.
        #[serde(rename = "Message")]
        pub message: ::asl_runtime::__private::serde_json::Value,
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
