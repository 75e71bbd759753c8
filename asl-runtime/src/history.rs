//! Execution history, shaped exactly like AWS `GetExecutionHistory` events.

use asl_spec::StateType;
use jiff::Timestamp;
use serde::{Serialize, Serializer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One history event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEvent {
    /// 1-based id.
    pub id: u64,
    /// The event this one follows from (0 for none).
    #[serde(rename = "previousEventId")]
    pub previous_event_id: u64,
    /// When it happened; serialised as AWS prints it (RFC 3339, milliseconds).
    #[serde(serialize_with = "aws_time")]
    pub timestamp: Timestamp,
    /// The event type (`PassStateEntered`, …).
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The `*EventDetails` object, under its AWS key.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub details: Option<EventDetails>,
}

/// The type of a history event, as AWS names it (`PassStateEntered`, …).
///
/// Every event the runtime records is one of these; its AWS name is the
/// variant's, written once, by [`EventType::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `ExecutionAborted`.
    ExecutionAborted,
    /// `ExecutionFailed`.
    ExecutionFailed,
    /// `ExecutionRedriven`.
    ExecutionRedriven,
    /// `ExecutionStarted`.
    ExecutionStarted,
    /// `ExecutionSucceeded`.
    ExecutionSucceeded,
    /// `ExecutionTimedOut`.
    ExecutionTimedOut,
    /// `ChoiceStateEntered`.
    ChoiceStateEntered,
    /// `ChoiceStateExited`.
    ChoiceStateExited,
    /// `FailStateEntered`.
    FailStateEntered,
    /// `FailStateExited`.
    FailStateExited,
    /// `PassStateEntered`.
    PassStateEntered,
    /// `PassStateExited`.
    PassStateExited,
    /// `SucceedStateEntered`.
    SucceedStateEntered,
    /// `SucceedStateExited`.
    SucceedStateExited,
    /// `TaskStateAborted`.
    TaskStateAborted,
    /// `TaskStateEntered`.
    TaskStateEntered,
    /// `TaskStateExited`.
    TaskStateExited,
    /// `WaitStateEntered`.
    WaitStateEntered,
    /// `WaitStateExited`.
    WaitStateExited,
    /// `ParallelStateEntered`.
    ParallelStateEntered,
    /// `ParallelStateExited`.
    ParallelStateExited,
    /// `ParallelStateFailed`.
    ParallelStateFailed,
    /// `ParallelStateStarted`.
    ParallelStateStarted,
    /// `ParallelStateSucceeded`.
    ParallelStateSucceeded,
    /// `MapIterationAborted`.
    MapIterationAborted,
    /// `MapIterationFailed`.
    MapIterationFailed,
    /// `MapIterationStarted`.
    MapIterationStarted,
    /// `MapIterationSucceeded`.
    MapIterationSucceeded,
    /// `MapRunFailed`.
    MapRunFailed,
    /// `MapRunStarted`.
    MapRunStarted,
    /// `MapRunSucceeded`.
    MapRunSucceeded,
    /// `MapStateEntered`.
    MapStateEntered,
    /// `MapStateExited`.
    MapStateExited,
    /// `MapStateFailed`.
    MapStateFailed,
    /// `MapStateStarted`.
    MapStateStarted,
    /// `MapStateSucceeded`.
    MapStateSucceeded,
    /// `TaskFailed`.
    TaskFailed,
    /// `TaskScheduled`.
    TaskScheduled,
    /// `TaskStarted`.
    TaskStarted,
    /// `TaskSubmitted`.
    TaskSubmitted,
    /// `TaskSucceeded`.
    TaskSucceeded,
    /// `TaskTimedOut`.
    TaskTimedOut,
    /// `LambdaFunctionFailed`.
    LambdaFunctionFailed,
    /// `LambdaFunctionScheduled`.
    LambdaFunctionScheduled,
    /// `LambdaFunctionStarted`.
    LambdaFunctionStarted,
    /// `LambdaFunctionSucceeded`.
    LambdaFunctionSucceeded,
    /// `LambdaFunctionTimedOut`.
    LambdaFunctionTimedOut,
    /// `ActivityFailed`.
    ActivityFailed,
    /// `ActivityScheduled`.
    ActivityScheduled,
    /// `ActivityStarted`.
    ActivityStarted,
    /// `ActivitySucceeded`.
    ActivitySucceeded,
    /// `ActivityTimedOut`.
    ActivityTimedOut,
    /// `EvaluationFailed`.
    EvaluationFailed,
}

