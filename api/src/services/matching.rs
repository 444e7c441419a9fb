//! Asset-based matching: who fits a slot, and which mentor fits a
//! participant, starting from what people bring (skills, languages, goals),
//! scored by plain rules so that every score can be explained.
//!
//! A candidate for a slot scores:
//! - 3 for each skill the slot wants that they have;
//! - 2 if their Swedish meets the slot's requirement, −2 if it is below it
//!   (nothing if either is unknown or the slot requires none);
//! - 2 if they belong to the slot's site;
//! - 1 for each language they speak, at most 2 (being multilingual is an
//!   asset at most workplaces).
//!
//! A mentor for a participant scores:
//! - 3 for each language they share;
//! - 2 for each field of expertise that is one of the participant's skills;
//! - 2 for each field of expertise their goal mentions.
//!
//! Ties go to the earlier registered person (lower id), so the order is
//! deterministic. Only people the caller may see are suggested.

use std::collections::HashSet;

use entity::{
    ParticipantStatus, PlacementStatus, SwedishLevel, mentorship, participant, placement,
};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, rows};

/// What a part of a score is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Skill,
    Language,
    SwedishLevel,
    Site,
    Expertise,
    Goal,
}

/// One reason in a score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub factor: Factor,
    pub points: i32,
    pub detail: String,
}

/// A suggestion: who, how well, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion<T> {
    pub item: T,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

fn rank(level: SwedishLevel) -> u8 {
    match level {
        SwedishLevel::None => 0,
        SwedishLevel::A1 => 1,
        SwedishLevel::A2 => 2,
        SwedishLevel::B1 => 3,
        SwedishLevel::B2 => 4,
        SwedishLevel::C1 => 5,
        SwedishLevel::C2 => 6,
    }
}

fn level_name(level: SwedishLevel) -> String {
    format!("{level:?}").to_uppercase()
}

fn sorted<T>(
    mut suggestions: Vec<Suggestion<T>>,
    id: impl Fn(&T) -> Uuid,
    limit: usize,
) -> Vec<Suggestion<T>> {
    suggestions.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| id(&a.item).cmp(&id(&b.item)))
    });
    suggestions.truncate(limit);
    suggestions
}

/// The participants the caller may see who fit a slot it may see best, at
/// most `limit`: queued or active, not erased, not already proposed in it.
#[tracing::instrument(skip(db, caller))]
pub async fn candidates_for_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    slot_id: Uuid,
    limit: usize,
) -> ServiceResult<Vec<Suggestion<participant::Model>>> {
    let slot = super::slots::find_slot(db, caller, slot_id).await?;
    let wanted: Vec<String> = super::slots::load_slot_skills(db, &[slot_id])
        .await?
        .remove(&slot_id)
        .unwrap_or_default();
    let people = participant::Entity::find()
        .filter(rows::participants(caller))
        .filter(
            participant::Column::Status
                .is_in([ParticipantStatus::Queued, ParticipantStatus::Active]),
        )
        .filter(participant::Column::ErasedAt.is_null())
        .filter(
            participant::Column::Id.not_in_subquery(
                Query::select()
                    .column(placement::Column::ParticipantId)
                    .from(placement::Entity)
                    .and_where(placement::Column::SlotId.eq(slot_id))
                    .and_where(placement::Column::Status.is_in([
                        PlacementStatus::Proposed,
                        PlacementStatus::Accepted,
                        PlacementStatus::Active,
                    ]))
                    .to_owned(),
            ),
        )
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read candidates"))?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut skills = super::participants::load_skills(db, &ids).await?;
    let mut languages = super::participants::load_languages(db, &ids).await?;
    let suggestions = people
        .into_iter()
        .map(|person| {
            let mut reasons = Vec::new();
            let theirs: HashSet<String> = skills
                .remove(&person.id)
                .unwrap_or_default()
                .into_iter()
                .collect();
            for skill in wanted.iter().filter(|s| theirs.contains(*s)) {
                reasons.push(Reason {
                    factor: Factor::Skill,
                    points: 3,
                    detail: format!("has the wanted skill {skill}"),
                });
            }
            if let (Some(required), Some(level)) =
                (slot.required_swedish_level, person.swedish_level)
                && required != SwedishLevel::None
            {
                if rank(level) >= rank(required) {
                    reasons.push(Reason {
                        factor: Factor::SwedishLevel,
                        points: 2,
                        detail: format!(
                            "Swedish {} meets the required {}",
                            level_name(level),
                            level_name(required)
                        ),
                    });
                } else {
                    reasons.push(Reason {
                        factor: Factor::SwedishLevel,
                        points: -2,
                        detail: format!(
                            "Swedish {} is below the required {}",
                            level_name(level),
                            level_name(required)
                        ),
                    });
                }
            }
            if let (Some(site), Some(theirs)) = (slot.site, person.site)
                && site == theirs
            {
                reasons.push(Reason {
                    factor: Factor::Site,
                    points: 2,
                    detail: format!("belongs to {site:?}"),
                });
            }
            let spoken: Vec<String> = languages
                .remove(&person.id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| l.language)
                .collect();
            if !spoken.is_empty() {
                reasons.push(Reason {
                    factor: Factor::Language,
                    points: i32::try_from(spoken.len().min(2)).unwrap_or(2),
                    detail: format!("speaks {}", spoken.join(", ")),
                });
            }
            Suggestion {
                score: reasons.iter().map(|r| r.points).sum(),
                item: person,
                reasons,
            }
        })
        .collect();
    Ok(sorted(suggestions, |p| p.id, limit))
}

