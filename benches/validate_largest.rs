//! A benchmark, not a test: load and validate the largest definitions of
//! ../shared (or statemachines/) and print the time per definition.
//!
//! `cargo bench --bench validate_largest`

use std::path::Path;
use std::time::Instant;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![repo.join("statemachines"), repo.join("../shared/validation"), repo.join("../shared/conformance/cases")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.file_name().is_some_and(|n| n == "definition.json" || (p.extension().is_some_and(|e| e == "json") && p.file_name().is_some_and(|n| n != "expected.json") && !p.to_string_lossy().contains("conformance"))) {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    files.push((text.len(), p, text));
                }
            }
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0));
    for (len, path, text) in files.iter().take(5) {
        let rounds = 200;
        let started = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(asl_spec::load(std::hint::black_box(text)));
        }
        let per = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
        println!("validate_largest: {per:8.1} µs  {len:6} bytes  {}", path.file_name().unwrap_or_default().to_string_lossy());
    }
}