impl EventType {
    /// The type of state an event of this type belongs to (`None` for the
    /// execution's own events).
    pub const fn family(self) -> Option<StateType> {
        use EventType as E;
        Some(match self {
            E::ExecutionAborted
            | E::ExecutionFailed
            | E::ExecutionRedriven
            | E::ExecutionStarted
            | E::ExecutionSucceeded
            | E::ExecutionTimedOut => return None,
            E::ChoiceStateEntered | E::ChoiceStateExited => StateType::Choice,
            E::FailStateEntered | E::FailStateExited => StateType::Fail,
            E::PassStateEntered | E::PassStateExited => StateType::Pass,
            E::SucceedStateEntered | E::SucceedStateExited => StateType::Succeed,
            E::WaitStateEntered | E::WaitStateExited => StateType::Wait,
            E::ParallelStateEntered
            | E::ParallelStateExited
            | E::ParallelStateFailed
            | E::ParallelStateStarted
            | E::ParallelStateSucceeded => StateType::Parallel,
            E::MapIterationAborted
            | E::MapIterationFailed
            | E::MapIterationStarted
            | E::MapIterationSucceeded
            | E::MapRunFailed
            | E::MapRunStarted
            | E::MapRunSucceeded
            | E::MapStateEntered
            | E::MapStateExited
            | E::MapStateFailed
            | E::MapStateStarted
            | E::MapStateSucceeded => StateType::Map,
            E::TaskStateAborted
            | E::TaskStateEntered
            | E::TaskStateExited
            | E::TaskFailed
            | E::TaskScheduled
            | E::TaskStarted
            | E::TaskSubmitted
            | E::TaskSucceeded
            | E::TaskTimedOut
            | E::LambdaFunctionFailed
            | E::LambdaFunctionScheduled
            | E::LambdaFunctionStarted
            | E::LambdaFunctionSucceeded
            | E::LambdaFunctionTimedOut
            | E::ActivityFailed
            | E::ActivityScheduled
            | E::ActivityStarted
            | E::ActivitySucceeded
            | E::ActivityTimedOut => StateType::Task,
            // Named by its details, whatever the state.
            E::EvaluationFailed => return None,
        })
    }

    /// Whether a Parallel or Map has ended with this event: what follows
    /// is its branch's or iteration's (or the execution's).
    const fn ends_container(self) -> bool {
        matches!(
            self,
            EventType::ParallelStateSucceeded
                | EventType::ParallelStateFailed
                | EventType::MapStateSucceeded
                | EventType::MapStateFailed
        )
    }

