//! The GraphQL layer: one file per domain in [`domains`] (its query root,
//! mutation root, inputs and payloads), merged in [`root`]; object types in
//! [`types`]; loaders. Resolvers are thin: they read the [`context`], open a
//! unit of work for a change ([`write`](mod@write)), call a service and map its error.

pub mod connection;
pub mod context;
pub mod cost;
pub mod domains;
pub mod enums;
pub mod error;
pub mod guards;
pub mod ids;
pub mod input_check;
pub mod loaders;
pub mod payload;
pub mod persisted;
pub mod response_shape;
pub mod root;
pub mod scalars;
pub mod types;
pub mod write;

use async_graphql::{SDLExportOptions, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub use root::{MutationRoot, QueryRoot, SubscriptionRoot};

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

/// What one request may ask for. A query over a limit is refused before
/// any resolver runs, with `extensions.code` `QUERY_TOO_COMPLEX` and a
/// message naming the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of fields.
    pub max_depth: usize,
    /// Highest cost: 1 per field, connection fields times their page size.
    pub max_complexity: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// Most fields at the root of the operation.
    pub max_root_fields: usize,
    /// Most operations in one batched request (a JSON array body).
    pub max_batch_length: usize,
    /// Whether `__schema` and `__type` answer (turn off in production if the
    /// schema is not to be browsed; `schema.graphql` is public anyway).
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 5_000,
            max_aliases: 30,
            max_root_fields: 15,
            max_batch_length: 10,
            introspection: true,
        }
    }
}

impl Limits {
    /// Checks what the validator does not: aliases and root fields.
    /// `Err` holds a message naming the limit.
    pub fn check_document(&self, query: &str, operation_name: Option<&str>) -> Result<(), String> {
        match async_graphql::parser::parse_query(query) {
            Ok(document) => self.check_parsed(&document, operation_name),
            // Syntax errors are the validator's to report.
            Err(_) => Ok(()),
        }
    }

    /// [`Limits::check_document`] on a document already parsed.
    pub fn check_parsed(
        &self,
        document: &async_graphql::parser::types::ExecutableDocument,
        operation_name: Option<&str>,
    ) -> Result<(), String> {
        use async_graphql::parser::types::{DocumentOperations, Selection, SelectionSet};
        fn aliases(set: &SelectionSet) -> usize {
            set.items
                .iter()
                .map(|item| match &item.node {
                    Selection::Field(field) => {
                        usize::from(field.node.alias.is_some())
                            + aliases(&field.node.selection_set.node)
                    }
                    Selection::InlineFragment(fragment) => {
                        aliases(&fragment.node.selection_set.node)
                    }
                    Selection::FragmentSpread(_) => 0,
                })
                .sum()
        }
        let mut total_aliases: usize = document
            .fragments
            .values()
            .map(|f| aliases(&f.node.selection_set.node))
            .sum();
        let operations: Vec<_> = match &document.operations {
            DocumentOperations::Single(op) => vec![(None, op)],
            DocumentOperations::Multiple(ops) => ops
                .iter()
                .map(|(name, op)| (Some(name.as_str()), op))
                .collect(),
        };
        for (name, operation) in &operations {
            let set = &operation.node.selection_set.node;
            total_aliases += aliases(set);
            let selected = operation_name.is_none_or(|wanted| Some(wanted) == *name);
            if selected && set.items.len() > self.max_root_fields {
                return Err(format!(
                    "the operation has {} root fields; the limit is {} (MAX_ROOT_FIELDS)",
                    set.items.len(),
                    self.max_root_fields
                ));
            }
        }
        if total_aliases > self.max_aliases {
            return Err(format!(
                "the query has {total_aliases} aliases; the limit is {} (MAX_QUERY_ALIASES)",
                self.max_aliases
            ));
        }
        Ok(())
    }
}

/// The schema, with the connection pool, the event bus and the limits.
pub fn build_schema(
    db: DatabaseConnection,
    bus: crate::events::EventBus,
    limits: &Limits,
) -> AppSchema {
    let mut builder = schema_builder()
        .data(db)
        .data(bus)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema in SDL, with sorted fields, arguments and enum values so that a
/// change shows as a small diff of the committed `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items()
            .include_specified_by(),
    )
}
