#!/usr/bin/env python3
"""TestState against AWS's own histories.

For every recorded AWS execution in ../shared/conformance, each state the
execution entered is run alone with `asl test-state`: with the input AWS
recorded at its entry and, for a Task, the result AWS recorded for it as the
mock. Its output must be the one AWS recorded at the state's exit, and its
next state the one AWS entered next.

Skipped, and counted: definitions with Parallel or Map (their states
interleave), with variables (`Assign`: TestState would need their values),
reading the context object (ids and times differ from AWS's), or drawing
random numbers or UUIDs; states whose Task failed or was retried before it
succeeded; and states whose recorded input or output holds one of the
recordings' placeholders (`<timestamp>`; a first state whose recorded
input is not the case's input had its values replaced too).

    cargo build --release -p asl-cli
    python3 scripts/test_state_corpus.py [--asl PATH] [--cases DIR]
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def as_value(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def skipped_definition(text):
    # Random numbers and UUIDs are recorded as placeholders.
    return any(
        marker in text
        for marker in ('"Parallel"', '"Map"', '"Assign"', "$$", "$states.context", "MathRandom", "UUID",
                       "$random", "$uuid")
    )


def placeholder(value):
    """Whether a recorded value holds a snapshot placeholder (`<timestamp>`, …)."""
    if isinstance(value, str):
        return value.startswith("<") and value.endswith(">")
    if isinstance(value, list):
        return any(placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(placeholder(v) for v in value.values())
    return False


def states_of(history):
    """(type, name, input, mock or None, output, next) for each state run once, in order."""
    out = []
    for i, event in enumerate(history):
        kind = event.get("type", "")
        if not kind.endswith("StateEntered") or kind.startswith(("Parallel", "Map")):
            continue
        details = event["stateEnteredEventDetails"]
        name = details["name"]
        exited = kind.replace("Entered", "Exited")
        j = next(
            (k for k in range(i + 1, len(history))
             if history[k].get("type") == exited and history[k]["stateExitedEventDetails"]["name"] == name),
            None,
        )
        if j is None:
            continue
        between = history[i + 1:j]
        if any(e["type"].endswith(("Failed", "TimedOut", "StateEntered")) for e in between):
            continue
        mock = None
        for e in between:
            d = e.get("taskSucceededEventDetails") or e.get("lambdaFunctionSucceededEventDetails")
            if d is not None and "output" in d:
                mock = as_value(d["output"])
        after = history[j + 1] if j + 1 < len(history) else {}
        if after.get("type", "").endswith("StateEntered"):
            nxt = after["stateEnteredEventDetails"]["name"]
        elif after.get("type") == "ExecutionSucceeded":
            nxt = None
        else:
            nxt = "?"
        out.append((kind[: -len("StateEntered")], name, as_value(details.get("input")), mock,
                    as_value(history[j]["stateExitedEventDetails"].get("output")), nxt))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asl", default=os.path.join(ROOT, "target", "release", "asl"))
    corpus = os.path.join(ROOT, "..", "shared", "conformance")
    parser.add_argument("--cases", nargs="+",
                        default=[os.path.join(corpus, "cases"), os.path.join(corpus, "lambda_cases")])
    args = parser.parse_args()
    for cases in args.cases:
        if not os.path.isdir(cases):
            sys.exit(f"test-state corpus: no cases at {cases}")
    compared = agreed = skipped_defs = skipped_states = inspected = 0
    by_type = {}
    differences = []
    folders = [os.path.join(cases, group, case)
               for cases in args.cases
               for group in sorted(os.listdir(cases))
               for case in sorted(os.listdir(os.path.join(cases, group)))]
    for folder in folders:
        group, case = os.path.basename(os.path.dirname(folder)), os.path.basename(folder)
        definition = os.path.join(folder, "definition.json")
        with open(definition) as f:
            text = f.read()
        with open(os.path.join(folder, "expected.json")) as f:
            expected = json.load(f)
        if skipped_definition(text):
            skipped_defs += 1
            continue
        with open(os.path.join(folder, "input.json")) as f:
            execution_input = json.load(f)
        for index, (kind, name, state_input, mock, output, nxt) in enumerate(states_of(expected.get("history") or [])):
            # The first state's input is the execution's: where the
            # recording shows it otherwise, its values were replaced.
            normalised = index == 0 and state_input != execution_input
            if normalised or placeholder(state_input) or placeholder(output) or placeholder(mock):
                skipped_states += 1
                continue
            command = [args.asl, "test-state", definition, "--state", name,
                       "--input", json.dumps(state_input), "--inspection-level", "DEBUG"]
            if mock is not None:
                command += ["--mock-result", json.dumps(mock)]
            run = subprocess.run(command, capture_output=True, text=True, timeout=60)
            compared += 1
            if run.returncode != 0:
                differences.append(f"{group}/{case} {name}: exit {run.returncode}: {run.stderr.strip()[:300]}")
                continue
            got = json.loads(run.stdout)
            got_output = json.loads(got["output"]) if "output" in got else None
            problems = []
            if got.get("status") != "SUCCEEDED":
                problems.append(f"status {got.get('status')} {got.get('error')}: {got.get('cause', '')[:200]}")
            elif got_output != output:
                problems.append(f"output {json.dumps(got_output)[:300]} != AWS {json.dumps(output)[:300]}")
            if nxt != "?" and got.get("nextState") != nxt and not problems:
                problems.append(f"next {got.get('nextState')} != AWS {nxt}")
            # The inspected steps end where AWS's state ended (before an OutputPath).
            placed = got.get("inspectionData", {}).get("afterResultPath")
            state_def = (json.loads(text).get("States") or {}).get(name) or {}
            if placed is not None and "OutputPath" not in state_def and not problems:
                if json.loads(placed) != output:
                    problems.append(f"afterResultPath {placed[:300]} != AWS output {json.dumps(output)[:300]}")
                else:
                    inspected += 1
            if problems:
                differences.append(f"{group}/{case} {name}: " + "; ".join(problems))
            else:
                agreed += 1
                by_type[kind] = by_type.get(kind, 0) + 1
    for d in differences:
        print("differs:", d)
    print(f"test-state corpus: {compared} states run alone, {agreed} agree with AWS's histories, "
          f"{len(differences)} differ; {skipped_defs} definitions skipped (Parallel, Map, variables, context, "
          f"randomness), {skipped_states} states with placeholders")
    print("agreeing, by type: " + ", ".join(f"{k} {v}" for k, v in sorted(by_type.items()))
          + f"; {inspected} of them step by step (afterResultPath is AWS's output)")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
