//! The dynamic path: definitions loaded at run time, driven without the macro.

use asl_runtime::{Executor, Handlers, Limits, Status, TaskError, TaskRequest, VirtualClock, Workflow};
use serde_json::{Value, json};

fn workflow(text: &str) -> Workflow {
    Workflow::from_json(text)
        .unwrap_or_else(|d| panic!("invalid: {:?}", d.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

/// The outputs of the Pass states, in the order they exited.
fn pass_outputs(run: &asl_runtime::Execution) -> Vec<Value> {
    run.events
        .iter()
        .filter(|e| e.event_type == "PassStateExited")
        .map(|e| {
            serde_json::to_value(e).unwrap()["stateExitedEventDetails"]["output"]
                .as_str()
                .map(|t| serde_json::from_str(t).unwrap())
                .unwrap()
        })
        .collect()
}

async fn run(text: &str, input: Value) -> asl_runtime::Execution {
    workflow(text).executor().clock(VirtualClock::new()).run(input).await
}

#[tokio::test(start_paused = true)]
async fn infinite_loops_stop_at_the_history_limit() {
    // Valid (a terminal state exists) but the Choice never leads there.
    let def = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}}}"#;
    let run =
        workflow(def).executor().limits(Limits { max_history_events: 1000, ..Limits::default() }).run(json!({})).await;
    assert_eq!(run.status, Status::Failed);
    assert_eq!(run.error.as_deref(), Some("States.Runtime"));
    assert!(run.events.len() <= 1002, "{}", run.events.len());
}

#[tokio::test(start_paused = true)]
async fn input_output_processing_in_order() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Add",
        "InputPath": "$.numbers", "Parameters": {"a.$": "$.x", "b.$": "$.y", "note": "sum"},
        "ResultSelector": {"total.$": "$.sum"}, "ResultPath": "$.numbers.result", "OutputPath": "$.numbers", "End": true}}}"#;
    let add = |r: TaskRequest| async move {
        let a = r.input["a"].as_i64().unwrap_or(0);
        let b = r.input["b"].as_i64().unwrap_or(0);
        Ok(json!({"sum": a + b, "noise": true}))
    };
    let run = workflow(def)
        .executor()
        .handler(Handlers::new().on("arn:aws:lambda:us-east-1:1:function:Add", add))
        .run(json!({"numbers": {"x": 2, "y": 3}, "other": 1}))
        .await;
    assert_eq!(run.output, Some(json!({"x": 2, "y": 3, "result": {"total": 5}})));
}

#[tokio::test(start_paused = true)]
async fn task_timeout_raises_states_timeout_and_is_caught() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"}, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.err", "Next": "Timed"}], "End": true},
        "Wrong": {"Type": "Fail"}, "Timed": {"Type": "Succeed"}}}"#;
    let slow = |_r: TaskRequest| async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        Ok(Value::Null)
    };
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(slow).run(json!({})).await;
    assert_eq!(run.status, Status::Succeeded);
    assert_eq!(run.output, Some(json!({"err": {"Error": "States.Timeout", "Cause": ""}})));
    let types: Vec<&str> = run.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskTimedOut",
            "TaskStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn retry_max_attempts_zero_and_states_all_not_catching_runtime() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r",
        "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "End": true}, "C": {"Type": "Pass", "End": true}}}"#;
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let c = calls.clone();
    let boom = move |_r: TaskRequest| {
        c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Err(TaskError::new("Boom", "x")) }
    };
    let run = workflow(def).executor().handler(boom).run(json!({})).await;
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the first matching retrier (MaxAttempts 0) decides"
    );
    assert_eq!(run.output, Some(json!({"Error": "Boom", "Cause": "x"})));

    // A missing handler is a configuration error: States.Runtime, never caught.
    let run = workflow(def).executor().run(json!({})).await;
    assert_eq!((run.status, run.error.as_deref()), (Status::Failed, Some("States.Runtime")));
}

#[tokio::test(start_paused = true)]
async fn machine_timeout_ends_timed_out() {
    let def = r#"{"TimeoutSeconds": 5, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}"#;
    let run = run(def, json!({})).await;
    assert_eq!(run.status, Status::TimedOut);
    assert_eq!(run.events.last().map(|e| e.event_type.as_str()), Some("ExecutionTimedOut"));
}

