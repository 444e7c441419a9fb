//! Sessions at the edge: rotating refresh tokens (`grant_type=
//! refresh_token`) and revocation, which signs out (`POST /oauth/revoke`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use tracing_actix_web::RequestId;
use uuid::Uuid;

use super::{
    Outcome, PersonGrant, Target, in_unit, invalid_grant, invalid_request, server_error,
    session_refusal, system_actor,
};
use crate::http::auth::AuthState;
use crate::services::audit::Actor;
use crate::services::sessions::{self, Refreshed};
use crate::unit_of_work::{UnitOfWork, Work};

/// `grant_type=refresh_token` (RFC 6749 section 6), rotating: the token
/// presented is used up and a new one answered; a used one presented again
/// revokes its whole session.
pub async fn refresh(
    grant: PersonGrant,
    auth: &AuthState,
    db: &DatabaseConnection,
    request_id: &RequestId,
) -> HttpResponse {
    let Some(presented) = grant.refresh_token.clone().filter(|t| !t.is_empty()) else {
        return invalid_request("refresh_token is required");
    };
    let Target { wanted, scopes } = match Target::of(&grant) {
        Ok(target) => target,
        Err(bad) => return bad.answer(),
    };
    let actor = system_actor("refresh", request_id);
    in_unit(db, auth, actor, "refresh", false, async move |txn| {
        let refreshed = sessions::refresh(
            txn,
            &auth.keys,
            &auth.tokens,
            &auth.sign_in.settings.sessions,
            &presented,
            wanted,
            scopes.as_deref(),
        )
        .await;
        match refreshed {
            Ok(Refreshed::Rotated(tokens)) => {
                let key = vec![("sign_in_session", tokens.session)];
                Ok((Outcome::Tokens(tokens), key))
            }
            Ok(Refreshed::ReuseDetected { session, person }) => {
                tracing::warn!(%session, %person, "a used refresh token was presented again; the session is revoked");
                let refusal =
                    invalid_grant("the refresh token was already used; the session is revoked");
                Ok((Outcome::Revoked(refusal), vec![("sign_in_session", session)]))
            }
            Err(err) => Err(session_refusal(err, "refresh")),
        }
    })
    .await
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
        let actor = Actor {
            subject: format!("person:{person}"),
            organisation_id: None,
            role: None,
            request_id: Some(request_id.to_string()),
        };
        let work = Work::new(actor, "sign out").forgetting(Some(auth.callers.clone()));
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
