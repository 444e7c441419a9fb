//! Asset-based matching suggestions, each with its score explained.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use crate::graphql::context::caller;
use crate::graphql::context::db;
use crate::graphql::error::bad_input;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::types::{Mentor, Participant};
use crate::policy::{Role, Scope};
use crate::services::{self, matching};

/// The most suggestions one call returns.
pub const MAX_SUGGESTIONS: i32 = 50;

/// What a part of a matching score is for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchFactor {
    /// A skill the slot wants.
    Skill,
    /// Languages: spoken (candidates) or shared (mentors).
    Language,
    /// Swedish against the slot's requirement.
    SwedishLevel,
    /// The slot's site.
    Site,
    /// A mentor's expertise in one of the participant's skills.
    Expertise,
    /// A mentor's expertise that the participant's goal mentions.
    Goal,
}

impl From<matching::Factor> for MatchFactor {
    fn from(factor: matching::Factor) -> Self {
        match factor {
            matching::Factor::Skill => Self::Skill,
            matching::Factor::Language => Self::Language,
            matching::Factor::SwedishLevel => Self::SwedishLevel,
            matching::Factor::Site => Self::Site,
            matching::Factor::Expertise => Self::Expertise,
            matching::Factor::Goal => Self::Goal,
        }
    }
}

/// One part of a score: what, how many points, in words.
#[derive(SimpleObject)]
pub struct MatchReason {
    /// What the points are for.
    pub factor: MatchFactor,
    /// Points added (or, below a requirement, taken away).
    pub points: i32,
    /// The reason, for people.
    pub detail: String,
}

fn reasons(list: Vec<matching::Reason>) -> Vec<MatchReason> {
    list.into_iter()
        .map(|r| MatchReason {
            factor: r.factor.into(),
            points: r.points,
            detail: r.detail,
        })
        .collect()
}

/// A participant suggested for a slot.
#[derive(SimpleObject)]
pub struct CandidateSuggestion {
    /// The participant.
    pub participant: Participant,
    /// The sum of the reasons' points; higher fits better.
    pub score: i32,
    /// Why.
    pub reasons: Vec<MatchReason>,
}

/// A mentor suggested for a participant.
#[derive(SimpleObject)]
pub struct MentorSuggestion {
    /// The mentor.
    pub mentor: Mentor,
    /// The sum of the reasons' points; higher fits better.
    pub score: i32,
    /// Why.
    pub reasons: Vec<MatchReason>,
}

fn limit(first: i32) -> Result<usize> {
    if (1..=MAX_SUGGESTIONS).contains(&first) {
        Ok(usize::try_from(first).unwrap_or(10))
    } else {
        Err(bad_input(
            "first",
            format!("between 1 and {MAX_SUGGESTIONS}"),
        ))
    }
}

/// Matching queries.
#[derive(Default)]
pub struct MatchingQuery;

#[Object]
impl MatchingQuery {
    /// The participants the caller may see who fit a slot best: by the
    /// slot's wanted skills, Swedish level and site, and the languages they
    /// speak; each with its score explained. Queued or active participants
    /// not already proposed in the slot. Requires `participants:read` and
    /// `slots:read`, as administrator or partner.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsRead, &[Role::Administrator, Role::Partner]).and(Require::scope(Scope::SlotsRead))"
    )]
    async fn suggested_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slot's global id.")] slot: ID,
        #[graphql(desc = "How many, 1 to 50.", default = 10)] first: i32,
    ) -> Result<Vec<CandidateSuggestion>> {
        let slot = decode_as(&slot, NodeType::InternshipSlot, "slot")?;
        let found =
            services::matching::candidates_for_slot(db(ctx)?, caller(ctx)?, slot, limit(first)?)
                .await?;
        Ok(found
            .into_iter()
            .map(|s| CandidateSuggestion {
                participant: Participant(s.item),
                score: s.score,
                reasons: reasons(s.reasons),
            })
            .collect())
    }

    /// The mentors the caller may see who fit a participant best: active,
    /// with spare capacity, by shared languages, expertise in the
    /// participant's skills, and the participant's goal; each with its score
    /// explained. Requires `mentors:read` and `participants:read`, as
    /// administrator or partner.
    #[graphql(
        guard = "Require::roles(Scope::MentorsRead, &[Role::Administrator, Role::Partner]).and(Require::scope(Scope::ParticipantsRead))"
    )]
    async fn suggested_mentors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant's global id.")] participant: ID,
        #[graphql(desc = "How many, 1 to 50.", default = 10)] first: i32,
    ) -> Result<Vec<MentorSuggestion>> {
        let participant = decode_as(&participant, NodeType::Participant, "participant")?;
        let found = services::matching::mentors_for_participant(
            db(ctx)?,
            caller(ctx)?,
            participant,
            limit(first)?,
        )
        .await?;
        Ok(found
            .into_iter()
            .map(|s| MentorSuggestion {
                mentor: Mentor(s.item),
                score: s.score,
                reasons: reasons(s.reasons),
            })
            .collect())
    }
}
