//! The AWS Step Functions API over [`asl_runtime`]: what `asl serve` runs.
//!
//! It speaks AWS's JSON 1.0 protocol (`POST /`, `X-Amz-Target:
//! AWSStepFunctions.<Operation>`), so code written against the AWS SDKs,
//! the AWS CLI or Step Functions Local works against it unchanged. Standard
//! executions are durable on the server's store (SQLite: a file, or memory);
//! Express executions run in memory, as on AWS.
//!
//! Rust integration tests can serve it in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use asl_server::{Config, Server};
//! let server = Server::new(Config::in_memory())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let endpoint = format!("http://{}", listener.local_addr()?);
//! tokio::spawn(server.serve(listener));
//! // Point an SDK client at `endpoint`.
//! # Ok(()) }
//! ```

pub mod arn;
mod ops;
pub mod protocol;
pub mod registry;
pub mod tasks;

pub use ops::executions::{describe_json, history_page};
pub use ops::test_state::response as test_state_response;

use arn::Home;
use asl_runtime::{Durable, LambdaEndpoint, MockConfig, SqliteStore, Workflow};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use protocol::{ApiError, answer};
use registry::Registry;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tasks::Tasks;

/// Where the server keeps what it knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A SQLite file: executions survive a restart (the default of `asl serve`).
    File(PathBuf),
    /// Memory: everything goes when the server does.
    Memory,
}

/// How the server is set up (Step Functions Local's settings where they
/// apply).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it keeps state machines, executions and the rest.
    pub storage: Storage,
    /// The account in ARNs (`AWS_ACCOUNT_ID`; default `123456789012`).
    pub account_id: String,
    /// The region in ARNs (`AWS_DEFAULT_REGION`; default `us-east-1`).
    pub region: String,
    /// Mocked test cases (`SFN_MOCK_CONFIG`), chosen by `stateMachineArn#TestCase`.
    pub mock_config: Option<MockConfig>,
    /// Where Lambda Tasks are invoked (`LAMBDA_ENDPOINT`).
    pub lambda_endpoint: Option<String>,
    /// What Wait states and retry intervals are multiplied by (`WAIT_TIME_SCALE`).
    pub wait_time_scale: f64,
    /// How long `GetActivityTask` waits for a task (AWS: 60 seconds).
    pub activity_poll: std::time::Duration,
}

impl Config {
    /// Everything in memory, AWS's defaults otherwise.
    pub fn in_memory() -> Config {
        Config {
            storage: Storage::Memory,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            mock_config: None,
            lambda_endpoint: None,
            wait_time_scale: 1.0,
            activity_poll: std::time::Duration::from_secs(60),
        }
    }

    /// Durable in the SQLite file `path`, AWS's defaults otherwise.
    pub fn file(path: impl Into<PathBuf>) -> Config {
        Config { storage: Storage::File(path.into()), ..Config::in_memory() }
    }
}

/// Why a server could not be set up.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// What every operation works with.
pub(crate) struct App {
    pub(crate) home: Home,
    pub(crate) registry: Registry,
    pub(crate) durable: Durable,
    pub(crate) tasks: Tasks,
    pub(crate) wait_scale: f64,
    pub(crate) activity_poll: std::time::Duration,
    /// Loaded definitions, by text (Express and TestState runs).
    workflows: Mutex<HashMap<Arc<str>, Workflow>>,
}

impl App {
    /// The loaded definition of `text`.
    pub(crate) fn workflow(&self, text: &str) -> Result<Workflow, ApiError> {
        let mut loaded = self.workflows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(workflow) = loaded.get(text) {
            return Ok(workflow.clone());
        }
        let workflow = Workflow::from_json(text).map_err(|d| ops::machines::invalid_definition(d.iter()))?;
        if loaded.len() >= 256 {
            loaded.clear();
        }
        loaded.insert(text.into(), workflow.clone());
        Ok(workflow)
    }
}

