//! Participants, as the caller may see them.

use std::collections::HashMap;

use entity::{
    ParticipantStatus, Site, SwedishLevel, participant, participant_language,
    participant_sensitive, participant_skill,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, rows};

type Participant = participant::Model;

fn visible(caller: &Caller) -> Select<participant::Entity> {
    participant::Entity::find().filter(rows::participants(caller))
}

/// What a dashboard narrows a participant list by. Every field is optional;
/// given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct ParticipantFilter {
    pub site: Option<Site>,
    /// Any of these statuses.
    pub statuses: Vec<ParticipantStatus>,
    /// Speaks this language (ISO 639 code), at any level.
    pub language: Option<String>,
    /// Has this skill.
    pub skill: Option<String>,
    /// Swedish at this level or above.
    pub swedish_level_at_least: Option<SwedishLevel>,
    /// Part of the name, case-insensitive. Matches the family name only for
    /// callers who may read personal fields, so it cannot be used to probe them.
    pub name_contains: Option<String>,
}

impl ParticipantFilter {
    /// Checks the filter and turns it into a condition for `caller`.
    fn condition(&self, caller: &Caller) -> ServiceResult<Condition> {
        let mut condition = Condition::all();
        if let Some(site) = self.site {
            condition = condition.add(participant::Column::Site.eq(site));
        }
        if !self.statuses.is_empty() {
            condition =
                condition.add(participant::Column::Status.is_in(self.statuses.iter().copied()));
        }
        if let Some(language) = &self.language {
            let language = language.trim().to_lowercase();
            let well_formed = (2..=8).contains(&language.len())
                && language
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-');
            if !well_formed {
                return Err(ServiceError::invalid(
                    "filter.language",
                    "an ISO 639 language code, e.g. ti",
                ));
            }
            condition = condition.add(
                participant::Column::Id.in_subquery(
                    Query::select()
                        .column(participant_language::Column::ParticipantId)
                        .from(participant_language::Entity)
                        .and_where(participant_language::Column::Language.eq(language))
                        .to_owned(),
                ),
            );
        }
        if let Some(skill) = &self.skill {
            let skill = super::slots::normalise_tags("filter.skill", std::slice::from_ref(skill))?;
            condition = condition.add(
                participant::Column::Id.in_subquery(
                    Query::select()
                        .column(participant_skill::Column::ParticipantId)
                        .from(participant_skill::Entity)
                        .and_where(participant_skill::Column::Skill.is_in(skill))
                        .to_owned(),
                ),
            );
        }
        if let Some(level) = self.swedish_level_at_least {
            let levels: Vec<SwedishLevel> = SwedishLevel::iter().filter(|l| *l >= level).collect();
            condition = condition.add(participant::Column::SwedishLevel.is_in(levels));
        }
        if let Some(text) = &self.name_contains {
            let text = text.trim().to_lowercase();
            if text.is_empty() || text.chars().count() > 100 {
                return Err(ServiceError::invalid(
                    "filter.nameContains",
                    "1 to 100 characters",
                ));
            }
            // LIKE wildcards in the search text match literally.
            let mut escaped = String::with_capacity(text.len());
            for c in text.chars() {
                if matches!(c, '\\' | '%' | '_') {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            let pattern = format!("%{escaped}%");
            let like = |column: participant::Column| {
                Expr::expr(Func::lower(Expr::col((participant::Entity, column))))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            let mut names = Condition::any().add(like(participant::Column::DisplayName));
            if rows::may_search_personal_fields(caller) {
                names = names.add(like(participant::Column::FamilyName));
            }
            condition = condition.add(names);
        }
        Ok(condition)
    }
}

/// A page of the participants the caller may see, narrowed by `filter`.
#[tracing::instrument(skip(db, caller))]
pub async fn list_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ParticipantFilter,
    page: PageRequest,
) -> ServiceResult<Page<Participant>> {
    let select = visible(caller).filter(filter.condition(caller)?);
    pagination::fetch_page(
        db,
        select,
        participant::Column::Id,
        page,
        "failed to list participants",
    )
    .await
}

/// How many participants the caller may see that match `filter`.
pub async fn count_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ParticipantFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition(caller)?);
    pagination::count(db, select, "failed to count participants").await
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
