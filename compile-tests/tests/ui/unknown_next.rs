asl_runtime::include_workflow!("./unknown_next.json");

fn main() {
    // The fallback module keeps this from adding follow-on errors.
    let _ = unknown_next::State::ALL;
}
