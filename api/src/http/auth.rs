//! The token is checked once, here, at the edge; resolvers read the checked
//! caller from the request context.

use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::http::header;
use sea_orm::DatabaseConnection;

use crate::auth::token::verify;
use crate::auth::{KeyRing, TokenSettings};
use crate::policy::Caller;
use crate::services::{ServiceError, callers};

/// What the edge needs per request: keys to issue and check tokens, and
/// how to set up the request's loaders.
pub struct AuthState {
    pub keys: KeyRing,
    pub tokens: TokenSettings,
    pub access_token_ttl: Duration,
    /// How long a DataLoader waits for more keys before it queries.
    pub loader_batch_window: Duration,
    /// Tokens authenticated a moment ago.
    pub callers: callers::cache::CallerCache,
    /// How people sign in: providers' keys, the code mailer, sessions.
    pub sign_in: std::sync::Arc<crate::sign_in::SignIn>,
}

/// Why a request's credentials were refused.
#[derive(Debug)]
pub enum AuthFailure {
    /// Answered 401 with this reason.
    Unauthenticated(String),
    /// The database failed while checking; answered as an internal error.
    Internal(ServiceError),
}

/// The request's caller: `None` without an `Authorization` header; an error
/// for a header that is not a valid bearer token, never anonymous.
pub async fn caller(
    req: &HttpRequest,
    auth: &AuthState,
    db: &DatabaseConnection,
) -> Result<Option<Caller>, AuthFailure> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AuthFailure::Unauthenticated(
                "the Authorization header must be `Bearer <token>`".to_owned(),
            )
        })?;
    caller_from_token(token, auth, db).await.map(Some)
}

/// The caller a bearer token stands for, checked against the keys and the
/// organisation's current grant.
pub async fn caller_from_token(
    token: &str,
    auth: &AuthState,
    db: &DatabaseConnection,
) -> Result<Caller, AuthFailure> {
    if let Some(caller) = auth.callers.recall(token) {
        return Ok(caller);
    }
    let generation = auth.callers.generation();
    let claims = verify(&auth.keys, &auth.tokens, token).map_err(|e| {
        tracing::info!(reason = %e, "refused a token");
        AuthFailure::Unauthenticated(e.to_string())
    })?;
    match callers::authenticate(db, &claims).await {
        Ok(caller) => {
            auth.callers
                .remember(token, &caller, claims.exp, generation);
            Ok(caller)
        }
        Err(ServiceError::Unauthenticated { reason }) => {
            tracing::info!(%reason, org = %claims.org, "refused a token");
            Err(AuthFailure::Unauthenticated(reason))
        }
        Err(other) => Err(AuthFailure::Internal(other)),
    }
}

/// The request's credentials, checked once per request at extraction: a
/// valid caller, anonymous (no `Authorization` header), or a refusal that
/// the handler answers (so it can charge the address for the try).
pub struct Credentials {
    checked: Checked,
    /// When the check began: the request's timing starts here.
    pub started: std::time::Instant,
}

enum Checked {
    Anonymous,
    Caller(Caller),
    Refused(AuthFailure),
}

impl Credentials {
    /// The caller, `None` when anonymous; the refusal otherwise.
    pub fn into_caller(self) -> Result<Option<Caller>, AuthFailure> {
        match self.checked {
            Checked::Anonymous => Ok(None),
            Checked::Caller(caller) => Ok(Some(caller)),
            Checked::Refused(failure) => Err(failure),
        }
    }
}

impl actix_web::FromRequest for Credentials {
    type Error = std::convert::Infallible;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let started = std::time::Instant::now();
        Box::pin(async move {
            let auth = req.app_data::<actix_web::web::Data<AuthState>>();
            let db = req.app_data::<actix_web::web::Data<DatabaseConnection>>();
            let checked = match (auth, db) {
                (Some(auth), Some(db)) => match caller(&req, auth, db).await {
                    Ok(None) => Checked::Anonymous,
                    Ok(Some(caller)) => Checked::Caller(caller),
                    Err(failure) => Checked::Refused(failure),
                },
                _ => Checked::Refused(AuthFailure::Internal(ServiceError::Database {
                    context: "the server has no authentication state",
                    source: sea_orm::DbErr::Custom("missing app data".to_owned()),
                })),
            };
            Ok(Self { checked, started })
        })
    }
}
