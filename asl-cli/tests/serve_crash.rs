//! `asl serve` survives `kill -9`: executions started through the Step
//! Functions API (aws-sdk-sfn) go on where they were when the server
//! restarts on the same store file, and end as they would have without a
//! crash. The harness is the durable store's (`common/crash.rs`); here it
//! talks to the server, only while the server is up.

mod common;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::types::ExecutionStatus;
use common::crash::{Job, Runner, resources, round_of};
use common::serve::Serve;
use std::path::PathBuf;

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

/// `asl serve` on a store file, driven through the API.
struct Served {
    db: PathBuf,
    serve: Option<(Serve, Client)>,
    runtime: tokio::runtime::Runtime,
}

impl Served {
    fn client(&self) -> &Client {
        &self.serve.as_ref().expect("the server is up").1
    }

    fn arn(job: &Job) -> String {
        format!("arn:aws:states:us-east-1:123456789012:execution:{}:{}", job.workflow, job.name)
    }

    /// The history as the server sent it (the SDK's types redact the
    /// payloads when printed; the comparison wants them), and as the SDK
    /// parsed it.
    fn raw_history(&self, job: &Job) -> (Vec<serde_json::Value>, Vec<aws_sdk_sfn::types::HistoryEvent>) {
        let bodies = Bodies::default();
        let parsed = self.runtime.block_on(async {
            let mut events = Vec::new();
            let mut token = None;
            loop {
                let page = self
                    .client()
                    .get_execution_history()
                    .execution_arn(Self::arn(job))
                    .max_results(50)
                    .set_next_token(token)
                    .customize()
                    .interceptor(bodies.clone())
                    .send()
                    .await
                    .expect("the history");
                events.extend(page.events);
                token = page.next_token;
                if token.is_none() {
                    return events;
                }
            }
        });
        let raw =
            bodies.0.lock().unwrap().iter().flat_map(|b| b["events"].as_array().cloned().unwrap_or_default()).collect();
        (raw, parsed)
    }

    fn history(&self, job: &Job) -> Vec<aws_sdk_sfn::types::HistoryEvent> {
        self.runtime.block_on(async {
            let mut events = Vec::new();
            let mut pages = self
                .client()
                .get_execution_history()
                .execution_arn(Self::arn(job))
                .max_results(50)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                events.extend(page.expect("the history").events);
            }
            events
        })
    }

    fn status(&self, job: &Job) -> ExecutionStatus {
        self.runtime
            .block_on(self.client().describe_execution().execution_arn(Self::arn(job)).send())
            .expect("describes")
            .status
    }
}

impl Runner for Served {
    const SERVED: bool = true;

    fn up(&mut self) {
        let mocks = resources().join("mocks.json");
        let serve = Serve::start(&["--db", self.db.to_str().unwrap(), "--mock-config", mocks.to_str().unwrap()], &[]);
        let client = client(&serve.endpoint);
        self.serve = Some((serve, client));
    }

    fn kill(&mut self) {
        if let Some((serve, _)) = self.serve.take() {
            serve.kill();
        }
    }

    fn start(&mut self, job: &Job) {
        let client = self.client().clone();
        self.runtime.block_on(async {
            let definition = std::fs::read_to_string(resources().join(format!("{}.json", job.workflow))).unwrap();
            // Idempotent: the same machine again is the same machine.
            let machine = client
                .create_state_machine()
                .name(job.workflow)
                .definition(definition)
                .role_arn("arn:aws:iam::123456789012:role/StepFunctionsRole")
                .send()
                .await
                .expect("creates the state machine")
                .state_machine_arn;
            client
                .start_execution()
                .state_machine_arn(format!("{machine}#{}", job.test_case))
                .name(&job.name)
                .input(&job.input)
                .send()
                .await
                .expect("starts the execution");
        });
    }

    fn running(&mut self) -> usize {
        let client = self.client().clone();
        self.runtime.block_on(async {
            let mut count = 0;
            for machine in ["orders", "callback"] {
                let arn = format!("arn:aws:states:us-east-1:123456789012:stateMachine:{machine}");
                let mut pages = client
                    .list_executions()
                    .state_machine_arn(arn)
                    .status_filter(ExecutionStatus::Running)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    match page {
                        Ok(page) => count += page.executions.len(),
                        // Not created yet: nothing of it runs.
                        Err(e) if e.as_service_error().is_some_and(|e| e.is_state_machine_does_not_exist()) => {}
                        Err(e) => panic!("ListExecutions failed: {e:?}"),
                    }
                }
            }
            count
        })
    }

    fn token(&mut self, job: &Job) -> Option<String> {
        let events = self.history(job);
        events.iter().find(|e| e.task_submitted_event_details.is_some())?;
        let scheduled = events.iter().find_map(|e| e.task_scheduled_event_details.as_ref())?;
        let parameters: serde_json::Value = serde_json::from_str(&scheduled.parameters).ok()?;
        parameters["MessageBody"]["token"].as_str().map(str::to_string)
    }

    fn answer(&mut self, token: &str, output: &str) -> bool {
        self.runtime.block_on(self.client().send_task_success().task_token(token).output(output).send()).is_ok()
    }

    fn failed(&mut self, job: &Job) -> bool {
        matches!(self.status(job), ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted)
    }

    fn redrive(&mut self, job: &Job) {
        self.runtime
            .block_on(self.client().redrive_execution().execution_arn(Self::arn(job)).send())
            .expect("redrives");
    }

    fn fingerprint(&mut self, job: &Job) -> String {
        let described =
            self.runtime.block_on(self.client().describe_execution().execution_arn(Self::arn(job)).send()).unwrap();
        let (mut events, parsed) = self.raw_history(job);
        assert_eq!(events.len(), parsed.len(), "the SDK parsed every event");
        for event in &mut events {
            event.as_object_mut().unwrap().remove("timestamp");
            if let Some(details) = event.get_mut("taskScheduledEventDetails") {
                details["parameters"] = serde_json::Value::String("(has the token)".into());
            }
        }
        let text = serde_json::json!({
            "status": described.status.as_str(),
            "output": described.output,
            "error": described.error,
            "cause": described.cause,
            "events": events,
        })
        .to_string();
        text.replace(round_of(job), "r*")
    }
}

/// The bodies of the responses a call received, as JSON.
#[derive(Debug, Clone, Default)]
struct Bodies(std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>);

impl aws_sdk_sfn::config::Intercept for Bodies {
    fn name(&self) -> &'static str {
        "Bodies"
    }

    fn read_after_deserialization(
        &self, context: &aws_sdk_sfn::config::interceptors::AfterDeserializationInterceptorContextRef<'_>,
        _: &aws_sdk_sfn::config::RuntimeComponents, _: &mut aws_sdk_sfn::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let body = context.response().body().bytes().ok_or("the body was not read")?;
        self.0.lock().unwrap().push(serde_json::from_slice(body)?);
        Ok(())
    }
}

#[test]
fn executions_survive_kill_9_of_asl_serve() {
    common::crash::crash_rounds("asl serve", 100, |dir, name| Served {
        db: dir.join(format!("{name}.db")),
        serve: None,
        runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
    });
}
