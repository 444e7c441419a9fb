//! `POST /oauth/token` (OAuth 2.0 client-credentials grant, RFC 6749
//! section 4.4, and people's grants in [`super::sign_in`]) and the public
//! keys at `GET /.well-known/jwks.json`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;

use tracing_actix_web::RequestId;

use super::auth::AuthState;
use super::sign_in::{self, PersonGrant, oauth_error};
use crate::auth::token::IssuedToken;
use crate::services::api_clients::{self, GrantError, Granted, exchange_client_credentials};
use crate::services::audit::Actor;
use crate::unit_of_work::{UnitOfWork, Work};

/// The public verification keys, for anyone checking our tokens.
pub async fn jwks(auth: web::Data<AuthState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(auth.keys.jwks())
}

/// The form of a token request: the client-credentials grant's fields and
/// people's grants' (see [`sign_in`]).
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    requested_token_type: Option<String>,
    refresh_token: Option<String>,
    email: Option<String>,
    code: Option<String>,
    membership: Option<String>,
}

/// Client credentials from HTTP Basic (preferred by RFC 6749) if present.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The token endpoint: a client's id and secret, a partner identity
/// provider's token, a one-time code or a refresh token, for a short-lived
/// access token.
pub async fn token(
    req: HttpRequest,
    form: Result<web::Form<TokenRequest>, actix_web::Error>,
    auth: web::Data<AuthState>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    use actix_web::http::StatusCode;
    let Ok(form) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send application/x-www-form-urlencoded with grant_type, client_id and client_secret",
        );
    };
    let form = form.into_inner();
    let person_grant = || PersonGrant {
        subject_token: form.subject_token.clone(),
        subject_token_type: form.subject_token_type.clone(),
        requested_token_type: form.requested_token_type.clone(),
        refresh_token: form.refresh_token.clone(),
        email: form.email.clone(),
        code: form.code.clone(),
        membership: form.membership.clone(),
        scope: form.scope.clone(),
    };
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(sign_in::exchange::TOKEN_EXCHANGE) => {
            return sign_in::exchange::token_exchange(
                person_grant(),
                &auth,
                db.get_ref(),
                &request_id,
            )
            .await;
        }
        Some(sign_in::codes::ONE_TIME_CODE) => {
            return sign_in::codes::one_time_code(
                &req,
                person_grant(),
                &auth,
                db.get_ref(),
                &request_id,
            )
            .await;
        }
        Some("refresh_token") => {
            return sign_in::sessions::refresh(person_grant(), &auth, db.get_ref(), &request_id)
                .await;
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type is one of client_credentials, refresh_token, \
                 urn:ietf:params:oauth:grant-type:token-exchange and \
                 urn:portalen:params:oauth:grant-type:one-time-code",
            );
        }
    }
    let (client_id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(basic), None, None) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "give the client credentials once: in the form or with HTTP Basic",
            );
        }
    };
    let result = exchange_client_credentials(
        db.get_ref(),
        &auth.keys,
        &auth.tokens,
        &client_id,
        &secret,
        form.scope.as_deref(),
        auth.access_token_ttl,
    )
    .await;
    let result = match result {
        Ok(granted) => record_grant(db.get_ref(), granted, &request_id)
            .await
            .map_err(GrantError::Internal),
        Err(refused) => Err(refused),
    };
    match result {
        Ok(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(json!({
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.claims.scope,
            })),
        Err(GrantError::InvalidClient) => {
            tracing::info!("refused client credentials");
            oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            )
        }
        Err(GrantError::InvalidScope(description)) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &description)
        }
        Err(GrantError::Internal(err)) => {
            tracing::error!(error = ?err, "client-credentials grant failed");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal server error",
            )
        }
    }
}

/// Records the grant in its unit of work (the client's `lastUsedAt`, and an
/// audit event by the client, `client_credentials grant`): no token leaves
/// without its record.
async fn record_grant(
    db: &DatabaseConnection,
    granted: Granted,
    request_id: &RequestId,
) -> Result<IssuedToken, crate::services::ServiceError> {
    let actor = Actor {
        subject: granted.issued.claims.sub.clone(),
        organisation_id: Some(granted.organisation),
        role: Some(granted.role.clone()),
        request_id: Some(request_id.to_string()),
    };
    let fields = vec!["scope".to_owned()];
    let work = Work::new(actor, "client_credentials grant").fields(fields);
    let unit = UnitOfWork::begin(db, work).await?;
    let result = api_clients::record_use(unit.txn(), granted.client).await;
    unit.finish(result).await?;
    Ok(granted.issued)
}
