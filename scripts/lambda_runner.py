#!/usr/bin/env python3
"""Conformance runner for corpus cases with Lambda functions: turns the case's
task.json (each function's behaviour) into a mock file with `LambdaFunctions`
and runs `asl run --mock`. Without a task.json it runs `asl run` alone.

    lambda_runner.py ASL DEFINITION INPUT CONTEXT [TASK]
"""
import json
import os
import subprocess
import sys
import tempfile


def reply(function):
    behaviour = function["behaviour"]
    if behaviour == "echo":
        step = {"ReturnPath": "$"}
    elif behaviour == "return_constant":
        step = {"Return": function.get("value")}
    elif behaviour == "raise":
        step = {"Throw": {"Error": function.get("errorType") or function.get("error") or "Exception",
                          "Cause": function.get("errorMessage", ""),
                          "StackTrace": function.get("stackTrace", [])}}
    else:
        raise SystemExit(f"lambda_runner: unknown behaviour {behaviour!r}")
    if function.get("sleep_seconds"):
        step["DelaySeconds"] = function["sleep_seconds"]
    return step


def mocks_of(task):
    """The mock file (test case `Conformance`/`Lambda`) for a case's task.json."""
    with open(task) as f:
        functions = json.load(f)["functions"]
    return {
        "StateMachines": {"Conformance": {"TestCases": {"Lambda": {
            "LambdaFunctions": {fn["function_name"]: fn["function_name"] for fn in functions}}}}},
        "MockedResponses": {fn["function_name"]: {"0": reply(fn)} for fn in functions},
    }


def main():
    asl, definition, input_path, context = sys.argv[1:5]
    task = sys.argv[5] if len(sys.argv) > 5 else ""
    command = [asl, "run", definition, "--input", "@" + input_path, "--context", context, "--virtual-time", "--json"]
    if not task:
        os.execv(asl, command)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(mocks_of(task), f)
    try:
        sys.exit(subprocess.run(command + ["--mock", f.name]).returncode)
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main()
