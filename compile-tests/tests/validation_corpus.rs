//! Every invalid definition of ../shared/validation expands to
//! `compile_error!`s that name `file:line:col`. (The valid ones compile
//! through `include_workflow!` in scripts/conformance_compiled.py's crate,
//! beside the conformance corpus.) Skipped, with a message, where ../shared
//! is absent.

use std::path::{Path, PathBuf};

fn corpus() -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/validation");
    if !root.exists() {
        eprintln!("skipped: {} is absent", root.display());
        return None;
    }
    let list = |dir: &str| {
        let mut files = Vec::new();
        let mut dirs = vec![root.join(dir)];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "json") {
                    files.push(p);
                }
            }
        }
        files.sort();
        files
    };
    Some((list("valid"), list("invalid")))
}

#[test]
fn invalid_definitions_fail_with_positions() {
    let Some((_, invalid)) = corpus() else { return };
    let mut checked = 0;
    for file in &invalid {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        if !asl_spec::validate(&text).has_errors() {
            continue; // an accepted file; the validation ratchet reports those
        }
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let tokens = asl_codegen::expand(&text, &asl_codegen::Settings::for_file(&name)).to_string();
        assert!(tokens.contains("compile_error"), "{name}: no compile_error!");
        let position = format!("--> {name}:");
        assert!(tokens.contains(&position), "{name}: the errors do not name {name}:LINE:COL");
        checked += 1;
    }
    assert!(checked >= 130, "only {checked} invalid files were checked");
    eprintln!("{checked} invalid definitions expand to compile errors with file:line:col");
}
