//! One-time codes by e-mail: `POST /oauth/code` asks for one, the grant
//! `urn:portalen:params:oauth:grant-type:one-time-code` signs in with it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;
use tracing_actix_web::RequestId;

use super::{
    Outcome, PersonGrant, Target, in_unit, invalid_grant, invalid_request, oauth_error,
    server_error, session_refusal, start_session, system_actor, too_many,
};
use crate::http::auth::AuthState;
use crate::services::one_time_codes::{self, Redeemed};
use crate::services::people;
use crate::services::sessions::Method;
use crate::sign_in::CodeRefusal;

/// Portalen's grant type for a one-time code sent by e-mail.
pub const ONE_TIME_CODE: &str = "urn:portalen:params:oauth:grant-type:one-time-code";

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
    let Target { wanted, scopes } = match Target::of(&grant) {
        Ok(target) => target,
        Err(bad) => return bad.answer(),
    };
    let code = code.to_owned();
    let actor = system_actor("one-time-code", request_id);
    in_unit(
        db,
        auth,
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
            start_session(txn, auth, &membership, Method::OneTimeCode, scopes)
                .await
                .map_err(|e| session_refusal(e, "one-time code"))
        },
    )
    .await
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
