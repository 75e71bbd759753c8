#!/usr/bin/env python3
"""Instructions per execution of the five benchmark workloads, counted by
callgrind: stable where wall time is not, so a change can show that it did
not slow the engine down.

    cargo build --release --features mimalloc --example bench_driver
    python3 scripts/instructions.py [--driver PATH] [--json OUT]

Each workload runs in `bench_driver` on one thread, history off and on,
once with `--repeat 3` and once with `--repeat 1`; half the difference is
one execution's instructions, without loading the definition or starting
the process. Compare two builds by pointing `--driver` at a copy of the
older binary.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = os.path.join(ROOT, "..", "shared", "bench", "workloads")

# (name, definition, input): the shapes the README's tables report.
CASES = [
    ("pass chain", "pass_chain_1000.json", "pass_chain_1000.input.json"),
    ("counter 10k", "counter_loop.json", "counter_loop_10k.input.json"),
    ("Task loop", "task_heavy.json", "task_heavy.input.json"),
    ("Map 10k", "map_10k.json", "map_10k.input.json"),
    ("Parallel", "parallel_fanout.json", "parallel_fanout.input.json"),
]


def instructions(driver, definition, data, repeat, history):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        args = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            driver, definition, data, "--skip-waits", "--threads", "1",
            "--repeat", str(repeat),
        ]
        if not history:
            args.append("--no-history")
        run = subprocess.run(args, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{run.stderr[-2000:]}")
        found = re.search(r"Collected : (\d+)", run.stderr)
        if not found:
            sys.exit(f"no instruction count in callgrind's report:\n{run.stderr[-2000:]}")
        return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", default=os.path.join(ROOT, "target", "release", "examples", "bench_driver"))
    parser.add_argument("--json", help="also write the table as JSON here")
    options = parser.parse_args()
    if not os.path.isdir(WORKLOADS):
        sys.exit(f"{WORKLOADS} is absent: the workloads come from ../shared/bench")
    table = {}
    for name, definition, data in CASES:
        definition, data = os.path.join(WORKLOADS, definition), os.path.join(WORKLOADS, data)
        for history in (False, True):
            three = instructions(options.driver, definition, data, 3, history)
            one = instructions(options.driver, definition, data, 1, history)
            per = (three - one) // 2
            key = f"{name}, history {'on' if history else 'off'}"
            table[key] = per
            print(f"{key:28} {per:>14,}", flush=True)
    if options.json:
        with open(options.json, "w") as f:
            json.dump(table, f, indent=2)


if __name__ == "__main__":
    main()
