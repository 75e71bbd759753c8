//! Golden expansions: the code `include_workflow!` generates for each file in
//! `statemachines/`, formatted with prettyplease. Regenerate with
//! `EXPECTORATE=overwrite cargo test -p asl-compile-tests --test golden`. The goldens are also
//! compiled below, so they are real Rust, not just text, and each as a
//! program of its own by trybuild (tests/compile_fail.rs).

use asl_codegen::{Settings, expand_to_string};

fn check(name: &str) {
    check_file(&format!("statemachines/{name}.json"), name);
}

/// `source` is named as the repository names it, and read from there.
fn check_file(source: &str, name: &str) {
    let text = std::fs::read_to_string(format!("../{source}")).expect("statemachine exists");
    let generated = expand_to_string(&text, &Settings::for_file(source));
    expectorate::assert_contents(format!("tests/golden/{name}.rs"), &generated);
}

#[test]
fn hello_world_expansion() {
    check("hello_world");
}

#[test]
fn payment_expansion() {
    check("payment");
}

/// JSONata, variables, a Parallel, a Map, and `lambda:invoke` of three
/// functions (a method each) beside a service integration.
#[test]
fn fulfilment_expansion() {
    check_file("tests/workflows/fulfilment.json", "fulfilment");
}

/// The goldens, compiled as written.
mod compiled {
    include!("golden/hello_world.rs");
    include!("golden/payment.rs");
    include!("golden/fulfilment.rs");
}

#[test]
fn compiled_goldens_describe_the_machines() {
    use compiled::payment::State;
    assert_eq!(State::START, State::Init);
    assert_eq!(State::ALL.len(), 6);
    assert_eq!(State::from_name("ChargeApproved?"), Some(State::ChargeApproved));
    assert_eq!(State::ChargeApproved.successors(), &[State::Completed, State::Cancelled]);
    assert_eq!(State::InProgress.successors(), &[State::ChargeApproved, State::Cancelled]);
    assert_eq!(State::InProgress.next(), Some(State::ChargeApproved));
    assert_eq!(State::ChargeApproved.next(), None);
    assert!(State::Reconciliation.is_terminal() && !State::Init.is_terminal());
    assert_eq!(compiled::hello_world::State::HelloWorld.name(), "HelloWorld");
}
