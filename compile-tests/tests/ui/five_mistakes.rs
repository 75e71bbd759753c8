// Five different mistakes, all reported by one build.
asl_runtime::include_workflow!("./five_mistakes.json");

fn main() {}
