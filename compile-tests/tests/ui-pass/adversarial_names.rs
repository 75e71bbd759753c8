#![deny(warnings)]
// State and Task names chosen to break generated code (case collisions,
// keywords, an empty name, control and bidirectional characters, letters
// beyond ASCII) still give
// a module that compiles, with one variant per state and one method per
// Task resource. Functions `a1` and `a_1` would both give `A1Input`, and
// `a_1` renamed `a_1_2` would take `a12`'s `A12Input`: methods and their types
// are named in one namespace.
asl_runtime::include_workflow!("./adversarial_names.json");

fn main() {
    assert_eq!(adversarial_names::State::ALL.len(), 27);
    use adversarial_names::State;
    // Letters of any script stay; a name taken twice after case conversion is numbered.
    assert_eq!(State::Überprüfen.name(), "Überprüfen");
    assert_eq!(State::Überprüfen2.name(), "überprüfen");
    assert_eq!(State::注文を確認.name(), "注文を確認");
    assert_eq!(State::S١٢٣.name(), "١٢٣");
    for state in adversarial_names::State::ALL {
        assert_eq!(adversarial_names::State::from_name(state.name()), Some(*state));
    }
}
