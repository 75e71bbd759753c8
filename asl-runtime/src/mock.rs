//! Mocked Task responses in AWS Step Functions Local's `MockConfigFile`
//! format, so workflows can be tested without the services they call.
//!
//! ```json
//! {
//!   "StateMachines": {"Order": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!   "MockedResponses": {
//!     "ChargeOk": {
//!       "0": {"Throw": {"Error": "Gateway.Busy", "Cause": "try again"}},
//!       "1-2": {"Return": {"status": "APPROVED"}}
//!     }
//!   }
//! }
//! ```
//!
//! Each time a mocked Task state is invoked (retries included) it takes the
//! next response: the key `"0"` is the first invocation, `"1-2"` the second
//! and third. Past the last key, the last response repeats.
//!
//! Extensions, for what the format cannot say:
//!
//! * `{"ReturnPath": "$.Payload"}` returns what the path selects in the
//!   task's effective input (`"$"`: all of it), and `{"ReturnTemplate":
//!   {...}}` evaluates a payload template over it.
//! * `"DelaySeconds": n` on a response waits before answering (on the
//!   execution's clock, so timeouts can be tested in virtual time).
//! * A test case may map Lambda *functions* instead of states:
//!   `"LambdaFunctions": {"ChargeCard": "ChargeOk"}`. Any Task that invokes
//!   that function (by ARN or through `lambda:invoke`) gets the response as
//!   the function's result, shaped as AWS shapes it (the Invoke envelope, or
//!   an error whose cause is the function's error document; `Throw` may then
//!   carry a `StackTrace`). Invoking a function the test case does not map is
//!   `Lambda.ResourceNotFoundException`, as on AWS.

use crate::clock::BoxFuture;
use crate::error::StatesError;
use crate::jsonpath;
use crate::lambda;
use crate::payload;
use crate::task::{TaskError, TaskHandler, TaskRequest, no_handler};
use asl_spec::model::Template;
use asl_spec::path::Path;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A parsed mock configuration file.
#[derive(Debug, Clone)]
pub struct MockConfig {
    state_machines: Vec<(String, Vec<(String, TestCase)>)>,
    responses: HashMap<String, Arc<MockedResponse>>,
}

/// One test case: mocked states and mocked Lambda functions, by response name.
#[derive(Debug, Clone, Default)]
struct TestCase {
    states: Vec<(String, String)>,
    functions: Vec<(String, String)>,
}

/// One mocked response: what each invocation returns or throws.
#[derive(Debug)]
struct MockedResponse {
    /// `(first, last)` invocation (0-based, inclusive) and what it does.
    steps: Vec<(u32, u32, Reply)>,
}

#[derive(Debug)]
struct Reply {
    step: Step,
    delay: Option<std::time::Duration>,
    stack_trace: Option<Value>,
}

#[derive(Debug)]
enum Step {
    Return(Value),
    Throw(StatesError),
    ReturnPath(Path),
    ReturnTemplate(Template),
}

/// Why a mock file or a test case could not be used, and where in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    /// What is wrong.
    pub message: String,
    /// The keys leading to the place in the file (`["MockedResponses",
    /// "ChargeOk", "0"]`); empty for the file as a whole.
    pub at: Vec<String>,
    /// How to fix it, where a guess helps.
    pub hint: Option<String>,
}

impl MockError {
    fn new(message: impl Into<String>) -> MockError {
        MockError { message: message.into(), at: Vec::new(), hint: None }
    }

    /// The error, placed under `keys` of the file.
    fn within(mut self, keys: &[&str]) -> MockError {
        self.at.splice(0..0, keys.iter().map(|k| k.to_string()));
        self
    }

    /// The JSON pointer of [`MockError::at`] (`/MockedResponses/ChargeOk/0`).
    pub fn pointer(&self) -> String {
        self.at.iter().map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1"))).collect()
    }