#[tokio::test(start_paused = true)]
async fn no_choice_matched() {
    let def = r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]}, "D": {"Type": "Succeed"}}}"#;
    let run = run(def, json!({"n": 2})).await;
    assert_eq!(run.error.as_deref(), Some("States.NoChoiceMatched"));
}

#[tokio::test(start_paused = true)]
async fn oversized_state_output_fails_with_data_limit() {
    // With history the size is the written text's length, without it a
    // walk of the value: both must draw the line at the same byte.
    let def =
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"s.$": "$.s", "t": 1}, "End": true}}}"#;
    for history in [true, false] {
        let wf = workflow(def);
        let exec = wf.executor().limits(Limits { max_payload_bytes: 34, ..Limits::default() }).record_history(history);
        let run = |s: &str| exec.run(json!({ "s": s }));
        // The output `{"s":"...","t":1}` is 14 bytes around the string (the
        // input, 6 fewer, always fits); a quote is escaped as 2.
        let fits = run("\"\"\"\"\"\"\"\"\"\"").await;
        assert_eq!(fits.status, Status::Succeeded, "history {history}: {:?}", fits.cause);
        let over = run("\"\"\"\"\"\"\"\"\"\"a").await;
        assert_eq!(over.error.as_deref(), Some("States.DataLimitExceeded"), "history {history}");
    }
}

/// A chain of Pass states `P0..Pn` with these `Parameters`, each writing
/// its result at `$.last`.
fn pass_chain(n: usize, parameters: &str) -> String {
    let states: Vec<String> = (0..n)
        .map(|i| {
            let next = if i + 1 == n { r#""End": true"#.to_string() } else { format!(r#""Next": "P{}""#, i + 1) };
            format!(r#""P{i}": {{"Type": "Pass", "Parameters": {parameters}, "ResultPath": "$.last", {next}}}"#)
        })
        .collect();
    format!(r#"{{"StartAt": "P0", "States": {{{}}}}}"#, states.join(","))
}

#[tokio::test(start_paused = true)]
async fn a_growing_payload_fails_at_the_state_that_passes_the_limit() {
    // Each state rewrites `$.last` with a string 10 characters longer. The
    // size is tracked from what each state wrote, not measured, until it
    // may pass the limit. It must fail where a measure of every output
    // would, with history (which writes every output out) and without.
    let limit = 1000;
    let first_over = (0..200)
        .position(|i| serde_json::to_string(&json!({"last": {"s": "0123456789".repeat(i + 1)}})).unwrap().len() > limit)
        .expect("the payload passes the limit");
    let def = pass_chain(200, r#"{"s.$": "States.Format('{}0123456789', $.last.s)"}"#);
    for history in [true, false] {
        let exec = workflow(&def)
            .executor()
            .limits(Limits { max_payload_bytes: limit, ..Limits::default() })
            .record_history(history);
        let run = exec.run(json!({"last": {"s": ""}})).await;
        assert_eq!(run.error.as_deref(), Some("States.DataLimitExceeded"), "history {history}");
        let cause = run.cause.unwrap_or_default();
        assert!(cause.contains(&format!("'P{first_over}'")), "history {history}: {cause}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_payload_of_steady_size_near_the_limit_runs_on() {
    // Replacing the same member keeps the payload at ~40 bytes, while its
    // tracked bound grows each state: when the bound passes the limit the
    // payload is measured, found to fit, and the bound starts again.
    let def = pass_chain(300, r#"{"s.$": "$.s", "n": 7}"#);
    for history in [true, false] {
        let exec = workflow(&def)
            .executor()
            .limits(Limits { max_payload_bytes: 120, ..Limits::default() })
            .record_history(history);
        let run = exec.run(json!({ "s": "abc" })).await;
        assert_eq!(run.status, Status::Succeeded, "history {history}: {:?}", run.cause);
        assert_eq!(run.output, Some(json!({"s": "abc", "last": {"s": "abc", "n": 7}})));
    }
}

#[tokio::test(start_paused = true)]
async fn history_off_still_runs_and_numbers_events() {
    let def = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}}"#;
    let run = workflow(def).executor().record_history(false).run(json!({"s": -1})).await;
    assert!(run.events.is_empty());
    // The cause still names the event id AWS would have given the state.
    assert!(run.cause.unwrap().contains("(entered at the event id #2)"));
}

#[test]
fn executors_are_reusable_and_shareable() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Executor>();
    // An execution can be spawned onto a multi-threaded runtime.
    fn spawnable<F: std::future::Future + Send + 'static>(_: &F) {}
    let executor = workflow(r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#).executor();
    let fut = async move { executor.run(json!({})).await };
    spawnable(&fut);
}

#[tokio::test(start_paused = true)]
async fn callback_tasks_get_a_task_token_in_context_and_handler() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"token.$": "$$.Task.Token"}, "End": true}}}"#;
    // The "service" answers the callback at once, echoing the token it got.
    let answer = |r: TaskRequest| async move {
        let token = r.context.task_token().map(str::to_string).unwrap();
        assert_eq!(r.input["token"].as_str(), Some(token.as_str()));
        asl_runtime::send_task_success(&token, json!({"token": token})).unwrap();
        Ok(json!({"MessageId": "1"}))
    };
    let run = workflow(def).executor().handler(answer).run(json!({})).await;
    let token = run.output.unwrap()["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 32, "{token}");

    // Nobody answers: the task times out after AWS's default task timeout.
    let silent = |_r: TaskRequest| async move { Ok(json!({})) };
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(silent).run(json!({})).await;
    assert_eq!(run.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test(start_paused = true)]
async fn each_attempt_sees_its_own_retry_count() {
    let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r",
        "Parameters": {"attempt.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 5, "IntervalSeconds": 1}],
        "ResultSelector": {"seen.$": "$.seen", "final.$": "$$.State.RetryCount"}, "End": true}}}"#;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let flaky = move |r: TaskRequest| {
        let attempt = r.input["attempt"].as_u64().unwrap();
        s.lock().unwrap().push(attempt);
        async move { if attempt < 2 { Err(TaskError::new("Flaky", "again")) } else { Ok(json!({"seen": attempt})) } }
    };
    let run = workflow(def).executor().clock(VirtualClock::new()).handler(flaky).run(json!({})).await;
    assert_eq!(*seen.lock().unwrap(), [0, 1, 2]);
    assert_eq!(run.output, Some(json!({"seen": 2, "final": 2})));
}

