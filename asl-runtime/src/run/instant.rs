//! The states that never wait: Pass, Choice, Succeed and Fail.

use crate::error::{Failure, StatesError, names};
use crate::jsonata;
use crate::jsonpath::{self};
use crate::payload;
use crate::size::{self, Bound};
use crate::variables::Variables;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::Value;

use crate::run::context::Env;
use crate::run::dataflow::{assign_jsonpath, jsonata_outcome, output_or};
use crate::run::{Assigned, Next, Run, next_of, text_of, to_text};

/// A Fail state's `Error` or `Cause` (`field`), given literally, by path
/// (`ErrorPath`), by intrinsic call or by JSONata.
fn fail_text(text: Option<&FailText>, env: &Env<'_>, field: &str) -> Result<Option<String>, Failure> {
    Ok(match text {
        None => None,
        Some(FailText::Literal(s)) => Some(s.clone()),
        Some(FailText::Path(p)) => {
            let v =
                jsonpath::select(p, env).map_err(|_| jsonpath::path_not_found(p, format_args!("{field}Path"), env))?;
            Some(text_of(&v))
        }
        Some(FailText::Call(c)) => Some(text_of(&crate::intrinsics::evaluate(c, env, &format_args!("{field}Path"))?)),
        Some(FailText::Jsonata(expr)) => {
            match jsonata::Scope::new(env.input, None, None, env.context).expr(expr, field)? {
                Value::String(s) => Some(s),
                other => return Err(jsonata::unexpected_type(expr, field, "string", &other)),
            }
        }
    })
}

/// Where a Choice goes, and the `Assign` and `Output` that go with it.
struct Chosen<'s> {
    pub(super) next: usize,
    pub(super) assign: Option<&'s Assign>,
    pub(super) output: Option<&'s Jsonata>,
}

/// AWS's Choice rule, in both query languages: the first branch whose rule
/// holds, with its own `Assign` and `Output`; else `Default`, with the
/// state's; else nothing (`States.NoChoiceMatched`).
fn choose<'s>(
    state: &'s State, choice: &'s Choice, mut holds: impl FnMut(&Rule) -> Result<bool, Failure>,
) -> Result<Option<Chosen<'s>>, Failure> {
    for branch in &choice.choices {
        if holds(&branch.rule)? {
            return Ok(Some(Chosen {
                next: branch.next.index,
                assign: branch.assign.as_ref(),
                output: branch.output.as_ref(),
            }));
        }
    }
    Ok(choice.default.as_ref().map(|d| Chosen {
        next: d.index,
        assign: state.assign.as_ref(),
        output: state.output.as_ref(),
    }))
}

/// Whether a JSONata Choice rule's `Condition` holds; it must be a boolean.
fn condition_holds(rule: &Rule, scope: &jsonata::Scope) -> Result<bool, Failure> {
    let Rule::Condition(condition) = rule else {
        return Err(Failure::runtime("a JSONata Choice rule has no `Condition`"));
    };
    let value = scope.value(condition, "Condition")?;
    match (value, condition) {
        (Value::Bool(b), _) => Ok(b),
        (other, Jsonata::Expr(expr)) => Err(jsonata::unexpected_type(expr, "Condition", "boolean", &other)),
        (other, _) => Err(Failure::query(
            "Condition",
            format!("The field 'Condition' must be a boolean, but was: {}", to_text(&other)),
        )),
    }
}

impl<'a> Run<'a> {
    /// Pass, Choice, Succeed and Fail: no awaiting. Runs on `at`, leaving
    /// the output there (see [`Run::leave_in`]); `false` when the scope ends.
    pub(super) fn instant_state(
        &self, state: &State, at: &mut Next, variables: &mut Variables,
    ) -> Result<bool, StatesError> {
        let (entered, entered_time) = self.enter(state, &at.input, at.text.take());
        let decided = self.instant_outcome(state, at, (entered, entered_time), variables)?;
        // A state that never waits leaves in the instant it entered.
        self.end_in(state, at, decided, entered_time, variables)
    }

