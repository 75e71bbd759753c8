//! The AWS SDK for Rust (aws-sdk-sfn) against the embedded server: what a
//! Rust service's integration test does. Every response must parse in the
//! SDK (it is strict about types: a date that is not a number fails).

use asl_server::{Config, Server};
use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::types::ExecutionStatus;
use std::path::Path;
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::123456789012:role/StepFunctionsRole";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace")
}

/// Serves `config` on a loopback port; a client for it.
async fn serve(config: Config) -> Client {
    let server = Server::new(config).expect("the server is set up");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server.serve(listener));
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

fn mocked() -> Config {
    let text = std::fs::read_to_string(root().join("mocks/payment.json")).unwrap();
    Config { mock_config: Some(asl_runtime::MockConfig::from_json(&text).unwrap()), ..Config::in_memory() }
}

async fn wait_done(client: &Client, arn: &str) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..600 {
        let described = client.describe_execution().execution_arn(arn).send().await.expect("describes");
        if described.status != ExecutionStatus::Running {
            return described;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{arn} did not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_machine_runs_its_mocked_test_cases_through_the_rust_sdk() {
    let client = serve(mocked()).await;
    let definition = std::fs::read_to_string(root().join("statemachines/payment.json")).unwrap();
    let created =
        client.create_state_machine().name("payment").definition(&definition).role_arn(ROLE).send().await.unwrap();
    let machine = created.state_machine_arn;
    let described = client.describe_state_machine().state_machine_arn(&machine).send().await.unwrap();
    assert_eq!(described.definition, definition);
    assert!(described.creation_date.secs() > 1_700_000_000, "dates are epoch seconds");

    let input = r#"{"orderId": "o-1", "amount": 42, "currency": "EUR", "card": "4111"}"#;
    let started = client
        .start_execution()
        .state_machine_arn(format!("{machine}#HappyPath"))
        .name("happy")
        .input(input)
        .send()
        .await
        .unwrap();
    let done = wait_done(&client, &started.execution_arn).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_eq!(done.output.as_deref(), Some(r#"{"ledgerId":"L-1","recorded":true}"#));

    // History, three events a page, adds up to the whole.
    let whole = client.get_execution_history().execution_arn(&started.execution_arn).send().await.unwrap().events;
    let mut paged = Vec::new();
    let mut pages =
        client.get_execution_history().execution_arn(&started.execution_arn).max_results(3).into_paginator().send();
    while let Some(page) = pages.next().await {
        paged.extend(page.unwrap().events);
    }
    assert_eq!(paged, whole);
    assert!(whole.len() > 6);
    assert_eq!(whole[0].r#type, aws_sdk_sfn::types::HistoryEventType::ExecutionStarted);
    assert_eq!(whole.last().unwrap().r#type, aws_sdk_sfn::types::HistoryEventType::ExecutionSucceeded);
    let entered: Vec<String> =
        whole.iter().filter_map(|e| e.state_entered_event_details.as_ref().map(|d| d.name.clone())).collect();
    assert_eq!(entered, ["Init", "InProgress", "ChargeApproved?", "Completed", "Reconciliation"]);

    let listed = client.list_executions().state_machine_arn(&machine).send().await.unwrap();
    assert_eq!(listed.executions.len(), 1);
    assert_eq!(listed.executions[0].name, "happy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_activities_express_and_typed_errors_through_the_rust_sdk() {
    use aws_sdk_sfn::operation::describe_execution::DescribeExecutionError;
    use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
    use aws_sdk_sfn::operation::start_execution::StartExecutionError;

    let client = serve(Config::in_memory()).await;
    // A .waitForTaskToken task, answered with SendTaskSuccess.
    let callback = r#"{"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}}"#;
    let machine = client
        .create_state_machine()
        .name("approval")
        .definition(callback)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let execution = client.start_execution().state_machine_arn(&machine).send().await.unwrap().execution_arn;
    let token = loop {
        let events = client.get_execution_history().execution_arn(&execution).send().await.unwrap().events;
        let submitted = events.iter().any(|e| e.task_submitted_event_details.is_some());
        let scheduled = events.iter().find_map(|e| e.task_scheduled_event_details.as_ref());
        if let (true, Some(scheduled)) = (submitted, scheduled) {
            let parameters: serde_json::Value = serde_json::from_str(&scheduled.parameters).unwrap();
            break parameters["MessageBody"]["token"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    client.send_task_heartbeat().task_token(&token).send().await.unwrap();
    client.send_task_success().task_token(&token).output(r#"{"approved": true}"#).send().await.unwrap();
    let done = wait_done(&client, &execution).await;
    assert_eq!((done.status, done.output.as_deref()), (ExecutionStatus::Succeeded, Some(r#"{"approved":true}"#)));
    let again = client.send_task_success().task_token(&token).output("{}").send().await.unwrap_err();
    assert!(matches!(again.into_service_error(), SendTaskSuccessError::TaskTimedOut(_)));

    // An activity worker written with the SDK.
    let activity = client.create_activity().name("work").send().await.unwrap().activity_arn;
    let definition =
        format!(r#"{{"StartAt": "W", "States": {{"W": {{"Type": "Task", "Resource": "{activity}", "End": true}}}}}}"#);
    let worked =
        client.create_state_machine().name("worked").definition(definition).role_arn(ROLE).send().await.unwrap();
    let job = client
        .start_execution()
        .state_machine_arn(&worked.state_machine_arn)
        .input(r#"{"n": 7}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let task = client.get_activity_task().activity_arn(&activity).worker_name("rust").send().await.unwrap();
    let input: serde_json::Value = serde_json::from_str(task.input.as_deref().unwrap()).unwrap();
    let output = serde_json::json!({"double": input["n"].as_i64().unwrap() * 2}).to_string();
    client.send_task_success().task_token(task.task_token.unwrap()).output(output).send().await.unwrap();
    assert_eq!(wait_done(&client, &job).await.output.as_deref(), Some(r#"{"double":14}"#));

    // Express, answered at once. The SDK sends StartSyncExecution to
    // `sync-<host>`, which a loopback endpoint does not resolve: the
    // request goes to the endpoint's own host.
    let express = client
        .create_state_machine()
        .name("express")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .definition(r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": true}}}"#)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let sync = client
        .start_sync_execution()
        .state_machine_arn(&express.state_machine_arn)
        .input(r#"{"n": 1}"#)
        .customize()
        .mutate_request(|request| {
            let uri = request.uri().replacen("://sync-", "://", 1);
            request.set_uri(uri).expect("a URI");
        })
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status, aws_sdk_sfn::types::SyncExecutionStatus::Succeeded);
    assert_eq!(sync.output.as_deref(), Some(r#"{"n":2}"#));

    // Typed errors.
    let missing = client
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:approval:nope")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(missing.into_service_error(), DescribeExecutionError::ExecutionDoesNotExist(_)));
    let bad_arn = client.describe_execution().execution_arn("nope").send().await.unwrap_err();
    assert!(matches!(bad_arn.into_service_error(), DescribeExecutionError::InvalidArn(_)));
    let no_machine = client
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:nope")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(no_machine.into_service_error(), StartExecutionError::StateMachineDoesNotExist(_)));
    let bad_input = client.start_execution().state_machine_arn(&machine).input("{oops").send().await.unwrap_err();
    assert!(matches!(bad_input.into_service_error(), StartExecutionError::InvalidExecutionInput(_)));
    let bad = client.create_state_machine().name("bad").definition("{}").role_arn(ROLE).send().await.unwrap_err();
    assert!(matches!(
        bad.into_service_error(),
        aws_sdk_sfn::operation::create_state_machine::CreateStateMachineError::InvalidDefinition(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_tasks_go_to_the_lambda_endpoint() {
    use axum::extract::Path as UrlPath;
    // A Lambda service (as SAM CLI's start-lambda serves): Invoke answers
    // with the function's name and the event it got.
    let lambda = axum::Router::new().route(
        "/2015-03-31/functions/{name}/invocations",
        axum::routing::post(|UrlPath(name): UrlPath<String>, body: String| async move {
            let event: serde_json::Value = serde_json::from_str(&body).unwrap();
            serde_json::json!({ "function": name, "event": event }).to_string()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lambda_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, lambda).await });

    let client = serve(Config { lambda_endpoint: Some(lambda_url), ..Config::in_memory() }).await;
    let definition = r#"{"StartAt": "Greet", "States": {"Greet": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": true}}}"#;
    let machine =
        client.create_state_machine().name("greeter").definition(definition).role_arn(ROLE).send().await.unwrap();
    let execution = client
        .start_execution()
        .state_machine_arn(machine.state_machine_arn)
        .input(r#"{"who": "world"}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let done = wait_done(&client, &execution).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded, "{done:?}");
    assert_eq!(done.output.as_deref(), Some(r#"{"function":"greet","event":{"who":"world"}}"#));
}
