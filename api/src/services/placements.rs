//! Placements, as the caller may see and change them.

use crate::services::batch::key_in;
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::placement;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, rows};

type Placement = placement::Model;

fn visible(caller: &Caller) -> Select<placement::Entity> {
    placement::Entity::find().filter(rows::placements(caller))
}

/// What a list of placements is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct PlacementFilter {
    /// Any of these statuses.
    pub statuses: Vec<entity::PlacementStatus>,
    /// Any of these kinds.
    pub kinds: Vec<entity::OpportunityKind>,
    pub employer_id: Option<Uuid>,
    pub responsible_partner_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    /// Starting on or after this day.
    pub starts_from: Option<NaiveDate>,
    /// Starting on or before this day.
    pub starts_until: Option<NaiveDate>,
}

impl PlacementFilter {
    fn condition(&self) -> ServiceResult<sea_orm::Condition> {
        let mut condition = sea_orm::Condition::all();
        if !self.statuses.is_empty() {
            condition =
                condition.add(placement::Column::Status.is_in(self.statuses.iter().copied()));
        }
        if !self.kinds.is_empty() {
            condition = condition.add(placement::Column::Kind.is_in(self.kinds.iter().copied()));
        }
        if let Some(id) = self.employer_id {
            condition = condition.add(placement::Column::EmployerId.eq(id));
        }
        if let Some(id) = self.responsible_partner_id {
            condition = condition.add(placement::Column::ResponsiblePartnerId.eq(id));
        }
        if let Some(id) = self.participant_id {
            condition = condition.add(placement::Column::ParticipantId.eq(id));
        }
        if let (Some(from), Some(until)) = (self.starts_from, self.starts_until)
            && until < from
        {
            return Err(ServiceError::invalid(
                "filter.startsUntil",
                "must not be before startsFrom",
            ));
        }
        if let Some(from) = self.starts_from {
            condition = condition.add(placement::Column::StartsOn.gte(from));
        }
        if let Some(until) = self.starts_until {
            condition = condition.add(placement::Column::StartsOn.lte(until));
        }
        Ok(condition)
    }
}

/// A page of the placements the caller may see.
#[tracing::instrument(skip(db, caller))]
pub async fn list_placements<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &PlacementFilter,
    page: PageRequest,
) -> ServiceResult<Page<Placement>> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::fetch_page(
        db,
        select,
        placement::Column::Id,
        page,
        "failed to list placements",
    )
    .await
}

/// How many placements the caller may see.
pub async fn count_placements<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &PlacementFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::count(db, select, "failed to count placements").await
}

/// One placement, if the caller may see it.
#[tracing::instrument(skip(db, caller))]
pub async fn find_placement<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Placement> {
    visible(caller)
        .filter(placement::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read placement"))?
        .ok_or(ServiceError::NotFound {
            entity: "placement",
        })
}

/// The placements with these ids that the caller may see.
pub async fn load_placements<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Placement>> {
    let rows = visible(caller)
        .filter(key_in(db, placement::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load placements"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Which column groups a batch of placements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementsBy {
    Participant,
    Employer,
    Slot,
    ResponsiblePartner,
}

/// The placements the caller may see of each of these participants,
/// employers, slots or partner organisations, oldest first.
pub async fn load_placements_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    by: PlacementsBy,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Placement>>> {
    load_placements_in(db, caller, by, States::default(), ids).await
}

/// A set of placement states, small enough to be part of a loader's key;
/// empty for every state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct States(u8);

impl States {
    pub fn of(statuses: impl IntoIterator<Item = entity::PlacementStatus>) -> Self {
        Self(
            statuses
                .into_iter()
                .fold(0, |bits, status| bits | (1 << status as u8)),
        )
    }

    fn statuses(self) -> Vec<entity::PlacementStatus> {
        use sea_orm::Iterable;
        entity::PlacementStatus::iter()
            .filter(|status| self.0 & (1 << *status as u8) != 0)
            .collect()
    }
}

/// [`load_placements_by`], only those in `states`: the database leaves the
/// others out (the scope index holds the state), instead of the service
/// reading and dropping them.
pub async fn load_placements_in<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    by: PlacementsBy,
    states: States,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Placement>>> {
    let column = match by {
        PlacementsBy::Participant => placement::Column::ParticipantId,
        PlacementsBy::Employer => placement::Column::EmployerId,
        PlacementsBy::Slot => placement::Column::SlotId,
        PlacementsBy::ResponsiblePartner => placement::Column::ResponsiblePartnerId,
    };
    let mut query = visible(caller).filter(key_in(db, column, ids));
    if states != States::default() {
        query = query.filter(placement::Column::Status.is_in(states.statuses()));
    }
    let rows = query
        .order_by_asc(placement::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load placements"))?;
    let mut grouped: HashMap<Uuid, Vec<Placement>> = HashMap::new();
    for row in rows {
        let key = match by {
            PlacementsBy::Participant => Some(row.participant_id),
            PlacementsBy::Employer => Some(row.employer_id),
            PlacementsBy::Slot => row.slot_id,
            PlacementsBy::ResponsiblePartner => Some(row.responsible_partner_id),
        };
        if let Some(key) = key {
            grouped.entry(key).or_default().push(row);
        }
    }
    Ok(grouped)
}

/// New dates for a placement.
#[derive(Debug, Clone)]
pub struct Reschedule {
    pub id: Uuid,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The version the caller last saw.
    pub version: i32,
}

/// Changes a placement's dates, if the caller may change it and nobody has
/// changed it since `version`. One conditional UPDATE: no read-then-write race.
#[tracing::instrument(skip(db, caller))]
pub async fn reschedule_placement<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: Reschedule,
) -> ServiceResult<Placement> {
    if let (Some(start), Some(end)) = (input.starts_on, input.ends_on)
        && end < start
    {
        return Err(ServiceError::invalid(
            "endsOn",
            "must not be before startsOn",
        ));
    }
    let result = placement::Entity::update_many()
        .col_expr(placement::Column::StartsOn, Expr::value(input.starts_on))
        .col_expr(placement::Column::EndsOn, Expr::value(input.ends_on))
        .col_expr(
            placement::Column::Version,
            Expr::col(placement::Column::Version).add(1),
        )
        .col_expr(placement::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(placement::Column::Id.eq(input.id))
        .filter(placement::Column::Version.eq(input.version))
        .filter(rows::changeable_placements(caller))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to reschedule placement"))?;
    let current = find_placement(db, caller, input.id).await?;
    if result.rows_affected == 1 {
        return Ok(current);
    }
    let changeable = placement::Entity::find_by_id(input.id)
        .filter(rows::changeable_placements(caller))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read placement"))?
        .is_some();
    if !changeable {
        return Err(ServiceError::Forbidden {
            reason: "only the responsible partner organisation may change this placement"
                .to_owned(),
        });
    }
    Err(ServiceError::Conflict {
        message: format!(
            "the placement has changed since version {}; it is now at version {}",
            input.version, current.version
        ),
    })
}
