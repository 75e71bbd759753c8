//! Examples and end-to-end tests for the `asl` workspace. The library itself
//! is `asl-runtime`; this package only hosts `examples/` and `tests/`.

asl_runtime::include_workflow!("statemachines/hello_world.json");
