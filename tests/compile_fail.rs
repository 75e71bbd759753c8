//! Compile-fail tests: what a user sees when a definition is wrong. The full
//! message texts are tested in asl-spec; these check that rustc shows them.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
