use async_graphql::{Context, ID, Object, Result};
use entity::mentor;

use super::{Mentorship, PartnerOrganisation};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::error::internal;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{
    ExpertiseOfMentor, LanguagesOfMentor, MenteeCountOfMentor, MentorshipsOfMentor, PartnerById,
};

/// A volunteer mentor, taking part through a partner organisation.
pub struct Mentor(pub mentor::Model);

/// A volunteer mentor, taking part through a partner organisation.
#[Object]
impl Mentor {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Mentor, self.0.id)
    }

    /// Given name.
    async fn given_name(&self) -> &str {
        &self.0.given_name
    }

    /// Family name.
    async fn family_name(&self) -> Option<&str> {
        self.0.family_name.as_deref()
    }

    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Languages the mentor speaks (ISO 639 codes), sorted.
    async fn languages(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loaders(ctx)?
            .load_one(LanguagesOfMentor(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }

    /// Fields the mentor knows well, sorted.
    async fn expertise(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loaders(ctx)?
            .load_one(ExpertiseOfMentor(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }

    /// Room for more mentees: capacity less current mentorships, never below 0.
    async fn spare_capacity(&self, ctx: &Context<'_>) -> Result<i32> {
        let current = loaders(ctx)?
            .load_one(MenteeCountOfMentor(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or(0);
        let current = i32::try_from(current).unwrap_or(i32::MAX);
        Ok(self.0.capacity.saturating_sub(current).max(0))
    }

    /// The most mentees at once.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Whether the mentor takes part now.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The organisation the mentor volunteers through.
    async fn partner_organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.partner_organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The mentor's mentorships, current and ended, that the caller may see.
    async fn mentorships(&self, ctx: &Context<'_>) -> Result<Vec<Mentorship>> {
        let rows = loaders(ctx)?
            .load_one(MentorshipsOfMentor(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Mentorship).collect())
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
