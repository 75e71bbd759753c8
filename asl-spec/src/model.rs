//! The typed model of a state machine: every state type with every field AWS
//! documents, paths, templates, intrinsic calls and Choice rules already parsed.
//!
//! JSONata expressions are compiled when the definition loads ([`Jsonata`]).

use crate::diag::Span;
use crate::fields::StateType;
use crate::intrinsic::Call;
pub use crate::jsonata::{Expr, Jsonata};
use crate::path::Path;
use serde_json::Value;
use std::sync::Arc;

/// Which query language a state evaluates its fields with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::QueryLanguage"))]
pub enum QueryLanguage {
    /// JSONPath (the default).
    #[default]
    JsonPath,
    /// JSONata.
    Jsonata,
}

impl QueryLanguage {
    /// The name as written in a definition.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

/// A whole state machine definition.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Definition"))]
pub struct Definition {
    /// `Comment`.
    pub comment: Option<String>,
    /// `Version`.
    pub version: Option<String>,
    /// `TimeoutSeconds` of the whole execution.
    pub timeout_seconds: Option<u64>,
    /// The machine-wide `QueryLanguage`.
    pub query_language: QueryLanguage,
    /// `StartAt` and `States`.
    pub body: Scope,
    /// How many states the definition has, in every branch and processor.
    pub state_count: u32,
}

/// A `StartAt` + `States` pair: the machine itself, a Parallel branch or a
/// Map item processor. Transitions never leave a scope.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Scope"))]
pub struct Scope {
    /// The first state's name.
    pub start_at: String,
    /// Span of the `StartAt` value.
    pub start_at_span: Span,
    /// Index of the first state in `states`.
    pub start_index: usize,
    /// The states, in source order.
    pub states: Vec<State>,
    /// Names of states that exist in the source but failed to load. Only
    /// diagnostics use this, so one broken state does not also make every
    /// transition to it an error.
    pub unloaded: Vec<String>,
}

impl Scope {
    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| &*s.name == name)
    }
    /// Position of the state named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| &*s.name == name)
    }
    /// Whether every state runs without waiting (Pass, Choice, Succeed and
    /// Fail only), so the scope can run to its end without suspending.
    pub fn never_waits(&self) -> bool {
        self.states.iter().all(|s| !s.kind.waits())
    }
}

/// Where a state goes when it is done.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Transition"))]
pub enum Transition {
    /// `Next`: the named state (its index in the scope is resolved at load time).
    Next(Target),
    /// `End: true`.
    End,
    /// Choice, Succeed and Fail states decide for themselves.
    None,
}

/// A transition target: a state name and its index in the enclosing scope.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Target"))]
pub struct Target {
    /// The state's name.
    pub name: String,
    /// Span of the name in the source.
    pub span: Span,
    /// Index of the state in its scope (`usize::MAX` until resolved).
    pub index: usize,
}

/// One state.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::State"))]
pub struct State {
    /// The state's name (shared: history events and task requests carry it).
    pub name: Arc<str>,
    /// Span of the name key.
    pub span: Span,
    /// `Comment`.
    pub comment: Option<String>,
    /// The query language in effect for this state.
    pub query_language: QueryLanguage,
    /// What kind of state it is, with its type-specific fields.
    pub kind: StateKind,
    /// `Next` / `End`.
    pub transition: Transition,
    /// The JSONPath input/output fields.
    pub io: Io,
    /// `Assign` (variables).
    pub assign: Option<Assign>,
    /// `Output` (JSONata).
    pub output: Option<Jsonata>,
    /// The state's number in the whole definition, its branches and item
    /// processors included, in [`visit_states`] order (0 to
    /// [`Definition::state_count`]): a runtime keeps what it works out about
    /// each state in a table indexed by it.
    pub id: u32,
    /// Whether the state's own fields mention the context object (`$$`,
    /// `$states.context`), so a runtime need only note the entry time for
    /// `$$.State.EnteredTime` when this is set (or history is kept).
    pub reads_context: bool,
}

/// A path field that may also be `null` (`InputPath`, `OutputPath`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::NullablePath"))]
pub enum NullablePath {
    /// `null`: the state sees (or emits) `{}`.
    Null,
    /// A path.
    Path(Path),
}

