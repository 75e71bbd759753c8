//! Compile-fail tests: what a user sees when a definition is wrong. The full
//! message texts are tested in asl-spec; these check that rustc shows them.
//! And compile-pass tests: definitions that must give code that compiles,
//! through `include_workflow!` and as `asl generate` prints it.

use std::path::PathBuf;

/// `code` (generated) with a `main` that uses it, as a program written
/// where trybuild can compile it, warnings denied.
fn program(name: &str, code: &str, main: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generated");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.rs"));
    std::fs::write(&path, format!("#![deny(warnings)]\n{code}\nfn main() {{\n    {main}\n}}\n")).unwrap();
    path
}

/// What `asl generate` prints for the adversarial names definition.
fn generated_adversarial_names() -> PathBuf {
    let source = "tests/ui-pass/adversarial_names.json";
    let text = std::fs::read_to_string(source).expect("the definition");
    let generated = asl_codegen::expand_to_string(&text, &asl_codegen::Settings::for_file(source));
    program("adversarial_names_generated", &generated, "assert_eq!(adversarial_names::State::ALL.len(), 27);")
}

/// The golden expansions (tests/golden), each compiled as a program of its own.
fn goldens() -> Vec<PathBuf> {
    [("hello_world", 1), ("payment", 6), ("fulfilment", 7)]
        .into_iter()
        .map(|(name, states)| {
            let golden = std::fs::read_to_string(format!("tests/golden/{name}.rs")).expect("the golden file");
            let main = format!("assert_eq!({name}::State::ALL.len(), {states}); let _ = {name}::model();");
            program(&format!("golden_{name}"), &golden, &main)
        })
        .collect()
}

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
    t.pass(generated_adversarial_names());
    for golden in goldens() {
        t.pass(golden);
    }
}
