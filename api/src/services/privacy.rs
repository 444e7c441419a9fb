//! The participant's rights and the network's duties: export (right of
//! access), erasure, and the retention job that anonymises inactive
//! participants after a configured period.
//!
//! Erasure anonymises rather than deletes: the participant row stays with
//! its non-personal facts (site, status, when they joined) and so do their
//! placements (kind, dates, outcome), mentorships (dates) and consents
//! (which organisation, granted and ended when), which the impact report
//! counts, so erasing someone does not change a report. Everything personal
//! goes: names, contact details, goal, interests, Swedish level, languages,
//! skills, the sensitive record and the consents' purposes. The audit trail
//! records that an erasure happened, never what was erased (it holds no
//! personal values to begin with).
//!
//! Erased values must not linger in the database's files either
//! ([`purge_erased_remnants`], run after every erasure and retention run):
//! - SQLite overwrites deleted and replaced content with zeros
//!   (`secure_delete`, set on every connection), but until a checkpoint the
//!   write-ahead log still holds the pages as they were; the WAL is
//!   checkpointed and truncated, so no file of the data directory keeps a
//!   personal byte.
//! - PostgreSQL keeps the old row versions of updated and deleted rows in
//!   the table files until `VACUUM` marks their space free (and later writes
//!   overwrite it); the erased rows' tables are vacuumed at once. Copies in
//!   the write-ahead log (`pg_wal`) and in base backups remain until they
//!   are recycled or expire: keep WAL archives and backups under the same
//!   retention as the data.

use chrono::{DateTime, Utc};
use entity::{
    ParticipantStatus, PlacementStatus, StringList, audit_event, consent, mentorship, participant,
    participant_language, participant_sensitive, participant_skill, placement,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

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
    // The participant's row first: its lock (a row lock on PostgreSQL)
    // makes a concurrent update of the profile either finish before the
    // erasure reads the children, or wait and find the record erased.
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
    let erased = participant::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to anonymise participant"))?;
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
    // Consents stay as facts (which organisation, from when, until when),
    // which the impact report attributes participants by; their purpose is
    // free text and goes, and one still in force ends now: nobody can act
    // on an erased person's consent.
    consent::Entity::update_many()
        .col_expr(consent::Column::Purpose, Expr::value(ERASED_NAME))
        .col_expr(consent::Column::UpdatedAt, Expr::value(at))
        .filter(consent::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase consents"))?;
    consent::Entity::update_many()
        .col_expr(consent::Column::RevokedAt, Expr::value(at))
        .filter(consent::Column::ParticipantId.eq(id))
        .filter(consent::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to end consents"))?;
    // What they gave stays counted; how it was described goes.
    entity::contribution::Entity::update_many()
        .col_expr(
            entity::contribution::Column::Description,
            Expr::value(Option::<String>::None),
        )
        .col_expr(entity::contribution::Column::UpdatedAt, Expr::value(at))
        .filter(entity::contribution::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase contributions"))?;
    // The queue entry they came in by keeps its number and dates for the
    // queue's figures; the name they gave and how to reach them go.
    entity::queue_entry::Entity::update_many()
        .col_expr(entity::queue_entry::Column::Alias, Expr::value(ERASED_NAME))
        .col_expr(
            entity::queue_entry::Column::Contact,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            entity::queue_entry::Column::MoveReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(entity::queue_entry::Column::UpdatedAt, Expr::value(at))
        .filter(entity::queue_entry::Column::ParticipantId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to erase queue entries"))?;
    // Their sign-in goes too: memberships acting as them end, and a person
    // with no other membership is anonymised.
    super::people::erase_persons_of_participant(db, id, at).await?;
    Ok(erased)
}

/// The tables erasure writes personal values out of.
const ERASED_TABLES: [&str; 9] = [
    "participant",
    "contribution",
    "queue_entry",
    "participant_language",
    "participant_skill",
    "participant_sensitive",
    "consent",
    "person",
    "one_time_code",
];

/// Removes what an erasure committed may have left in the database's files
/// (see the module documentation): on SQLite checkpoints and truncates the
/// write-ahead log; on PostgreSQL vacuums the erased rows' tables. Run it
/// after the erasure's transaction has committed, on the pool (neither
/// works inside a transaction).
pub async fn purge_erased_remnants(db: &sea_orm::DatabaseConnection) -> ServiceResult<()> {
    use sea_orm::DbBackend;
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .map_err(ServiceError::database("failed to checkpoint the WAL"))?;
        }
        DbBackend::Postgres => {
            db.execute_unprepared(&format!("VACUUM {}", ERASED_TABLES.join(", ")))
                .await
                .map_err(ServiceError::database("failed to vacuum erased rows"))?;
        }
        _ => {}
    }
    Ok(())
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
    let memberships = entity::membership::Entity::find()
        .filter(entity::membership::Column::ParticipantId.eq(id))
        .order_by_asc(entity::membership::Column::Id)
        .all(db)
        .await
        .map_err(fail("failed to export memberships"))?;
    let persons = entity::person::Entity::find()
        .filter(entity::person::Column::Id.is_in(memberships.iter().map(|m| m.person_id)))
        .order_by_asc(entity::person::Column::Id)
        .into_json()
        .all(db)
        .await
        .map_err(fail("failed to export the sign-in person"))?;
    let memberships: Vec<Value> = memberships
        .into_iter()
        .filter_map(|m| serde_json::to_value(MembershipExport::from(m)).ok())
        .collect();
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
        "signIn": { "persons": persons, "memberships": memberships },
        "auditEvents": disclosures,
    }))
}

/// A membership as the export shows it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MembershipExport {
    id: Uuid,
    person_id: Uuid,
    partner_organisation_id: Uuid,
    role: entity::MembershipRole,
    status: entity::MembershipStatus,
    created_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
}

impl From<entity::membership::Model> for MembershipExport {
    fn from(m: entity::membership::Model) -> Self {
        Self {
            id: m.id,
            person_id: m.person_id,
            partner_organisation_id: m.partner_organisation_id,
            role: m.role,
            status: m.status,
            created_at: m.created_at,
            ended_at: m.ended_at,
        }
    }
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

/// The participants the retention rule retires: inactive, not yet erased,
/// unchanged since `cutoff`, and with no open placement or current
/// mentorship.
fn retirable(cutoff: DateTime<Utc>) -> sea_orm::Select<participant::Entity> {
    let open = [
        PlacementStatus::Proposed,
        PlacementStatus::Accepted,
        PlacementStatus::Active,
    ];
    participant::Entity::find()
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
        .order_by_asc(participant::Column::Id)
}

/// The participants the retention rule would retire now (a dry run).
pub async fn find_retirable<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    retirable(cutoff)
        .select_only()
        .column(participant::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to find participants to retire",
        ))
}

/// Anonymises every participant the retention rule retires, on `txn` (the
/// retention job's unit of work, which audits each one); returns their ids.
#[tracing::instrument(skip(txn))]
pub async fn retire<C: ConnectionTrait>(
    txn: &C,
    cutoff: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let rows = retirable(cutoff)
        .all(txn)
        .await
        .map_err(ServiceError::database(
            "failed to read participants to retire",
        ))?;
    let stamp = now();
    let mut done = Vec::with_capacity(rows.len());
    for row in rows {
        done.push(row.id);
        anonymise(txn, row, stamp).await?;
    }
    Ok(done)
}
