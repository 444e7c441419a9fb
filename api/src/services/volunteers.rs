//! Volunteer hours: a volunteer (a person with a volunteer membership, a
//! refugee guide or a café host) logs the time they gave at a session that
//! took place; the session's organiser approves or declines it. One log per
//! volunteer and session: logging again corrects it while it waits, and
//! changes nothing once it is decided.

use std::collections::HashMap;

use chrono::Utc;
use entity::{HoursStatus, VolunteerTask, person, volunteer_hours};
use sea_orm::sea_query::Query;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::attendance::held_session;
use super::batch::key_in;
use super::input::{minutes_of_hours, optional_text};
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Hours = volunteer_hours::Model;

/// Hours to log.
#[derive(Debug, Clone)]
pub struct LogHours {
    pub session_id: Uuid,
    pub task: VolunteerTask,
    pub hours: f64,
    pub note: Option<String>,
}

/// Which hours to list.
#[derive(Debug, Clone, Default)]
pub struct HoursFilter {
    pub status: Option<HoursStatus>,
    pub session_id: Option<Uuid>,
}

impl HoursFilter {
    fn condition(&self) -> sea_orm::Condition {
        let mut condition = sea_orm::Condition::all();
        if let Some(status) = self.status {
            condition = condition.add(volunteer_hours::Column::Status.eq(status));
        }
        if let Some(session) = self.session_id {
            condition = condition.add(volunteer_hours::Column::SessionId.eq(session));
        }
        condition
    }
}

