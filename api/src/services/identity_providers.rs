//! Partner organisations' identity providers, and the token exchange (RFC
//! 8693) that turns a provider's token into a membership to sign in to.

use chrono::Utc;
use entity::identity_provider::{GroupMapping, GroupMappings};
use entity::{StringList, identity_provider, membership};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::Validation;
use super::input::required_text;
use super::pagination::{self, Page, PageRequest};
use super::people::{ensure_person, person_email};
use super::{ServiceError, ServiceResult};
use crate::auth::federation::{self, FederationError, Provider, ProviderKeys};
use crate::policy::{Caller, Role, actions, rows};

type IdentityProvider = identity_provider::Model;

/// A provider to register.
#[derive(Debug, Clone)]
pub struct NewIdentityProvider {
    pub organisation_slug: String,
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub jwks: Option<String>,
    pub audience: String,
    /// Empty for `RS256`.
    pub algorithms: Vec<String>,
    /// Default `email`.
    pub subject_claim: Option<String>,
    pub groups_claim: Option<String>,
    pub group_mappings: Vec<(String, Role)>,
    pub created_by: Option<String>,
}

/// Whether `uri` may be fetched for keys: HTTPS, or plain HTTP on the
/// loopback interface (a provider on the same host, or a test).
fn fetchable(uri: &str) -> bool {
    if uri.starts_with("https://") {
        return uri.len() > "https://".len();
    }
    [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
        "http://[::1]:",
    ]
    .iter()
    .any(|prefix| uri.starts_with(prefix))
}

fn check_claim_name(field: &str, name: &str) -> ServiceResult<String> {
    let name = required_text(field, name, 64)?;
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
    {
        Ok(name)
    } else {
        Err(ServiceError::invalid(
            field,
            "a claim name is letters, digits and _-.:/",
        ))
    }
}

/// Registers an identity provider for an organisation. Who may: see
/// [`actions::may_manage_identity_provider`]; a group may map only to a
/// role the caller could give a membership of.
#[tracing::instrument(skip(db, caller, input), fields(org = %input.organisation_slug))]
pub async fn register<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: NewIdentityProvider,
) -> ServiceResult<IdentityProvider> {
    let mut validation = Validation::new();
    let issuer = validation.check(required_text("issuer", &input.issuer, 500))?;
    let audience = validation.check(required_text("audience", &input.audience, 500))?;
    match (&input.jwks_uri, &input.jwks) {
        (None, None) | (Some(_), Some(_)) => {
            validation.fail("jwksUri", "give the provider's keys once: a JWKS URI or inline keys")
        }
        (Some(uri), None) if !fetchable(uri) || uri.len() > 1000 => validation.fail(
            "jwksUri",
            "a JWKS URI is https:// (or http:// on the loopback interface), at most 1,000 characters",
        ),
        (None, Some(keys)) if serde_json::from_str::<jsonwebtoken::jwk::JwkSet>(keys).is_err() => {
            validation.fail("jwks", "not a JWK Set (RFC 7517)");
        }
        _ => {}
    }
    let algorithms = if input.algorithms.is_empty() {
        vec!["RS256".to_owned()]
    } else {
        input.algorithms.clone()
    };
    if let Some(bad) = algorithms
        .iter()
        .find(|a| !federation::SUPPORTED_ALGORITHMS.contains(&a.as_str()))
    {
        validation.fail(
            "algorithms",
            format!(
                "{bad} is not accepted; one of {}",
                federation::SUPPORTED_ALGORITHMS.join(", ")
            ),
        );
    }
    let subject_claim = validation.check(check_claim_name(
        "subjectClaim",
        input.subject_claim.as_deref().unwrap_or("email"),
    ))?;
    let groups_claim = match input.groups_claim.as_deref() {
        None => None,
        Some(name) => validation.check(check_claim_name("groupsClaim", name))?,
    };
    if !input.group_mappings.is_empty() && groups_claim.is_none() {
        validation.fail("groupsClaim", "name the claim that holds the groups");
    }
    for (group, role) in &input.group_mappings {
        if group.trim().is_empty() || group.len() > 200 {
            validation.fail("groupMappings", "a group is 1 to 200 characters");
        }
        if role.subject_prefix().is_some() {
            validation.fail(
                "groupMappings",
                format!("a group cannot map to {role}: that role acts as a row of its own"),
            );
        }
    }
    validation.finish()?;
    let (Some(issuer), Some(audience), Some(subject_claim)) = (issuer, audience, subject_claim)
    else {
        return Err(ServiceError::invalid("issuer", "required"));
    };
    let organisation = super::partners::find_partner_by_slug(db, &input.organisation_slug).await?;
    if !actions::may_manage_identity_provider(caller, organisation.id) {
        return Err(ServiceError::Forbidden {
            reason: format!("you may not register providers of {}", organisation.slug),
        });
    }
    if let Some((_, role)) = input
        .group_mappings
        .iter()
        .find(|(_, role)| !actions::may_manage_membership(caller, organisation.id, *role))
    {
        return Err(ServiceError::Forbidden {
            reason: format!(
                "you may not give {role} memberships of {}",
                organisation.slug
            ),
        });
    }
    let now = Utc::now();
    identity_provider::Entity::insert(identity_provider::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_organisation_id: Set(organisation.id),
        issuer: Set(issuer),
        jwks_uri: Set(input.jwks_uri),
        jwks: Set(input.jwks),
        audience: Set(audience),
        algorithms: Set(algorithms.into_iter().collect::<StringList>()),
        subject_claim: Set(subject_claim),
        groups_claim: Set(groups_claim),
        group_mappings: Set(GroupMappings(
            input
                .group_mappings
                .into_iter()
                .map(|(group, role)| GroupMapping {
                    group: group.trim().to_owned(),
                    role: role.as_membership(),
                })
                .collect(),
        )),
        created_by: Set(input.created_by),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database(
        "failed to register an identity provider",
    ))
}