    /// AWS's name of the event type.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::ExecutionAborted => "ExecutionAborted",
            EventType::ExecutionFailed => "ExecutionFailed",
            EventType::ExecutionRedriven => "ExecutionRedriven",
            EventType::ExecutionStarted => "ExecutionStarted",
            EventType::ExecutionSucceeded => "ExecutionSucceeded",
            EventType::ExecutionTimedOut => "ExecutionTimedOut",
            EventType::ChoiceStateEntered => "ChoiceStateEntered",
            EventType::ChoiceStateExited => "ChoiceStateExited",
            EventType::FailStateEntered => "FailStateEntered",
            EventType::FailStateExited => "FailStateExited",
            EventType::PassStateEntered => "PassStateEntered",
            EventType::PassStateExited => "PassStateExited",
            EventType::SucceedStateEntered => "SucceedStateEntered",
            EventType::SucceedStateExited => "SucceedStateExited",
            EventType::TaskStateAborted => "TaskStateAborted",
            EventType::TaskStateEntered => "TaskStateEntered",
            EventType::TaskStateExited => "TaskStateExited",
            EventType::WaitStateEntered => "WaitStateEntered",
            EventType::WaitStateExited => "WaitStateExited",
            EventType::ParallelStateEntered => "ParallelStateEntered",
            EventType::ParallelStateExited => "ParallelStateExited",
            EventType::ParallelStateFailed => "ParallelStateFailed",
            EventType::ParallelStateStarted => "ParallelStateStarted",
            EventType::ParallelStateSucceeded => "ParallelStateSucceeded",
            EventType::MapIterationAborted => "MapIterationAborted",
            EventType::MapIterationFailed => "MapIterationFailed",
            EventType::MapIterationStarted => "MapIterationStarted",
            EventType::MapIterationSucceeded => "MapIterationSucceeded",
            EventType::MapRunFailed => "MapRunFailed",
            EventType::MapRunStarted => "MapRunStarted",
            EventType::MapRunSucceeded => "MapRunSucceeded",
            EventType::MapStateEntered => "MapStateEntered",
            EventType::MapStateExited => "MapStateExited",
            EventType::MapStateFailed => "MapStateFailed",
            EventType::MapStateStarted => "MapStateStarted",
            EventType::MapStateSucceeded => "MapStateSucceeded",
            EventType::TaskFailed => "TaskFailed",
            EventType::TaskScheduled => "TaskScheduled",
            EventType::TaskStarted => "TaskStarted",
            EventType::TaskSubmitted => "TaskSubmitted",
            EventType::TaskSucceeded => "TaskSucceeded",
            EventType::TaskTimedOut => "TaskTimedOut",
            EventType::LambdaFunctionFailed => "LambdaFunctionFailed",
            EventType::LambdaFunctionScheduled => "LambdaFunctionScheduled",
            EventType::LambdaFunctionStarted => "LambdaFunctionStarted",
            EventType::LambdaFunctionSucceeded => "LambdaFunctionSucceeded",
            EventType::LambdaFunctionTimedOut => "LambdaFunctionTimedOut",
            EventType::ActivityFailed => "ActivityFailed",
            EventType::ActivityScheduled => "ActivityScheduled",
            EventType::ActivityStarted => "ActivityStarted",
            EventType::ActivitySucceeded => "ActivitySucceeded",
            EventType::ActivityTimedOut => "ActivityTimedOut",
            EventType::EvaluationFailed => "EvaluationFailed",
        }
    }

    /// The event that records entering a state of type `state`.
    pub const fn entered(state: StateType) -> EventType {
        match state {
            StateType::Pass => EventType::PassStateEntered,
            StateType::Task => EventType::TaskStateEntered,
            StateType::Choice => EventType::ChoiceStateEntered,
            StateType::Wait => EventType::WaitStateEntered,
            StateType::Succeed => EventType::SucceedStateEntered,
            StateType::Fail => EventType::FailStateEntered,
            StateType::Parallel => EventType::ParallelStateEntered,
            StateType::Map => EventType::MapStateEntered,
        }
    }

    /// The event that records leaving a state of type `state`.
    pub const fn exited(state: StateType) -> EventType {
        match state {
            StateType::Pass => EventType::PassStateExited,
            StateType::Task => EventType::TaskStateExited,
            StateType::Choice => EventType::ChoiceStateExited,
            StateType::Wait => EventType::WaitStateExited,
            StateType::Succeed => EventType::SucceedStateExited,
            StateType::Fail => EventType::FailStateExited,
            StateType::Parallel => EventType::ParallelStateExited,
            StateType::Map => EventType::MapStateExited,
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `{"truncated": false}`: AWS's marker on every payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PayloadDetails {
    /// Whether the payload was truncated (never, here).
    pub truncated: bool,
}

/// The details of an event; each variant serialises under AWS's key.
///
/// Each variant is the `*EventDetails` object of the event type of the same
/// name, and its fields are that object's members in snake case, as the
/// Step Functions API reference (`HistoryEvent`) documents them.
#[derive(Debug, Clone, PartialEq, Serialize)]
// The members are AWS's, documented once in the API reference above.
#[allow(missing_docs)]
pub enum EventDetails {
    #[serde(rename = "executionStartedEventDetails", rename_all = "camelCase")]
    /// `role_arn` is the executor's, shared by its executions.
    ExecutionStarted { input: String, input_details: PayloadDetails, role_arn: Arc<str> },
    #[serde(rename = "executionSucceededEventDetails", rename_all = "camelCase")]
    ExecutionSucceeded { output: String, output_details: PayloadDetails },
    #[serde(rename = "executionFailedEventDetails")]
    ExecutionFailed(ErrorDetails),
    #[serde(rename = "executionTimedOutEventDetails")]
    ExecutionTimedOut(ErrorDetails),
    #[serde(rename = "executionAbortedEventDetails")]
    ExecutionAborted(ErrorDetails),
    #[serde(rename = "executionRedrivenEventDetails", rename_all = "camelCase")]
    ExecutionRedriven { redrive_count: u32 },
    #[serde(rename = "stateEnteredEventDetails", rename_all = "camelCase")]
    StateEntered { name: Arc<str>, input: String, input_details: PayloadDetails },
    #[serde(rename = "stateExitedEventDetails", rename_all = "camelCase")]
    StateExited {
        name: Arc<str>,
        output: String,
        output_details: PayloadDetails,
        /// The variables the state assigned, each as JSON text, by name.
        #[serde(skip_serializing_if = "Option::is_none")]
        assigned_variables: Option<std::collections::BTreeMap<String, String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        assigned_variables_details: Option<PayloadDetails>,
    },
    /// A JSONata expression (or a JSONata state's input) failed to evaluate.
    #[serde(rename = "evaluationFailedEventDetails", rename_all = "camelCase")]
    EvaluationFailed {
        error: String,
        cause: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        state: Arc<str>,
    },
    #[serde(rename = "taskScheduledEventDetails", rename_all = "camelCase")]
    TaskScheduled {
        resource: Arc<str>,
        resource_type: String,
        region: String,
        parameters: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_in_seconds: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        heartbeat_in_seconds: Option<u64>,
    },
    #[serde(rename = "taskStartedEventDetails", rename_all = "camelCase")]
    TaskStarted { resource: Arc<str>, resource_type: String },
    #[serde(rename = "taskSubmittedEventDetails", rename_all = "camelCase")]
    TaskSubmitted { resource: Arc<str>, resource_type: String, output: String, output_details: PayloadDetails },
    #[serde(rename = "taskSucceededEventDetails", rename_all = "camelCase")]
    TaskSucceeded { resource: Arc<str>, resource_type: String, output: String, output_details: PayloadDetails },
    #[serde(rename = "taskFailedEventDetails", rename_all = "camelCase")]
    TaskFailed {
        resource: Arc<str>,
        resource_type: String,
        #[serde(flatten)]
        error: ErrorDetails,
    },
    #[serde(rename = "taskTimedOutEventDetails", rename_all = "camelCase")]
    TaskTimedOut {
        resource: Arc<str>,
        resource_type: String,
        #[serde(flatten)]
        error: ErrorDetails,
    },
    #[serde(rename = "lambdaFunctionScheduledEventDetails", rename_all = "camelCase")]
    LambdaFunctionScheduled {
        resource: Arc<str>,
        input: String,
        input_details: PayloadDetails,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_in_seconds: Option<u64>,
    },
    #[serde(rename = "lambdaFunctionSucceededEventDetails", rename_all = "camelCase")]
    LambdaFunctionSucceeded { output: String, output_details: PayloadDetails },
    #[serde(rename = "lambdaFunctionFailedEventDetails")]
    LambdaFunctionFailed(ErrorDetails),
    #[serde(rename = "lambdaFunctionTimedOutEventDetails")]
    LambdaFunctionTimedOut(ErrorDetails),
    #[serde(rename = "activityScheduledEventDetails", rename_all = "camelCase")]
    ActivityScheduled {
        resource: Arc<str>,
        input: String,
        input_details: PayloadDetails,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_in_seconds: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        heartbeat_in_seconds: Option<u64>,
    },
    #[serde(rename = "activityStartedEventDetails", rename_all = "camelCase")]
    ActivityStarted { worker_name: String },
    #[serde(rename = "activitySucceededEventDetails", rename_all = "camelCase")]
    ActivitySucceeded { output: String, output_details: PayloadDetails },
    #[serde(rename = "activityFailedEventDetails")]
    ActivityFailed(ErrorDetails),
    #[serde(rename = "activityTimedOutEventDetails")]
    ActivityTimedOut(ErrorDetails),
    #[serde(rename = "mapStateStartedEventDetails")]
    MapStateStarted { length: usize },
    #[serde(rename = "mapIterationStartedEventDetails")]
    MapIterationStarted { name: Arc<str>, index: usize },
    #[serde(rename = "mapIterationSucceededEventDetails")]
    MapIterationSucceeded { name: Arc<str>, index: usize },
    #[serde(rename = "mapIterationFailedEventDetails")]
    MapIterationFailed { name: Arc<str>, index: usize },
    #[serde(rename = "mapIterationAbortedEventDetails")]
    MapIterationAborted { name: Arc<str>, index: usize },
    #[serde(rename = "mapRunStartedEventDetails", rename_all = "camelCase")]
    MapRunStarted { map_run_arn: String },
    #[serde(rename = "mapRunFailedEventDetails")]
    MapRunFailed(ErrorDetails),
}

/// `{error?, cause?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ErrorDetails {
    /// The error name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The cause. AWS leaves an empty cause out of events.
    #[serde(skip_serializing_if = "no_text")]
    pub cause: Option<String>,
}