    /// What [`Run::instant_state`] does between entering and leaving: the
    /// output goes in `at`; where to go, a bound of its size and the
    /// variables assigned are returned. (Its own function so that the state
    /// context is dropped where it lies, not moved out to be dropped.)
    #[inline(always)]
    fn instant_outcome(
        &self, state: &State, at: &mut Next, (entered, entered_time): (u64, Option<Timestamp>), variables: &Variables,
    ) -> Result<(Option<usize>, Bound, Assigned), StatesError> {
        let context = self.context(state, entered_time, variables);
        let in_state = |f: Failure| self.fail_in(state, entered, f);
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        let no_match = || {
            StatesError::new(
                names::NO_CHOICE_MATCHED,
                format!(
                    "An error occurred while executing the state '{}' (entered at the event id #{entered}). No Matches!",
                    state.name
                ),
            )
        };
        let bound = at.bound;
        Ok(match &state.kind {
            StateKind::Fail(fail) => {
                let env = Env { input: &at.input, context: &context };
                let error = fail_text(fail.error.as_ref(), &env, "Error").map_err(in_state)?;
                let cause = fail_text(fail.cause.as_ref(), &env, "Cause").map_err(in_state)?;
                return Err(StatesError { error: error.unwrap_or_default(), cause });
            }
            StateKind::Choice(choice) if jsonata => {
                let input = std::mem::take(&mut at.input);
                let scope = jsonata::Scope::new(&input, None, None, &context);
                let chosen = choose(state, choice, |rule| condition_holds(rule, &scope)).map_err(in_state)?;
                let Some(Chosen { next, assign, output }) = chosen else { return Err(no_match()) };
                let (output, assigned) = jsonata_outcome(assign, output, scope).map_err(in_state)?;
                at.input = output_or(output, input, |input| input);
                (Some(next), size::UNKNOWN, assigned)
            }
            StateKind::Choice(choice) => {
                let (matched, assigned) = self
                    .through_in(state, &mut at.input, &context, |env| {
                        match choose(state, choice, |rule| payload::rule_holds(rule, env))? {
                            Some(Chosen { next, assign, .. }) => Ok((Some(next), assign_jsonpath(assign, env)?)),
                            None => Ok((None, None)),
                        }
                    })
                    .map_err(in_state)?;
                let Some(next) = matched else { return Err(no_match()) };
                // A Choice with `$` paths passes its input on unchanged.
                (
                    Some(next),
                    if self.exec.plan.of_state(state).input_through() { bound } else { size::UNKNOWN },
                    assigned,
                )
            }
            StateKind::Succeed | StateKind::Pass(_) if jsonata => {
                let input = std::mem::take(&mut at.input);
                let scope = jsonata::Scope::new(&input, None, None, &context);
                let (output, assigned) =
                    jsonata_outcome(state.assign.as_ref(), state.output.as_ref(), scope).map_err(in_state)?;
                at.input = output_or(output, input, |input| input);
                (next_of(state), size::UNKNOWN, assigned)
            }
            StateKind::Succeed => {
                self.through_in(state, &mut at.input, &context, |_| Ok(())).map_err(in_state)?;
                (None, if self.exec.plan.of_state(state).input_through() { bound } else { size::UNKNOWN }, None)
            }
            StateKind::Pass(pass) => match (&pass.result, &state.io.parameters, &state.io.result_path, &state.assign) {
                (None, Some(Template::Object(object)), ResultPath::Path(path), None) => {
                    let bound = self
                        .parameters_into(state, object, &mut at.input, bound, Some(path), &context)
                        .map_err(in_state)?;
                    if !self.exec.plan.of_state(state).output_whole {
                        at.input =
                            self.select_output(state, std::mem::take(&mut at.input), &context).map_err(in_state)?;
                        (next_of(state), size::UNKNOWN, None)
                    } else {
                        (next_of(state), bound, None)
                    }
                }
                _ => {
                    let input = std::mem::take(&mut at.input);
                    let effective = self.effective_input(state, &input, &context).map_err(in_state)?;
                    let result = match &pass.result {
                        Some(r) => r.clone(),
                        None => effective,
                    };
                    // `Assign` reads the state's result as `$`.
                    let assigned = assign_jsonpath(state.assign.as_ref(), &Env { input: &result, context: &context })
                        .map_err(in_state)?;
                    at.input = self.finish_output(state, input, result, &context).map_err(in_state)?;
                    (next_of(state), size::UNKNOWN, assigned)
                }
            },
            StateKind::Task(_) | StateKind::Wait(_) | StateKind::Parallel(_) | StateKind::Map(_) => {
                unreachable!("`run_instant` hands waiting states back to `scope_inner`")
            }
        })
    }
}