    /// The error as a diagnostic positioned in the mock file's `text` (at
    /// the key of [`MockError::at`]), to render with
    /// [`asl_spec::SourceFile`] as definitions' problems are.
    pub fn diagnostic(&self, text: &str) -> asl_spec::Diagnostic {
        let mut found = asl_spec::Diagnostics::default();
        let mut node = asl_spec::json::parse(text, &mut found);
        let mut span = None;
        for key in &self.at {
            let Some(member) = node.as_ref().and_then(|n| n.get(key)) else { break };
            span = Some(member.key_span);
            node = Some(member.value.clone());
        }
        let d = asl_spec::Diagnostic::error(asl_spec::Code::InvalidMockConfig, self.message.clone())
            .location(self.pointer())
            .maybe_hint(self.hint.clone());
        match span {
            Some(span) => d.at(span, "here"),
            None => d,
        }
    }
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.at.is_empty() {
            write!(f, " (at {})", self.pointer())?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MockError {}

fn err<T>(msg: impl Into<String>) -> Result<T, MockError> {
    Err(MockError::new(msg))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>, MockError> {
    v.as_object().ok_or_else(|| MockError::new(format!("{what} must be a JSON object")))
}

impl MockConfig {
    /// Parses a mock configuration file's text.
    pub fn from_json(text: &str) -> Result<MockConfig, MockError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| MockError::new(format!("the mock file is not valid JSON: {e}")))?;
        let root = object(&root, "the mock file")?;
        let mut responses = HashMap::new();
        if let Some(r) = root.get("MockedResponses") {
            for (name, steps) in object(r, "`MockedResponses`").map_err(|e| e.within(&["MockedResponses"]))? {
                let parsed = parse_response(name, steps).map_err(|e| e.within(&["MockedResponses", name]))?;
                responses.insert(name.clone(), Arc::new(parsed));
            }
        }
        let mut state_machines = Vec::new();
        for (sm, body) in object(root.get("StateMachines").unwrap_or(&Value::Null), "`StateMachines`")? {
            let cases = object(
                object(body, &format!("state machine `{sm}`"))?.get("TestCases").unwrap_or(&Value::Null),
                &format!("`{sm}.TestCases`"),
            )?;
            let mut parsed = Vec::new();
            for (case, states) in cases {
                let mut test_case = TestCase::default();
                for (state, response) in object(states, &format!("test case `{case}`"))? {
                    if state == "LambdaFunctions" {
                        for (function, response) in object(response, &format!("test case `{case}`: `LambdaFunctions`"))?
                        {
                            let response = response_name(case, function, response, &responses).map_err(|e| {
                                e.within(&["StateMachines", sm, "TestCases", case, "LambdaFunctions", function])
                            })?;
                            test_case.functions.push((function.clone(), response));
                        }
                        continue;
                    }
                    let response = response_name(case, state, response, &responses)
                        .map_err(|e| e.within(&["StateMachines", sm, "TestCases", case, state]))?;
                    test_case.states.push((state.clone(), response));
                }
                parsed.push((case.clone(), test_case));
            }
            state_machines.push((sm.clone(), parsed));
        }
        Ok(MockConfig { state_machines, responses })
    }

    /// Checks the test cases of `state_machine` (the file's only one when
    /// `None`) against its `definition`: each state a test case mocks must be
    /// a Task state of the definition, at any depth. A misspelled state name
    /// would otherwise leave the real Task unmocked without a word.
    pub fn check(&self, state_machine: Option<&str>, definition: &asl_spec::Definition) -> Vec<MockError> {
        let (sm, cases) = match pick(&self.state_machines, state_machine, "state machine", "state machines") {
            Ok(found) => found,
            Err(e) => return vec![e.within(&["StateMachines"])],
        };
        let mut states: HashMap<&str, &'static str> = HashMap::new();
        asl_spec::model::visit_states(&definition.body, &mut |state| {
            states.insert(&state.name, state.kind.type_name());
        });
        let mut problems = Vec::new();
        for (case, test_case) in cases {
            for (state, _) in &test_case.states {
                let at = ["StateMachines", sm.as_str(), "TestCases", case.as_str(), state.as_str()];
                match states.get(state.as_str()) {
                    Some(&"Task") => {}
                    Some(other) => problems.push(
                        MockError::new(format!(
                            "test case `{case}` mocks `{state}`, a {other} state; only Task states are mocked"
                        ))
                        .within(&at),
                    ),
                    None => {
                        let mut e = MockError::new(format!(
                            "test case `{case}` mocks `{state}`, but the state machine has no state of that name"
                        ))
                        .within(&at);
                        e.hint = asl_spec::diag::closest(state, states.keys().copied())
                            .map(|c| format!("did you mean `{c}`?"));
                        problems.push(e);
                    }
                }
            }
        }
        problems
    }

    /// The names of the state machines in the file.
    pub fn state_machines(&self) -> Vec<&str> {
        self.state_machines.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// What runs the Tasks of one execution started with `test_case` of
    /// `state_machine` (as [`test_case`](MockConfig::test_case) picks it):
    /// its mocks, with the states they do not mock going to `fallback`; or,
    /// when the file has no such test case, a handler that fails each Task
    /// with `States.Runtime` saying so (the execution exists; its Tasks
    /// cannot run).
    pub fn handler(
        &self, state_machine: Option<&str>, test_case: Option<&str>, fallback: Option<Arc<dyn TaskHandler>>,
    ) -> Arc<dyn TaskHandler> {
        match self.test_case(state_machine, test_case) {
            Ok(mut mocks) => {
                mocks.fallback = fallback;
                Arc::new(mocks)
            }
            Err(e) => {
                let message = format!("the mock file has no test case for this execution: {e}");
                Arc::new(move |_: TaskRequest| {
                    let message = message.clone();
                    async move { Err(TaskError::new(crate::error::names::RUNTIME, message)) }
                })
            }
        }
    }

    /// The mocks of one test case. `state_machine` may be `None` when the
    /// file has exactly one; `test_case` may be `None` when that one has
    /// exactly one test case.
    pub fn test_case(&self, state_machine: Option<&str>, test_case: Option<&str>) -> Result<Mocks, MockError> {
        let (sm_name, cases) = pick(&self.state_machines, state_machine, "state machine", "state machines")?;
        let (_, case) =
            pick(cases, test_case, &format!("test case of `{sm_name}`"), &format!("test cases of `{sm_name}`"))?;
        let lookup =
            |pairs: &[(String, String)]| pairs.iter().map(|(k, r)| (k.clone(), self.responses[r].clone())).collect();
        Ok(Mocks {
            by_state: lookup(&case.states),
            functions: lookup(&case.functions),
            calls: Mutex::new(HashMap::new()),
            fallback: None,
        })
    }
}

fn response_name(
    case: &str, key: &str, response: &Value, responses: &HashMap<String, Arc<MockedResponse>>,
) -> Result<String, MockError> {
    let Some(name) = response.as_str() else {
        return err(format!("test case `{case}`: the response for `{key}` must be a name from `MockedResponses`"));
    };
    if !responses.contains_key(name) {
        return err(format!("test case `{case}`: `{key}` uses `{name}`, which `MockedResponses` does not define"));
    }
    Ok(name.to_string())
}

fn pick<'a, T>(
    items: &'a [(String, T)], wanted: Option<&str>, what: &str, plural: &str,
) -> Result<&'a (String, T), MockError> {
    let names = || items.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match wanted {
        Some(w) => items
            .iter()
            .find(|(n, _)| n == w)
            .ok_or_else(|| MockError::new(format!("no {what} named `{w}`; the file has {}", names()))),
        None if items.len() == 1 => Ok(&items[0]),
        None if items.is_empty() => err(format!("the file has no {plural}")),
        None => err(format!("the file has several {plural}: {}; choose one", names())),
    }
}

