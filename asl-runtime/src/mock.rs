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
//! Two extensions answer from the task's own effective input, which plain
//! `Return` cannot: `{"ReturnPath": "$.Payload"}` returns what the path
//! selects (`"$"`: the whole input), and `{"ReturnTemplate": {"Payload.$":
//! "$.Payload", "StatusCode": 200}}` evaluates a payload template over it.

use crate::clock::BoxFuture;
use crate::error::StatesError;
use crate::jsonpath;
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
    state_machines: Vec<(String, Vec<(String, Vec<(String, String)>)>)>,
    responses: HashMap<String, Arc<MockedResponse>>,
}

/// One mocked response: what each invocation returns or throws.
#[derive(Debug)]
struct MockedResponse {
    /// `(first, last)` invocation (0-based, inclusive) and what it does.
    steps: Vec<(u32, u32, Step)>,
}

#[derive(Debug)]
enum Step {
    Return(Value),
    Throw(StatesError),
    ReturnPath(Path),
    ReturnTemplate(Template),
}

/// Why a mock file or a test case could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError(pub String);

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MockError {}

fn err<T>(msg: impl Into<String>) -> Result<T, MockError> {
    Err(MockError(msg.into()))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>, MockError> {
    v.as_object().ok_or_else(|| MockError(format!("{what} must be a JSON object")))
}

impl MockConfig {
    /// Parses a mock configuration file's text.
    pub fn from_json(text: &str) -> Result<MockConfig, MockError> {
        let root: Value = serde_json::from_str(text).map_err(|e| MockError(format!("the mock file is not valid JSON: {e}")))?;
        let root = object(&root, "the mock file")?;
        let mut responses = HashMap::new();
        if let Some(r) = root.get("MockedResponses") {
            for (name, steps) in object(r, "`MockedResponses`")? {
                responses.insert(name.clone(), Arc::new(parse_response(name, steps)?));
            }
        }
        let mut state_machines = Vec::new();
        for (sm, body) in object(root.get("StateMachines").unwrap_or(&Value::Null), "`StateMachines`")? {
            let cases = object(object(body, &format!("state machine `{sm}`"))?.get("TestCases").unwrap_or(&Value::Null), &format!("`{sm}.TestCases`"))?;
            let mut parsed = Vec::new();
            for (case, states) in cases {
                let mut mapping = Vec::new();
                for (state, response) in object(states, &format!("test case `{case}`"))? {
                    let Some(name) = response.as_str() else {
                        return err(format!("test case `{case}`: the response for state `{state}` must be a name from `MockedResponses`"));
                    };
                    if !responses.contains_key(name) {
                        return err(format!("test case `{case}`: state `{state}` uses `{name}`, which `MockedResponses` does not define"));
                    }
                    mapping.push((state.clone(), name.to_string()));
                }
                parsed.push((case.clone(), mapping));
            }
            state_machines.push((sm.clone(), parsed));
        }
        Ok(MockConfig { state_machines, responses })
    }

    /// The names of the state machines in the file.
    pub fn state_machines(&self) -> Vec<&str> {
        self.state_machines.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The mocks of one test case. `state_machine` may be `None` when the
    /// file has exactly one; `test_case` may be `None` when that one has
    /// exactly one test case.
    pub fn test_case(&self, state_machine: Option<&str>, test_case: Option<&str>) -> Result<Mocks, MockError> {
        let (sm_name, cases) = pick(&self.state_machines, state_machine, "state machine")?;
        let (_, mapping) = pick(cases, test_case, &format!("test case of `{sm_name}`"))?;
        let by_state = mapping.iter().map(|(state, response)| (state.clone(), self.responses[response].clone())).collect();
        Ok(Mocks { by_state, calls: Mutex::new(HashMap::new()), fallback: None })
    }
}

fn pick<'a, T>(items: &'a [(String, T)], wanted: Option<&str>, what: &str) -> Result<&'a (String, T), MockError> {
    let names = || items.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    match wanted {
        Some(w) => items.iter().find(|(n, _)| n == w).ok_or_else(|| MockError(format!("no {what} named `{w}`; the file has {}", names()))),
        None if items.len() == 1 => Ok(&items[0]),
        None => err(format!("the file has several of {what}: {}; choose one", names())),
    }
}

