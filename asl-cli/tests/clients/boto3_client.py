"""A test suite written against AWS Step Functions with boto3, run against
`asl serve` unchanged: only the endpoint differs.

Usage: python3 boto3_client.py ENDPOINT REPO_ROOT
Every check raises on failure; the last line says how many passed.
"""

import json
import sys
import threading
import time

import boto3
import botocore.config

ENDPOINT, ROOT = sys.argv[1], sys.argv[2]
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"

sfn = boto3.client(
    "stepfunctions",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    # StartSyncExecution and TestState are sent to `sync-<host>` unless told
    # not to, as with every local endpoint (Step Functions Local too).
    config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=90, inject_host_prefix=False),
)

passed = 0


def check(name, condition, detail=""):
    global passed
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    passed += 1
    print(f"ok - {name}")


def expect_error(label, kind, call, **kwargs):
    """The call fails with boto3's typed exception for `kind`."""
    exception = getattr(sfn.exceptions, kind)
    try:
        call(**kwargs)
    except exception as e:
        check(label, e.response["Error"]["Code"] == kind, e.response)
        return
    raise AssertionError(f"{label}: no {kind} raised")


def wait_done(arn, timeout=30):
    deadline = time.time() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        if time.time() > deadline:
            raise AssertionError(f"{arn} still RUNNING after {timeout}s")
        time.sleep(0.05)


def all_events(arn, **kwargs):
    """Every history event, page by page."""
    events, token = [], None
    while True:
        page = sfn.get_execution_history(executionArn=arn, **kwargs, **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


# The payment state machine, from the repository's statemachines/.
definition = open(f"{ROOT}/statemachines/payment.json").read()
created = sfn.create_state_machine(name="payment", definition=definition, roleArn=ROLE)
machine = created["stateMachineArn"]
check("create_state_machine", machine == "arn:aws:states:us-east-1:123456789012:stateMachine:payment", created)
again = sfn.create_state_machine(name="payment", definition=definition, roleArn=ROLE)
check("create_state_machine is idempotent", again["stateMachineArn"] == machine)
described = sfn.describe_state_machine(stateMachineArn=machine)
check("describe_state_machine", described["definition"] == definition and described["type"] == "STANDARD")
check("list_state_machines", [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["payment"])

# Mocked test cases (Step Functions Local's stateMachineArn#TestCase).
order = {"orderId": "o-1", "amount": 42, "currency": "EUR", "card": "4111"}
happy = sfn.start_execution(stateMachineArn=machine + "#HappyPath", name="happy", input=json.dumps(order))
declined = sfn.start_execution(stateMachineArn=machine + "#Declined", name="declined", input=json.dumps(order))
done = wait_done(happy["executionArn"])
check("HappyPath succeeds", done["status"] == "SUCCEEDED", done)
check("HappyPath output", json.loads(done["output"]) == {"ledgerId": "L-1", "recorded": True}, done["output"])
done = wait_done(declined["executionArn"])
entered = [e["stateEnteredEventDetails"]["name"] for e in all_events(declined["executionArn"]) if "stateEnteredEventDetails" in e]
check("Declined is caught and cancelled", done["status"] == "SUCCEEDED" and "Cancelled" in entered and "Completed" not in entered, (done, entered))
listed = sfn.list_executions(stateMachineArn=machine)["executions"]
check("list_executions: newest first", [e["name"] for e in listed] == ["declined", "happy"], listed)
page = sfn.list_executions(stateMachineArn=machine, maxResults=1)
rest = sfn.list_executions(stateMachineArn=machine, maxResults=1, nextToken=page["nextToken"])
check("list_executions pages", [e["name"] for e in page["executions"] + rest["executions"]] == ["declined", "happy"])
check("list_executions statusFilter", all(e["status"] == "SUCCEEDED" for e in sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]))

# History, page by page.
whole = sfn.get_execution_history(executionArn=happy["executionArn"], maxResults=1000)["events"]
paged = all_events(happy["executionArn"], maxResults=3)
check("history pages add up to the whole", paged == whole and len(whole) > 6, (len(paged), len(whole)))
check("history starts and ends", whole[0]["type"] == "ExecutionStarted" and whole[-1]["type"] == "ExecutionSucceeded")
check("history ids count up", [e["id"] for e in whole] == list(range(1, len(whole) + 1)))
backwards = all_events(happy["executionArn"], maxResults=4, reverseOrder=True)
check("reverseOrder", backwards == list(reversed(whole)))
bare = sfn.get_execution_history(executionArn=happy["executionArn"], includeExecutionData=False)["events"]
check("includeExecutionData=False drops the input", "input" not in bare[0]["executionStartedEventDetails"])

# A .waitForTaskToken task answered with SendTaskSuccess and SendTaskFailure.
callback = sfn.create_state_machine(
    name="approval",
    roleArn=ROLE,
    definition=json.dumps({
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                               "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
                "HeartbeatSeconds": 60,
                "End": True,
            }
        },
    }),
)["stateMachineArn"]