fn parse_response(name: &str, steps: &Value) -> Result<MockedResponse, MockError> {
    let mut out = Vec::new();
    for (range, step) in object(steps, &format!("mocked response `{name}`"))? {
        parse_step(name, range, step, &mut out).map_err(|e| e.within(&[range]))?;
    }
    out.sort_by_key(|(first, _, _)| *first);
    if out.is_empty() {
        return err(format!("mocked response `{name}` has no responses"));
    }
    Ok(MockedResponse { steps: out })
}

/// One `"range": {...}` of a mocked response, added to `out`.
fn parse_step(name: &str, range: &str, step: &Value, out: &mut Vec<(u32, u32, Reply)>) -> Result<(), MockError> {
    {
        let bad_range = || {
            MockError::new(format!(
                "mocked response `{name}`: `{range}` is not an invocation number or range such as `0` or `1-2`"
            ))
        };
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().map_err(|_| bad_range())?, b.parse::<u32>().map_err(|_| bad_range())?),
            None => {
                let n = range.parse::<u32>().map_err(|_| bad_range())?;
                (n, n)
            }
        };
        if first > last {
            return Err(bad_range());
        }
        let step = object(step, &format!("mocked response `{name}` `{range}`"))?;
        let delay = match step.get("DelaySeconds") {
            None => None,
            Some(v) => Some(std::time::Duration::from_secs_f64(
                v.as_f64().filter(|s| *s >= 0.0 && s.is_finite()).ok_or_else(|| {
                    MockError::new(format!("mocked response `{name}`: `DelaySeconds` must be a non-negative number"))
                })?,
            )),
        };
        let stack_trace = step.get("Throw").and_then(|t| t.get("StackTrace")).cloned();
        let parsed = match (step.get("Return"), step.get("Throw"), step.get("ReturnPath"), step.get("ReturnTemplate")) {
            (Some(v), None, None, None) => Step::Return(v.clone()),
            _ if step.keys().any(|k| {
                !["Return", "Throw", "ReturnPath", "ReturnTemplate", "DelaySeconds"].contains(&k.as_str())
            }) =>
            {
                return err(format!(
                    "mocked response `{name}` `{range}` has an unknown field; use `Return`, `Throw`, `ReturnPath`, `ReturnTemplate` or `DelaySeconds`"
                ));
            }
            (None, Some(t), None, None) => {
                let t = object(t, "`Throw`")?;
                let error = t.get("Error").and_then(Value::as_str).ok_or_else(|| {
                    MockError::new(format!("mocked response `{name}`: `Throw` needs an `Error` string"))
                })?;
                let cause = t.get("Cause").and_then(Value::as_str);
                Step::Throw(StatesError { error: error.to_string(), cause: cause.map(str::to_string) })
            }
            (None, None, Some(p), None) => {
                let text = p.as_str().ok_or_else(|| {
                    MockError::new(format!("mocked response `{name}`: `ReturnPath` must be a path string"))
                })?;
                Step::ReturnPath(
                    Path::parse(text)
                        .map_err(|e| MockError::new(format!("mocked response `{name}`: `ReturnPath`: {e}")))?,
                )
            }
            (None, None, None, Some(t)) => Step::ReturnTemplate(asl_spec::template_from_value(t).map_err(|e| {
                MockError::new(format!("mocked response `{name}`: `ReturnTemplate`: {}", e.join("; ")))
            })?),
            _ => {
                return err(format!(
                    "mocked response `{name}` `{range}` needs exactly one of `Return`, `Throw`, `ReturnPath` or `ReturnTemplate`"
                ));
            }
        };
        out.push((first, last, Reply { step: parsed, delay, stack_trace }));
    }
    Ok(())
}

