// Warnings do not fail the build unless asked to: here `deprecated` is denied.
#![deny(deprecated)]

asl_runtime::include_workflow!("./warning_denied.json");

fn main() {}
