//! What participants give (the method's 50/50): recorded by the staff of an
//! organisation that may see the participant, shown on the participant's
//! profile and counted in the report beside what they received.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{ContributionKind, contribution};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::batch::key_in;
use super::input::{minutes_of_hours, optional_text};
use super::participants::find_participant;
use super::{ServiceError, ServiceResult};
use crate::policy::Caller;

type Contribution = contribution::Model;

/// A contribution to record.
#[derive(Debug, Clone)]
pub struct NewContribution {
    pub participant_id: Uuid,
    pub kind: ContributionKind,
    pub occurred_on: NaiveDate,
    pub hours: f64,
    pub activity_id: Option<Uuid>,
    pub description: Option<String>,
}

/// Records a contribution of a participant the caller may see: on a day
/// that has come, of more than nothing and at most 24 hours.
#[tracing::instrument(skip(db, caller, input))]
pub async fn record<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: NewContribution,
) -> ServiceResult<Contribution> {
    let mut v = super::error::Validation::new();
    let minutes = minutes_of_hours(input.hours);
    if minutes.is_none() {
        v.fail("hours", "must be more than 0 and at most 24");
    }
    if input.occurred_on > Utc::now().date_naive() {
        v.fail("occurredOn", "must not be in the future");
    }
    let description = v.check(optional_text(
        "description",
        input.description.as_deref(),
        500,
    ))?;
    v.finish()?;
    find_participant(db, caller, input.participant_id).await?;
    let now = Utc::now();
    contribution::Entity::insert(contribution::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(input.participant_id),
        kind: Set(input.kind),
        occurred_on: Set(input.occurred_on),
        minutes: Set(minutes.unwrap_or_default()),
        activity_id: Set(input.activity_id),
        description: Set(description.flatten()),
        recorded_by: Set(caller.organisation_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database_referencing(
        "failed to record contribution",
        "activityId",
        "no activity has this id",
    ))
}

/// The contributions of each of these participants, newest first (the
/// participants are ones the caller sees: this is their profile's list).
pub async fn load_of_participants<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Contribution>>> {
    let rows = contribution::Entity::find()
        .filter(key_in(db, contribution::Column::ParticipantId, ids))
        .order_by_desc(contribution::Column::OccurredOn)
        .order_by_desc(contribution::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load contributions"))?;
    let mut grouped: HashMap<Uuid, Vec<Contribution>> = HashMap::new();
    for row in rows {
        grouped.entry(row.participant_id).or_default().push(row);
    }
    Ok(grouped)
}
