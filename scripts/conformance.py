#!/usr/bin/env python3
"""Conformance ratchet: runs ../shared/conformance/check.py with `asl run --json`
as the runner and fails when a case listed in tests/conformance/passing.txt
stops passing.

    python3 scripts/conformance.py [--asl target/release/asl] [--events types] [--durable] [--update]

--durable runs every case as a durable execution (`asl run --db` on a fresh
store, read back from the store: scripts/durable_runner.py) against the same
list: durability must not change a result.

--update rewrites the list with every case that passes now (do it when a
change makes more cases pass, and commit the list). Where ../shared is absent
(a clone outside this workplace), the script says so and exits 0.
"""
import argparse
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(REPO, "..", "shared", "conformance"))
LIST = os.path.join(REPO, "tests", "conformance", "passing.txt")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--asl", default=os.path.join(REPO, "target", "release", "asl"), help="the asl binary")
    ap.add_argument("--events", default="types", choices=["none", "types", "details"])
    ap.add_argument("--update", action="store_true", help="rewrite the list of passing cases")
    ap.add_argument("--durable", action="store_true", help="run each case durably, on a SQLite store")
    opts = ap.parse_args()

    check = os.path.join(CORPUS, "check.py")
    if not os.path.exists(check):
        print(f"conformance: skipped, {CORPUS} is absent (it ships beside the repository, not in it)")
        return 0
    if not os.path.exists(opts.asl):
        print(f"conformance: {opts.asl} does not exist; build it with `cargo build --release -p asl-cli`", file=sys.stderr)
        return 2

    with open(os.path.join(CORPUS, "index.json")) as f:
        index = json.load(f)
    all_cases = sorted(f"{c['family']}/{c['name']}" for c in index["cases"])

    # Lambda cases get mocks built from their task.json; the rest run as is.
    script = "durable_runner.py" if opts.durable else "lambda_runner.py"
    runner_script = os.path.join(REPO, "scripts", script)
    runner = f"{sys.executable} {runner_script} {opts.asl} {{definition}} {{input}} {{context}} {{task}}"
    proc = subprocess.run(
        [sys.executable, check, "--include-lambda", "--run", runner, "--events", opts.events, "-v"],
        capture_output=True,
        text=True,
    )
    failed = set(re.findall(r"^FAIL (\S+?): ", proc.stdout, re.MULTILINE))
    # check.py's own closing line counts every corpus case; the ratchet's
    # verdict is about the listed cases, so that line is left out here.
    table = proc.stdout[proc.stdout.find("family"):]
    print("\n".join(line for line in table.strip().splitlines() if not re.match(r"^\d+ passed, \d+ failed", line)))
    passing = [c for c in all_cases if c not in failed]

    if opts.update and opts.durable:
        print("conformance: --update takes the in-memory run's results, not the durable one's", file=sys.stderr)
        return 2
    if opts.update:
        os.makedirs(os.path.dirname(LIST), exist_ok=True)
        with open(LIST, "w") as f:
            f.write("\n".join(passing) + "\n")
        print(f"conformance: wrote {len(passing)} passing cases to {os.path.relpath(LIST, REPO)}")
        return 0

    with open(LIST) as f:
        listed = [line.strip() for line in f if line.strip()]
    regressed = [c for c in listed if c in failed]
    unknown = [c for c in listed if c not in all_cases]
    newly = [c for c in passing if c not in set(listed)]
    print(f"conformance: {len(passing)} of {len(all_cases)} pass; {len(listed)} are in the ratchet list")
    if newly:
        print(f"conformance: {len(newly)} more pass than listed; run with --update to lock them in")
    if unknown:
        print(f"conformance: {len(unknown)} listed cases are not in the corpus: {unknown[:5]}")
    if regressed:
        print(f"conformance: {len(regressed)} listed cases no longer pass:")
        for c in regressed:
            why = re.search(rf"^FAIL {re.escape(c)}: (.*)$", proc.stdout, re.MULTILINE)
            print(f"  {c}: {why.group(1)[:300] if why else ''}")
        print(f"conformance: {len(listed) - len(regressed)} passed, {len(regressed)} failed")
        return 1
    print(f"conformance: {len(listed)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