/// The mentors the caller may see who fit a participant it may see best, at
/// most `limit`: active, with spare capacity, not already their mentor.
#[tracing::instrument(skip(db, caller))]
pub async fn mentors_for_participant<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    participant_id: Uuid,
    limit: usize,
) -> ServiceResult<Vec<Suggestion<entity::mentor::Model>>> {
    let person = super::participants::find_participant(db, caller, participant_id).await?;
    let filter = super::mentors::MentorFilter {
        active: Some(true),
        has_spare_capacity: Some(true),
        ..Default::default()
    };
    let current: HashSet<Uuid> = mentorship::Entity::find()
        .filter(mentorship::Column::ParticipantId.eq(participant_id))
        .filter(mentorship::Column::EndedOn.is_null())
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read mentorships"))?
        .into_iter()
        .map(|m| m.mentor_id)
        .collect();
    let mentors: Vec<entity::mentor::Model> = super::mentors::all_mentors(db, caller, &filter)
        .await?
        .into_iter()
        .filter(|m| !current.contains(&m.id))
        .collect();
    let ids: Vec<Uuid> = mentors.iter().map(|m| m.id).collect();
    let mut their_languages = super::mentors::load_languages(db, &ids).await?;
    let mut their_expertise = super::mentors::load_expertise(db, &ids).await?;
    let spoken: HashSet<String> = super::participants::load_languages(db, &[participant_id])
        .await?
        .remove(&participant_id)
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.language)
        .collect();
    let skills: HashSet<String> = super::participants::load_skills(db, &[participant_id])
        .await?
        .remove(&participant_id)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let goal = person.goal.clone().unwrap_or_default().to_lowercase();
    let suggestions = mentors
        .into_iter()
        .map(|mentor| {
            let mut reasons = Vec::new();
            for language in their_languages.remove(&mentor.id).unwrap_or_default() {
                if spoken.contains(&language) {
                    reasons.push(Reason {
                        factor: Factor::Language,
                        points: 3,
                        detail: format!("both speak {language}"),
                    });
                }
            }
            for field in their_expertise.remove(&mentor.id).unwrap_or_default() {
                if skills.contains(&field) {
                    reasons.push(Reason {
                        factor: Factor::Expertise,
                        points: 2,
                        detail: format!("knows {field}, one of the participant's skills"),
                    });
                }
                if !goal.is_empty() && goal.contains(&field) {
                    reasons.push(Reason {
                        factor: Factor::Goal,
                        points: 2,
                        detail: format!("knows {field}, which the participant's goal mentions"),
                    });
                }
            }
            Suggestion {
                score: reasons.iter().map(|r| r.points).sum(),
                item: mentor,
                reasons,
            }
        })
        .collect();
    Ok(sorted(suggestions, |m| m.id, limit))
}
