//! Tokens of partners' OpenID Connect identity providers, checked as our
//! own are (RFC 8725): the algorithm pinned per provider, never taken from
//! the token; `iss`, `aud` and `exp` required and checked with a small
//! leeway; the key found by `kid` among the provider's published keys only.
//!
//! A provider's keys (its JWKS) are fetched once and kept; a token naming a
//! key not among them makes one refetch, at most once a minute per
//! provider, so that a provider rotating its keys is followed at once while
//! a stream of forged `kid`s cannot make us hammer it.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Provider tokens longer than this are refused unread.
pub const MAX_PROVIDER_TOKEN_BYTES: usize = 16 * 1024;
/// Clock skew tolerated on a provider's `exp`, `nbf` and `iat`.
pub const PROVIDER_LEEWAY_SECONDS: u64 = 60;
/// A JWKS answer larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// The algorithms a provider may be pinned to: asymmetric only, so that a
/// provider's public key can never serve as a shared secret.
pub const SUPPORTED_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// What is needed of a provider to check its tokens.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: Uuid,
    pub issuer: String,
    pub audience: String,
    pub algorithms: Vec<String>,
    pub jwks_uri: Option<String>,
    /// Inline keys, when it publishes none.
    pub jwks: Option<String>,
}

/// Why a provider's token was refused. All are answered `invalid_grant`,
/// with the reason as the description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("the subject token is too large")]
    TooLarge,
    #[error("the subject token is malformed")]
    Malformed,
    #[error("the subject token is signed with an algorithm its provider is not pinned to")]
    WrongAlgorithm,
    #[error("the subject token is signed with a key its provider does not publish")]
    UnknownKey,
    #[error("the subject token's signature is invalid")]
    BadSignature,
    #[error("the subject token has expired")]
    Expired,
    #[error("the subject token is not valid yet")]
    NotYetValid,
    #[error("the subject token was issued by another issuer")]
    WrongIssuer,
    #[error("the subject token is meant for another audience")]
    WrongAudience,
    /// Why is logged, not told: the answer must not make Portalen a probe
    /// of what its network reaches.
    #[error("the provider's keys could not be read")]
    KeysUnavailable(String),
}

/// The `iss` a token claims, unchecked: only to find which provider's keys
/// to check it with.
pub fn claimed_issuer(token: &str) -> Result<String, FederationError> {
    if token.len() > MAX_PROVIDER_TOKEN_BYTES {
        return Err(FederationError::TooLarge);
    }
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|_| FederationError::Malformed)?;
    claims
        .get("iss")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(FederationError::Malformed)
}

struct Cached {
    uri: String,
    keys: Option<JwkSet>,
    /// When `keys` were fetched.
    fetched: Instant,
    /// When a fetch was last made for a key not in `keys` (or after a
    /// failure): the next waits `refetch_after`.
    last_refetch: Option<Instant>,
}

/// The keys of every provider, as last fetched.
pub struct ProviderKeys {
    http: reqwest::Client,
    cache: Mutex<HashMap<Uuid, Cached>>,
    /// The least time between two fetches of one provider's keys.
    refetch_after: Duration,
    /// Keys older than this are fetched again before use.
    max_age: Duration,
}

impl Default for ProviderKeys {
    fn default() -> Self {
        Self::new(Duration::from_secs(60))
    }
}

