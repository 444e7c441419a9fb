use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID, Object, Result};
use entity::consent;

use super::{Participant, PartnerOrganisation};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::error::internal;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{ParticipantById, PartnerById};

/// A participant's consent that a partner organisation may see their data,
/// for a stated purpose. While it is in force the organisation sees the
/// participant; once revoked it does not, unless it follows an active
/// placement of theirs.
pub struct Consent(pub consent::Model);

/// A participant's consent that a partner organisation may see their data,
/// for a stated purpose. While it is in force the organisation sees the
/// participant; once revoked it does not, unless it follows an active
/// placement of theirs.
#[Object]
impl Consent {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Consent, self.0.id)
    }

    /// What the data may be used for, as told to the participant.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }

    /// Who recorded the consent (the token subject), if known.
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }

    /// When it was given.
    async fn granted_at(&self) -> DateTime {
        DateTime(self.0.granted_at)
    }

    /// When it was revoked, if it has been.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }

    /// Whether the consent is in force (not revoked).
    async fn in_force(&self) -> bool {
        self.0.revoked_at.is_none()
    }

    /// The organisation the participant consents to.
    async fn partner_organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.partner_organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The participant, if the caller may see them (after a revocation the
    /// organisation may no longer).
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