fn parse_response(name: &str, steps: &Value) -> Result<MockedResponse, MockError> {
    let mut out = Vec::new();
    for (range, step) in object(steps, &format!("mocked response `{name}`"))? {
        let bad_range = || MockError(format!("mocked response `{name}`: `{range}` is not an invocation number or range such as `0` or `1-2`"));
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
        let parsed = match (step.get("Return"), step.get("Throw"), step.get("ReturnPath"), step.get("ReturnTemplate")) {
            (Some(v), None, None, None) => Step::Return(v.clone()),
            (None, Some(t), None, None) => {
                let t = object(t, "`Throw`")?;
                let error = t.get("Error").and_then(Value::as_str).ok_or_else(|| MockError(format!("mocked response `{name}`: `Throw` needs an `Error` string")))?;
                let cause = t.get("Cause").and_then(Value::as_str);
                Step::Throw(StatesError { error: error.to_string(), cause: cause.map(str::to_string) })
            }
            (None, None, Some(p), None) => {
                let text = p.as_str().ok_or_else(|| MockError(format!("mocked response `{name}`: `ReturnPath` must be a path string")))?;
                Step::ReturnPath(Path::parse(text).map_err(|e| MockError(format!("mocked response `{name}`: `ReturnPath`: {e}")))?)
            }
            (None, None, None, Some(t)) => Step::ReturnTemplate(
                asl_spec::template_from_value(t).map_err(|e| MockError(format!("mocked response `{name}`: `ReturnTemplate`: {}", e.join("; "))))?,
            ),
            _ => return err(format!("mocked response `{name}` `{range}` needs exactly one of `Return`, `Throw`, `ReturnPath` or `ReturnTemplate`")),
        };
        out.push((first, last, parsed));
    }
    out.sort_by_key(|(first, _, _)| *first);
    if out.is_empty() {
        return err(format!("mocked response `{name}` has no responses"));
    }
    Ok(MockedResponse { steps: out })
}

/// The mocked Task responses of one test case; a [`TaskHandler`].
pub struct Mocks {
    by_state: HashMap<String, Arc<MockedResponse>>,
    calls: Mutex<HashMap<String, u32>>,
    fallback: Option<Arc<dyn TaskHandler>>,
}

impl fmt::Debug for Mocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mocks").field("states", &self.by_state.keys().collect::<Vec<_>>()).finish()
    }
}

impl Mocks {
    /// Task states without a mock go to `handler` (by default they fail the
    /// execution, since no handler exists for them).
    pub fn with_fallback(mut self, handler: impl TaskHandler) -> Self {
        self.fallback = Some(Arc::new(handler));
        self
    }

    fn respond(&self, response: &MockedResponse, request: &TaskRequest) -> Result<Value, TaskError> {
        let attempt = {
            let mut calls = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = calls.entry(request.context.state_name.clone()).or_insert(0);
            let attempt = *n;
            *n += 1;
            attempt
        };
        let step = response
            .steps
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&attempt))
            .or(response.steps.last())
            .map(|(_, _, s)| s);
        let roots = payload::InputOnly(&request.input);
        match step {
            Some(Step::Return(v)) => Ok(v.clone()),
            Some(Step::Throw(e)) => Err(e.clone()),
            Some(Step::ReturnPath(p)) => jsonpath::select(p, &roots)
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| StatesError::new(crate::error::names::RUNTIME, format!("the mock's ReturnPath '{}' selects nothing in the task input", p.text))),
            Some(Step::ReturnTemplate(t)) => payload::evaluate(t, &roots).map_err(|f| StatesError::new(f.error, f.message)),
            None => Err(no_handler(&request.resource)),
        }
    }
}

impl TaskHandler for Mocks {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        match self.by_state.get(&request.context.state_name) {
            Some(response) => {
                let outcome = self.respond(response, &request);
                Box::pin(async move { outcome })
            }
            None => match &self.fallback {
                Some(h) => h.invoke(request),
                None => {
                    let error = StatesError::new(
                        crate::error::names::RUNTIME,
                        format!("no mocked response for the Task state '{}' in this test case", request.context.state_name),
                    );
                    Box::pin(async move { Err(error) })
                }
            },
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
        let request = TaskRequest { resource: "r".into(), input, context: TaskContext::detached(state, "r") };
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
    fn bad_files_say_what_is_wrong() {
        assert!(MockConfig::from_json("{").unwrap_err().0.contains("not valid JSON"));
        let missing = r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}"#;
        assert!(MockConfig::from_json(missing).unwrap_err().0.contains("does not define"));
        let range = r#"{"StateMachines": {}, "MockedResponses": {"R": {"2-1": {"Return": 1}}}}"#;
        assert!(MockConfig::from_json(range).unwrap_err().0.contains("not an invocation number"));
        let config = MockConfig::from_json(FILE).unwrap();
        assert!(config.test_case(Some("X"), None).unwrap_err().0.contains("no state machine named `X`"));
    }
}