/// `ResultPath`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ResultPath"))]
pub enum ResultPath {
    /// `null`: the result is discarded and the input passes through.
    Discard,
    /// A reference path where the result is placed (`$` replaces the input).
    Path(Path),
}

/// JSONPath-mode input and output processing. Absent fields hold their defaults.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Io"))]
pub struct Io {
    /// `InputPath` (default `$`).
    pub input_path: NullablePath,
    /// `Parameters`, or `ItemSelector` on a Map.
    pub parameters: Option<Template>,
    /// `ResultSelector`.
    pub result_selector: Option<Template>,
    /// `ResultPath` (default `$`).
    pub result_path: ResultPath,
    /// `OutputPath` (default `$`).
    pub output_path: NullablePath,
    /// `Arguments` (JSONata).
    pub arguments: Option<Jsonata>,
}

impl Default for Io {
    fn default() -> Self {
        let root = || Path::parse("$").expect("`$` is a path");
        Io {
            input_path: NullablePath::Path(root()),
            parameters: None,
            result_selector: None,
            result_path: ResultPath::Path(root()),
            output_path: NullablePath::Path(root()),
            arguments: None,
        }
    }
}

/// `Assign`: variable names and the values they take when the state ends.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Assign"))]
pub enum Assign {
    /// In a JSONPath state: a template whose `name.$` members are paths or
    /// intrinsic calls (the key is stored without `.$`).
    JsonPath(Template),
    /// In a JSONata state: an object whose values may hold expressions.
    Jsonata(Jsonata),
}

/// A payload template: JSON whose `"key.$"` members are evaluated.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Template"))]
pub enum Template {
    /// A constant.
    Literal(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json"))] Value),
    /// An object with at least one dynamic member somewhere inside.
    Object(ObjectTemplate),
    /// An array with at least one dynamic element somewhere inside.
    Array(Vec<Template>),
    /// The value of a `"key.$": "$.path"` member (key stored without `.$`).
    Path(Path),
    /// The value of a `"key.$": "States.X(...)"` member.
    Call(Call),
}

/// An object template's members (keys without `.$`), in order.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ObjectTemplate"))]
pub struct ObjectTemplate {
    /// Each member's key and template.
    pub fields: Vec<(String, Template)>,
    /// The object with every literal member filled in and every dynamic one
    /// `null`, in the same order: cloning it builds the result without
    /// hashing a key again.
    #[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json_map"))]
    pub skeleton: serde_json::Map<String, Value>,
    /// The length of the result's compact JSON text less its dynamic
    /// members' values: braces, commas, keys and literal members. With a
    /// bound of the dynamic values, it bounds the result's size without
    /// walking it.
    pub fixed_len: usize,
    /// Bit `i` is set when member `i` (of the first 64) is `"k.$": "$.k"`,
    /// its own key's member of the input: where the input is the value
    /// being rebuilt, that member is already in place.
    pub same_named: u64,
}

impl ObjectTemplate {
    /// The template of an object with these members.
    pub fn new(fields: Vec<(String, Template)>) -> Self {
        let skeleton = fields
            .iter()
            .map(|(k, t)| (k.clone(), if let Template::Literal(v) = t { v.clone() } else { Value::Null }))
            .collect();
        let text_len = |v: &Value| serde_json::to_string(v).map_or(0, |t| t.len());
        let members: usize = fields
            .iter()
            .map(|(k, t)| {
                // `"key":`, and the literal's text.
                let key = text_len(&Value::String(k.clone())) + 1;
                key + if let Template::Literal(v) = t { text_len(v) } else { 0 }
            })
            .sum();
        let fixed_len = 2 + fields.len().saturating_sub(1) + members;
        let same_named = fields.iter().take(64).enumerate().fold(0, |bits, (i, (key, template))| {
            let own = matches!(template, Template::Path(p) if p.input_member() == Some(key.as_str()));
            bits | (u64::from(own) << i)
        });
        ObjectTemplate { fields, skeleton, fixed_len, same_named }
    }
}

/// The type-specific part of a state.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::StateKind"))]
pub enum StateKind {
    /// `Pass`.
    Pass(Pass),
    /// `Task`.
    Task(Box<Task>),
    /// `Choice`.
    Choice(Choice),
    /// `Wait`.
    Wait(Wait),
    /// `Succeed`.
    Succeed,
    /// `Fail`.
    Fail(Fail),
    /// `Parallel`.
    Parallel(Box<Parallel>),
    /// `Map`.
    Map(Box<Map>),
}

impl StateKind {
    /// The state type.
    pub fn state_type(&self) -> StateType {
        match self {
            StateKind::Pass(_) => StateType::Pass,
            StateKind::Task(_) => StateType::Task,
            StateKind::Choice(_) => StateType::Choice,
            StateKind::Wait(_) => StateType::Wait,
            StateKind::Succeed => StateType::Succeed,
            StateKind::Fail(_) => StateType::Fail,
            StateKind::Parallel(_) => StateType::Parallel,
            StateKind::Map(_) => StateType::Map,
        }
    }

