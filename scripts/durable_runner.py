#!/usr/bin/env python3
"""Conformance runner for durable executions: runs a corpus case with
`asl run --db` on a fresh store (virtual time, mocks built as
lambda_runner.py builds them), then reads the execution back from the store
(`asl executions describe` and `history`, which replays its journal) and
prints the result in check.py's protocol.

    durable_runner.py ASL DEFINITION INPUT CONTEXT [TASK]

    python3 ../shared/conformance/check.py --include-lambda --events types \\
        --run "python3 scripts/durable_runner.py target/release/asl {definition} {input} {context} {task}"
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lambda_runner import mocks_of  # noqa: E402  (the same mocks as the in-memory runner)


def main():
    asl, definition, input_path, context = sys.argv[1:5]
    task = sys.argv[5] if len(sys.argv) > 5 else ""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "store.db")
        command = [asl, "run", definition, "--input", "@" + input_path, "--context", context, "--virtual-time",
                   "--db", db]
        if task:
            mock_path = os.path.join(tmp, "mocks.json")
            with open(mock_path, "w") as f:
                json.dump(mocks_of(task), f)
            command += ["--mock", mock_path, "--state-machine", "Conformance", "--test-case", "Lambda"]
        ran = subprocess.run(command, capture_output=True, text=True)
        if ran.returncode == 2:
            sys.stderr.write(ran.stderr)
            return 2
        listed = subprocess.run([asl, "executions", "list", "--db", db, "--max-results", "0"],
                                capture_output=True, text=True, check=True)
        executions = json.loads(listed.stdout)["executions"]
        if not executions:
            # Refused before it started (input over the limit, say): as in memory.
            os.execv(asl, [asl, "run", definition, "--input", "@" + input_path, "--context", context,
                           "--virtual-time", "--json"])
        arn = executions[0]["executionArn"]
        described = json.loads(subprocess.run([asl, "executions", "describe", "--db", db, arn],
                                              capture_output=True, text=True, check=True).stdout)
        history = json.loads(subprocess.run([asl, "executions", "history", "--db", db, arn],
                                            capture_output=True, text=True, check=True).stdout)
        output = described.get("output")
        print(json.dumps({
            "status": described["status"],
            "output": json.loads(output) if output is not None else None,
            "error": described.get("error"),
            "cause": described.get("cause"),
            "events": history["events"],
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
