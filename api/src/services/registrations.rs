//! Sign-ups for activities that need registration. While places are left a
//! sign-up takes one; then it joins the waiting list, first come first
//! served. A place given up (cancelled, declined, or an offer left to
//! expire) is offered to the first in line for the activity's `offer_hours`.
//!
//! The places held are `activity.places_taken`, changed only by conditional
//! statements (`places_taken + 1 WHERE places_taken < capacity`), so that
//! concurrent sign-ups never overbook, on PostgreSQL (the row lock makes the
//! second wait and re-check) as on SQLite (one writer at a time). A place
//! passes from one registration to the next without the count changing.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{RegistrationStatus, activity, registration};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::activities::find_activity;
use super::batch::key_in;
use super::participants::find_participant;
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Registration = registration::Model;

/// The states that hold a place.
const HOLDING: [RegistrationStatus; 2] =
    [RegistrationStatus::Registered, RegistrationStatus::Offered];

/// How many times a place is offered again when a concurrent change took
/// the first in line meanwhile.
const OFFER_ATTEMPTS: usize = 20;

/// The registrations the caller may see.
fn visible(caller: &Caller) -> sea_orm::Select<registration::Entity> {
    registration::Entity::find().filter(policy::rows::registrations(caller))
}

/// The registration, if the caller may see it.
pub async fn find_registration<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Registration> {
    visible(caller)
        .filter(registration::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read registration"))?
        .ok_or(ServiceError::NotFound {
            entity: "registration",
        })
}

/// Signs a participant the caller may see up for an activity: a place if
/// one is left, else the end of the waiting list.
#[tracing::instrument(skip(db, caller))]
pub async fn register<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    activity_id: Uuid,
    participant_id: Uuid,
) -> ServiceResult<Registration> {
    let activity = find_activity(db, caller, activity_id).await?;
    if !activity.registration_required {
        return Err(ServiceError::invalid(
            "activityId",
            "this activity needs no registration: just come",
        ));
    }
    find_participant(db, caller, participant_id).await?;
    let now = Utc::now();
    expire_offers(db, Some(activity.id), now).await?;
    let status = match activity.capacity {
        None => RegistrationStatus::Registered,
        Some(_) => {
            // Against the capacity as it stands when the row is locked, not
            // as it was read: updateActivity may cut it meanwhile.
            let taken = activity::Entity::update_many()
                .col_expr(
                    activity::Column::PlacesTaken,
                    Expr::col(activity::Column::PlacesTaken).add(1),
                )
                .filter(activity::Column::Id.eq(activity.id))
                .filter(
                    Expr::col(activity::Column::PlacesTaken)
                        .lt(Expr::col(activity::Column::Capacity)),
                )
                .exec(db)
                .await
                .map_err(ServiceError::database("failed to take a place"))?;
            if taken.rows_affected == 1 {
                RegistrationStatus::Registered
            } else {
                RegistrationStatus::Waiting
            }
        }
    };
    registration::Entity::insert(registration::ActiveModel {
        id: Set(Uuid::now_v7()),
        activity_id: Set(activity.id),
        participant_id: Set(participant_id),
        status: Set(status),
        offer_expires_at: Set(None),
        registered_by: Set(caller.organisation_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database_referencing(
        "failed to insert registration",
        "participantId",
        "no participant has this id",
    ))
}

/// Moves a registration from one of `from` to `to`, in one statement;
/// `None` when it was in none of them.
async fn step<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: &[RegistrationStatus],
    to: RegistrationStatus,
    now: DateTime<Utc>,
    also: Condition,
) -> ServiceResult<Option<Registration>> {
    let mut rows = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value(to))
        .col_expr(
            registration::Column::OfferExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::Status.is_in(from.iter().copied()))
        .filter(also)
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to change registration"))?;
    Ok(rows.pop())
}

