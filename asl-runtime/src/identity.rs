//! Who an execution is: names, ARNs, account and region. These feed the
//! context object (`$$.Execution.Id`, `$$.StateMachine.Name`, …) and history.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The identity of one execution. Every field has a sensible default, and
/// the JSON form (`account_id`, `region`, `state_machine_name`, …) is the one
/// the conformance checker hands to runners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// AWS account id.
    pub account_id: String,
    /// Region name.
    pub region: String,
    /// ARN partition (`aws`).
    pub partition: String,
    /// State machine name.
    pub state_machine_name: String,
    /// Execution name.
    pub execution_name: String,
    /// The execution role's ARN.
    pub role_arn: String,
    /// Explicit state machine ARN; derived from the other fields when absent.
    pub state_machine_arn: Option<String>,
    /// Explicit execution ARN; derived from the other fields when absent.
    pub execution_arn: Option<String>,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            state_machine_name: "StateMachine".into(),
            execution_name: uuid::Uuid::new_v4().to_string(),
            role_arn: "arn:aws:iam::123456789012:role/StepFunctionsExecutionRole".into(),
            state_machine_arn: None,
            execution_arn: None,
        }
    }
}

impl Identity {
    /// The state machine's ARN.
    pub fn state_machine_arn(&self) -> String {
        self.state_machine_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{}:states:{}:{}:stateMachine:{}",
                self.partition, self.region, self.account_id, self.state_machine_name
            )
        })
    }

    /// The execution's ARN.
    pub fn execution_arn(&self) -> String {
        self.execution_arn.clone().unwrap_or_else(|| {
            format!(
                "arn:{}:states:{}:{}:execution:{}:{}",
                self.partition, self.region, self.account_id, self.state_machine_name, self.execution_name
            )
        })
    }
}

/// An identity's names as the context object shows them.
#[derive(Debug)]
pub(crate) struct Names {
    pub execution_id: Arc<str>,
    pub execution_name: Arc<str>,
    /// Shared with every execution's `ExecutionStarted` event.
    pub role_arn: Arc<str>,
    pub state_machine_id: Arc<str>,
    pub state_machine_name: Arc<str>,
}

impl Names {
    pub(crate) fn of(identity: &Identity) -> Names {
        Names {
            execution_id: identity.execution_arn().into(),
            execution_name: identity.execution_name.as_str().into(),
            role_arn: identity.role_arn.as_str().into(),
            state_machine_id: identity.state_machine_arn().into(),
            state_machine_name: identity.state_machine_name.as_str().into(),
        }
    }
}
