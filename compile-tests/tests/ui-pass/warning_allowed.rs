// A definition with a warning still builds and runs: warnings do not fail the
// build unless `deprecated` is denied.
asl_runtime::include_workflow!("./warning_allowed.json");

fn main() {
    assert_eq!(warning_allowed::State::ALL.len(), 1);
}
