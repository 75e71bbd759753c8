//! The Map state: items, `ItemSelector`, batching, concurrency, tolerated
//! failures and the iterations (inline and distributed).

use crate::error::{Failure, StatesError, names};
use crate::history::EventType;
use crate::history::{ErrorDetails, EventDetails};
use crate::jsonata;
use crate::jsonpath::{self};
use crate::payload;
use crate::size::{self};
use crate::variables::Variables;
use asl_spec::model::*;
use serde_json::{Map as JsonMap, Value};
use std::borrow::Cow;
use std::collections::HashMap;

use crate::run::catch::RetryPolicy;
use crate::run::context::{Env, StateContext};
use crate::run::dataflow::select_nullable;
use crate::run::redrive::{Child, Frame};
use crate::run::resolve::map_count;
use crate::run::{Next, OpenTask, Run, to_text};

/// One pass of a Map state over its items.
#[derive(Clone, Copy)]
pub(super) struct MapRun<'a> {
    pub(super) state: &'a State,
    pub(super) map: &'a Map,
    /// The items, or their batches.
    pub(super) items: &'a [Value],
    /// Whether `items` are already what the iterations get (batches).
    pub(super) selected: bool,
    /// The Map's effective input (what `ItemSelector` reads as `$`).
    pub(super) input: &'a Value,
    pub(super) context: &'a StateContext<'a>,
    pub(super) limits: &'a MapLimits,
    /// Whether iterations are child executions.
    pub(super) distributed: bool,
}

fn batch_object(batch_input: Option<&Value>, items: Vec<Value>) -> Value {
    let mut batch = JsonMap::new();
    if let Some(fixed) = batch_input {
        batch.insert("BatchInput".into(), fixed.clone());
    }
    batch.insert("Items".into(), Value::Array(items));
    Value::Object(batch)
}

/// Why a Map state did not produce a result.
pub(super) enum MapError {
    /// A problem evaluating the Map state's own fields (`States.Runtime`).
    Failure(Failure),
    /// An iteration failed, or too many did.
    Failed(StatesError),
}

/// `MaxConcurrency` and the tolerated-failure thresholds, resolved for one run.
pub(super) struct MapLimits {
    max_concurrency: usize,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
}

impl MapLimits {
    /// `MaxConcurrency` (0: unbounded).
    fn max_concurrency(map: &Map, env: &Env<'_>) -> Result<usize, Failure> {
        let limit = map_count(map.max_concurrency.as_ref(), "MaxConcurrency", "integer", env, Value::as_u64)?;
        Ok(limit.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)))
    }

    pub(super) fn resolve(map: &Map, max_concurrency: usize, env: &Env<'_>) -> Result<MapLimits, Failure> {
        let count = map.tolerated_failure_count.as_ref();
        let tolerated_count = match map_count(count, "ToleratedFailureCount", "integer", env, Value::as_i64)? {
            Some(n) if n < 0 => return Err(Failure::runtime("ToleratedFailureCount cannot be negative.")),
            n => n.map(|n| n as u64),
        };
        let percentage = map.tolerated_failure_percentage.as_ref();
        let tolerated_percentage = map_count(percentage, "ToleratedFailurePercentage", "float", env, Value::as_f64)?;
        if tolerated_percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(Failure::runtime("ToleratedFailurePercentage must be between 0 and 100."));
        }
        Ok(MapLimits { max_concurrency, tolerated_count, tolerated_percentage })
    }

    /// After `failures` of `total` items failed: `None` if tolerated,
    /// `Some(true)` if a configured threshold is exceeded, `Some(false)` if
    /// no failure is tolerated at all (the item's own error stands).
    fn exceeded(&self, failures: usize, total: usize) -> Option<bool> {
        if self.tolerated_count.is_none() && self.tolerated_percentage.is_none() {
            return Some(false);
        }
        let over_count = self.tolerated_count.is_some_and(|c| failures as u64 > c);
        let over_percentage =
            self.tolerated_percentage.is_some_and(|p| failures as f64 * 100.0 / total.max(1) as f64 > p);
        (over_count || over_percentage).then_some(true)
    }

    /// What an iteration's outcome puts in the Map's results: its output,
    /// or, while failures are tolerated, `{"Error", "Cause"}`. `Err` when
    /// this failure ends the Map.
    fn settle(
        &self, outcome: Result<Value, StatesError>, failures: &mut usize, total: usize,
    ) -> Result<Value, StatesError> {
        let error = match outcome {
            Ok(v) => return Ok(v),
            Err(error) => error,
        };
        *failures += 1;
        match self.exceeded(*failures, total) {
            None => Ok(error.into_output()),
            Some(true) => Err(StatesError::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )),
            Some(false) => Err(error),
        }
    }
}

