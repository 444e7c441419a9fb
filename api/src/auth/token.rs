//! JWT access tokens (RFC 9068), checked as RFC 8725 advises: the algorithm
//! is fixed by us, never read from the token; `exp`, `iss` and `aud` are
//! required and checked; the key is found by `kid` among ours only; oversized
//! tokens are refused before any parsing.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::KeyRing;

/// Tokens longer than this are refused unread.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;
/// The `typ` header of an access token (RFC 9068 section 2.1).
const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// Issuer and audience this instance issues and accepts.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// Who the token is for: `employer:<uuid>`, `mentor:<uuid>` and
    /// `participant:<uuid>` for those roles; `client:<client_id>` for an API
    /// client; any stable user id otherwise.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The partner organisation's slug.
    pub org: String,
    /// One of `administrator`, `partner`, `employer`, `mentor`, `participant`.
    pub role: String,
    /// The API client the token was issued to, for client-credentials tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The membership a person's token acts for (`sub` is then
    /// `person:<uuid>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    /// The sign-in session a person's token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// What ties a person's token to its membership and session.
#[derive(Debug, Clone, Copy)]
pub struct PersonToken {
    pub membership_id: Uuid,
    pub session_id: Uuid,
}

/// What goes into a new token.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub subject: &'a str,
    pub organisation: &'a str,
    pub role: &'a str,
    pub scopes: Vec<&'a str>,
    pub ttl: Duration,
    pub client_id: Option<&'a str>,
}

/// A signed token and when it expires.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
    pub claims: Claims,
}

/// Why a token was refused. All of these answer UNAUTHENTICATED.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is too large")]
    TooLarge,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is not an access token")]
    WrongType,
    #[error("the token is signed with an algorithm this API does not accept")]
    WrongAlgorithm,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by someone else")]
    WrongIssuer,
    #[error("the token is meant for another audience")]
    WrongAudience,
    #[error("the token could not be signed")]
    Signing,
}

/// Signs a new access token with the ring's signing key.
pub fn issue(
    keys: &KeyRing,
    settings: &TokenSettings,
    new: &NewToken<'_>,
) -> Result<IssuedToken, TokenError> {
    issue_with(keys, settings, new, None)
}

/// As [`issue`], for a person's token: it names its membership and session.
pub fn issue_with(
    keys: &KeyRing,
    settings: &TokenSettings,
    new: &NewToken<'_>,
    person: Option<PersonToken>,
) -> Result<IssuedToken, TokenError> {
    let now = Utc::now().timestamp();
    let ttl = i64::try_from(new.ttl.as_secs()).unwrap_or(i64::MAX);
    let claims = Claims {
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        sub: new.subject.to_owned(),
        exp: now.saturating_add(ttl),
        iat: now,
        nbf: now,
        jti: Uuid::now_v7().to_string(),
        scope: new.scopes.join(" "),
        org: new.organisation.to_owned(),
        role: new.role.to_owned(),
        client_id: new.client_id.map(str::to_owned),
        mid: person.map(|p| p.membership_id.to_string()),
        sid: person.map(|p| p.session_id.to_string()),
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.signing_kid().to_owned());
    header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
    let token = jsonwebtoken::encode(&header, &claims, keys.signing_key())
        .map_err(|_| TokenError::Signing)?;
    Ok(IssuedToken {
        token,
        expires_in: new.ttl.as_secs(),
        claims,
    })
}

/// Checks a token and returns its claims.
pub fn verify(keys: &KeyRing, settings: &TokenSettings, token: &str) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(TokenError::WrongAlgorithm);
    }
    let typ_ok = header.typ.as_deref().is_some_and(|t| {
        t.eq_ignore_ascii_case(ACCESS_TOKEN_TYPE) || t.eq_ignore_ascii_case("application/at+jwt")
    });
    if !typ_ok {
        return Err(TokenError::WrongType);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.verification_key(kid))
        .ok_or(TokenError::UnknownKey)?;
    // The accepted algorithm is ours, per key, not the header's.
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[settings.issuer.as_str()]);
    validation.set_audience(&[settings.audience.as_str()]);
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|err| match err
        .kind()
    {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm => TokenError::WrongAlgorithm,
        _ => TokenError::Malformed,
    })?;
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_pem;

    fn settings() -> TokenSettings {
        TokenSettings {
            issuer: "portalen-test".into(),
            audience: "portalen-api".into(),
        }
    }

    fn new_token(ttl: u64) -> NewToken<'static> {
        NewToken {
            subject: "user-1",
            organisation: "hyresbostader",
            role: "partner",
            scopes: vec!["slots:read"],
            ttl: Duration::from_secs(ttl),
            client_id: None,
        }
    }

    #[test]
    fn an_issued_token_verifies_and_keeps_its_claims() {
        let keys = KeyRing::from_pems(&generate_pem().expect("pem"), &[]).expect("ring");
        let issued = issue(&keys, &settings(), &new_token(60)).expect("issue");
        let claims = verify(&keys, &settings(), &issued.token).expect("verify");
        assert_eq!(claims, issued.claims);
        assert_eq!(claims.scope, "slots:read");
    }

    #[test]
    fn a_token_from_a_retired_key_is_refused_and_a_rotated_one_accepted() {
        let old = generate_pem().expect("pem");
        let new = generate_pem().expect("pem");
        let old_ring = KeyRing::from_pems(&old, &[]).expect("ring");
        let token = issue(&old_ring, &settings(), &new_token(60))
            .expect("issue")
            .token;
        let rotating = KeyRing::from_pems(&new, std::slice::from_ref(&old)).expect("ring");
        assert!(verify(&rotating, &settings(), &token).is_ok());
        let retired = KeyRing::from_pems(&new, &[]).expect("ring");
        assert_eq!(
            verify(&retired, &settings(), &token),
            Err(TokenError::UnknownKey)
        );
    }
}
