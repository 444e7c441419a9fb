//! People and their memberships, and the organisations' identity providers.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{MembershipStatus, Role as RoleEnum};
use crate::graphql::guards::Require;
use crate::graphql::ids::{self, NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::{IdentityProvider, Membership};
use crate::graphql::write::Write;
use crate::policy::reads::Kind;
use crate::policy::{Role, Scope};
use crate::services::identity_providers::NewIdentityProvider;
use crate::services::people::{MembershipFilter, NewMembership};
use crate::services::{self};

/// Queries about people and identity providers.
#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// Memberships the caller may see: an administrator all, an
    /// organisation's staff those of its organisation. Requires
    /// `members:admin` and the administrator or partner role.
    #[graphql(
        guard = "Require::read(Kind::Membership)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "the connection's arguments and its filters"
    )]
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only memberships of this organisation.")] organisation_slug: Option<
            String,
        >,
        #[graphql(desc = "Only active or only ended memberships.")] status: Option<
            MembershipStatus,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Membership>> {
        let page = page_request(after, before, first, last)?;
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let organisation_id = match organisation_slug {
            Some(slug) => Some(
                services::partners::find_partner_by_slug(&db, &slug)
                    .await?
                    .id,
            ),
            None => None,
        };
        let filter = MembershipFilter {
            organisation_id,
            status: status.map(Into::into),
        };
        let rows = services::people::list_memberships(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Membership,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::people::count_memberships(&db, &caller, &filter).await
            }),
        ))
    }

    /// Identity providers the caller may see: an administrator all, an
    /// organisation's staff its own. Requires `members:admin` and the
    /// administrator or partner role.
    #[graphql(
        guard = "Require::read(Kind::IdentityProvider)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn identity_providers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<IdentityProvider>> {
        let page = page_request(after, before, first, last)?;
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let rows = services::identity_providers::list(&db, &caller, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            IdentityProvider,
            counted((db, caller), |(db, caller)| async move {
                services::identity_providers::count(&db, &caller).await
            }),
        ))
    }
}

/// A membership to give.
#[derive(InputObject)]
pub struct AddMembershipInput {
    /// The organisation.
    pub organisation_slug: String,
    /// The person's e-mail address: an address Portalen knows adds the
    /// membership to that person (their stored name is kept).
    pub email: String,
    /// The person's name, 1 to 200 characters, for an address new to
    /// Portalen.
    pub name: String,
    /// The person's phone number, optional.
    pub phone: Option<String>,
    /// The role. An organisation's staff may give every role but
    /// `ADMINISTRATOR`, which only Portalen's administrators give.
    pub role: RoleEnum,
    /// For `EMPLOYER`, `MENTOR` and `PARTICIPANT`: the employer (linked to
    /// the organisation), the mentor (volunteering through it) or the
    /// participant (one the caller may see) the membership acts as.
    pub acts_as_id: Option<ID>,
}

/// The result of `addMembership`.
#[derive(SimpleObject)]
pub struct AddMembershipPayload {
    /// The new membership, unless the input was refused.
    pub membership: Option<Membership>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Which membership to end.
#[derive(InputObject)]
pub struct EndMembershipInput {
    /// The membership's global id.
    pub id: ID,
}

/// The result of `endMembership`.
#[derive(SimpleObject)]
pub struct EndMembershipPayload {
    /// The ended membership.
    pub membership: Option<Membership>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// A group of the provider and the role its members get.
#[derive(InputObject)]
pub struct GroupMappingInput {
    /// The group, as the provider's groups claim names it.
    pub group: String,
    /// `ADMINISTRATOR` (Portalen's administrators only), `PARTNER` or
    /// `VOLUNTEER`.
    pub role: RoleEnum,
}

/// An identity provider to register.
#[derive(InputObject)]
pub struct RegisterIdentityProviderInput {
    /// The organisation whose people it signs in.
    pub organisation_slug: String,
    /// The `iss` of its tokens, exactly.
    pub issuer: String,
    /// Where its keys are published (https://); or give `jwks`.
    pub jwks_uri: Option<String>,
    /// Its keys inline, a JWK Set as JSON text; or give `jwksUri`.
    pub jwks: Option<String>,
    /// The `aud` its tokens must name (the dashboard's client id at the
    /// provider).
    pub audience: String,
    /// The algorithms its tokens may be signed with, pinned (default
    /// `RS256`): RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384,
    /// EdDSA.
    #[graphql(default)]
    pub algorithms: Vec<String>,
    /// The claim holding the person's e-mail address (default `email`).
    pub subject_claim: Option<String>,
    /// The claim holding the person's groups, for `groupMappings`.
    pub groups_claim: Option<String>,
    /// Groups whose members get a membership at their first sign-in.
    #[graphql(default)]
    pub group_mappings: Vec<GroupMappingInput>,
}

/// The result of `registerIdentityProvider`.
#[derive(SimpleObject)]
pub struct RegisterIdentityProviderPayload {
    /// The registered provider, unless the input was refused.
    pub identity_provider: Option<IdentityProvider>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Which provider to remove.
#[derive(InputObject)]
pub struct RemoveIdentityProviderInput {
    /// The provider's global id.
    pub id: ID,
}

/// The result of `removeIdentityProvider`.
#[derive(SimpleObject)]
pub struct RemoveIdentityProviderPayload {
    /// The removed provider.
    pub identity_provider: Option<IdentityProvider>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of memberships and identity providers.
#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Gives a person (found by e-mail address, or added) a membership of an
    /// organisation. Requires `members:admin`: an administrator in any
    /// organisation, an organisation's staff in their own.
    #[graphql(guard = "Require::roles(Scope::MembersAdmin, &[Role::Administrator, Role::Partner])")]
    async fn add_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The membership to give.")] input: AddMembershipInput,
    ) -> Result<AddMembershipPayload> {
        let caller = caller(ctx)?;
        let acts_as = match input.acts_as_id {
            None => None,
            Some(id) => match ids::decode(&id) {
                Some((NodeType::Employer | NodeType::Mentor | NodeType::Participant, id)) => {
                    Some(id)
                }
                _ => {
                    return Err(crate::graphql::error::bad_input(
                        "actsAsId",
                        "not an employer's, mentor's or participant's id",
                    ));
                }
            },
        };
        let write = Write::begin(ctx).await?;
        let result = services::people::add_membership(
            write.txn(),
            caller,
            NewMembership {
                organisation_slug: input.organisation_slug,
                name: input.name,
                email: input.email,
                phone: input.phone,
                role: input.role.into(),
                acts_as,
                created_by: Some(caller.subject.clone()),
            },
        )
        .await;
        let (membership, user_errors) = payload(write.finish(result).await)?;
        Ok(AddMembershipPayload {
            membership: membership.map(Membership),
            user_errors,
        })
    }

