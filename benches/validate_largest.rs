//! Criterion benchmarks of loading and validating definitions:
//!
//! * `validate_largest`: the five largest definitions of ../shared (or
//!   `statemachines/`), each loaded and validated from its text;
//! * `validate_scaling`: generated definitions that double in size (a Pass
//!   chain with templates, a Choice with many rules, long escaped strings,
//!   deep nesting). Throughput is in bytes: a flat MB/s across sizes is
//!   linear time.
//!
//! `cargo bench -p asl-benches --bench validate_largest`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::path::Path;

fn largest() -> Vec<(String, String)> {
    let repo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut files = Vec::new();
    let mut dirs =
        vec![repo.join("statemachines"), repo.join("../shared/validation"), repo.join("../shared/conformance/cases")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            let name = p.file_name().unwrap_or_default().to_string_lossy().to_string();
            if p.is_dir() {
                dirs.push(p);
            } else if (name == "definition.json"
                || (name.ends_with(".json") && name != "expected.json" && !p.to_string_lossy().contains("conformance")))
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                let label = p
                    .parent()
                    .and_then(|d| d.file_name())
                    .map(|d| format!("{}/{name}", d.to_string_lossy()))
                    .unwrap_or(name);
                files.push((label, text));
            }
        }
    }
    files.sort_by_key(|(_, text)| std::cmp::Reverse(text.len()));
    files.truncate(5);
    files
}

fn pass_chain(n: usize) -> String {
    let states: Vec<String> = (0..n)
        .map(|k| {
            let next = if k + 1 < n { format!(r#""Next": "S{}""#, k + 1) } else { r#""End": true"#.to_string() };
            format!(
                r#""S{k}": {{"Type": "Pass", "Parameters": {{"i.$": "$.i", "f.$": "States.Format('{{}}-{{}}', $.a, $.b)", "k": {k}}}, "ResultPath": "$.r", {next}}}"#
            )
        })
        .collect();
    format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(", "))
}

fn choice_rules(n: usize) -> String {
    let rules: Vec<String> =
        (0..n).map(|k| format!(r#"{{"And": [{{"Variable": "$.v", "NumericGreaterThan": {k}}}, {{"Variable": "$.s", "StringMatches": "a*{k}"}}], "Next": "Done"}}"#)).collect();
    format!(
        r#"{{"StartAt": "C", "States": {{"C": {{"Type": "Choice", "Choices": [{}], "Default": "Done"}}, "Done": {{"Type": "Succeed"}}}}}}"#,
        rules.join(", ")
    )
}

fn escaped_strings(n: usize) -> String {
    let text = r#"quote \" back \\ unicode \u00e9 tab \t"#.repeat(n);
    format!(
        r#"{{"Comment": "{text}", "StartAt": "P", "States": {{"P": {{"Type": "Pass", "Result": {{"t": "{text}"}}, "End": true}}}}}}"#
    )
}

fn nested(n: usize) -> String {
    // Many results nested as deep as the loader allows.
    let deep = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let states: Vec<String> = (0..n)
        .map(|k| {
            let next = if k + 1 < n { format!(r#""Next": "S{}""#, k + 1) } else { r#""End": true"#.to_string() };
            format!(r#""S{k}": {{"Type": "Pass", "Result": {deep}, {next}}}"#)
        })
        .collect();
    format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(", "))
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate_largest");
    for (label, text) in largest() {
        assert!(!asl_spec::load(&text).diagnostics.has_errors() || label.contains("invalid"), "{label} does not load");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&label), &text, |b, text| b.iter(|| asl_spec::load(text)));
    }
    group.finish();

    let mut group = c.benchmark_group("validate_scaling");
    // A generator of a definition with `n` states, by name.
    type Shape = (&'static str, fn(usize) -> String);
    let shapes: [Shape; 4] = [
        ("pass_chain", pass_chain),
        ("choice_rules", choice_rules),
        ("escaped_strings", escaped_strings),
        ("nested", nested),
    ];
    for (shape, make) in shapes {
        for n in [250, 500, 1000, 2000, 4000] {
            let text = make(n);
            assert!(!asl_spec::load(&text).diagnostics.has_errors(), "{shape} {n} does not validate");
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(shape, n), &text, |b, text| b.iter(|| asl_spec::load(text)));
        }
    }
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
