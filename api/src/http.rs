//! The HTTP edge: routes, handlers and the bearer-token check.

pub mod accounting;
pub mod answers;
pub mod auth;
pub mod execute;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod metrics;
pub mod oauth;
pub mod sign_in;
pub mod subscriptions;

use actix_web::web;

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/graphql", web::post().to(graphql::execute_post))
        .route("/graphql/ws", web::get().to(subscriptions::subscriptions))
        .route("/graphql", web::get().to(graphql::execute_get_or_graphiql))
        .configure(graphiql::routes)
        .route("/.well-known/jwks.json", web::get().to(oauth::jwks))
        .route("/oauth/token", web::post().to(oauth::token))
        .route("/oauth/code", web::post().to(sign_in::codes::request_code))
        .route("/oauth/revoke", web::post().to(sign_in::sessions::revoke));
}
