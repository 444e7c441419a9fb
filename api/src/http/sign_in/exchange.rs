//! The token exchange (RFC 8693): a partner identity provider's token for
//! a session of one of its organisation's memberships.

use actix_web::HttpResponse;
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

use super::{
    PersonGrant, Target, in_unit, invalid_grant, invalid_request, server_error, session_refusal,
    start_session, system_actor,
};
use crate::http::auth::AuthState;
use crate::services::identity_providers::{self, ExchangeError};
use crate::services::sessions::Method;

/// The grant type of the token exchange (RFC 8693 section 2.1).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Subject token types a provider's token may be sent as.
const SUBJECT_TOKEN_TYPES: &[&str] = &[
    "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:access_token",
];

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
    let Target { wanted, scopes } = match Target::of(&grant) {
        Ok(target) => target,
        Err(bad) => return bad.answer(),
    };
    let actor = system_actor("token-exchange", request_id);
    let sign_in = auth.sign_in.clone();
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
        auth,
        actor,
        "sign in (token exchange)",
        true,
        async move |txn| {
            let membership = identity_providers::membership_for(txn, &verified, wanted)
                .await
                .map_err(refused)?;
            start_session(txn, auth, &membership, Method::TokenExchange, scopes)
                .await
                .map_err(|e| session_refusal(e, "token exchange"))
        },
    )
    .await
}
