//! History events: what each state and call records, or only counts when
//! history is off (event ids stay the same either way).

use crate::error::{Failure, StatesError, names};
use crate::history::EventType;
use crate::history::{ErrorDetails, EventDetails, PayloadDetails};
use crate::task::ResourceKind;
use asl_spec::model::*;
use jiff::Timestamp;
use serde_json::{Map as JsonMap, Value};

use crate::run::{Run, to_text};

impl<'a> Run<'a> {
    /// Records the entry (`text` is the input's JSON text when the previous
    /// state's exit already wrote it); returns its event id and, when
    /// history or the context object needs it, the entry time.
    #[inline(always)]
    pub(super) fn enter(&self, state: &State, input: &Value, text: Option<String>) -> (u64, Option<Timestamp>) {
        let history = self.history();
        // Reading the clock costs; only history and `$$.State.EnteredTime` need it.
        let entered_time = (history.enabled() || state.reads_context).then(|| self.now());
        let first = history.last_id() == 1;
        // AWS links the first state to no event, and shows it the execution
        // input exactly as given.
        let previous = if first { 0 } else { history.last_id() };
        let text = history.enabled().then(|| match (self.info.input_text.copied(), first) {
            (Some(raw), true) => raw.to_string(),
            _ => text.unwrap_or_else(|| to_text(input)),
        });
        let id = history.record_after(
            previous,
            EventType::entered(state.kind.state_type()),
            || entered_time.unwrap_or_else(|| self.now()),
            || {
                Some(EventDetails::StateEntered {
                    name: state.name.clone(),
                    input: text.unwrap_or_default(),
                    input_details: PayloadDetails::default(),
                })
            },
        );
        (id, entered_time)
    }

    /// Records the exit with the output's JSON text and the variables the
    /// state assigned (when history is kept); returns the text for the next
    /// state's entry, so it is written once. (Counting is in line, as every
    /// state ends here; building the event is not.)
    #[inline(always)]
    pub(super) fn record_exited(
        &self, state: &State, text: Option<String>, at: Option<Timestamp>, assigned: Option<&JsonMap<String, Value>>,
    ) -> Option<String> {
        let history = self.history();
        if !history.enabled() {
            history.count_only(1);
            return text;
        }
        self.record_exited_event(state, text, at, assigned)
    }

    #[inline(never)]
    fn record_exited_event(
        &self, state: &State, text: Option<String>, at: Option<Timestamp>, assigned: Option<&JsonMap<String, Value>>,
    ) -> Option<String> {
        let history = self.history();
        history.record(
            EventType::exited(state.kind.state_type()),
            || at.unwrap_or_else(|| self.now()),
            || {
                let assigned_variables = assigned.map(|a| a.iter().map(|(k, v)| (k.clone(), to_text(v))).collect());
                Some(EventDetails::StateExited {
                    name: state.name.clone(),
                    output: text.clone().unwrap_or_default(),
                    output_details: PayloadDetails::default(),
                    assigned_variables_details: assigned.map(|_| PayloadDetails::default()),
                    assigned_variables,
                })
            },
        );
        text
    }

    /// A failure inside `state` as the error it raises. A JSONata
    /// evaluation failure is also recorded as AWS records it
    /// (`EvaluationFailed`, naming the field).
    pub(super) fn fail_in(&self, state: &State, entered: u64, failure: Failure) -> StatesError {
        let location = failure.location.clone();
        let error = failure.in_state(&state.name, entered);
        if error.error == names::QUERY_EVALUATION_ERROR {
            self.event(EventType::EvaluationFailed, || EventDetails::EvaluationFailed {
                error: error.error.clone(),
                cause: error.cause.clone().unwrap_or_default(),
                location,
                state: state.name.clone(),
            });
        }
        error
    }