/// Removes a provider the caller may manage: its tokens are no longer
/// exchanged (sessions it began run on until they end or are revoked).
#[tracing::instrument(skip(db, caller))]
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<IdentityProvider> {
    let found = visible(caller)
        .filter(identity_provider::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read an identity provider",
        ))?
        .ok_or(ServiceError::NotFound {
            entity: "identity provider",
        })?;
    if !actions::may_manage_identity_provider(caller, found.partner_organisation_id) {
        return Err(ServiceError::Forbidden {
            reason: "you may not remove this provider".to_owned(),
        });
    }
    identity_provider::Entity::delete_by_id(id)
        .exec(db)
        .await
        .map_err(ServiceError::database(
            "failed to remove an identity provider",
        ))?;
    Ok(found)
}

fn visible(caller: &Caller) -> Select<identity_provider::Entity> {
    identity_provider::Entity::find().filter(rows::identity_providers(caller))
}

/// A page of the providers the caller may see.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    page: PageRequest,
) -> ServiceResult<Page<IdentityProvider>> {
    pagination::fetch_page(
        db,
        visible(caller),
        identity_provider::Column::Id,
        page,
        "failed to list identity providers",
    )
    .await
}

/// A provider the caller may see.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Option<IdentityProvider>> {
    visible(caller)
        .filter(identity_provider::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read an identity provider",
        ))
}

/// How many providers the caller may see.
pub async fn count<C: ConnectionTrait>(db: &C, caller: &Caller) -> ServiceResult<u64> {
    pagination::count(db, visible(caller), "failed to count identity providers").await
}

/// Why a token exchange was refused.
#[derive(Debug)]
pub enum ExchangeError {
    /// `invalid_grant`: the provider's token, or the person's membership.
    InvalidGrant(String),
    /// The database failed.
    Internal(ServiceError),
}

impl From<ServiceError> for ExchangeError {
    fn from(err: ServiceError) -> Self {
        ExchangeError::Internal(err)
    }
}

impl From<FederationError> for ExchangeError {
    fn from(err: FederationError) -> Self {
        ExchangeError::InvalidGrant(err.to_string())
    }
}

/// A provider's token, checked: the provider, the person's address and the
/// token's claims.
#[derive(Debug, Clone)]
pub struct Verified {
    pub provider: IdentityProvider,
    pub email: String,
    pub claims: Map<String, Value>,
}

