//! `asl serve`: the AWS Step Functions API on localhost (see `asl-server`).
//! Its settings are Step Functions Local's: the same environment variables
//! and, where they apply, the same flags.

use crate::UsageError;
use asl_server::{Config, Server, Storage};
use clap::Args;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

/// `asl serve`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The port (Step Functions Local's).
    #[arg(long, short, default_value_t = 8083, env = "ASL_SERVE_PORT")]
    port: u16,
    /// The address to listen on. Loopback by default: anything else lets
    /// other machines start executions.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The SQLite file state machines, executions and activities are kept
    /// in: executions survive a restart and go on where they were.
    #[arg(long, value_name = "FILE", default_value = "asl-serve.db", conflicts_with = "in_memory")]
    db: PathBuf,
    /// Keep everything in memory (gone when the server stops).
    #[arg(long)]
    in_memory: bool,
    /// A Step Functions Local MockConfigFile: executions started on
    /// `stateMachineArn#TestCase` take that test case's mocked responses.
    #[arg(long, value_name = "FILE", env = "SFN_MOCK_CONFIG")]
    mock_config: Option<PathBuf>,
    /// Where Lambda Tasks are invoked, with Lambda's Invoke API (SAM CLI's
    /// `sam local start-lambda`, LocalStack, …).
    #[arg(long, value_name = "URL", env = "LAMBDA_ENDPOINT")]
    lambda_endpoint: Option<String>,
    /// Multiplies the time Wait states wait and retries pause by this (0
    /// skips them); timeouts keep their time.
    #[arg(long, value_name = "SCALE", env = "WAIT_TIME_SCALE", default_value_t = 1.0)]
    wait_time_scale: f64,
    /// The account in ARNs.
    #[arg(
        long = "aws-account",
        alias = "account-id",
        value_name = "ID",
        env = "AWS_ACCOUNT_ID",
        default_value = "123456789012"
    )]
    account_id: String,
    /// The region in ARNs.
    #[arg(
        long = "aws-region",
        alias = "region",
        value_name = "REGION",
        env = "AWS_DEFAULT_REGION",
        default_value = "us-east-1"
    )]
    region: String,
    /// Step Functions Local's endpoints for other services, which asl serve
    /// does not call: mock those Tasks in the MockConfigFile instead.
    #[arg(
        long = "unsupported-endpoint",
        hide = true,
        value_name = "URL",
        aliases = ["batch-endpoint", "dynamodb-endpoint", "ecs-endpoint", "glue-endpoint", "sagemaker-endpoint", "sns-endpoint", "sqs-endpoint", "eks-endpoint", "step-functions-endpoint"]
    )]
    unsupported_endpoint: Option<String>,
}

/// `asl serve`: serves until interrupted (Ctrl-C or SIGTERM).
pub(crate) fn serve(args: ServeArgs) -> Result<ExitCode, UsageError> {
    if args.unsupported_endpoint.is_some() {
        return Err(UsageError(
            "asl serve does not call AWS services other than Lambda (--lambda-endpoint): mock those Tasks in a test case of the MockConfigFile (--mock-config / SFN_MOCK_CONFIG)".into(),
        ));
    }
    if !args.wait_time_scale.is_finite() || args.wait_time_scale < 0.0 {
        return Err(UsageError(format!("--wait-time-scale must be 0 or more, not {}", args.wait_time_scale)));
    }
    let mock_config = match &args.mock_config {
        Some(path) => {
            let text = crate::read_capped(path, "the mock configuration", crate::MAX_SIDE_FILE_BYTES)?;
            Some(
                asl_runtime::MockConfig::from_json(&text)
                    .map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let storage = if args.in_memory { Storage::Memory } else { Storage::File(args.db.clone()) };
    let lock = match &storage {
        // One server (or worker) runs a store's executions at a time.
        Storage::File(path) => match crate::durable::worker_lock(path)? {
            Some(lock) => Some(lock),
            None => {
                return Err(UsageError(format!(
                    "another asl serve or asl worker runs the executions of {}",
                    path.display()
                )));
            }
        },
        Storage::Memory => None,
    };
    let config = Config {
        storage: storage.clone(),
        account_id: args.account_id,
        region: args.region,
        mock_config,
        lambda_endpoint: args.lambda_endpoint,
        wait_time_scale: args.wait_time_scale,
        ..Config::in_memory()
    };
    let server = Server::new(config).map_err(|e| UsageError(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the runtime: {e}")))?;
    let address = SocketAddr::new(args.host, args.port);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| UsageError(format!("cannot listen on {address}: {e}")))?;
        let store = match &storage {
            Storage::File(path) => path.display().to_string(),
            Storage::Memory => "memory".into(),
        };
        eprintln!("asl serve: listening on http://{} (store: {store})", listener.local_addr().unwrap_or(address));
        tokio::select! {
            served = server.serve(listener) => served.map_err(|e| UsageError(format!("the server failed: {e}"))),
            _ = shutdown() => Ok(()),
        }
    });
    drop(lock);
    result.map(|()| ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM where there is one.
async fn shutdown() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
