use crate::graphql::guards::Require;
use crate::graphql::scalars::DateTime;
use crate::policy::reads::Kind;
use async_graphql::{Context, ID, Object, Result};
use entity::partner_organisation;

use super::{Employer, Mentor, Placement};
use crate::graphql::context::caller;
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{PartnerKind, PartnerNetwork, PartnerStatus};
use crate::graphql::error::{ErrorCode, error};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{EmployersOfPartner, MentorsOfPartner, PlacementsOfPartner};

/// An organisation in the Portalen network: one of the six partners that run
/// it, Arbetsförmedlingen, or a #starkaretillsammans company or club.
pub struct PartnerOrganisation(pub partner_organisation::Model);

/// An organisation in the Portalen network: one of the six partners that run
/// it, Arbetsförmedlingen, or a #starkaretillsammans company or club.
#[Object]
impl PartnerOrganisation {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::PartnerOrganisation, self.0.id)
    }

    /// URL-safe handle, e.g. `vita-hasten`; tokens name their organisation by it.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Name of the organisation.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of organisation it is.
    async fn kind(&self) -> PartnerKind {
        self.0.kind.into()
    }

    /// How it belongs to the network.
    async fn network(&self) -> PartnerNetwork {
        self.0.network.into()
    }

    /// Whether its access is in force.
    async fn status(&self) -> PartnerStatus {
        self.0.status.into()
    }

    /// The organisation's public contact e-mail address.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }

    /// The organisation's public contact phone number.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }

    /// The organisation's website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Employers that are this organisation (a company or club can be both).
    /// Requires `employers:read`.
    #[graphql(guard = "Require::read(Kind::Employer)")]
    async fn employers(&self, ctx: &Context<'_>) -> Result<Option<Vec<Employer>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(EmployersOfPartner(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Employer).collect()))
    }

    /// The mentors who volunteer through this organisation that the caller may
    /// see. Requires `mentors:read`.
    #[graphql(guard = "Require::read(Kind::Mentor)")]
    async fn mentors(&self, ctx: &Context<'_>) -> Result<Option<Vec<Mentor>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(MentorsOfPartner(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Mentor).collect()))
    }

    /// The placements this organisation follows that the caller may see, oldest
    /// first. Requires `placements:read`.
    #[graphql(guard = "Require::read(Kind::Placement)")]
    async fn placements(&self, ctx: &Context<'_>) -> Result<Option<Vec<Placement>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let rows = loaders(ctx)?
            .load_one(PlacementsOfPartner(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Placement).collect()))
    }

    /// The scopes the organisation is granted. Visible to administrators
    /// holding `partners:admin` and to the organisation itself.
    async fn granted_scopes(&self, ctx: &Context<'_>) -> Result<Option<Vec<String>>> {
        let caller = caller(ctx)?;
        if !crate::policy::actions::may_see_grant(caller, self.0.id) {
            return Err(error(
                ErrorCode::Forbidden,
                "only administrators and the organisation itself see its grant",
            ));
        }
        Ok(Some(self.0.granted_scopes.as_slice().to_vec()))
    }

    /// When the organisation was registered (UTC).
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed (its creation, if never since).
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.updated_at)
    }
}