    /// The `Type` value.
    pub fn type_name(&self) -> &'static str {
        self.state_type().name()
    }

    /// Whether the state may wait (Task, Wait, Parallel, Map); Pass,
    /// Choice, Succeed and Fail run to their end at once.
    #[inline]
    pub fn waits(&self) -> bool {
        self.state_type().waits()
    }
}

/// Pass state fields.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Pass"))]
pub struct Pass {
    /// `Result`: a literal, never a template.
    #[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::option_json"))]
    pub result: Option<Value>,
}

/// A number of seconds given literally, by path, or by JSONata.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Seconds"))]
pub enum Seconds {
    /// A literal.
    Fixed(u64),
    /// A `*Path` field.
    Path(Path),
    /// A JSONata `{% %}` string.
    Jsonata(Expr),
}

/// How a Task waits for its resource: AWS's service integration patterns,
/// named by the suffix of the `Resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Integration"))]
pub enum Integration {
    /// No suffix: call the resource and take its answer.
    RequestResponse,
    /// `.sync` (or `.sync:2`): start a job and wait for it to finish.
    Sync,
    /// `.waitForTaskToken`: hand out a task token and wait for it to come back.
    WaitForTaskToken,
}

impl Integration {
    /// The pattern a `Resource` names.
    pub fn of(resource: &str) -> Integration {
        if resource.ends_with(".waitForTaskToken") {
            Integration::WaitForTaskToken
        } else if resource.ends_with(".sync") || resource.contains(".sync:") {
            Integration::Sync
        } else {
            Integration::RequestResponse
        }
    }
}

/// Task state fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Task"))]
pub struct Task {
    /// `Resource` (shared: every task request carries it).
    pub resource: Arc<str>,
    /// The integration pattern the `Resource` names (read once, at load).
    pub integration: Integration,
    /// Span of the `Resource` value.
    pub resource_span: Span,
    /// `TimeoutSeconds` / `TimeoutSecondsPath` (default 99999999).
    pub timeout: Option<Seconds>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: Option<Seconds>,
    /// `Credentials`, as written.
    #[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::option_json"))]
    pub credentials: Option<Value>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// `JitterStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Jitter"))]
pub enum Jitter {
    /// No jitter.
    #[default]
    None,
    /// Full jitter: a random delay between 0 and the computed interval.
    Full,
}

/// One `Retry` entry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Retrier"))]
pub struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3).
    pub max_attempts: u64,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy`.
    pub jitter: Jitter,
}

/// One `Catch` entry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Catcher"))]
pub struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `Next`.
    pub next: Target,
    /// `ResultPath` (default `$`).
    pub result_path: ResultPath,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Output` (JSONata).
    pub output: Option<Jsonata>,
}

/// Choice state fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Choice"))]
pub struct Choice {
    /// `Choices`, in order.
    pub choices: Vec<ChoiceBranch>,
    /// `Default`.
    pub default: Option<Target>,
}

