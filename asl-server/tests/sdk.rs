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

/// The SDK sends StartSyncExecution and TestState to `sync-<host>`, which a
/// loopback endpoint does not resolve: this sends them to the endpoint's own
/// host.
macro_rules! unprefixed {
    ($call:expr) => {
        $call.customize().mutate_request(|request| {
            let uri = request.uri().replacen("://sync-", "://", 1);
            request.set_uri(uri).expect("a URI");
        })
    };
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

    // Express, answered at once.
    let express = client
        .create_state_machine()
        .name("express")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .definition(r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": true}}}"#)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let sync =
        unprefixed!(client.start_sync_execution().state_machine_arn(&express.state_machine_arn).input(r#"{"n": 1}"#))
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

/// Every operation once, through the SDK: each answer must parse (the SDK
/// is strict about types and enums), and say what it should.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_in_a_shape_the_rust_sdk_parses() {
    use aws_sdk_sfn::types::{
        InspectionLevel, RoutingConfigurationListItem, Tag, ValidateStateMachineDefinitionResultCode,
        ValidateStateMachineDefinitionSeverity,
    };
    let client = serve(Config::in_memory()).await;
    let waiting = r#"{"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}}"#;
    let created = client
        .create_state_machine()
        .name("sweep")
        .definition(waiting)
        .role_arn(ROLE)
        .publish(true)
        .version_description("first")
        .tags(Tag::builder().key("team").value("core").build())
        .send()
        .await
        .unwrap();
    let machine = created.state_machine_arn.clone();
    let v1 = created.state_machine_version_arn.expect("published");
    assert_eq!(v1, format!("{machine}:1"));

    // A distributed Map, so that the execution has a Map run.
    let mapped = r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
          "StartAt": "Id", "States": {"Id": {"Type": "Pass", "End": true}}}, "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}}"#;
    let updated = client
        .update_state_machine()
        .state_machine_arn(&machine)
        .definition(mapped)
        .publish(true)
        .send()
        .await
        .unwrap();
    let v2 = updated.state_machine_version_arn.expect("published");
    assert!(!updated.revision_id.unwrap().is_empty());
    let described = client.describe_state_machine().state_machine_arn(&v1).send().await.unwrap();
    assert_eq!((described.definition.as_str(), described.description.as_deref()), (waiting, Some("first")));
    assert_eq!(client.list_state_machines().send().await.unwrap().state_machines.len(), 1);
    let versions = client.list_state_machine_versions().state_machine_arn(&machine).send().await.unwrap();
    assert_eq!(versions.state_machine_versions.len(), 2);
    let again = client.publish_state_machine_version().state_machine_arn(&machine).send().await.unwrap();
    assert_eq!(again.state_machine_version_arn, v2, "the same revision is the same version");

    let valid = client
        .validate_state_machine_definition()
        .definition(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"id": "$.x"}, "End": true}}}"#)
        .severity(ValidateStateMachineDefinitionSeverity::Warning)
        .send()
        .await
        .unwrap();
    assert_eq!(valid.result, ValidateStateMachineDefinitionResultCode::Ok);
    let invalid = client.validate_state_machine_definition().definition("{}").send().await.unwrap();
    assert_eq!(invalid.result, ValidateStateMachineDefinitionResultCode::Fail);
    assert!(!invalid.diagnostics[0].code.is_empty());

    // Aliases.
    let route = |arn: &str, weight| {
        RoutingConfigurationListItem::builder().state_machine_version_arn(arn).weight(weight).build().unwrap()
    };
    let alias = client
        .create_state_machine_alias()
        .name("live")
        .routing_configuration(route(&v2, 100))
        .send()
        .await
        .unwrap()
        .state_machine_alias_arn;
    client.update_state_machine_alias().state_machine_alias_arn(&alias).description("all on v2").send().await.unwrap();
    let described = client.describe_state_machine_alias().state_machine_alias_arn(&alias).send().await.unwrap();
    assert_eq!(described.routing_configuration.unwrap()[0].weight, 100);
    assert_eq!(
        client
            .list_state_machine_aliases()
            .state_machine_arn(&machine)
            .send()
            .await
            .unwrap()
            .state_machine_aliases
            .len(),
        1
    );
    let referenced = client.delete_state_machine_version().state_machine_version_arn(&v2).send().await.unwrap_err();
    assert!(referenced.into_service_error().is_conflict_exception());

    // An execution through the alias, its Map run, stop and redrive.
    let execution = client
        .start_execution()
        .state_machine_arn(&alias)
        .input(r#"{"items": [1, 2, 3]}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let runs = loop {
        let runs = client.list_map_runs().execution_arn(&execution).send().await.unwrap().map_runs;
        if !runs.is_empty() && runs[0].stop_date.is_some() {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let run = client.describe_map_run().map_run_arn(&runs[0].map_run_arn).send().await.unwrap();
    assert_eq!(run.status, aws_sdk_sfn::types::MapRunStatus::Succeeded);
    assert_eq!(run.max_concurrency, 2);
    let items = run.item_counts.expect("item counts");
    assert_eq!((items.total, items.succeeded, items.failed), (3, 3, 0));
    client.update_map_run().map_run_arn(&runs[0].map_run_arn).max_concurrency(5).send().await.unwrap();
    let described = client.describe_execution().execution_arn(&execution).send().await.unwrap();
    assert_eq!(
        (described.state_machine_alias_arn.as_deref(), described.state_machine_version_arn.as_deref()),
        (Some(alias.as_str()), Some(v2.as_str()))
    );
    let for_execution = client.describe_state_machine_for_execution().execution_arn(&execution).send().await.unwrap();
    assert_eq!(for_execution.definition, mapped);
    client.stop_execution().execution_arn(&execution).error("Stopped").cause("by the test").send().await.unwrap();
    let stopped = wait_done(&client, &execution).await;
    assert_eq!((stopped.status, stopped.error.as_deref()), (ExecutionStatus::Aborted, Some("Stopped")));
    client.redrive_execution().execution_arn(&execution).send().await.unwrap();
    let listed = client
        .list_executions()
        .state_machine_arn(&machine)
        .redrive_filter(aws_sdk_sfn::types::ExecutionRedriveFilter::Redriven)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.executions.len(), 1);
    assert_eq!(listed.executions[0].redrive_count, Some(1));

    // Tags, TestState, activities; then the deletes.
    client
        .tag_resource()
        .resource_arn(&machine)
        .tags(Tag::builder().key("tier").value("1").build())
        .send()
        .await
        .unwrap();
    client.untag_resource().resource_arn(&machine).tag_keys("team").send().await.unwrap();
    let tags = client.list_tags_for_resource().resource_arn(&machine).send().await.unwrap().tags.unwrap_or_default();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].key.as_deref(), Some("tier"));
    let tested = unprefixed!(
        client
            .test_state()
            .definition(r#"{"Type": "Pass", "Parameters": {"y.$": "$.x"}, "End": true}"#)
            .role_arn(ROLE)
            .input(r#"{"x": 5}"#)
            .inspection_level(InspectionLevel::Debug)
    )
    .send()
    .await
    .unwrap();
    assert_eq!(tested.output.as_deref(), Some(r#"{"y":5}"#));
    assert!(tested.inspection_data.unwrap().after_parameters.is_some());
    // A callback Task runs in TestState only with a mock, as on AWS.
    let callback = r#"{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": true}"#;
    let refused = unprefixed!(client.test_state().definition(callback).role_arn(ROLE)).send().await.unwrap_err();
    assert!(refused.into_service_error().is_validation_exception());
    let mocked = unprefixed!(
        client
            .test_state()
            .definition(callback)
            .role_arn(ROLE)
            .mock(aws_sdk_sfn::types::MockInput::builder().result(r#"{"approved": true}"#).build())
    )
    .send()
    .await
    .unwrap();
    assert_eq!(mocked.output.as_deref(), Some(r#"{"approved":true}"#), "{:?} {:?}", mocked.error, mocked.cause);
    let activity = client.create_activity().name("sweeper").send().await.unwrap().activity_arn;
    assert_eq!(client.describe_activity().activity_arn(&activity).send().await.unwrap().name, "sweeper");
    assert_eq!(client.list_activities().send().await.unwrap().activities.len(), 1);
    client.delete_activity().activity_arn(&activity).send().await.unwrap();
    client.delete_state_machine_alias().state_machine_alias_arn(&alias).send().await.unwrap();
    client.delete_state_machine_version().state_machine_version_arn(&v1).send().await.unwrap();
    client.delete_state_machine().state_machine_arn(&machine).send().await.unwrap();
    assert!(client.list_state_machines().send().await.unwrap().state_machines.is_empty());
}
