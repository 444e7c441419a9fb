//! Partner organisations: their listing, grants and status.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::PartnerStatus;
use crate::graphql::guards::Require;
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::PartnerOrganisation;
use crate::graphql::write::Write;
use crate::policy::Scope;
use crate::services::{self};

/// Queries about partner organisations.
#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// The partner organisations of the network, in a stable order. Public:
    /// the network's members are no secret.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)")]
    async fn partner_organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<PartnerOrganisation>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::partners::list_partners(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            PartnerOrganisation,
            counted(db, |db| async move {
                services::partners::count_partners(&db).await
            }),
        ))
    }

    /// The partner organisation with this slug; NOT_FOUND if there is none. Public.
    async fn partner_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug, e.g. `vita-hasten`.")] slug: String,
    ) -> Result<Option<PartnerOrganisation>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let row = services::partners::find_partner_by_slug(db(ctx)?, &slug).await?;
        Ok(Some(PartnerOrganisation(row)))
    }
}

/// A partner organisation's new grant.
#[derive(InputObject)]
pub struct SetPartnerGrantInput {
    /// The organisation's slug.
    pub slug: String,
    /// Every scope it is to hold (replaces the grant).
    pub scopes: Vec<String>,
}

/// A partner organisation's new status.
#[derive(InputObject)]
pub struct SetPartnerStatusInput {
    /// The organisation's slug.
    pub slug: String,
    /// `ACTIVE` or `SUSPENDED`.
    pub status: PartnerStatus,
}

/// The result of a change to a partner organisation.
#[derive(SimpleObject)]
pub struct PartnerOrganisationPayload {
    /// The organisation as changed, unless the input was refused.
    pub partner_organisation: Option<PartnerOrganisation>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of partner organisations.
#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Replaces an organisation's grant; its tokens lose any removed scope
    /// on their next request. Requires the administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn set_partner_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: SetPartnerGrantInput,
    ) -> Result<PartnerOrganisationPayload> {
        let write = Write::begin(ctx).await?;
        let result = match services::input::scopes("scopes", &input.scopes) {
            Ok(scopes) => services::partners::set_grant(write.txn(), &input.slug, &scopes).await,
            Err(err) => Err(err),
        };
        let (partner, user_errors) = payload(write.finish(result).await)?;
        Ok(PartnerOrganisationPayload {
            partner_organisation: partner.map(PartnerOrganisation),
            user_errors,
        })
    }

    /// Suspends or reinstates an organisation; a suspended organisation's
    /// tokens and clients are refused from the next request. Requires the
    /// administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn set_partner_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: SetPartnerStatusInput,
    ) -> Result<PartnerOrganisationPayload> {
        let write = Write::begin(ctx).await?;
        let result = services::partners::set_status(
            write.txn(),
            caller(ctx)?,
            &input.slug,
            input.status.into(),
        )
        .await;
        let (partner, user_errors) = payload(write.finish(result).await)?;
        Ok(PartnerOrganisationPayload {
            partner_organisation: partner.map(PartnerOrganisation),
            user_errors,
        })
    }
}