/// The server: an axum service over one store. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    app: Arc<App>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("home", &self.app.home).finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the store and sets the server up (nothing runs until
    /// [`serve`](Server::serve)).
    pub fn new(config: Config) -> Result<Server, SetupError> {
        let (store, registry) = match &config.storage {
            Storage::File(path) => (
                SqliteStore::open(path).map_err(|e| SetupError(format!("{}: {e}", path.display())))?,
                Registry::open(path).map_err(|e| SetupError(format!("{}: {e}", path.display())))?,
            ),
            Storage::Memory => (
                SqliteStore::in_memory().map_err(|e| SetupError(e.to_string()))?,
                Registry::in_memory().map_err(|e| SetupError(e.to_string()))?,
            ),
        };
        let lambda = config
            .lambda_endpoint
            .as_deref()
            .map(LambdaEndpoint::new)
            .transpose()
            .map_err(|e| SetupError(format!("LAMBDA_ENDPOINT: {e}")))?;
        let tasks = Tasks::new(lambda, config.mock_config);
        let for_execution = tasks.clone();
        let durable = Durable::new(store).wait_time_scale(config.wait_time_scale).handler_for(move |record| {
            let options = ops::executions::Options::of(record);
            for_execution.for_execution(&options.state_machine, options.test_case.as_deref())
        });
        let home = Home { partition: "aws".into(), region: config.region, account: config.account_id };
        let app = App {
            home,
            registry,
            durable,
            tasks,
            wait_scale: config.wait_time_scale,
            activity_poll: config.activity_poll,
            workflows: Mutex::new(HashMap::new()),
        };
        Ok(Server { app: Arc::new(app) })
    }

    /// The HTTP service: every operation at `POST /`.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .route("/", axum::routing::post(handle).fallback(not_post))
            .fallback(not_post)
            .layer(DefaultBodyLimit::max(protocol::MAX_BODY_BYTES))
            .with_state(self.app.clone())
    }

    /// Serves on `listener` until the task is dropped, running the store's
    /// executions (those left running by an earlier server first).
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        // The executions run on a thread of their own, one at a time as
        // `asl worker` runs them: a Parallel's branches and a Map's
        // iterations interleave as the journal says, whatever the load on
        // the threads that answer requests.
        let worker = self.app.durable.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("asl-serve-executions".into()).spawn(move || {
            runtime.block_on(async move {
                let report = |arn: &str, e: &asl_runtime::DurableError| eprintln!("asl serve: {arn}: {e}");
                tokio::select! {
                    worked = worker.work(false, report) => {
                        if let Err(e) = worked {
                            eprintln!("asl serve: the executions stopped running: {e}");
                        }
                    }
                    // The server is gone (its sender dropped).
                    _ = stopped => {}
                }
            });
        })?;
        let _stop = stop;
        axum::serve(listener, self.router()).await
    }
}

/// Any request but `POST /`.
async fn not_post() -> Response {
    ApiError::new("UnknownOperationException", "asl serve answers AWS's JSON 1.0 protocol: POST / with X-Amz-Target")
        .into_response_with_status(StatusCode::NOT_FOUND)
}

impl ApiError {
    fn into_response_with_status(mut self, status: StatusCode) -> Response {
        self.status = status;
        axum::response::IntoResponse::into_response(self)
    }
}

async fn handle(
    State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            let error = ApiError::validation(format!(
                "the request body could not be read ({}); the largest taken is {} bytes",
                e.body_text(),
                protocol::MAX_BODY_BYTES
            ));
            return error.into_response_with_status(e.status());
        }
    };
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(operation) = target.strip_prefix(protocol::TARGET_PREFIX) else {
        let message = if target.is_empty() {
            "the request has no X-Amz-Target header".to_string()
        } else {
            format!("'{target}' is not an operation of AWSStepFunctions")
        };
        return axum::response::IntoResponse::into_response(ApiError::new("UnknownOperationException", message));
    };
    match ops::call(&app, operation, &body).await {
        Ok(value) => answer(StatusCode::OK, value.to_string(), None),
        Err(error) => axum::response::IntoResponse::into_response(error),
    }
}
