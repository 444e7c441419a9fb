//! The audit trail: who did or read what, for administrators with
//! `audit:read`.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::graphql::connection::{ListOrder, Paged, connection, counted, page_request};
use crate::graphql::context::db;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::scalars::DateTime;
use crate::graphql::types::{AuditEvent, AuditEventKind};
use crate::services;
use uuid::Uuid;

/// Narrows the audit trail; given fields must all hold.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// By this actor (token subject).
    pub actor: Option<String>,
    /// By callers of this organisation.
    pub organisation_id: Option<ID>,
    /// On this kind of record, e.g. `participant`.
    pub entity: Option<String>,
    /// On the record with this row id (a UUID, as `entityId` shows it).
    pub entity_id: Option<String>,
    /// Of this kind.
    pub kind: Option<AuditEventKind>,
    /// At or after this time.
    pub from: Option<DateTime>,
    /// At or before this time.
    pub until: Option<DateTime>,
}

/// The audit trail query.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, oldest first (or newest first with `orderBy`),
    /// narrowed by `filter`. Requires the administrator role and `audit:read`.
    #[graphql(
        guard = "Require::read(Kind::AuditEvent)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only events matching all given fields.")] filter: Option<
            AuditEventFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<AuditEvent>> {
        let page = ListOrder::apply(order_by, page_request(after, before, first, last)?);
        let filter = filter.unwrap_or_default();
        let entity_id = filter
            .entity_id
            .map(|raw| {
                Uuid::parse_str(&raw)
                    .map_err(|_| crate::graphql::error::bad_input("filter.entityId", "not a UUID"))
            })
            .transpose()?;
        let filter = services::audit::AuditFilter {
            actor: filter.actor,
            organisation_id: filter
                .organisation_id
                .map(|id| decode_as(&id, NodeType::PartnerOrganisation, "filter.organisationId"))
                .transpose()?,
            entity: filter.entity,
            entity_id,
            kind: filter.kind.map(Into::into),
            from: filter.from.map(|t| t.0),
            until: filter.until.map(|t| t.0),
        };
        let db = db(ctx)?.clone();
        let rows = services::audit::list_events(&db, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            AuditEvent,
            counted((db, filter), |(db, filter)| async move {
                services::audit::count_events(&db, &filter).await
            }),
        ))
    }
}
