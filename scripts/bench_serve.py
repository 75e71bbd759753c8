#!/usr/bin/env python3
"""`asl serve` side by side with moto server, in one run, driven by one boto3
client on loopback.

    python3 scripts/bench_serve.py [--executions 200] [--rounds 5] [--sync 1000]
                                   [--asl target/release/asl] [--out benches/results/serve.json]

Needs boto3, and moto 5.2.5 or newer in a venv of its own (5.2.1 runs one
execution per process: its next StartExecution fails copying the last):

    python3 -m venv ~/peers/moto && ~/peers/moto/bin/pip install "moto[server,stepfunctions]==5.2.5"
    python3 scripts/bench_serve.py --moto ~/peers/moto/bin/moto_server

moto executes definitions with its ASL interpreter once its
`stepfunctions.execute_state_machine` setting is on, which this script sets
through moto's config API. Peers, each a fresh process on its own port:

  asl serve             durable, on a SQLite file (the default)
  asl serve --in-memory
  moto server           moto's Step Functions with its interpreter

Workloads:

  start+describe   StartExecution, then DescribeExecution until it has ended,
                   one execution after another, for two small Standard
                   workflows: `small` (Pass with an intrinsic, Choice, Pass:
                   8 history events) and ../shared/bench's `counter_loop`
                   with its 20-count input (Choice and Pass 41 times).
                   Reported: executions per second (each round's count over
                   its time) and the median latency of one execution.
  sync             StartSyncExecution of the same workflow as an Express
                   machine, one call after another: calls per second.
  floor            ListStateMachines, one call after another: what one
                   boto3 call costs against the server (the client's own
                   share of each call bounds every ratio above).
  start-up         from spawning the process to its first answer (a raw
                   ListStateMachines over HTTP, retried at once while the
                   port refuses): median of 10 starts.

Rounds alternate the peers' order, so drift hits all alike; the first round
is a warm-up and is dropped.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
import botocore.config

ROLE = "arn:aws:iam::123456789012:role/r"
DEFINITION = json.dumps({
    "StartAt": "Add",
    "States": {
        "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, 2)"}, "Next": "Big?"},
        "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.sum", "NumericGreaterThan": 10, "Next": "Done"}],
                 "Default": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
})
INPUT = json.dumps({"a": 40})
EXPECTED = {"sum": 42}
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "workloads")


def workloads():
    """(name, definition, input, expected output) of each start+describe workload."""
    found = [("small", DEFINITION, INPUT, EXPECTED)]
    counter = os.path.join(SHARED, "counter_loop.json")
    if os.path.exists(counter):
        found.append(("counter_loop_20", open(counter).read(), json.dumps({"i": 0, "n": 20}), {"i": 20, "n": 20}))
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(endpoint, deadline):
    """Seconds until `endpoint` answers ListStateMachines (None if it never does)."""
    body = b"{}"
    headers = {"X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Content-Type": "application/x-amz-json-1.0"}
    while time.perf_counter() < deadline:
        try:
            request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
    return False


class Peer:
    def __init__(self, name, command, port, setup=None):
        self.name, self.command, self.port, self.setup = name, command, port, setup
        self.endpoint = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not first_answer(self.endpoint, started + 60):
            raise SystemExit(f"{self.name} did not answer within 60 s")
        up = time.perf_counter() - started
        if self.setup:
            self.setup(self)
        return up

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self):
        return boto3.client(
            "stepfunctions", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
            config=botocore.config.Config(inject_host_prefix=False, retries={"max_attempts": 1}),
        )


def moto_setup(peer):
    request = urllib.request.Request(
        peer.endpoint + "/moto-api/config", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
    )
    urllib.request.urlopen(request).read()


def start_describe(peer, round_number, count, workload):
    """Executions per second, and each execution's latency (s)."""
    name, definition, execution_input, expected = workload
    sfn = peer.client()
    machine = sfn.create_state_machine(name=f"{name}-{round_number}", definition=definition,
                                       roleArn=ROLE)["stateMachineArn"]
    latencies = []
    began = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        arn = sfn.start_execution(stateMachineArn=machine, name=f"e{i}", input=execution_input)["executionArn"]
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
        latencies.append(time.perf_counter() - t0)
        if described["status"] != "SUCCEEDED" or json.loads(described["output"]) != expected:
            raise SystemExit(f"{peer.name}: wrong ending {described}")
    return count / (time.perf_counter() - began), latencies


def list_calls(peer, count):
    """ListStateMachines calls per second through boto3."""
    sfn = peer.client()
    began = time.perf_counter()
    for _ in range(count):
        sfn.list_state_machines(maxResults=1)
    return count / (time.perf_counter() - began)


