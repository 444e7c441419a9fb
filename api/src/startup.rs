//! Building and running the HTTP server.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::graphql::{self, AppSchema};
use crate::http;
use crate::http::auth::AuthState;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Where to listen; port 0 picks a free port (tests).
    pub bind_addr: SocketAddr,
    /// HTTP worker threads; `None` for one per core.
    pub workers: Option<usize>,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_timeout: Duration,
    /// What one GraphQL request may ask for.
    pub limits: graphql::Limits,
    /// Browser origins allowed to call the API (CORS); none by default.
    pub cors_allowed_origins: Vec<String>,
    /// Request headers those origins may send.
    pub cors_allowed_headers: Vec<String>,
    /// The largest request body accepted; larger answers 413.
    pub max_body_bytes: usize,
    /// How long one GraphQL request may take.
    pub request_timeout: Duration,
    /// Budgets of complexity points per minute.
    pub rate_limits: crate::ratelimit::RateLimitSettings,
    /// Trusted documents and persisted-query registrations.
    pub persisted_documents: std::sync::Arc<graphql::persisted::PersistedDocuments>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
            limits: graphql::Limits::default(),
            cors_allowed_origins: Vec::new(),
            cors_allowed_headers: crate::config::DEFAULT_CORS_ALLOWED_HEADERS
                .map(String::from)
                .to_vec(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limits: crate::ratelimit::RateLimitSettings::default(),
            request_timeout: Duration::from_secs(30),
            persisted_documents: std::sync::Arc::default(),
        }
    }
}

/// The default largest request body: 256 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// A bound, not yet running, server.
pub struct Application {
    addr: SocketAddr,
    server: Server,
}

impl Application {
    /// Binds the listener and builds the server around a migrated database.
    pub fn build(
        settings: &ServerSettings,
        db: DatabaseConnection,
        auth: AuthState,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind_addr)
            .with_context(|| format!("failed to listen on {}", settings.bind_addr))?;
        let addr = listener
            .local_addr()
            .context("failed to read the bound address")?;
        // Built once and shared by every worker.
        let bus = crate::events::EventBus::start(&db);
        let schema = web::Data::new(graphql::build_schema(db.clone(), bus, &settings.limits));
        let input_check = web::Data::new(
            graphql::input_check::InputCheck::from_sdl(&schema.sdl())
                .context("the schema's own SDL does not parse")?,
        );
        let limits = web::Data::new(settings.limits);
        let persisted = web::Data::from(settings.persisted_documents.clone());
        let request_timeout = web::Data::new(crate::http::execute::RequestTimeout(
            settings.request_timeout,
        ));
        let metrics = web::Data::new(
            crate::metrics::Metrics::new().context("failed to register the metrics")?,
        );
        let rate_limits = crate::ratelimit::RateLimits::new(&settings.rate_limits);
        {
            // Full buckets are forgotten, so memory follows recent callers.
            let rate_limits = rate_limits.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(60));
                loop {
                    every.tick().await;
                    rate_limits.forget_idle();
                }
            });
        }
        let rate_limits = web::Data::new(rate_limits);
        let db = web::Data::new(db);
        let auth = web::Data::new(auth);
        let origins = settings.cors_allowed_origins.clone();
        let allowed_headers = settings.cors_allowed_headers.clone();
        let max_body = settings.max_body_bytes;
        let mut server = HttpServer::new(move || {
            app(schema.clone(), db.clone(), auth.clone())
                .app_data(limits.clone())
                .app_data(input_check.clone())
                .app_data(persisted.clone())
                .app_data(metrics.clone())
                .app_data(rate_limits.clone())
                .app_data(request_timeout.clone())
                .wrap(body_limit(max_body))
                .wrap(security_headers())
                .wrap(cors(&origins, &allowed_headers))
        })
        .listen(listener)
        .with_context(|| format!("failed to serve on {addr}"))?
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        // Signals are the binary's to handle (see `cli`): it installs its
        // handlers before it reports being ready, so no SIGTERM is lost.
        server = server.disable_signals();
        Ok(Self {
            addr,
            server: server.run(),
        })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped by a signal or the handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn app(
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(schema)
        .app_data(db)
        .app_data(auth)
        .configure(http::routes)
        // Inner: echo the request id set by the logger, so a client can quote it.
        .wrap_fn(|req, srv| {
            let request_id = req.extensions().get::<RequestId>().copied();
            let response = srv.call(req);
            async move {
                let mut response = response.await?;
                if let Some(id) = request_id
                    && let Ok(value) = HeaderValue::from_str(&id.to_string())
                {
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static("x-request-id"), value);
                }
                Ok(response)
            }
        })
        // Outer: one span per request, with its id.
        .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
}

/// Response headers a browser lets the page read.
const CORS_EXPOSED_HEADERS: [&str; 8] = [
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
    "x-ratelimit-cost",
    "retry-after",
    "content-type",
];

/// CORS for the configured browser origins only; without any, browsers get
/// no CORS headers and so cannot call the API from another origin.
fn cors(origins: &[String], allowed_headers: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers(
            allowed_headers
                .iter()
                .filter_map(|h| HeaderName::from_bytes(h.trim().as_bytes()).ok()),
        )
        .expose_headers(CORS_EXPOSED_HEADERS.map(HeaderName::from_static))
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Headers every response carries: no sniffing, no framing, no referrer,
/// no caching (answers hold personal data), HTTPS only once seen.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Content-Security-Policy", "frame-ancestors 'none'"))
        .add(("Strict-Transport-Security", "max-age=31536000"))
        .add(("Cache-Control", "no-store"))
}

/// Refuses a body over `max` bytes with 413 before it is read: by its
/// declared length, or, without one, as soon as the stream passes `max`.
fn body_limit<S, B>(
    max: usize,
) -> impl actix_web::dev::Transform<
    S,
    actix_web::dev::ServiceRequest,
    Response = actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>,
    Error = actix_web::Error,
    InitError = (),
>
where
    S: Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    actix_web::middleware::from_fn(
        move |mut req: actix_web::dev::ServiceRequest, next: actix_web::middleware::Next<B>| async move {
            let declared = req
                .headers()
                .get(actix_web::http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|n| n > max) {
                let response = actix_web::HttpResponse::PayloadTooLarge().json(serde_json::json!({
                    "errors": [{
                        "message": format!("the request body is larger than {max} bytes (MAX_BODY_BYTES)"),
                        "extensions": { "code": "PAYLOAD_TOO_LARGE" }
                    }]
                }));
                return Ok(req.into_response(response).map_into_right_body());
            }
            if declared.is_none() {
                use futures_util::StreamExt;
                let mut seen = 0usize;
                let limited = req.take_payload().map(move |chunk| {
                    let chunk = chunk?;
                    seen = seen.saturating_add(chunk.len());
                    if seen > max {
                        Err(actix_web::error::PayloadError::Overflow)
                    } else {
                        Ok(chunk)
                    }
                });
                req.set_payload(actix_web::dev::Payload::Stream {
                    payload: Box::pin(limited),
                });
            }
            next.call(req).await.map(|res| res.map_into_left_body())
        },
    )
}
