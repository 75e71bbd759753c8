//! OpenTelemetry export (feature `otlp`): when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the runtime's spans (an
//! execution, its states, its Task attempts) and events go to that OTLP/HTTP
//! endpoint (a collector, Jaeger, Tempo…), protobuf by default or JSON with
//! `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`. `OTEL_SERVICE_NAME` names the
//! service (default `asl`). Plain HTTP: a local collector forwards further.

use opentelemetry::trace::TracerProvider as _;
use tracing_subscriber::Layer;

/// Flushes the exporter when `asl` is done: spans end up at the collector
/// before the process exits.
pub(crate) struct Exporting(opentelemetry_sdk::trace::SdkTracerProvider);

impl Drop for Exporting {
    fn drop(&mut self) {
        if let Err(e) = self.0.shutdown() {
            eprintln!("warning: exporting the trace over OTLP: {e}");
        }
    }
}

/// The layer that exports `asl` spans, if an endpoint is set; a bad setting
/// is a message.
pub(crate) fn layer<S>() -> Result<Option<(impl Layer<S>, Exporting)>, String>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if !set("OTEL_EXPORTER_OTLP_ENDPOINT") && !set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        return Ok(None);
    }
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    let protocol = match std::env::var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
        Ok("http/json") => Protocol::HttpJson,
        Ok("http/protobuf") | Err(_) => Protocol::HttpBinary,
        Ok(other) => {
            return Err(format!("OTEL_EXPORTER_OTLP_PROTOCOL={other}: asl exports http/protobuf or http/json"));
        }
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .build()
        .map_err(|e| format!("cannot export over OTLP: {e}"))?;
    let service = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "asl".to_string());
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(opentelemetry_sdk::Resource::builder().with_service_name(service).build())
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("asl"))
        .with_filter(tracing_subscriber::EnvFilter::new("asl=info"));
    Ok(Some((layer, Exporting(provider))))
}
