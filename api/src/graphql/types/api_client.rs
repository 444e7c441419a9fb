use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID, Object, Result};
use entity::api_client;

use super::PartnerOrganisation;
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::error::internal;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::PartnerById;

/// A partner system's credentials for `POST /oauth/token`. The secret is
/// shown once, when the client is created, and never again.
pub struct ApiClient(pub api_client::Model);

/// A partner system's credentials for `POST /oauth/token`. The secret is
/// shown once, when the client is created, and never again.
#[Object]
impl ApiClient {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ApiClient, self.0.id)
    }

    /// The `client_id` to send to the token endpoint.
    async fn client_id(&self) -> &str {
        &self.0.client_id
    }

    /// What the client is for.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The role its tokens carry: `partner` or `administrator`.
    async fn role(&self) -> &str {
        &self.0.role
    }

    /// The most it may ask for; empty for the organisation's whole grant.
    async fn allowed_scopes(&self) -> Vec<String> {
        self.0.allowed_scopes.as_slice().to_vec()
    }

    /// The organisation it belongs to.
    async fn partner_organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.partner_organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it was revoked; revoked clients get no tokens.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }

    /// When it last got a token.
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(DateTime)
    }

    /// When it last changed (its creation, if never since).
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.updated_at)
    }
}
