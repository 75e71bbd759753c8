asl_runtime::include_workflow!("./malformed_json.json");

fn main() {}