def sync_calls(peer, round_number, count):
    """StartSyncExecution calls per second, or the error that stopped them."""
    sfn = peer.client()
    machine = sfn.create_state_machine(name=f"x{round_number}", definition=DEFINITION, roleArn=ROLE,
                                       type="EXPRESS")["stateMachineArn"]
    began = time.perf_counter()
    for _ in range(count):
        try:
            answer = sfn.start_sync_execution(stateMachineArn=machine, input=INPUT)
        except Exception as e:  # the peer may not implement it
            return f"{type(e).__name__}: {str(e)[:120]}"
        if answer["status"] != "SUCCEEDED" or json.loads(answer["output"]) != EXPECTED:
            raise SystemExit(f"{peer.name}: wrong sync ending {answer}")
    return count / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asl", default="target/release/asl")
    parser.add_argument("--moto", default="moto_server")
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sync", type=int, default=1000)
    parser.add_argument("--out", default="benches/results/serve.json")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="bench-serve-")

    def peers(round_number):
        durable = os.path.join(scratch, f"r{round_number}.db")
        return [
            Peer("asl serve", [args.asl, "serve", "--port", str(p := free_port()), "--db", durable], p),
            Peer("asl serve --in-memory", [args.asl, "serve", "--port", str(q := free_port()), "--in-memory"], q),
            Peer("moto server", [args.moto, "-p", str(r := free_port())], r, setup=moto_setup),
        ]

    rate, latency, sync, floor = {}, {}, {}, {}
    for round_number in range(args.rounds + 1):
        order = peers(round_number)
        if round_number % 2:
            order.reverse()
        for peer in order:
            peer.start()
            try:
                measured = [(w[0], start_describe(peer, round_number, args.executions, w)) for w in workloads()]
                synced = sync_calls(peer, round_number, args.sync if peer.name.startswith("asl") else 3)
                listed = list_calls(peer, 500)
            finally:
                peer.stop()
            if round_number == 0:
                continue
            for workload, (per_second, latencies) in measured:
                rate.setdefault((workload, peer.name), []).append(per_second)
                latency.setdefault((workload, peer.name), []).extend(latencies)
            sync.setdefault(peer.name, []).append(synced)
            floor.setdefault(peer.name, []).append(listed)
        print(f"round {round_number} done", file=sys.stderr)

    startup = {}
    for peer in peers(args.rounds + 1):
        times = []
        for _ in range(10):
            times.append(peer.start())
            peer.stop()
        startup[peer.name] = statistics.median(times)

    results = {"executions_per_round": args.executions, "rounds": args.rounds, "workloads": {}, "sync": {}, "startup_ms": {}}
    for (workload, name), rates in rate.items():
        results["workloads"].setdefault(workload, {})[name] = {
            "executions_per_second": statistics.median(rates),
            "median_latency_ms": statistics.median(latency[(workload, name)]) * 1000,
            "p90_latency_ms": statistics.quantiles(latency[(workload, name)], n=10)[-1] * 1000,
        }
    for name, outcomes in sync.items():
        numbers = [s for s in outcomes if isinstance(s, float)]
        results["sync"][name] = statistics.median(numbers) if numbers else next(s for s in outcomes)
    results["startup_ms"] = {name: t * 1000 for name, t in startup.items()}
    results["list_calls_per_second"] = {name: statistics.median(v) for name, v in floor.items()}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print("| workload | server | executions/s | x moto | median latency ms | moto / this |")
    print("|---|---|---:|---:|---:|---:|")
    for workload, by_peer in results["workloads"].items():
        moto = by_peer["moto server"]
        for name, r in by_peer.items():
            print(f"| {workload} | {name} | {r['executions_per_second']:.0f} | "
                  f"{r['executions_per_second'] / moto['executions_per_second']:.1f}x | "
                  f"{r['median_latency_ms']:.2f} | {moto['median_latency_ms'] / r['median_latency_ms']:.1f}x |")
    print()
    print("| server | StartSyncExecution calls/s | ListStateMachines calls/s | start-up to first answer, ms |")
    print("|---|---:|---:|---:|")
    for name in results["sync"]:
        value = results["sync"][name]
        text = f"{value:.0f}" if isinstance(value, float) else f"fails: {value.splitlines()[0][:70]}"
        listed = results["list_calls_per_second"][name]
        print(f"| {name} | {text} | {listed:.0f} | {results['startup_ms'][name]:.1f} |")


if __name__ == "__main__":
    main()
