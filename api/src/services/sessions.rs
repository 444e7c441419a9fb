//! Sign-in sessions of people: each is one membership and one family of
//! rotating refresh tokens (OAuth 2.0 Security Best Current Practice, section
//! 4.14): every refresh token is used once and replaced; a used one
//! presented again means it was stolen or replayed, and revokes the whole
//! session, whose access tokens then stop on their next request.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{
    MembershipStatus, PartnerStatus, membership, partner_organisation, refresh_token,
    sign_in_session,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::auth::token::{IssuedToken, NewToken, PersonToken, issue_with};
use crate::auth::{KeyRing, TokenSettings};
use crate::policy::{Role, Scope, actions};

/// How long tokens of people live.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// An access token's life: short, since it is a bearer token.
    pub access_token_ttl: Duration,
    /// A refresh token's life, each one.
    pub refresh_token_ttl: Duration,
    /// A session's whole life, however often refreshed.
    pub session_ttl: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// How a session began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    OneTimeCode,
    TokenExchange,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::OneTimeCode => "one_time_code",
            Method::TokenExchange => "token_exchange",
        }
    }
}

/// What a sign-in or a refresh answers: an access token and the refresh
/// token that replaces the one used.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    pub access: IssuedToken,
    pub refresh_token: String,
    pub session: Uuid,
    /// The membership signed in to (its person is the session's).
    pub membership: membership::Model,
}

/// Why a session could not be started or refreshed.
#[derive(Debug)]
pub enum SessionError {
    /// The grant (refresh token, code, provider token) is invalid, used,
    /// expired or revoked, or its membership no longer in force
    /// (`invalid_grant`).
    InvalidGrant(String),
    /// A scope asked for is beyond the role or the grant (`invalid_scope`).
    InvalidScope(String),
    /// The database or the signing failed.
    Internal(ServiceError),
}

impl From<ServiceError> for SessionError {
    fn from(err: ServiceError) -> Self {
        SessionError::Internal(err)
    }
}

/// The hex SHA-256 of a refresh token: what is stored. Refresh tokens are
/// 256 random bits, so a fast hash suffices (nothing to guess from it).
fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("prt_{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(30))
}

/// The membership's organisation if it may sign in now: active, and (for
/// an administrator membership) still allowed administrators.
async fn organisation_in_force<C: ConnectionTrait>(
    db: &C,
    membership: &membership::Model,
) -> Result<partner_organisation::Model, SessionError> {
    let organisation = partner_organisation::Entity::find_by_id(membership.partner_organisation_id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read an organisation"))?
        .ok_or_else(|| SessionError::InvalidGrant("the organisation is unknown".to_owned()))?;
    if organisation.status != PartnerStatus::Active {
        return Err(SessionError::InvalidGrant(
            "the organisation is suspended".to_owned(),
        ));
    }
    if membership.status != MembershipStatus::Active {
        return Err(SessionError::InvalidGrant(
            "the membership has ended".to_owned(),
        ));
    }
    Ok(organisation)
}

/// Signs an access token for `membership` in `session`.
fn sign(
    keys: &KeyRing,
    settings: &TokenSettings,
    ttl: Duration,
    organisation: &partner_organisation::Model,
    membership: &membership::Model,
    session: Uuid,
    scopes: &[Scope],
) -> Result<IssuedToken, SessionError> {
    let role = Role::of_membership(membership.role);
    let subject = format!("person:{}", membership.person_id);
    issue_with(
        keys,
        settings,
        &NewToken {
            subject: &subject,
            organisation: &organisation.slug,
            role: role.as_str(),
            scopes: scopes.iter().map(|s| s.as_str()).collect(),
            ttl,
            client_id: None,
        },
        Some(PersonToken {
            membership_id: membership.id,
            session_id: session,
        }),
    )
    .map_err(|_| SessionError::Internal(ServiceError::invalid("token", "could not sign the token")))
}

fn scopes_for(
    membership: &membership::Model,
    organisation: &partner_organisation::Model,
    requested: Option<&[Scope]>,
) -> Result<Vec<Scope>, SessionError> {
    let granted = super::partners::granted(organisation);
    let role = Role::of_membership(membership.role);
    if !actions::role_allowed_by_grant(role, granted.iter().copied()) {
        return Err(SessionError::InvalidGrant(
            "the organisation may not have administrators".to_owned(),
        ));
    }
    actions::person_token_scopes(role, &granted, requested).map_err(|scope| {
        SessionError::InvalidScope(format!("this membership may not have {}", scope.as_str()))
    })
}

async fn insert_refresh_token<C: ConnectionTrait>(
    db: &C,
    session: Uuid,
    settings: &SessionSettings,
    session_expires: chrono::DateTime<Utc>,
) -> ServiceResult<String> {
    let token = new_refresh_token();
    let now = Utc::now();
    let expires = (now + chrono_duration(settings.refresh_token_ttl)).min(session_expires);
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session),
        token_hash: Set(hash(&token)),
        expires_at: Set(expires),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .map_err(ServiceError::database("failed to store a refresh token"))?;
    Ok(token)
}

