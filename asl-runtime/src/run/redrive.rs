//! Redrive: an execution that failed, timed out or was aborted goes on from
//! where it stopped, as AWS's `RedriveExecution` does.
//!
//! When an attempt ends, every scope (the execution's own states, each
//! Parallel branch, each Map iteration) stands at some state: the one that
//! failed, or the one whose work was cut short when a sibling failed, the
//! execution timed out or was stopped. A replay of the attempt that keeps a
//! [`FrameLog`] notes, for each scope, the state it is in with that state's
//! input and variables, and which branches or iterations of a running
//! Parallel or Map already ended and with what output. The log's
//! [`snapshot`](FrameLog::snapshot) is a [`Frame`] tree: the next attempt
//! starts from it, running again only the states that did not end: a
//! branch or iteration that succeeded keeps its output; one that failed or
//! was aborted goes on from the state it stood in; the rest start afresh.

use crate::clock::BoxFuture;
use crate::error::StatesError;
use crate::variables::Variables;
use asl_spec::model::{Scope, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map as JsonMap, Value};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::run::{OpenTask, Run};

/// Where one scope stood when an attempt ended, and what the next attempt
/// runs again there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Frame {
    /// The state it stood in (its index in the scope).
    pub(crate) state: usize,
    /// That state's input.
    pub(crate) input: Value,
    /// The variables the scope had then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) variables: Option<JsonMap<String, Value>>,
    /// For a Parallel or a Map: the branches or iterations (by index) that
    /// ended or stood somewhere; the others start afresh.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) children: Children,
}

/// A branch or an iteration of the state a [`Frame`] stands in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Child {
    /// It succeeded with this output: it does not run again.
    Done(Value),
    /// It stood here: it goes on from there.
    Again(Frame),
}

/// How a redriven attempt begins.
#[derive(Debug, Clone)]
pub(crate) struct Resume {
    /// Where the execution's own scope stood.
    pub(crate) frame: Frame,
    /// `RedriveCount` from this attempt on.
    pub(crate) redrive_count: u32,
    /// The id of the attempt's `ExecutionRedriven` event: the events of the
    /// earlier attempts come before it.
    pub(crate) first_event: u64,
    /// When the execution first started (`$$.Execution.StartTime`).
    pub(crate) start_ms: i64,
}

/// What a branch or an iteration did, as the log keeps it.
enum Kept {
    Running(usize),
    Done(Value),
}

#[derive(Default)]
struct LiveFrame {
    at: Option<(usize, Value, Variables)>,
    children: BTreeMap<usize, Kept>,
}

/// Where every scope of a replayed attempt stands (see the module docs).
#[derive(Default)]
pub(crate) struct FrameLog {
    frames: Mutex<Vec<LiveFrame>>,
}

/// Branches or iterations by index, as a [`Frame`] keeps them.
type Children = Vec<(usize, Child)>;

thread_local! {
    /// The frame of the scope being polled on this thread (capture only).
    static CURRENT: Cell<Option<usize>> = const { Cell::new(None) };
    /// The branches and iterations of the state a resumed scope starts in,
    /// for that state (by address) to take.
    static PLAN: RefCell<Option<(usize, Children)>> = const { RefCell::new(None) };
}

impl FrameLog {
    fn frames(&self) -> std::sync::MutexGuard<'_, Vec<LiveFrame>> {
        self.frames.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new scope, branch or iteration `slot` of the state its parent
    /// frame stands in.
    fn open(&self, parent: Option<(usize, usize)>) -> usize {
        let mut frames = self.frames();
        let id = frames.len();
        frames.push(LiveFrame::default());
        if let Some((parent, slot)) = parent
            && let Some(frame) = frames.get_mut(parent)
        {
            frame.children.insert(slot, Kept::Running(id));
        }
        id
    }

    /// Scope `frame` enters the state at `index`.
    fn at(&self, frame: usize, index: usize, input: &Value, variables: &Variables) {
        if let Some(frame) = self.frames().get_mut(frame) {
            frame.at = Some((index, input.clone(), variables.clone()));
            frame.children.clear();
        }
    }

    /// Branch or iteration `slot` of the state `frame` stands in succeeded.
    fn done(&self, frame: usize, slot: usize, output: &Value) {
        if let Some(frame) = self.frames().get_mut(frame) {
            frame.children.insert(slot, Kept::Done(output.clone()));
        }
    }