fn aws_time<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::clock::format_timestamp(*t))
}

fn no_text(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(str::is_empty)
}

/// The recorder an execution writes to, shared by its concurrent branches.
/// With recording off it only counts (ids appear in AWS's cause texts),
/// with no lock. Branches are polled by one task, so one thread at a time
/// records into a history; a Map's worker threads count into their own.
/// (Internal for that reason: the count is not a shared counter.)
#[derive(Default)]
pub(crate) struct History {
    enabled: bool,
    /// Events so far; also the id of the most recent one.
    count: AtomicU64,
    events: Mutex<Events>,
    /// Where events go as they happen, instead of or besides `events`
    /// (boxed: every parked execution holds a history, and most have none).
    sink: Option<Box<Tap>>,
}

/// Who sees events as they are recorded.
enum Tap {
    /// Takes each event; none is kept.
    Stream(HistorySink),
    /// Sees each event, which is kept.
    Observe(EventObserver),
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("enabled", &self.enabled)
            .field("count", &self.count)
            .field("streaming", &self.sink.is_some())
            .finish_non_exhaustive()
    }
}

/// Receives each history event as it is recorded, in order
/// ([`Executor::history_sink`](crate::Executor::history_sink)).
pub type HistorySink = std::sync::Arc<dyn Fn(HistoryEvent) + Send + Sync>;

