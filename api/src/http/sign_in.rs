//! People's grants at `POST /oauth/token`: the token exchange (RFC 8693)
//! of a partner identity provider's token, the one-time code grant, and
//! refresh tokens with rotation and reuse detection; `POST /oauth/code`
//! asks for a code; `POST /oauth/revoke` (RFC 7009) signs out.

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
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
use crate::services::identity_providers::{self, ExchangeError};
use crate::services::one_time_codes::{self, Redeemed};
use crate::services::sessions::{self, Method, Refreshed, SessionError, SessionTokens};
use crate::services::{ServiceError, people};
use crate::sign_in::CodeRefusal;
use crate::unit_of_work::{UnitOfWork, Work};

/// The grant type of the token exchange (RFC 8693 section 2.1).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Portalen's grant type for a one-time code sent by e-mail.
pub const ONE_TIME_CODE: &str = "urn:portalen:params:oauth:grant-type:one-time-code";
/// Subject token types a provider's token may be sent as.
const SUBJECT_TOKEN_TYPES: &[&str] = &[
    "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:access_token",
];

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

fn person_actor(person: Uuid, organisation: Option<Uuid>, request_id: &RequestId) -> Actor {
    Actor {
        subject: format!("person:{person}"),
        organisation_id: organisation,
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

/// What a unit of work of a sign-in ends with: tokens to answer, a refusal
/// to commit anyway (a counted attempt, a revoked family), or one to roll
/// back.
enum Outcome {
    Tokens(Box<SessionTokens>),
    Refused(HttpResponse),
}

/// Runs `body` in a unit of work audited as `operation` by `actor`, and
/// answers. Refusals that change data (an attempt counted, a session
/// revoked) are committed too.
async fn in_unit(
    db: &DatabaseConnection,
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
            Err(err) => server_error(&err, operation),
        },
    }
}

/// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.
pub async fn token_exchange(
    grant: PersonGrant,
    auth: &AuthState,
    db: &DatabaseConnection,
    request_id: &RequestId,
) -> HttpResponse {
    let Some(subject_token) = grant.subject_token.as_deref().filter(|t| !t.is_empty()) else {
        return invalid_request("subject_token is required");
    };
    match grant.subject_token_type.as_deref() {
        Some(kind) if SUBJECT_TOKEN_TYPES.contains(&kind) => {}
        _ => {
            return invalid_request(
                "subject_token_type must be urn:ietf:params:oauth:token-type:id_token, :jwt or :access_token",
            );
        }
    }
    if grant
        .requested_token_type
        .as_deref()
        .is_some_and(|t| t != "urn:ietf:params:oauth:token-type:access_token")
    {
        return invalid_request("only an access token can be requested");
    }
    let wanted = match membership_id(grant.membership.as_deref()) {
        Ok(wanted) => wanted,
        Err(refusal) => return refusal.answer(),
    };
    let scopes = match requested_scopes(grant.scope.as_deref()) {
        Ok(scopes) => scopes,
        Err(refusal) => return refusal.answer(),
    };
    let actor = Actor {
        subject: "system:token-exchange".to_owned(),
        organisation_id: None,
        role: None,
        request_id: Some(request_id.to_string()),
    };
    let sign_in = auth.sign_in.clone();
    let keys = &auth.keys;
    let tokens = &auth.tokens;
    let refused = |err: ExchangeError| match err {
        ExchangeError::InvalidGrant(reason) => {
            tracing::info!(%reason, "refused a token exchange");
            invalid_grant(&reason)
        }
        ExchangeError::Internal(err) => server_error(&err, "token exchange"),
    };
    // Checked before the unit of work begins: fetching the provider's keys
    // must not hold a transaction open.
    let verified = match identity_providers::verify(db, &sign_in.provider_keys, subject_token).await
    {
        Ok(verified) => verified,
        Err(err) => return refused(err),
    };
    in_unit(
        db,
        actor,
        "sign in (token exchange)",
        true,
        async move |txn| {
            let membership = identity_providers::membership_for(txn, &verified, wanted)
                .await
                .map_err(refused)?;
            let started = sessions::start(
                txn,
                keys,
                tokens,
                &sign_in.settings.sessions,
                &membership,
                Method::TokenExchange,
                scopes.as_deref(),
            )
            .await
            .map_err(|e| session_refusal(e, "token exchange"))?;
            let key = vec![("sign_in_session", started.session)];
            Ok((Outcome::Tokens(Box::new(started)), key))
        },
    )
    .await
}

