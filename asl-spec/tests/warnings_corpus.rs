//! Warnings are conservative: none fires on a definition that AWS (or the
//! validators behind the corpus) accepted as written, nor on any definition
//! AWS executed in the conformance recordings. Skipped, with a note, when
//! ../shared is absent.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, name: Option<&str>, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, name, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && name.is_none_or(|n| path.file_name().is_some_and(|f| f == n))
        {
            out.push(path);
        }
    }
}

#[test]
fn no_warnings_on_definitions_aws_accepted() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if !shared.exists() {
        eprintln!("note: ../shared is absent; skipping the corpus warning check");
        return;
    }
    let mut files = Vec::new();
    files_under(&shared.join("validation/valid"), None, &mut files);
    files_under(&shared.join("conformance/cases"), Some("definition.json"), &mut files);
    assert!(files.len() > 1000, "expected the corpus, found {} files", files.len());
    let mut checked = 0;
    let mut alarms = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let loaded = asl_spec::load(&text);
        if loaded.diagnostics.has_errors() {
            continue; // Not ours to lint (e.g. CloudFormation templates before substitution).
        }
        checked += 1;
        for d in loaded.diagnostics.iter() {
            alarms.push(format!("{}: {} {} at {}", file.display(), d.code, d.message, d.location));
        }
    }
    eprintln!("{checked} accepted definitions linted");
    assert!(checked > 1000);
    assert!(alarms.is_empty(), "false alarms:\n{}", alarms.join("\n"));
}