/// A top-level Choice rule with its `Next`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ChoiceBranch"))]
pub struct ChoiceBranch {
    /// The condition.
    pub rule: Rule,
    /// `Next`.
    pub next: Target,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Output` (JSONata).
    pub output: Option<Jsonata>,
}

/// A Choice condition.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Rule"))]
pub enum Rule {
    /// `And`.
    And(Vec<Rule>),
    /// `Or`.
    Or(Vec<Rule>),
    /// `Not`.
    Not(Box<Rule>),
    /// `Variable` + one comparison operator.
    Compare(Comparison),
    /// JSONata `Condition`: an expression or a boolean.
    Condition(Jsonata),
}

/// `Variable` compared by one operator.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Comparison"))]
pub struct Comparison {
    /// `Variable`.
    pub variable: Path,
    /// The operator (without any `Path` suffix).
    pub op: Operator,
    /// The operand: a literal, or a path for the `*Path` forms.
    pub operand: Operand,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Operand"))]
pub enum Operand {
    /// A literal value.
    Literal(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json"))] Value),
    /// The `*Path` form's path.
    Path(Path),
}

macro_rules! operators {
    ($($variant:ident => $name:literal,)*) => {
        /// A Choice comparison operator.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Operator"))]
        pub enum Operator { $(#[doc = $name] $variant,)* }
        impl Operator {
            /// Every operator.
            pub const ALL: &'static [Operator] = &[$(Operator::$variant,)*];
            /// The field name (`StringEquals`).
            pub fn name(self) -> &'static str { match self { $(Operator::$variant => $name,)* } }
        }
    };
}

operators! {
    StringEquals => "StringEquals",
    StringLessThan => "StringLessThan",
    StringGreaterThan => "StringGreaterThan",
    StringLessThanEquals => "StringLessThanEquals",
    StringGreaterThanEquals => "StringGreaterThanEquals",
    StringMatches => "StringMatches",
    NumericEquals => "NumericEquals",
    NumericLessThan => "NumericLessThan",
    NumericGreaterThan => "NumericGreaterThan",
    NumericLessThanEquals => "NumericLessThanEquals",
    NumericGreaterThanEquals => "NumericGreaterThanEquals",
    BooleanEquals => "BooleanEquals",
    TimestampEquals => "TimestampEquals",
    TimestampLessThan => "TimestampLessThan",
    TimestampGreaterThan => "TimestampGreaterThan",
    TimestampLessThanEquals => "TimestampLessThanEquals",
    TimestampGreaterThanEquals => "TimestampGreaterThanEquals",
    IsNull => "IsNull",
    IsPresent => "IsPresent",
    IsNumeric => "IsNumeric",
    IsString => "IsString",
    IsBoolean => "IsBoolean",
    IsTimestamp => "IsTimestamp",
}

/// What kind of literal an operator compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::OperandType"))]
pub enum OperandType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An RFC 3339 timestamp string.
    Timestamp,
}

impl Operator {
    /// The literal type the operator takes.
    pub fn operand_type(self) -> OperandType {
        use Operator::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => OperandType::String,
            NumericEquals | NumericLessThan | NumericGreaterThan | NumericLessThanEquals | NumericGreaterThanEquals => {
                OperandType::Number
            }
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => OperandType::Timestamp,
            BooleanEquals | IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => OperandType::Boolean,
        }
    }

    /// Whether a `…Path` form exists (`Is*` and `StringMatches` have none).
    pub fn has_path_form(self) -> bool {
        !matches!(
            self,
            Operator::IsNull
                | Operator::IsPresent
                | Operator::IsNumeric
                | Operator::IsString
                | Operator::IsBoolean
                | Operator::IsTimestamp
                | Operator::StringMatches
        )
    }
}

/// How long a Wait state waits.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Wait"))]
pub enum Wait {
    /// `Seconds` (or a JSONata `Seconds`).
    Seconds(Seconds),
    /// `Timestamp`: an RFC 3339 string.
    Timestamp(String),
    /// `TimestampPath`.
    TimestampPath(Path),
    /// JSONata `Timestamp`.
    TimestampJsonata(Expr),
}

/// A Fail state's `Error` or `Cause`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::FailText"))]
pub enum FailText {
    /// A literal.
    Literal(String),
    /// A JSONata `{% %}` string.
    Jsonata(Expr),
    /// `ErrorPath` / `CausePath` given as a path.
    Path(Path),
    /// `ErrorPath` / `CausePath` given as an intrinsic call.
    Call(Call),
}

/// Fail state fields.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Fail"))]
pub struct Fail {
    /// `Error` / `ErrorPath`.
    pub error: Option<FailText>,
    /// `Cause` / `CausePath`.
    pub cause: Option<FailText>,
}

/// Parallel state fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Parallel"))]
pub struct Parallel {
    /// `Branches`.
    pub branches: Vec<Scope>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// `ProcessorConfig.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ProcessorMode"))]
pub enum ProcessorMode {
    /// Iterations run inside the execution.
    #[default]
    Inline,
    /// Iterations run as child executions.
    Distributed,
}

/// A count given literally, by path, or by JSONata (`MaxConcurrency`, …).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Count"))]
pub enum Count {
    /// A literal number.
    Fixed(#[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::json"))] Value),
    /// The `…Path` form.
    Path(Path),
    /// A JSONata `{% %}` string.
    Jsonata(Expr),
}

/// Map state fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::Map"))]
pub struct Map {
    /// `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Scope,
    /// `ProcessorConfig.Mode`.
    pub mode: ProcessorMode,
    /// `ProcessorConfig.ExecutionType` (distributed mode).
    pub execution_type: Option<String>,
    /// `ItemsPath` (default `$`).
    pub items_path: Path,
    /// `Items` (JSONata): an array, or an expression giving one.
    pub items: Option<Jsonata>,
    /// `ItemSelector` of a JSONata Map (a JSONPath Map keeps it in
    /// [`Io::parameters`]).
    pub item_selector: Option<Jsonata>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 = unbounded).
    pub max_concurrency: Option<Count>,
    /// `ToleratedFailurePercentage` / `…Path`.
    pub tolerated_failure_percentage: Option<Count>,
    /// `ToleratedFailureCount` / `…Path`.
    pub tolerated_failure_count: Option<Count>,
    /// `ItemReader`.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher`.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter`.
    pub result_writer: Option<ResultWriter>,
    /// `Label`.
    pub label: Option<String>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// `ItemReader`: where a distributed Map reads its items.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ItemReader"))]
pub struct ItemReader {
    /// `Resource` (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`).
    pub resource: String,
    /// `Parameters` (`Bucket`, `Key`, `Prefix`), in a JSONPath state.
    pub parameters: Option<Template>,
    /// `Arguments`, the same in a JSONata state.
    pub arguments: Option<Jsonata>,
    /// `ReaderConfig.InputType` (`JSON`, `JSONL`, `CSV`, `MANIFEST`).
    pub input_type: Option<String>,
    /// `ReaderConfig.CSVHeaderLocation` (`FIRST_ROW` or `GIVEN`).
    pub csv_header_location: Option<String>,
    /// `ReaderConfig.CSVHeaders`.
    pub csv_headers: Option<Vec<String>>,
    /// `ReaderConfig.CSVDelimiter` (`COMMA`, `PIPE`, `SEMICOLON`, `SPACE`, `TAB`).
    pub csv_delimiter: Option<String>,
    /// `ReaderConfig.MaxItems` / `MaxItemsPath`.
    pub max_items: Option<Count>,
}

/// `ResultWriter`: where a distributed Map writes its results.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ResultWriter"))]
pub struct ResultWriter {
    /// `Resource` (`arn:aws:states:::s3:putObject`).
    pub resource: String,
    /// `Parameters` (`Bucket`, `Prefix`), in a JSONPath state.
    pub parameters: Option<Template>,
    /// `Arguments`, the same in a JSONata state.
    pub arguments: Option<Jsonata>,
    /// `WriterConfig`, as written.
    #[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::option_json"))]
    pub writer_config: Option<Value>,
}

/// `ItemBatcher`: iterations receive `{"BatchInput": ..., "Items": [...]}`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "static-model", derive(serde::Serialize), serde(rename = "model::ItemBatcher"))]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `MaxItemsPerBatchPath`.
    pub max_items: Option<Count>,
    /// `MaxInputBytesPerBatch` / `MaxInputBytesPerBatchPath`.
    pub max_bytes: Option<Count>,
    /// `BatchInput`, as written (a JSONPath state).
    #[cfg_attr(feature = "static-model", serde(serialize_with = "crate::static_model::option_json"))]
    pub batch_input: Option<Value>,
    /// `BatchInput` of a JSONata state, whose `{% %}` strings are
    /// expressions.
    pub batch_input_jsonata: Option<Jsonata>,
}

/// What a group of Task states invokes: one resource, and for
/// `lambda:invoke` one function when `FunctionName` is written literally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTarget {
    /// The `Resource`.
    pub resource: String,
    /// The Lambda function `lambda:invoke` calls, reduced to its name
    /// ([`lambda_function_name`]), when `FunctionName` is a literal.
    pub function: Option<String>,
    /// The states that invoke it (any scope, first use first).
    pub states: Vec<String>,
}

