//! Employers: workplaces that offer internships, jobs and training places.

use crate::services::batch::key_in;
use std::collections::HashMap;

use chrono::Utc;
use entity::{Site, employer};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::input::{optional_text, required_text};
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::domain::OrganisationNumber;

type Employer = employer::Model;

fn all() -> Select<employer::Entity> {
    employer::Entity::find()
}

/// A page of employers, in the order they were registered.
#[tracing::instrument(skip(db))]
pub async fn list_employers<C: ConnectionTrait>(
    db: &C,
    page: PageRequest,
) -> ServiceResult<Page<Employer>> {
    pagination::fetch_page(
        db,
        all(),
        employer::Column::Id,
        page,
        "failed to list employers",
    )
    .await
}

/// How many employers there are.
pub async fn count_employers<C: ConnectionTrait>(db: &C) -> ServiceResult<u64> {
    pagination::count(db, all(), "failed to count employers").await
}

/// The employer with this id.
#[tracing::instrument(skip(db))]
pub async fn find_employer<C: ConnectionTrait>(db: &C, id: Uuid) -> ServiceResult<Employer> {
    employer::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read employer"))?
        .ok_or(ServiceError::NotFound { entity: "employer" })
}

/// The employers with these ids, by id (a DataLoader batch).
pub async fn load_employers<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Employer>> {
    let rows = all()
        .filter(key_in(db, employer::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load employers"))?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// The employers linked to each of these partner organisations.
pub async fn load_employers_of_partners<C: ConnectionTrait>(
    db: &C,
    partner_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Employer>>> {
    let rows = all()
        .filter(key_in(
            db,
            employer::Column::PartnerOrganisationId,
            partner_ids,
        ))
        .order_by_asc(employer::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load employers of partners",
        ))?;
    let mut grouped: HashMap<Uuid, Vec<Employer>> = HashMap::new();
    for row in rows {
        if let Some(partner_id) = row.partner_organisation_id {
            grouped.entry(partner_id).or_default().push(row);
        }
    }
    Ok(grouped)
}

/// What it takes to register an employer.
#[derive(Debug, Clone, Default)]
pub struct NewEmployer {
    pub name: String,
    pub organisation_number: String,
    pub industry: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub site: Option<Site>,
    pub partner_organisation_id: Option<Uuid>,
}

/// Registers an employer; the organisation number must be valid and unused.
#[tracing::instrument(skip(db, input))]
pub async fn create_employer<C: ConnectionTrait>(
    db: &C,
    input: NewEmployer,
) -> ServiceResult<Employer> {
    // Every field checked, and every failure reported at once.
    let mut v = super::error::Validation::new();
    let organisation_number = v.check(
        OrganisationNumber::parse(&input.organisation_number)
            .map_err(|e| ServiceError::invalid("organisationNumber", e.to_string())),
    )?;
    let name = v.check(required_text("name", &input.name, 200))?;
    let industry = v.check(optional_text("industry", input.industry.as_deref(), 100))?;
    let street_address = v.check(optional_text(
        "streetAddress",
        input.street_address.as_deref(),
        200,
    ))?;
    let postal_code = v.check(optional_text(
        "postalCode",
        input.postal_code.as_deref(),
        10,
    ))?;
    let city = v.check(optional_text("city", input.city.as_deref(), 100))?;
    v.finish()?;
    let (
        Some(organisation_number),
        Some(name),
        Some(industry),
        Some(street_address),
        Some(postal_code),
        Some(city),
    ) = (
        organisation_number,
        name,
        industry,
        street_address,
        postal_code,
        city,
    )
    else {
        return Err(ServiceError::invalid("input", "invalid"));
    };
    let now = Utc::now();
    let model = employer::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        organisation_number: Set(organisation_number.as_str().to_owned()),
        industry: Set(industry),
        street_address: Set(street_address),
        postal_code: Set(postal_code),
        city: Set(city),
        site: Set(input.site),
        partner_organisation_id: Set(input.partner_organisation_id),
        created_at: Set(now),
        updated_at: Set(now),
    };
    employer::Entity::insert(model)
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database_referencing(
            "failed to insert employer",
            "partnerOrganisationId",
            "no partner organisation has this id",
        ))
}

/// Changes to an employer: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EmployerChanges {
    pub name: Option<String>,
    pub organisation_number: Option<String>,
    pub industry: Option<Option<String>>,
    pub street_address: Option<Option<String>>,
    pub postal_code: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub site: Option<Option<Site>>,
}

/// Changes an employer the caller may manage: an administrator any, a
/// partner the employers that are the organisation, an employer itself.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn update_employer<C: ConnectionTrait>(
    db: &C,
    caller: &crate::policy::Caller,
    id: Uuid,
    changes: EmployerChanges,
) -> ServiceResult<Employer> {
    let current = find_employer(db, id).await?;
    if !crate::policy::actions::may_manage_slots_of(
        caller,
        current.id,
        current.partner_organisation_id,
    ) {
        return Err(ServiceError::Forbidden {
            reason: "you may not change this employer".to_owned(),
        });
    }
    let mut row: employer::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        row.name = Set(required_text("name", name, 200)?);
    }
    if let Some(number) = &changes.organisation_number {
        let number = OrganisationNumber::parse(number)
            .map_err(|e| ServiceError::invalid("organisationNumber", e.to_string()))?;
        row.organisation_number = Set(number.as_str().to_owned());
    }
    for (field, value, max, target) in [
        ("industry", &changes.industry, 100, &mut row.industry),
        (
            "streetAddress",
            &changes.street_address,
            200,
            &mut row.street_address,
        ),
        ("postalCode", &changes.postal_code, 10, &mut row.postal_code),
        ("city", &changes.city, 100, &mut row.city),
    ] {
        if let Some(value) = value {
            *target = Set(optional_text(field, value.as_deref(), max)?);
        }
    }
    if let Some(site) = changes.site {
        row.site = Set(site);
    }
    row.updated_at = Set(Utc::now());
    employer::Entity::update(row)
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to update employer"))
}
