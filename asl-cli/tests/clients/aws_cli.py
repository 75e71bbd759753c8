"""The AWS CLI (`aws stepfunctions …`) against `asl serve`, as a shell
script of a CI pipeline would use it: only `--endpoint-url` differs.

Usage: python3 aws_cli.py ENDPOINT REPO_ROOT
"""

import json
import os
import subprocess
import sys
import threading
import time

ENDPOINT, ROOT = sys.argv[1], sys.argv[2]
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
           AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
passed = 0


def aws(*args, fail=None):
    """Runs `aws stepfunctions ARGS`; its JSON answer, or (with `fail`) checks it failed with that error."""
    command = ["aws", "stepfunctions", *args, "--endpoint-url", ENDPOINT, "--output", "json"]
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120)
    if fail:
        if done.returncode == 0 or f"({fail})" not in done.stderr:
            raise AssertionError(f"{args}: expected {fail}, got {done.returncode}: {done.stderr}{done.stdout}")
        return done.stderr
    if done.returncode != 0:
        raise AssertionError(f"{args}: exit {done.returncode}: {done.stderr}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


def check(name, condition, detail=""):
    global passed
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    passed += 1
    print(f"ok - {name}")


def wait_done(arn):
    deadline = time.time() + 60
    while True:
        described = aws("describe-execution", "--execution-arn", arn)
        if described["status"] != "RUNNING":
            return described
        if time.time() > deadline:
            raise AssertionError(f"{arn} still RUNNING")
        time.sleep(0.1)


machine = aws("create-state-machine", "--name", "payment", "--role-arn", ROLE,
              "--definition", f"file://{ROOT}/statemachines/payment.json")["stateMachineArn"]
check("create-state-machine from statemachines/payment.json", machine.endswith(":stateMachine:payment"), machine)
order = json.dumps({"orderId": "o-2", "amount": 9, "currency": "EUR", "card": "4111"})
started = aws("start-execution", "--state-machine-arn", machine + "#HappyPath", "--name", "cli-1", "--input", order)
done = wait_done(started["executionArn"])
check("start-execution and describe-execution", done["status"] == "SUCCEEDED", done)

# The CLI's own pagination (--max-items, --starting-token) over the API's.
whole = aws("get-execution-history", "--execution-arn", started["executionArn"])["events"]
paged, token = [], None
while True:
    args = ["get-execution-history", "--execution-arn", started["executionArn"], "--max-items", "4"]
    page = aws(*args, *(["--starting-token", token] if token else []))
    paged += page["events"]
    token = page.get("NextToken")
    if not token:
        break
check("get-execution-history paged with --max-items", paged == whole and len(whole) > 6, (len(paged), len(whole)))
check("--page-size sends maxResults", aws("get-execution-history", "--execution-arn", started["executionArn"],
                                          "--page-size", "2")["events"] == whole)
reverse = aws("get-execution-history", "--execution-arn", started["executionArn"], "--reverse-order")["events"]
check("--reverse-order", reverse == list(reversed(whole)))

# A callback answered with send-task-success.
callback = aws("create-state-machine", "--name", "approval", "--role-arn", ROLE, "--definition", json.dumps({
    "StartAt": "Ask",
    "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                       "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:approvals",
                                      "Message": {"token.$": "$$.Task.Token"}}, "End": True}},
}))["stateMachineArn"]
waiting = aws("start-execution", "--state-machine-arn", callback)["executionArn"]
deadline = time.time() + 10
while True:
    events = aws("get-execution-history", "--execution-arn", waiting)["events"]
    if any(e["type"] == "TaskSubmitted" for e in events):
        break
    assert time.time() < deadline, "the task was not submitted"
    time.sleep(0.1)
scheduled = next(e for e in events if e["type"] == "TaskScheduled")
token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Message"]["token"]
aws("send-task-success", "--task-token", token, "--task-output", json.dumps({"ok": 1}))
done = wait_done(waiting)
check("send-task-success", done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"ok": 1}, done)

# An activity worker that is a shell loop of get-activity-task and send-task-success.
activity = aws("create-activity", "--name", "cli-worker")["activityArn"]
worked = aws("create-state-machine", "--name", "worked", "--role-arn", ROLE, "--definition", json.dumps({
    "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}},
}))["stateMachineArn"]
job = aws("start-execution", "--state-machine-arn", worked, "--input", json.dumps({"n": 4}))["executionArn"]
task = aws("get-activity-task", "--activity-arn", activity, "--worker-name", "cli")
aws("send-task-success", "--task-token", task["taskToken"],
    "--task-output", json.dumps({"square": json.loads(task["input"])["n"] ** 2}))
done = wait_done(job)
check("an activity worked with get-activity-task", json.loads(done["output"]) == {"square": 16}, done)

# Typed errors, as the CLI prints them.
aws("describe-execution", "--execution-arn", machine.replace("stateMachine", "execution") + ":nope", fail="ExecutionDoesNotExist")
aws("describe-state-machine", "--state-machine-arn", machine + "-nope", fail="StateMachineDoesNotExist")
aws("create-state-machine", "--name", "bad", "--role-arn", ROLE, "--definition", "{}", fail="InvalidDefinition")
aws("send-task-success", "--task-token", token, "--task-output", "{}", fail="TaskTimedOut")
aws("describe-activity", "--activity-arn", activity + "-nope", fail="ActivityDoesNotExist")
aws("start-execution", "--state-machine-arn", "arn:nope", fail="InvalidArn")
check("typed errors", True)
print(f"{passed} passed, 0 failed")
