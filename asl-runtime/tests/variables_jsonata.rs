//! Workflow variables (`Assign`) in both query languages, and JSONata states.

use asl_runtime::{Execution, Executor, Handlers, Status, TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::{Value, json};

fn workflow(text: &str) -> Workflow {
    Workflow::from_json(text)
        .unwrap_or_else(|d| panic!("invalid: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

fn executor(text: &str, history: bool) -> Executor {
    workflow(text).executor().clock(VirtualClock::new()).record_history(history)
}

async fn run(text: &str, input: Value) -> Execution {
    executor(text, true).run(input).await
}

/// The `assignedVariables` of each state exit that has them, parsed.
fn assigned(run: &Execution) -> Vec<(String, Value)> {
    run.events
        .iter()
        .filter_map(|e| {
            let event = serde_json::to_value(e).unwrap();
            let details = event.get("stateExitedEventDetails")?;
            let vars = details.get("assignedVariables")?.as_object()?;
            assert_eq!(details["assignedVariablesDetails"], json!({"truncated": false}));
            let parsed: serde_json::Map<String, Value> =
                vars.iter().map(|(k, v)| (k.clone(), serde_json::from_str(v.as_str().unwrap()).unwrap())).collect();
            Some((details["name"].as_str().unwrap().to_string(), Value::Object(parsed)))
        })
        .collect()
}

fn event_types(run: &Execution) -> Vec<&str> {
    run.events.iter().map(|e| e.event_type.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn jsonpath_assign_takes_effect_when_the_state_ends() {
    // State1 reads `$answer` in InputPath and OutputPath while assigning it:
    // both see the value from before the state.
    let def = r#"{"StartAt": "S0", "States": {
        "S0": {"Type": "Pass", "Result": {"q": "Q?"}, "Assign": {"question.$": "$.q", "answer": 42}, "Next": "S1"},
        "S1": {"Type": "Pass", "InputPath": "$answer", "ResultPath": "$.a", "OutputPath": "$answer", "Assign": {"answer": "later"}, "Next": "S2"},
        "S2": {"Type": "Pass", "Parameters": {"answer.$": "$answer", "question.$": "$question", "ctx.$": "$$.State.Name"}, "End": true}}}"#;
    let run = run(def, json!({})).await;
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.cause);
    assert_eq!(run.output, Some(json!({"answer": "later", "question": "Q?", "ctx": "S2"})));
    assert_eq!(
        assigned(&run),
        vec![
            ("S0".to_string(), json!({"question": "Q?", "answer": 42})),
            ("S1".to_string(), json!({"answer": "later"}))
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn choice_assigns_from_the_matched_rule_or_on_default() {
    let def = r#"{"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 42, "Assign": {"status": "CORRECT"}, "Next": "F"}],
              "Assign": {"status": "WRONG", "guess.$": "$.n"}, "Default": "F"},
        "F": {"Type": "Pass", "Parameters": {"status.$": "$status"}, "End": true}}}"#;
    assert_eq!(run(def, json!({"n": 42})).await.output, Some(json!({"status": "CORRECT"})));
    let wrong = run(def, json!({"n": 7})).await;
    assert_eq!(wrong.output, Some(json!({"status": "WRONG"})));
    assert_eq!(assigned(&wrong), vec![("C".to_string(), json!({"status": "WRONG", "guess": 7}))]);
}

#[tokio::test(start_paused = true)]
async fn task_assign_reads_the_selected_result_and_catch_assign_the_error() {
    let def = r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:F", "ResultSelector": {"v.$": "$.value"},
              "Assign": {"got.$": "$.v"}, "Next": "Boom"},
        "Boom": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Boom",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why.$": "$.Cause"}, "ResultPath": "$.err", "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "Parameters": {"got.$": "$got", "why.$": "$why"}, "End": true}}}"#;
    let handlers = Handlers::new()
        .on(
            "arn:aws:lambda:us-east-1:1:function:F",
            |_r: TaskRequest| async move { Ok(json!({"value": 5, "noise": 1})) },
        )
        .on("arn:aws:lambda:us-east-1:1:function:Boom", |_r: TaskRequest| async move {
            Err::<Value, _>(TaskError::new("Oops", "it broke"))
        });
    for history in [true, false] {
        let run = executor(def, history).handler(handlers.clone()).run(json!({})).await;
        assert_eq!(run.output, Some(json!({"got": 5, "why": "it broke"})), "history {history}: {:?}", run.cause);
    }
}

#[tokio::test(start_paused = true)]
async fn map_iterations_and_branches_read_outer_variables_and_keep_their_own() {
    // Iterations read `$bias` and assign `mine`; the outer scope never sees
    // `mine`, and the outer `bias` is unchanged by the branch's assignment.
    let def = r#"{"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"bias": 10, "items": [1, 2, 3]}, "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$items", "ItemProcessor": {"StartAt": "Add", "States": {
            "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($, $bias)"}, "Assign": {"mine.$": "$.sum"}, "Next": "Read"},
            "Read": {"Type": "Pass", "Parameters": {"mine.$": "$mine"}, "End": true}}}, "ResultPath": "$.mapped", "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {
            "B": {"Type": "Pass", "Assign": {"bias": -1}, "Next": "B2"},
            "B2": {"Type": "Pass", "Parameters": {"inner.$": "$bias"}, "End": true}}}], "ResultPath": "$.branches", "Next": "Out"},
        "Out": {"Type": "Pass", "Parameters": {"mapped.$": "$.mapped", "branches.$": "$.branches", "bias.$": "$bias", "mine.$": "States.ArrayLength($.mapped)"}, "End": true}}}"#;
    for history in [true, false] {
        let run = executor(def, history).run(json!({})).await;
        assert_eq!(run.status, Status::Succeeded, "history {history}: {:?}", run.cause);
        assert_eq!(
            run.output,
            Some(
                json!({"mapped": [{"mine": 11}, {"mine": 12}, {"mine": 13}], "branches": [{"inner": -1}], "bias": 10, "mine": 3})
            ),
            "history {history}"
        );
    }
    // An outer-scope read of a variable only an iteration assigned fails.
    let leak = r#"{"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"mine": 1}, "End": true}}}, "Next": "R"},
        "R": {"Type": "Pass", "Parameters": {"x.$": "$mine"}, "End": true}}}"#;
    let run = run(leak, json!([1])).await;
    assert_eq!(run.error.as_deref(), Some("States.Runtime"));
}

