use crate::graphql::scalars::Date;
use crate::policy::reads::Kind;
use async_graphql::{Context, ID, Object, Result};
use entity::mentorship;

use super::{Mentor, Participant};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::guards::Require;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{MentorById, ParticipantById};

/// A mentor and a participant, from a start date to an optional end. A
/// mentor takes at most their capacity of current mentorships.
pub struct Mentorship(pub mentorship::Model);

/// A mentor and a participant, from a start date to an optional end. A
/// mentor takes at most their capacity of current mentorships.
#[Object]
impl Mentorship {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Mentorship, self.0.id)
    }

    /// First day.
    async fn started_on(&self) -> Date {
        Date(self.0.started_on)
    }

    /// Last day, once ended.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }

    /// Whether the mentorship has not ended.
    async fn current(&self) -> bool {
        self.0.ended_on.is_none()
    }

    /// The mentor, if the caller may see them.
    async fn mentor(&self, ctx: &Context<'_>) -> Result<Option<Mentor>> {
        let row = loaders(ctx)?
            .load_one(MentorById(self.0.mentor_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Mentor))
    }

    /// The participant, if the caller may see them. Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Participant)")]
    async fn participant(&self, ctx: &Context<'_>) -> Result<Option<Participant>> {
        let row = loaders(ctx)?
            .load_one(ParticipantById(self.0.participant_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Participant))
    }

    /// When it was recorded.
    async fn created_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.created_at)
    }

    /// When it last changed (its creation, if never since).
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.updated_at)
    }
}
