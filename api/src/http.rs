//! The HTTP edge: routes and handlers.

pub mod graphql;
pub mod health;

use actix_web::web;

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/graphql", web::post().to(graphql::execute))
        .route("/graphql", web::get().to(graphql::execute_get_or_graphiql))
        .route("/graphiql", web::get().to(graphql::graphiql));
}
