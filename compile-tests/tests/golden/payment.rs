/** The state machine in `statemachines/payment.json`.

 <div class="asl-diagram"><svg xmlns="http://www.w3.org/2000/svg" width="678" height="660" viewBox="0 0 678 660" font-family="Helvetica, Arial, sans-serif" font-size="12"><defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs><circle cx="271.2" cy="22" r="12" fill="#333"/><text x="289.2" y="26" font-size="10" fill="#333">start</text><line x1="271.2" y1="34.0" x2="271.2" y2="58.0" stroke="#555" marker-end="url(#a)"/><line x1="271.2" y1="102.0" x2="271.2" y2="170.0" stroke="#555" marker-end="url(#a)"/><line x1="271.2" y1="214.0" x2="271.2" y2="282.0" stroke="#555" marker-end="url(#a)"/><path d="M342.8,185.0 C376.8,167.0 376.8,219.0 344.8,201.0" fill="none" stroke="#555" stroke-dasharray="5,4" marker-end="url(#a)"/><line x1="271.2" y1="214.0" x2="360.8" y2="394.0" stroke="#555" stroke-dasharray="5,4" marker-end="url(#a)"/><text x="304.1" y="272.0" font-size="10" fill="#333" text-anchor="start" stroke="#fff" stroke-width="3" paint-order="stroke">catch States.ALL</text><line x1="271.2" y1="326.0" x2="181.6" y2="394.0" stroke="#555" marker-end="url(#a)"/><text x="238.3" y="350.4" font-size="10" fill="#333" text-anchor="end" stroke="#fff" stroke-width="3" paint-order="stroke">$.charge.status == &quot;APPROVED&quot;</text><line x1="271.2" y1="326.0" x2="360.8" y2="394.0" stroke="#555" marker-end="url(#a)"/><text x="304.1" y="350.4" font-size="10" fill="#333" text-anchor="start" stroke="#fff" stroke-width="3" paint-order="stroke">default</text><line x1="181.6" y1="438.0" x2="271.2" y2="506.0" stroke="#555" marker-end="url(#a)"/><line x1="360.8" y1="438.0" x2="271.2" y2="506.0" stroke="#555" marker-end="url(#a)"/><line x1="271.2" y1="550.0" x2="271.2" y2="606.0" stroke="#555" marker-end="url(#a)"/><circle cx="271.2" cy="620.0" r="12" fill="none" stroke="#333" stroke-width="2"/><circle cx="271.2" cy="620.0" r="7" fill="#333"/><rect x="199.6" y="60.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="271.2" y="78.0" text-anchor="middle" font-weight="bold">Init</text><text x="271.2" y="93.0" text-anchor="middle" font-size="10" fill="#555">Task</text><rect x="199.6" y="172.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="271.2" y="190.0" text-anchor="middle" font-weight="bold">InProgress</text><text x="271.2" y="205.0" text-anchor="middle" font-size="10" fill="#555">Task</text><polygon points="271.2,278.0 350.0,305.0 271.2,332.0 192.4,305.0" fill="#fff6d5" stroke="#b08900"/><text x="271.2" y="302.0" text-anchor="middle" font-weight="bold">ChargeApproved?</text><text x="271.2" y="317.0" text-anchor="middle" font-size="10" fill="#555">Choice</text><rect x="110.0" y="396.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="181.6" y="414.0" text-anchor="middle" font-weight="bold">Completed</text><text x="181.6" y="429.0" text-anchor="middle" font-size="10" fill="#555">Task</text><rect x="289.2" y="396.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="360.8" y="414.0" text-anchor="middle" font-weight="bold">Cancelled</text><text x="360.8" y="429.0" text-anchor="middle" font-size="10" fill="#555">Task</text><rect x="199.6" y="508.0" width="143.2" height="42" rx="6" fill="#e8f0fe" stroke="#3b6fd4"/><text x="271.2" y="526.0" text-anchor="middle" font-weight="bold">Reconciliation</text><text x="271.2" y="541.0" text-anchor="middle" font-size="10" fill="#555">Task</text><text x="378.8" y="197.0" font-size="10" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">retry PaymentGateway.Unavailable ×3</text></svg></div>

 | State | Type | In | Next |
 |---|---|---|---|
 | `Init` | Task |  | `InProgress` |
 | `InProgress` | Task |  | `ChargeApproved?`, `Cancelled` |
 | `ChargeApproved?` | Choice |  | `Completed`, `Cancelled` |
 | `Completed` | Task |  | `Reconciliation` |
 | `Cancelled` | Task |  | `Reconciliation` |
 | `Reconciliation` | Task |  | end |

 <details><summary>Mermaid source (for GitHub, GitLab or mermaid.live)</summary>

 ```mermaid
 flowchart TD
     start((start))
     s0["Init<br/><i>Task</i>"]
     s1["InProgress<br/><i>Task</i>"]
     s2{"ChargeApproved?<br/><i>Choice</i>"}
     s3["Completed<br/><i>Task</i>"]
     s4["Cancelled<br/><i>Task</i>"]
     s5["Reconciliation<br/><i>Task</i>"]
     start --> s0
     s0 --> s1
     s1 --> s2
     s1 -.->|"retry PaymentGateway.Unavailable ×3"| s1
     s1 -.->|"catch States.ALL"| s4
     s2 -->|"$.charge.status == #quot;APPROVED#quot;"| s3
     s2 -->|"default"| s4
     s3 --> s5
     s4 --> s5
     s5 --> finish
     finish((end))
 ```

 </details>
*/
#[allow(clippy::all, dead_code)]
pub mod payment {
    /// The definition's JSON text, exactly as compiled.
    pub const DEFINITION: &str = "{\n  \"Comment\": \"A payment transaction: open it, charge the card (retrying transient gateway failures), complete or cancel it, then reconcile.\",\n  \"StartAt\": \"Init\",\n  \"States\": {\n    \"Init\": {\n      \"Type\": \"Task\",\n      \"Comment\": \"Open the transaction and give it an id.\",\n      \"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:InitPayment\",\n      \"Parameters\": {\n        \"orderId.$\": \"$.orderId\",\n        \"amount.$\": \"$.amount\",\n        \"currency.$\": \"$.currency\"\n      },\n      \"ResultPath\": \"$.transaction\",\n      \"Next\": \"InProgress\"\n    },\n    \"InProgress\": {\n      \"Type\": \"Task\",\n      \"Comment\": \"Charge the card. The gateway sometimes answers 'unavailable'; that is retried. A decline is caught and cancels the payment.\",\n      \"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:ChargeCard\",\n      \"Parameters\": {\n        \"transactionId.$\": \"$.transaction.id\",\n        \"amount.$\": \"$.amount\",\n        \"currency.$\": \"$.currency\",\n        \"card.$\": \"$.card\"\n      },\n      \"ResultSelector\": {\n        \"status.$\": \"$.status\",\n        \"authorization.$\": \"$.authorizationCode\"\n      },\n      \"ResultPath\": \"$.charge\",\n      \"TimeoutSeconds\": 30,\n      \"Retry\": [\n        {\n          \"ErrorEquals\": [\"PaymentGateway.Unavailable\"],\n          \"IntervalSeconds\": 1,\n          \"MaxAttempts\": 3,\n          \"BackoffRate\": 2.0\n        }\n      ],\n      \"Catch\": [\n        {\n          \"ErrorEquals\": [\"States.ALL\"],\n          \"ResultPath\": \"$.charge\",\n          \"Next\": \"Cancelled\"\n        }\n      ],\n      \"Next\": \"ChargeApproved?\"\n    },\n    \"ChargeApproved?\": {\n      \"Type\": \"Choice\",\n      \"Choices\": [\n        {\n          \"Variable\": \"$.charge.status\",\n          \"StringEquals\": \"APPROVED\",\n          \"Next\": \"Completed\"\n        }\n      ],\n      \"Default\": \"Cancelled\"\n    },\n    \"Completed\": {\n      \"Type\": \"Task\",\n      \"Comment\": \"Mark the transaction as paid.\",\n      \"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:CompletePayment\",\n      \"Parameters\": {\n        \"transactionId.$\": \"$.transaction.id\",\n        \"authorization.$\": \"$.charge.authorization\"\n      },\n      \"ResultPath\": \"$.outcome\",\n      \"Next\": \"Reconciliation\"\n    },\n    \"Cancelled\": {\n      \"Type\": \"Task\",\n      \"Comment\": \"Void the transaction, keeping the reason.\",\n      \"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:CancelPayment\",\n      \"Parameters\": {\n        \"transactionId.$\": \"$.transaction.id\",\n        \"reason.$\": \"States.Format('charge not approved: {}', States.JsonToString($.charge))\"\n      },\n      \"ResultPath\": \"$.outcome\",\n      \"Next\": \"Reconciliation\"\n    },\n    \"Reconciliation\": {\n      \"Type\": \"Task\",\n      \"Comment\": \"Record the final state of the transaction in the ledger.\",\n      \"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:Reconcile\",\n      \"Parameters\": {\n        \"transactionId.$\": \"$.transaction.id\",\n        \"orderId.$\": \"$.orderId\",\n        \"amount.$\": \"$.amount\",\n        \"outcome.$\": \"$.outcome\"\n      },\n      \"ResultPath\": \"$.ledger\",\n      \"OutputPath\": \"$.ledger\",\n      \"End\": true\n    }\n  }\n}\n";
    /// The path the definition was loaded from, as written in the macro call.
    pub const SOURCE: &str = "statemachines/payment.json";
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
        fn path_1() -> spec::path::Path {
            spec::path::Path {
                text: "$.orderId".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("orderId"
                    .into()).into())
                ],
            }
        }
        fn path_2() -> spec::path::Path {
            spec::path::Path {
                text: "$.amount".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("amount"
                    .into()).into())
                ],
            }
        }
        fn path_3() -> spec::path::Path {
            spec::path::Path {
                text: "$.currency".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("currency"
                    .into()).into())
                ],
            }
        }
        fn path_4() -> spec::path::Path {
            spec::path::Path {
                text: "$.transaction".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("transaction"
                    .into()).into())
                ],
            }
        }
        #[inline(never)]
        fn state_0() -> spec::model::State {
            spec::model::State {
                name: "Init".into(),
                span: spec::diag::Span {
                    start: 183,
                    end: 189,
                },
                comment: ::core::option::Option::Some(
                    "Open the transaction and give it an id.".into(),
                ),
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:lambda:us-east-1:123456789012:function:InitPayment"
                            .into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 293,
                            end: 353,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "InProgress".into(),
                        span: spec::diag::Span {
                            start: 538,
                            end: 550,
                        },
                        index: 1,
                    }
                        .into(),
                ),
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("orderId".into(), spec::model::Template::Path(path_1()),),
                                    ("amount".into(), spec::model::Template::Path(path_2()),),
                                    ("currency".into(), spec::model::Template::Path(path_3()),)
                                ],
                                skeleton: [
                                    ("orderId".into(), json::Value::Null),
                                    ("amount".into(), json::Value::Null),
                                    ("currency".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 34,
                                same_named: 7,
                            }
                                .into(),
                        ),
                    ),
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_4()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 0,
                reads_context: false,
            }
        }
        fn path_5() -> spec::path::Path {
            spec::path::Path {
                text: "$.charge".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("charge"
                    .into()).into())
                ],
            }
        }
        fn path_6() -> spec::path::Path {
            spec::path::Path {
                text: "$.transaction.id".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("transaction"
                    .into()).into()),
                    spec::path::Segment::Child(spec::path::Selector::Name("id".into())
                    .into())
                ],
            }
        }
        fn path_7() -> spec::path::Path {
            spec::path::Path {
                text: "$.card".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("card".into())
                    .into())
                ],
            }
        }
        fn path_8() -> spec::path::Path {
            spec::path::Path {
                text: "$.status".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("status"
                    .into()).into())
                ],
            }
        }
        fn path_9() -> spec::path::Path {
            spec::path::Path {
                text: "$.authorizationCode".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("authorizationCode"
                    .into()).into())
                ],
            }
        }
        #[inline(never)]
        fn state_1() -> spec::model::State {
            spec::model::State {
                name: "InProgress".into(),
                span: spec::diag::Span {
                    start: 562,
                    end: 574,
                },
                comment: ::core::option::Option::Some(
                    "Charge the card. The gateway sometimes answers 'unavailable'; that is retried. A decline is caught and cancels the payment."
                        .into(),
                ),
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:lambda:us-east-1:123456789012:function:ChargeCard"
                            .into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 762,
                            end: 821,
                        },
                        timeout: ::core::option::Option::Some(
                            spec::model::Seconds::Fixed(30),
                        ),
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![
                            spec::model::Retrier { error_equals :
                            ::std::vec!["PaymentGateway.Unavailable".into()],
                            interval_seconds : 1, max_attempts : 3, backoff_rate : 2.0,
                            max_delay_seconds : ::core::option::Option::None, jitter :
                            spec::model::Jitter::None }
                        ],
                        catch: ::std::vec![
                            spec::model::Catcher { error_equals :
                            ::std::vec!["States.ALL".into()], next : spec::model::Target
                            { name : "Cancelled".into(), span : spec::diag::Span { start
                            : 1486, end : 1497 }, index : 4 }, result_path :
                            spec::model::ResultPath::Path(path_5()), assign :
                            ::core::option::Option::None, output :
                            ::core::option::Option::None }
                        ],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "ChargeApproved?".into(),
                        span: spec::diag::Span {
                            start: 1531,
                            end: 1548,
                        },
                        index: 2,
                    }
                        .into(),
                ),
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("transactionId".into(),
                                    spec::model::Template::Path(path_6()),), ("amount".into(),
                                    spec::model::Template::Path(path_2()),), ("currency".into(),
                                    spec::model::Template::Path(path_3()),), ("card".into(),
                                    spec::model::Template::Path(path_7()),)
                                ],
                                skeleton: [
                                    ("transactionId".into(), json::Value::Null),
                                    ("amount".into(), json::Value::Null),
                                    ("currency".into(), json::Value::Null),
                                    ("card".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 48,
                                same_named: 14,
                            }
                                .into(),
                        ),
                    ),
                    result_selector: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("status".into(), spec::model::Template::Path(path_8()),),
                                    ("authorization".into(),
                                    spec::model::Template::Path(path_9()),)
                                ],
                                skeleton: [
                                    ("status".into(), json::Value::Null),
                                    ("authorization".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 28,
                                same_named: 1,
                            }
                                .into(),
                        ),
                    ),
                    result_path: spec::model::ResultPath::Path(path_5()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 1,
                reads_context: false,
            }
        }
        fn path_10() -> spec::path::Path {
            spec::path::Path {
                text: "$.charge.status".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("charge"
                    .into()).into()),
                    spec::path::Segment::Child(spec::path::Selector::Name("status"
                    .into()).into())
                ],
            }
        }
        #[inline(never)]
        fn state_2() -> spec::model::State {
            spec::model::State {
                name: "ChargeApproved?".into(),
                span: spec::diag::Span {
                    start: 1560,
                    end: 1577,
                },
                comment: ::core::option::Option::None,
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Choice(
                    spec::model::Choice {
                        choices: ::std::vec![
                            spec::model::ChoiceBranch { rule :
                            spec::model::Rule::Compare(spec::model::Comparison { variable
                            : path_10(), op : spec::model::Operator::StringEquals,
                            operand :
                            spec::model::Operand::Literal(json::Value::String("APPROVED"
                            .into())) } .into()), next : spec::model::Target { name :
                            "Completed".into(), span : spec::diag::Span { start : 1731,
                            end : 1742 }, index : 3 }, assign :
                            ::core::option::Option::None, output :
                            ::core::option::Option::None }
                        ],
                        default: ::core::option::Option::Some(spec::model::Target {
                            name: "Cancelled".into(),
                            span: spec::diag::Span {
                                start: 1779,
                                end: 1790,
                            },
                            index: 4,
                        }),
                    }
                        .into(),
                ),
                transition: spec::model::Transition::None,
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
                id: 2,
                reads_context: false,
            }
        }
        fn path_11() -> spec::path::Path {
            spec::path::Path {
                text: "$.charge.authorization".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("charge"
                    .into()).into()),
                    spec::path::Segment::Child(spec::path::Selector::Name("authorization"
                    .into()).into())
                ],
            }
        }
        fn path_12() -> spec::path::Path {
            spec::path::Path {
                text: "$.outcome".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("outcome"
                    .into()).into())
                ],
            }
        }
        #[inline(never)]
        fn state_3() -> spec::model::State {
            spec::model::State {
                name: "Completed".into(),
                span: spec::diag::Span {
                    start: 1802,
                    end: 1813,
                },
                comment: ::core::option::Option::Some(
                    "Mark the transaction as paid.".into(),
                ),
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:lambda:us-east-1:123456789012:function:CompletePayment"
                            .into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 1907,
                            end: 1971,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "Reconciliation".into(),
                        span: spec::diag::Span {
                            start: 2150,
                            end: 2166,
                        },
                        index: 5,
                    }
                        .into(),
                ),
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("transactionId".into(),
                                    spec::model::Template::Path(path_6()),), ("authorization"
                                    .into(), spec::model::Template::Path(path_11()),)
                                ],
                                skeleton: [
                                    ("transactionId".into(), json::Value::Null),
                                    ("authorization".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 35,
                                same_named: 0,
                            }
                                .into(),
                        ),
                    ),
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_12()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 3,
                reads_context: false,
            }
        }
        #[inline(never)]
        fn state_4() -> spec::model::State {
            spec::model::State {
                name: "Cancelled".into(),
                span: spec::diag::Span {
                    start: 2178,
                    end: 2189,
                },
                comment: ::core::option::Option::Some(
                    "Void the transaction, keeping the reason.".into(),
                ),
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:lambda:us-east-1:123456789012:function:CancelPayment"
                            .into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 2295,
                            end: 2357,
                        },
                        timeout: ::core::option::Option::None,
                        heartbeat: ::core::option::Option::None,
                        credentials: ::core::option::Option::None,
                        retry: ::std::vec![],
                        catch: ::std::vec![],
                    }
                        .into(),
                ),
                transition: spec::model::Transition::Next(
                    spec::model::Target {
                        name: "Reconciliation".into(),
                        span: spec::diag::Span {
                            start: 2578,
                            end: 2594,
                        },
                        index: 5,
                    }
                        .into(),
                ),
                io: spec::model::Io {
                    input_path: spec::model::NullablePath::Path(path_0()),
                    parameters: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("transactionId".into(),
                                    spec::model::Template::Path(path_6()),), ("reason".into(),
                                    spec::model::Template::Call(spec::intrinsic::Call { function
                                    : spec::intrinsic::Function::Format, args :
                                    ::std::vec![spec::intrinsic::Arg::String(spec::intrinsic::StringLit
                                    { value : "charge not approved: {}".into(), holes :
                                    ::std::vec![21] } .into()),
                                    spec::intrinsic::Arg::Call(spec::intrinsic::Call { function
                                    : spec::intrinsic::Function::JsonToString, args :
                                    ::std::vec![spec::intrinsic::Arg::Path(path_5())] }
                                    .into())] } .into()),)
                                ],
                                skeleton: [
                                    ("transactionId".into(), json::Value::Null),
                                    ("reason".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 28,
                                same_named: 0,
                            }
                                .into(),
                        ),
                    ),
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_12()),
                    output_path: spec::model::NullablePath::Path(path_0()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 4,
                reads_context: false,
            }
        }
        fn path_13() -> spec::path::Path {
            spec::path::Path {
                text: "$.ledger".into(),
                root: spec::path::Root::Input,
                segments: ::std::vec![
                    spec::path::Segment::Child(spec::path::Selector::Name("ledger"
                    .into()).into())
                ],
            }
        }
        #[inline(never)]
        fn state_5() -> spec::model::State {
            spec::model::State {
                name: "Reconciliation".into(),
                span: spec::diag::Span {
                    start: 2606,
                    end: 2622,
                },
                comment: ::core::option::Option::Some(
                    "Record the final state of the transaction in the ledger.".into(),
                ),
                query_language: spec::model::QueryLanguage::JsonPath,
                kind: spec::model::StateKind::Task(
                    spec::model::Task {
                        resource: "arn:aws:lambda:us-east-1:123456789012:function:Reconcile"
                            .into(),
                        integration: spec::model::Integration::RequestResponse,
                        resource_span: spec::diag::Span {
                            start: 2743,
                            end: 2801,
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
                    parameters: ::core::option::Option::Some(
                        spec::model::Template::Object(
                            spec::model::ObjectTemplate {
                                fields: ::std::vec![
                                    ("transactionId".into(),
                                    spec::model::Template::Path(path_6()),), ("orderId".into(),
                                    spec::model::Template::Path(path_1()),), ("amount".into(),
                                    spec::model::Template::Path(path_2()),), ("outcome".into(),
                                    spec::model::Template::Path(path_12()),)
                                ],
                                skeleton: [
                                    ("transactionId".into(), json::Value::Null),
                                    ("orderId".into(), json::Value::Null),
                                    ("amount".into(), json::Value::Null),
                                    ("outcome".into(), json::Value::Null),
                                ]
                                    .into_iter()
                                    .collect(),
                                fixed_len: 50,
                                same_named: 14,
                            }
                                .into(),
                        ),
                    ),
                    result_selector: ::core::option::Option::None,
                    result_path: spec::model::ResultPath::Path(path_13()),
                    output_path: spec::model::NullablePath::Path(path_13()),
                    arguments: ::core::option::Option::None,
                },
                assign: ::core::option::Option::None,
                output: ::core::option::Option::None,
                id: 5,
                reads_context: false,
            }
        }
        spec::model::Definition {
            comment: ::core::option::Option::Some(
                "A payment transaction: open it, charge the card (retrying transient gateway failures), complete or cancel it, then reconcile."
                    .into(),
            ),
            version: ::core::option::Option::None,
            timeout_seconds: ::core::option::Option::None,
            query_language: spec::model::QueryLanguage::JsonPath,
            body: spec::model::Scope {
                start_at: "Init".into(),
                start_at_span: spec::diag::Span {
                    start: 157,
                    end: 163,
                },
                start_index: 0,
                states: ::std::vec![
                    state_0(), state_1(), state_2(), state_3(), state_4(), state_5()
                ],
                unloaded: ::std::vec![],
            },
            state_count: 6,
        }
    }
    /// One variant per state, those in Parallel branches and Map item
    /// processors included (AWS makes state names unique machine-wide);
    /// [`State::parent`] tells where each runs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum State {
        /// `Init` (Task state).
        Init,
        /// `InProgress` (Task state).
        InProgress,
        /// `ChargeApproved?` (Choice state).
        ChargeApproved,
        /// `Completed` (Task state).
        Completed,
        /// `Cancelled` (Task state).
        Cancelled,
        /// `Reconciliation` (Task state).
        Reconciliation,
    }
    impl State {
        /// The state named by `StartAt`.
        pub const START: State = State::Init;
        /// Every state, in definition order: a state, then the states
        /// inside it.
        pub const ALL: &'static [State] = &[
            State::Init,
            State::InProgress,
            State::ChargeApproved,
            State::Completed,
            State::Cancelled,
            State::Reconciliation,
        ];
        /// The variants' names, in [`State::ALL`]'s order (the runtime's
        /// tracing spans carry them).
        #[doc(hidden)]
        pub const VARIANT_NAMES: &'static [&'static str] = &[
            "Init",
            "InProgress",
            "ChargeApproved",
            "Completed",
            "Cancelled",
            "Reconciliation",
        ];
        /// The state's name in the definition.
        pub const fn name(self) -> &'static str {
            match self {
                State::Init => "Init",
                State::InProgress => "InProgress",
                State::ChargeApproved => "ChargeApproved?",
                State::Completed => "Completed",
                State::Cancelled => "Cancelled",
                State::Reconciliation => "Reconciliation",
            }
        }
        /// The state with this name, if any.
        pub fn from_name(name: &str) -> ::core::option::Option<State> {
            match name {
                "Init" => Some(State::Init),
                "InProgress" => Some(State::InProgress),
                "ChargeApproved?" => Some(State::ChargeApproved),
                "Completed" => Some(State::Completed),
                "Cancelled" => Some(State::Cancelled),
                "Reconciliation" => Some(State::Reconciliation),
                _ => None,
            }
        }
        /// The state's `Type` (`"Task"`, `"Choice"`, …).
        pub const fn type_name(self) -> &'static str {
            match self {
                State::Init => "Task",
                State::InProgress => "Task",
                State::ChargeApproved => "Choice",
                State::Completed => "Task",
                State::Cancelled => "Task",
                State::Reconciliation => "Task",
            }
        }
        /// Every state this one can transition to (in its own scope):
        /// `Next`, Choice targets and `Default`, then Catch targets.
        pub const fn successors(self) -> &'static [State] {
            match self {
                State::Init => &[State::InProgress],
                State::InProgress => &[State::ChargeApproved, State::Cancelled],
                State::ChargeApproved => &[State::Completed, State::Cancelled],
                State::Completed => &[State::Reconciliation],
                State::Cancelled => &[State::Reconciliation],
                State::Reconciliation => &[],
            }
        }
        /// The transition on success: the `Next` state, or `None` for
        /// `End`, Choice, Succeed and Fail states.
        pub const fn next(self) -> ::core::option::Option<State> {
            match self {
                State::Init => Some(State::InProgress),
                State::InProgress => Some(State::ChargeApproved),
                State::ChargeApproved => None,
                State::Completed => Some(State::Reconciliation),
                State::Cancelled => Some(State::Reconciliation),
                State::Reconciliation => None,
            }
        }
        /// Whether its scope (the execution, a Parallel branch or a Map
        /// iteration) can end in this state.
        pub const fn is_terminal(self) -> bool {
            match self {
                State::Init => false,
                State::InProgress => false,
                State::ChargeApproved => false,
                State::Completed => false,
                State::Cancelled => false,
                State::Reconciliation => true,
            }
        }
        /// The Parallel or Map state this one runs in, or `None` at the
        /// top level.
        pub const fn parent(self) -> ::core::option::Option<State> {
            match self {
                State::Init => None,
                State::InProgress => None,
                State::ChargeApproved => None,
                State::Completed => None,
                State::Cancelled => None,
                State::Reconciliation => None,
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
        /// What `init_payment` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.
        type InitPaymentInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `init_payment` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.
        type InitPaymentOutput: ::asl_runtime::__private::serde::Serialize
            + Send
            + 'static;
        /// Runs `arn:aws:lambda:us-east-1:123456789012:function:InitPayment`, invoked by `Init`.
        fn init_payment(
            &self,
            input: Self::InitPaymentInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::InitPaymentOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// What `charge_card` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.
        type ChargeCardInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `charge_card` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.
        type ChargeCardOutput: ::asl_runtime::__private::serde::Serialize
            + Send
            + 'static;
        /// Runs `arn:aws:lambda:us-east-1:123456789012:function:ChargeCard`, invoked by `InProgress`.
        fn charge_card(
            &self,
            input: Self::ChargeCardInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::ChargeCardOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// What `complete_payment` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.
        type CompletePaymentInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `complete_payment` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.
        type CompletePaymentOutput: ::asl_runtime::__private::serde::Serialize
            + Send
            + 'static;
        /// Runs `arn:aws:lambda:us-east-1:123456789012:function:CompletePayment`, invoked by `Completed`.
        fn complete_payment(
            &self,
            input: Self::CompletePaymentInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::CompletePaymentOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// What `cancel_payment` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.
        type CancelPaymentInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `cancel_payment` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.
        type CancelPaymentOutput: ::asl_runtime::__private::serde::Serialize
            + Send
            + 'static;
        /// Runs `arn:aws:lambda:us-east-1:123456789012:function:CancelPayment`, invoked by `Cancelled`.
        fn cancel_payment(
            &self,
            input: Self::CancelPaymentInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::CancelPaymentOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
        /// What `reconcile` receives: the event, the state's effective input (after `InputPath` and `Parameters`). Use `serde_json::Value` to take it untyped.
        type ReconcileInput: ::asl_runtime::__private::serde::de::DeserializeOwned
            + Send
            + 'static;
        /// What `reconcile` returns: the function's payload, the task result (before `ResultSelector` and `ResultPath`); an error becomes the function's error document, as on AWS.
        type ReconcileOutput: ::asl_runtime::__private::serde::Serialize
            + Send
            + 'static;
        /// Runs `arn:aws:lambda:us-east-1:123456789012:function:Reconcile`, invoked by `Reconciliation`.
        fn reconcile(
            &self,
            input: Self::ReconcileInput,
            ctx: ::asl_runtime::TaskContext,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<
                Self::ReconcileOutput,
                ::asl_runtime::TaskError,
            >,
        > + Send;
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
                ("arn:aws:lambda:us-east-1:123456789012:function:InitPayment", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::InitPaymentInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::init_payment(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                ("arn:aws:lambda:us-east-1:123456789012:function:ChargeCard", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::ChargeCardInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::charge_card(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                ("arn:aws:lambda:us-east-1:123456789012:function:CompletePayment", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::CompletePaymentInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::complete_payment(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                ("arn:aws:lambda:us-east-1:123456789012:function:CancelPayment", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::CancelPaymentInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::cancel_payment(
                                    &tasks,
                                    input,
                                    request.context,
                                )
                                .await?;
                            ::asl_runtime::__private::to_output(output)
                        }),
                    )
                }
                ("arn:aws:lambda:us-east-1:123456789012:function:Reconcile", _) => {
                    ::asl_runtime::__private::as_lambda(
                        request,
                        move |request| ::std::boxed::Box::pin(async move {
                            let input: T::ReconcileInput = ::asl_runtime::__private::from_input(
                                request.input,
                            )?;
                            let output = <T as Tasks>::reconcile(
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
    /// What `init_payment` receives from `Init`, whose templates fix these keys. Use it as `type InitPaymentInput = payment::InitPaymentInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct InitPaymentInput {
        /// `orderId`.
        #[serde(rename = "orderId")]
        pub order_id: ::asl_runtime::__private::serde_json::Value,
        /// `amount`.
        #[serde(rename = "amount")]
        pub amount: ::asl_runtime::__private::serde_json::Value,
        /// `currency`.
        #[serde(rename = "currency")]
        pub currency: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `charge_card` receives from `InProgress`, whose templates fix these keys. Use it as `type ChargeCardInput = payment::ChargeCardInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct ChargeCardInput {
        /// `transactionId`.
        #[serde(rename = "transactionId")]
        pub transaction_id: ::asl_runtime::__private::serde_json::Value,
        /// `amount`.
        #[serde(rename = "amount")]
        pub amount: ::asl_runtime::__private::serde_json::Value,
        /// `currency`.
        #[serde(rename = "currency")]
        pub currency: ::asl_runtime::__private::serde_json::Value,
        /// `card`.
        #[serde(rename = "card")]
        pub card: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `complete_payment` receives from `Completed`, whose templates fix these keys. Use it as `type CompletePaymentInput = payment::CompletePaymentInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct CompletePaymentInput {
        /// `transactionId`.
        #[serde(rename = "transactionId")]
        pub transaction_id: ::asl_runtime::__private::serde_json::Value,
        /// `authorization`.
        #[serde(rename = "authorization")]
        pub authorization: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `cancel_payment` receives from `Cancelled`, whose templates fix these keys. Use it as `type CancelPaymentInput = payment::CancelPaymentInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct CancelPaymentInput {
        /// `transactionId`.
        #[serde(rename = "transactionId")]
        pub transaction_id: ::asl_runtime::__private::serde_json::Value,
        /// `reason`.
        #[serde(rename = "reason")]
        pub reason: ::asl_runtime::__private::serde_json::Value,
    }
    /// What `reconcile` receives from `Reconciliation`, whose templates fix these keys. Use it as `type ReconcileInput = payment::ReconcileInput;` in your `Tasks`, or name a type of your own.
    #[derive(
        Debug,
        Clone,
        PartialEq,
        ::asl_runtime::__private::serde::Deserialize,
        ::asl_runtime::__private::serde::Serialize
    )]
    #[serde(crate = "::asl_runtime::__private::serde")]
    pub struct ReconcileInput {
        /// `transactionId`.
        #[serde(rename = "transactionId")]
        pub transaction_id: ::asl_runtime::__private::serde_json::Value,
        /// `orderId`.
        #[serde(rename = "orderId")]
        pub order_id: ::asl_runtime::__private::serde_json::Value,
        /// `amount`.
        #[serde(rename = "amount")]
        pub amount: ::asl_runtime::__private::serde_json::Value,
        /// `outcome`.
        #[serde(rename = "outcome")]
        pub outcome: ::asl_runtime::__private::serde_json::Value,
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
