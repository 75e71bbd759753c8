#![deny(warnings)]
// State and Task names chosen to break generated code (case collisions,
// keywords, an empty name, control and bidirectional characters) still give
// a module that compiles, with one variant per state and one method per
// Task resource. Functions `a1` and `a_1` would both give `A1Input`, and
// `a_1` renamed `a_1_2` would take `a12`'s `A12Input`: methods and their types
// are named in one namespace.
asl_runtime::include_workflow!("./adversarial_names.json");

fn main() {
    assert_eq!(adversarial_names::State::ALL.len(), 23);
    for state in adversarial_names::State::ALL {
        assert_eq!(adversarial_names::State::from_name(state.name()), Some(*state));
    }
}