impl ProviderKeys {
    /// Keys fetched at most once per `refetch_after` per provider.
    pub fn new(refetch_after: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            http,
            cache: Mutex::new(HashMap::new()),
            refetch_after,
            max_age: Duration::from_secs(3600),
        }
    }

    async fn fetch(&self, uri: &str) -> Result<JwkSet, FederationError> {
        let unavailable = |e: String| FederationError::KeysUnavailable(e);
        let response = self
            .http
            .get(uri)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status().as_u16())));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(unavailable("the key set is too large".to_owned()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(unavailable("the key set is too large".to_owned()));
        }
        serde_json::from_slice(&body).map_err(|_| unavailable("not a JWK Set".to_owned()))
    }

    /// The provider's key set: the cached one; fetched when there is none
    /// or it is older than `max_age`; fetched again when `kid` is not in it,
    /// unless such a refetch happened less than `refetch_after` ago.
    async fn key_set(
        &self,
        provider: &Provider,
        kid: Option<&str>,
    ) -> Result<JwkSet, FederationError> {
        if let Some(inline) = &provider.jwks {
            return serde_json::from_str(inline)
                .map_err(|_| FederationError::KeysUnavailable("not a JWK Set".to_owned()));
        }
        let Some(uri) = provider.jwks_uri.as_deref() else {
            return Err(FederationError::KeysUnavailable(
                "the provider has no keys".to_owned(),
            ));
        };
        let has = |set: &JwkSet| match kid {
            Some(kid) => set.find(kid).is_some(),
            None => set.keys.len() == 1,
        };
        let previous = {
            let Ok(mut cache) = self.cache.lock() else {
                return Err(FederationError::KeysUnavailable("cache".to_owned()));
            };
            let cached = cache.get(&provider.id).filter(|c| c.uri == uri);
            let (keys, last_refetch) = match cached {
                Some(c) if c.fetched.elapsed() < self.max_age => (c.keys.clone(), c.last_refetch),
                _ => (None, None),
            };
            match &keys {
                Some(set) if has(set) => return Ok(set.clone()),
                Some(set) if last_refetch.is_some_and(|at| at.elapsed() < self.refetch_after) => {
                    // Refetched for an unknown key a moment ago: not again.
                    return Ok(set.clone());
                }
                None if last_refetch.is_some_and(|at| at.elapsed() < self.refetch_after) => {
                    return Err(FederationError::KeysUnavailable(
                        "the last fetch failed; retried within a minute".to_owned(),
                    ));
                }
                _ => {}
            }
            // A refetch for an unknown key is claimed now, so that
            // concurrent requests do not fetch too; the first fetch is not a
            // refetch.
            if keys.is_some() {
                let fetched = cached.map_or_else(Instant::now, |c| c.fetched);
                cache.insert(
                    provider.id,
                    Cached {
                        uri: uri.to_owned(),
                        keys: keys.clone(),
                        fetched,
                        last_refetch: Some(Instant::now()),
                    },
                );
            }
            keys
        };
        let fetched = self.fetch(uri).await;
        if let Err(FederationError::KeysUnavailable(why)) = &fetched {
            tracing::warn!(provider = %provider.id, reason = %why, "failed to fetch an identity provider's keys");
        }
        if let Ok(mut cache) = self.cache.lock() {
            let claimed = cache.get(&provider.id).and_then(|c| c.last_refetch);
            let (keys, fetched_at, last_refetch) = match &fetched {
                Ok(set) => (Some(set.clone()), Instant::now(), claimed),
                // A failure waits too, before the provider is asked again.
                Err(_) => (previous, Instant::now(), Some(Instant::now())),
            };
            cache.insert(
                provider.id,
                Cached {
                    uri: uri.to_owned(),
                    keys,
                    fetched: fetched_at,
                    last_refetch,
                },
            );
        }
        fetched
    }

    /// Checks a provider's token and returns its claims.
    pub async fn verify(
        &self,
        provider: &Provider,
        token: &str,
    ) -> Result<Map<String, Value>, FederationError> {
        if token.len() > MAX_PROVIDER_TOKEN_BYTES {
            return Err(FederationError::TooLarge);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| FederationError::Malformed)?;
        let pinned = provider
            .algorithms
            .iter()
            .filter_map(|a| Algorithm::from_str(a).ok())
            .any(|a| a == header.alg);
        if !pinned
            || !SUPPORTED_ALGORITHMS
                .iter()
                .any(|a| Algorithm::from_str(a).ok() == Some(header.alg))
        {
            return Err(FederationError::WrongAlgorithm);
        }
        let set = self.key_set(provider, header.kid.as_deref()).await?;
        let jwk = match header.kid.as_deref() {
            Some(kid) => set.find(kid),
            None if set.keys.len() == 1 => set.keys.first(),
            None => None,
        }
        .ok_or(FederationError::UnknownKey)?;
        if let Some(alg) = jwk.common.key_algorithm
            && Algorithm::from_str(&alg.to_string()).ok() != Some(header.alg)
        {
            return Err(FederationError::WrongAlgorithm);
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| FederationError::UnknownKey)?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = PROVIDER_LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[provider.issuer.as_str()]);
        validation.set_audience(&[provider.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(
            |err| match err.kind() {
                ErrorKind::ExpiredSignature => FederationError::Expired,
                ErrorKind::ImmatureSignature => FederationError::NotYetValid,
                ErrorKind::InvalidIssuer => FederationError::WrongIssuer,
                ErrorKind::InvalidAudience => FederationError::WrongAudience,
                ErrorKind::InvalidSignature => FederationError::BadSignature,
                ErrorKind::InvalidAlgorithm => FederationError::WrongAlgorithm,
                _ => FederationError::Malformed,
            },
        )?;
        // `iat` in the future beyond the leeway: a token from a provider
        // whose clock is wrong, or one minted ahead to outlive a rotation.
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(PROVIDER_LEEWAY_SECONDS).unwrap_or(60);
        if data
            .claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > now + leeway)
        {
            return Err(FederationError::NotYetValid);
        }
        Ok(data.claims)
    }
}