    /// Ends a membership: its tokens are refused from the next request on
    /// and its sessions are revoked. Requires `members:admin`, as
    /// `addMembership`.
    #[graphql(guard = "Require::roles(Scope::MembersAdmin, &[Role::Administrator, Role::Partner])")]
    async fn end_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The membership to end.")] input: EndMembershipInput,
    ) -> Result<EndMembershipPayload> {
        let id = decode_as(&input.id, NodeType::Membership, "id")?;
        let caller = caller(ctx)?;
        let write = Write::begin(ctx).await?;
        let result = services::people::end_membership(write.txn(), caller, id).await;
        let (membership, user_errors) = payload(write.finish(result).await)?;
        Ok(EndMembershipPayload {
            membership: membership.map(Membership),
            user_errors,
        })
    }

    /// Registers an organisation's OpenID Connect identity provider, so
    /// that its people sign in with it (to that organisation's memberships
    /// only). Requires `members:admin`: an administrator for any
    /// organisation, an organisation's staff for their own.
    #[graphql(guard = "Require::roles(Scope::MembersAdmin, &[Role::Administrator, Role::Partner])")]
    async fn register_identity_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider to register.")] input: RegisterIdentityProviderInput,
    ) -> Result<RegisterIdentityProviderPayload> {
        let caller = caller(ctx)?;
        let write = Write::begin(ctx).await?;
        let result = services::identity_providers::register(
            write.txn(),
            caller,
            NewIdentityProvider {
                organisation_slug: input.organisation_slug,
                issuer: input.issuer,
                jwks_uri: input.jwks_uri,
                jwks: input.jwks,
                audience: input.audience,
                algorithms: input.algorithms,
                subject_claim: input.subject_claim,
                groups_claim: input.groups_claim,
                group_mappings: input
                    .group_mappings
                    .into_iter()
                    .map(|m| (m.group, m.role.into()))
                    .collect(),
                created_by: Some(caller.subject.clone()),
            },
        )
        .await;
        let (provider, user_errors) = payload(write.finish(result).await)?;
        Ok(RegisterIdentityProviderPayload {
            identity_provider: provider.map(IdentityProvider),
            user_errors,
        })
    }

    /// Removes an identity provider: its tokens are no longer exchanged.
    /// Requires `members:admin`, as `registerIdentityProvider`.
    #[graphql(guard = "Require::roles(Scope::MembersAdmin, &[Role::Administrator, Role::Partner])")]
    async fn remove_identity_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider to remove.")] input: RemoveIdentityProviderInput,
    ) -> Result<RemoveIdentityProviderPayload> {
        let id = decode_as(&input.id, NodeType::IdentityProvider, "id")?;
        let caller = caller(ctx)?;
        let write = Write::begin(ctx).await?;
        let result = services::identity_providers::remove(write.txn(), caller, id).await;
        let (provider, user_errors) = payload(write.finish(result).await)?;
        Ok(RemoveIdentityProviderPayload {
            identity_provider: provider.map(IdentityProvider),
            user_errors,
        })
    }
}
