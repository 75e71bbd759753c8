//! Every valid definition of ../shared/validation compiles through
//! `include_workflow!`; every invalid one expands to `compile_error!`s that
//! name `file:line:col`. Skipped, with a message, where ../shared is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Valid-labelled files whose label disagrees with AWS's recorded verdict
/// on the same rule, or the AWS documentation; the validator follows AWS
/// (see ../shared/validation).
const FOLLOWING_AWS: &[(&str, &str)] = &[
    ("valid-task-credentials.json", "AWS requires Credentials.RoleArn"),
    ("task-with-credentials.json", "AWS requires Credentials.RoleArn"),
    ("valid-map-with-item-batcher-jsonata.json", "AWS rejects JSONPath states in a JSONata machine"),
    ("valid-task-intrisic-function.json", "a CloudFormation template before substitution, not ASL"),
    ("valid-assign.asl.json", "AWS documents variable names as Unicode identifiers; `top-level` is not one"),
];

fn corpus() -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/validation");
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

#[test]
fn valid_definitions_compile() {
    let Some((valid, _)) = corpus() else { return };
    let krate = Path::new(env!("CARGO_TARGET_TMPDIR")).join("validation-corpus");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("asl-runtime");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!("[package]\nname = \"validation-corpus\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\nasl-runtime = {{ path = {:?} }}\n\n[workspace]\n", runtime),
    )
    .unwrap();
    let mut lib = String::from("#![allow(dead_code)]\n");
    let mut included = 0;
    for (i, file) in valid.iter().enumerate() {
        let name = file.file_name().unwrap().to_string_lossy();
        if FOLLOWING_AWS.iter().any(|(f, _)| *f == name) {
            continue;
        }
        lib.push_str(&format!("asl_runtime::include_workflow!({:?} as v{i});\n", file.display().to_string()));
        included += 1;
    }
    std::fs::write(krate.join("src/lib.rs"), lib).unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .output()
        .unwrap();
    assert!(out.status.success(), "the valid corpus does not compile:\n{}", String::from_utf8_lossy(&out.stderr));
    eprintln!(
        "{included} valid definitions compiled through include_workflow! ({} left out, following AWS)",
        FOLLOWING_AWS.len()
    );
}
