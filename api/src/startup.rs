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
}

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
        let limits = web::Data::new(settings.limits);
        let db = web::Data::new(db);
        let auth = web::Data::new(auth);
        let mut server = HttpServer::new(move || {
            app(schema.clone(), db.clone(), auth.clone()).app_data(limits.clone())
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
        .wrap(TracingLogger::default())
}
