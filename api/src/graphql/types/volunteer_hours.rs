use async_graphql::{Context, ID, Object, Result};
use entity::volunteer_hours;

use super::{ActivitySession, PartnerOrganisation};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{HoursStatus, VolunteerTask};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{PartnerById, SessionById, VolunteerName};
use crate::graphql::scalars::DateTime;

/// Hours a volunteer gave at a session, and the organiser's decision.
pub struct VolunteerHours(pub volunteer_hours::Model);

/// Hours a volunteer gave at a session (a refugee guide, a café host, an
/// interpreter), and the organiser's decision on them.
#[Object]
impl VolunteerHours {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::VolunteerHours, self.0.id)
    }

    /// The session.
    async fn session(&self, ctx: &Context<'_>) -> Result<Option<ActivitySession>> {
        let row = loaders(ctx)?
            .load_one(SessionById(self.0.session_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(ActivitySession))
    }

    /// The volunteer's name.
    async fn volunteer_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        loaders(ctx)?
            .load_one(VolunteerName(self.0.person_id))
            .await
            .map_err(loader_error)
    }

    /// The organisation they volunteer through.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.organisation_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(PartnerOrganisation))
    }

    /// What they did.
    async fn task(&self) -> VolunteerTask {
        self.0.task.into()
    }

    /// The time given, in hours.
    async fn hours(&self) -> f64 {
        f64::from(self.0.minutes) / 60.0
    }

    /// The volunteer's note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Where they stand.
    async fn status(&self) -> HoursStatus {
        self.0.status.into()
    }

    /// The organisation that approved or declined them.
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        let Some(id) = self.0.decided_by else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(PartnerById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(PartnerOrganisation))
    }

    /// When they were approved or declined.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at.map(DateTime)
    }

    /// Why they were declined, if the organiser said.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }

    /// When they were first logged.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When they last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}
