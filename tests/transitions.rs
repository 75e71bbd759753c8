//! The generated `State` names every state, those in Parallel branches and
//! Map processors too, and every history event maps to one; each state runs
//! alone as a typed `Transition`, through the engine's own code for it, and
//! a sequence of transitions gives what the execution gives.

use asl_runtime::{TaskContext, TaskError, TestMock, TestState, Transition};
use fulfilment::State;
use serde_json::{Map, Value, json};

asl_runtime::include_workflow!("tests/workflows/fulfilment.json" as fulfilment);

/// The fulfilment machine's functions: each `lambda:invoke` function is a
/// method of its own, the SNS publish another.
struct Warehouse;

impl fulfilment::Tasks for Warehouse {
    type ReserveInput = Value;
    type ReserveOutput = Value;
    async fn reserve(&self, event: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(json!({"reserved": event["items"].as_array().map_or(0, Vec::len)}))
    }
    type ChargeInput = Value;
    type ChargeOutput = Value;
    async fn charge(&self, event: Value, ctx: TaskContext) -> Result<Value, TaskError> {
        if ctx.retry_count() == 0 {
            return Err(TaskError::new("Gateway.Busy", "try again"));
        }
        Ok(json!({"charged": event["amount"], "order": event["order"]}))
    }
    type PackInput = Value;
    type PackOutput = Value;
    async fn pack(&self, event: Value, _: TaskContext) -> Result<Value, TaskError> {
        Ok(json!(format!("box of {}", event["item"].as_str().unwrap_or("?"))))
    }
    // Every SNS action goes here (one: `publish`); the generated input
    // struct reads its request: `TopicArn` is a literal string in the
    // definition, `Message` is computed.
    async fn sns(&self, action: fulfilment::SnsAction, input: Value, _: TaskContext) -> Result<Value, TaskError> {
        assert_eq!((action, action.resource()), (fulfilment::SnsAction::Publish, "arn:aws:states:::sns:publish"));
        let arguments: fulfilment::SnsPublishInput = serde_json::from_value(input)?;
        let topic: String = arguments.topic_arn;
        assert!(topic.ends_with(":orders"));
        Ok(json!({"MessageId": "m-1", "Message": arguments.message}))
    }
}

#[tokio::test(start_paused = true)]
async fn a_machine_of_jsonata_variables_parallel_and_map_runs_typed() {
    let machine = fulfilment::Machine::new(Warehouse).configure(|e| e.clock(asl_runtime::VirtualClock::new()));
    let execution = machine.run(json!({"id": "o-9", "amount": 12, "items": ["cup", "pot"]})).await;
    assert_eq!(execution.status, asl_runtime::Status::Succeeded, "{execution:?}");
    assert_eq!(
        execution.output.clone().unwrap(),
        json!({"order": "o-9", "boxes": ["box of cup", "box of pot"],
               "notice": {"MessageId": "m-1", "Message": "packed 2 items of o-9"}})
    );
    let top: Vec<State> = State::path(&execution).into_iter().filter(|s| s.parent().is_none()).collect();
    assert_eq!(top, [State::Prepare, State::ReserveAndCharge, State::PackEach, State::Notify]);
    // The states inside the Parallel and the Map are named too.
    let inside: Vec<State> = State::path(&execution).into_iter().filter(|s| s.parent().is_some()).collect();
    assert_eq!(inside.iter().filter(|s| **s == State::Pack).count(), 2);
    assert!(inside.contains(&State::Reserve) && inside.contains(&State::Charge));
    // The charge failed once and was retried.
    assert_eq!(execution.events.iter().filter(|e| e.event_type.as_str() == "TaskFailed").count(), 1);
}

#[test]
fn state_names_every_state_and_where_it_runs() {
    assert_eq!(State::ALL.len(), 7);
    assert_eq!(
        State::ALL.iter().map(|s| (s.name(), s.parent().map(State::name))).collect::<Vec<_>>(),
        [
            ("Prepare", None),
            ("ReserveAndCharge", None),
            ("Reserve", Some("ReserveAndCharge")),
            ("Charge", Some("ReserveAndCharge")),
            ("PackEach", None),
            ("Pack", Some("PackEach")),
            ("Notify", None),
        ]
    );
    assert_eq!(State::START, State::Prepare);
    // A branch's or an iteration's last state ends its scope, not the execution's.
    assert!(State::Pack.is_terminal() && State::Pack.next().is_none());
    assert_eq!(State::from_name("Charge"), Some(State::Charge));
}

