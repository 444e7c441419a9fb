//! Changing an activity's details after it was created: one conditional
//! statement, so that a capacity is never cut below the places taken, and a
//! raised capacity offers its new places to those waiting
//! ([`super::registrations`]).

use chrono::Utc;
use entity::activity;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::activities::find_activity;
use super::input::{optional_text, required_text};
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Activity = activity::Model;

/// Changes to an activity's details; what is not given stays.
#[derive(Debug, Clone, Default)]
pub struct ActivityChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub place: Option<String>,
    pub target_group: Option<String>,
    /// Not below the places already taken.
    pub capacity: Option<i32>,
    pub offer_hours: Option<i32>,
}

/// An activity as changed, and the places a raised capacity offered to
/// those waiting.
#[derive(Debug, Clone)]
pub struct ActivityUpdate {
    pub activity: Activity,
    pub offered: Vec<entity::registration::Model>,
}

/// Changes an activity the caller may change (its organiser, or an
/// administrator) by one conditional statement: a capacity below the places
/// taken matches nothing, however many sign-ups race it. A raised capacity
/// offers the new places to the first in line.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn update_activity<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    changes: ActivityChanges,
) -> ServiceResult<ActivityUpdate> {
    let mut v = super::error::Validation::new();
    let title = match &changes.title {
        Some(title) => v.check(required_text("title", title, 200))?,
        None => None,
    };
    let description = v.check(optional_text(
        "description",
        changes.description.as_deref(),
        4000,
    ))?;
    let place = v.check(optional_text("place", changes.place.as_deref(), 200))?;
    let target_group = v.check(optional_text(
        "targetGroup",
        changes.target_group.as_deref(),
        100,
    ))?;
    if changes.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        v.fail("capacity", "must be between 1 and 10000");
    }
    if changes.offer_hours.is_some_and(|h| !(1..=336).contains(&h)) {
        v.fail("offerHours", "must be between 1 and 336 (two weeks)");
    }
    v.finish()?;
    let now = Utc::now();
    let mut update = activity::Entity::update_many()
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            activity::Column::Version,
            Expr::col(activity::Column::Version).add(1),
        )
        .filter(activity::Column::Id.eq(id))
        .filter(policy::rows::changeable_activities(caller));
    if let Some(title) = title {
        update = update.col_expr(activity::Column::Title, Expr::value(title));
    }
    for (column, value) in [
        (activity::Column::Description, description.flatten()),
        (activity::Column::Place, place.flatten()),
        (activity::Column::TargetGroup, target_group.flatten()),
    ] {
        if let Some(value) = value {
            update = update.col_expr(column, Expr::value(value));
        }
    }
    if let Some(capacity) = changes.capacity {
        update = update
            .col_expr(activity::Column::Capacity, Expr::value(capacity))
            .filter(activity::Column::PlacesTaken.lte(capacity));
    }
    if let Some(hours) = changes.offer_hours {
        update = update.col_expr(activity::Column::OfferHours, Expr::value(hours));
    }
    let changed = update
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to update activity"))?;
    if changed.rows_affected == 0 {
        // Why nothing matched: not seen, not the organiser's, or the cut.
        let row = find_activity(db, caller, id).await?;
        let may_change = activity::Entity::find_by_id(id)
            .filter(policy::rows::changeable_activities(caller))
            .one(db)
            .await
            .map_err(ServiceError::database("failed to read activity"))?
            .is_some();
        if !may_change {
            return Err(ServiceError::Forbidden {
                reason: "only the organiser changes an activity".to_owned(),
            });
        }
        return Err(ServiceError::invalid(
            "capacity",
            format!("{} places are taken already", row.places_taken),
        ));
    }
    let offered = super::registrations::offer_new_places(db, id, now).await?;
    let activity = find_activity(db, caller, id).await?;
    Ok(ActivityUpdate { activity, offered })
}
