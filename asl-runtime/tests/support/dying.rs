//! A store that dies: for crash tests of durable executions.

use asl_runtime::{
    BoxFuture, Ending, Entry, ExecutionRecord, ExecutionStore, ListQuery, Outcome, Posted, Started, StoreError,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A store that dies at its journal write number `budget` (from 0), before
/// the write reaches the store: that write and every call after it wait forever, as in a process that was
/// killed, and `dead` tells the test to drop the execution (its future, its
/// tasks: all of it).
pub struct Dying {
    inner: Arc<dyn ExecutionStore>,
    budget: AtomicUsize,
    limit: usize,
    gone: AtomicBool,
    dead: Arc<tokio::sync::Notify>,
}

impl Dying {
    /// A store over `inner` that dies at write number `budget`.
    pub fn new(inner: Arc<dyn ExecutionStore>, budget: usize, dead: Arc<tokio::sync::Notify>) -> Dying {
        Dying { inner, budget: AtomicUsize::new(budget), limit: budget, gone: AtomicBool::new(false), dead }
    }

    /// The journal writes made.
    pub fn writes(&self) -> usize {
        self.limit - self.budget.load(Ordering::SeqCst)
    }

    fn or_hang<'a, T: Send + 'a>(&'a self, f: BoxFuture<'a, T>) -> BoxFuture<'a, T> {
        if self.gone.load(Ordering::SeqCst) {
            self.dead.notify_one();
            Box::pin(std::future::pending())
        } else {
            f
        }
    }
}

impl ExecutionStore for Dying {
    fn start(&self, r: ExecutionRecord) -> BoxFuture<'_, Result<Started, StoreError>> {
        self.or_hang(self.inner.start(r))
    }
    fn execution(&self, arn: &str) -> BoxFuture<'_, Result<Option<ExecutionRecord>, StoreError>> {
        self.or_hang(self.inner.execution(arn))
    }
    fn journal(&self, arn: &str) -> BoxFuture<'_, Result<Vec<Entry>, StoreError>> {
        self.or_hang(self.inner.journal(arn))
    }
    fn append<'a>(&'a self, arn: &'a str, e: &'a [Entry], c: &'a [i64]) -> BoxFuture<'a, Result<(), StoreError>> {
        if self.budget.load(Ordering::SeqCst) == 0 {
            // Dies before this write reaches the store.
            self.gone.store(true, Ordering::SeqCst);
            return self.or_hang(Box::pin(async { Ok(()) }));
        }
        self.budget.fetch_sub(1, Ordering::SeqCst);
        self.inner.append(arn, e, c)
    }
    fn finish(&self, arn: &str, ending: Ending) -> BoxFuture<'_, Result<(), StoreError>> {
        self.or_hang(self.inner.finish(arn, ending))
    }
    fn list(&self, q: ListQuery) -> BoxFuture<'_, Result<Vec<ExecutionRecord>, StoreError>> {
        self.or_hang(self.inner.list(q))
    }
    fn tokens(&self, arn: &str, add: Vec<(String, u64)>, remove: Vec<String>) -> BoxFuture<'_, Result<(), StoreError>> {
        self.or_hang(self.inner.tokens(arn, add, remove))
    }
    fn post_callback(&self, token: &str, o: Outcome) -> BoxFuture<'_, Result<(), StoreError>> {
        self.or_hang(self.inner.post_callback(token, o))
    }
    fn post_stop(
        &self, arn: &str, error: Option<String>, cause: Option<String>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.or_hang(self.inner.post_stop(arn, error, cause))
    }
    fn running(&self) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
        self.or_hang(self.inner.running())
    }
    fn forget_ended(&self, before_ms: i64) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.or_hang(self.inner.forget_ended(before_ms))
    }
    fn redrive(&self, arn: &str, count: u32, entry: Entry) -> BoxFuture<'_, Result<ExecutionRecord, StoreError>> {
        self.or_hang(self.inner.redrive(arn, count, entry))
    }
    fn posted(&self) -> BoxFuture<'_, Result<Vec<Posted>, StoreError>> {
        self.or_hang(self.inner.posted())
    }
}