impl Definition {
    /// Every Task target in the machine, including branches and processors
    /// (first use first): a resource, split by function for `lambda:invoke`.
    pub fn task_targets(&self) -> Vec<TaskTarget> {
        let mut out: Vec<TaskTarget> = Vec::new();
        visit_states(&self.body, &mut |state| {
            if let StateKind::Task(task) = &state.kind {
                let function = state.lambda_function().map(lambda_function_name);
                match out.iter_mut().find(|t| *t.resource == *task.resource && t.function == function) {
                    Some(target) => target.states.push(state.name.to_string()),
                    None => out.push(TaskTarget {
                        resource: task.resource.to_string(),
                        function,
                        states: vec![state.name.to_string()],
                    }),
                }
            }
        });
        out
    }
}

/// How a Task `Resource` reaches a Lambda function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaResource<'r> {
    /// The function's ARN (`…:function:NAME`): the result is its payload.
    Direct {
        /// The function's name.
        name: &'r str,
    },
    /// `arn:aws:states:::lambda:invoke` (and its `.waitForTaskToken` form):
    /// the function is the input's `FunctionName`, the result Lambda's
    /// Invoke response.
    Invoke,
}

/// Whether `resource` invokes a Lambda function, and how. (The one place
/// that says so: code generation and the runtime ask it.)
/// (Without allocating: the runtime asks it for every Task call it records.)
pub fn lambda_resource(resource: &str) -> Option<LambdaResource<'_>> {
    // `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` or
    // `arn:PARTITION:states:::lambda:invoke[.waitForTaskToken]`.
    let mut parts = resource.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    parts.next()?;
    match parts.next()? {
        "lambda" => {
            parts.next()?;
            parts.next()?;
            (parts.next()? == "function").then_some(())?;
            Some(LambdaResource::Direct { name: parts.next()? })
        }
        "states" => {
            let region_account = (parts.next()?, parts.next()?);
            let (service, action) = (parts.next()?, parts.next()?);
            let invoke = region_account == ("", "") && service == "lambda" && action.starts_with("invoke");
            (invoke && parts.next().is_none()).then_some(LambdaResource::Invoke)
        }
        _ => None,
    }
}