/// `grant_type=urn:portalen:params:oauth:grant-type:one-time-code`.
pub async fn one_time_code(
    req: &HttpRequest,
    grant: PersonGrant,
    auth: &AuthState,
    db: &DatabaseConnection,
    request_id: &RequestId,
) -> HttpResponse {
    let sign_in = auth.sign_in.clone();
    if !sign_in.codes_enabled() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "sign-in by one-time code is not configured on this server",
        );
    }
    if !sign_in.allow_client(req.peer_addr().map(|a| a.ip())) {
        return too_many();
    }
    let (Some(email), Some(code)) = (grant.email.as_deref(), grant.code.as_deref()) else {
        return invalid_request("email and code are required");
    };
    let Ok(email) = people::person_email(email) else {
        return invalid_grant("the code is wrong, used or expired");
    };
    let wanted = match membership_id(grant.membership.as_deref()) {
        Ok(wanted) => wanted,
        Err(refusal) => return refusal.answer(),
    };
    let scopes = match requested_scopes(grant.scope.as_deref()) {
        Ok(scopes) => scopes,
        Err(refusal) => return refusal.answer(),
    };
    let code = code.to_owned();
    let actor = Actor {
        subject: "system:one-time-code".to_owned(),
        organisation_id: None,
        role: None,
        request_id: Some(request_id.to_string()),
    };
    let keys = &auth.keys;
    let tokens = &auth.tokens;
    in_unit(
        db,
        actor,
        "sign in (one-time code)",
        false,
        async move |txn| {
            let person = match one_time_codes::redeem(txn, &email, &code).await {
                Ok(Redeemed::Person(person)) => person,
                Ok(Redeemed::Refused(reason)) => {
                    tracing::info!(%reason, "refused a one-time code");
                    // Committed, unaudited: the attempt counts.
                    let refusal = invalid_grant("the code is wrong, used or expired");
                    return Ok((Outcome::Refused(refusal), Vec::new()));
                }
                Err(err) => return Err(server_error(&err, "one-time code")),
            };
            let memberships = people::active_memberships_of(txn, person.id)
                .await
                .map_err(|e| server_error(&e, "one-time code"))?;
            let membership = match wanted {
                Some(wanted) => memberships.into_iter().find(|m| m.id == wanted),
                None => memberships.into_iter().next(),
            }
            .ok_or_else(|| invalid_grant("the person has no such active membership"))?;
            let started = sessions::start(
                txn,
                keys,
                tokens,
                &sign_in.settings.sessions,
                &membership,
                Method::OneTimeCode,
                scopes.as_deref(),
            )
            .await
            .map_err(|e| session_refusal(e, "one-time code"))?;
            let key = vec![("sign_in_session", started.session)];
            Ok((Outcome::Tokens(Box::new(started)), key))
        },
    )
    .await
}

/// `grant_type=refresh_token` (RFC 6749 section 6), rotating: the token
/// presented is used up and a new one answered; a used one presented again
/// revokes its whole session.
pub async fn refresh(
    grant: PersonGrant,
    auth: &AuthState,
    db: &DatabaseConnection,
    request_id: &RequestId,
) -> HttpResponse {
    let Some(presented) = grant.refresh_token.filter(|t| !t.is_empty()) else {
        return invalid_request("refresh_token is required");
    };
    let wanted = match membership_id(grant.membership.as_deref()) {
        Ok(wanted) => wanted,
        Err(refusal) => return refusal.answer(),
    };
    let scopes = match requested_scopes(grant.scope.as_deref()) {
        Ok(scopes) => scopes,
        Err(refusal) => return refusal.answer(),
    };
    let actor = Actor {
        subject: "system:refresh".to_owned(),
        organisation_id: None,
        role: None,
        request_id: Some(request_id.to_string()),
    };
    let sign_in = auth.sign_in.clone();
    let keys = &auth.keys;
    let tokens = &auth.tokens;
    let reused = std::cell::Cell::new(false);
    let reused_flag = &reused;
    let refreshed = in_unit(db, actor, "refresh", false, async move |txn| {
        match sessions::refresh(
            txn,
            keys,
            tokens,
            &sign_in.settings.sessions,
            &presented,
            wanted,
            scopes.as_deref(),
        )
        .await
        {
            Ok(Refreshed::Rotated(tokens)) => {
                let key = vec![("sign_in_session", tokens.session)];
                Ok((Outcome::Tokens(tokens), key))
            }
            Ok(Refreshed::ReuseDetected { session, person }) => {
                tracing::warn!(%session, %person, "a used refresh token was presented again; the session is revoked");
                reused_flag.set(true);
                let refusal = invalid_grant("the refresh token was already used; the session is revoked");
                Ok((Outcome::Refused(refusal), vec![("sign_in_session", session)]))
            }
            Err(err) => Err(session_refusal(err, "refresh")),
        }
    })
    .await;
    if reused.get() {
        // A revoked family's access tokens stop at once, not when
        // remembered callers expire.
        auth.callers.forget();
    }
    refreshed
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

/// The form of a code request.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    email: Option<String>,
}