/// Sees each history event as it is recorded, in order, while the history
/// keeps it ([`Executor::on_event`](crate::Executor::on_event)).
pub type EventObserver = std::sync::Arc<dyn Fn(&HistoryEvent) + Send + Sync>;

/// An execution's history events, in order ([`crate::Execution::events`]).
///
/// Kept in chunks that are never moved once full (the last one is being
/// filled): a long execution never copies its history, neither to grow it
/// nor to hand it over (joining 100,000 events into one vector cost a
/// quarter of a 10,000-item Map's run with history, most of it the kernel
/// zeroing the fresh pages it was copied to). The first chunk is held in
/// line, so that a parked execution has no more allocations for it.
/// Index it, iterate it, or [`Events::into_vec`] it.
#[derive(Debug, Clone, Default)]
pub struct Events {
    // (No count beside them: every parked execution would carry it.)
    chunks: smallvec::SmallVec<[Vec<HistoryEvent>; 1]>,
}

/// The first chunk: room for `ExecutionStarted` and the first state, all an
/// execution parked on its first Wait holds.
const FIRST_CHUNK: usize = 2;
/// The largest chunk, in events (a few hundred KiB).
const MAX_CHUNK: usize = 2048;

impl Events {
    fn push(&mut self, event: HistoryEvent) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < chunk.capacity() => chunk.push(event),
            last => {
                let capacity = last.map_or(FIRST_CHUNK, |chunk| (chunk.capacity() * 2).min(MAX_CHUNK));
                let mut chunk = Vec::with_capacity(capacity);
                chunk.push(event);
                self.chunks.push(chunk);
            }
        }
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Whether there are none (history was off, or nothing ran).
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The events in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &HistoryEvent> + Clone {
        self.chunks.iter().flatten()
    }

    /// The event at `index` (0-based; its `id` is `index + 1`).
    pub fn get(&self, mut index: usize) -> Option<&HistoryEvent> {
        for chunk in &self.chunks {
            match chunk.get(index) {
                Some(event) => return Some(event),
                None => index -= chunk.len(),
            }
        }
        None
    }

    /// The first event (`ExecutionStarted`).
    pub fn first(&self) -> Option<&HistoryEvent> {
        self.chunks.first().and_then(|chunk| chunk.first())
    }

    /// The last event (how the execution ended).
    pub fn last(&self) -> Option<&HistoryEvent> {
        self.chunks.last().and_then(|chunk| chunk.last())
    }

    /// The state each event belongs to, as its [`id`](asl_spec::model::State::id)
    /// in `definition` (the machine that ran): a state's own events, its
    /// Task's, Lambda's and activity's, its Map's iterations and runs, its
    /// Parallel's start and end. `None` for the execution's own events.
    ///
    /// AWS's events name only the states they enter and leave; the others
    /// are found through `previousEventId`, which leads back to the event
    /// they follow: the state that event belongs to, or the Parallel or Map
    /// around it.
    pub fn state_ids(&self, definition: &asl_spec::Definition) -> Vec<Option<u32>> {
        // Each state's id by name; its type and the Parallel or Map it runs in by id.
        let mut ids = std::collections::HashMap::new();
        let mut info = vec![(StateType::Pass, None); definition.state_count as usize];
        asl_spec::model::visit_scoped(&definition.body, None, &mut |state, _, parent| {
            ids.insert(&*state.name, state.id);
            if let Some(slot) = info.get_mut(state.id as usize) {
                *slot = (state.kind.state_type(), parent.map(|p| p.id));
            }
        });
        let parent = |id: u32| info.get(id as usize).and_then(|(_, parent)| *parent);
        let mut owners: Vec<Option<u32>> = Vec::with_capacity(self.len());
        let mut types: Vec<EventType> = Vec::with_capacity(self.len());
        for event in self.iter() {
            let named = match &event.details {
                Some(EventDetails::StateEntered { name, .. } | EventDetails::StateExited { name, .. }) => Some(name),
                Some(EventDetails::EvaluationFailed { state, .. }) => Some(state),
                _ => None,
            };
            let owner = match (named, event.event_type.family()) {
                (Some(name), _) => ids.get(&**name).copied(),
                (None, None) => None,
                (None, Some(family)) => {
                    let previous = (event.previous_event_id as usize).checked_sub(1);
                    let mut at = previous.and_then(|i| owners.get(i).copied().flatten());
                    // A Parallel or Map that has ended is followed by its
                    // scope's events: the branch or iteration it ran in.
                    if previous.and_then(|i| types.get(i)).is_some_and(|t| t.ends_container()) {
                        at = at.and_then(parent);
                    }
                    while let Some(id) = at {
                        if info.get(id as usize).is_some_and(|(ty, _)| *ty == family) {
                            break;
                        }
                        at = parent(id);
                    }
                    at
                }
            };
            owners.push(owner);
            types.push(event.event_type);
        }
        owners
    }

    /// The events as one vector (a copy of every event, made here).
    pub fn into_vec(mut self) -> Vec<HistoryEvent> {
        if self.chunks.len() <= 1 {
            return self.chunks.pop().unwrap_or_default();
        }
        let mut all = Vec::with_capacity(self.len());
        for chunk in self.chunks {
            all.extend(chunk);
        }
        all
    }
}

