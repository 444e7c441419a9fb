//! Prometheus metrics, served at `/metrics` in the text format.
//!
//! Labels are bounded: the operation is the first root field of the request
//! (a schema field name, or `invalid`), the outcome `ok` or the first error's
//! code. No personal value and no token ever becomes a label.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// The service's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    auth_failures: IntCounterVec,
    rate_limited: IntCounterVec,
    statements: prometheus::IntCounter,
    pool: IntGaugeVec,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "portalen_graphql_requests_total",
                "GraphQL requests by operation (first root field) and outcome (ok or error code)",
            ),
            &["operation", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "portalen_graphql_request_duration_seconds",
                "Time to answer a GraphQL request, by operation",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["operation"],
        )?;
        let auth_failures = IntCounterVec::new(
            Opts::new(
                "portalen_auth_failures_total",
                "Refused credentials, by where they were refused",
            ),
            &["endpoint"],
        )?;
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "portalen_rate_limit_rejections_total",
                "Requests refused with 429, by bucket class (organisation or anonymous)",
            ),
            &["class"],
        )?;
        let statements = prometheus::IntCounter::new(
            "portalen_db_statements_total",
            "SQL statements run by this process",
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "portalen_db_pool_connections",
                "Database pool connections, by state (idle or in_use)",
            ),
            &["state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(auth_failures.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            auth_failures,
            rate_limited,
            statements,
            pool,
        })
    }

    /// Counts one answered GraphQL request.
    pub fn observe_request(&self, operation: &str, outcome: &str, took: Duration) {
        self.requests.with_label_values(&[operation, outcome]).inc();
        self.latency
            .with_label_values(&[operation])
            .observe(took.as_secs_f64());
    }

    /// Counts refused credentials.
    pub fn auth_failure(&self, endpoint: &str) {
        self.auth_failures.with_label_values(&[endpoint]).inc();
    }

    /// Counts a request refused by the rate limiter.
    pub fn rate_limited(&self, class: &str) {
        self.rate_limited.with_label_values(&[class]).inc();
    }

    /// The text exposition, with the pool's state read now.
    pub fn render(&self, db: &DatabaseConnection) -> String {
        let (size, idle) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        self.pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(size.saturating_sub(idle)));
        // Catch the counter up with the process's count (never backwards).
        let counted = DB_STATEMENTS.load(std::sync::atomic::Ordering::Relaxed);
        self.statements
            .inc_by(counted.saturating_sub(self.statements.get()));
        let mut buffer = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(error = %err, "failed to encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// SQL statements run by this process, counted by the connection's metric
/// callback (installed by `serve`).
static DB_STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts one SQL statement.
pub fn count_statement() {
    DB_STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The first root field of the operation a request runs, for labels.
pub fn operation_label(
    document: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> String {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    let operation = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops
                .iter()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, op)| op),
            None => ops.values().next(),
        },
    };
    operation
        .and_then(|op| {
            op.node
                .selection_set
                .node
                .items
                .iter()
                .find_map(|item| match &item.node {
                    Selection::Field(field) => Some(field.node.name.node.to_string()),
                    _ => None,
                })
        })
        .unwrap_or_else(|| "invalid".to_owned())
}
