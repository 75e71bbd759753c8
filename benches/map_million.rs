//! A benchmark, not a test: a distributed Map over 1,000,000 items with
//! `MaxConcurrency` 100, each item through a Task and a Pass state. Prints
//! the wall time and the process's peak RSS.
//!
//! `cargo bench -p asl-benches --bench map_million`
//!
//! (An inline Map this large would exceed AWS's 25,000-event history limit,
//! which is why AWS runs it as a distributed Map: child executions with
//! their own histories.)

use asl_runtime::{TaskRequest, Workflow};
use serde_json::{Value, json};
use std::time::Instant;

const ITEMS: usize = 1_000_000;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let def = r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "MaxConcurrency": 100, "ItemsPath": "$.items",
        "ItemSelector": {"id.$": "$$.Map.Item.Value", "batch.$": "$.batch"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Square", "ResultPath": "$.squared", "Next": "Tag"},
            "Tag": {"Type": "Pass", "Parameters": {"id.$": "$.id", "squared.$": "$.squared"}, "End": true}}},
        "ResultSelector": {"count.$": "States.ArrayLength($)"}, "End": true}}}"#;
    let workflow = Workflow::from_json(def).expect("valid");
    let square = |r: TaskRequest| async move {
        let n = r.input["id"].as_i64().unwrap_or(0);
        Ok(json!(n * n))
    };
    let input = json!({"batch": "b1", "items": (0..ITEMS as i64).collect::<Vec<_>>()});
    let rss_before = peak_rss_mib();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let execution = runtime.block_on(workflow.executor().handler(square).run(input));
    let elapsed = started.elapsed();
    assert_eq!(execution.output, Some(json!({"count": ITEMS})), "{:?} {:?}", execution.error, execution.cause);
    let per_item = elapsed.as_secs_f64() * 1e6 / ITEMS as f64;
    println!(
        "map_million: {ITEMS} items, MaxConcurrency 100, {:.2} s ({per_item:.2} µs per item)",
        elapsed.as_secs_f64()
    );
    match (rss_before, peak_rss_mib()) {
        (Some(before), Some(peak)) => println!("map_million: peak RSS {peak:.0} MiB (input built: {before:.0} MiB)"),
        _ => println!("map_million: peak RSS not available on this platform"),
    }
    let _: Value = execution.output.unwrap_or_default();
}
