//! What answers the Task states of the server's executions, as Step
//! Functions Local does: the mocked test case an execution was started
//! with (`stateMachineArn#TestCase`, from `SFN_MOCK_CONFIG`), activity
//! workers polling `GetActivityTask`, and Lambda functions at
//! `LAMBDA_ENDPOINT`. A `.waitForTaskToken` Task of any other service is
//! taken as sent (its request, with the token, is in the history's
//! `TaskScheduled` event) and waits for `SendTaskSuccess` or
//! `SendTaskFailure`. Anything else fails with an error that says so.

use crate::arn::{self, Arn};
use asl_runtime::{
    ActivityTask, ActivityWorkers, BoxFuture, LambdaEndpoint, MockConfig, TaskError, TaskHandler, TaskRequest,
    error_names,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The activity queues, by activity ARN.
#[derive(Debug, Default)]
pub struct Activities {
    queues: Mutex<HashMap<String, ActivityWorkers>>,
}

impl Activities {
    fn queue(&self, arn: &str) -> ActivityWorkers {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(arn.to_string())
            .or_default()
            .clone()
    }

    /// Waits up to `wait` for a task of the activity `arn`.
    pub async fn next(&self, arn: &str, wait: Duration) -> Option<ActivityTask> {
        self.queue(arn).get_activity_task(wait).await
    }

    /// Forgets the queue of a deleted activity.
    pub fn forget(&self, arn: &str) {
        self.queues.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(arn);
    }
}

/// Where the Tasks of every execution go (see the [module docs](self)).
#[derive(Clone)]
pub struct Tasks {
    activities: Arc<Activities>,
    lambda: Option<LambdaEndpoint>,
    mocks: Option<Arc<MockConfig>>,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks").field("lambda", &self.lambda).field("mocks", &self.mocks.is_some()).finish()
    }
}

impl Tasks {
    /// Tasks dispatched to activities, `lambda` and the test cases of `mocks`.
    pub fn new(lambda: Option<LambdaEndpoint>, mocks: Option<MockConfig>) -> Tasks {
        Tasks { activities: Arc::default(), lambda, mocks: mocks.map(Arc::new) }
    }

    /// The activity queues.
    pub fn activities(&self) -> &Activities {
        &self.activities
    }

    /// Whether a mock configuration was given.
    pub fn has_mocks(&self) -> bool {
        self.mocks.is_some()
    }

    /// Checks that the mock configuration has `test_case` for `machine`.
    pub fn check_test_case(&self, machine: &str, test_case: &str) -> Result<(), String> {
        match &self.mocks {
            None => Err(format!(
                "the ARN names the test case '{test_case}', but no mock configuration was given (SFN_MOCK_CONFIG or --mock-config)"
            )),
            Some(config) => config.test_case(Some(machine), Some(test_case)).map(drop).map_err(|e| e.to_string()),
        }
    }

    /// The handler of one execution: its test case's mocks first (each
    /// execution counts its own calls), then the dispatch.
    pub fn for_execution(&self, machine: &str, test_case: Option<&str>) -> Arc<dyn TaskHandler> {
        let dispatch: Arc<dyn TaskHandler> =
            Arc::new(Dispatch { activities: self.activities.clone(), lambda: self.lambda.clone() });
        match (test_case, &self.mocks) {
            (Some(case), Some(config)) => config.handler(Some(machine), Some(case), Some(dispatch)),
            _ => dispatch,
        }
    }
}

/// Activities and Lambda functions, by resource.
struct Dispatch {
    activities: Arc<Activities>,
    lambda: Option<LambdaEndpoint>,
}

impl TaskHandler for Dispatch {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let resource = request.resource();
        if let Ok(Arn::Activity) = arn::parse(resource) {
            return self.activities.queue(resource).invoke(request);
        }
        if LambdaEndpoint::handles(&request)
            && let Some(lambda) = &self.lambda
        {
            return lambda.invoke(request);
        }
        if request.context.task_token().is_some() && !LambdaEndpoint::handles(&request) {
            // The service is not called; whoever answers reads the token
            // from the history, as a consumer of the message would.
            return Box::pin(async { Ok(Value::Object(Default::default())) });
        }
        let what = if LambdaEndpoint::handles(&request) {
            "a Lambda function, and no LAMBDA_ENDPOINT (or --lambda-endpoint) was given"
        } else {
            "a service integration, which asl serve does not call"
        };
        let message = format!(
            "asl serve cannot run the resource '{resource}': it is {what}; mock it in a test case of SFN_MOCK_CONFIG"
        );
        Box::pin(async move { Err(TaskError::new(error_names::RUNTIME, message)) })
    }
}