/// `POST /oauth/code`: sends a one-time code to the address, if Portalen
/// knows it. The answer is the same either way.
pub async fn request_code(
    req: HttpRequest,
    form: Result<web::Form<CodeForm>, actix_web::Error>,
    auth: web::Data<AuthState>,
    request_id: RequestId,
) -> HttpResponse {
    let Ok(form) = form else {
        return invalid_request("send application/x-www-form-urlencoded with email");
    };
    let Some(email) = form.into_inner().email else {
        return invalid_request("email is required");
    };
    let Ok(email) = people::person_email(&email) else {
        return invalid_request("email is not an e-mail address");
    };
    if !auth.sign_in.allow_client(req.peer_addr().map(|a| a.ip())) {
        return too_many();
    }
    match auth.sign_in.request_code(email, request_id.to_string()) {
        Ok(()) => HttpResponse::Accepted()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({
                "status": "sent if known",
                "description": "if the address belongs to someone Portalen knows, a code is on its way; it works once, for ten minutes",
            })),
        Err(CodeRefusal::TooMany) => too_many(),
        Err(CodeRefusal::Off) => oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "sign-in by one-time code is not configured on this server",
        ),
    }
}

/// The form of a revocation request (RFC 7009 section 2.1).
#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    token: Option<String>,
    #[expect(dead_code, reason = "RFC 7009 allows it; the token says what it is")]
    token_type_hint: Option<String>,
}

/// `POST /oauth/revoke`: revokes the session a refresh token (or a
/// person's access token) belongs to: signing out. As RFC 7009 asks, an
/// unknown or already revoked token is answered 200 too.
pub async fn revoke(
    form: Result<web::Form<RevokeForm>, actix_web::Error>,
    auth: web::Data<AuthState>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let Ok(form) = form else {
        return invalid_request("send application/x-www-form-urlencoded with token");
    };
    let Some(token) = form.into_inner().token.filter(|t| !t.is_empty()) else {
        return invalid_request("token is required");
    };
    let session = if token.starts_with("prt_") {
        match sessions::session_of_refresh_token(db.get_ref(), &token).await {
            Ok(found) => found.map(|s| (s.id, s.person_id)),
            Err(err) => return server_error(&err, "revocation"),
        }
    } else {
        // A person's access token, checked as at the edge: its session.
        crate::auth::token::verify(&auth.keys, &auth.tokens, &token)
            .ok()
            .and_then(|claims| {
                let session = Uuid::parse_str(claims.sid.as_deref()?).ok()?;
                let person = Uuid::parse_str(claims.sub.strip_prefix("person:")?).ok()?;
                Some((session, person))
            })
    };
    if let Some((session, person)) = session {
        let work = Work::new(person_actor(person, None, &request_id), "sign out")
            .forgetting(Some(auth.callers.clone()));
        let unit = match UnitOfWork::begin(db.get_ref(), work).await {
            Ok(unit) => unit,
            Err(err) => return server_error(&err, "revocation"),
        };
        let revoked = sessions::revoke_session(unit.txn(), session, "sign_out").await;
        if let Err(err) = unit
            .finish_with(revoked, |_| ("sign_in_session", session))
            .await
        {
            return server_error(&err, "revocation");
        }
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
