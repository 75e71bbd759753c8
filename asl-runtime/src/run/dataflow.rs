//! Data flow: `InputPath`, `Parameters` / `Arguments`, `ResultSelector`,
//! `ResultPath`, `OutputPath`, `Assign` and JSONata `Output`.

use crate::error::Failure;
use crate::jsonata;
use crate::jsonpath::{self};
use crate::payload;
use crate::size::{self, Bound};
use crate::variables::Variables;
use asl_spec::model::*;
use asl_spec::path::Path;
use serde_json::{Map as JsonMap, Value};
use std::borrow::Cow;

use crate::run::context::{Env, StateContext};
use crate::run::{Assigned, Done, Run, next_of};

/// `InputPath` / `OutputPath` over a borrowed value: borrows what it selects.
/// (`$`, the usual path, in line; any other is a call.)
#[inline(always)]
pub(super) fn select_nullable<'v>(
    path: &NullablePath, input: &'v Value, context: &StateContext<'_>,
) -> Result<Cow<'v, Value>, Failure> {
    match path {
        NullablePath::Path(p) if p.is_identity() => Ok(Cow::Borrowed(input)),
        _ => select_nullable_path(path, input, context),
    }
}

#[inline(never)]
fn select_nullable_path<'v>(
    path: &NullablePath, input: &'v Value, context: &StateContext<'_>,
) -> Result<Cow<'v, Value>, Failure> {
    match path {
        NullablePath::Null => Ok(Cow::Owned(Value::Object(JsonMap::new()))),
        NullablePath::Path(p) if p.is_identity() => Ok(Cow::Borrowed(input)),
        NullablePath::Path(p) => {
            let env = Env { input, context };
            match jsonpath::select(p, &env) {
                // `env` only lives here, so borrowed results are re-borrowed from `input`.
                Ok(Cow::Borrowed(v)) => Ok(Cow::Owned(v.clone())),
                Ok(Cow::Owned(v)) => Ok(Cow::Owned(v)),
                Err(miss) => Err(Failure::runtime(jsonpath::invalid_path_message(p, miss))),
            }
        }
    }
}

/// `InputPath` / `OutputPath` over an owned value: `$` moves it through.
#[inline(always)]
fn select_owned(path: &NullablePath, input: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
    match path {
        NullablePath::Path(p) if p.is_identity() => Ok(input),
        other => select_nullable(other, &input, context).map(Cow::into_owned),
    }
}

pub(super) fn apply_result_path(result_path: &ResultPath, input: Value, result: Value) -> Result<Value, Failure> {
    match result_path {
        ResultPath::Discard => Ok(input),
        ResultPath::Path(p) => jsonpath::set_at(input, p, result),
    }
}

/// A JSONata state's (or catcher's, or Choice rule's) `Assign` and
/// `Output` over one `$states`: both see the same values. The output is
/// `None` without `Output` (the caller's default: the input, the result or
/// the error output). Takes the scope, so what it borrows is free again.
pub(super) fn jsonata_outcome<'t>(
    assign: Option<&Assign>, output: Option<&'t Jsonata>, scope: jsonata::Scope<'_>,
) -> Result<(Option<jsonata::Built<'t>>, Assigned), Failure> {
    let assigned = match assign {
        Some(Assign::Jsonata(template)) => Some(object_of(scope.value(template, "Assign")?)),
        Some(Assign::JsonPath(_)) | None => None,
    };
    let output = output.map(|template| scope.build(template, "Output")).transpose()?;
    Ok((output, assigned))
}

/// A JSONata state's output: its `Output` over its `input`, else
/// `default` (the input, the result or the error output).
pub(super) fn output_or(
    output: Option<jsonata::Built<'_>>, input: Value, default: impl FnOnce(Value) -> Value,
) -> Value {
    match output {
        Some(output) => output.over(input),
        None => default(input),
    }
}

/// A JSONPath `Assign` over `env` (whose `$` is the state's result).
pub(super) fn assign_jsonpath(assign: Option<&Assign>, env: &Env<'_>) -> Result<Assigned, Failure> {
    match assign {
        Some(Assign::JsonPath(template)) => Ok(Some(object_of(payload::evaluate(template, env)?))),
        Some(Assign::Jsonata(_)) | None => Ok(None),
    }
}

/// An `Assign` object's members (the loader only accepts objects).
fn object_of(value: Value) -> Box<JsonMap<String, Value>> {
    Box::new(match value {
        Value::Object(members) => members,
        _ => JsonMap::new(),
    })
}