/// The mocked Task responses of one test case; a [`TaskHandler`].
pub struct Mocks {
    by_state: HashMap<String, Arc<MockedResponse>>,
    functions: HashMap<String, Arc<MockedResponse>>,
    calls: Mutex<HashMap<String, u32>>,
    fallback: Option<Arc<dyn TaskHandler>>,
}

impl fmt::Debug for Mocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mocks")
            .field("states", &self.by_state.keys().collect::<Vec<_>>())
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Mocks {
    /// Task states without a mock go to `handler` (by default they fail the
    /// execution, since no handler exists for them).
    pub fn with_fallback(mut self, handler: impl TaskHandler) -> Self {
        self.fallback = Some(Arc::new(handler));
        self
    }

    /// The reply for the next invocation counted under `key`.
    fn next_reply(&self, key: String, response: &Arc<MockedResponse>) -> Option<(Arc<MockedResponse>, usize)> {
        let attempt = {
            let mut calls = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = calls.entry(key).or_insert(0);
            let attempt = *n;
            *n += 1;
            attempt
        };
        let index = response
            .steps
            .iter()
            .position(|(first, last, _)| (*first..=*last).contains(&attempt))
            .unwrap_or(response.steps.len().checked_sub(1)?);
        Some((response.clone(), index))
    }
}

/// What a reply produces from the (effective or function) input.
fn produce(step: &Step, input: &Value) -> Result<Value, StatesError> {
    let roots = payload::InputOnly(input);
    match step {
        Step::Return(v) => Ok(v.clone()),
        Step::Throw(e) => Err(e.clone()),
        Step::ReturnPath(p) => jsonpath::select(p, &roots).map(std::borrow::Cow::into_owned).map_err(|_| {
            StatesError::new(
                crate::error::names::RUNTIME,
                format!("the mock's ReturnPath '{}' selects nothing in the task input", p.text),
            )
        }),
        Step::ReturnTemplate(t) => {
            payload::evaluate(t, &roots).map_err(|f| StatesError::new(f.error, f.into_message()))
        }
    }
}