#[tokio::test(start_paused = true)]
async fn every_history_event_maps_to_its_state() {
    let machine = fulfilment::Machine::new(Warehouse).configure(|e| e.clock(asl_runtime::VirtualClock::new()));
    let execution = machine.run(json!({"id": "o-1", "amount": 3, "items": ["cup", "pot", "pan"]})).await;
    assert_eq!(execution.status, asl_runtime::Status::Succeeded, "{execution:?}");
    let owners = State::of_events(&execution);
    assert_eq!(owners.len(), execution.events.len());
    for (event, owner) in execution.events.iter().zip(&owners) {
        match (event.event_type.family(), owner) {
            (None, None) => assert!(event.event_type.as_str().starts_with("Execution")),
            // Each event belongs to a state of the type its name says.
            (Some(family), Some(state)) => assert_eq!(family.name(), state.type_name(), "{event:?}"),
            _ => panic!("event {} ({}) has no state", event.id, event.event_type.as_str()),
        }
    }
    let of = |kind: &str| -> Vec<State> {
        execution
            .events
            .iter()
            .zip(&owners)
            .filter(|(e, _)| e.event_type.as_str() == kind)
            .filter_map(|(_, s)| *s)
            .collect()
    };
    assert_eq!(of("MapIterationStarted"), [State::PackEach; 3]);
    assert_eq!(of("MapIterationSucceeded"), [State::PackEach; 3]);
    assert_eq!(of("ParallelStateSucceeded"), [State::ReserveAndCharge]);
    assert_eq!(of("TaskFailed"), [State::Charge]);
    let scheduled = of("TaskScheduled");
    assert_eq!(scheduled.iter().filter(|s| **s == State::Pack).count(), 3);
    assert_eq!(scheduled.iter().filter(|s| **s == State::Charge).count(), 2);
}

/// Runs an execution as a sequence of transitions, from `START` to the end,
/// the variables handed on from each state to the next; gives the output
/// and the states taken.
async fn by_transitions<T: fulfilment::Tasks>(machine: &fulfilment::Machine<T>, input: Value) -> (Value, Vec<State>) {
    let (mut state, mut input, mut variables) = (State::START, input, Map::new());
    let mut path = Vec::new();
    loop {
        path.push(state);
        let test = TestState { input, variables, run_branches: true, ..Default::default() };
        let (transition, outcome) = machine.transition_with(state, test).await.unwrap();
        variables = outcome.variables;
        match transition {
            Transition::Next { state: next, output } => (state, input) = (next, output),
            Transition::End { output } => return (output, path),
            other => panic!("{state} did not succeed: {other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_sequence_of_transitions_gives_what_the_execution_gives() {
    let machine = fulfilment::Machine::new(Warehouse).configure(|e| e.clock(asl_runtime::VirtualClock::new()));
    let input = json!({"id": "o-7", "amount": 5, "items": ["lid"]});
    let execution = machine.run(input.clone()).await;
    let (output, path) = by_transitions(&machine, input).await;
    assert_eq!(Some(output), execution.output);
    assert_eq!(path, [State::Prepare, State::ReserveAndCharge, State::PackEach, State::Notify]);
}

#[tokio::test(start_paused = true)]
async fn a_transition_says_retry_catch_or_fail() {
    let machine = fulfilment::Machine::new(Warehouse);
    let busy = |retries| TestState {
        input: json!({"amount": 1}),
        variables: [("orderId".to_string(), json!("o-2"))].into_iter().collect(),
        mock: Some(TestMock::Error { error: "Gateway.Busy".into(), cause: Some("later".into()) }),
        retrier_retry_count: retries,
        ..Default::default()
    };
    // The retrier allows two retries; the third failure ends the branch.
    let (retry, _) = machine.transition_with(State::Charge, busy(0)).await.unwrap();
    assert_eq!(retry, Transition::Retry { error: "Gateway.Busy".into(), cause: Some("later".into()) });
    let (failed, _) = machine.transition_with(State::Charge, busy(2)).await.unwrap();
    assert_eq!(failed, Transition::Failed { error: "Gateway.Busy".into(), cause: Some("later".into()) });
    // A nested state runs alone through its Task's typed method; the
    // variables it reads are given, or it fails as AWS would.
    let unset = machine.transition(State::Pack, "cup").await.unwrap();
    assert!(matches!(unset, Transition::Failed { error, .. } if error == "States.QueryEvaluationError"));
    let order = TestState { input: json!("cup"), variables: busy(0).variables, ..Default::default() };
    let (packed, _) = machine.transition_with(State::Pack, order).await.unwrap();
    assert_eq!(packed, Transition::End { output: json!("box of cup") });
}
