//! The Map state: its processor, items, reader, batcher, writer and limits.

use crate::diag::{Code, Span};
use crate::json::NodeKind;
use crate::model::*;
use crate::path::Path;

use super::values::jsonata_of;
use super::{Builder, Obj};

fn label_forbids(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "?*<>{}[]:;,\\|^~$#%&`\"".contains(c)
}

impl Builder<'_> {
    pub(super) fn map(&mut self, obj: &mut Obj<'_>, name: &str, ql: QueryLanguage, io: &mut Io) -> StateKind {
        let processor_member = match (obj.take("ItemProcessor"), obj.take("Iterator")) {
            (Some(p), Some(i)) => {
                self.error(
                    Code::Schema,
                    i.key_span,
                    &obj.child_ptr("Iterator"),
                    "a Map state cannot have both `ItemProcessor` and `Iterator`",
                )
                .hint = Some("`Iterator` is the legacy name; keep `ItemProcessor`".into());
                Some(p)
            }
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => {
                let span = obj.span;
                self.error(
                    Code::Schema,
                    Span::new(span.start, span.start + 1),
                    &obj.ptr,
                    format!("Map state `{name}` is missing the required field `ItemProcessor`"),
                );
                None
            }
        };
        let mut mode = ProcessorMode::Inline;
        let mut execution_type = None;
        let processor = processor_member.and_then(|m| {
            let ptr = obj.child_ptr(&m.key);
            let mut p = self.object(&m.value, &ptr)?;
            let ql_p = self.query_language(&mut p).unwrap_or(ql);
            p.take("Comment");
            if let Some(cfg) = p.take("ProcessorConfig") {
                let cptr = format!("{ptr}/ProcessorConfig");
                if let Some(mut c) = self.object(&cfg.value, &cptr) {
                    if let Some((s, span)) = self.string(&mut c, "Mode") {
                        match s.as_str() {
                            "INLINE" => mode = ProcessorMode::Inline,
                            "DISTRIBUTED" => mode = ProcessorMode::Distributed,
                            _ => {
                                self.error(
                                    Code::Schema,
                                    span,
                                    &format!("{cptr}/Mode"),
                                    format!("`Mode` must be `INLINE` or `DISTRIBUTED`, not `{s}`"),
                                );
                            }
                        }
                    }
                    execution_type = self.string(&mut c, "ExecutionType").map(|(s, _)| s);
                    self.finish(c, &["Mode", "ExecutionType"], "`ProcessorConfig`");
                }
            }
            let scope = self.scope(&mut p, ql_p, &format!("the item processor of `{name}`"));
            self.finish(p, &["StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage"], "an item processor");
            scope
        });
        let items_path = match obj.take("ItemsPath") {
            Some(m) => self.path_value(&m.value, &obj.child_ptr("ItemsPath"), "ItemsPath"),
            None => None,
        }
        .unwrap_or_else(|| Path::parse("$").expect("`$` is a path"));
        let items = obj.take("Items").and_then(|m| jsonata_of(&m.value));
        let mut item_selector = None;
        if ql == QueryLanguage::Jsonata {
            item_selector = obj.take("ItemSelector").and_then(|m| jsonata_of(&m.value));
        }
        let selector = self.template_field(obj, "ItemSelector");
        if selector.is_some() && io.parameters.is_some() {
            self.error(
                Code::Schema,
                obj.span,
                &obj.ptr,
                "a Map state cannot have both `ItemSelector` and `Parameters`",
            );
        }
        if selector.is_some() {
            io.parameters = selector;
        }
        let max_concurrency = self.count(obj, "MaxConcurrency");
        let tolerated_failure_percentage = self.count(obj, "ToleratedFailurePercentage");
        if let Some(Count::Fixed(v)) = &tolerated_failure_percentage
            && v.as_f64().is_some_and(|p| p > 100.0)
        {
            self.error(
                Code::Schema,
                obj.span,
                &obj.child_ptr("ToleratedFailurePercentage"),
                "`ToleratedFailurePercentage` must be between 0 and 100",
            );
        }
        let tolerated_failure_count = self.count(obj, "ToleratedFailureCount");
        let item_reader = obj.take("ItemReader").and_then(|m| {
            let ptr = obj.child_ptr("ItemReader");
            let mut r = self.object(&m.value, &ptr)?;
            let resource = self
                .required(&mut r, "Resource", "`ItemReader`")
                .and_then(|m| self.string_value(&m.value, &format!("{ptr}/Resource"), "Resource"));
            let (parameters, arguments) = self.parameters_or_arguments(&mut r, ql);
            let mut reader = ItemReader {
                resource: resource.map(|(s, _)| s).unwrap_or_default(),
                parameters,
                arguments,
                input_type: None,
                csv_header_location: None,
                csv_headers: None,
                csv_delimiter: None,
                max_items: None,
            };
            if let Some(cfg) = r.take("ReaderConfig") {
                let cptr = format!("{ptr}/ReaderConfig");
                if let Some(mut c) = self.object(&cfg.value, &cptr) {
                    reader.input_type = self.string(&mut c, "InputType").map(|(s, _)| s);
                    reader.csv_header_location = self.string(&mut c, "CSVHeaderLocation").map(|(s, _)| s);
                    reader.csv_delimiter = self.string(&mut c, "CSVDelimiter").map(|(s, _)| s);
                    reader.csv_headers = c.take("CSVHeaders").and_then(|m| match &m.value.kind {
                        NodeKind::Array(items) => items.iter().map(|n| n.as_str().map(str::to_string)).collect(),
                        _ => None,
                    });
                    reader.max_items = self.count(&mut c, "MaxItems");
                    c.take("ManifestType");
                    self.finish(
                        c,
                        &[
                            "InputType",
                            "CSVHeaderLocation",
                            "CSVHeaders",
                            "CSVDelimiter",
                            "MaxItems",
                            "MaxItemsPath",
                            "ManifestType",
                        ],
                        "`ReaderConfig`",
                    );
                }
            }
            self.finish(r, &["Resource", "Parameters", "Arguments", "ReaderConfig"], "`ItemReader`");
            Some(reader)
        });
        let item_batcher = obj.take("ItemBatcher").and_then(|m| {
            let ptr = obj.child_ptr("ItemBatcher");
            let mut b = self.object(&m.value, &ptr)?;
            let max_items = self.count(&mut b, "MaxItemsPerBatch");
            let max_bytes = self.count(&mut b, "MaxInputBytesPerBatch");
            let batch_input = b.take("BatchInput");
            let (batch_input, batch_input_jsonata) = match ql {
                QueryLanguage::JsonPath => (batch_input.map(|m| m.value.to_value()), None),
                QueryLanguage::Jsonata => (None, batch_input.and_then(|m| jsonata_of(&m.value))),
            };
            if max_items.is_none() && max_bytes.is_none() {
                let span = m.value.span;
                self.error(
                    Code::Schema,
                    span,
                    &ptr,
                    "`ItemBatcher` needs `MaxItemsPerBatch` or `MaxInputBytesPerBatch` (or their `Path` forms)",
                );
            }
            self.finish(
                b,
                &[
                    "MaxItemsPerBatch",
                    "MaxItemsPerBatchPath",
                    "MaxInputBytesPerBatch",
                    "MaxInputBytesPerBatchPath",
                    "BatchInput",
                ],
                "`ItemBatcher`",
            );
            Some(ItemBatcher { max_items, max_bytes, batch_input, batch_input_jsonata })
        });
        let result_writer = obj.take("ResultWriter").and_then(|m| {
            let ptr = obj.child_ptr("ResultWriter");
            let mut w = self.object(&m.value, &ptr)?;
            let resource =
                w.take("Resource").and_then(|m| self.string_value(&m.value, &format!("{ptr}/Resource"), "Resource"));
            let (parameters, arguments) = self.parameters_or_arguments(&mut w, ql);
            let writer_config = w.take("WriterConfig").map(|m| m.value.to_value());
            self.finish(w, &["Resource", "Parameters", "Arguments", "WriterConfig"], "`ResultWriter`");
            Some(ResultWriter {
                resource: resource.map(|(s, _)| s).unwrap_or_default(),
                parameters,
                arguments,
                writer_config,
            })
        });
        let label = self.string(obj, "Label").map(|(s, span)| {
            let ptr = obj.child_ptr("Label");
            if s.is_empty() {
                self.error(Code::Schema, span, &ptr, "`Label` cannot be empty");
            } else if s.chars().count() > 40 {
                self.error(Code::Schema, span, &ptr, format!("`Label` is {} characters long; the limit is 40", s.chars().count()));
            } else if let Some(bad) = s.chars().find(|c| label_forbids(*c)) {
                self.error(Code::Schema, span, &ptr, format!("`Label` contains the character {bad:?}, which is not allowed"))
                    .hint = Some("a Label may not contain whitespace, control characters or any of ? * < > { } [ ] : ; , \\ | ^ ~ $ # % & ` \"".into());
            }
            s
        });
        let retry = self.retriers(obj);
        let catch = self.catchers(obj, ql);
        let processor = processor.unwrap_or(Scope {
            start_at: String::new(),
            start_at_span: Span::default(),
            start_index: usize::MAX,
            states: Vec::new(),
            unloaded: Vec::new(),
        });
        StateKind::Map(Box::new(Map {
            processor,
            mode,
            execution_type,
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_failure_percentage,
            tolerated_failure_count,
            item_reader,
            item_batcher,
            result_writer,
            label,
            retry,
            catch,
        }))
    }
}
