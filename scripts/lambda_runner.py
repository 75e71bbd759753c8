#!/usr/bin/env python3
"""Conformance runner for corpus cases with Lambda functions: turns the case's
task.json (each function's behaviour) into a mock file with `LambdaFunctions`
and runs `asl run --mock`. Without a task.json it runs `asl run` alone.
With `--compiled`, it runs scripts/conformance_compiled.py's binary instead,
the mock file as its last argument.

    lambda_runner.py ASL DEFINITION INPUT CONTEXT [TASK]
    lambda_runner.py --compiled BINARY CASE_DIR INPUT CONTEXT [TASK]
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
    compiled = sys.argv[1] == "--compiled"
    args = sys.argv[2:] if compiled else sys.argv[1:]
    program, definition, input_path, context = args[:4]
    task = args[4] if len(args) > 4 else ""
    if compiled:
        command, mock_flag = [program, definition, input_path, context], []
    else:
        command = [program, "run", definition, "--input", "@" + input_path, "--context", context, "--virtual-time", "--json"]
        mock_flag = ["--mock"]
    if not task:
        os.execv(program, command)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(mocks_of(task), f)
    try:
        sys.exit(subprocess.run(command + mock_flag + [f.name]).returncode)
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main()