impl<'a> Run<'a> {
    /// Runs the item processor over every item, at most `MaxConcurrency` at
    /// a time, retrying the whole state as `Retry` says.
    pub(super) async fn map(
        &self, state: &State, map: &Map, state_input: &Value, context: &StateContext<'_>, entered: u64,
    ) -> Result<Value, StatesError> {
        let effective =
            select_nullable(&state.io.input_path, state_input, context).map_err(|f| self.fail_in(state, entered, f))?;
        let input = &*effective;
        if let Some(stand_in) = &self.exec.stand_in {
            return stand_in(input);
        }
        let mut policy = RetryPolicy::new(&map.retry);
        // A redriven Map runs again only the iterations that did not succeed.
        let mut plan = self.take_plan(state);
        loop {
            self.within_history_limit()?;
            let error = match self.map_once(state, map, input, context, plan.take().unwrap_or_default()).await {
                Ok(v) => return Ok(v),
                Err(MapError::Failure(f)) => {
                    let error = self.fail_in(state, entered, f);
                    // A JSONata Map whose items fail to evaluate has failed as a Map.
                    if error.error == names::QUERY_EVALUATION_ERROR {
                        self.mark(EventType::MapStateFailed);
                    }
                    return Err(error);
                }
                Err(MapError::Failed(error)) => error,
            };
            match policy.next_delay(&error) {
                Some(delay) => self.exec.pause(delay).await,
                None => {
                    self.mark(EventType::MapStateFailed);
                    return Err(error);
                }
            }
        }
    }

    async fn map_once(
        &self, state: &State, map: &Map, input: &Value, context: &StateContext<'_>, plan: HashMap<usize, Child>,
    ) -> Result<Value, MapError> {
        let env = Env { input, context };
        let read;
        let selected;
        let items: &Vec<Value> = match &map.item_reader {
            Some(reader) => {
                read = self.read_items(reader, &env)?;
                &read
            }
            None if state.query_language == QueryLanguage::Jsonata => {
                selected = self.jsonata_items(map, input, context).map_err(MapError::Failure)?;
                match selected.as_ref() {
                    Value::Array(items) => items,
                    _ => unreachable!("`jsonata_items` gives an array"),
                }
            }
            None => {
                selected = jsonpath::select(&map.items_path, &env).map_err(|miss| {
                    MapError::Failure(Failure::runtime(jsonpath::invalid_path_message(&map.items_path, miss)))
                })?;
                match selected.as_ref() {
                    Value::Array(items) => items,
                    other => {
                        return Err(MapError::Failure(Failure::runtime(format!(
                            "Map state input must be an array but was: {}",
                            to_text(other)
                        ))));
                    }
                }
            }
        };
        // AWS checks MaxConcurrency before the state starts, tolerances after.
        let max_concurrency = MapLimits::max_concurrency(map, &env).map_err(MapError::Failure)?;
        self.event(EventType::MapStateStarted, || EventDetails::MapStateStarted { length: items.len() });
        let limits = MapLimits::resolve(map, max_concurrency, &env).map_err(MapError::Failure)?;
        let distributed = map.mode == ProcessorMode::Distributed;
        let run_id = crate::durable::uuid_v4().to_string();
        let map_run_arn = format!(
            "arn:{}:states:{}:{}:mapRun:{}/{}:{run_id}",
            self.exec.identity.partition,
            self.exec.identity.region,
            self.exec.identity.account_id,
            self.info.names.state_machine_name,
            map.label.as_deref().unwrap_or(&state.name),
        );
        if distributed {
            let arn = map_run_arn.clone();
            self.event(EventType::MapRunStarted, || EventDetails::MapRunStarted { map_run_arn: arn });
        }
        let batches;
        let (items, selected) = match &map.item_batcher {
            Some(batcher) => {
                batches = self.batch(state, batcher, items, input, context).map_err(MapError::Failure)?;
                (batches.as_slice(), true)
            }
            None => (items.as_slice(), false),
        };
        let run = MapRun { state, map, items, selected, input, context, limits: &limits, distributed };
        let outcome = self.iterate(&run, plan).await;
        match outcome {
            Ok(results) => {
                let output = match &map.result_writer {
                    Some(writer) => self.write_results(writer, &env, &map_run_arn, &run_id, items, results)?,
                    None => Value::Array(results),
                };
                if distributed {
                    self.mark(EventType::MapRunSucceeded);
                }
                self.mark(EventType::MapStateSucceeded);
                Ok(output)
            }
            Err(error) => {
                if distributed {
                    let details = ErrorDetails { error: Some(error.error.clone()), cause: error.cause.clone() };
                    self.event(EventType::MapRunFailed, || EventDetails::MapRunFailed(details));
                }
                Err(MapError::Failed(error))
            }
        }
    }