#[tokio::test(start_paused = true)]
async fn jsonata_states_read_states_input_result_and_variables() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Assign": {"rate": "{% $states.input.rate %}"}, "Output": {"amount": "{% $states.input.amount %}"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Tax",
              "Arguments": {"amount": "{% $states.input.amount %}", "rate": "{% $rate %}"},
              "Assign": {"taxed": "{% $states.result.total %}"},
              "Output": "{% $merge([$states.input, {'total': $states.result.total}]) %}", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $taxed > 100 %}", "Output": {"big": "{% $taxed %}"}, "Next": "Done"}],
              "Default": "Small"},
        "Small": {"Type": "Succeed", "Output": {"small": "{% $states.input.total %}", "parts": "{% $partition([1, 2, 3], 2) %}"}},
        "Done": {"Type": "Succeed"}}}"#;
    let tax = |r: TaskRequest| async move {
        let total = r.input["amount"].as_f64().unwrap_or(0.0) * (1.0 + r.input["rate"].as_f64().unwrap_or(0.0));
        Ok(json!({"total": total}))
    };
    let handlers = Handlers::new().on("arn:aws:lambda:us-east-1:1:function:Tax", tax);
    for history in [true, false] {
        let exec = executor(def, history).handler(handlers.clone());
        let small = exec.run(json!({"amount": 50, "rate": 0.5})).await;
        // JSONata writes a whole number without a fraction, as AWS does.
        assert_eq!(small.output, Some(json!({"small": 75, "parts": [[1, 2], [3]]})), "{:?}", small.cause);
        let big = exec.run(json!({"amount": 100, "rate": 0.5})).await;
        assert_eq!(big.output, Some(json!({"big": 150})), "{:?}", big.cause);
    }
}

