use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{identity_provider, membership, person};

use super::PartnerOrganisation;
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{MembershipStatus, Role};
use crate::graphql::error::internal;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{MembershipsOfPerson, PartnerById, PersonById};
use crate::graphql::scalars::DateTime;

/// A person who signs in: one human, known by their e-mail address across
/// the network. What they may do comes from their memberships.
pub struct Person(pub person::Model);

/// A person who signs in: one human, known by their e-mail address across
/// the network. What they may do comes from their memberships.
#[Object]
impl Person {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Person, self.0.id)
    }

    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Their e-mail address, lower-cased: where one-time codes go.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// Their phone number, if given.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Their memberships the caller may see, current and ended, oldest
    /// first.
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let rows = loaders(ctx)?
            .load_one(MembershipsOfPerson(self.0.id))
            .await
            .map_err(loader_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Membership)
            .collect())
    }

    /// When they were first added.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When they last changed (their addition, if never since).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A person's membership of a partner organisation: the role they act in
/// there. A token acts for one membership.
pub struct Membership(pub membership::Model);

/// A person's membership of a partner organisation: the role they act in
/// there. A token acts for one membership.
#[Object]
impl Membership {
    /// Opaque global id; send it as `membership` to `POST /oauth/token` to
    /// sign in to this membership.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Membership, self.0.id)
    }

    /// The person, if the caller may see them.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let row = loaders(ctx)?
            .load_one(PersonById(self.0.person_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Person))
    }

    /// The organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.partner_organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The role held there.
    async fn role(&self) -> Role {
        crate::policy::Role::of_membership(self.0.role).into()
    }

    /// The row a personal role acts as: the employer (for an employer's
    /// contact), the mentor or the participant; null for the other roles.
    async fn acts_as_id(&self) -> Option<ID> {
        match (self.0.employer_id, self.0.mentor_id, self.0.participant_id) {
            (Some(id), _, _) => Some(ids::encode(NodeType::Employer, id)),
            (_, Some(id), _) => Some(ids::encode(NodeType::Mentor, id)),
            (_, _, Some(id)) => Some(ids::encode(NodeType::Participant, id)),
            _ => None,
        }
    }

    /// Active or ended; an ended membership's tokens are refused.
    async fn status(&self) -> MembershipStatus {
        self.0.status.into()
    }

    /// When it was given.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed (it was given, or it ended).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// When it ended.
    async fn ended_at(&self) -> Option<DateTime> {
        self.0.ended_at.map(DateTime)
    }
}

/// A provider's group and the role its members get.
#[derive(SimpleObject)]
pub struct GroupMapping {
    /// The group, as the provider's groups claim names it.
    pub group: String,
    /// The role its members get in the organisation.
    pub role: Role,
}

/// A partner organisation's OpenID Connect identity provider, whose tokens
/// `POST /oauth/token` exchanges (RFC 8693) for Portalen's.
pub struct IdentityProvider(pub identity_provider::Model);

/// A partner organisation's OpenID Connect identity provider, whose tokens
/// `POST /oauth/token` exchanges (RFC 8693) for Portalen's.
#[Object]
impl IdentityProvider {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::IdentityProvider, self.0.id)
    }

    /// The organisation whose people it signs in (to that organisation's
    /// memberships only).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<PartnerOrganisation> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.partner_organisation_id))
            .await
            .map_err(loader_error)?;
        row.map(PartnerOrganisation).ok_or_else(internal)
    }

    /// The `iss` of its tokens.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// Where its keys are published, if not given inline.
    async fn jwks_uri(&self) -> Option<&str> {
        self.0.jwks_uri.as_deref()
    }

    /// Whether its keys were given inline.
    async fn has_inline_keys(&self) -> bool {
        self.0.jwks.is_some()
    }

    /// The `aud` its tokens must name.
    async fn audience(&self) -> &str {
        &self.0.audience
    }

    /// The signing algorithms accepted, pinned.
    async fn algorithms(&self) -> Vec<String> {
        self.0.algorithms.as_slice().to_vec()
    }

    /// The claim holding the person's e-mail address.
    async fn subject_claim(&self) -> &str {
        &self.0.subject_claim
    }

    /// The claim holding the person's groups.
    async fn groups_claim(&self) -> Option<&str> {
        self.0.groups_claim.as_deref()
    }

    /// Groups whose members get a membership at their first sign-in.
    async fn group_mappings(&self) -> Vec<GroupMapping> {
        self.0
            .group_mappings
            .0
            .iter()
            .map(|m| GroupMapping {
                group: m.group.clone(),
                role: crate::policy::Role::of_membership(m.role).into(),
            })
            .collect()
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed (its registration, if never since).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}
