#!/usr/bin/env python3
"""Writes the benchmark workloads (same shapes as ../shared/bench/workloads):
a 1,000-state Pass chain, a Choice/MathAdd counter loop, an inline Map over
10k items, a 10x100 Parallel fan-out, a Task loop, retry/catch, and a
1,000-state definition for the build-time benchmark; and the first five again
in JSONata (`jsonata_*.json`), with the same transitions and outputs. Run from
anywhere."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, definition):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(definition, f, indent=1)
        f.write("\n")


def pass_chain(n):
    states = {}
    for k in range(n):
        s = {"Type": "Pass", "Parameters": {"i.$": "$.i", "tag": "x", "step": k}, "ResultPath": "$.last"}
        if k + 1 < n:
            s["Next"] = f"P{k + 1:04}"
        else:
            s["End"] = True
        states[f"P{k:04}"] = s
    return {"Comment": f"{n} Pass states with Parameters and ResultPath", "StartAt": "P0000", "States": states}


counter = {
    "Comment": "Choice and MathAdd counter loop: 2n+2 transitions",
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEqualsPath": "$.n", "Next": "Done"}], "Default": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "Check"},
        "Done": {"Type": "Succeed"},
    },
}

map_10k = {
    "Comment": "Inline Map over $.items: Format, Format, Choice, Pass per item; ResultSelector summarises",
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 0,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Label",
                "States": {
                    "Label": {"Type": "Pass", "Parameters": {"id.$": "$.id", "v.$": "$.v", "label.$": "States.Format('item-{}', $.id)"}, "Next": "Key"},
                    "Key": {"Type": "Pass", "Parameters": {"id.$": "$.id", "v.$": "$.v", "key.$": "States.Format('{}/{}', $.label, $.v)"}, "Next": "Route"},
                    "Route": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericGreaterThanEquals": 50, "Next": "High"}], "Default": "Low"},
                    "High": {"Type": "Pass", "Parameters": {"id.$": "$.id", "key.$": "$.key", "bucket": "high"}, "End": True},
                    "Low": {"Type": "Pass", "Parameters": {"id.$": "$.id", "key.$": "$.key", "bucket": "low"}, "End": True},
                },
            },
            "ResultSelector": {"count.$": "States.ArrayLength($)", "first.$": "$[0]", "last.$": "$[9999]"},
            "End": True,
        }
    },
}


def parallel(branches, depth):
    def branch(b):
        states = {}
        for k in range(depth):
            s = {"Type": "Pass", "Parameters": {"seed.$": "$.seed", "branch": b, "step": k}, "ResultPath": "$.last"}
            if k + 1 < depth:
                s["Next"] = f"B{b}S{k + 1}"
            else:
                s["End"] = True
            states[f"B{b}S{k}"] = s
        return {"StartAt": f"B{b}S0", "States": states}

    return {
        "Comment": f"Parallel: {branches} branches of {depth} Pass states",
        "StartAt": "FanOut",
        "States": {"FanOut": {"Type": "Parallel", "Branches": [branch(b) for b in range(branches)], "End": True}},
    }


task_heavy = {
    "Comment": "Task loop: the handler returns its input; Parameters does the MathAdd",
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Identity",
                 "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEqualsPath": "$.n", "Next": "Done"}], "Default": "Work"},
        "Done": {"Type": "Succeed"},
    },
}

retry_catch = {
    "Comment": "A Task failing $.failures times: Retry 1 s x2 back-off, then Catch-all",
    "StartAt": "Flaky",
    "States": {
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Flaky",
            "Retry": [{"ErrorEquals": ["Flaky.Transient"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recovered"}],
            "ResultPath": "$.result",
            "Next": "Done",
        },
        "Recovered": {"Type": "Pass", "Result": "fallback", "ResultPath": "$.outcome", "End": True},
        "Done": {"Type": "Pass", "Result": "ok", "ResultPath": "$.outcome", "End": True},
    },
}

parked = {
    "Comment": "Waits an hour: for measuring executions parked on a Wait",
    "StartAt": "Park",
    "States": {"Park": {"Type": "Wait", "Seconds": 3600, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}

# The same workloads written in JSONata: each state computes what its JSONPath
# twin does, so outputs and transition counts agree.


def jsonata_pass_chain(n):
    states = {}
    for k in range(n):
        s = {"Type": "Pass", "Output": "{% $merge([$states.input, {'last': {'i': $states.input.i, 'tag': 'x', 'step': " + str(k) + "}}]) %}"}
        if k + 1 < n:
            s["Next"] = f"P{k + 1:04}"
        else:
            s["End"] = True
        states[f"P{k:04}"] = s
    return {"Comment": f"{n} Pass states whose Output adds a member (JSONata)", "QueryLanguage": "JSONata", "StartAt": "P0000", "States": states}


jsonata_counter = {
    "Comment": "Choice and addition counter loop: 2n+2 transitions (JSONata)",
    "QueryLanguage": "JSONata",
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.i >= $states.input.n %}", "Next": "Done"}], "Default": "Inc"},
        "Inc": {"Type": "Pass", "Output": {"i": "{% $states.input.i + 1 %}", "n": "{% $states.input.n %}"}, "Next": "Check"},
        "Done": {"Type": "Succeed"},
    },
}

jsonata_map_10k = {
    "Comment": "Inline Map over the items: two string joins, Choice, Pass per item; Output summarises (JSONata)",
    "QueryLanguage": "JSONata",
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "Items": "{% $states.input.items %}",
            "MaxConcurrency": 0,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Label",
                "States": {
                    "Label": {"Type": "Pass", "Output": {"id": "{% $states.input.id %}", "v": "{% $states.input.v %}", "label": "{% 'item-' & $states.input.id %}"}, "Next": "Key"},
                    "Key": {"Type": "Pass", "Output": {"id": "{% $states.input.id %}", "v": "{% $states.input.v %}", "key": "{% $states.input.label & '/' & $states.input.v %}"}, "Next": "Route"},
                    "Route": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.v >= 50 %}", "Next": "High"}], "Default": "Low"},
                    "High": {"Type": "Pass", "Output": {"id": "{% $states.input.id %}", "key": "{% $states.input.key %}", "bucket": "high"}, "End": True},
                    "Low": {"Type": "Pass", "Output": {"id": "{% $states.input.id %}", "key": "{% $states.input.key %}", "bucket": "low"}, "End": True},
                },
            },
            "Output": {"count": "{% $count($states.result) %}", "first": "{% $states.result[0] %}", "last": "{% $states.result[9999] %}"},
            "End": True,
        }
    },
}


def jsonata_parallel(branches, depth):
    def branch(b):
        states = {}
        for k in range(depth):
            s = {"Type": "Pass", "Output": "{% $merge([$states.input, {'last': {'seed': $states.input.seed, 'branch': " + str(b) + ", 'step': " + str(k) + "}}]) %}"}
            if k + 1 < depth:
                s["Next"] = f"B{b}S{k + 1}"
            else:
                s["End"] = True
            states[f"B{b}S{k}"] = s
        return {"StartAt": f"B{b}S0", "States": states}

    return {
        "Comment": f"Parallel: {branches} branches of {depth} Pass states (JSONata)",
        "QueryLanguage": "JSONata",
        "StartAt": "FanOut",
        "States": {"FanOut": {"Type": "Parallel", "Branches": [branch(b) for b in range(branches)], "End": True}},
    }


jsonata_task_heavy = {
    "Comment": "Task loop: the handler returns its input; Arguments does the addition (JSONata)",
    "QueryLanguage": "JSONata",
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Identity",
                 "Arguments": {"i": "{% $states.input.i + 1 %}", "n": "{% $states.input.n %}"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.i >= $states.input.n %}", "Next": "Done"}], "Default": "Work"},
        "Done": {"Type": "Succeed"},
    },
}

if __name__ == "__main__":
    write("pass_chain", pass_chain(1000))
    write("counter_loop", counter)
    write("map_10k", map_10k)
    write("parallel_fanout", parallel(10, 100))
    write("task_heavy", task_heavy)
    write("retry_catch", retry_catch)
    write("parked", parked)
    write("jsonata_pass_chain", jsonata_pass_chain(1000))
    write("jsonata_counter_loop", jsonata_counter)
    write("jsonata_map_10k", jsonata_map_10k)
    write("jsonata_parallel_fanout", jsonata_parallel(10, 100))
    write("jsonata_task_heavy", jsonata_task_heavy)