#[tokio::test(start_paused = true)]
async fn jsonata_map_wait_fail_and_catch() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.xs %}", "MaxConcurrency": "{% 2 %}",
              "ItemSelector": {"value": "{% $states.context.Map.Item.Value %}", "index": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Output": "{% $states.input.value * 2 + $states.input.index %}", "End": true}}},
              "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $sum($states.input) > 100 %}", "Next": "TooBig"}], "Default": "Ok"},
        "TooBig": {"Type": "Fail", "Error": "TooBig", "Cause": "{% 'sum was ' & $string($sum($states.input)) %}"},
        "Ok": {"Type": "Parallel", "Arguments": {"xs": "{% $states.input %}"}, "Branches": [{"StartAt": "Raise", "States": {
            "Raise": {"Type": "Fail", "Error": "{% 'E' & $string($count($states.input.xs)) %}", "Cause": "raised"}}}],
            "Catch": [{"ErrorEquals": ["E3"], "Assign": {"err": "{% $states.errorOutput.Error %}"},
                       "Output": {"caught": "{% $states.errorOutput %}", "input": "{% $states.input %}"}, "Next": "End"}], "End": true},
        "End": {"Type": "Pass", "Output": {"caught": "{% $states.input.caught %}", "err": "{% $err %}"}, "End": true}}}"#;
    let small = run(def, json!({"delay": 5, "xs": [1, 2, 3]})).await;
    assert_eq!(small.status, Status::Succeeded, "{:?}", small.cause);
    assert_eq!(small.output, Some(json!({"caught": {"Error": "E3", "Cause": "raised"}, "err": "E3"})));
    assert!(event_types(&small).contains(&"WaitStateExited"));
    let big = run(def, json!({"delay": 0, "xs": [100, 1]})).await;
    assert_eq!((big.error.as_deref(), big.cause.as_deref()), (Some("TooBig"), Some("sum was 203")));
}

#[tokio::test(start_paused = true)]
async fn jsonata_failures_are_query_evaluation_errors_with_aws_causes() {
    let undefined = r#"{"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Pass", "Output": {"r": "{% $nope %}"}, "End": true}}}"#;
    let run_undefined = run(undefined, json!({})).await;
    assert_eq!(run_undefined.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        run_undefined.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression '$nope' specified for the field 'Output/r' returned nothing (undefined)."
        )
    );
    assert_eq!(
        event_types(&run_undefined),
        ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    );
    let failed = serde_json::to_value(&run_undefined.events[2]).unwrap();
    assert_eq!(failed["evaluationFailedEventDetails"]["location"], json!("Output/r"));
    assert_eq!(failed["evaluationFailedEventDetails"]["state"], json!("S"));

    let not_array = r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "Items": "{% 'x' %}",
        "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
    let run_not_array = run(not_array, json!({})).await;
    assert_eq!(
        run_not_array.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression ''x'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"x\""
        )
    );
    assert_eq!(
        event_types(&run_not_array),
        ["ExecutionStarted", "MapStateEntered", "EvaluationFailed", "MapStateFailed", "ExecutionFailed"]
    );

    // A branch that fails to evaluate fails its Parallel with that error,
    // which a catcher takes like any other.
    let caught = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $states.input.nope %}", "End": true}}}],
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Output": "{% $states.errorOutput.Error %}", "Next": "D"}], "End": true},
        "D": {"Type": "Succeed"}}}"#;
    let run_caught = run(caught, json!({})).await;
    assert_eq!(run_caught.output, Some(json!("States.QueryEvaluationError")), "{:?}", run_caught.cause);
}
