//! API clients: machine credentials of partner organisations.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::Role as RoleEnum;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::ApiClient;
use crate::graphql::write::Write;
use crate::policy::Scope;
use crate::services::{self};

/// Queries about API clients.
#[derive(Default)]
pub struct ApiClientQuery;

#[Object]
impl ApiClientQuery {
    /// Every API client, revoked ones too. Requires the administrator role
    /// and `partners:admin`.
    #[graphql(
        guard = "Require::read(Kind::ApiClient)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<ApiClient>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::api_clients::list_api_clients(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            ApiClient,
            counted(db, |db| async move {
                services::api_clients::count_api_clients(&db).await
            }),
        ))
    }
}

/// A new API client.
#[derive(InputObject)]
pub struct CreateApiClientInput {
    /// The organisation it belongs to.
    pub partner_slug: String,
    /// What it is for, 1 to 200 characters.
    pub name: String,
    /// `PARTNER` (default) or `ADMINISTRATOR`.
    pub role: Option<RoleEnum>,
    /// The most it may ask for; empty for the organisation's whole grant.
    #[graphql(default)]
    pub scopes: Vec<String>,
}

/// The result of `createApiClient`.
#[derive(SimpleObject)]
pub struct CreateApiClientPayload {
    /// The new client, unless the input was refused.
    pub api_client: Option<ApiClient>,
    /// The client's secret. Shown this once: store it now.
    pub client_secret: Option<String>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Which client to revoke.
#[derive(InputObject)]
pub struct RevokeApiClientInput {
    /// The client's global id.
    pub id: ID,
}

/// The result of `revokeApiClient`.
#[derive(SimpleObject)]
pub struct RevokeApiClientPayload {
    /// The revoked client.
    pub api_client: Option<ApiClient>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of API clients.
#[derive(Default)]
pub struct ApiClientMutation;

#[Object]
impl ApiClientMutation {
    /// Creates an API client for a partner system and returns its secret,
    /// once. Requires the administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client to create; see the input type.")] input: CreateApiClientInput,
    ) -> Result<CreateApiClientPayload> {
        let caller = caller(ctx)?;
        let write = Write::begin(ctx).await?;
        let result = match services::input::scopes("scopes", &input.scopes) {
            Ok(scopes) => {
                services::api_clients::create_api_client(
                    write.txn(),
                    services::api_clients::NewApiClient {
                        partner_slug: input.partner_slug,
                        name: input.name,
                        role: input.role.map_or(crate::policy::Role::Partner, Into::into),
                        scopes,
                        created_by: Some(caller.subject.clone()),
                    },
                )
                .await
            }
            Err(err) => Err(err),
        };
        let result = write
            .finish_with(result, |created| ("api_client", created.client.id))
            .await;
        let (created, user_errors) = payload(result)?;
        let (api_client, client_secret) = match created {
            Some(created) => (Some(ApiClient(created.client)), Some(created.secret)),
            None => (None, None),
        };
        Ok(CreateApiClientPayload {
            api_client,
            client_secret,
            user_errors,
        })
    }

    /// Revokes an API client: its secret stops working at once. Requires the
    /// administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: RevokeApiClientInput,
    ) -> Result<RevokeApiClientPayload> {
        let id = decode_as(&input.id, NodeType::ApiClient, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::api_clients::revoke_api_client(write.txn(), id).await;
        let result = write.finish(result).await;
        // Its tokens stop on the next request, not when they expire: the
        // unit of work forgets remembered callers when it commits.
        let (client, user_errors) = payload(result)?;
        Ok(RevokeApiClientPayload {
            api_client: client.map(ApiClient),
            user_errors,
        })
    }
}
