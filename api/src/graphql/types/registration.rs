use async_graphql::{Context, ID, Object, Result};
use entity::registration;

use super::{Activity, Participant};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::RegistrationStatus;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{ActivityById, ParticipantById, WaitingListOfActivity};
use crate::graphql::scalars::DateTime;

/// A participant's sign-up for an activity that needs registration.
pub struct Registration(pub registration::Model);

/// A participant's sign-up for an activity that needs registration.
#[Object]
impl Registration {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Registration, self.0.id)
    }

    /// Where the sign-up stands.
    async fn status(&self) -> RegistrationStatus {
        self.0.status.into()
    }

    /// The place on the waiting list (1 is next), while waiting.
    async fn position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if self.0.status != entity::RegistrationStatus::Waiting {
            return Ok(None);
        }
        let list = loaders(ctx)?
            .load_one(WaitingListOfActivity(self.0.activity_id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(list
            .iter()
            .position(|id| *id == self.0.id)
            .and_then(|i| i32::try_from(i + 1).ok()))
    }

    /// Until when an offered place waits for its answer.
    async fn offer_expires_at(&self) -> Option<DateTime> {
        self.0.offer_expires_at.map(DateTime)
    }

    /// The activity.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let row = loaders(ctx)?
            .load_one(ActivityById(self.0.activity_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Activity))
    }

    /// The participant.
    async fn participant(&self, ctx: &Context<'_>) -> Result<Option<Participant>> {
        let row = loaders(ctx)?
            .load_one(ParticipantById(self.0.participant_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Participant))
    }

    /// When the participant signed up (the waiting list's order).
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}
