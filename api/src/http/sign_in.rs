//! People signing in at the edge: what the three grants of `POST
//! /oauth/token` share (the form, the answers, the unit of work a sign-in
//! runs in), and, one file each, the token exchange of a partner identity
//! provider's token (RFC 8693, [`exchange`]), one-time codes by e-mail
//! (`POST /oauth/code` and their grant, [`codes`]), and sessions: rotating
//! refresh tokens and `POST /oauth/revoke` (RFC 7009, [`sessions`]).

pub mod codes;
pub mod exchange;
pub mod sessions;

use std::str::FromStr;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use async_graphql::ID;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;
use tracing_actix_web::RequestId;
use uuid::Uuid;

use super::auth::AuthState;
use crate::graphql::ids::{self, NodeType};
use crate::policy::Scope;
use crate::services::audit::Actor;
use crate::services::sessions::{Method, SessionError, SessionTokens};
use crate::services::{self, ServiceError};
use crate::unit_of_work::{UnitOfWork, Work};

/// The fields of people's grants.
#[derive(Debug, Default, Deserialize)]
pub struct PersonGrant {
    pub subject_token: Option<String>,
    pub subject_token_type: Option<String>,
    pub requested_token_type: Option<String>,
    pub refresh_token: Option<String>,
    pub email: Option<String>,
    pub code: Option<String>,
    /// The membership to sign in to (its global id or UUID); default the
    /// person's oldest active one.
    pub membership: Option<String>,
    pub scope: Option<String>,
}

/// An OAuth error answer (RFC 6749 section 5.2), never cached.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="portalen""#));
    }
    response.json(json!({ "error": error, "error_description": description }))
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_grant(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn server_error(err: &ServiceError, what: &str) -> HttpResponse {
    tracing::error!(error = ?err, "{what} failed");
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "internal server error",
    )
}

/// A refusal of a request's form, answered as an OAuth error.
#[derive(Debug)]
struct BadForm {
    error: &'static str,
    description: String,
}

impl BadForm {
    fn answer(self) -> HttpResponse {
        oauth_error(StatusCode::BAD_REQUEST, self.error, &self.description)
    }
}

/// What every person's grant may name: the membership to sign in to
/// (default the person's oldest active one) and the scopes wanted
/// (default all the membership may have).
struct Target {
    wanted: Option<Uuid>,
    scopes: Option<Vec<Scope>>,
}

impl Target {
    fn of(grant: &PersonGrant) -> Result<Self, BadForm> {
        Ok(Self {
            wanted: membership_id(grant.membership.as_deref())?,
            scopes: requested_scopes(grant.scope.as_deref())?,
        })
    }
}

fn membership_id(raw: Option<&str>) -> Result<Option<Uuid>, BadForm> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => Uuid::from_str(raw)
            .ok()
            .or_else(|| match ids::decode(&ID(raw.to_owned())) {
                Some((NodeType::Membership, id)) => Some(id),
                _ => None,
            })
            .map(Some)
            .ok_or_else(|| BadForm {
                error: "invalid_request",
                description: "membership is not a membership's id".to_owned(),
            }),
    }
}

fn requested_scopes(raw: Option<&str>) -> Result<Option<Vec<Scope>>, BadForm> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => raw
            .split_whitespace()
            .map(|name| {
                Scope::parse(name).ok_or_else(|| BadForm {
                    error: "invalid_scope",
                    description: format!("unknown scope {name}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

fn tokens_answer(tokens: &SessionTokens, exchange: bool) -> HttpResponse {
    let mut body = json!({
        "access_token": tokens.access.token,
        "token_type": "Bearer",
        "expires_in": tokens.access.expires_in,
        "scope": tokens.access.claims.scope,
        "refresh_token": tokens.refresh_token,
        "membership": ids::encode(NodeType::Membership, tokens.membership.id).0,
    });
    if exchange {
        body["issued_token_type"] = json!("urn:ietf:params:oauth:token-type:access_token");
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// The actor a sign-in's unit of work is audited as: the grant, since the
/// person is known only inside it (the session it records names them).
fn system_actor(grant: &str, request_id: &RequestId) -> Actor {
    Actor {
        subject: format!("system:{grant}"),
        organisation_id: None,
        role: None,
        request_id: Some(request_id.to_string()),
    }
}

fn session_refusal(err: SessionError, what: &str) -> HttpResponse {
    match err {
        SessionError::InvalidGrant(reason) => {
            tracing::info!(%reason, "refused a {what}");
            invalid_grant(&reason)
        }
        SessionError::InvalidScope(reason) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &reason)
        }
        SessionError::Internal(err) => server_error(&err, what),
    }
}

/// What a unit of work of a sign-in ends with (a refusal to roll back is
/// its `Err`): committed, each of these.
enum Outcome {
    /// Signed in: the tokens to answer.
    Tokens(Box<SessionTokens>),
    /// Refused, with a change that must stand (an attempt counted).
    Refused(HttpResponse),
    /// Refused, a session revoked: the server's remembered callers are
    /// forgotten too, so its access tokens stop at once.
    Revoked(HttpResponse),
}

/// Starts a session of `membership`: what the token exchange and the code
/// grant end with.
async fn start_session(
    txn: &sea_orm::DatabaseTransaction,
    auth: &AuthState,
    membership: &entity::membership::Model,
    method: Method,
    scopes: Option<Vec<Scope>>,
) -> Result<(Outcome, Vec<(&'static str, Uuid)>), SessionError> {
    let started = services::sessions::start(
        txn,
        &auth.keys,
        &auth.tokens,
        &auth.sign_in.settings.sessions,
        membership,
        method,
        scopes.as_deref(),
    )
    .await?;
    let key = vec![("sign_in_session", started.session)];
    Ok((Outcome::Tokens(Box::new(started)), key))
}

/// Runs `body` in a unit of work audited as `operation` by `actor`, and
/// answers. Refusals that change data (an attempt counted, a session
/// revoked) are committed too.
async fn in_unit(
    db: &DatabaseConnection,
    auth: &AuthState,
    actor: Actor,
    operation: &str,
    exchange: bool,
    body: impl AsyncFnOnce(
        &sea_orm::DatabaseTransaction,
    ) -> Result<(Outcome, Vec<(&'static str, Uuid)>), HttpResponse>,
) -> HttpResponse {
    let unit = match UnitOfWork::begin(db, Work::new(actor, operation)).await {
        Ok(unit) => unit,
        Err(err) => return server_error(&err, operation),
    };
    let result = body(unit.txn()).await;
    match result {
        Err(refusal) => {
            unit.abandon().await;
            refusal
        }
        Ok((outcome, keys)) => match unit.finish_each(Ok(outcome), |_| keys).await {
            Ok(Outcome::Tokens(tokens)) => tokens_answer(&tokens, exchange),
            Ok(Outcome::Refused(refusal)) => refusal,
            Ok(Outcome::Revoked(refusal)) => {
                auth.callers.forget();
                refusal
            }
            Err(err) => server_error(&err, operation),
        },
    }
}

fn too_many() -> HttpResponse {
    HttpResponse::TooManyRequests()
        .insert_header((header::RETRY_AFTER, "60"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "error": "slow_down",
            "error_description": "too many requests; try again later",
        }))
}
