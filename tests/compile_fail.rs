//! Compile-fail tests: what a user sees when a definition is wrong. The full
//! message texts are tested in asl-spec; these check that rustc shows them.
//! And compile-pass tests: definitions that must give code that compiles,
//! through `include_workflow!` and as `asl generate` prints it.

use std::path::PathBuf;

/// What `asl generate` prints for the adversarial names definition, with a
/// `main` that uses it, written where trybuild can compile it.
fn generated_adversarial_names() -> PathBuf {
    let source = "tests/ui-pass/adversarial_names.json";
    let text = std::fs::read_to_string(source).expect("the definition");
    let generated = asl_codegen::expand_to_string(&text, &asl_codegen::Settings::for_file(source));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generated");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("adversarial_names_generated.rs");
    let main = "fn main() {\n    assert_eq!(adversarial_names::State::ALL.len(), 23);\n}\n";
    std::fs::write(&path, format!("#![deny(warnings)]\n{generated}\n{main}")).unwrap();
    path
}

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
    t.pass(generated_adversarial_names());
}
