#![deny(warnings)]
// State and Task names chosen to break generated code (case collisions,
// keywords, an empty name, control and bidirectional characters) still give
// a module that compiles, with one variant per state and one method per
// Task resource.
asl_runtime::include_workflow!("./adversarial_names.json");

fn main() {
    assert_eq!(adversarial_names::State::ALL.len(), 20);
    for state in adversarial_names::State::ALL {
        assert_eq!(adversarial_names::State::from_name(state.name()), Some(*state));
    }
}