/// Starts a session of `membership` (which the sign-in has shown to be the
/// person's): a new family of refresh tokens and an access token.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    keys: &KeyRing,
    tokens: &TokenSettings,
    settings: &SessionSettings,
    membership: &membership::Model,
    method: Method,
    requested: Option<&[Scope]>,
) -> Result<SessionTokens, SessionError> {
    let organisation = organisation_in_force(db, membership).await?;
    let scopes = scopes_for(membership, &organisation, requested)?;
    let now = Utc::now();
    let expires = now + chrono_duration(settings.session_ttl);
    let session = Uuid::now_v7();
    sign_in_session::Entity::insert(sign_in_session::ActiveModel {
        id: Set(session),
        person_id: Set(membership.person_id),
        membership_id: Set(membership.id),
        method: Set(method.as_str().to_owned()),
        created_at: Set(now),
        expires_at: Set(expires),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    })
    .exec_without_returning(db)
    .await
    .map_err(ServiceError::database("failed to start a session"))?;
    let refresh_token = insert_refresh_token(db, session, settings, expires).await?;
    let access = sign(
        keys,
        tokens,
        settings.access_token_ttl,
        &organisation,
        membership,
        session,
        &scopes,
    )?;
    Ok(SessionTokens {
        access,
        refresh_token,
        session,
        membership: membership.clone(),
    })
}

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// Rotated: new tokens, the old refresh token used up.
    Rotated(Box<SessionTokens>),
    /// The token was already used: its session is now revoked (commit
    /// this), and the request is refused.
    ReuseDetected { session: Uuid, person: Uuid },
}

/// Uses a refresh token once: marks it used in one conditional statement
/// (of two racing uses, one wins and the other is a reuse) and issues its
/// successor in the same session. `switch_to` moves the session to another
/// active membership of the same person (switching organisation).
pub async fn refresh<C: ConnectionTrait>(
    db: &C,
    keys: &KeyRing,
    tokens: &TokenSettings,
    settings: &SessionSettings,
    presented: &str,
    switch_to: Option<Uuid>,
    requested: Option<&[Scope]>,
) -> Result<Refreshed, SessionError> {
    let invalid = || SessionError::InvalidGrant("the refresh token is invalid".to_owned());
    let hashed = hash(presented);
    let now = Utc::now();
    let live_sessions = Query::select()
        .column(sign_in_session::Column::Id)
        .from(sign_in_session::Entity)
        .and_where(sign_in_session::Column::RevokedAt.is_null())
        .and_where(sign_in_session::Column::ExpiresAt.gt(now))
        .to_owned();
    let used = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::TokenHash.eq(hashed.as_str()))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .filter(refresh_token::Column::SessionId.in_subquery(live_sessions))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to use a refresh token"))?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hashed.as_str()))
        .find_also_related(sign_in_session::Entity)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a refresh token"))?;
    let Some((row, Some(session))) = row else {
        return Err(invalid());
    };
    if used.rows_affected != 1 {
        if row.used_at.is_some() && session.revoked_at.is_none() {
            revoke_session(db, session.id, "refresh_token_reuse").await?;
            return Ok(Refreshed::ReuseDetected {
                session: session.id,
                person: session.person_id,
            });
        }
        return Err(invalid());
    }
    let membership_id = switch_to.unwrap_or(session.membership_id);
    let membership = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::PersonId.eq(session.person_id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a membership"))?
        .ok_or_else(|| {
            SessionError::InvalidGrant("no such membership of this person".to_owned())
        })?;
    let organisation = organisation_in_force(db, &membership).await?;
    let scopes = scopes_for(&membership, &organisation, requested)?;
    if membership.id != session.membership_id {
        sign_in_session::Entity::update_many()
            .col_expr(
                sign_in_session::Column::MembershipId,
                Expr::value(membership.id),
            )
            .filter(sign_in_session::Column::Id.eq(session.id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to switch a session"))?;
    }
    let refresh_token = insert_refresh_token(db, session.id, settings, session.expires_at).await?;
    let access = sign(
        keys,
        tokens,
        settings.access_token_ttl,
        &organisation,
        &membership,
        session.id,
        &scopes,
    )?;
    Ok(Refreshed::Rotated(Box::new(SessionTokens {
        access,
        refresh_token,
        session: session.id,
        membership,
    })))
}

/// Revokes the sessions `which` holds for that are not revoked yet: their
/// refresh tokens stop at once, their access tokens on their next request.
/// Revoking twice keeps the first time and reason.
async fn revoke<C: ConnectionTrait>(
    db: &C,
    which: impl sea_orm::sea_query::IntoCondition,
    reason: &str,
) -> ServiceResult<u64> {
    sign_in_session::Entity::update_many()
        .col_expr(sign_in_session::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(sign_in_session::Column::RevokedReason, Expr::value(reason))
        .filter(which)
        .filter(sign_in_session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map(|r| r.rows_affected)
        .map_err(ServiceError::database("failed to revoke sessions"))
}

/// Revokes a session (signed out, or a refresh token reused).
pub async fn revoke_session<C: ConnectionTrait>(
    db: &C,
    session: Uuid,
    reason: &str,
) -> ServiceResult<u64> {
    revoke(db, sign_in_session::Column::Id.eq(session), reason).await
}

/// Revokes every session of a membership (it ended).
pub async fn revoke_sessions_of_membership<C: ConnectionTrait>(
    db: &C,
    membership: Uuid,
    reason: &str,
) -> ServiceResult<u64> {
    revoke(
        db,
        sign_in_session::Column::MembershipId.eq(membership),
        reason,
    )
    .await
}

/// The session a refresh token belongs to (used or not), for revocation
/// (RFC 7009): `None` for a token Portalen never issued.
pub async fn session_of_refresh_token<C: ConnectionTrait>(
    db: &C,
    presented: &str,
) -> ServiceResult<Option<sign_in_session::Model>> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash(presented)))
        .find_also_related(sign_in_session::Entity)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a refresh token"))?;
    Ok(row.and_then(|(_, session)| session))
}
