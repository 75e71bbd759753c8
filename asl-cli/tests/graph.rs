//! `asl graph`: executions drawn over their machines (golden files in
//! `tests/graphs/`, regenerate with `EXPECTORATE=overwrite`), and every
//! drawing of the corpora rendered by Graphviz itself.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn asl(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_asl")).args(args).output().expect("asl runs")
}

fn text(output: std::process::Output) -> String {
    assert!(output.status.success() || output.status.code() == Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `definition` with a mock test case, then draws the execution over
/// it in both formats and compares them with `tests/graphs/NAME.{mmd,dot}`.
fn overlay(name: &str, definition: &Path, mocks: &Path, case: &str, input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let args = [
        "run",
        definition.to_str().unwrap(),
        "--mock",
        mocks.to_str().unwrap(),
        "--test-case",
        case,
        "--input",
        input,
        "--virtual-time",
        "--json",
    ];
    std::fs::write(&history, text(asl(&args))).unwrap();
    let definition = definition.to_str().unwrap();
    let history = history.to_str().unwrap();
    let mermaid = text(asl(&["graph", definition, "--execution", history]));
    expectorate::assert_contents(format!("tests/graphs/{name}.mmd"), &mermaid);
    let dot = text(asl(&["graph", definition, "--format", "dot", "--execution", history]));
    expectorate::assert_contents(format!("tests/graphs/{name}.dot"), &dot);
    mermaid
}

#[test]
fn executions_are_drawn_over_their_machines() {
    let payment = repo().join("statemachines/payment.json");
    let mocks = repo().join("mocks/payment.json");
    let input = format!("@{}", repo().join("inputs/order.json").display());
    // Two retries, then the approved path.
    let flaky = overlay("payment-gateway-flaky", &payment, &mocks, "GatewayFlaky", &input);
    assert!(flaky.contains("InProgress<br/><i>Task</i><br/><b>2 retries</b>"), "{flaky}");
    assert!(flaky.contains("class s0,s1,s2,s3,s5 visited"), "Cancelled was not visited: {flaky}");
    // Declined: the charge's error caught, to Cancelled.
    let declined = overlay("payment-declined", &payment, &mocks, "Declined", &input);
    assert!(declined.contains(r#"s1 ==>|"catch States.ALL"| s4"#), "{declined}");
    assert!(declined.contains("class s0,s1,s4,s5 visited"), "{declined}");
    // Caught in a Map, then failed: the catch taken, the failed state red,
    // the retried branch of the Parallel.
    let graphs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graphs");
    let fulfil = overlay(
        "fulfil-failed",
        &graphs.join("fulfil.json"),
        &graphs.join("fulfil-mocks.json"),
        "PackFailsThenEscalationFails",
        r#"{"items": [150]}"#,
    );
    assert!(fulfil.contains(r#"s1 ==>|"catch States.ALL"| s3"#), "{fulfil}");
    assert!(fulfil.contains("class s6 failed") || fulfil.contains("class s5 failed"), "{fulfil}");
    assert!(fulfil.contains("<b>1 retry</b>"), "Reserve, in a branch: {fulfil}");
}

/// Every DOT drawing asl makes of the repository's definitions and of the
/// corpora of `../shared` (when present) is rendered by Graphviz's `dot`:
/// the syntax and the escaping of any state name hold. Every SVG drawing
/// parses as XML (Python's parser). Graphviz is needed (`apt-get install
/// graphviz`; CI installs it).
#[test]
fn graphviz_renders_every_drawing() {
    let version = Command::new("dot").arg("-V").output();
    assert!(
        version.is_ok_and(|v| v.status.success()),
        "Graphviz's `dot` is needed for this test (apt-get install graphviz)"
    );
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![repo().join("statemachines"), repo().join("docs/deploy"), repo().join("tests/workflows")];
    for shared in ["../shared/validation", "../shared/conformance"] {
        dirs.push(repo().join(shared));
    }
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let dir = tempfile::tempdir().unwrap();
    let (mut drawn, mut rendered) = (0, 0);
    for file in &files {
        let out = asl(&["graph", "--format", "dot", file.to_str().unwrap()]);
        if !out.status.success() {
            continue; // not a valid definition (a test input, an invalid case): nothing to draw
        }
        drawn += 1;
        let dot_file = dir.path().join("g.dot");
        std::fs::write(&dot_file, &out.stdout).unwrap();
        let svg = Command::new("dot").args(["-Tsvg", "-o", "/dev/null"]).arg(&dot_file).output().unwrap();
        assert!(
            svg.status.success() && svg.stderr.is_empty(),
            "Graphviz refuses the drawing of {}: {}",
            file.display(),
            String::from_utf8_lossy(&svg.stderr)
        );
        rendered += 1;
        // The SVG (what the generated module's docs show) must be well-formed XML.
        let svg = asl(&["graph", "--format", "svg", file.to_str().unwrap()]);
        assert!(svg.status.success());
        std::fs::write(dir.path().join(format!("{drawn}.svg")), &svg.stdout).unwrap();
    }
    eprintln!("{rendered} of {} files drawn and rendered by Graphviz", files.len());
    assert!(drawn >= 3, "at least the repository's own definitions are drawn");
    let parse = Command::new("python3")
        .args([
            "-c",
            "import sys, glob, xml.etree.ElementTree as E\nfor f in glob.glob(sys.argv[1] + '/*.svg'): E.parse(f)",
        ])
        .arg(dir.path())
        .output()
        .expect("python3 runs");
    assert!(
        parse.status.success(),
        "an SVG drawing is not well-formed XML: {}",
        String::from_utf8_lossy(&parse.stderr)
    );
}
