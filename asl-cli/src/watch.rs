//! Watching `asl run`: `-v`/`-vv` (or `RUST_LOG`) print the runtime's
//! tracing spans and events; on a terminal a spinner names the state the
//! execution is in; the summary at the end lists the path taken with
//! durations and retries.

use asl_runtime::{EventDetails, EventType, HistoryEvent};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

/// Sends the runtime's tracing events to stderr, one line each, placed by
/// the states they happened in: `RUST_LOG` chooses them when set (for
/// example `RUST_LOG=asl=info`), else `-v` shows those of target `asl`. With
/// the `otlp` feature and an OTLP endpoint set, the spans are exported too
/// (see `otlp.rs`); the returned guard flushes them when dropped.
pub(crate) fn init_tracing(verbose: u8, progress: Arc<Progress>) -> Result<Tracing, crate::UsageError> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    let from_env = std::env::var_os("RUST_LOG").is_some();
    let lines = (verbose > 0 || from_env).then(|| {
        let filter = if from_env {
            tracing_subscriber::EnvFilter::from_default_env()
        } else {
            tracing_subscriber::EnvFilter::new("asl=info")
        };
        Lines { progress }.with_filter(filter)
    });
    #[cfg(feature = "otlp")]
    let (export, guard) = match crate::otlp::layer().map_err(crate::UsageError)? {
        Some((layer, guard)) => (Some(layer), Some(guard)),
        None => (None, None),
    };
    #[cfg(not(feature = "otlp"))]
    let (export, guard) = (None::<tracing_subscriber::layer::Identity>, None);
    if lines.is_some() || export.is_some() {
        let subscriber = tracing_subscriber::registry().with(lines).with(export);
        let _ = tracing::subscriber::set_global_default(subscriber);
    }
    Ok(Tracing { _export: guard })
}

/// Keeps the trace's exporter until the command is done.
pub(crate) struct Tracing {
    #[cfg(feature = "otlp")]
    _export: Option<crate::otlp::Exporting>,
    #[cfg(not(feature = "otlp"))]
    _export: Option<()>,
}

impl Tracing {
    /// The execution is over: what is left to export goes now.
    /// (Taking `self` ends the exporter here, which flushes it.)
    pub(crate) fn finish(self) {}
}

/// A span's fields, as `key=value` text.
struct SpanFields(Vec<(&'static str, String)>);

#[derive(Default)]
struct Collect(Vec<(&'static str, String)>);

impl tracing::field::Visit for Collect {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name(), value.to_string()));
    }
}

/// Prints each event as `LEVEL State › Inner (attempt N): message key=value`.
struct Lines {
    progress: Arc<Progress>,
}

impl<S> tracing_subscriber::Layer<S> for Lines
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Collect::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Collect::default();
        event.record(&mut fields);
        let mut place = Vec::new();
        for span in ctx.event_scope(event).into_iter().flat_map(|scope| scope.from_root()) {
            let extensions = span.extensions();
            let Some(SpanFields(values)) = extensions.get::<SpanFields>() else { continue };
            let get = |key: &str| values.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str());
            match span.name() {
                "state" => place.push(get("name").unwrap_or("?").to_string()),
                "task" => {
                    if let Some(last) = place.last_mut() {
                        last.push_str(&format!(" (attempt {})", get("attempt").unwrap_or("?")));
                    }
                }
                _ => {}
            }
        }
        let message = fields.0.iter().find(|(k, _)| *k == "message").map(|(_, v)| v.clone()).unwrap_or_default();
        let rest: Vec<String> = fields
            .0
            .iter()
            .filter(|(k, v)| *k != "message" && !v.is_empty() && v != "\"\"")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let place = if place.is_empty() { String::new() } else { format!("{}: ", place.join(" › ")) };
        let level = event.metadata().level();
        self.progress.println(&format!("{level:>5} {place}{message} {}", rest.join(" ")));
    }
}

/// A spinner on stderr naming the state the execution is in; nothing when
/// stderr is not a terminal.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub(crate) fn start(enabled: bool) -> Arc<Progress> {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Arc::new(Progress { bar })
    }

    /// Whether the spinner is on screen.
    pub(crate) fn shown(&self) -> bool {
        self.bar.is_some()
    }

    /// Shows where the execution is after `event`.
    pub(crate) fn on_event(&self, event: &HistoryEvent) {
        let Some(bar) = &self.bar else { return };
        if let Some(EventDetails::StateEntered { name, .. }) = &event.details {
            bar.set_message(format!("{name} ({})", event.event_type.as_str().trim_end_matches("StateEntered")));
        }
    }

    /// Prints `line` above the spinner.
    pub(crate) fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One line per history event, for `-vv`.
