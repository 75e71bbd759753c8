//! Validation rules checked by AWS, each shown rejecting what AWS rejects and
//! accepting what AWS accepts.

use asl_spec::{WorkflowType, load, load_as};

fn errors(text: &str) -> Vec<String> {
    load(text)
        .diagnostics
        .iter()
        .filter(|d| d.severity == asl_spec::Severity::Error)
        .map(|d| d.message.clone())
        .collect()
}

fn task(resource: &str, extra: &str) -> String {
    format!(
        r#"{{"StartAt": "T", "States": {{"T": {{"Type": "Task", "Resource": "{resource}"{extra}, "End": true}}}}}}"#
    )
}

fn map_with_label(label: &str) -> String {
    format!(
        r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "Label": {}, "ItemProcessor": {{"ProcessorConfig": {{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": true}}}}}}, "End": true}}}}}}"#,
        serde_json::to_string(label).unwrap()
    )
}

#[test]
fn map_labels() {
    assert!(errors(&map_with_label("batch-1_of_2")).is_empty());
    for bad in ["", "has space", "a:b", "x*", "tab\t", "\u{7f}", &"x".repeat(41)] {
        assert_eq!(errors(&map_with_label(bad)).len(), 1, "{bad:?}");
    }
}

#[test]
fn credentials_need_a_role() {
    assert!(
        errors(&task("arn:aws:states:::sqs:sendMessage", r#", "Credentials": {"RoleArn": "arn:aws:iam::1:role/r"}"#))
            .is_empty()
    );
    assert!(
        errors(&task("arn:aws:states:::sqs:sendMessage", r#", "Credentials": {"RoleArn.$": "$.role"}"#)).is_empty()
    );
    assert!(
        errors(&task("arn:aws:states:::sqs:sendMessage", r#", "Credentials": {}"#))[0]
            .contains("'RoleArn' is required")
    );
}

#[test]
fn resources() {
    assert!(errors(&task("arn:aws:states:::dynamodb:getItem", "")).is_empty());
    assert!(errors(&task("arn:aws:states:::aws-sdk:dynamodb:query", "")).is_empty());
    assert!(errors(&task("arn:aws:states:::dynamodb:query", ""))[0].contains("is not recognized"));
    assert!(errors(&task("arn:aws:lambda:us-east-1:1:function:f:$LATEST", "")).is_empty());
    assert!(errors(&task("arn:aws:lambda:us-east-1:1:function:f:", ""))[0].contains("not a valid Lambda function ARN"));
}

#[test]
fn the_integration_pattern_is_read_from_the_resource() {
    use asl_spec::Integration;
    assert_eq!(Integration::of("arn:aws:states:::states:startExecution.sync"), Integration::Sync);
    assert_eq!(Integration::of("arn:aws:states:::states:startExecution.sync:2"), Integration::Sync);
    assert_eq!(Integration::of("arn:aws:states:::sqs:sendMessage.waitForTaskToken"), Integration::WaitForTaskToken);
    assert_eq!(Integration::of("arn:aws:states:::lambda:invoke"), Integration::RequestResponse);
    assert_eq!(Integration::of("arn:aws:lambda:us-east-1:1:function:sync"), Integration::RequestResponse);
}

#[test]
fn an_object_template_marks_the_members_that_copy_their_own_key() {
    use asl_spec::model::Template;
    let text = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
        "Parameters": {"id.$": "$.id", "v.$": "$.other", "lit": 1, "n.$": "$.n", "deep.$": "$.deep.x", "var.$": "$var", "call.$": "States.Format('{}', $.call)"}}}}"#;
    let definition = load(text).valid().expect("valid");
    let Some(Template::Object(object)) = &definition.body.states[0].io.parameters else { panic!("object Parameters") };
    // id (0) and n (3) copy their own key; a different key, a literal, a
    // deeper path, a variable and a call do not.
    assert_eq!(object.same_named, 0b1001);
}

#[test]
fn express_workflows_cannot_wait() {
    for resource in [
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:us-east-1:1:activity:a",
    ] {
        let text = task(resource, "");
        assert!(!load(&text).diagnostics.has_errors(), "{resource} is fine in STANDARD");
        assert!(load_as(&text, WorkflowType::Express).diagnostics.has_errors(), "{resource} is not in EXPRESS");
    }
}

#[test]
fn jsonata_expressions_are_delimited_and_parse() {
    let pass = |output: &str| {
        format!(
            r#"{{"QueryLanguage": "JSONata", "StartAt": "P", "States": {{"P": {{"Type": "Pass", "Output": {}, "End": true}}}}}}"#,
            serde_json::to_string(output).unwrap()
        )
    };
    assert!(errors(&pass("{% $states.input.a + 1 %}")).is_empty());
    assert!(errors(&pass("plain text")).is_empty());
    // AWS accepts an expression without space inside its delimiters.
    assert!(errors(&pass("{%$states.input.a%}")).is_empty());
    assert!(errors(&pass("{% $states.input%}")).is_empty());
    assert!(!errors(&pass("{% $x")).is_empty());
    assert!(!errors(&pass("{%  %}")).is_empty());
    assert!(errors(&pass("{% (1 + %}"))[0].contains("does not parse"));
}

#[test]
fn jsonpath_states_only_forbidden_under_a_jsonata_machine() {
    let nested = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "QueryLanguage": "JSONata",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}, "End": true}}}"#;
    assert!(errors(nested).is_empty());
    let machine = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}"#;
    assert!(errors(machine)[0].contains("can not be 'JSONPath'"));
}

#[test]
fn io_fields_only_where_the_type_has_them() {
    let choice = r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "ResultPath": "$.x", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "D"}]}, "D": {"Type": "Succeed"}}}"#;
    assert!(errors(choice)[0].contains("unknown field `ResultPath`"));
    let pass = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": "a string is a template too", "End": true}}}"#;
    assert!(errors(pass).is_empty());
}