    /// Where the execution's own scope stood, with all it holds; `None`
    /// before it entered a state.
    pub(crate) fn snapshot(&self) -> Option<Frame> {
        let mut frames = std::mem::take(&mut *self.frames());
        fn build(frames: &mut [LiveFrame], id: usize) -> Option<Frame> {
            let frame = frames.get_mut(id)?;
            let (state, input, variables) = frame.at.take()?;
            let kept = std::mem::take(&mut frame.children);
            let children = kept
                .into_iter()
                .filter_map(|(slot, kept)| match kept {
                    Kept::Done(output) => Some((slot, Child::Done(output))),
                    Kept::Running(child) => build(frames, child).map(|frame| (slot, Child::Again(frame))),
                })
                .collect();
            Some(Frame { state, input, variables: variables.into_map(), children })
        }
        build(&mut frames, 0)
    }
}

/// A scope's future that makes its frame the current one while it is
/// polled, and notes its output when it succeeds.
struct Framed<'s> {
    log: Arc<FrameLog>,
    id: usize,
    /// Where its output is noted: the parent frame and the slot in it.
    parent: Option<(usize, usize)>,
    inner: BoxFuture<'s, Result<Value, StatesError>>,
}

impl Future for Framed<'_> {
    type Output = Result<Value, StatesError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let outer = CURRENT.replace(Some(self.id));
        let polled = self.inner.as_mut().poll(cx);
        CURRENT.set(outer);
        if let (Poll::Ready(Ok(output)), Some((parent, slot))) = (&polled, self.parent) {
            self.log.done(parent, slot, output);
        }
        polled
    }
}

impl<'a> Run<'a> {
    /// `scope`'s future, as branch or iteration `slot` of the current frame
    /// when the attempt is being captured.
    pub(super) fn framed<'s>(
        &'s self, slot: usize, scope: BoxFuture<'s, Result<Value, StatesError>>,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        let Some(log) = &self.exec.frames else { return scope };
        let parent = CURRENT.get().map(|frame| (frame, slot));
        let id = log.open(parent);
        Box::pin(Framed { log: log.clone(), id, parent, inner: scope })
    }

    /// Notes that the current scope enters the state at `index` (capture only).
    #[cold]
    #[inline(never)]
    pub(super) fn note_state(&self, index: usize, input: &Value, variables: &Variables) {
        if let (Some(log), Some(frame)) = (&self.exec.frames, CURRENT.get()) {
            log.at(frame, index, input, variables);
        }
    }

    /// Notes that iteration `slot` of the Map the current scope stands in
    /// succeeded without a scope of its own (an instant processor).
    pub(super) fn note_done(&self, slot: usize, output: &Value) {
        if let (Some(log), Some(frame)) = (&self.exec.frames, CURRENT.get()) {
            log.done(frame, slot, output);
        }
    }

    /// Runs `f` in no frame: the instant iterations of a Map run in line,
    /// in the frame of the scope around the Map, and must not note there.
    pub(super) fn unframed<T>(&self, f: impl FnOnce() -> T) -> T {
        if self.exec.frames.is_none() {
            return f();
        }
        let outer = CURRENT.replace(None);
        let result = f();
        CURRENT.set(outer);
        result
    }

    /// The plan a resumed scope left for `state`, its first: which of its
    /// branches or iterations ended, and where the others stood.
    pub(super) fn take_plan(&self, state: &State) -> Option<HashMap<usize, Child>> {
        let key = std::ptr::from_ref(state) as usize;
        PLAN.with(|plan| {
            let mut plan = plan.borrow_mut();
            match plan.as_ref() {
                Some((owner, _)) if *owner == key => plan.take().map(|(_, children)| children.into_iter().collect()),
                _ => None,
            }
        })
    }

    /// The execution's own scope, going on from `frame`.
    pub(crate) fn body_resumed<'s>(
        &'s self, scope: &'s Scope, frame: Frame,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        self.scope_resumed(scope, frame, None, 0)
    }

    /// A scope that goes on from `frame` (branch or iteration `slot`, noting
    /// its Task in `open`).
    pub(super) fn scope_resumed<'s>(
        &'s self, scope: &'s Scope, frame: Frame, open: Option<&'s OpenTask>, slot: usize,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        let Frame { state, input, variables, children } = frame;
        let variables = Variables::from_map(variables);
        let owner = scope.states.get(state).map(|s| std::ptr::from_ref(s) as usize);
        let body = async move {
            // Left for the state the scope starts in, in the same poll.
            if let Some(owner) = owner.filter(|_| !children.is_empty()) {
                PLAN.with(|plan| *plan.borrow_mut() = Some((owner, children)));
            }
            match open {
                Some(open) => self.scope_inner(scope, state, input, variables, open).await,
                None => self.scope_inner(scope, state, input, variables, ()).await,
            }
        };
        self.framed(slot, Box::pin(body))
    }
}
