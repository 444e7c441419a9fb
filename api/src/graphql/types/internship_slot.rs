use crate::graphql::scalars::Date;
use crate::policy::reads::Kind;
use async_graphql::{Context, ID, Object, Result};
use entity::internship_slot;

use super::{Employer, Placement};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{OpportunityKind, Site, SlotStatus, SwedishLevel};
use crate::graphql::error::internal;
use crate::graphql::guards::Require;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{EmployerById, PlacementsOfSlot, SkillsOfSlot};

/// A place an employer offers: an internship (praktik), a job, a training
/// place or a study visit, for one or more participants.
pub struct InternshipSlot(pub internship_slot::Model);

/// A place an employer offers: an internship (praktik), a job, a training
/// place or a study visit, for one or more participants.
#[Object]
impl InternshipSlot {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::InternshipSlot, self.0.id)
    }

    /// Short title, e.g. "Praktik i köket".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the slot involves.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// What kind of opportunity this is.
    async fn kind(&self) -> OpportunityKind {
        self.0.kind.into()
    }

    /// How many participants the slot takes.
    async fn places(&self) -> i32 {
        self.0.places
    }

    /// The Portalen site the slot is near, if either.
    async fn site(&self) -> Option<Site> {
        self.0.site.map(Into::into)
    }

    /// First day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }

    /// Last day, if the slot ends.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }

    /// The Swedish the slot needs, if any.
    async fn required_swedish_level(&self) -> Option<SwedishLevel> {
        self.0.required_swedish_level.map(Into::into)
    }

    /// Where the slot is in its lifecycle.
    async fn status(&self) -> SlotStatus {
        self.0.status.into()
    }

    /// Version for optimistic concurrency: pass it back when changing the slot.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Skills the employer would like a candidate to bring, sorted.
    async fn wanted_skills(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loaders(ctx)?
            .load_one(SkillsOfSlot(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }

    /// The placements made in this slot that the caller may see, oldest first.
    /// Requires `placements:read`.
    #[graphql(guard = "Require::read(Kind::Placement)")]
    async fn placements(&self, ctx: &Context<'_>) -> Result<Option<Vec<Placement>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(PlacementsOfSlot(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Placement).collect()))
    }

    /// The employer offering the slot.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Employer> {
        let row = loaders(ctx)?
            .load_one(EmployerById(self.0.employer_id))
            .await
            .map_err(loader_error)?;
        // The foreign key guarantees the employer exists; a miss is a bug.
        row.map(Employer).ok_or_else(|| {
            tracing::error!(slot_id = %self.0.id, "slot without employer");
            internal()
        })
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
