//! Partner organisations.

use crate::services::batch::key_in;
use std::collections::HashMap;

use chrono::Utc;
use entity::{PartnerKind, PartnerNetwork, PartnerStatus, StringList, partner_organisation};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use super::input::required_text;
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::domain::Slug;
use crate::policy::{Caller, actions};

type Partner = partner_organisation::Model;

fn all() -> Select<partner_organisation::Entity> {
    partner_organisation::Entity::find()
}

/// A page of partner organisations, in the order they joined.
#[tracing::instrument(skip(db))]
pub async fn list_partners<C: ConnectionTrait>(
    db: &C,
    page: PageRequest,
) -> ServiceResult<Page<Partner>> {
    pagination::fetch_page(
        db,
        all(),
        partner_organisation::Column::Id,
        page,
        "failed to list partner organisations",
    )
    .await
}

/// How many partner organisations there are.
pub async fn count_partners<C: ConnectionTrait>(db: &C) -> ServiceResult<u64> {
    pagination::count(db, all(), "failed to count partner organisations").await
}

/// The partner organisation with this slug.
#[tracing::instrument(skip(db))]
pub async fn find_partner_by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> ServiceResult<Partner> {
    all()
        .filter(partner_organisation::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read partner organisation",
        ))?
        .ok_or(ServiceError::NotFound {
            entity: "partner organisation",
        })
}

/// The scopes an organisation is granted now (names it no longer knows
/// left out).
pub fn granted(partner: &Partner) -> Vec<crate::policy::Scope> {
    partner
        .granted_scopes
        .as_slice()
        .iter()
        .filter_map(|s| crate::policy::Scope::parse(s))
        .collect()
}

/// The partner organisation with this id.
#[tracing::instrument(skip(db))]
pub async fn find_partner<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<Partner> {
    partner_organisation::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read partner organisation",
        ))?
        .ok_or(ServiceError::NotFound {
            entity: "partner organisation",
        })
}

/// The partner organisations with these ids, by id (a DataLoader batch).
pub async fn load_partners<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Partner>> {
    let rows = all()
        .filter(key_in(db, partner_organisation::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load partner organisations",
        ))?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// What it takes to register a partner organisation.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub slug: String,
    pub name: String,
    pub kind: PartnerKind,
    pub network: PartnerNetwork,
    pub granted_scopes: Vec<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
}

/// Registers a partner organisation, active from the start.
#[tracing::instrument(skip(db, input), fields(slug = %input.slug))]
pub async fn create_partner<C: ConnectionTrait>(
    db: &C,
    input: NewPartner,
) -> ServiceResult<Partner> {
    let slug =
        Slug::parse(&input.slug).map_err(|e| ServiceError::invalid("slug", e.to_string()))?;
    let name = required_text("name", &input.name, 200)?;
    let now = Utc::now();
    let model = partner_organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.as_str().to_owned()),
        name: Set(name),
        kind: Set(input.kind),
        network: Set(input.network),
        status: Set(PartnerStatus::Active),
        granted_scopes: Set(input.granted_scopes.into_iter().collect::<StringList>()),
        contact_email: Set(input.contact_email),
        contact_phone: Set(input.contact_phone),
        website: Set(input.website),
        created_at: Set(now),
        updated_at: Set(now),
    };
    partner_organisation::Entity::insert(model)
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database(
            "failed to insert partner organisation",
        ))
}

/// Replaces a partner organisation's grant. Tokens already issued lose any
/// scope taken away on their next request.
#[tracing::instrument(skip(db))]
pub async fn set_grant<C: ConnectionTrait>(
    db: &C,
    slug: &str,
    scopes: &[crate::policy::Scope],
) -> ServiceResult<Partner> {
    let partner = find_partner_by_slug(db, slug).await?;
    let mut names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut active: partner_organisation::ActiveModel = partner.into();
    active.granted_scopes = Set(names.into_iter().collect::<StringList>());
    active.updated_at = Set(Utc::now());
    partner_organisation::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to update grant"))
}

/// Suspends or reinstates a partner organisation. A suspended organisation's
/// tokens and clients are refused from the next request on.
#[tracing::instrument(skip(db))]
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    slug: &str,
    status: PartnerStatus,
) -> ServiceResult<Partner> {
    if status == PartnerStatus::Suspended && !actions::may_suspend(caller, slug) {
        return Err(ServiceError::invalid(
            "status",
            "an administrator cannot suspend their own organisation",
        ));
    }
    let partner = find_partner_by_slug(db, slug).await?;
    let mut active: partner_organisation::ActiveModel = partner.into();
    active.status = Set(status);
    active.updated_at = Set(Utc::now());
    partner_organisation::Entity::update(active)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to update partner status"))
}
