//! Participants, as the caller may see them.

use crate::services::batch::key_in;
use std::collections::HashMap;

use entity::{
    ParticipantStatus, Site, SwedishLevel, participant, participant_language,
    participant_sensitive, participant_skill,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder,
    Select, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions, rows};

mod changes;

use changes::validate;
pub use changes::{LanguageInput, ParticipantChanges};

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
            let language = crate::domain::LanguageCode::parse(language)
                .ok_or_else(|| {
                    ServiceError::invalid("filter.language", "an ISO 639 language code, e.g. ti")
                })?
                .into_string();
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
            let skill = super::input::normalise_tags("filter.skill", std::slice::from_ref(skill))?;
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
            if actions::may_search_personal_fields(caller) {
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
        .filter(key_in(db, participant::Column::Id, ids))
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
        .filter(key_in(db, participant_language::Column::ParticipantId, ids))
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
        .filter(key_in(db, participant_skill::Column::ParticipantId, ids))
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
        .filter(key_in(
            db,
            participant_sensitive::Column::ParticipantId,
            ids,
        ))
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load sensitive participant data",
        ))?;
    Ok(rows.into_iter().map(|r| (r.participant_id, r)).collect())
}

/// Writes the child rows (languages, skills, sensitive record) the changes give.
async fn write_children<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    changes: &ParticipantChanges,
) -> ServiceResult<()> {
    use sea_orm::ActiveValue::Set;
    let now = chrono::Utc::now();
    if let Some(languages) = &changes.languages {
        participant_language::Entity::delete_many()
            .filter(participant_language::Column::ParticipantId.eq(id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to replace languages"))?;
        if !languages.is_empty() {
            participant_language::Entity::insert_many(languages.iter().map(|l| {
                participant_language::ActiveModel {
                    participant_id: Set(id),
                    language: Set(l.language.clone()),
                    level: Set(l.level),
                }
            }))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write languages"))?;
        }
    }
    if let Some(skills) = &changes.skills {
        participant_skill::Entity::delete_many()
            .filter(participant_skill::Column::ParticipantId.eq(id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to replace skills"))?;
        if !skills.is_empty() {
            participant_skill::Entity::insert_many(skills.iter().map(|s| {
                participant_skill::ActiveModel {
                    participant_id: Set(id),
                    skill: Set(s.clone()),
                }
            }))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write skills"))?;
        }
    }
    if changes.touches_sensitive_record() {
        let existing = participant_sensitive::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(ServiceError::database("failed to read sensitive data"))?;
        let is_new = existing.is_none();
        let mut record = match existing {
            Some(row) => row.into(),
            None => participant_sensitive::ActiveModel {
                participant_id: Set(id),
                residence_status: Set(None),
                notes: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            },
        };
        if let Some(value) = &changes.residence_status {
            record.residence_status = Set(value.clone());
        }
        if let Some(value) = &changes.notes {
            record.notes = Set(value.clone());
        }
        record.updated_at = Set(now);
        // The key is always set, so `save` would always update: say which.
        if is_new {
            participant_sensitive::Entity::insert(record)
                .exec_without_returning(db)
                .await
                .map_err(ServiceError::database("failed to write sensitive data"))?;
        } else {
            participant_sensitive::Entity::update(record)
                .exec(db)
                .await
                .map_err(ServiceError::database("failed to write sensitive data"))?;
        }
    }
    Ok(())
}

fn require_pii_for(caller: &Caller, changes: &ParticipantChanges) -> ServiceResult<()> {
    if changes.touches_personal_fields() && !actions::may_search_personal_fields(caller) {
        return Err(ServiceError::Forbidden {
            reason: "personal fields need the scope participants:pii".to_owned(),
        });
    }
    Ok(())
}

/// Registers a participant for the caller's organisation, with the consent
/// they gave it (`consent_purpose`), in one transaction. Only a display name
/// is required.
#[tracing::instrument(skip(db, caller, changes, consent_purpose))]
pub async fn create_participant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    changes: ParticipantChanges,
    consent_purpose: &str,
) -> ServiceResult<Participant> {
    use sea_orm::ActiveValue::Set;
    require_pii_for(caller, &changes)?;
    let purpose = super::input::required_text("consentPurpose", consent_purpose, 500)?;
    let Some(display_name) = changes.display_name.clone() else {
        return Err(ServiceError::invalid("displayName", "must not be empty"));
    };
    let changes = validate(ParticipantChanges {
        display_name: Some(display_name),
        ..changes
    })?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let row = participant::Entity::insert(participant::ActiveModel {
        id: Set(id),
        display_name: Set(changes.display_name.clone().unwrap_or_default()),
        family_name: Set(changes.family_name.clone().flatten()),
        email: Set(changes.email.clone().flatten()),
        phone: Set(changes.phone.clone().flatten()),
        swedish_level: Set(changes.swedish_level.flatten()),
        site: Set(changes.site.flatten()),
        status: Set(changes.status.unwrap_or(ParticipantStatus::Queued)),
        goal: Set(changes.goal.clone().flatten()),
        interests: Set(changes
            .interests
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect()),
        created_at: Set(now),
        updated_at: Set(now),
        erased_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await
    .map_err(ServiceError::database("failed to insert participant"))?;
    write_children(&txn, id, &changes).await?;
    entity::consent::Entity::insert(entity::consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(id),
        partner_organisation_id: Set(caller.organisation_id),
        purpose: Set(purpose),
        recorded_by: Set(Some(caller.subject.clone())),
        granted_at: Set(now),
        revoked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&txn)
    .await
    .map_err(ServiceError::database("failed to record consent"))?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit participant"))?;
    Ok(row)
}

/// Changes a participant the caller may see. Personal fields need
/// `participants:pii`. All or nothing, in one transaction.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn update_participant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    changes: ParticipantChanges,
) -> ServiceResult<Participant> {
    use sea_orm::ActiveValue::Set;
    let current = find_participant(db, caller, id).await?;
    if current.erased_at.is_some() {
        return Err(ServiceError::Conflict {
            message: "this participant's data has been erased".to_owned(),
        });
    }
    require_pii_for(caller, &changes)?;
    let changes = validate(changes)?;
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let mut row: participant::ActiveModel = current.into();
    if let Some(value) = &changes.display_name {
        row.display_name = Set(value.clone());
    }
    if let Some(value) = &changes.family_name {
        row.family_name = Set(value.clone());
    }
    if let Some(value) = &changes.email {
        row.email = Set(value.clone());
    }
    if let Some(value) = &changes.phone {
        row.phone = Set(value.clone());
    }
    if let Some(value) = changes.swedish_level {
        row.swedish_level = Set(value);
    }
    if let Some(value) = changes.site {
        row.site = Set(value);
    }
    if let Some(value) = changes.status {
        row.status = Set(value);
    }
    if let Some(value) = &changes.goal {
        row.goal = Set(value.clone());
    }
    if let Some(value) = &changes.interests {
        row.interests = Set(value.iter().cloned().collect());
    }
    row.updated_at = Set(chrono::Utc::now());
    // Conditional on the record not being erased meanwhile: an erasure
    // committed after the read above must not be undone by writing personal
    // values back (the erasure locks the row first, so this waits for it and
    // then finds it erased, or runs first and is erased after).
    let updated = participant::Entity::update_many()
        .set(row)
        .filter(participant::Column::Id.eq(id))
        .filter(participant::Column::ErasedAt.is_null())
        .exec_with_returning(&txn)
        .await
        .map_err(ServiceError::database("failed to update participant"))?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::Conflict {
            message: "this participant's data has been erased".to_owned(),
        })?;
    write_children(&txn, id, &changes).await?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit participant"))?;
    Ok(updated)
}