/// Checks a provider's token: finds the provider by the issuer it claims,
/// then verifies it with that provider's pinned algorithms and keys (which
/// may be fetched, so call this outside any transaction).
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    keys: &ProviderKeys,
    subject_token: &str,
) -> Result<Verified, ExchangeError> {
    let issuer = federation::claimed_issuer(subject_token)?;
    let provider = identity_provider::Entity::find()
        .filter(identity_provider::Column::Issuer.eq(issuer.as_str()))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read an identity provider",
        ))?
        .ok_or_else(|| {
            ExchangeError::InvalidGrant("the subject token's issuer is not registered".to_owned())
        })?;
    let claims = keys
        .verify(
            &Provider {
                id: provider.id,
                issuer: provider.issuer.clone(),
                audience: provider.audience.clone(),
                algorithms: provider.algorithms.as_slice().to_vec(),
                jwks_uri: provider.jwks_uri.clone(),
                jwks: provider.jwks.clone(),
            },
            subject_token,
        )
        .await?;
    let email = identified_email(&provider, &claims)?;
    Ok(Verified {
        provider,
        email,
        claims,
    })
}

/// The membership a verified provider token signs in to: the one asked for
/// (`wanted`), or the person's first active membership of the provider's
/// organisation, or one its groups map to (made now, audited by the
/// caller's unit of work). Only memberships of the provider's own
/// organisation ([`actions::may_federate`]).
pub async fn membership_for<C: ConnectionTrait>(
    db: &C,
    verified: &Verified,
    wanted: Option<Uuid>,
) -> Result<membership::Model, ExchangeError> {
    let Verified {
        provider,
        email,
        claims,
    } = verified;
    let email = email.clone();
    let invalid = |m: &str| ExchangeError::InvalidGrant(m.to_owned());
    let person = super::people::find_person_by_email(db, &email).await?;
    let memberships = match &person {
        Some(person) => super::people::active_memberships_of(db, person.id).await?,
        None => Vec::new(),
    };
    let of_provider: Vec<&membership::Model> = memberships
        .iter()
        .filter(|m| {
            actions::may_federate(provider.partner_organisation_id, m.partner_organisation_id)
        })
        .collect();
    if let Some(wanted) = wanted {
        return of_provider
            .into_iter()
            .find(|m| m.id == wanted)
            .cloned()
            .ok_or_else(|| {
                invalid("the person has no such membership of the provider's organisation")
            });
    }
    if let Some(first) = of_provider.first() {
        return Ok((*first).clone());
    }
    // No membership yet: the provider's groups may give one.
    let groups: Vec<&str> = provider
        .groups_claim
        .as_deref()
        .and_then(|claim| claims.get(claim))
        .and_then(Value::as_array)
        .map(|groups| groups.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(mapping) = provider
        .group_mappings
        .0
        .iter()
        .find(|m| groups.contains(&m.group.as_str()))
    else {
        return Err(invalid(
            "the person has no membership of the provider's organisation",
        ));
    };
    let name = claims
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 200)
        .unwrap_or(email.as_str())
        .to_owned();
    let person = match person {
        Some(person) => person,
        None => ensure_person(db, &name, &email, None).await?,
    };
    // Whether the organisation may have this role now (administrators) is
    // the session's to check, as for every sign-in: refused, this insert is
    // rolled back with it.
    Ok(super::people::insert_membership(
        db,
        membership::Model {
            person_id: person.id,
            partner_organisation_id: provider.partner_organisation_id,
            role: mapping.role,
            created_by: Some(format!("provider:{}", provider.issuer)),
            ..super::people::new_membership()
        },
    )
    .await?)
}

/// The person's address from the provider's identifying claim; refused when
/// the provider says the address is not verified.
fn identified_email(
    provider: &IdentityProvider,
    claims: &Map<String, Value>,
) -> Result<String, ExchangeError> {
    let value = claims
        .get(provider.subject_claim.as_str())
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ExchangeError::InvalidGrant(format!(
                "the subject token has no {} claim",
                provider.subject_claim
            ))
        })?;
    if claims.get("email_verified") == Some(&Value::Bool(false)) {
        return Err(ExchangeError::InvalidGrant(
            "the provider has not verified the person's address".to_owned(),
        ));
    }
    person_email(value).map_err(|_| {
        ExchangeError::InvalidGrant(format!(
            "the subject token's {} claim is not an e-mail address",
            provider.subject_claim
        ))
    })
}
