//! The smallest workflow, compiled from `statemachines/hello_world.json`.
//!
//! Run it with `cargo run --example hello_world`.

asl_runtime::include_workflow!("statemachines/hello_world.json");

/// Hello World invokes no Task resources, so there is nothing to implement.
struct NoTasks;
impl hello_world::Tasks for NoTasks {}

#[tokio::main]
async fn main() {
    let execution = hello_world::Machine::new(NoTasks).run(serde_json::json!({})).await;
    let path: Vec<&str> = hello_world::State::path(&execution).into_iter().map(hello_world::State::name).collect();
    println!("status: {}", execution.status.as_str());
    println!("output: {}", execution.output.unwrap_or_default());
    println!("path:   {}", path.join(" -> "));
}
