//! Turning verified token claims into a [`Caller`], against the database's
//! current state: the organisation must exist and be active, and its grant
//! today caps the token's scopes. Revoking a scope or suspending a partner
//! takes effect on the next request.

use std::collections::BTreeSet;

use entity::{PartnerStatus, partner_organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::auth::Claims;
use crate::policy::{Caller, Principal, Role, Scope};

fn refused(reason: &str) -> ServiceError {
    ServiceError::Unauthenticated {
        reason: reason.to_owned(),
    }
}

/// The caller the claims describe, as of now.
#[tracing::instrument(skip_all, fields(org = %claims.org, role = %claims.role))]
pub async fn authenticate<C: ConnectionTrait>(db: &C, claims: &Claims) -> ServiceResult<Caller> {
    let role: Role = claims
        .role
        .parse()
        .map_err(|_| refused("the token has an unknown role"))?;
    let principal = match role.subject_prefix() {
        None => Principal::Organisation,
        Some(prefix) => {
            let id = claims
                .sub
                .strip_prefix(prefix)
                .and_then(|id| Uuid::parse_str(id).ok())
                .ok_or_else(|| refused("the token's subject does not match its role"))?;
            match role {
                Role::Employer => Principal::Employer(id),
                Role::Mentor => Principal::Mentor(id),
                _ => Principal::Participant(id),
            }
        }
    };
    let token_scopes = claims
        .scope
        .split_whitespace()
        .map(|name| Scope::parse(name).ok_or_else(|| refused("the token has an unknown scope")))
        .collect::<ServiceResult<BTreeSet<Scope>>>()?;
    let organisation = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Slug.eq(claims.org.as_str()))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read the caller's organisation",
        ))?
        .ok_or_else(|| refused("the token's organisation is unknown"))?;
    if organisation.status != PartnerStatus::Active {
        return Err(refused("the token's organisation is suspended"));
    }
    let granted: BTreeSet<Scope> = organisation
        .granted_scopes
        .as_slice()
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect();
    if role == Role::Administrator && !granted.contains(&Scope::PartnersAdmin) {
        return Err(refused(
            "the token's organisation may not have administrators",
        ));
    }
    Ok(Caller {
        subject: claims.sub.clone(),
        role,
        principal,
        organisation_id: organisation.id,
        organisation_slug: organisation.slug,
        scopes: token_scopes.intersection(&granted).copied().collect(),
    })
}

/// Checks that `scopes` are within `slug`'s grant, for minting a token, and
/// returns the organisation's id.
pub async fn check_grant<C: ConnectionTrait>(
    db: &C,
    slug: &str,
    role: Role,
    scopes: &[Scope],
) -> ServiceResult<Uuid> {
    let organisation = super::partners::find_partner_by_slug(db, slug).await?;
    if organisation.status != PartnerStatus::Active {
        return Err(ServiceError::Forbidden {
            reason: format!("{slug} is suspended"),
        });
    }
    let granted: Vec<&str> = organisation
        .granted_scopes
        .as_slice()
        .iter()
        .map(String::as_str)
        .collect();
    if let Some(extra) = scopes.iter().find(|s| !granted.contains(&s.as_str())) {
        return Err(ServiceError::invalid(
            "scopes",
            format!("{slug} is not granted {}", extra.as_str()),
        ));
    }
    if role == Role::Administrator && !granted.contains(&Scope::PartnersAdmin.as_str()) {
        return Err(ServiceError::invalid(
            "role",
            format!("{slug} may not have administrators"),
        ));
    }
    Ok(organisation.id)
}