/// Partition, region and account from an execution ARN, for error texts.
fn identity_of(execution_arn: &str) -> crate::identity::Identity {
    let parts: Vec<&str> = execution_arn.split(':').collect();
    let mut identity = crate::identity::Identity::default();
    if let [_, partition, _, region, account, ..] = parts.as_slice() {
        identity.partition = partition.to_string();
        identity.region = region.to_string();
        identity.account_id = account.to_string();
    }
    identity
}

impl TaskHandler for Mocks {
    fn replayed(&self, request: &TaskRequest) {
        // The same count as `invoke` keeps, so that the call after a replay
        // gets the reply its number says.
        if let Some(response) = self.by_state.get(request.context.state_name()) {
            self.next_reply(format!("state:{}", request.context.state_name()), response);
        } else if let Some((_, name)) = lambda::target(request.resource(), &request.input)
            && let Some(response) = self.functions.get(&name)
        {
            self.next_reply(format!("function:{name}"), response);
        } else if let Some(fallback) = &self.fallback {
            fallback.replayed(request);
        }
    }

    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        if let Some(response) = self.by_state.get(request.context.state_name()) {
            let reply = self.next_reply(format!("state:{}", request.context.state_name()), response);
            return Box::pin(async move {
                let (response, index) = reply.ok_or_else(|| no_handler(request.resource()))?;
                let reply = &response.steps[index].2;
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                produce(&reply.step, &request.input)
            });
        }
        if !self.functions.is_empty()
            && let Some((integration, name)) = lambda::target(request.resource(), &request.input)
        {
            let reply = self.functions.get(&name).and_then(|r| self.next_reply(format!("function:{name}"), r));
            return Box::pin(async move {
                let Some((response, index)) = reply else {
                    return Err(lambda::not_found(&name, &identity_of(request.context.execution_arn())));
                };
                let reply = &response.steps[index].2;
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                let event = lambda::event(&integration, &request.input);
                lambda::shape(&integration, &request.input, produce(&reply.step, &event), reply.stack_trace.as_ref())
            });
        }
        match &self.fallback {
            Some(h) => h.invoke(request),
            None => {
                let error = StatesError::new(
                    crate::error::names::RUNTIME,
                    format!(
                        "no mocked response for the Task state '{}' in this test case",
                        request.context.state_name()
                    ),
                );
                Box::pin(async move { Err(error) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::TaskContext;
    use serde_json::json;

    const FILE: &str = r#"{
        "StateMachines": {"M": {"TestCases": {"Happy": {"Charge": "Flaky", "Echo": "Same"}}}},
        "MockedResponses": {
            "Flaky": {"0": {"Throw": {"Error": "Busy", "Cause": "later"}}, "1-2": {"Return": {"ok": true}}},
            "Same": {"0": {"ReturnTemplate": {"got.$": "$.x", "n": 1}}}
        }}"#;

    fn call(m: &Mocks, state: &str, input: Value) -> Result<Value, TaskError> {
        let request = TaskRequest { input, context: TaskContext::detached(state, "r") };
        futures_util::FutureExt::now_or_never(m.invoke(request)).unwrap()
    }

    #[test]
    fn responses_follow_invocation_ranges() {
        let mocks = MockConfig::from_json(FILE).unwrap().test_case(None, None).unwrap();
        assert_eq!(call(&mocks, "Charge", json!({})).unwrap_err().error, "Busy");
        assert_eq!(call(&mocks, "Charge", json!({})).unwrap(), json!({"ok": true}));
        assert_eq!(call(&mocks, "Charge", json!({})).unwrap(), json!({"ok": true}));
        assert_eq!(call(&mocks, "Charge", json!({})).unwrap(), json!({"ok": true}), "the last response repeats");
        assert_eq!(call(&mocks, "Echo", json!({"x": [1]})).unwrap(), json!({"got": [1], "n": 1}));
        assert_eq!(call(&mocks, "Other", json!({})).unwrap_err().error, "States.Runtime");
    }

    #[test]
    fn a_malformed_response_is_refused_at_its_place() {
        let file = "{\"MockedResponses\": {\"Ok\": {\"0\": {\"Return\": 1}},\n  \"Bad\": {\"2-1\": {\"Return\": 2}}}}";
        let e = MockConfig::from_json(file).unwrap_err();
        assert_eq!(e.at, ["MockedResponses", "Bad", "2-1"]);
        let d = e.diagnostic(file);
        let span = d.span.expect("positioned");
        assert_eq!(&file[span.start..span.end], "\"2-1\"");
        assert_eq!(asl_spec::SourceFile { name: "m.json", text: file }.line_col(span.start), (2, 11));
    }

    #[test]
    fn test_cases_are_checked_against_the_definition() {
        let definition = asl_spec::load(
            r#"{"StartAt": "Charge", "States": {
                "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:c", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [{"StartAt": "Echo", "States": {
                    "Echo": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:e", "End": true}}}],
                    "End": true}}}"#,
        )
        .valid()
        .unwrap();
        let config = MockConfig::from_json(FILE).unwrap();
        assert!(config.check(None, &definition).is_empty(), "Echo, in a branch, is a Task of the machine");
        let typo = FILE
            .replace("\"Charge\": \"Flaky\"", "\"Chrage\": \"Flaky\"")
            .replace("\"Echo\": \"Same\"", "\"P\": \"Same\"");
        let problems = MockConfig::from_json(&typo).unwrap().check(None, &definition);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].at, ["StateMachines", "M", "TestCases", "Happy", "Chrage"]);
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `Charge`?"));
        assert!(problems[1].message.contains("a Parallel state; only Task states are mocked"), "{}", problems[1]);
        let unknown = config.check(Some("Nope"), &definition);
        assert!(unknown[0].message.contains("no state machine named `Nope`"), "{}", unknown[0]);
    }

    #[test]
    fn function_mocks_are_shaped_like_lambda() {
        let file = r#"{"StateMachines": {"M": {"TestCases": {"T": {"LambdaFunctions": {"echo": "Echo", "boom": "Boom"}}}}},
            "MockedResponses": {"Echo": {"0": {"ReturnPath": "$"}},
                                "Boom": {"0": {"Throw": {"Error": "Exception", "Cause": "bad", "StackTrace": ["line 1"]}}}}}"#;
        let mocks = MockConfig::from_json(file).unwrap().test_case(None, None).unwrap();
        let invoke = |resource: &str, input: Value| {
            let request = TaskRequest { input, context: TaskContext::detached("S", resource) };
            futures_util::FutureExt::now_or_never(mocks.invoke(request)).unwrap()
        };
        // A function ARN: the payload itself.
        assert_eq!(invoke("arn:aws:lambda:us-east-1:1:function:echo", json!({"a": 1})).unwrap(), json!({"a": 1}));
        // lambda:invoke: the Invoke envelope around the payload.
        let out = invoke("arn:aws:states:::lambda:invoke", json!({"FunctionName": "echo", "Payload": "[1]"})).unwrap();
        assert_eq!((out["Payload"].clone(), out["StatusCode"].clone()), (json!([1]), json!(200)));
        // Errors carry the function's error document as the cause.
        let e = invoke("arn:aws:states:::lambda:invoke", json!({"FunctionName": "boom"})).unwrap_err();
        assert_eq!(e.error, "Exception");
        let doc: Value = serde_json::from_str(e.cause.as_deref().unwrap()).unwrap();
        assert_eq!((doc["errorMessage"].as_str(), doc["stackTrace"].clone()), (Some("bad"), json!(["line 1"])));
        // A function the test case does not know does not exist.
        let e = invoke("arn:aws:states:::lambda:invoke", json!({"FunctionName": "nope"})).unwrap_err();
        assert_eq!(e.error, "Lambda.ResourceNotFoundException");
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(MockConfig::from_json("{").unwrap_err().message.contains("not valid JSON"));
        let missing = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}"#;
        assert!(MockConfig::from_json(missing).unwrap_err().message.contains("does not define"));
        let range = r#"{"StateMachines": {}, "MockedResponses": {"R": {"2-1": {"Return": 1}}}}"#;
        assert!(MockConfig::from_json(range).unwrap_err().message.contains("not an invocation number"));
        let config = MockConfig::from_json(FILE).unwrap();
        assert!(config.test_case(Some("X"), None).unwrap_err().message.contains("no state machine named `X`"));
    }
}