/// Offers the places an activity has left (after its capacity was raised)
/// to those waiting, in order: each place is taken by the conditional
/// `places_taken < capacity` statement before it is offered, and given back
/// when nobody waits. Returns the offers made.
pub(super) async fn offer_new_places<C: ConnectionTrait>(
    db: &C,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Registration>> {
    let mut offers = Vec::new();
    loop {
        let taken = activity::Entity::update_many()
            .col_expr(
                activity::Column::PlacesTaken,
                Expr::col(activity::Column::PlacesTaken).add(1),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .filter(activity::Column::RegistrationRequired.eq(true))
            .filter(
                Expr::col(activity::Column::PlacesTaken).lt(Expr::col(activity::Column::Capacity)),
            )
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to take a place"))?;
        if taken.rows_affected == 0 {
            return Ok(offers);
        }
        match pass_place_on(db, activity_id, now).await? {
            Some(offer) => offers.push(offer),
            None => return Ok(offers),
        }
    }
}

/// Gives the place an ended registration held to the first in line, or
/// back to the activity when nobody waits. Returns the offer made.
async fn pass_place_on<C: ConnectionTrait>(
    db: &C,
    activity_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Option<Registration>> {
    let hours = activity::Entity::find_by_id(activity_id)
        .select_only()
        .column(activity::Column::OfferHours)
        .into_tuple::<i32>()
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read activity"))?
        .unwrap_or(super::activities::DEFAULT_OFFER_HOURS);
    for _ in 0..OFFER_ATTEMPTS {
        let first: Option<Uuid> = registration::Entity::find()
            .select_only()
            .column(registration::Column::Id)
            .filter(registration::Column::ActivityId.eq(activity_id))
            .filter(registration::Column::Status.eq(RegistrationStatus::Waiting))
            .order_by_asc(registration::Column::CreatedAt)
            .order_by_asc(registration::Column::Id)
            .into_tuple()
            .one(db)
            .await
            .map_err(ServiceError::database("failed to read the waiting list"))?;
        let Some(first) = first else {
            activity::Entity::update_many()
                .col_expr(
                    activity::Column::PlacesTaken,
                    Expr::col(activity::Column::PlacesTaken).sub(1),
                )
                .filter(activity::Column::Id.eq(activity_id))
                .filter(activity::Column::PlacesTaken.gt(0))
                .exec(db)
                .await
                .map_err(ServiceError::database("failed to give a place back"))?;
            return Ok(None);
        };
        // Conditional: a concurrent change that offered it first wins, and
        // this one offers the place to the next in line.
        let mut offered = registration::Entity::update_many()
            .col_expr(
                registration::Column::Status,
                Expr::value(RegistrationStatus::Offered),
            )
            .col_expr(
                registration::Column::OfferExpiresAt,
                Expr::value(now + Duration::hours(i64::from(hours))),
            )
            .col_expr(registration::Column::UpdatedAt, Expr::value(now))
            .filter(registration::Column::Id.eq(first))
            .filter(registration::Column::Status.eq(RegistrationStatus::Waiting))
            .exec_with_returning(db)
            .await
            .map_err(ServiceError::database("failed to offer a place"))?;
        if let Some(offer) = offered.pop() {
            return Ok(Some(offer));
        }
    }
    Err(ServiceError::Conflict {
        message: "the waiting list changed too often meanwhile; try again".to_owned(),
    })
}

/// A sign-up that ended, and the sign-up its place was offered to, if any.
#[derive(Debug, Clone)]
pub struct PlacePassed {
    pub registration: Registration,
    pub offered: Option<Registration>,
}

/// Cancels a sign-up (a place, a place on the waiting list, or an offer);
/// a place it held goes to the first in line.
#[tracing::instrument(skip(db, caller))]
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<PlacePassed> {
    let current = find_registration(db, caller, id).await?;
    let now = Utc::now();
    if let Some(row) = step(
        db,
        id,
        &HOLDING,
        RegistrationStatus::Cancelled,
        now,
        Condition::all(),
    )
    .await?
    {
        let offered = pass_place_on(db, row.activity_id, now).await?;
        return Ok(PlacePassed {
            registration: row,
            offered,
        });
    }
    if let Some(row) = step(
        db,
        id,
        &[RegistrationStatus::Waiting],
        RegistrationStatus::Cancelled,
        now,
        Condition::all(),
    )
    .await?
    {
        return Ok(PlacePassed {
            registration: row,
            offered: None,
        });
    }
    Err(ended(current.status))
}

/// Takes an offered place, before its expiry.
#[tracing::instrument(skip(db, caller))]
pub async fn accept_offer<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Registration> {
    let current = find_registration(db, caller, id).await?;
    let now = Utc::now();
    let before_expiry = Condition::all().add(registration::Column::OfferExpiresAt.gt(now));
    let accepted = step(
        db,
        id,
        &[RegistrationStatus::Offered],
        RegistrationStatus::Registered,
        now,
        before_expiry,
    )
    .await?;
    match accepted {
        Some(row) => Ok(row),
        None if current.status == RegistrationStatus::Offered => Err(ServiceError::Conflict {
            message: "the offer has expired".to_owned(),
        }),
        None => Err(not_offered(current.status)),
    }
}

/// Turns an offered place down; it goes to the next in line.
#[tracing::instrument(skip(db, caller))]
pub async fn decline_offer<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<PlacePassed> {
    let current = find_registration(db, caller, id).await?;
    let now = Utc::now();
    match step(
        db,
        id,
        &[RegistrationStatus::Offered],
        RegistrationStatus::Declined,
        now,
        Condition::all(),
    )
    .await?
    {
        Some(row) => {
            let offered = pass_place_on(db, row.activity_id, now).await?;
            Ok(PlacePassed {
                registration: row,
                offered,
            })
        }
        None => Err(not_offered(current.status)),
    }
}

fn ended(status: RegistrationStatus) -> ServiceError {
    ServiceError::Conflict {
        message: format!("the sign-up has already ended ({status:?})").to_lowercase(),
    }
}

fn not_offered(status: RegistrationStatus) -> ServiceError {
    ServiceError::Conflict {
        message: format!("no place is offered on this sign-up ({status:?})").to_lowercase(),
    }
}

/// Ends the offers that expired by `now` (of one activity, or all) and
/// passes each place on. Returns the expired registrations.
pub async fn expire_offers<C: ConnectionTrait>(
    db: &C,
    activity_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Registration>> {
    let mut update = registration::Entity::update_many()
        .col_expr(
            registration::Column::Status,
            Expr::value(RegistrationStatus::Expired),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Status.eq(RegistrationStatus::Offered))
        .filter(registration::Column::OfferExpiresAt.lte(now));
    if let Some(activity_id) = activity_id {
        update = update.filter(registration::Column::ActivityId.eq(activity_id));
    }
    let expired = update
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to expire offers"))?;
    for row in &expired {
        pass_place_on(db, row.activity_id, now).await?;
    }
    Ok(expired)
}

/// The registrations of each of these activities that the caller may see,
/// in first-come order.
pub async fn load_registrations_of_activities<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Registration>>> {
    let rows = visible(caller)
        .filter(key_in(db, registration::Column::ActivityId, ids))
        .order_by_asc(registration::Column::CreatedAt)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load registrations"))?;
    let mut grouped: HashMap<Uuid, Vec<Registration>> = HashMap::new();
    for row in rows {
        grouped.entry(row.activity_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The waiting list of each of these activities, as registration ids in
/// order (no personal data: for positions and lengths).
pub async fn load_waiting_lists<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::ActivityId)
        .column(registration::Column::Id)
        .filter(key_in(db, registration::Column::ActivityId, ids))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waiting))
        .order_by_asc(registration::Column::CreatedAt)
        .order_by_asc(registration::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load waiting lists"))?;
    let mut grouped: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (activity_id, id) in rows {
        grouped.entry(activity_id).or_default().push(id);
    }
    Ok(grouped)
}