impl State {
    /// The literal `FunctionName` of a `lambda:invoke` Task (in `Parameters`
    /// or JSONata `Arguments`), as written.
    pub fn lambda_function(&self) -> Option<&str> {
        let StateKind::Task(task) = &self.kind else { return None };
        if lambda_resource(&task.resource) != Some(LambdaResource::Invoke) {
            return None;
        }
        match (&self.io.parameters, &self.io.arguments) {
            (Some(Template::Literal(Value::Object(members))), _)
            | (_, Some(crate::jsonata::Jsonata::Literal(Value::Object(members)))) => {
                members.get("FunctionName")?.as_str()
            }
            (Some(Template::Object(object)), _) => object.fields.iter().find_map(|(key, value)| match value {
                Template::Literal(Value::String(name)) if key == "FunctionName" => Some(name.as_str()),
                _ => None,
            }),
            (_, Some(crate::jsonata::Jsonata::Object(members))) => {
                members.iter().find_map(|(key, value)| match value {
                    crate::jsonata::Jsonata::Literal(Value::String(name)) if key == "FunctionName" => {
                        Some(name.as_str())
                    }
                    _ => None,
                })
            }
            _ => None,
        }
    }
}

/// A Lambda `FunctionName` (a name, a full or partial ARN, with or without
/// a version or alias) reduced to the function's name, as Lambda resolves it.
pub fn lambda_function_name(given: &str) -> String {
    let parts: Vec<&str> = given.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => name.to_string(),
        [_, "function", name, ..] => name.to_string(),
        [name, ..] => name.to_string(),
        [] => String::new(),
    }
}

