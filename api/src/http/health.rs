//! Liveness and readiness probes.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::db;

/// How long readiness waits for the database before answering 503.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: the process is alive and serving. Never touches the
/// database, so an orchestrator does not restart a healthy process during a
/// database outage.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers; 503 when it does not, so a load
/// balancer sends traffic elsewhere.
pub async fn readyz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    if db::is_ready(&db, READY_TIMEOUT).await {
        HttpResponse::Ok().json(json!({ "status": "ready" }))
    } else {
        tracing::warn!("readiness check failed: the database does not answer");
        HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
    }
}
