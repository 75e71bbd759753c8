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
/// On a tokio runtime whose time is paused (see [`virtual_time_runtime`] or
/// `#[tokio::test(start_paused = true)]`), tokio advances time by itself
/// whenever every task is waiting on a timer, so a one-hour Wait, a long
/// retry back-off or a timeout takes no real time, while the order of events
/// stays exactly as it would be in real time.
///
/// Paused time is tokio's `test-util`, which this crate's `virtual-time`
/// feature turns on. On a runtime whose time runs, a virtual clock would
/// silently wait in real time; so it is refused: [`VirtualClock::try_new`]
/// returns a [`VirtualTimeError`], [`VirtualClock::new`] panics with it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use asl_runtime::VirtualClock;
///
/// let runtime = asl_runtime::virtual_time_runtime()?;
/// runtime.block_on(async {
///     let clock = VirtualClock::try_new()?;
///     // An hour passes, in no time.
///     asl_runtime::Clock::sleep(&clock, std::time::Duration::from_secs(3600)).await;
///     Ok::<_, asl_runtime::VirtualTimeError>(())
/// })?;
/// # Ok(()) }
/// ```
#[cfg(feature = "virtual-time")]
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: Timestamp,
    origin: tokio::time::Instant,
}

/// Why a [`VirtualClock`] cannot be made here.
#[cfg(feature = "virtual-time")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtualTimeError {
    /// Not called inside a tokio runtime.
    NoRuntime,
    /// The current runtime's time is not paused, so sleeps would take real time.
    NotPaused,
}

#[cfg(feature = "virtual-time")]
impl std::fmt::Display for VirtualTimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fix = "run it on asl_runtime::virtual_time_runtime(), \
                   #[tokio::main(flavor = \"current_thread\", start_paused = true)] \
                   or #[tokio::test(start_paused = true)]";
        match self {
            VirtualTimeError::NoRuntime => write!(f, "a VirtualClock must be made inside a tokio runtime: {fix}"),
            VirtualTimeError::NotPaused => {
                write!(f, "a VirtualClock needs a tokio runtime whose time is paused, or it waits in real time: {fix}")
            }
        }
    }
}

#[cfg(feature = "virtual-time")]
impl std::error::Error for VirtualTimeError {}

#[cfg(feature = "virtual-time")]
impl VirtualClock {
    /// A clock that reads `start` now, on the current runtime if its time is paused.
    pub fn try_starting_at(start: Timestamp) -> Result<Self, VirtualTimeError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(VirtualTimeError::NoRuntime);
        }
        if !time_is_paused() {
            return Err(VirtualTimeError::NotPaused);
        }
        Ok(VirtualClock { start, origin: tokio::time::Instant::now() })
    }

    /// A clock that starts at the real current time, if the runtime's time is paused.
    pub fn try_new() -> Result<Self, VirtualTimeError> {
        VirtualClock::try_starting_at(Timestamp::now())
    }

    /// A clock that reads `start` now.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime whose time is paused (see [`VirtualTimeError`]).
    pub fn starting_at(start: Timestamp) -> Self {
        VirtualClock::try_starting_at(start).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A clock that starts at the real current time.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime whose time is paused (see [`VirtualTimeError`]).
    // No `Default`: making a virtual clock can fail, and a default should not panic.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        VirtualClock::starting_at(Timestamp::now())
    }
}

/// Whether tokio's clock stands still on this thread's runtime. tokio does
/// not say, but paused time only moves when the runtime is idle, never while
/// this function runs, and a running tokio clock reads the real one.
#[cfg(feature = "virtual-time")]
fn time_is_paused() -> bool {
    let before = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let after = tokio::time::Instant::now();
    if before != after {
        return false; // it moved
    }
    if tokio::time::Instant::from_std(real) != before {
        return true; // it stood still while real time was elsewhere
    }
    // Three equal readings: a clock too coarse to tell at once. Watch it.
    let started = std::time::Instant::now();
    loop {
        // Real time first: once it has moved on, a running tokio clock,
        // read after it from the same source, has too.
        let waited = started.elapsed();
        if tokio::time::Instant::now() != before {
            return false;
        }
        if waited >= Duration::from_millis(2) {
            return true;
        }
        std::hint::spin_loop();
    }
}

#[cfg(feature = "virtual-time")]
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
#[cfg(feature = "virtual-time")]
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

    #[cfg(feature = "virtual-time")]
    #[test]
    fn a_virtual_clock_refuses_a_running_clock() {
        assert_eq!(VirtualClock::try_new().unwrap_err(), VirtualTimeError::NoRuntime);
        let running = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        assert_eq!(running.block_on(async { VirtualClock::try_new().unwrap_err() }), VirtualTimeError::NotPaused);
        let paused = virtual_time_runtime().unwrap();
        assert!(paused.block_on(async { VirtualClock::try_new() }).is_ok());
    }

    #[cfg(feature = "virtual-time")]
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