#[tokio::test(start_paused = true)]
async fn lambda_functions_written_in_rust_are_shaped_like_aws() {
    let def = r#"{"StartAt": "Direct", "States": {
        "Direct": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "Parameters": {"n.$": "$.n"}, "ResultPath": "$.direct", "Next": "Invoke"},
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "double", "Payload": {"n.$": "$.direct"}},
                   "ResultSelector": {"payload.$": "$.Payload", "status.$": "$.StatusCode"}, "ResultPath": "$.invoke", "Next": "Fails"},
        "Fails": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:reject"},
                  "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.error", "Next": "Done"}], "End": true},
        "Done": {"Type": "Succeed"}}}"#;
    let handlers = asl_runtime::Handlers::new()
        .function("double", |r: TaskRequest| async move { Ok(json!(r.input["n"].as_i64().unwrap_or(0) * 2)) })
        .function("reject", |_r: TaskRequest| async move { Err(TaskError::new("Rejected", "not allowed")) });
    let run = workflow(def).executor().handler(handlers).run(json!({"n": 5})).await;
    let out = run.output.unwrap_or_else(|| panic!("{:?}", run.cause));
    assert_eq!(out["direct"], json!(10));
    assert_eq!(out["invoke"], json!({"payload": 20, "status": 200}));
    assert_eq!(out["error"]["Error"], "Rejected");
    let doc: Value = serde_json::from_str(out["error"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!((doc["errorType"].as_str(), doc["errorMessage"].as_str()), (Some("Rejected"), Some("not allowed")));
}

#[tokio::test(start_paused = true)]
async fn parameters_rebuilt_in_the_shape_they_replace() {
    // `B` writes the shape `A` left at `$.last` (same keys, other values),
    // `C` the shape its whole input has; each must be evaluated afresh, with
    // literals reset, InputPath and OutputPath applied.
    let def = r#"{"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "a", "list": [1, 2]}, "ResultPath": "$.last", "Next": "B"},
        "B": {"Type": "Pass", "InputPath": "$.last", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "tag": "b", "list.$": "$.list[0]"},
              "ResultPath": "$.last", "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"n.$": "$.last.n", "last.$": "$.last.tag"}, "OutputPath": "$.last", "Next": "D"},
        "D": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name", "tag.$": "$.missing"}, "ResultPath": "$", "End": true}}}"#;
    let run = run(def, json!({"n": 1, "last": {"n": 0, "tag": "old", "list": "x"}})).await;
    // D's path misses: the error names D's own input, untouched by the attempt.
    assert_eq!(run.error.as_deref(), Some("States.Runtime"));
    assert!(run.cause.as_deref().unwrap().contains("could not be found in the input '\"b\"'"), "{:?}", run.cause);
    let ok = workflow(def.replace("$.missing", "$").as_str())
        .executor()
        .clock(VirtualClock::new())
        .run(json!({"n": 1, "last": {"n": 0}}))
        .await;
    assert_eq!(ok.output, Some(json!({"n": "D", "tag": "b"})));
    let states = workflow(def)
        .executor()
        .clock(VirtualClock::new())
        .run(json!({"n": 1, "last": {"n": 0, "tag": "old", "list": "x"}}))
        .await;
    let outputs = pass_outputs(&states);
    assert_eq!(
        outputs,
        vec![
            json!({"n": 1, "last": {"n": 1, "tag": "a", "list": [1, 2]}}),
            json!({"n": 1, "last": {"n": 2, "tag": "b", "list": 1}}),
            json!("b"),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn literals_written_over_members_of_any_type() {
    // Each literal lands in a slot that held a value of another type, then
    // of its own type with another value (`d.$` makes the template an
    // object built in place, not a literal).
    let def = r#"{"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"num": 7, "flag": false, "word": "w", "none": null, "obj": {"k": 1}, "d.$": "$.d"}, "ResultPath": "$.last", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"num": 8.5, "flag": true, "word": "a longer word", "none": null, "obj": {"k": 2}, "d.$": "$.d"}, "ResultPath": "$.last", "End": true}}}"#;
    let run =
        run(def, json!({"d": 0, "last": {"num": "text", "flag": 3, "word": true, "none": [1], "obj": "o", "d": 1}}))
            .await;
    let outputs = pass_outputs(&run);
    assert_eq!(
        outputs[0],
        json!({"d": 0, "last": {"num": 7, "flag": false, "word": "w", "none": null, "obj": {"k": 1}, "d": 0}})
    );
    assert_eq!(
        outputs[1],
        json!({"d": 0, "last": {"num": 8.5, "flag": true, "word": "a longer word", "none": null, "obj": {"k": 2}, "d": 0}})
    );
}

#[tokio::test(start_paused = true)]
async fn maps_agree_with_and_without_history() {
    // Without history, a processor that never waits runs item after item
    // without a future, and one with a Task runs under the general path;
    // either way results, tolerated failures, the threshold and the event
    // ids in causes must be those recorded with history.
    let def = |tolerated: Option<u32>, concurrency: u32, task: bool| {
        let tolerated = tolerated.map(|n| format!(r#""ToleratedFailureCount": {n},"#)).unwrap_or_default();
        let (start, task) = if task {
            ("T", r#""T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Echo", "Next": "C"},"#)
        } else {
            ("C", "")
        };
        format!(
            r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "ItemsPath": "$.items", {tolerated} "MaxConcurrency": {concurrency},
            "ItemProcessor": {{"StartAt": "{start}", "States": {{ {task}
                "C": {{"Type": "Choice", "Choices": [{{"Variable": "$.v", "NumericLessThan": 0, "Next": "Bad"}},
                                                    {{"Variable": "$.v", "NumericLessThan": 100, "Next": "P"}}]}},
                "P": {{"Type": "Pass", "Parameters": {{"double.$": "States.MathAdd($.v, $.v)", "i.$": "$.i"}}, "End": true}},
                "Bad": {{"Type": "Fail", "Error": "Negative", "Cause": "below zero"}}}}}},
            "ItemSelector": {{"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"}}, "Next": "After"}},
            "After": {{"Type": "Fail", "Error": "Results", "CausePath": "States.JsonToString($)"}}}}}}"#
        )
    };
    let echo = |r: TaskRequest| async move { Ok(r.input) };
    let input = json!({"items": [1, -1, 200, -2, 3]});
    for task in [false, true] {
        for concurrency in [0, 2] {
            for tolerated in [None, Some(1), Some(2), Some(5)] {
                let mut runs = Vec::new();
                for history in [true, false] {
                    let handlers = Handlers::new().on("arn:aws:lambda:us-east-1:1:function:Echo", echo);
                    let run = workflow(&def(tolerated, concurrency, task))
                        .executor()
                        .handler(handlers)
                        .record_history(history)
                        .run(input.clone())
                        .await;
                    runs.push((run.status, run.output, run.error, run.cause));
                }
                let case = format!("Task {task}, ToleratedFailureCount {tolerated:?}, MaxConcurrency {concurrency}");
                assert_eq!(runs[0], runs[1], "{case}");
                let (_, _, error, cause) = &runs[1];
                match tolerated {
                    // Without a tolerance the item's own error fails the Map.
                    None => assert_eq!(
                        (error.as_deref(), cause.as_deref()),
                        (Some("Negative"), Some("below zero")),
                        "{case}"
                    ),
                    Some(1 | 2) => {
                        assert_eq!(error.as_deref(), Some("States.ExceedToleratedFailureThreshold"), "{case}")
                    }
                    // Every item ran; the one no rule matches names its event id.
                    _ => assert!(
                        cause.as_deref().unwrap().contains("'C' (entered at the event id #"),
                        "{case}: {cause:?}"
                    ),
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn parameters_built_in_the_input_they_replace() {
    // Each state's Parameters share leading keys with the value they
    // replace: added members, swapped values, a replaced tail, and a member
    // named like its path that must still be read from `InputPath`.
    let def = r#"{"StartAt": "E", "States": {
        "E": {"Type": "Pass", "Parameters": {"a.$": "$.a", "b.$": "$.b", "c.$": "States.Format('{}-{}', $.a, $.b)"}, "Next": "F"},
        "F": {"Type": "Pass", "Parameters": {"a.$": "$.b", "b.$": "$.a", "c": "lit"}, "Next": "G"},
        "G": {"Type": "Pass", "Parameters": {"a.$": "$.a", "x.$": "$.c", "y": 1}, "Next": "X"},
        "X": {"Type": "Pass", "Parameters": {"a": 9}, "ResultPath": "$.x", "Next": "H"},
        "H": {"Type": "Pass", "InputPath": "$.x", "Parameters": {"a.$": "$.a", "n": null, "y.$": "$.a", "z": 0}, "End": true}}}"#;
    let run = run(def, json!({"a": 1, "b": 2, "z": true})).await;
    let outputs = pass_outputs(&run);
    assert_eq!(
        outputs,
        vec![
            json!({"a": 1, "b": 2, "c": "1-2"}),
            json!({"a": 2, "b": 1, "c": "lit"}),
            json!({"a": 2, "x": "lit", "y": 1}),
            json!({"a": 2, "x": {"a": 9}, "y": 1}),
            json!({"a": 9, "n": null, "y": 9, "z": 0}),
        ]
    );
    // Key order is part of the output text.
    assert_eq!(serde_json::to_string(&outputs[0]).unwrap(), r#"{"a":1,"b":2,"c":"1-2"}"#);
}

#[tokio::test(start_paused = true)]
async fn a_task_builds_its_parameters_in_an_input_nothing_reads_again() {
    // No Retry, no Catch, ResultPath `$`: the input is given to the task.
    // Its Parameters must still see the whole input (and InputPath), and
    // `TimeoutSecondsPath` must read the state's input.
    let def = r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Echo", "TimeoutSecondsPath": "$.t",
              "Parameters": {"i.$": "States.MathAdd($.i, 1)", "t.$": "$.t", "seen.$": "$.i"}, "Next": "U"},
        "U": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Echo", "InputPath": "$.inner",
              "Parameters": {"i.$": "$.i", "from": "inner"}, "End": true}}}"#;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let echo = move |r: TaskRequest| {
        log.lock().unwrap().push(r.input.clone());
        let mut out = r.input;
        out["inner"] = json!({"i": 7});
        async move { Ok(out) }
    };
    let run = workflow(def)
        .executor()
        .handler(Handlers::new().on("arn:aws:lambda:us-east-1:1:function:Echo", echo))
        .run(json!({"i": 1, "t": 5, "extra": [1, 2]}))
        .await;
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.cause);
    assert_eq!(*seen.lock().unwrap(), vec![json!({"i": 2, "t": 5, "seen": 1}), json!({"i": 7, "from": "inner"})]);
    assert_eq!(run.output, Some(json!({"i": 7, "from": "inner", "inner": {"i": 7}})));
}

