//! The participant's rights and the network's duties: export (right of
//! access), erasure, and the retention job that anonymises inactive
//! participants after a configured period.
//!
//! Erasure anonymises rather than deletes: the participant row stays with
//! its non-personal facts (site, status, when they joined) and so do their
//! placements (kind, dates, outcome) and mentorships (dates), which the
//! impact report counts. Everything personal goes: names, contact details,
//! goal, interests, Swedish level, languages, skills, the sensitive record
//! and the consents. The audit trail records that an erasure happened,
//! never what was erased (it holds no personal values to begin with).

use chrono::{DateTime, Duration, Utc};
use entity::{
    ParticipantStatus, PlacementStatus, StringList, audit_event, consent, mentorship, participant,
    participant_language, participant_sensitive, participant_skill, placement,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::audit::{Actor, AuditEvent, AuditKind};
use super::{ServiceError, ServiceResult};
use crate::policy::Caller;

/// What an erased participant is called from then on.
pub const ERASED_NAME: &str = "[erased]";

fn now() -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
}

/// Removes a participant's personal data, keeping the anonymised row.
async fn anonymise<C: ConnectionTrait>(
    db: &C,
    row: participant::Model,
    at: DateTime<Utc>,
) -> ServiceResult<participant::Model> {
    use sea_orm::ActiveValue::Set;
    let id = row.id;
    participant_language::Entity::delete_many()
        .filter(participant_language::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase languages"))?;
    participant_skill::Entity::delete_many()
        .filter(participant_skill::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase skills"))?;
    participant_sensitive::Entity::delete_many()
        .filter(participant_sensitive::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database(
            "failed to erase the sensitive record",
        ))?;
    consent::Entity::delete_many()
        .filter(consent::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase consents"))?;
    let mut active: participant::ActiveModel = row.into();
    active.display_name = Set(ERASED_NAME.to_owned());
    active.family_name = Set(None);
    active.email = Set(None);
    active.phone = Set(None);
    active.goal = Set(None);
    active.swedish_level = Set(None);
    active.interests = Set(StringList::default());
    active.erased_at = Set(Some(at));
    active.updated_at = Set(at);
    participant::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to anonymise participant"))
}

/// Erases a participant's personal data (see the module documentation).
/// Erasing an erased participant returns the row as it is.
#[tracing::instrument(skip(db, caller))]
pub async fn erase_participant<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<participant::Model> {
    let row = super::participants::find_participant(db, caller, id).await?;
    if row.erased_at.is_some() {
        return Ok(row);
    }
    anonymise(db, row, now()).await
}

/// Everything stored about a participant the caller may see, as one JSON
/// document: the profile, languages, skills, sensitive record, consents,
/// placements, mentorships, and who has read or changed their data
/// (the audit events about them).
#[tracing::instrument(skip(db, caller))]
pub async fn export_participant<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Value> {
    super::participants::find_participant(db, caller, id).await?;
    let fail = |what: &'static str| ServiceError::database(what);
    let profile = participant::Entity::find_by_id(id)
        .into_json()
        .one(db)
        .await
        .map_err(fail("failed to export participant"))?;
    let languages = participant_language::Entity::find()
        .filter(participant_language::Column::ParticipantId.eq(id))
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export languages"))?;
    let skills = participant_skill::Entity::find()
        .filter(participant_skill::Column::ParticipantId.eq(id))
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export skills"))?;
    let sensitive = participant_sensitive::Entity::find()
        .filter(participant_sensitive::Column::ParticipantId.eq(id))
        .into_json()
        .one(db)
        .await
        .map_err(fail("failed to export the sensitive record"))?;
    let consents = consent::Entity::find()
        .filter(consent::Column::ParticipantId.eq(id))
        .order_by_asc(consent::Column::Id)
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export consents"))?;
    let placements = placement::Entity::find()
        .filter(placement::Column::ParticipantId.eq(id))
        .order_by_asc(placement::Column::Id)
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export placements"))?;
    let mentorships = mentorship::Entity::find()
        .filter(mentorship::Column::ParticipantId.eq(id))
        .order_by_asc(mentorship::Column::Id)
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export mentorships"))?;
    let disclosures = audit_event::Entity::find()
        .filter(audit_event::Column::Entity.eq("participant"))
        .filter(audit_event::Column::EntityId.eq(id))
        .order_by_asc(audit_event::Column::Id)
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export audit events"))?;
    Ok(json!({
        "exportedAt": now(),
        "participant": profile,
        "languages": languages,
        "skills": skills,
        "sensitive": sensitive,
        "consents": consents,
        "placements": placements,
        "mentorships": mentorships,
        "auditEvents": disclosures,
    }))
}

/// What a retention run found, and whether it changed anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRun {
    /// Inactive since before this time.
    pub cutoff: DateTime<Utc>,
    /// The participants to anonymise, oldest first.
    pub participants: Vec<Uuid>,
    /// False for a dry run.
    pub applied: bool,
}

/// Anonymises participants who are inactive, not yet erased, unchanged for
/// `retention`, and with no open placement or current mentorship. A dry run
/// only reports who they are. All or nothing, with one audit event each.
#[tracing::instrument(skip(db))]
pub async fn run_retention<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    at: DateTime<Utc>,
    retention: Duration,
    dry_run: bool,
) -> ServiceResult<RetentionRun> {
    let cutoff = at - retention;
    let open = [
        PlacementStatus::Proposed,
        PlacementStatus::Accepted,
        PlacementStatus::Active,
    ];
    let select = participant::Entity::find()
        .filter(participant::Column::Status.eq(ParticipantStatus::Inactive))
        .filter(participant::Column::ErasedAt.is_null())
        .filter(participant::Column::UpdatedAt.lt(cutoff))
        .filter(
            participant::Column::Id.not_in_subquery(
                Query::select()
                    .column(placement::Column::ParticipantId)
                    .from(placement::Entity)
                    .and_where(placement::Column::Status.is_in(open))
                    .to_owned(),
            ),
        )
        .filter(
            participant::Column::Id.not_in_subquery(
                Query::select()
                    .column(mentorship::Column::ParticipantId)
                    .from(mentorship::Entity)
                    .and_where(mentorship::Column::EndedOn.is_null())
                    .to_owned(),
            ),
        )
        .order_by_asc(participant::Column::Id);
    let ids: Vec<Uuid> = select
        .clone()
        .select_only()
        .column(participant::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to find participants to retire",
        ))?;
    if dry_run || ids.is_empty() {
        return Ok(RetentionRun {
            cutoff,
            participants: ids,
            applied: false,
        });
    }
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let rows = select.all(&txn).await.map_err(ServiceError::database(
        "failed to read participants to retire",
    ))?;
    let stamp = now();
    let mut done = Vec::with_capacity(rows.len());
    for row in rows {
        done.push(row.id);
        anonymise(&txn, row, stamp).await?;
    }
    let events = done
        .iter()
        .map(|id| AuditEvent {
            kind: AuditKind::Retention,
            operation: "retention run".to_owned(),
            entity: "participant",
            entity_id: Some(*id),
            fields: Vec::new(),
        })
        .collect();
    super::audit::record(&txn, &Actor::system("retention"), events).await?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit the retention run"))?;
    Ok(RetentionRun {
        cutoff,
        participants: done,
        applied: true,
    })
}
