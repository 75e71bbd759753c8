//! What executions tell [`tracing`]: a span for each execution, each state
//! and each Task attempt, and events for retries, catches, timeouts and the
//! end. All under the target `asl`, at `INFO` (spans) and `INFO`/`WARN`
//! (events), so `RUST_LOG=asl=info` shows an execution's course.
//!
//! Span tree: `execution{name, arn, state_machine}` › `state{name, type,
//! variant}` (`variant`: the generated `State` enum's, for a compiled machine) ›
//! `task{attempt, resource}`; the states of a Parallel's branches and a Map's
//! iterations are inside the Parallel's or Map's `state` span. Without a
//! subscriber interested in `asl`, each costs a check of a static.

use crate::error::StatesError;
use crate::identity::Names;
use asl_spec::model::{State, Task};
use std::time::Duration;
use tracing::{Span, info, info_span, warn};

/// Whether any subscriber wants `INFO`: one relaxed load, so that an
/// untraced execution pays nothing more per state (without a subscriber,
/// making even a disabled span costs some 40 instructions a state).
#[inline(always)]
pub(crate) fn enabled() -> bool {
    tracing::level_enabled!(tracing::Level::INFO)
}

/// The span of one execution.
#[cold]
#[inline(never)]
pub(crate) fn execution(names: &Names) -> Span {
    info_span!(
        target: "asl",
        "execution",
        name = %names.execution_name,
        arn = %names.execution_id,
        state_machine = %names.state_machine_name,
    )
}

/// The span of one state, from its entry to its exit; `variants` name the
/// generated `State` enum's variants by state id (see `Services::variants`).
#[cold]
#[inline(never)]
pub(crate) fn state(state: &State, variants: &[&'static str]) -> Span {
    let span = info_span!(
        target: "asl",
        "state",
        name = %state.name,
        r#type = state.kind.type_name(),
        variant = tracing::field::Empty,
    );
    if !span.is_disabled()
        && let Some(variant) = variants.get(state.id as usize)
    {
        span.record("variant", *variant);
    }
    span
}

/// [`state`], when a subscriber wants it: a state that waits keeps its span
/// across the wait only then.
pub(crate) fn state_if_traced(state: &State, variants: &[&'static str]) -> Option<Span> {
    if !enabled() {
        return None;
    }
    Some(self::state(state, variants)).filter(|span| !span.is_disabled())
}

/// [`attempt`], when a subscriber wants it.
pub(crate) fn attempt_if_traced(task: &Task, number: u32) -> Option<Span> {
    if !enabled() {
        return None;
    }
    Some(attempt(task, number)).filter(|span| !span.is_disabled())
}

/// `future` in `span`, boxed when traced (untraced, it is left as it is).
pub(crate) fn boxed_in<'f, T: 'f>(
    span: Option<Span>, future: crate::clock::BoxFuture<'f, T>,
) -> crate::clock::BoxFuture<'f, T> {
    match span {
        None => future,
        Some(span) => Box::pin(tracing::Instrument::instrument(future, span)),
    }
}

pin_project_lite::pin_project! {
    /// A future polled inside a span when there is one. The span is boxed: a
    /// parked execution pays one pointer for it when untraced (a
    /// [`tracing::Instrument`]ed future would hold the whole span).
    pub(crate) struct Traced<F> {
        span: Option<Box<Span>>,
        #[pin]
        inner: F,
    }
}

impl<F> Traced<F> {
    pub(crate) fn new(span: Option<Span>, inner: F) -> Self {
        Traced { span: span.map(Box::new), inner }
    }
}

impl<F: std::future::Future> std::future::Future for Traced<F> {
    type Output = F::Output;
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.as_deref().map(Span::enter);
        this.inner.poll(cx)
    }
}

/// Runs `f` inside `span`, if there is one.
pub(crate) fn within<T>(span: Option<&Span>, f: impl FnOnce() -> T) -> T {
    match span {
        Some(span) => span.in_scope(f),
        None => f(),
    }
}

/// The span of one attempt of a Task's call (0: the first).
#[cold]
#[inline(never)]
pub(crate) fn attempt(task: &Task, attempt: u32) -> Span {
    info_span!(target: "asl", "task", attempt, resource = %task.resource)
}

/// A retrier took `error`: retry number `retry` follows after `delay`.
#[cold]
#[inline(never)]
pub(crate) fn retry(error: &StatesError, retry: u32, delay: Duration) {
    info!(
        target: "asl",
        error = %error.error,
        cause = error.cause.as_deref().unwrap_or(""),
        retry,
        delay_ms = delay.as_millis() as u64,
        "retry"
    );
}

/// A catcher took `error` and goes on at `next`.
#[cold]
#[inline(never)]
pub(crate) fn caught(error: &StatesError, next: &str) {
    info!(target: "asl", error = %error.error, cause = error.cause.as_deref().unwrap_or(""), next, "caught");
}

/// A Task attempt ended in `error`: a timeout is told apart.
#[cold]
#[inline(never)]
pub(crate) fn task_failed(error: &StatesError) {
    let cause = error.cause.as_deref().unwrap_or("");
    if error.error == crate::error::names::TIMEOUT || error.error == crate::error::names::HEARTBEAT_TIMEOUT {
        warn!(target: "asl", error = %error.error, "timed out");
    } else {
        info!(target: "asl", error = %error.error, cause, "task failed");
    }
}

/// The execution ended with `status` (and `error`, unless it succeeded).
#[cold]
#[inline(never)]
pub(crate) fn ended(status: crate::Status, error: Option<&str>, cause: Option<&str>) {
    match status {
        crate::Status::Succeeded => info!(target: "asl", status = status.as_str(), "execution ended"),
        _ => warn!(
            target: "asl",
            status = status.as_str(),
            error = error.unwrap_or(""),
            cause = cause.unwrap_or(""),
            "execution ended"
        ),
    }
}
