use crate::graphql::guards::Require;
use crate::graphql::scalars::Date;
use crate::policy::reads::Kind;
use async_graphql::{Context, ID, Object, Result};
use entity::placement;

use super::{Employer, InternshipSlot, Mentor, Participant, PartnerOrganisation};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{OpportunityKind, PlacementOutcome, PlacementStatus};
use crate::graphql::error::internal;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{EmployerById, MentorById, ParticipantById, PartnerById, SlotById};

/// A participant at an employer, optionally through a slot, followed by one
/// responsible partner organisation from proposal to outcome.
pub struct Placement(pub placement::Model);

/// A participant at an employer, optionally through a slot, followed by one
/// responsible partner organisation from proposal to outcome.
#[Object]
impl Placement {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Placement, self.0.id)
    }

    /// What kind of opportunity.
    async fn kind(&self) -> OpportunityKind {
        self.0.kind.into()
    }

    /// Where the placement is in its lifecycle.
    async fn status(&self) -> PlacementStatus {
        self.0.status.into()
    }

    /// First day, if set.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }

    /// Last day, if set.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }

    /// Where the participant went afterwards, once recorded.
    async fn outcome(&self) -> Option<PlacementOutcome> {
        self.0.outcome.map(Into::into)
    }

    /// Version for optimistic concurrency: pass it back when changing the placement.
    async fn version(&self) -> i32 {
        self.0.version
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

    /// The employer.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Employer> {
        let row = loaders(ctx)?
            .load_one(EmployerById(self.0.employer_id))
            .await
            .map_err(loader_error)?;
        row.map(Employer).ok_or_else(internal)
    }

    /// The slot it was made in, if any and if the caller may see it.
    async fn slot(&self, ctx: &Context<'_>) -> Result<Option<InternshipSlot>> {
        let Some(id) = self.0.slot_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(SlotById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(InternshipSlot))
    }

    /// The partner organisation that follows the placement.
    async fn responsible_partner(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.responsible_partner_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The mentor supporting the participant, if any and if the caller may see
    /// them. Requires `mentors:read`.
    #[graphql(guard = "Require::read(Kind::Mentor)")]
    async fn mentor(&self, ctx: &Context<'_>) -> Result<Option<Mentor>> {
        let Some(id) = self.0.mentor_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(MentorById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Mentor))
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