impl<'a> Run<'a> {
    /// [`Run::through`] on a payload that stays where it is when both
    /// paths are `$` (else it is taken, and the output put in its place).
    pub(super) fn through_in<T>(
        &self, state: &State, payload: &mut Value, context: &StateContext<'_>,
        inspect: impl FnOnce(&Env<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        if self.exec.plan.of_state(state).input_through() {
            return inspect(&Env { input: payload, context });
        }
        let (output, found) = self.through(state, std::mem::take(payload), context, inspect)?;
        *payload = output;
        Ok(found)
    }

    /// `InputPath`, then `inspect` on the effective input, then `OutputPath`;
    /// with both paths `$` the input moves through without a copy.
    pub(super) fn through<T>(
        &self, state: &State, input: Value, context: &StateContext<'_>,
        inspect: impl FnOnce(&Env<'_>) -> Result<T, Failure>,
    ) -> Result<(Value, T), Failure> {
        let effective = select_owned(&state.io.input_path, input, context)?;
        let found = inspect(&Env { input: &effective, context })?;
        Ok((select_owned(&state.io.output_path, effective, context)?, found))
    }

    /// `InputPath` then `Parameters`, over an input nothing needs afterwards.
    pub(super) fn effective_input_owned(
        &self, state: &State, mut input: Value, context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        self.effective_input_in(state, &mut input, context)?;
        Ok(input)
    }

    /// [`Run::effective_input_owned`] in place: `payload` becomes the
    /// effective input (an error may leave it half changed).
    /// (In line: it is the start of every Task call that gives its input away.)
    #[inline(always)]
    pub(super) fn effective_input_in(
        &self, state: &State, payload: &mut Value, context: &StateContext<'_>,
    ) -> Result<(), Failure> {
        if state.query_language == QueryLanguage::Jsonata {
            *payload = self.arguments_owned(state, std::mem::take(payload), context)?;
            return Ok(());
        }
        match &state.io.parameters {
            Some(Template::Object(object)) => {
                self.parameters_into(state, object, payload, size::UNKNOWN, None, context).map(|_| ())
            }
            Some(_) => self.effective_input(state, payload, context).map(|effective| *payload = effective),
            None if self.exec.plan.of_state(state).input_whole => Ok(()),
            None => select_owned(&state.io.input_path, std::mem::take(payload), context)
                .map(|effective| *payload = effective),
        }
    }

    /// JSONata `Arguments` (by default the input), built in the input.
    #[inline(never)]
    fn arguments_owned(&self, state: &State, input: Value, context: &StateContext<'_>) -> Result<Value, Failure> {
        let Some(arguments) = &state.io.arguments else { return Ok(input) };
        let built = jsonata::Scope::new(&input, None, None, context).build(arguments, "Arguments")?;
        Ok(built.over(input))
    }

    /// Evaluates object `Parameters` over `input` (after `InputPath`) and
    /// puts the object at `at` in `input` (`None`: `$`, replacing it). Where
    /// the value it replaces already has the template's leading keys (a
    /// state adding members, a loop writing the same shape again), the
    /// object is built in that value's map. Leaves the result in `input`
    /// (which an error may leave half changed: it is one nothing reads
    /// afterwards) and returns a bound of its size, from the input's
    /// (`input_bound`) and the object's.
    pub(super) fn parameters_into(
        &self, state: &State, object: &ObjectTemplate, input: &mut Value, input_bound: Bound, at: Option<&Path>,
        context: &StateContext<'_>,
    ) -> Result<Bound, Failure> {
        let whole = at.is_none_or(Path::is_identity);
        if let Some(at) = at.filter(|_| !whole) {
            // Into a member (`ResultPath` `$.last`): the members are
            // evaluated first, then the path is walked once, and the
            // object is built inside the member it replaces where it can.
            let mut members = payload::Members::new();
            {
                let selected = select_nullable(&state.io.input_path, input, context)?;
                payload::evaluate_members(
                    object,
                    &Env { input: &selected, context },
                    payload::Reuse::NONE,
                    &mut members,
                )?;
            }
            let mut built = size::UNKNOWN;
            jsonpath::replace_in(input, at, |slot| built = payload::build_in(object, &mut members, slot))?;
            // The replaced member is not taken off (that would walk it), so
            // the bound grows until the limit makes `leave` measure the payload.
            return Ok(input_bound.saturating_add(built).saturating_add(size::path_overhead(at)));
        }
        let in_place = self.exec.plan.of_state(state).input_whole;
        let Some(reuse) = payload::reuse_for(object, input, in_place) else {
            *input = self.effective_input(state, input, context)?;
            return Ok(size::UNKNOWN);
        };
        let mut members = payload::Members::new();
        {
            let selected = select_nullable(&state.io.input_path, input, context)?;
            payload::evaluate_members(object, &Env { input: &selected, context }, reuse, &mut members)?;
        }
        Ok(payload::rebuild(object, reuse, &mut members, input))
    }

    /// `InputPath` then `Parameters` (JSONata: `Arguments`, by default the input).
    pub(super) fn effective_input(
        &self, state: &State, input: &Value, context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        if state.query_language == QueryLanguage::Jsonata {
            return match &state.io.arguments {
                Some(arguments) => jsonata::Scope::new(input, None, None, context).value(arguments, "Arguments"),
                None => Ok(input.clone()),
            };
        }
        let selected = select_nullable(&state.io.input_path, input, context)?;
        match &state.io.parameters {
            Some(t) => payload::evaluate(t, &Env { input: &selected, context }),
            None => Ok(selected.into_owned()),
        }
    }

    /// `ResultSelector`, `Assign` (reading the selected result as `$`),
    /// then `ResultPath` and `OutputPath`. JSONata: `Assign` and `Output`
    /// (by default the result) over `$states.result`.
    /// (In line where there is only `ResultPath` and `OutputPath` to
    /// apply, as after most Task calls.)
    #[inline(always)]
    pub(super) fn finish_result(
        &self, state: &State, input: Value, result: Value, context: &StateContext<'_>,
    ) -> Result<Done, Failure> {
        if state.query_language == QueryLanguage::JsonPath
            && state.io.result_selector.is_none()
            && state.assign.is_none()
        {
            return Ok(Done {
                output: self.finish_output(state, input, result, context)?,
                next: next_of(state),
                bound: size::UNKNOWN,
                assigned: None,
            });
        }
        self.finish_result_selected(state, input, result, context)
    }

    #[inline(never)]
    fn finish_result_selected(
        &self, state: &State, input: Value, result: Value, context: &StateContext<'_>,
    ) -> Result<Done, Failure> {
        let next = next_of(state);
        if state.query_language == QueryLanguage::Jsonata {
            let scope = jsonata::Scope::new(&input, Some(&result), None, context);
            let (output, assigned) = jsonata_outcome(state.assign.as_ref(), state.output.as_ref(), scope)?;
            return Ok(Done { output: output_or(output, input, |_| result), next, bound: size::UNKNOWN, assigned });
        }
        let selected = match &state.io.result_selector {
            Some(t) => payload::evaluate(t, &Env { input: &result, context })?,
            None => result,
        };
        let assigned = assign_jsonpath(state.assign.as_ref(), &Env { input: &selected, context })?;
        Ok(Done { output: self.finish_output(state, input, selected, context)?, next, bound: size::UNKNOWN, assigned })
    }

    /// `ResultPath` then `OutputPath`.
    /// (In line: where `ResultPath` and `OutputPath` are both `$`, as for
    /// most Tasks, the result is the output, and nothing else is done.)
    #[inline(always)]
    pub(super) fn finish_output(
        &self, state: &State, input: Value, result: Value, context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        if self.exec.plan.of_state(state).result_is_output {
            return Ok(result);
        }
        let combined = apply_result_path(&state.io.result_path, input, result)?;
        self.select_output(state, combined, context)
    }

    /// `OutputPath`.
    #[inline(always)]
    pub(super) fn select_output(
        &self, state: &State, combined: Value, context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        if self.exec.plan.of_state(state).output_whole {
            return Ok(combined);
        }
        select_nullable(&state.io.output_path, &combined, context).map(Cow::into_owned)
    }
}

/// The values between a JSONPath state's steps, for TestState's
/// inspection (AWS's `afterInputPath`, `afterParameters`,
/// `afterResultSelector`, `afterResultPath`): each step's own rule, applied
/// in the order the state applies them. Steps that do not apply, or fail,
/// are left out.
#[derive(Debug, Default)]
pub(crate) struct Stages {
    pub(crate) after_input_path: Option<Value>,
    pub(crate) after_parameters: Option<Value>,
    pub(crate) after_result_selector: Option<Value>,
    pub(crate) after_result_path: Option<Value>,
}

impl Run<'_> {
    /// [`Stages`] of `state` for `input` and, for a state with a result,
    /// `result`, with `variables` in scope.
    pub(crate) fn stages(&self, state: &State, input: &Value, result: Option<&Value>, variables: &Variables) -> Stages {
        let mut stages = Stages::default();
        if state.query_language == QueryLanguage::Jsonata {
            return stages;
        }
        let context = self.context(state, None, variables);
        let Ok(selected) = select_nullable(&state.io.input_path, input, &context) else { return stages };
        stages.after_input_path = Some(selected.clone().into_owned());
        stages.after_parameters = match &state.io.parameters {
            Some(t) => payload::evaluate(t, &Env { input: &selected, context: &context }).ok(),
            None => Some(selected.into_owned()),
        };
        let Some(result) = result else { return stages };
        let selected = match &state.io.result_selector {
            Some(t) => payload::evaluate(t, &Env { input: result, context: &context }).ok(),
            None => Some(result.clone()),
        };
        stages.after_result_path =
            selected.clone().and_then(|s| apply_result_path(&state.io.result_path, input.clone(), s).ok());
        stages.after_result_selector = selected;
        stages
    }
}
