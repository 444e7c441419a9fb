//! Logging through `tracing`.

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Installs the global subscriber: pretty lines for a terminal, JSON lines for
/// production. `filter` uses `tracing`'s directive syntax. Logs go to
/// standard error, so that what a command prints (a token, a client secret,
/// seed counts) stays alone on standard output.
pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    init_with_traces(filter, format, None).map(|_| ())
}

/// What must outlive the program's work: the trace exporter, flushed on
/// [`Telemetry::shutdown`].
#[must_use = "keep it until the end, then call shutdown to flush the traces"]
pub struct Telemetry {
    traces: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered. Call it once, at the end.
    pub fn shutdown(self) {
        if let Some(traces) = self.traces
            && let Err(err) = traces.shutdown()
        {
            tracing::warn!(error = %err, "failed to flush the traces");
        }
    }
}

/// [`init`], and with `otlp_endpoint` (an OpenTelemetry collector's OTLP/HTTP
/// base address, e.g. `http://otel-collector:4318`) the spans are exported
/// too: the request spans, with the same fields as the logs and nothing more.
pub fn init_with_traces(
    filter: &str,
    format: LogFormat,
    otlp_endpoint: Option<&str>,
) -> anyhow::Result<Telemetry> {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig as _;

    let filter = EnvFilter::try_new(filter)
        .with_context(|| format!("LOG_LEVEL is not a valid log filter: {filter:?}"))?;
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let traces = match otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
                .build()
                .context("failed to set up the OpenTelemetry exporter")?;
            Some(
                opentelemetry_sdk::trace::SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(
                        opentelemetry_sdk::Resource::builder()
                            .with_service_name("portalen-api")
                            .build(),
                    )
                    .build(),
            )
        }
        None => None,
    };
    let otel = traces.as_ref().map(|provider| {
        tracing_opentelemetry::layer().with_tracer(provider.tracer("portalen-api"))
    });
    let registry = tracing_subscriber::registry().with(filter).with(otel);
    let result = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init()
    };
    result.context("failed to install the log subscriber")?;
    Ok(Telemetry { traces })
}

/// The span of each HTTP request, and the one line logged when it ends.
///
/// It records what operators need and nothing personal: the request id,
/// method, path without its query string (a GET's query string can carry
/// variables), status, duration, and, for GraphQL, the operation (its first
/// root field) and the caller's organisation and role, recorded by the
/// handler. No header, no client address, no body, no token.
pub struct RequestSpan;

/// When the request started, kept in its extensions.
#[derive(Clone, Copy)]
struct Started(std::time::Instant);

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        use actix_web::HttpMessage;
        request
            .extensions_mut()
            .insert(Started(std::time::Instant::now()));
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            path = %request.path(),
            status = tracing::field::Empty,
            operation = tracing::field::Empty,
            organisation = tracing::field::Empty,
            role = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        use actix_web::HttpMessage;
        let (status, started) = match outcome {
            Ok(response) => (
                response.status(),
                response.request().extensions().get::<Started>().copied(),
            ),
            Err(error) => (error.as_response_error().status_code(), None),
        };
        let duration_ms = started.map(|s| s.0.elapsed().as_secs_f64() * 1000.0);
        span.record("status", status.as_u16());
        let _entered = span.enter();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), duration_ms, "request finished");
        } else {
            tracing::info!(status = status.as_u16(), duration_ms, "request finished");
        }
    }
}

/// Records the GraphQL operation and the caller on the request's span.
pub fn record_graphql(operation: &str, caller: Option<&crate::policy::Caller>) {
    let span = tracing::Span::current();
    span.record("operation", operation);
    if let Some(caller) = caller {
        span.record("organisation", caller.organisation_slug.as_str());
        span.record("role", caller.role.as_str());
    }
}
