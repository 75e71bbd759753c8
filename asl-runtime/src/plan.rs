//! The execution plan: what the runtime decides about each state once, when
//! an executor is made, rather than at every transition.
//!
//! A [`Definition`] says what the states are; the plan says how this
//! runtime runs each one: which states never wait (and so run without a
//! future), which Tasks are plain calls, which paths are `$` (so the payload
//! moves through untouched), whose input can be handed to the task, and
//! which Parallels and Maps can run their insides without suspending. The
//! run reads these as [`Step`]s and flags instead of matching the model's
//! fields again and again; every fast path the runtime takes is chosen here,
//! and `tests/semantics.rs` checks that each agrees with the general path.

use asl_spec::model::*;

/// How a state runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Pass, Choice, Succeed and Fail: to their end at once.
    Instant,
    /// A Task that waits for its call and nothing else: no `Retry` or
    /// `Catch`, no timeout or heartbeat to watch, no task token. It runs in
    /// the scope loop's own future, not one of its own.
    PlainTask,
    /// Any other Task, a Wait, a Parallel or a Map.
    Waiting,
}

/// What the plan decided about one state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatePlan {
    /// How it runs.
    pub(crate) step: Step,
    /// `InputPath` is `$`: the effective input is the state input itself.
    pub(crate) input_whole: bool,
    /// `OutputPath` is `$`: the output is what the state built.
    pub(crate) output_whole: bool,
    /// `ResultPath` and `OutputPath` are both `$`: the result is the output.
    pub(crate) result_is_output: bool,
    /// Nothing reads a Task's input once its handler is called: a Task
    /// without Retry or Catch whose result replaces the input (JSONPath:
    /// `ResultPath` is `$`; JSONata: no `Output` or `Assign`, which could
    /// read `$states.input`). The input is handed to the task, which builds
    /// its `Parameters` or `Arguments` in it.
    pub(crate) consumes_input: bool,
    /// A Parallel whose branches, or an inline Map whose item processor,
    /// never wait: they can run without a future per branch or item.
    pub(crate) instant_inside: bool,
}

impl StatePlan {
    /// `InputPath` and `OutputPath` are both `$`: a state that only reads
    /// its input passes it on where it is.
    #[inline(always)]
    pub(crate) fn input_through(self) -> bool {
        self.input_whole && self.output_whole
    }

    fn of(state: &State) -> StatePlan {
        let whole = |p: &NullablePath| matches!(p, NullablePath::Path(p) if p.is_identity());
        let (input_whole, output_whole) = (whole(&state.io.input_path), whole(&state.io.output_path));
        let result_whole = matches!(&state.io.result_path, ResultPath::Path(p) if p.is_identity());
        let (step, consumes_input, instant_inside) = match &state.kind {
            StateKind::Task(task) => {
                let handled = !task.retry.is_empty() || !task.catch.is_empty();
                let watched = task.timeout.is_some()
                    || task.heartbeat.is_some()
                    || task.integration == Integration::WaitForTaskToken;
                let step = if handled || watched { Step::Waiting } else { Step::PlainTask };
                let replaced = match state.query_language {
                    QueryLanguage::JsonPath => result_whole,
                    QueryLanguage::Jsonata => state.output.is_none() && state.assign.is_none(),
                };
                (step, !handled && replaced, false)
            }
            StateKind::Parallel(parallel) => (Step::Waiting, false, parallel.branches.iter().all(never_waits)),
            StateKind::Map(map) => {
                (Step::Waiting, false, map.mode != ProcessorMode::Distributed && never_waits(&map.processor))
            }
            StateKind::Wait(_) => (Step::Waiting, false, false),
            StateKind::Pass(_) | StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => {
                (Step::Instant, false, false)
            }
        };
        StatePlan {
            step,
            input_whole,
            output_whole,
            result_is_output: result_whole && output_whole,
            consumes_input,
            instant_inside,
        }
    }
}

/// Whether every state of `scope` runs without waiting.
fn never_waits(scope: &Scope) -> bool {
    scope.states.iter().all(|s| !s.kind.waits())
}

/// The plan of a whole definition: one [`StatePlan`] per state, indexed by
/// [`State::id`].
#[derive(Debug)]
pub(crate) struct Plan {
    states: Box<[StatePlan]>,
    /// Whether any state reads the context object; if none does, nothing
    /// keeps a copy of the execution input for `$$.Execution.Input`.
    pub(crate) reads_context: bool,
}

impl Plan {
    /// Plans every state of `definition`.
    pub(crate) fn of(definition: &Definition) -> Plan {
        let placeholder = StatePlan {
            step: Step::Waiting,
            input_whole: false,
            output_whole: false,
            result_is_output: false,
            consumes_input: false,
            instant_inside: false,
        };
        let mut states = vec![placeholder; definition.state_count as usize];
        let mut reads_context = false;
        visit_states(&definition.body, &mut |state| {
            reads_context |= state.reads_context;
            if let Some(slot) = states.get_mut(state.id as usize) {
                *slot = StatePlan::of(state);
            }
        });
        Plan { states: states.into_boxed_slice(), reads_context }
    }

    /// What the plan decided about `state`, a state of the planned definition.
    #[inline(always)]
    pub(crate) fn of_state(&self, state: &State) -> StatePlan {
        self.states[state.id as usize]
    }

    /// `state`'s Task, if it is a plain one ([`Step::PlainTask`]).
    #[inline(always)]
    pub(crate) fn plain_task<'s>(&self, state: &'s State) -> Option<&'s Task> {
        match &state.kind {
            StateKind::Task(task) if self.of_state(state).step == Step::PlainTask => Some(task),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(definition: &str) -> (Definition, Plan) {
        let definition = asl_spec::load(definition).valid().expect("a valid definition");
        let plan = Plan::of(&definition);
        (definition, plan)
    }

    #[test]
    fn each_state_gets_its_step_and_flags() {
        let (definition, plan) = plan(
            r#"{"StartAt": "P", "States": {
                "P": {"Type": "Pass", "InputPath": "$.a", "Next": "T"},
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "R"},
                "R": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.r",
                      "Retry": [{"ErrorEquals": ["States.ALL"]}], "Next": "M"},
                "M": {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}, "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 1, "End": true}}}"#,
        );
        let of = |name: &str| plan.of_state(definition.body.state(name).expect(name));
        assert_eq!(of("P").step, Step::Instant);
        assert!(!of("P").input_whole && of("P").output_whole && of("P").result_is_output);
        assert_eq!(of("T").step, Step::PlainTask);
        assert!(of("T").consumes_input);
        assert_eq!(of("R").step, Step::Waiting);
        assert!(!of("R").consumes_input && !of("R").result_is_output);
        assert!(of("M").instant_inside);
        assert_eq!(of("W").step, Step::Waiting);
        assert!(!plan.reads_context);
        // The Map's item processor is planned too.
        let StateKind::Map(map) = &definition.body.state("M").unwrap().kind else { unreachable!() };
        assert_eq!(plan.of_state(&map.processor.states[0]).step, Step::Instant);
    }

    #[test]
    fn a_state_reading_the_context_is_noted() {
        let (_, plan) = plan(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "End": true}}}"#,
        );
        assert!(plan.reads_context);
    }
}
