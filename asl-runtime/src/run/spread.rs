//! Work-spreading: instant Map and Parallel work shared among threads, kept
//! only when it agrees with what the ordered run would have done.

use crate::run::Run;

/// Below this many states per thread, spreading instant work over threads
/// costs more than it saves. A state takes 0.05–0.1 µs; handing work to a
/// pool thread that sleeps takes 0.1–0.2 ms on a 2-core VM (the wake-up),
/// and the two threads then share the allocator. Measured there (Pass
/// states, warm, 1 against 2 threads): a Parallel of 1,000 and of 4,000
/// states was slower or no faster on 2 threads (0.068 / 0.076 ms, 0.32 /
/// 0.33 ms), one of 10,000 states faster (0.82 / 0.48 ms); a Map of 500
/// four-state items (2,000 states) no faster, of 1,000 items 7 % faster,
/// of 4,000 items 30 % faster.
const MIN_STATES_PER_THREAD: usize = 2048;

/// What one thread did in [`Run::speculate`]: the chunks it ran, by index,
/// and the events they counted.
struct ThreadShare<T> {
    chunks: Vec<(usize, Vec<T>)>,
    pub(super) events: u64,
}

/// How many chunks per thread [`Run::speculate`] cuts its work into: enough
/// that a thread that starts late leaves little for the others to wait on,
/// few enough that taking one costs nothing next to running it.
const CHUNKS_PER_THREAD: usize = 16;

impl<'a> Run<'a> {
    /// How many threads instant work of about `states` states should be
    /// spread over (1: stay on this thread).
    pub(super) fn threads_for(&self, states: usize) -> usize {
        if self.history().enabled() {
            return 1;
        }
        self.exec.parallelism.min(states / MIN_STATES_PER_THREAD).max(1)
    }

    /// Runs `job` for every index in `0..len` on up to `threads` threads
    /// (this one too), each in a run of its own that counts events. Gives
    /// the results in index order, with how many events they counted, or
    /// `None` as soon as a job gives up or the events would reach the
    /// history limit: nothing is then kept, and the caller does the work
    /// again in order, as if this had not happened.
    pub(super) fn speculate<T: Send>(
        &self, len: usize, threads: usize, job: impl Fn(&Run<'_>, usize) -> Option<T> + Sync,
    ) -> Option<Vec<T>> {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
        let base = self.history().count();
        // The work is cut into small contiguous chunks that whichever thread
        // is free takes next, rather than one fixed part per thread: a pool
        // thread takes 0.1-0.2 ms to wake on a small VM, and this thread
        // takes on what it has not started by then instead of waiting.
        let chunk = len.div_ceil(threads * CHUNKS_PER_THREAD).max(1);
        let chunks = len.div_ceil(chunk);
        let (taken, gave_up) = (AtomicUsize::new(0), AtomicBool::new(false));
        let work = || {
            let run = self.counting_from(base);
            let mut done = Vec::new();
            while !gave_up.load(Relaxed) {
                let c = taken.fetch_add(1, Relaxed);
                if c >= chunks {
                    break;
                }
                match (c * chunk..((c + 1) * chunk).min(len)).map(|i| job(&run, i)).collect() {
                    Some(results) => done.push((c, results)),
                    None => gave_up.store(true, Relaxed),
                }
            }
            ThreadShare { chunks: done, events: run.history().count() - base }
        };
        // Rayon's pool keeps its threads: starting one per Map would cost
        // about as much as the work it takes on.
        let mut parts: Vec<ThreadShare<T>> =
            (0..threads).map(|_| ThreadShare { chunks: Vec::new(), events: 0 }).collect();
        // The iterations' state spans belong under the Map's, on any thread.
        let span = tracing::Span::current();
        rayon_core::in_place_scope(|scope| {
            let (first, others) = parts.split_first_mut().expect("at least one thread");
            for slot in others {
                let (work, span) = (&work, &span);
                scope.spawn(move |_| *slot = span.in_scope(work));
            }
            *first = work();
        });
        if gave_up.into_inner() {
            return None;
        }
        let mut in_order: Vec<Option<Vec<T>>> = (0..chunks).map(|_| None).collect();
        let mut events = 0;
        for share in parts {
            events += share.events;
            for (c, results) in share.chunks {
                in_order[c] = Some(results);
            }
        }
        let mut results = Vec::with_capacity(len);
        for chunk_results in in_order {
            // Every chunk was taken, since no job gave up.
            results.extend(chunk_results?);
        }
        // Counts only grow: if the total stays under the limit, so did the
        // count at every state the ordered run would have started.
        let launches = len as u64;
        if base.saturating_add(events).saturating_add(launches) >= self.exec.limits.max_history_events {
            return None;
        }
        self.history().count_only(events);
        #[cfg(test)]
        super::tests::SPECULATIONS_KEPT.with(|kept| kept.set(kept.get() + 1));
        Some(results)
    }
}
