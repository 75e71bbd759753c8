asl_runtime::include_workflow!("statemachines/does_not_exist.json");

fn main() {}
