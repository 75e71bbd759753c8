//! A distributed Map's `ItemReader` and `ResultWriter` over the object store.

use crate::error::{Failure, StatesError, names};
use crate::jsonata;
use crate::payload;
use crate::store::ObjectStore;
use asl_spec::model::*;
use serde_json::{Map as JsonMap, Value};

use crate::run::context::Env;
use crate::run::map::MapError;
use crate::run::resolve::map_count;
use crate::run::{Run, to_text};

/// An object's items per `ReaderConfig.InputType`.
fn parse_items(reader: &ItemReader, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the object is not UTF-8 text".to_string())?;
    match reader.input_type.as_deref().unwrap_or("JSON") {
        "JSON" => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err("a JSON item source must hold an array".into()),
            Err(e) => Err(format!("not valid JSON: {e}")),
        },
        "JSONL" => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect(),
        "CSV" => {
            let delimiter = match reader.csv_delimiter.as_deref().unwrap_or("COMMA") {
                "COMMA" => b',',
                "PIPE" => b'|',
                "SEMICOLON" => b';',
                "SPACE" => b' ',
                "TAB" => b'\t',
                other => return Err(format!("unknown CSVDelimiter {other}")),
            };
            let given = reader.csv_header_location.as_deref() == Some("GIVEN");
            let mut csv = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(!given)
                .flexible(true)
                .from_reader(text.as_bytes());
            let headers: Vec<String> = if given {
                reader.csv_headers.clone().ok_or("CSVHeaderLocation GIVEN needs CSVHeaders")?
            } else {
                csv.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect()
            };
            let mut items = Vec::new();
            for row in csv.records() {
                let row = row.map_err(|e| e.to_string())?;
                let mut item = JsonMap::new();
                for (h, v) in headers.iter().zip(row.iter()) {
                    item.insert(h.clone(), Value::String(v.to_string()));
                }
                items.push(Value::Object(item));
            }
            Ok(items)
        }
        other => Err(format!("InputType {other} is not supported by this runtime")),
    }
}

/// What an `ItemReader` or `ResultWriter` asks of the object store: its
/// `Parameters` (JSONPath) or `Arguments` (JSONata) over the Map's input.
pub(super) fn request(
    parameters: Option<&Template>, arguments: Option<&Jsonata>, field: &str, env: &Env<'_>,
) -> Result<Value, Failure> {
    match (parameters, arguments) {
        (Some(t), _) => payload::evaluate(t, env),
        (None, Some(arguments)) => jsonata::Scope::new(env.input, None, None, env.context).value(arguments, field),
        (None, None) => Ok(Value::Object(JsonMap::new())),
    }
}

impl<'a> Run<'a> {
    pub(super) fn store(&self, what: &str) -> Result<&dyn ObjectStore, MapError> {
        self.exec.object_store.as_deref().ok_or_else(|| {
            MapError::Failure(Failure::runtime(format!(
                "{what} needs an object store: configure Executor::object_store (asl run: --s3-root DIR)"
            )))
        })
    }

    /// The items an `ItemReader` reads (`States.ItemReaderFailed` when it cannot).
    pub(super) fn read_items(&self, reader: &ItemReader, env: &Env<'_>) -> Result<Vec<Value>, MapError> {
        let store = self.store("ItemReader")?;
        let params = request(reader.parameters.as_ref(), reader.arguments.as_ref(), "ItemReader/Arguments", env)
            .map_err(MapError::Failure)?;
        let failed = |cause: String| MapError::Failed(StatesError::new(names::ITEM_READER_FAILED, cause));
        let field = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        let bucket = field("Bucket");
        let mut items = if reader.resource.ends_with(":s3:listObjectsV2") {
            let listed = store.list(&bucket, &field("Prefix")).map_err(|e| failed(e.to_string()))?;
            listed
                .into_iter()
                .map(|o| serde_json::json!({"Key": o.key, "Size": o.size, "StorageClass": "STANDARD"}))
                .collect()
        } else if reader.resource.ends_with(":s3:getObject") {
            let key = field("Key");
            let bytes = store.get(&bucket, &key).map_err(|e| failed(e.to_string()))?;
            parse_items(reader, &bytes).map_err(|why| failed(format!("s3://{bucket}/{key}: {why}")))?
        } else {
            return Err(failed(format!(
                "the ItemReader resource '{}' is not supported; use s3:getObject or s3:listObjectsV2",
                reader.resource
            )));
        };
        let max_items = map_count(reader.max_items.as_ref(), "MaxItems", "integer", env, Value::as_u64);
        if let Some(max) = max_items.map_err(MapError::Failure)? {
            items.truncate(usize::try_from(max).unwrap_or(usize::MAX));
        }
        Ok(items)
    }

    /// Writes the results as AWS's `ResultWriter` does (a manifest and a
    /// results file under `Prefix/<map run id>/`) and returns the Map output.
    pub(super) fn write_results(
        &self, writer: &ResultWriter, env: &Env<'_>, map_run_arn: &str, run_id: &str, items: &[Value],
        results: Vec<Value>,
    ) -> Result<Value, MapError> {
        let store = self.store("ResultWriter")?;
        let params = request(writer.parameters.as_ref(), writer.arguments.as_ref(), "ResultWriter/Arguments", env)
            .map_err(MapError::Failure)?;
        let failed = |e: StatesError| MapError::Failed(StatesError::new(names::RESULT_WRITER_FAILED, e.to_string()));
        let bucket = params.get("Bucket").and_then(Value::as_str).unwrap_or_default().to_string();
        let prefix = params.get("Prefix").and_then(Value::as_str).unwrap_or_default().trim_end_matches('/').to_string();
        let dir = if prefix.is_empty() { run_id.to_string() } else { format!("{prefix}/{run_id}") };
        let records: Vec<Value> = results
            .into_iter()
            .zip(items)
            .map(|(output, input)| {
                serde_json::json!({
                    "Input": to_text(input),
                    "InputDetails": {"Included": true},
                    "Output": to_text(&output),
                    "OutputDetails": {"Included": true},
                    "Status": "SUCCEEDED",
                    "StateMachineArn": self.info.names.state_machine_id,
                })
            })
            .collect();
        let results_key = format!("{dir}/SUCCEEDED_0.json");
        let body = serde_json::to_vec(&records).unwrap_or_default();
        store.put(&bucket, &results_key, &body).map_err(failed)?;
        let manifest = serde_json::json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": [{"Key": results_key, "Size": body.len()}]},
        });
        let manifest_key = format!("{dir}/manifest.json");
        store.put(&bucket, &manifest_key, &serde_json::to_vec(&manifest).unwrap_or_default()).map_err(failed)?;
        Ok(
            serde_json::json!({"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}),
        )
    }
}
