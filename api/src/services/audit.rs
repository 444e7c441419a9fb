//! The audit trail: writing events (inside the transaction of what they
//! record) and reading them back for administrators.

use chrono::{DateTime, Utc};
use entity::{StringList, audit_event};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::Caller;

/// What kind of action an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    Mutation,
    Read,
    Export,
    Erasure,
    Retention,
}

impl AuditKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mutation => "mutation",
            Self::Read => "read",
            Self::Export => "export",
            Self::Erasure => "erasure",
            Self::Retention => "retention",
        }
    }
}

/// Who acts, in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: String,
    pub organisation_id: Option<Uuid>,
    pub role: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// A caller of the API in a request.
    pub fn caller(caller: &Caller, request_id: Option<String>) -> Self {
        Self {
            subject: caller.subject.clone(),
            organisation_id: Some(caller.organisation_id),
            role: Some(caller.role.as_str().to_owned()),
            request_id,
        }
    }

    /// A job run from the command line, e.g. `system:retention`.
    pub fn system(job: &str) -> Self {
        Self {
            subject: format!("system:{job}"),
            organisation_id: None,
            role: None,
            request_id: None,
        }
    }
}

/// One event to write.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub kind: AuditKind,
    pub operation: String,
    pub entity: &'static str,
    pub entity_id: Option<Uuid>,
    pub fields: Vec<String>,
}

/// A row that a mutation returns: which table, which id.
pub trait Audited {
    /// The table and id of the row.
    fn audit_key(&self) -> (&'static str, Uuid);
}

macro_rules! audited {
    ($($module:ident),*) => {
        $(impl Audited for entity::$module::Model {
            fn audit_key(&self) -> (&'static str, Uuid) {
                (stringify!($module), self.id)
            }
        })*
    };
}

audited!(
    activity,
    contribution,
    volunteer_hours,
    activity_session,
    registration,
    queue_entry,
    participant,
    employer,
    mentor,
    internship_slot,
    placement,
    partner_organisation,
    api_client,
    mentorship,
    consent,
    membership,
    person,
    identity_provider,
    sign_in_session
);

fn row(actor: &Actor, event: AuditEvent, at: DateTime<Utc>) -> audit_event::ActiveModel {
    use sea_orm::ActiveValue::Set;
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(at),
        request_id: Set(actor.request_id.clone()),
        actor: Set(actor.subject.chars().take(200).collect()),
        organisation_id: Set(actor.organisation_id),
        role: Set(actor.role.clone()),
        kind: Set(event.kind.as_str().to_owned()),
        operation: Set(event.operation.chars().take(100).collect()),
        entity: Set(event.entity.to_owned()),
        entity_id: Set(event.entity_id),
        fields: Set(StringList(event.fields)),
    }
}

/// Writes events, in one statement. Call it on the transaction of what
/// they record, so that both or neither are stored.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    events: Vec<AuditEvent>,
) -> ServiceResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let at = Utc::now();
    // Large reads are written in chunks, well under any bind-parameter limit.
    let rows: Vec<_> = events.into_iter().map(|e| row(actor, e, at)).collect();
    for chunk in rows.chunks(500) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write audit events"))?;
    }
    Ok(())
}

/// What a list of audit events is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    pub kind: Option<AuditKind>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    fn condition(&self) -> ServiceResult<Condition> {
        let mut condition = Condition::all();
        if let Some(actor) = &self.actor {
            condition = condition.add(audit_event::Column::Actor.eq(actor.clone()));
        }
        if let Some(id) = self.organisation_id {
            condition = condition.add(audit_event::Column::OrganisationId.eq(id));
        }
        if let Some(entity) = &self.entity {
            condition = condition.add(audit_event::Column::Entity.eq(entity.clone()));
        }
        if let Some(id) = self.entity_id {
            condition = condition.add(audit_event::Column::EntityId.eq(id));
        }
        if let Some(kind) = self.kind {
            condition = condition.add(audit_event::Column::Kind.eq(kind.as_str()));
        }
        if let (Some(from), Some(until)) = (self.from, self.until)
            && until < from
        {
            return Err(ServiceError::invalid("filter.until", "not before from"));
        }
        if let Some(from) = self.from {
            condition = condition.add(audit_event::Column::OccurredAt.gte(from));
        }
        if let Some(until) = self.until {
            condition = condition.add(audit_event::Column::OccurredAt.lte(until));
        }
        Ok(condition)
    }
}

/// A page of audit events, narrowed by `filter`. Only for callers the
/// GraphQL layer has checked (administrators with `audit:read`).
pub async fn list_events<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    page: PageRequest,
) -> ServiceResult<Page<audit_event::Model>> {
    let select = audit_event::Entity::find().filter(filter.condition()?);
    pagination::fetch_page(
        db,
        select,
        audit_event::Column::Id,
        page,
        "failed to list audit events",
    )
    .await
}

/// One audit event by its row id, if it exists (who may read the trail is
/// the caller's to check).
pub async fn find_event<C: ConnectionTrait>(
    db: &C,
    id: uuid::Uuid,
) -> ServiceResult<Option<audit_event::Model>> {
    audit_event::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read audit event"))
}

/// How many audit events match `filter`.
pub async fn count_events<C: ConnectionTrait>(db: &C, filter: &AuditFilter) -> ServiceResult<u64> {
    let select = audit_event::Entity::find().filter(filter.condition()?);
    pagination::count(db, select, "failed to count audit events").await
}