/// Logs the caller's hours at a session that took place (scheduled and
/// started): a volunteer signed in as themself. Logging again while the
/// hours wait for the organiser corrects them; once decided, CONFLICT.
#[tracing::instrument(skip(db, caller, input))]
pub async fn log_hours<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: LogHours,
) -> ServiceResult<Hours> {
    let person_id = policy::actions::volunteer_logging_hours(caller).ok_or_else(|| {
        ServiceError::Forbidden {
            reason: "hours are logged by the volunteer who gave them, signed in as themself"
                .to_owned(),
        }
    })?;
    let mut v = super::error::Validation::new();
    let minutes = minutes_of_hours(input.hours);
    if minutes.is_none() {
        v.fail("hours", "must be more than 0 and at most 24");
    }
    let note = v.check(optional_text("note", input.note.as_deref(), 500))?;
    v.finish()?;
    let minutes = minutes.unwrap_or_default();
    held_session(db, caller, input.session_id, "sessionId").await?;
    let now = Utc::now();
    // One statement: a new log, or the correction of one still waiting.
    let written = volunteer_hours::Entity::insert(volunteer_hours::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(input.session_id),
        person_id: Set(person_id),
        organisation_id: Set(caller.organisation_id),
        task: Set(input.task),
        minutes: Set(minutes),
        note: Set(note.flatten()),
        status: Set(HoursStatus::Logged),
        decided_by: Set(None),
        decided_at: Set(None),
        decline_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            volunteer_hours::Column::SessionId,
            volunteer_hours::Column::PersonId,
        ])
        .update_columns([
            volunteer_hours::Column::Task,
            volunteer_hours::Column::Minutes,
            volunteer_hours::Column::Note,
            volunteer_hours::Column::UpdatedAt,
        ])
        .action_and_where(
            Expr::col((volunteer_hours::Entity, volunteer_hours::Column::Status))
                .eq(HoursStatus::Logged.to_value()),
        )
        .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map_err(ServiceError::database("failed to log volunteer hours"))?;
    if written == 0 {
        return Err(ServiceError::Conflict {
            message: "these hours are approved or declined already and cannot change".to_owned(),
        });
    }
    volunteer_hours::Entity::find()
        .filter(volunteer_hours::Column::SessionId.eq(input.session_id))
        .filter(volunteer_hours::Column::PersonId.eq(person_id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read volunteer hours"))?
        .ok_or(ServiceError::NotFound {
            entity: "volunteer hours",
        })
}

/// Approves (`decline_reason` none) or declines logged hours: the
/// session's organiser, by one conditional statement on hours still
/// waiting. NOT_FOUND for hours the caller does not see, FORBIDDEN for
/// hours it sees at another organiser's session, CONFLICT once decided.
#[tracing::instrument(skip(db, caller, reason))]
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> ServiceResult<Hours> {
    let reason = optional_text("reason", reason.as_deref(), 500)?;
    let now = Utc::now();
    let status = if approve {
        HoursStatus::Approved
    } else {
        HoursStatus::Declined
    };
    let decided = volunteer_hours::Entity::update_many()
        .col_expr(volunteer_hours::Column::Status, Expr::value(status))
        .col_expr(
            volunteer_hours::Column::DecidedBy,
            Expr::value(Some(caller.organisation_id)),
        )
        .col_expr(volunteer_hours::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(
            volunteer_hours::Column::DeclineReason,
            Expr::value(if approve { None } else { reason }),
        )
        .col_expr(volunteer_hours::Column::UpdatedAt, Expr::value(now))
        .filter(volunteer_hours::Column::Id.eq(id))
        .filter(volunteer_hours::Column::Status.eq(HoursStatus::Logged))
        .filter(policy::rows::decidable_volunteer_hours(caller))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to decide volunteer hours"))?;
    let row = find_hours(db, caller, id).await?;
    if decided.rows_affected == 1 {
        return Ok(row);
    }
    if row.status != HoursStatus::Logged {
        return Err(ServiceError::Conflict {
            message: "these hours are approved or declined already".to_owned(),
        });
    }
    Err(ServiceError::Forbidden {
        reason: "hours are approved or declined by the session's organiser".to_owned(),
    })
}

/// Hours the caller may see, by id.
pub async fn find_hours<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Hours> {
    volunteer_hours::Entity::find_by_id(id)
        .filter(policy::rows::volunteer_hours(caller))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read volunteer hours"))?
        .ok_or(ServiceError::NotFound {
            entity: "volunteer hours",
        })
}

/// A page of the hours the caller may see, in the order they were logged.
pub async fn list_hours<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &HoursFilter,
    page: PageRequest,
) -> ServiceResult<Page<Hours>> {
    let select = volunteer_hours::Entity::find()
        .filter(policy::rows::volunteer_hours(caller))
        .filter(filter.condition());
    pagination::fetch_page(
        db,
        select,
        volunteer_hours::Column::Id,
        page,
        "failed to list volunteer hours",
    )
    .await
}

/// How many of the hours the caller may see match `filter`.
pub async fn count_hours<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &HoursFilter,
) -> ServiceResult<u64> {
    let select = volunteer_hours::Entity::find()
        .filter(policy::rows::volunteer_hours(caller))
        .filter(filter.condition());
    pagination::count(db, select, "failed to count volunteer hours").await
}

/// The hours logged at each of these sessions that the caller may see, in
/// the order they were logged (a DataLoader batch).
pub async fn load_of_sessions<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Hours>>> {
    let rows = volunteer_hours::Entity::find()
        .filter(key_in(db, volunteer_hours::Column::SessionId, ids))
        .filter(policy::rows::volunteer_hours(caller))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load volunteer hours"))?;
    let mut grouped: HashMap<Uuid, Vec<Hours>> = HashMap::new();
    for row in rows {
        grouped.entry(row.session_id).or_default().push(row);
    }
    for list in grouped.values_mut() {
        list.sort_by_key(|h| h.id);
    }
    Ok(grouped)
}

/// The names of these volunteers, for a caller who sees hours they logged:
/// whoever may see someone's hours may see whose they are (a DataLoader
/// batch; other persons are left out).
pub async fn load_names<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = person::Entity::find()
        .select_only()
        .columns([person::Column::Id, person::Column::Name])
        .filter(key_in(db, person::Column::Id, ids))
        .filter(
            person::Column::Id.in_subquery(
                Query::select()
                    .column(volunteer_hours::Column::PersonId)
                    .from(volunteer_hours::Entity)
                    .cond_where(policy::rows::volunteer_hours(caller))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load volunteers' names"))?;
    Ok(rows.into_iter().collect())
}
