use crate::graphql::guards::Require;
use crate::policy::reads::Kind;
use async_graphql::{Context, ID, Object, Result};
use entity::employer;

use super::{InternshipSlot, PartnerOrganisation, Placement};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::Site;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{
    OpenSlotsOfEmployer, PartnerById, PlacementsOfEmployer, SlotsOfEmployer,
};

/// A workplace that offers internships (praktik), jobs, training places or
/// study visits.
pub struct Employer(pub employer::Model);

/// A workplace that offers internships (praktik), jobs, training places or
/// study visits.
#[Object]
impl Employer {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Employer, self.0.id)
    }

    /// Name of the employer.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Swedish organisation number, `NNNNNN-NNNN`.
    async fn organisation_number(&self) -> &str {
        &self.0.organisation_number
    }

    /// Line of business, e.g. `hospitality`.
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }

    /// Street address of the workplace.
    async fn street_address(&self) -> Option<&str> {
        self.0.street_address.as_deref()
    }

    /// Postal code of the workplace.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// City of the workplace.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// The Portalen site the workplace is nearest to, if either.
    async fn site(&self) -> Option<Site> {
        self.0.site.map(Into::into)
    }

    /// The partner organisation this employer also is, if any.
    async fn partner_organisation(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        let Some(id) = self.0.partner_organisation_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(PartnerById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(PartnerOrganisation))
    }

    /// The employer's slots the caller may see (drafts too, on the employer's side),
    /// oldest first. Requires `slots:read`.
    #[graphql(guard = "Require::read(Kind::InternshipSlot)")]
    async fn slots(&self, ctx: &Context<'_>) -> Result<Option<Vec<InternshipSlot>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(SlotsOfEmployer(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(InternshipSlot).collect()))
    }

    /// The placements at this employer that the caller may see, oldest first.
    /// Requires `placements:read`.
    #[graphql(guard = "Require::read(Kind::Placement)")]
    async fn placements(&self, ctx: &Context<'_>) -> Result<Option<Vec<Placement>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(PlacementsOfEmployer(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Placement).collect()))
    }

    /// The employer's open slots, oldest first. Requires `slots:read`.
    #[graphql(guard = "Require::read(Kind::InternshipSlot)")]
    async fn open_slots(&self, ctx: &Context<'_>) -> Result<Option<Vec<InternshipSlot>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(OpenSlotsOfEmployer(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(InternshipSlot).collect()))
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