fn pass_with_assign(assign: &str, ql: &str) -> String {
    format!(
        r#"{{"QueryLanguage": "{ql}", "StartAt": "P", "States": {{"P": {{"Type": "Pass", "Assign": {assign}, "End": true}}}}}}"#
    )
}

#[test]
fn variable_names_are_unicode_identifiers() {
    for ok in [r#"{"total": 1}"#, r#"{"_hidden": 1}"#, r#"{"größe": 1}"#, r#"{"x1.$": "$.a"}"#, "{}"] {
        assert_eq!(errors(&pass_with_assign(ok, "JSONPath")), Vec::<String>::new(), "{ok}");
    }
    for bad in [
        r#"{"1st": 1}"#,
        r#"{"top-level": 1}"#,
        r#"{"a b": 1}"#,
        r#"{"": 1}"#,
        &format!(r#"{{"{}": 1}}"#, "v".repeat(81)),
    ] {
        let found = errors(&pass_with_assign(bad, "JSONPath"));
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert!(found[0].contains("is not a valid variable name"), "{found:?}");
    }
    assert!(errors(&pass_with_assign("[1]", "JSONPath"))[0].contains("must be a JSON object"));
}

#[test]
fn assign_values_are_checked_like_templates() {
    assert!(errors(&pass_with_assign(r#"{"x.$": "$.a[?(@.b"}"#, "JSONPath"))[0].contains("valid JSONPath"));
    assert!(errors(&pass_with_assign(r#"{"x.$": "States.Nope()"}"#, "JSONPath"))[0].contains("intrinsic"));
    assert!(errors(&pass_with_assign(r#"{"x": {"y.$": "$.a"}}"#, "JSONPath")).is_empty());
    assert!(!errors(&pass_with_assign(r#"{"x": "{% 1 + %}"}"#, "JSONata")).is_empty());
    assert!(errors(&pass_with_assign(r#"{"x": "{% $states.input.a %}"}"#, "JSONata")).is_empty());
}

#[test]
fn negative_counts_name_the_value() {
    let def = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": -1, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
    assert_eq!(errors(def), ["`ToleratedFailureCount` must not be negative, but is -1"]);
}

#[test]
fn whether_the_machine_reads_the_context_is_known_at_load() {
    let reads = |inner: &str| {
        let text = format!(
            r#"{{"StartAt":"M","States":{{"M":{{"Type":"Map","End":true,"ItemProcessor":{{"StartAt":"P","States":{{"P":{{"Type":"Pass","End":true{inner}}}}}}}}}}}}}"#
        );
        let definition = asl_spec::load(&text).valid().expect("valid");
        let mut reads = false;
        asl_spec::model::visit_states(&definition.body, &mut |s| reads |= s.reads_context);
        reads
    };
    // Deep inside a Map's processor, as a payload path or in an intrinsic.
    assert!(reads(r#","Parameters":{"id.$":"$$.Execution.Id"}"#));
    assert!(reads(r#","Parameters":{"s.$":"States.Format('{}', $$.State.Name)"}"#));
    assert!(!reads(r#","Parameters":{"id.$":"$.id"}"#));
}

#[test]
fn item_reader_and_result_writer_take_their_language_s_request_field() {
    let map = |ql: &str, request: &str| {
        format!(
            r#"{{"QueryLanguage": "{ql}", "StartAt": "M", "States": {{"M": {{"Type": "Map", "End": true,
            "ItemReader": {{"Resource": "arn:aws:states:::s3:listObjectsV2", {request}}},
            "ResultWriter": {{"Resource": "arn:aws:states:::s3:putObject", {request}}},
            "ItemProcessor": {{"ProcessorConfig": {{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": true}}}}}}}}}}}}"#
        )
    };
    assert_eq!(errors(&map("JSONata", r#""Arguments": {"Bucket": "{% $states.input.b %}"}"#)), Vec::<String>::new());
    assert_eq!(errors(&map("JSONPath", r#""Parameters": {"Bucket.$": "$.b"}"#)), Vec::<String>::new());
    assert_eq!(
        errors(&map("JSONata", r#""Parameters": {"Bucket": "b"}"#)),
        ["the field `Parameters` is not supported in JSONata states"; 2]
    );
    assert_eq!(
        errors(&map("JSONPath", r#""Arguments": {"Bucket": "b"}"#)),
        ["the field `Arguments` is only supported in JSONata states"; 2]
    );
}

/// A diagnostic's location is a JSON pointer: `~` and `/` in a state's name
/// are written `~0` and `~1` (RFC 6901), as AWS reports them, whichever
/// check finds the problem (loading, transitions, lints).
#[test]
fn locations_escape_state_names_as_json_pointers() {
    let locations =
        |definition: &str| -> Vec<String> { load(definition).diagnostics.iter().map(|d| d.location.clone()).collect() };
    let wrong_type = locations(r#"{"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass", "Next": 5}}}"#);
    assert!(wrong_type.iter().any(|l| l == "/States/a~1b~0c/Next"), "{wrong_type:?}");
    let no_target = locations(r#"{"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass", "Next": "nowhere"}}}"#);
    assert!(no_target.iter().any(|l| l == "/States/a~1b~0c/Next"), "{no_target:?}");
    let literal = locations(
        r#"{"StartAt": "a/b", "States": {"a/b": {"Type": "Pass", "Parameters": {"x/y": "$.y"}, "End": true}}}"#,
    );
    assert!(literal.iter().any(|l| l == "/States/a~1b/Parameters/x~1y"), "{literal:?}");
    let variable =
        locations(r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"a/b": 1}, "End": true}}}"#);
    assert!(variable.iter().any(|l| l == "/States/P/Assign/a~1b"), "{variable:?}");
}

/// A Choice rule's or a catcher's `Next` is pointed at in its array, so an
/// editor reading `--format json` lands on the right field.
#[test]
fn choice_and_catch_targets_are_located_in_their_arrays() {
    let def = r#"{"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.x", "IsPresent": false, "Next": "T"},
            {"Variable": "$.x", "IsPresent": true, "Next": "Nope"}], "Default": "Gone"},
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "Catch": [{"ErrorEquals": ["A"], "Next": "C"}, {"ErrorEquals": ["States.ALL"], "Next": "Lost"}], "End": true}}}"#;
    let locations: Vec<String> = load(def).diagnostics.iter().map(|d| d.location.clone()).collect();
    for expected in ["/States/C/Choices/1/Next", "/States/C/Default", "/States/T/Catch/1/Next"] {
        assert!(locations.iter().any(|l| l == expected), "{expected} in {locations:?}");
    }
}

#[test]
fn a_duplicate_state_key_is_reported_without_follow_on_reachability_errors() {
    let def = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}, "A": {"Type": "Pass", "End": true}}}"#;
    let errors = errors(def);
    assert!(errors.iter().any(|e| e.contains("used more than once")), "{errors:?}");
    assert!(!errors.iter().any(|e| e.contains("can never be reached")), "{errors:?}");
}

#[test]
fn a_timestamp_past_the_year_9999_mark_is_valid() {
    let def =
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "9999-12-31T23:59:59Z", "End": true}}}"#;
    assert!(errors(def).is_empty(), "{:?}", errors(def));
}

#[test]
fn a_bad_expression_in_a_branch_or_processor_is_reported_once() {
    for def in [
        r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Assign": {"ok": "{% $x( %}"}, "End": true}}}], "End": true}}}"#,
        r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Output": "{% $x( %}", "End": true}}}, "End": true}}}"#,
    ] {
        let errors = errors(def);
        assert_eq!(errors.iter().filter(|e| e.contains("does not parse")).count(), 1, "{errors:?}");
    }
}
