//! The spans and events an execution gives `tracing`: the span tree of an
//! execution with a Parallel, a Map and a retried Task, recorded by a layer
//! on tracing-subscriber's registry (as any subscriber would see it).

use asl_runtime::{TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span as recorded: its name, its fields, its parent's index.
#[derive(Debug, Clone)]
struct Recorded {
    name: &'static str,
    fields: Vec<(String, String)>,
    parent: Option<usize>,
    events: Vec<(String, Vec<(String, String)>)>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_string(), format!("{value:?}").trim_matches('"').to_string()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

/// Every span and event of target `asl`, in creation order.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

/// The index of a span in the recording, kept in the span's extensions.
struct Index(usize);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().target() != "asl" {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = ctx.span(id).expect("the span exists");
        let parent = span.parent().and_then(|p| p.extensions().get::<Index>().map(|i| i.0));
        let mut spans = self.0.lock().unwrap();
        spans.push(Recorded { name: attrs.metadata().name(), fields: fields.0, parent, events: Vec::new() });
        span.extensions_mut().insert(Index(spans.len() - 1));
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "asl" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let message = fields.0.iter().find(|(k, _)| k == "message").map(|(_, v)| v.clone()).unwrap_or_default();
        let within = ctx.event_span(event).and_then(|s| s.extensions().get::<Index>().map(|i| i.0));
        let within = within.expect("every event of an execution is inside one of its spans");
        self.0.lock().unwrap()[within].events.push((message, fields.0));
    }
}

const DEFINITION: &str = r#"{
  "StartAt": "Fan",
  "States": {
    "Fan": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "Flaky", "States": {"Flaky": {
          "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
          "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3}], "End": true}}},
        {"StartAt": "Each", "States": {"Each": {
          "Type": "Map", "ItemsPath": "$.items",
          "ItemProcessor": {"StartAt": "Double", "States": {"Double": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": true}}},
          "End": true}}}
      ],
      "Next": "Doomed"
    },
    "Doomed": {
      "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:boom",
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "Next": "Done"
    },
    "Done": {"Type": "Pass", "End": true}
  }
}"#;

#[tokio::test(start_paused = true)]
async fn an_execution_is_a_tree_of_state_and_attempt_spans() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let _default = tracing::subscriber::set_default(subscriber);

    let tries = Arc::new(AtomicU32::new(0));
    let handlers = asl_runtime::Handlers::new()
        .on("arn:aws:lambda:us-east-1:123456789012:function:flaky", {
            let tries = tries.clone();
            move |_: TaskRequest| {
                let n = tries.fetch_add(1, Ordering::SeqCst);
                async move { if n < 2 { Err(TaskError::new("Busy", "try later")) } else { Ok(json!("flaky ok")) } }
            }
        })
        .on("arn:aws:lambda:us-east-1:123456789012:function:double", |r: TaskRequest| async move {
            Ok(json!(r.input.as_i64().unwrap_or(0) * 2))
        })
        .on("arn:aws:lambda:us-east-1:123456789012:function:boom", |_: TaskRequest| async move {
            Err(TaskError::new("Kaboom", "always"))
        });
    let workflow = Workflow::from_json(DEFINITION).unwrap();
    let execution =
        workflow.executor().clock(VirtualClock::new()).handler(handlers).run(json!({"items": [1, 2]})).await;
    assert_eq!(execution.status, asl_runtime::Status::Succeeded, "{:?}", execution.cause);

    let spans = recorder.0.lock().unwrap().clone();
    let path = |i: usize| {
        let mut names = Vec::new();
        let mut at = Some(i);
        while let Some(j) = at {
            let s = &spans[j];
            names.push(match s.name {
                "state" => format!("state:{}", s.field("name").unwrap()),
                "task" => format!("task#{}", s.field("attempt").unwrap()),
                other => other.to_string(),
            });
            at = s.parent;
        }
        names.reverse();
        names.join(" > ")
    };
    let mut paths: Vec<String> = (0..spans.len()).map(path).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "execution",
            "execution > state:Done",
            "execution > state:Doomed",
            "execution > state:Doomed > task#0",
            "execution > state:Fan",
            "execution > state:Fan > state:Each",
            "execution > state:Fan > state:Each > state:Double",
            "execution > state:Fan > state:Each > state:Double",
            "execution > state:Fan > state:Each > state:Double > task#0",
            "execution > state:Fan > state:Each > state:Double > task#0",
            "execution > state:Fan > state:Flaky",
            "execution > state:Fan > state:Flaky > task#0",
            "execution > state:Fan > state:Flaky > task#1",
            "execution > state:Fan > state:Flaky > task#2",
        ]
    );

    let execution_span = &spans[0];
    assert_eq!(execution_span.name, "execution");
    assert!(execution_span.field("arn").unwrap().starts_with("arn:aws:states:"), "{:?}", execution_span.fields);
    let index_of = |name: &str| spans.iter().position(|s| s.name == "state" && s.field("name") == Some(name)).unwrap();
    let state = |name: &str| &spans[index_of(name)];
    assert_eq!(state("Fan").field("type"), Some("Parallel"));
    assert_eq!(state("Each").field("type"), Some("Map"));
    let flaky_attempts: Vec<&Recorded> =
        spans.iter().filter(|s| s.name == "task" && s.parent == Some(index_of("Flaky"))).collect();
    assert!(flaky_attempts.iter().all(|s| s.field("resource").unwrap().ends_with(":function:flaky")));

    // Retries are events in the state's span: two, 2 s apart then 4 s.
    let retries: Vec<(&str, &str)> = state("Flaky")
        .events
        .iter()
        .filter(|(m, _)| m == "retry")
        .map(|(_, f)| {
            let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap();
            (get("retry"), get("delay_ms"))
        })
        .collect();
    assert_eq!(retries, [("1", "2000"), ("2", "4000")]);
    let failed_attempts = flaky_attempts.iter().filter(|s| s.events.iter().any(|(m, _)| m == "task failed")).count();
    assert_eq!(failed_attempts, 2, "each failed attempt says so in its span");
    // The catch is an event of the Task state that failed.
    let caught = state("Doomed").events.iter().find(|(m, _)| m == "caught").expect("a catch event");
    assert!(
        caught.1.contains(&("error".into(), "Kaboom".into())) && caught.1.contains(&("next".into(), "Done".into()))
    );
    // The end, in the execution's span.
    let ended = execution_span.events.iter().find(|(m, _)| m == "execution ended").expect("an end event");
    assert!(ended.1.contains(&("status".into(), "SUCCEEDED".into())), "{:?}", ended.1);
}