pub(crate) fn event_line(event: &HistoryEvent) -> String {
    let details = match &event.details {
        Some(details) => serde_json::to_value(details).map(|v| v.to_string()).unwrap_or_default(),
        None => String::new(),
    };
    let at = asl_runtime::format_timestamp(event.timestamp);
    format!("  #{:<4} {at} {:<28} {details}", event.id, event.event_type.as_str())
}

/// The top-level states an execution went through: name, type, how long,
/// and how many times its Task was retried.
#[derive(Default)]
pub(crate) struct Path {
    steps: Mutex<Vec<Step>>,
    /// How deep inside Parallel branches and Map iterations events are.
    depth: Mutex<usize>,
    /// When the execution started and when its last event happened.
    span: Mutex<(Option<jiff::Timestamp>, Option<jiff::Timestamp>)>,
}

struct Step {
    name: String,
    kind: &'static str,
    entered: jiff::Timestamp,
    exited: Option<jiff::Timestamp>,
    attempts: u32,
    nested: u64,
}

impl Path {
    /// Notes `event` (history order).
    pub(crate) fn on_event(&self, event: &HistoryEvent) {
        {
            let mut span = self.span.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            span.0 = span.0.or(Some(event.timestamp));
            span.1 = Some(event.timestamp);
        }
        let mut depth = self.depth.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut steps = self.steps.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = event.event_type.as_str();
        let opens = matches!(event.event_type, EventType::ParallelStateEntered | EventType::MapStateEntered);
        let closes = matches!(
            event.event_type,
            EventType::ParallelStateExited
                | EventType::MapStateExited
                | EventType::ParallelStateFailed
                | EventType::MapStateFailed
        );
        if *depth > 0 && !(closes && *depth == 1) {
            if opens {
                *depth += 1;
            } else if closes {
                *depth -= 1;
            }
            if let Some(step) = steps.last_mut() {
                step.nested += u64::from(name.ends_with("StateEntered"));
            }
            return;
        }
        match &event.details {
            Some(EventDetails::StateEntered { name: state, .. }) => {
                let kind = name.trim_end_matches("StateEntered");
                let kind = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]
                    .into_iter()
                    .find(|k| *k == kind)
                    .unwrap_or("State");
                steps.push(Step {
                    name: state.to_string(),
                    kind,
                    entered: event.timestamp,
                    exited: None,
                    attempts: 0,
                    nested: 0,
                });
                if opens {
                    *depth = 1;
                }
            }
            Some(EventDetails::StateExited { .. }) => {
                if let Some(step) = steps.last_mut() {
                    step.exited = Some(event.timestamp);
                }
                *depth = 0;
            }
            _ if closes => *depth = 0,
            _ if matches!(
                event.event_type,
                EventType::TaskScheduled | EventType::ActivityScheduled | EventType::LambdaFunctionScheduled
            ) =>
            {
                if let Some(step) = steps.last_mut() {
                    step.attempts += 1;
                }
            }
            _ => {}
        }
    }

    /// The summary: status and total time, then a line per state.
    pub(crate) fn summary(&self, status: &str) -> String {
        let steps = self.steps.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (started, ended) = *self.span.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ended = ended.unwrap_or_else(jiff::Timestamp::now);
        let total = seconds(started.map(|s| ended.duration_since(s)).unwrap_or_default());
        let mut out = format!("{status} in {total} ({} states)\n", steps.len());
        let width = steps.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).min(40);
        for step in steps.iter() {
            let took = seconds(step.exited.unwrap_or(ended).duration_since(step.entered));
            let mut notes = Vec::new();
            if step.attempts > 1 {
                let retries = step.attempts - 1;
                notes.push(format!("{retries} retr{}", if retries == 1 { "y" } else { "ies" }));
            }
            if step.nested > 0 {
                notes.push(format!("{} nested states", step.nested));
            }
            if step.exited.is_none() {
                notes.push("did not exit".into());
            }
            let notes = if notes.is_empty() { String::new() } else { format!("  ({})", notes.join(", ")) };
            out.push_str(&format!("  {:<width$}  {:<8} {took:>8}{notes}\n", step.name, step.kind));
        }
        out
    }
}

/// A duration as people read it: `0.250s`, `12.0s`, `3m05s`, `2h01m`.
fn seconds(d: jiff::SignedDuration) -> String {
    let ms = d.as_millis().max(0);
    match ms {
        0..10_000 => format!("{:.3}s", ms as f64 / 1000.0),
        10_000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
        _ => format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60),
    }
}