#[tokio::test]
async fn a_long_map_of_instant_states_keeps_every_result_in_order() {
    // Past 4,096 items the item-after-item path yields to the scheduler;
    // every result must still land at its index. (4,500 items: an inline
    // Map of many more would pass AWS's 25,000-event history limit.)
    let def = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "End": true}}},
        "ItemSelector": {"i.$": "$$.Map.Item.Index"}, "End": true}}}"#;
    let items: Vec<u32> = vec![0; 4_500];
    let run = workflow(def).executor().record_history(false).run(json!({ "items": items })).await;
    let output = run.output.unwrap_or_else(|| panic!("{:?} {:?}", run.error, run.cause));
    let results = output.as_array().expect("an array");
    assert_eq!(results.len(), 4_500);
    assert!(results.iter().enumerate().all(|(i, r)| r["i"] == i + 1));
}

#[tokio::test(start_paused = true)]
async fn a_handler_sees_the_names_the_context_object_shows() {
    // The Task's Parameters pass the context object's view of the call; the
    // handler answers with its own, and the two must agree on every name.
    let def = r#"{"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:1:function:Charge",
        "Parameters": {"state.$": "$$.State.Name", "retry.$": "$$.State.RetryCount", "execution.$": "$$.Execution.Id",
            "name.$": "$$.Execution.Name", "machine.$": "$$.StateMachine.Id"},
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}], "End": true}}}"#;
    let seen = |r: TaskRequest| async move {
        let c = &r.context;
        if c.retry_count() == 0 {
            return Err(TaskError::new("Busy", "try again"));
        }
        Ok(json!({"from_context": r.input, "from_handler": {"state": c.state_name(), "retry": c.retry_count(),
            "execution": c.execution_arn(), "name": c.execution_name(), "machine": c.state_machine_arn()},
            "resource": r.resource(), "context_resource": c.resource()}))
    };
    let identity = asl_runtime::Identity {
        execution_name: "order-7".into(),
        state_machine_name: "Orders".into(),
        ..Default::default()
    };
    let run = workflow(def).executor().identity(identity).clock(VirtualClock::new()).handler(seen).run(json!({})).await;
    let output = run.output.unwrap_or_else(|| panic!("{:?} {:?}", run.error, run.cause));
    assert_eq!(output["from_handler"], output["from_context"]);
    assert_eq!(output["from_handler"]["retry"], 1);
    assert_eq!(output["from_handler"]["name"], "order-7");
    assert!(output["from_handler"]["machine"].as_str().unwrap().ends_with(":stateMachine:Orders"), "{output}");
    assert!(output["from_handler"]["execution"].as_str().unwrap().ends_with(":execution:Orders:order-7"), "{output}");
    assert_eq!(output["resource"], "arn:aws:lambda:eu-west-1:1:function:Charge");
    assert_eq!(output["context_resource"], output["resource"]);
}
