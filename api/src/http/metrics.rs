//! `GET /metrics`.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

use crate::metrics::Metrics;

/// `GET /metrics`: Prometheus metrics in the text format. Counts and
/// timings only; expose it to the monitoring network, not the internet.
pub async fn metrics(
    metrics: web::Data<Metrics>,
    db: web::Data<DatabaseConnection>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(&db))
}
