//! The GraphQL layer: types, resolvers and loaders. Resolvers are thin: they
//! read the context, call a service and map its error.

pub mod audit;
pub mod connection;
pub mod enums;
pub mod error;
pub mod guards;
pub mod ids;
pub mod loaders;
pub mod matching;
pub mod mutation;
pub mod node;
pub mod privacy;
pub mod query;
pub mod relations;
pub mod reports;
pub mod subscription;
pub mod types;

use async_graphql::{SDLExportOptions, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

/// The executable schema, built once at start and shared by every worker.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema with its types and settings, but no data attached.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
}

/// The schema, with the connection pool and the event bus attached.
pub fn build_schema(db: DatabaseConnection, bus: crate::events::EventBus) -> AppSchema {
    schema_builder().data(db).data(bus).finish()
}

/// The schema in SDL, with sorted fields, arguments and enum values so that a
/// change shows as a small diff of the committed `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