impl PartialEq for Events {
    fn eq(&self, other: &Events) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::ops::Index<usize> for Events {
    type Output = HistoryEvent;

    fn index(&self, index: usize) -> &HistoryEvent {
        match self.get(index) {
            Some(event) => event,
            None => panic!("event index {index} is out of range for a history of {} events", self.len()),
        }
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = &'a HistoryEvent;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<HistoryEvent>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

impl IntoIterator for Events {
    type Item = HistoryEvent;
    type IntoIter = std::iter::Flatten<smallvec::IntoIter<[Vec<HistoryEvent>; 1]>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.into_iter().flatten()
    }
}

/// A list of events, as AWS's `GetExecutionHistory` gives them.
impl Serialize for Events {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl History {
    /// A recorder; `enabled` decides whether events are kept.
    pub fn new(enabled: bool) -> Self {
        History { enabled, count: AtomicU64::new(0), events: Mutex::new(Events::default()), sink: None }
    }

    /// A recorder that hands each event to `sink` as it happens and keeps
    /// none: an execution's memory then holds no more than one event.
    pub fn streaming(sink: HistorySink) -> Self {
        History { sink: Some(Box::new(Tap::Stream(sink))), ..History::new(true) }
    }

    /// A recorder that keeps every event and shows each to `observer` as it happens.
    pub fn observed(observer: EventObserver) -> Self {
        History { sink: Some(Box::new(Tap::Observe(observer))), ..History::new(true) }
    }

    /// Whether events are kept (callers skip building details when not).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// How many events have happened (recorded or not).
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Counts `n` events without keeping them, where a history that keeps
    /// none must still number later events as AWS would.
    pub(crate) fn count_only(&self, n: u64) {
        debug_assert!(!self.enabled, "a kept history records its events");
        // As in `record_with`: one thread at a time counts.
        self.count.store(self.count.load(Ordering::Relaxed) + n, Ordering::Relaxed);
    }

    /// Counts `n` events past the history limit without keeping them, as a
    /// history that keeps none counts them, so event ids agree either way.
    pub(crate) fn count_past_limit(&self, n: u64) {
        self.count.store(self.count.load(Ordering::Relaxed) + n, Ordering::Relaxed);
    }

    /// Numbers the events from `last_id + 1` on: a redriven attempt's
    /// history follows the earlier attempts' events.
    pub(crate) fn continue_after(&self, last_id: u64) {
        self.count.store(last_id, Ordering::Relaxed);
    }

    /// Id of the most recent event.
    pub fn last_id(&self) -> u64 {
        self.count()
    }

    /// Records an event following the previous one; returns its id. The
    /// time and details are asked for only when events are kept.
    pub fn record(
        &self, event_type: EventType, timestamp: impl FnOnce() -> Timestamp,
        details: impl FnOnce() -> Option<EventDetails>,
    ) -> u64 {
        self.record_with(None, event_type, timestamp, details)
    }

    /// Records an event whose `previousEventId` is `previous`.
    pub fn record_after(
        &self, previous: u64, event_type: EventType, timestamp: impl FnOnce() -> Timestamp,
        details: impl FnOnce() -> Option<EventDetails>,
    ) -> u64 {
        self.record_with(Some(previous), event_type, timestamp, details)
    }

    /// (In line: a history that keeps nothing only counts, and every state
    /// records twice.)
    #[inline(always)]
    fn record_with(
        &self, previous: Option<u64>, event_type: EventType, timestamp: impl FnOnce() -> Timestamp,
        details: impl FnOnce() -> Option<EventDetails>,
    ) -> u64 {
        if !self.enabled {
            // A load and a store, not a `fetch_add`: one thread at a time
            // records into a history (a Map's workers count into their own),
            // and the locked add would cost more than the rest of the event.
            let id = self.count.load(Ordering::Relaxed) + 1;
            self.count.store(id, Ordering::Relaxed);
            return id;
        }
        // Details are built before the lock, which then only numbers and stores.
        self.keep(previous, event_type, timestamp(), details())
    }

    fn keep(
        &self, previous: Option<u64>, event_type: EventType, timestamp: Timestamp, details: Option<EventDetails>,
    ) -> u64 {
        let mut events = self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = self.count.load(Ordering::Relaxed);
        let id = last + 1;
        self.count.store(id, Ordering::Relaxed);
        let event = HistoryEvent { id, previous_event_id: previous.unwrap_or(last), timestamp, event_type, details };
        // Under the lock, so that the sink sees events in id order.
        match self.sink.as_deref() {
            Some(Tap::Stream(sink)) => {
                sink(event);
                return id;
            }
            Some(Tap::Observe(observer)) => observer(&event),
            None => {}
        }
        // One place that keeps an event: the hot path inlines it once.
        events.push(event);
        id
    }

    /// The recorded events.
    pub fn into_events(self) -> Events {
        self.events.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_aws() {
        let e = HistoryEvent {
            id: 2,
            previous_event_id: 0,
            timestamp: "2024-01-02T03:04:05.5Z".parse().unwrap(),
            event_type: EventType::PassStateEntered,
            details: Some(EventDetails::StateEntered {
                name: "A".into(),
                input: "{}".into(),
                input_details: PayloadDetails::default(),
            }),
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["stateEnteredEventDetails"]["inputDetails"]["truncated"], false);
        assert_eq!(v["previousEventId"], 0);
        assert_eq!(v["type"], "PassStateEntered");
        assert_eq!(v["timestamp"], "2024-01-02T03:04:05.500Z");
    }

    #[test]
    fn a_long_history_keeps_every_event_in_order() {
        let h = History::new(true);
        let at: Timestamp = "2024-01-02T03:04:05Z".parse().unwrap();
        let n = 3 * MAX_CHUNK + 7;
        for _ in 0..n {
            h.record(EventType::PassStateEntered, || at, || None);
        }
        let events = h.into_events();
        assert_eq!(events.len(), n);
        assert!(events.iter().enumerate().all(|(i, e)| e.id == i as u64 + 1 && e.previous_event_id == i as u64));
        // Found by index across the chunks, from either end, and as one list.
        assert!((0..n).all(|i| events.get(i).map(|e| e.id) == Some(i as u64 + 1) && events[i].id == i as u64 + 1));
        assert!(events.get(n).is_none());
        assert_eq!((events.first().map(|e| e.id), events.last().map(|e| e.id)), (Some(1), Some(n as u64)));
        assert_eq!(events.iter().next_back().map(|e| e.id), Some(n as u64));
        let json = serde_json::to_value(&events).unwrap();
        assert_eq!(json.as_array().map(Vec::len), Some(n));
        assert_eq!(json[n - 1]["id"], n as u64);
        let copy = events.clone();
        let all = events.into_vec();
        assert_eq!(all.len(), n);
        assert!(all.iter().eq(copy.iter()));
        assert_eq!(copy.into_iter().map(|e| e.id).sum::<u64>(), (n as u64) * (n as u64 + 1) / 2);
    }

    #[test]
    fn disabled_history_still_counts_ids() {
        let h = History::new(false);
        h.record(EventType::PassStateEntered, || unreachable!("no time is taken for an event nobody keeps"), || None);
        assert_eq!(h.record(EventType::PassStateExited, Timestamp::now, || None), 2);
        assert!(h.into_events().is_empty());
    }
}
