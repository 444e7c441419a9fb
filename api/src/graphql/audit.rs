//! Auditing at the GraphQL layer:
//!
//! - [`Write`] (in `graphql::write`, re-exported) runs a mutation in one
//!   transaction with its audit event, so both are stored or neither;
//! - [`PersonalReads`] collects every personal field a request resolves,
//!   written as audit events before the response leaves (if they cannot be
//!   written, the response is replaced by an error: no unaudited read);
//! - `auditEvents` lets administrators with `audit:read` query the trail.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

pub use super::write::{IdempotencyKey, Write};
use crate::graphql::scalars::DateTime;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entity::audit_event;
use uuid::Uuid;

use super::connection::{ListOrder, Paged, connection, count_with, page_request};
use super::guards::Require;
use super::ids::{NodeType, decode_as};
use super::query::db;
use crate::policy::Scope;
use crate::services;
use crate::services::audit::{AuditEvent as Event, AuditKind};

/// The id of the request being served, as in the logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub(super) fn request_id(ctx: &Context<'_>) -> Option<String> {
    ctx.data_opt::<RequestId>().map(|r| r.0.clone())
}

/// The personal fields a request has resolved, per participant.
#[derive(Debug, Clone, Default)]
pub struct PersonalReads(Arc<Mutex<BTreeMap<Uuid, BTreeSet<String>>>>);

impl PersonalReads {
    /// Notes that `field` of `participant` is being read.
    pub fn note(&self, participant: Uuid, field: &str) {
        if let Ok(mut reads) = self.0.lock() {
            reads
                .entry(participant)
                .or_default()
                .insert(field.to_owned());
        }
    }

    /// The events for what was read since the last call, and forgets them:
    /// a socket audits each event's reads before the event is sent.
    pub fn drain_events(&self, operation: Option<&str>) -> Vec<Event> {
        let events = self.events(operation);
        if let Ok(mut reads) = self.0.lock() {
            reads.clear();
        }
        events
    }

    /// One audit event per participant read, to write before the response
    /// leaves.
    pub fn events(&self, operation: Option<&str>) -> Vec<Event> {
        let Ok(reads) = self.0.lock() else {
            return Vec::new();
        };
        reads
            .iter()
            .map(|(id, fields)| Event {
                kind: AuditKind::Read,
                operation: operation.unwrap_or("query").to_owned(),
                entity: "participant",
                entity_id: Some(*id),
                fields: fields.iter().cloned().collect(),
            })
            .collect()
    }
}

/// What kind of action an audit event records.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEventKind {
    /// A change made through a mutation.
    Mutation,
    /// A read of personal fields.
    Read,
    /// A participant's data exported whole (right of access).
    Export,
    /// A participant's personal data erased.
    Erasure,
    /// Inactive participants anonymised by the retention job.
    Retention,
}

impl From<AuditEventKind> for AuditKind {
    fn from(kind: AuditEventKind) -> Self {
        match kind {
            AuditEventKind::Mutation => Self::Mutation,
            AuditEventKind::Read => Self::Read,
            AuditEventKind::Export => Self::Export,
            AuditEventKind::Erasure => Self::Erasure,
            AuditEventKind::Retention => Self::Retention,
        }
    }
}

/// One audited action: who did or read what, when, in which request.
/// Names and ids only, never the personal values themselves. Append-only.
pub struct AuditEvent(pub audit_event::Model);

/// One audited action: who did or read what, when, in which request.
/// Names and ids only, never the personal values themselves. Append-only.
#[Object]
impl AuditEvent {
    /// Opaque global id of the event.
    pub async fn id(&self) -> ID {
        super::ids::encode(NodeType::AuditEvent, self.0.id)
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// When it was recorded: when it happened.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The same as `createdAt`: events are append-only and never change.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The request it happened in, as in the logs and in error responses.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Who: the token subject, or `system:<job>` for jobs.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// The actor's organisation, as a global id, if any.
    async fn organisation_id(&self) -> Option<ID> {
        self.0
            .organisation_id
            .map(|id| super::ids::encode(NodeType::PartnerOrganisation, id))
    }

    /// The actor's role, if any.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    /// What kind of action.
    async fn kind(&self) -> Result<AuditEventKind> {
        Ok(match self.0.kind.as_str() {
            "mutation" => AuditEventKind::Mutation,
            "read" => AuditEventKind::Read,
            "export" => AuditEventKind::Export,
            "erasure" => AuditEventKind::Erasure,
            "retention" => AuditEventKind::Retention,
            other => {
                tracing::error!(kind = other, "unknown audit event kind");
                return Err(super::error::internal());
            }
        })
    }

    /// The mutation, query or job, e.g. `updateParticipant`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// The kind of record acted on, e.g. `participant`.
    async fn entity(&self) -> &str {
        &self.0.entity
    }

    /// The record's row id, if one.
    async fn entity_id(&self) -> Option<String> {
        self.0.entity_id.map(|id| id.to_string())
    }

    /// Names of the fields given or read; never their values.
    async fn fields(&self) -> Vec<String> {
        self.0.fields.as_slice().to_vec()
    }
}

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
        guard = "Require::administrator(Scope::AuditRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
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
                    .map_err(|_| super::error::bad_input("filter.entityId", "not a UUID"))
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
            move || {
                let (db, filter) = (db.clone(), filter.clone());
                count_with(async move { services::audit::count_events(&db, &filter).await })
            },
        ))
    }
}