    /// Records `MapIterationStarted` for the inline iterations in `indices`
    /// of the Map `state` (without history, counts them in one step).
    pub(super) fn iterations_started(&self, state: &State, indices: std::ops::Range<usize>) {
        self.iterations_marked(EventType::MapIterationStarted, indices, |index| EventDetails::MapIterationStarted {
            name: state.name.clone(),
            index,
        });
    }

    /// Records `MapIterationAborted` for the inline iterations in `indices`.
    pub(super) fn iterations_aborted(&self, state: &State, indices: std::ops::Range<usize>) {
        self.iterations_marked(EventType::MapIterationAborted, indices, |index| EventDetails::MapIterationAborted {
            name: state.name.clone(),
            index,
        });
    }

    fn iterations_marked(
        &self, event_type: EventType, indices: std::ops::Range<usize>, details: impl Fn(usize) -> EventDetails,
    ) {
        let history = self.history();
        if !history.enabled() {
            history.count_only(indices.len() as u64);
            return;
        }
        // Events past the history limit are counted, not built: the next
        // state fails on the limit anyway, and a Map of a million items
        // must not build a million events first.
        let room = self.exec.limits.max_history_events.saturating_sub(history.count());
        let kept = indices.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        for index in indices.clone().take(kept) {
            self.event(event_type, || details(index));
        }
        history.count_past_limit((indices.len() - kept) as u64);
    }

    /// Records the end of an inline Map iteration.
    pub(super) fn iteration_ended(&self, state: &State, index: usize, succeeded: bool) {
        let name = || state.name.clone();
        match succeeded {
            true => self.event(EventType::MapIterationSucceeded, || EventDetails::MapIterationSucceeded {
                name: name(),
                index,
            }),
            false => {
                self.event(EventType::MapIterationFailed, || EventDetails::MapIterationFailed { name: name(), index })
            }
        }
    }

    /// The `*Scheduled` and `*Started` events of a call (counted in line
    /// when history keeps nothing: every Task call starts here).
    #[inline(always)]
    pub(super) fn record_task_start(
        &self, kind: Option<&ResourceKind>, task: &Task, input: &Value, timeout: Option<u64>, heartbeat: Option<u64>,
    ) {
        match kind.filter(|_| self.history().enabled()) {
            Some(kind) => self.record_task_start_events(kind, task, input, timeout, heartbeat),
            // Without history a call's two events are only counted.
            None => self.history().count_only(2),
        }
    }

    #[inline(never)]
    fn record_task_start_events(
        &self, kind: &ResourceKind, task: &Task, input: &Value, timeout: Option<u64>, heartbeat: Option<u64>,
    ) {
        let history = self.history();
        let now = self.now();
        let text = to_text(input);
        match kind {
            ResourceKind::LambdaFunction => {
                history.record(
                    EventType::LambdaFunctionScheduled,
                    || now,
                    || {
                        Some(EventDetails::LambdaFunctionScheduled {
                            resource: task.resource.clone(),
                            input: text,
                            input_details: PayloadDetails::default(),
                            timeout_in_seconds: timeout,
                        })
                    },
                );
                history.record(EventType::LambdaFunctionStarted, || now, || None);
            }
            ResourceKind::Activity => {
                history.record(
                    EventType::ActivityScheduled,
                    || now,
                    || {
                        Some(EventDetails::ActivityScheduled {
                            resource: task.resource.clone(),
                            input: text,
                            input_details: PayloadDetails::default(),
                            timeout_in_seconds: timeout,
                            heartbeat_in_seconds: heartbeat,
                        })
                    },
                );
                history.record(
                    EventType::ActivityStarted,
                    || now,
                    || Some(EventDetails::ActivityStarted { worker_name: "asl-runtime".into() }),
                );
            }
            ResourceKind::Service { resource_type, resource } => {
                history.record(
                    EventType::TaskScheduled,
                    || now,
                    || {
                        Some(EventDetails::TaskScheduled {
                            resource: resource.clone(),
                            resource_type: resource_type.clone(),
                            region: self.exec.identity.region.clone(),
                            parameters: text,
                            timeout_in_seconds: timeout,
                            heartbeat_in_seconds: heartbeat,
                        })
                    },
                );
                history.record(
                    EventType::TaskStarted,
                    || now,
                    || {
                        Some(EventDetails::TaskStarted {
                            resource: resource.clone(),
                            resource_type: resource_type.clone(),
                        })
                    },
                );
            }
        }
    }