    /// A JSONata Map's items: `Items`, or else the state input; an array.
    fn jsonata_items<'v>(
        &self, map: &Map, input: &'v Value, context: &StateContext<'_>,
    ) -> Result<Cow<'v, Value>, Failure> {
        let Some(items) = &map.items else {
            return match input {
                Value::Array(_) => Ok(Cow::Borrowed(input)),
                other => Err(Failure::query_unplaced(format!(
                    "Map state input must be an array but was: {}",
                    to_text(other)
                ))),
            };
        };
        if let Jsonata::Expr(expr) = items
            && let Some(selected @ Value::Array(_)) = jsonata::input_member(expr, input)
        {
            return Ok(Cow::Borrowed(selected));
        }
        let value = jsonata::Scope::new(input, None, None, context).value(items, "Items")?;
        match (&value, items) {
            (Value::Array(_), _) => Ok(Cow::Owned(value)),
            (_, Jsonata::Expr(expr)) => Err(jsonata::unexpected_type(expr, "Items", "array", &value)),
            _ => Err(Failure::query(
                "Items",
                format!("The field 'Items' must be an array, but was: {}", to_text(&value)),
            )),
        }
    }

    /// Groups the (selected) items into `{"BatchInput": …, "Items": […]}`
    /// objects of at most `MaxItemsPerBatch` items and
    /// `MaxInputBytesPerBatch` bytes (always at least one item).
    fn batch(
        &self, state: &State, batcher: &ItemBatcher, items: &[Value], input: &Value, context: &StateContext<'_>,
    ) -> Result<Vec<Value>, Failure> {
        let env = Env { input, context };
        let limit = |count: &Option<Count>, field: &str| {
            map_count(count.as_ref(), field, "positive integer", &env, |v| v.as_u64().filter(|&n| n > 0))
        };
        let max_items = limit(&batcher.max_items, "MaxItemsPerBatch")?.unwrap_or(u64::MAX);
        // A JSONata `BatchInput` is evaluated once, over the Map's input.
        let batch_input = match &batcher.batch_input_jsonata {
            Some(template) => {
                Some(jsonata::Scope::new(input, None, None, context).value(template, "ItemBatcher/BatchInput")?)
            }
            None => batcher.batch_input.clone(),
        };
        let max_bytes =
            limit(&batcher.max_bytes, "MaxInputBytesPerBatch")?.unwrap_or(self.exec.limits.max_payload_bytes as u64);
        let mut batches = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        let mut bytes = 0u64;
        for (index, item) in items.iter().enumerate() {
            let selected = self.select_item(state, index, item, input, context)?;
            let size = size::json_len(&selected) as u64;
            if !current.is_empty() && (current.len() as u64 >= max_items || bytes + size > max_bytes) {
                batches.push(batch_object(batch_input.as_ref(), std::mem::take(&mut current)));
                bytes = 0;
            }
            bytes += size;
            current.push(selected);
        }
        if !current.is_empty() {
            batches.push(batch_object(batch_input.as_ref(), current));
        }
        Ok(batches)
    }

    /// An item as its iteration sees it: through `ItemSelector` (with
    /// `$$.Map.Item`) when there is one.
    fn select_item(
        &self, state: &State, index: usize, item: &Value, input: &Value, context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        let jsonata_selector = match &state.kind {
            StateKind::Map(map) => map.item_selector.as_ref(),
            _ => None,
        };
        if jsonata_selector.is_none() && state.io.parameters.is_none() {
            return Ok(item.clone());
        }
        let item_context = context.for_item(index, item);
        match (jsonata_selector, &state.io.parameters) {
            (Some(selector), _) => {
                jsonata::Scope::new(input, None, None, &item_context).value(selector, "ItemSelector")
            }
            (None, Some(selector)) => payload::evaluate(selector, &Env { input, context: &item_context }),
            (None, None) => Ok(item.clone()),
        }
    }

    async fn iterate(&self, run: &MapRun<'_>, mut plan: HashMap<usize, Child>) -> Result<Vec<Value>, StatesError> {
        use futures_util::stream::{FuturesUnordered, StreamExt};
        let MapRun { state, map: _, items, input: _, context: _, selected: _, limits, distributed } = *run;
        if self.exec.plan.of_state(state).instant_inside && plan.is_empty() {
            return self.iterate_instant(run).await;
        }
        // Every launch is recorded (or, without history, counted) before the
        // iterations launched run, as AWS records it, so that event ids agree
        // with or without history.
        let window = if limits.max_concurrency == 0 { usize::MAX } else { limits.max_concurrency };
        let mut failures = 0usize;
        let mut results: Vec<Value> = Vec::with_capacity(items.len());
        results.resize(items.len(), Value::Null);
        // The Task each inline iteration is in (a child execution keeps its own).
        let open: Vec<OpenTask> =
            if distributed { Vec::new() } else { (0..items.len()).map(|_| OpenTask::default()).collect() };
        let mut running = FuturesUnordered::new();
        let mut in_flight: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        let mut next = 0;
        loop {
            while running.len() < window && next < items.len() {
                let index = next;
                next += 1;
                let again = match plan.remove(&index) {
                    Some(Child::Done(output)) => {
                        results[index] = output;
                        continue;
                    }
                    Some(Child::Again(frame)) => Some(frame),
                    None => None,
                };
                in_flight.insert(index);
                if !distributed {
                    self.iterations_started(state, index..index + 1);
                }
                running.push(Box::pin(self.iteration(run, index, open.get(index), again)));
            }
            let Some((index, outcome)) = running.next().await else { break };
            in_flight.remove(&index);
            match limits.settle(outcome, &mut failures, items.len()) {
                Ok(result) => results[index] = result,
                Err(error) => {
                    // Dropping the rest cancels their in-flight work.
                    drop(running);
                    if !distributed {
                        for i in in_flight {
                            self.iterations_aborted(state, i..i + 1);
                            if open[i].take() {
                                self.mark(EventType::TaskStateAborted);
                            }
                        }
                    }
                    return Err(error);
                }
            }
        }
        Ok(results)
    }

    /// An item processor that never waits runs item after item with no
    /// future per iteration, recording the events the general path would, in
    /// its order; it yields to the scheduler now and then, so timers (a
    /// `TimeoutSeconds`, a stop) still fire during a long Map. Without
    /// history, the items between yields may be spread over threads
    /// ([`Executor::parallelism`]).
    async fn iterate_instant(&self, run: &MapRun<'_>) -> Result<Vec<Value>, StatesError> {
        const ITEMS_BETWEEN_YIELDS: usize = 4096;
        let total = run.items.len();
        let mut results = Vec::with_capacity(total);
        let mut failures = 0usize;
        // The general path records each launch (`MapIterationStarted`)
        // before running what it launched, and aborts what is still in
        // flight: record those events where it would, so that histories and
        // the event ids in causes agree.
        let window = if run.limits.max_concurrency == 0 { total } else { run.limits.max_concurrency.min(total) };
        let mut launched = window;
        self.iterations_started(run.state, 0..window);
        let mut start = 0;
        while start < total {
            if start > 0 {
                tokio::task::yield_now().await;
            }
            let end = total.min(start + ITEMS_BETWEEN_YIELDS);
            // Each item runs at most the processor's states (a Choice loop
            // may run more; most processors run about that many).
            let threads = self.threads_for((end - start).saturating_mul(run.map.processor.states.len()));
            let speculated = (threads > 1)
                .then(|| {
                    self.speculate(end - start, threads, |worker, i| worker.instant_iteration(run, start + i).ok())
                })
                .flatten();
            let mut speculated = speculated.map(Vec::into_iter);
            for index in start..end {
                let outcome = match speculated.as_mut().and_then(Iterator::next) {
                    Some(output) => Ok(output),
                    None => self.unframed(|| self.instant_iteration(run, index)),
                };
                if let (Some(_), Ok(output)) = (&self.exec.frames, &outcome) {
                    self.note_done(index, output);
                }
                match run.limits.settle(outcome, &mut failures, total) {
                    Ok(result) => results.push(result),
                    Err(error) => {
                        self.iterations_aborted(run.state, index + 1..launched);
                        return Err(error);
                    }
                }
                if launched < total {
                    self.iterations_started(run.state, launched..launched + 1);
                    launched += 1;
                }
            }
            start = end;
        }
        Ok(results)
    }

    /// One iteration of a processor that never waits, run to its end.
    fn instant_iteration(&self, run: &MapRun<'_>, index: usize) -> Result<Value, StatesError> {
        // As in `iteration`: an item its selector fails on never started.
        let item_input = self.iteration_input(run, index)?;
        let processor = &run.map.processor;
        let start = Next { index: processor.start_index, input: item_input, text: None, bound: size::UNKNOWN };
        // Each iteration starts with the variables around the Map.
        let mut variables = run.context.variables.clone();
        let mut at = start;
        let outcome = match self.run_instant(processor, &mut at, &mut variables) {
            Ok(None) => Ok(at.input),
            Ok(Some(waiting)) => Err(StatesError::new(
                names::RUNTIME,
                format!("the state '{}' waits inside a processor that never waits", waiting.name),
            )),
            Err(error) => Err(error),
        };
        self.iteration_ended(run.state, index, outcome.is_ok());
        outcome
    }

    /// The input of item `index`'s iteration: the batch or the item as
    /// `ItemSelector` (with `$$.Map.Item`) selects it.
    fn iteration_input(&self, run: &MapRun<'_>, index: usize) -> Result<Value, StatesError> {
        let item = &run.items[index];
        if run.selected {
            return Ok(item.clone());
        }
        self.select_item(run.state, index, item, run.input, run.context).map_err(|f| f.in_state(&run.state.name, 0))
    }

    /// One item: `ItemSelector` (with `$$.Map.Item`), then the processor.
    /// Distributed iterations are child executions with their own history.
    /// (`again`: where a redriven iteration goes on from.)
    pub(super) async fn iteration(
        &self, run: &MapRun<'_>, index: usize, open: Option<&OpenTask>, again: Option<Frame>,
    ) -> (usize, Result<Value, StatesError>) {
        let (state, map) = (run.state, run.map);
        if let Some(frame) = again {
            let outcome = if run.distributed {
                let child = self.counting_from(0);
                child.scope_resumed(&map.processor, frame, None, index).await
            } else {
                self.scope_resumed(&map.processor, frame, open, index).await
            };
            return self.iteration_over(state, index, open, run.distributed, outcome);
        }
        let item_input = match self.iteration_input(run, index) {
            Ok(v) => v,
            Err(e) => return (index, Err(e)),
        };
        if run.distributed {
            // A child execution sees no variables of its parent.
            let child = self.counting_from(0);
            return (index, child.scope(&map.processor, item_input, Variables::default(), index).await);
        }
        let variables = run.context.variables.clone();
        let outcome = match open {
            Some(open) => self.scope_in(&map.processor, item_input, variables, open, index).await,
            None => self.scope(&map.processor, item_input, variables, index).await,
        };
        self.iteration_over(state, index, open, false, outcome)
    }

    /// Records the end of an iteration (an inline one's events).
    fn iteration_over(
        &self, state: &State, index: usize, open: Option<&OpenTask>, distributed: bool,
        outcome: Result<Value, StatesError>,
    ) -> (usize, Result<Value, StatesError>) {
        if distributed {
            return (index, outcome);
        }
        self.iteration_ended(state, index, outcome.is_ok());
        // The Task the iteration failed in is closed after it.
        if open.is_some_and(OpenTask::take) {
            self.mark(EventType::TaskStateAborted);
        }
        (index, outcome)
    }
}