/// Calls `f` on every state of `scope`, depth first, entering branches and processors.
pub fn visit_states<'a>(scope: &'a Scope, f: &mut impl FnMut(&'a State)) {
    visit_scoped(scope, None, &mut |state, _, _| f(state));
}

/// [`visit_states`], telling `f` also the scope each state is in (its
/// transitions index that scope's states) and the Parallel or Map state
/// around that scope (`parent`; `None` at the top level).
pub fn visit_scoped<'a>(
    scope: &'a Scope, parent: Option<&'a State>, f: &mut impl FnMut(&'a State, &'a Scope, Option<&'a State>),
) {
    for state in &scope.states {
        f(state, scope, parent);
        match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| visit_scoped(b, Some(state), f)),
            StateKind::Map(m) => visit_scoped(&m.processor, Some(state), f),
            _ => {}
        }
    }
}

/// Numbers every state in [`visit_states`] order ([`State::id`]); returns
/// how many there are.
pub(crate) fn number_states(scope: &mut Scope, next: &mut u32) {
    for state in &mut scope.states {
        state.id = *next;
        *next += 1;
        match &mut state.kind {
            StateKind::Parallel(p) => p.branches.iter_mut().for_each(|b| number_states(b, next)),
            StateKind::Map(m) => number_states(&mut m.processor, next),
            _ => {}
        }
    }
}

impl State {
    /// The states this one can transition to, in the order they appear
    /// (`Next`, then Choice rules, `Default`, then Catch targets), deduplicated.
    pub fn successors(&self) -> Vec<&Target> {
        fn add<'a>(t: &'a Target, out: &mut Vec<&'a Target>) {
            if !out.iter().any(|o| o.name == t.name) {
                out.push(t);
            }
        }
        let mut out: Vec<&Target> = Vec::new();
        if let Transition::Next(t) = &self.transition {
            add(t, &mut out);
        }
        let catchers: &[Catcher] = match &self.kind {
            StateKind::Choice(c) => {
                for b in &c.choices {
                    add(&b.next, &mut out);
                }
                if let Some(d) = &c.default {
                    add(d, &mut out);
                }
                &[]
            }
            StateKind::Task(t) => &t.catch,
            StateKind::Parallel(p) => &p.catch,
            StateKind::Map(m) => &m.catch,
            _ => &[],
        };
        for c in catchers {
            add(&c.next, &mut out);
        }
        out
    }

    /// Whether this state can end its scope (End, Succeed, Fail).
    pub fn is_terminal(&self) -> bool {
        matches!(self.transition, Transition::End) || matches!(self.kind, StateKind::Succeed | StateKind::Fail(_))
    }
}

#[cfg(test)]
mod lambda_tests {
    use super::{LambdaResource, lambda_resource};

    #[test]
    fn lambda_resources_are_told_apart() {
        let direct = |name| Some(LambdaResource::Direct { name });
        assert_eq!(lambda_resource("arn:aws:lambda:us-east-1:1:function:f"), direct("f"));
        assert_eq!(lambda_resource("arn:aws:lambda:us-east-1:1:function:f:live"), direct("f"));
        assert_eq!(lambda_resource("arn:aws:states:::lambda:invoke"), Some(LambdaResource::Invoke));
        assert_eq!(lambda_resource("arn:aws-cn:states:::lambda:invoke.waitForTaskToken"), Some(LambdaResource::Invoke));
        for other in [
            "arn:aws:lambda:us-east-1:1:function",
            "arn:aws:lambda:us-east-1:1:layer:f",
            "arn:aws:states:::lambda:invoke:extra",
            "arn:aws:states:us-east-1::lambda:invoke",
            "arn:aws:states:::sqs:sendMessage",
            "arn:aws:states:us-east-1:1:activity:a",
            "lambda:invoke",
            "",
        ] {
            assert_eq!(lambda_resource(other), None, "{other}");
        }
    }
}
