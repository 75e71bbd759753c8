use asl_runtime::{TaskContext, TaskError};
use serde_json::Value;

asl_runtime::include_workflow!("./missing_handler.json" as shop);

struct Shop;

// `ship_order` is missing: the build must fail and name it.
impl shop::Tasks for Shop {
    type ChargeCardInput = Value;
    type ChargeCardOutput = Value;
    async fn charge_card(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
}

fn main() {}
