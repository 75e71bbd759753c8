#!/usr/bin/env python3
"""Side by side, in one run: our runtime and the peer executors on the
workloads of ../shared/bench, in alternation, with ratios.

    python3 scripts/bench_peers.py [--runs 5] [--only SUBSTR ...] [--peers aws-local-stepfunctions localstack]
                                   [--out results.json]

Each round runs every command of a case once, one after the other (ours with
history off, ours with history on, `asl run`, then each peer), so machine
drift hits all of them alike; the first round is a warm-up and is dropped.
Every run is a fresh process. Columns:

  run ms        in-process execution time the runner reports (ours: the median of
                5 executions in one process; the peers' drivers run one)
  x peer        the peer's run ms / ours (in-process throughput ratio)
  us/tr         run time per state transition
  wall ms       whole process: start-up, load, validate, run, print
  x wall        the peer's wall / ours (`asl run`, or the driver for Task workloads)

Where the workload has a JSONata twin in benches/workloads (`jsonata_*.json`,
same transitions and output), ours also runs it ("ours JSONata"); the peers do
not execute JSONata, so its ratio is against their run of the JSONPath workload.

Our in-process runner is `examples/bench_driver.rs`, built with mimalloc like `asl`
(the dynamic path: the same engine the compiled path drives); `asl run
--virtual-time` is the whole-process CLI. Task workloads use the driver's handlers (the peers' `Work` and `Flaky`).

Peers (see ../shared/bench/peers/README.md; nothing here downloads them):

  PEERS=$HOME/peers
  mkdir -p $PEERS/node && (cd $PEERS/node && npm init -y && npm install aws-local-stepfunctions@3.0.0)
  mkdir -p $PEERS/node22 && (cd $PEERS/node22 && npm init -y && npm install node@22)   # it needs node >= 22
  export NODE=$PEERS/node22/node_modules/.bin/node PEER_NODE_PREFIX=$PEERS/node
  # optional, Python >= 3.13: LOCALSTACK_PY=$PEERS/py/venv/bin/python with localstack-core 2026.3.0
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "..", "shared", "bench")
PEERS_DIR = os.path.join(BENCH, "peers")
WORKLOADS_DIR = os.path.join(BENCH, "workloads")
# Our JSONata versions of the shared workloads.
JSONATA_TWINS = {
    "pass_chain_1000": "jsonata_pass_chain",
    "counter_loop": "jsonata_counter_loop",
    "map_10k": "jsonata_map_10k",
    "parallel_fanout": "jsonata_parallel_fanout",
    "task_heavy": "jsonata_task_heavy",
}


def load_peer_harness():
    """The workload list, checks and timing helper of ../shared/bench/peers/measure.py."""
    if not os.path.exists(os.path.join(PEERS_DIR, "measure.py")):
        sys.exit(f"bench_peers: {PEERS_DIR}/measure.py is absent; the workloads and peer drivers live there")
    sys.path.insert(0, PEERS_DIR)
    import measure  # noqa: E402

    return measure


def build():
    for cmd in (["-p", "asl-cli", "--bin", "asl"], ["-p", "asl", "--example", "bench_driver", "--features", "mimalloc"]):
        subprocess.run(["cargo", "build", "--release", "--quiet"] + cmd, cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "release", "examples", "bench_driver"), os.path.join(target, "release", "asl")


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None, help="case-name substrings")
    ap.add_argument("--peers", nargs="+", default=["aws-local-stepfunctions"])
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")

    m = load_peer_harness()
    driver, asl = build()
    rows = []
    for case, wl, inp, transitions, check in m.WORKLOADS:
        if a.only and not any(s in case for s in a.only):
            continue
        d, i = os.path.join(WORKLOADS_DIR, wl + ".json"), os.path.join(WORKLOADS_DIR, inp + ".input.json")
        skip_waits = "skip waits" in case
        flags = ["--skip-waits"] if skip_waits else []
        repeat = "1" if "real waits" in case else "5"
        has_tasks = '"Type": "Task"' in open(d).read()
        commands = {
            # Steady state: the median of 5 executions in one process (one
            # where real waits make each take seconds).
            "ours (history off)": [driver, d, i, "--no-history", "--repeat", repeat] + flags,
            "ours (history on)": [driver, d, i, "--repeat", repeat] + flags,
        }
        if wl in JSONATA_TWINS:
            twin = os.path.join(REPO, "benches", "workloads", JSONATA_TWINS[wl] + ".json")
            commands["ours JSONata (history off)"] = [driver, twin, i, "--no-history", "--repeat", repeat]
            commands["ours JSONata (history on)"] = [driver, twin, i, "--repeat", repeat]
        if not has_tasks:
            # The loops run past AWS's 25,000-event history quota, which the
            # peers do not enforce; lift it here too.
            commands["asl run"] = [asl, "run", d, "--input", "@" + i, "--max-history-events", "0"] + (["--virtual-time"] if skip_waits else [])
        for peer in a.peers:
            commands[peer] = m.peer_cmd(peer, wl, inp, case)
        runs = {name: [] for name in commands}
        for round_ in range(a.runs + 1):
            for name, cmd in commands.items():
                r = m.run_once(cmd)
                if round_ > 0:
                    runs[name].append(r)
        row = {"case": case, "transitions": transitions, "runners": {}}
        for name, rs in runs.items():
            ok = all(r["rc"] == 0 and r["out"] is not None and check(r["out"]) for r in rs)
            row["runners"][name] = {
                "ok": ok,
                "run_ms": median([(r["info"] or {}).get("run_ms") for r in rs]),
                "wall_ms": median([r["wall_s"] * 1e3 for r in rs]),
                "rss_mib": max(r["rss_mib"] for r in rs),
                "error": None if ok else (rs[-1]["stderr_tail"] or str(rs[-1]["out"]))[-300:],
            }
        rows.append(row)
        print_row(row, a.peers)
        sys.stdout.flush()

    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)
    failed = [(r["case"], n) for r in rows for n, x in r["runners"].items() if not x["ok"]]
    for case, name in failed:
        print(f"bench_peers: {name} did not produce the expected output on {case}", file=sys.stderr)
    # A peer failing is its own business (reported above); ours failing is not.
    return 1 if any(n.startswith("ours") or n == "asl run" for _, n in failed) else 0


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def ratio(peer, ours):
    return None if peer is None or not ours else peer / ours


def print_row(row, peers):
    t = row["transitions"]
    rn = row["runners"]
    print(f"\n{row['case']}  ({t:,} transitions)")
    print(f"  {'runner':<26}{'run ms':>11}{'us/tr':>9}{'wall ms':>10}{'RSS MiB':>9}   ratios (peer / ours)")
    ours_off = rn["ours (history off)"]
    ours_wall = (rn.get("asl run") or ours_off)["wall_ms"]
    for name, x in rn.items():
        per = None if x["run_ms"] is None or t < 100 else x["run_ms"] * 1e3 / t
        line = f"  {name:<26}{fmt(x['run_ms'], 3):>11}{fmt(per, 3):>9}{fmt(x['wall_ms'], 1):>10}{fmt(x['rss_mib'], 0):>9}"
        if name in peers:
            line += f"   run x{fmt(ratio(x['run_ms'], ours_off['run_ms']), 0)} (history off)"
            line += f", x{fmt(ratio(x['run_ms'], rn['ours (history on)']['run_ms']), 0)} (on)"
            line += f", wall x{fmt(ratio(x['wall_ms'], ours_wall), 0)}"
        if name.startswith("ours JSONata") and peers and peers[0] in rn:
            line += f"   run x{fmt(ratio(rn[peers[0]]['run_ms'], x['run_ms']), 0)} ({peers[0]}, JSONPath)"
        if not x["ok"]:
            line += "   WRONG OUTPUT OR FAILED"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
