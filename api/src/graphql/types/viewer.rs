use async_graphql::{Context, Object, Result};

use super::{Membership, PartnerOrganisation, Person};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::Role;
use crate::graphql::error::internal;
use crate::graphql::loaders::{MembershipById, MembershipsOfPerson, PartnerById, PersonById};
use crate::policy::Caller;

/// The caller, as the API sees them on this request.
pub struct Viewer(pub Caller);

/// The caller, as the API sees them on this request.
#[Object]
impl Viewer {
    /// The token's subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The token's role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// The organisation the token acts for.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The scopes in force: the token's, as far as the organisation still
    /// holds them. The scopes are: `participants:read` (participant profiles
    /// the organisation may see), `participants:write` (create and change
    /// them), `participants:pii` (personal fields: contact details, family
    /// name, residence status, notes), `mentors:read`, `mentors:write`,
    /// `employers:read`, `employers:write`, `slots:read`, `slots:write`
    /// (post and change internship slots), `placements:read`,
    /// `placements:write` (propose and change placements), `partners:admin`
    /// (partner organisations, their grants and API clients), `reports:read`
    /// (aggregated impact reports), `audit:read` (the audit trail) and
    /// `members:admin` (the organisation's people: memberships and identity
    /// providers).
    async fn scopes(&self) -> Vec<&'static str> {
        self.0.scopes.iter().map(|s| s.as_str()).collect()
    }

    /// The person behind a person's token; null for a machine client or a
    /// command-line token.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(person) = self.0.person else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(PersonById(person.person_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Person))
    }

    /// The membership this token acts for; null for a machine client or a
    /// command-line token.
    async fn membership(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        let Some(person) = self.0.person else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(MembershipById(person.membership_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Membership))
    }

    /// The person's active memberships, this one among them, oldest first:
    /// to act for another, sign in to it (or refresh naming it) for a new
    /// token. Empty for a machine client or a command-line token.
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let Some(person) = self.0.person else {
            return Ok(Vec::new());
        };
        let rows = loaders(ctx)?
            .load_one(MembershipsOfPerson(person.person_id))
            .await
            .map_err(loader_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.status == entity::MembershipStatus::Active)
            .map(Membership)
            .collect())
    }
}
