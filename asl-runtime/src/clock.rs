//! Time, abstracted so that Wait states, retry back-offs and timeouts can run
//! in virtual time.

use jiff::Timestamp;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the runtime gets "now" and how it waits.
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time (for `$$.Execution.StartTime`, event
    /// timestamps and `Timestamp` waits).
    fn now(&self) -> Timestamp;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Real time: the system clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Virtual time: "now" is a fixed start plus tokio's elapsed time.
///
/// On a tokio runtime whose time is paused (see [`virtual_time_runtime`]),
/// tokio advances time by itself whenever every task is waiting on a timer,
/// so a one-hour Wait, a long retry back-off or a timeout takes no real time,
/// while the order of events stays exactly as it would be in real time.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: Timestamp,
    origin: tokio::time::Instant,
}

impl VirtualClock {
    /// A clock that reads `start` now. Must be created inside a tokio runtime.
    pub fn starting_at(start: Timestamp) -> Self {
        VirtualClock { start, origin: tokio::time::Instant::now() }
    }

    /// A clock that starts at the real current time.
    pub fn new() -> Self {
        VirtualClock::starting_at(Timestamp::now())
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::new()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.origin);
        let elapsed = jiff::SignedDuration::try_from(elapsed).unwrap_or(jiff::SignedDuration::MAX);
        self.start.checked_add(elapsed).unwrap_or(Timestamp::MAX)
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A single-threaded tokio runtime with paused time, for [`VirtualClock`].
pub fn virtual_time_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()
}

/// Formats a timestamp as AWS prints context-object times (milliseconds, `Z`).
pub fn format_timestamp(t: Timestamp) -> String {
    // jiff prints the shortest exact fraction; AWS always prints milliseconds.
    let secs = t.as_second();
    let millis = t.subsec_millisecond();
    let whole = Timestamp::from_second(secs).unwrap_or(t);
    let text = whole.to_string();
    let base = text.trim_end_matches('Z');
    format!("{base}.{millis:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_timestamp_format() {
        let t: Timestamp = "2024-01-02T03:04:05.5Z".parse().unwrap();
        assert_eq!(format_timestamp(t), "2024-01-02T03:04:05.500Z");
    }

    #[test]
    fn virtual_time_takes_no_real_time() {
        let rt = virtual_time_runtime().unwrap();
        let real = std::time::Instant::now();
        rt.block_on(async {
            let clock = VirtualClock::starting_at("2024-01-01T00:00:00Z".parse().unwrap());
            clock.sleep(Duration::from_secs(3600)).await;
            assert_eq!(clock.now().to_string(), "2024-01-01T01:00:00Z");
        });
        assert!(real.elapsed() < Duration::from_secs(5));
    }
}
