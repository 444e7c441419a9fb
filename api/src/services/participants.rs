//! Participants, as the caller may see them.

use std::collections::HashMap;

use entity::{participant, participant_language, participant_sensitive, participant_skill};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, rows};

type Participant = participant::Model;

fn visible(caller: &Caller) -> Select<participant::Entity> {
    participant::Entity::find().filter(rows::participants(caller))
}

/// A page of the participants the caller may see.
#[tracing::instrument(skip(db, caller))]
pub async fn list_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    page: PageRequest,
) -> ServiceResult<Page<Participant>> {
    pagination::fetch_page(
        db,
        visible(caller),
        participant::Column::Id,
        page,
        "failed to list participants",
    )
    .await
}

/// How many participants the caller may see.
pub async fn count_participants<C: ConnectionTrait>(db: &C, caller: &Caller) -> ServiceResult<u64> {
    pagination::count(db, visible(caller), "failed to count participants").await
}

/// One participant, if the caller may see them.
#[tracing::instrument(skip(db, caller))]
pub async fn find_participant<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Participant> {
    visible(caller)
        .filter(participant::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read participant"))?
        .ok_or(ServiceError::NotFound {
            entity: "participant",
        })
}

/// The participants with these ids that the caller may see.
pub async fn load_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Participant>> {
    let rows = visible(caller)
        .filter(participant::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load participants"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The languages of these participants. Callers pass ids of rows they have
/// already been allowed to see.
pub async fn load_languages<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<participant_language::Model>>> {
    let rows = participant_language::Entity::find()
        .filter(participant_language::Column::ParticipantId.is_in(ids.iter().copied()))
        .order_by_asc(participant_language::Column::Language)
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load participant languages",
        ))?;
    let mut grouped: HashMap<Uuid, Vec<_>> = HashMap::new();
    for row in rows {
        grouped.entry(row.participant_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The skills of these participants, sorted.
pub async fn load_skills<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<String>>> {
    let rows = participant_skill::Entity::find()
        .filter(participant_skill::Column::ParticipantId.is_in(ids.iter().copied()))
        .order_by_asc(participant_skill::Column::Skill)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load participant skills"))?;
    let mut grouped: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.participant_id)
            .or_default()
            .push(row.skill);
    }
    Ok(grouped)
}

/// The sensitive records of these participants. Only for callers the field
/// policy allows personal fields.
pub async fn load_sensitive<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, participant_sensitive::Model>> {
    let rows = participant_sensitive::Entity::find()
        .filter(participant_sensitive::Column::ParticipantId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load sensitive participant data",
        ))?;
    Ok(rows.into_iter().map(|r| (r.participant_id, r)).collect())
}