    /// The event that ends a call (counted in line when history keeps nothing).
    #[inline(always)]
    pub(super) fn record_task_end(&self, kind: Option<&ResourceKind>, outcome: Result<&Value, &StatesError>) {
        match kind.filter(|_| self.history().enabled()) {
            Some(kind) => self.record_task_end_event(kind, outcome),
            None => self.history().count_only(1),
        }
    }

    #[inline(never)]
    fn record_task_end_event(&self, kind: &ResourceKind, outcome: Result<&Value, &StatesError>) {
        let history = self.history();
        let now = self.now();
        let timed_out = matches!(outcome, Err(e) if e.error == names::TIMEOUT || e.error == names::HEARTBEAT_TIMEOUT);
        let details_of = |e: &StatesError| ErrorDetails { error: Some(e.error.clone()), cause: e.cause.clone() };
        let (event_type, details) = match (kind, outcome) {
            (ResourceKind::LambdaFunction, Ok(v)) => {
                let (output, output_details) = (to_text(v), PayloadDetails::default());
                (EventType::LambdaFunctionSucceeded, EventDetails::LambdaFunctionSucceeded { output, output_details })
            }
            (ResourceKind::Activity, Ok(v)) => {
                let (output, output_details) = (to_text(v), PayloadDetails::default());
                (EventType::ActivitySucceeded, EventDetails::ActivitySucceeded { output, output_details })
            }
            (ResourceKind::LambdaFunction, Err(e)) if timed_out => {
                (EventType::LambdaFunctionTimedOut, EventDetails::LambdaFunctionTimedOut(details_of(e)))
            }
            (ResourceKind::LambdaFunction, Err(e)) => {
                (EventType::LambdaFunctionFailed, EventDetails::LambdaFunctionFailed(details_of(e)))
            }
            (ResourceKind::Activity, Err(e)) if timed_out => {
                (EventType::ActivityTimedOut, EventDetails::ActivityTimedOut(details_of(e)))
            }
            (ResourceKind::Activity, Err(e)) => {
                (EventType::ActivityFailed, EventDetails::ActivityFailed(details_of(e)))
            }
            (ResourceKind::Service { resource_type, resource }, Ok(v)) => (
                EventType::TaskSucceeded,
                EventDetails::TaskSucceeded {
                    resource: resource.clone(),
                    resource_type: resource_type.clone(),
                    output: to_text(v),
                    output_details: PayloadDetails::default(),
                },
            ),
            (ResourceKind::Service { resource_type, resource }, Err(e)) => {
                let error = details_of(e);
                let (resource, resource_type) = (resource.clone(), resource_type.clone());
                if timed_out {
                    (EventType::TaskTimedOut, EventDetails::TaskTimedOut { resource, resource_type, error })
                } else {
                    (EventType::TaskFailed, EventDetails::TaskFailed { resource, resource_type, error })
                }
            }
        };
        history.record(event_type, || now, || Some(details));
    }

    /// A callback task's call returned; it now waits for its token.
    pub(super) fn record_task_submitted(&self, kind: Option<&ResourceKind>, response: &Value) {
        if let Some(ResourceKind::Service { resource_type, resource }) = kind {
            self.event(EventType::TaskSubmitted, || EventDetails::TaskSubmitted {
                resource: resource.clone(),
                resource_type: resource_type.clone(),
                output: to_text(response),
                output_details: PayloadDetails::default(),
            });
        }
    }
}