def token_of(arn):
    """The token, from the TaskScheduled event's parameters (as the queue's
    consumer would get it), once the task is submitted."""
    deadline = time.time() + 10
    while time.time() < deadline:
        events = sfn.get_execution_history(executionArn=arn)["events"]
        if any(e["type"] == "TaskSubmitted" for e in events):
            scheduled = next(e for e in events if e["type"] == "TaskScheduled")
            return json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
        time.sleep(0.05)
    raise AssertionError("the task was not submitted")


yes = sfn.start_execution(stateMachineArn=callback, name="yes", input=json.dumps({"order": 7}))
same = sfn.start_execution(stateMachineArn=callback, name="yes", input=json.dumps({"order": 7}))
check("start_execution of a running execution is idempotent", same["executionArn"] == yes["executionArn"])
token = token_of(yes["executionArn"])
sfn.send_task_heartbeat(taskToken=token)
sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
done = wait_done(yes["executionArn"])
check("send_task_success ends the task", done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True}, done)
expect_error("an answered token: TaskTimedOut", "TaskTimedOut", sfn.send_task_success, taskToken=token, output="{}")
no = sfn.start_execution(stateMachineArn=callback, input=json.dumps({"order": 8}))
sfn.send_task_failure(taskToken=token_of(no["executionArn"]), error="Rejected", cause="over budget")
done = wait_done(no["executionArn"])
check("send_task_failure fails it", (done["status"], done.get("error"), done.get("cause")) == ("FAILED", "Rejected", "over budget"), done)
expect_error("a token never handed out: TaskDoesNotExist", "TaskDoesNotExist", sfn.send_task_success,
             taskToken="A" * 43 + "=", output="{}")
expect_error("a malformed token: InvalidToken", "InvalidToken", sfn.send_task_success, taskToken="not-a-token", output="{}")
pending = sfn.start_execution(stateMachineArn=callback, input=json.dumps({"order": 9}))
expect_error("output that is not JSON: InvalidOutput", "InvalidOutput", sfn.send_task_success,
             taskToken=token_of(pending["executionArn"]), output="{not json")
sfn.stop_execution(executionArn=pending["executionArn"], error="Cancelled", cause="by the test")
done = wait_done(pending["executionArn"])
check("stop_execution aborts it", (done["status"], done.get("error")) == ("ABORTED", "Cancelled"), done)

# An activity worker written with boto3.
activity = sfn.create_activity(name="charge-card")["activityArn"]
check("create_activity is idempotent", sfn.create_activity(name="charge-card")["activityArn"] == activity)
check("describe_activity", sfn.describe_activity(activityArn=activity)["name"] == "charge-card")
check("list_activities", [a["activityArn"] for a in sfn.list_activities()["activities"]] == [activity])
worker_machine = sfn.create_state_machine(
    name="worked",
    roleArn=ROLE,
    definition=json.dumps({
        "StartAt": "Charge",
        "States": {"Charge": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 30, "TimeoutSeconds": 60, "End": True}},
    }),
)["stateMachineArn"]
worked = []


def worker():
    while len(worked) < 2:
        task = sfn.get_activity_task(activityArn=activity, workerName="boto3-worker")
        if not task.get("taskToken"):
            continue
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
        job = json.loads(task["input"])
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"charged": job["amount"] * 2}))
        worked.append(job)


thread = threading.Thread(target=worker, daemon=True)
thread.start()
runs = [sfn.start_execution(stateMachineArn=worker_machine, input=json.dumps({"amount": n})) for n in (5, 6)]
outputs = sorted(json.loads(wait_done(r["executionArn"])["output"])["charged"] for r in runs)
thread.join(timeout=30)
check("the boto3 activity worker answered both tasks", outputs == [10, 12], outputs)
events = [e["type"] for e in sfn.get_execution_history(executionArn=runs[0]["executionArn"])["events"]]
check("activity events", "ActivityScheduled" in events and "ActivityStarted" in events and "ActivitySucceeded" in events, events)

