//! Activities: work handed to workers that poll for it, as with AWS's
//! `GetActivityTask`. Register [`ActivityWorkers`] as the handler for an
//! activity's ARN; workers anywhere in the process call
//! [`ActivityWorkers::get_activity_task`] and answer with
//! [`send_task_success`](crate::send_task_success) or
//! [`send_task_failure`](crate::send_task_failure) (and
//! [`send_task_heartbeat`](crate::send_task_heartbeat) while working).

use crate::callbacks;
use crate::clock::BoxFuture;
use crate::task::{TaskError, TaskHandler, TaskRequest};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// A task a worker received.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityTask {
    /// The token to answer with.
    pub task_token: String,
    /// The task's input (the state's effective input).
    pub input: Value,
}

/// A queue of activity tasks for workers; a [`TaskHandler`]. Clones share
/// the queue.
#[derive(Clone, Default)]
pub struct ActivityWorkers {
    queue: Arc<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Mutex<VecDeque<ActivityTask>>,
    arrived: Notify,
}

impl std::fmt::Debug for ActivityWorkers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queued = self.queue.waiting.lock().map(|q| q.len()).unwrap_or(0);
        f.debug_struct("ActivityWorkers").field("queued", &queued).finish()
    }
}

impl ActivityWorkers {
    /// An empty queue.
    pub fn new() -> Self {
        ActivityWorkers::default()
    }

    /// Waits up to `wait` for a task (AWS long-polls for 60 seconds);
    /// `None` when none arrived.
    pub async fn get_activity_task(&self, wait: Duration) -> Option<ActivityTask> {
        let poll = async {
            loop {
                let notified = self.queue.arrived.notified();
                if let Some(task) =
                    self.queue.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop_front()
                {
                    return task;
                }
                notified.await;
            }
        };
        tokio::time::timeout(wait, poll).await.ok()
    }
}

impl TaskHandler for ActivityWorkers {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, TaskError>> {
        let queue = self.queue.clone();
        Box::pin(async move {
            let token = callbacks::new_token();
            let (heartbeats, mut heartbeat_rx) = tokio::sync::mpsc::unbounded_channel();
            let mut registration = callbacks::register(&token, heartbeats);
            queue
                .waiting
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push_back(ActivityTask { task_token: token, input: request.input });
            queue.arrived.notify_one();
            loop {
                tokio::select! {
                    outcome = &mut registration.result => {
                        return outcome;
                    }
                    // A worker's heartbeat keeps the state's HeartbeatSeconds clock going.
                    Some(()) = heartbeat_rx.recv() => request.context.heartbeat(),
                }
            }
        })
    }
}
