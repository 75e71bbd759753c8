//! The deployment guide's definition (docs/deploy/order.asl.json), with its
//! `${Name}` placeholders filled from the same values file the guide gives
//! `asl validate --vars` and Terraform: compiled by `include_workflow!` and
//! run with typed handlers that see the deployed values.

use asl_runtime::{Status, TaskContext, TaskError};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

asl_runtime::include_workflow!("docs/deploy/order.asl.json" as order, vars = "docs/deploy/vars.json");

/// The same definition with the values written out, for another stage.
mod staging {
    asl_runtime::include_workflow!("docs/deploy/order.asl.json" as order, vars = {
        ChargeFunctionArn = "arn:aws:lambda:eu-west-1:210987654321:function:charge-staging",
        OrdersTable = "orders-staging",
    });
}

/// What the DynamoDB call was asked to save, kept where the test reads it.
#[derive(Default)]
struct Shop {
    saved: Arc<Mutex<Vec<Value>>>,
}

impl order::Tasks for Shop {
    type ChargeInput = Value;
    type ChargeOutput = Value;
    async fn charge(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskError> {
        Ok(json!({"id": format!("ch-{}", input["id"].as_str().unwrap_or("?"))}))
    }
    async fn dynamodb(
        &self, _action: order::DynamodbAction, input: Value, _ctx: TaskContext,
    ) -> Result<Value, TaskError> {
        self.saved.lock().unwrap().push(input);
        Ok(json!({}))
    }
}

#[tokio::test]
async fn the_guide_s_definition_runs_with_the_deployed_values() {
    let shop = Shop::default();
    let saved = shop.saved.clone();
    let execution = order::Machine::new(shop).run(json!({"id": "o-1"})).await;
    assert_eq!(execution.status, Status::Succeeded, "{:?} {:?}", execution.error, execution.cause);
    assert_eq!(execution.output, Some(json!({"id": "o-1", "payment": {"charge": {"id": "ch-o-1"}}})));
    let saved = saved.lock().unwrap();
    assert_eq!(saved[0]["TableName"], "orders", "the table name from docs/deploy/vars.json");
    assert_eq!(saved[0]["Item"]["charge"], json!({"S": "ch-o-1"}));
}

#[test]
fn each_stage_compiles_its_own_values_in() {
    let prod: Value = serde_json::from_str(order::DEFINITION).unwrap();
    let staging: Value = serde_json::from_str(staging::order::DEFINITION).unwrap();
    let function = |d: &Value| d["States"]["Charge"]["Parameters"]["FunctionName"].clone();
    assert_eq!(function(&prod), "arn:aws:lambda:us-east-1:123456789012:function:charge");
    assert_eq!(function(&staging), "arn:aws:lambda:eu-west-1:210987654321:function:charge-staging");
    assert!(!order::DEFINITION.contains("${"), "every placeholder is filled");
}

impl staging::order::Tasks for Shop {
    type ChargeStagingInput = Value;
    type ChargeStagingOutput = Value;
    async fn charge_staging(&self, input: Value, _ctx: TaskContext) -> Result<Value, TaskError> {
        Ok(input)
    }
    async fn dynamodb(
        &self, _action: staging::order::DynamodbAction, input: Value, _ctx: TaskContext,
    ) -> Result<Value, TaskError> {
        Ok(input)
    }
}