# Express: StartSyncExecution.
express = sfn.create_state_machine(
    name="express", roleArn=ROLE, type="EXPRESS",
    definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": True}}}),
)["stateMachineArn"]
sync = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"a": 2, "b": 3}))
check("start_sync_execution", sync["status"] == "SUCCEEDED" and json.loads(sync["output"]) == {"sum": 5}, sync)

# Versions, aliases, tags, TestState, validation.
version = sfn.publish_state_machine_version(stateMachineArn=machine, description="v1")["stateMachineVersionArn"]
check("publish_state_machine_version", version == machine + ":1")
alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}])
check("create_state_machine_alias", alias["stateMachineAliasArn"] == machine + ":live")
check("list_state_machine_aliases", len(sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]) == 1)
via_alias = sfn.start_execution(stateMachineArn=alias["stateMachineAliasArn"] + "#HappyPath", input=json.dumps(order))
done = wait_done(via_alias["executionArn"])
check("an execution through an alias runs its version", done["status"] == "SUCCEEDED" and done.get("stateMachineVersionArn") == version, done)
sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "payments"}])
check("tags", sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "team", "value": "payments"}])
tested = sfn.test_state(
    definition=json.dumps({"Type": "Pass", "Parameters": {"x.$": "$.a"}, "Next": "After"}),
    roleArn=ROLE, input=json.dumps({"a": 1}), inspectionLevel="DEBUG",
)
check("test_state", (tested["status"], json.loads(tested["output"]), tested["nextState"]) == ("SUCCEEDED", {"x": 1}, "After"), tested)
check("test_state DEBUG inspection", json.loads(tested["inspectionData"]["afterParameters"]) == {"x": 1}, tested)
valid = sfn.validate_state_machine_definition(definition=definition)
check("validate: OK", valid["result"] == "OK" and valid["diagnostics"] == [], valid)
invalid = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}))
check("validate: FAIL with a located diagnostic", invalid["result"] == "FAIL" and invalid["diagnostics"][0]["location"], invalid)

# Each typed error.
expect_error("ExecutionDoesNotExist", "ExecutionDoesNotExist", sfn.describe_execution,
             executionArn="arn:aws:states:us-east-1:123456789012:execution:payment:nope")
expect_error("StateMachineDoesNotExist", "StateMachineDoesNotExist", sfn.describe_state_machine,
             stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:nope")
expect_error("InvalidArn", "InvalidArn", sfn.describe_execution, executionArn="not-an-arn")
expect_error("InvalidDefinition", "InvalidDefinition", sfn.create_state_machine, name="bad", roleArn=ROLE,
             definition=json.dumps({"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": True}}}))
expect_error("InvalidName", "InvalidName", sfn.start_execution, stateMachineArn=machine, name="has space")
expect_error("StateMachineAlreadyExists", "StateMachineAlreadyExists", sfn.create_state_machine, name="payment",
             roleArn=ROLE, definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
expect_error("ExecutionAlreadyExists", "ExecutionAlreadyExists", sfn.start_execution,
             stateMachineArn=machine + "#HappyPath", name="happy", input=json.dumps({"other": True}))
expect_error("InvalidExecutionInput", "InvalidExecutionInput", sfn.start_execution, stateMachineArn=machine, input="{oops")
expect_error("ActivityDoesNotExist", "ActivityDoesNotExist", sfn.describe_activity,
             activityArn="arn:aws:states:us-east-1:123456789012:activity:nope")
expect_error("StateMachineTypeNotSupported", "StateMachineTypeNotSupported", sfn.start_sync_execution, stateMachineArn=machine)
expect_error("ExecutionNotRedrivable", "ExecutionNotRedrivable", sfn.redrive_execution, executionArn=happy["executionArn"])
expect_error("ResourceNotFound", "ResourceNotFound", sfn.list_tags_for_resource,
             resourceArn="arn:aws:states:us-east-1:123456789012:stateMachine:nope")
expect_error("ValidationException", "ValidationException", sfn.list_executions, stateMachineArn=machine, statusFilter="SLEEPING")

sfn.delete_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
sfn.delete_state_machine(stateMachineArn=express)
check("delete_state_machine", "express" not in [m["name"] for m in sfn.list_state_machines()["stateMachines"]])
print(f"{passed} passed, 0 failed")
