//! API clients: partner systems' credentials for the client-credentials
//! grant. A secret is random, shown once at creation, and stored only as an
//! argon2 hash.

use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{PartnerStatus, StringList, api_client, partner_organisation};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use super::input::required_text;
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::auth::token::{IssuedToken, NewToken, issue};
use crate::auth::{KeyRing, TokenSettings};
use crate::policy::{Role, Scope};

type ApiClient = api_client::Model;

/// A new client and its secret, which is never shown again.
#[derive(Debug, Clone)]
pub struct CreatedClient {
    pub client: ApiClient,
    pub secret: String,
}

/// What it takes to create a client.
#[derive(Debug, Clone)]
pub struct NewApiClient {
    pub partner_slug: String,
    pub name: String,
    pub role: Role,
    /// The most it may ask for; empty for the organisation's whole grant.
    pub scopes: Vec<Scope>,
    pub created_by: Option<String>,
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

fn hash_secret(secret: &str) -> ServiceResult<String> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|_| ServiceError::invalid("secret", "could not salt the secret"))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| ServiceError::invalid("secret", "could not hash the secret"))
}

/// Creates a client for a partner organisation.
#[tracing::instrument(skip(db, input), fields(partner = %input.partner_slug))]
pub async fn create_api_client<C: ConnectionTrait>(
    db: &C,
    input: NewApiClient,
) -> ServiceResult<CreatedClient> {
    if !matches!(input.role, Role::Partner | Role::Administrator) {
        return Err(ServiceError::invalid(
            "role",
            "an API client acts as partner or administrator",
        ));
    }
    let name = required_text("name", &input.name, 200)?;
    let partner_id =
        super::callers::check_grant(db, &input.partner_slug, input.role, &input.scopes).await?;
    let secret = format!("pcs_{}", random_token(32));
    let now = Utc::now();
    let client = api_client::Entity::insert(api_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(format!("pc_{}", random_token(12))),
        secret_hash: Set(hash_secret(&secret)?),
        partner_organisation_id: Set(partner_id),
        name: Set(name),
        role: Set(input.role.as_str().to_owned()),
        allowed_scopes: Set(input
            .scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<StringList>()),
        created_by: Set(input.created_by),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database("failed to insert API client"))?;
    Ok(CreatedClient { client, secret })
}

fn all() -> Select<api_client::Entity> {
    api_client::Entity::find()
}

/// A page of API clients.
pub async fn list_api_clients<C: ConnectionTrait>(
    db: &C,
    page: PageRequest,
) -> ServiceResult<Page<ApiClient>> {
    pagination::fetch_page(
        db,
        all(),
        api_client::Column::Id,
        page,
        "failed to list API clients",
    )
    .await
}

/// One API client by id, if it exists.
pub async fn find_api_client<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> ServiceResult<Option<ApiClient>> {
    api_client::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read API client"))
}

/// How many API clients there are.
pub async fn count_api_clients<C: ConnectionTrait>(db: &C) -> ServiceResult<u64> {
    pagination::count(db, all(), "failed to count API clients").await
}

/// Revokes a client: its secret stops working at once. Revoking twice is
/// harmless and keeps the first revocation time.
#[tracing::instrument(skip(db))]
pub async fn revoke_api_client<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<ApiClient> {
    let client = api_client::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read API client"))?
        .ok_or(ServiceError::NotFound {
            entity: "API client",
        })?;
    if client.revoked_at.is_some() {
        return Ok(client);
    }
    let now = Utc::now();
    let mut active: api_client::ActiveModel = client.into();
    active.revoked_at = Set(Some(now));
    active.updated_at = Set(now);
    api_client::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to revoke API client"))
}

/// A token granted to an API client, and who it was granted to.
#[derive(Debug, Clone)]
pub struct Granted {
    pub issued: IssuedToken,
    /// The client's row id.
    pub client: Uuid,
    /// The client's partner organisation.
    pub organisation: Uuid,
    /// The role its tokens act as.
    pub role: String,
}

/// Why a client-credentials request was refused (RFC 6749 section 5.2).
#[derive(Debug)]
pub enum GrantError {
    /// Unknown client, wrong secret, revoked client or suspended partner.
    InvalidClient,
    /// A requested scope is unknown or beyond what the client may have.
    InvalidScope(String),
    /// The database failed.
    Internal(ServiceError),
}

/// A hash compared against when the client id is unknown, so that unknown
/// ids and wrong secrets take the same time.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| hash_secret(&random_token(32)).ok());

fn secret_matches(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The client-credentials grant: checks the client and issues a token with
/// the requested scopes, or with all it may have when none are requested.
#[tracing::instrument(skip(db, keys, settings, secret, requested))]
pub async fn exchange_client_credentials<C: ConnectionTrait>(
    db: &C,
    keys: &KeyRing,
    settings: &TokenSettings,
    client_id: &str,
    secret: &str,
    requested: Option<&str>,
    ttl: Duration,
) -> Result<Granted, GrantError> {
    let found = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id))
        .find_also_related(partner_organisation::Entity)
        .one(db)
        .await
        .map_err(|e| {
            GrantError::Internal(ServiceError::database("failed to read API client")(e))
        })?;
    let Some((client, Some(partner))) = found else {
        if let Some(dummy) = DUMMY_HASH.as_deref() {
            let _ = secret_matches(secret, dummy);
        }
        return Err(GrantError::InvalidClient);
    };
    if !secret_matches(secret, &client.secret_hash)
        || client.revoked_at.is_some()
        || partner.status != PartnerStatus::Active
    {
        return Err(GrantError::InvalidClient);
    }
    let granted: Vec<&str> = partner
        .granted_scopes
        .as_slice()
        .iter()
        .map(String::as_str)
        .collect();
    let allowed: Vec<&str> = if client.allowed_scopes.as_slice().is_empty() {
        granted.clone()
    } else {
        client
            .allowed_scopes
            .as_slice()
            .iter()
            .map(String::as_str)
            .filter(|s| granted.contains(s))
            .collect()
    };
    let scopes: Vec<&str> = match requested.map(str::trim).filter(|r| !r.is_empty()) {
        None => allowed.clone(),
        Some(requested) => {
            let mut scopes = Vec::new();
            for name in requested.split_whitespace() {
                if Scope::parse(name).is_none() || !allowed.contains(&name) {
                    return Err(GrantError::InvalidScope(format!(
                        "the client may not have {name}"
                    )));
                }
                if !scopes.contains(&name) {
                    scopes.push(name);
                }
            }
            scopes
        }
    };
    let subject = format!("client:{}", client.client_id);
    let issued = issue(
        keys,
        settings,
        &NewToken {
            subject: &subject,
            organisation: &partner.slug,
            role: &client.role,
            scopes,
            ttl,
            client_id: Some(&client.client_id),
        },
    )
    .map_err(|_| {
        GrantError::Internal(ServiceError::invalid("token", "could not sign the token"))
    })?;
    Ok(Granted {
        issued,
        client: client.id,
        organisation: partner.id,
        role: client.role,
    })
}

/// Records that client `id` was just granted a token (its `lastUsedAt`);
/// run in the grant's unit of work, which audits it.
pub async fn record_use<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<ApiClient> {
    let client = api_client::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read API client"))?
        .ok_or(ServiceError::NotFound {
            entity: "API client",
        })?;
    let mut active: api_client::ActiveModel = client.into();
    active.last_used_at = Set(Some(Utc::now()));
    api_client::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to record API client use"))
}
