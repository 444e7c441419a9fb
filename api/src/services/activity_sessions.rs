//! Sessions: the concrete occurrences of activities, with a start and an
//! end. Listed in time order (start, then id), so that "this week at
//! Hageby" is one page; scheduled one by one, moved, or cancelled with a
//! reason. Every change is one conditional statement that also checks that
//! the caller organises the activity and that the session is still
//! scheduled.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{SessionStatus, activity, activity_session};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::activities::{ActivityFilter, changeable_activity};
use super::batch::key_in;
use super::input::required_text;
use super::pagination::{Page, PageRequest, into_page};
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Session = activity_session::Model;

/// The longest a session may last.
const MAX_LENGTH_HOURS: i64 = 24;

/// The ids of the activities the caller may see that match `filter`.
fn activities_matching(caller: &Caller, filter: &ActivityFilter) -> ServiceResult<SelectStatement> {
    Ok(Query::select()
        .column(activity::Column::Id)
        .from(activity::Entity)
        .cond_where(policy::rows::activities(caller))
        .cond_where(filter.condition()?)
        .to_owned())
}

/// Which sessions a list holds; every part given must hold.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Starting before this instant.
    pub to: Option<DateTime<Utc>>,
    pub statuses: Vec<SessionStatus>,
    pub activity_id: Option<Uuid>,
    /// What the sessions' activities must be.
    pub activity: ActivityFilter,
}

impl SessionFilter {
    fn condition(&self, caller: &Caller) -> ServiceResult<Condition> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to <= from
        {
            return Err(ServiceError::invalid("to", "must be after from"));
        }
        let mut condition = Condition::all().add(
            activity_session::Column::ActivityId
                .in_subquery(activities_matching(caller, &self.activity)?),
        );
        if let Some(from) = self.from {
            condition = condition.add(activity_session::Column::StartsAt.gte(from));
        }
        if let Some(to) = self.to {
            condition = condition.add(activity_session::Column::StartsAt.lt(to));
        }
        if !self.statuses.is_empty() {
            condition = condition
                .add(activity_session::Column::Status.is_in(self.statuses.iter().copied()));
        }
        if let Some(activity_id) = self.activity_id {
            condition = condition.add(activity_session::Column::ActivityId.eq(activity_id));
        }
        Ok(condition)
    }
}

/// The start of the session with id `key`, as a subquery.
fn start_of(key: Uuid) -> SelectStatement {
    Query::select()
        .column(activity_session::Column::StartsAt)
        .from(activity_session::Entity)
        .and_where(activity_session::Column::Id.eq(key))
        .to_owned()
}

/// Sessions after (`later`) or before the session with id `key` in time
/// order: a later start, or the same start and a greater id. A cursor whose
/// session was moved pages from where it now is.
fn beyond(key: Uuid, later: bool) -> Condition {
    let (start, id) = (
        Expr::col((activity_session::Entity, activity_session::Column::StartsAt)),
        Expr::col((activity_session::Entity, activity_session::Column::Id)),
    );
    let (strictly, tie) = if later {
        (start.clone().gt(start_of(key)), id.gt(key))
    } else {
        (start.clone().lt(start_of(key)), id.lt(key))
    };
    Condition::any()
        .add(strictly)
        .add(Condition::all().add(start.eq(start_of(key))).add(tie))
}

/// A page of sessions in time order (keyset on start and id; no OFFSET).
async fn page_in_time_order<C: ConnectionTrait>(
    db: &C,
    select: Select<activity_session::Entity>,
    page: PageRequest,
) -> ServiceResult<Page<Session>> {
    let mut select = select;
    if let Some(after) = page.after {
        select = select.filter(beyond(after, true));
    }
    if let Some(before) = page.before {
        select = select.filter(beyond(before, false));
    }
    let order = if page.from_end {
        Order::Desc
    } else {
        Order::Asc
    };
    let items = select
        .order_by(activity_session::Column::StartsAt, order.clone())
        .order_by(activity_session::Column::Id, order)
        .limit(page.limit.saturating_add(1))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to list sessions"))?;
    Ok(into_page(items, page))
}

/// A page of the sessions the caller may see that match `filter`, in time order.
#[tracing::instrument(skip(db, caller))]
pub async fn list_sessions<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &SessionFilter,
    page: PageRequest,
) -> ServiceResult<Page<Session>> {
    let select = activity_session::Entity::find().filter(filter.condition(caller)?);
    page_in_time_order(db, select, page).await
}

/// How many sessions the caller may see match `filter`.
pub async fn count_sessions<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &SessionFilter,
) -> ServiceResult<u64> {
    let select = activity_session::Entity::find().filter(filter.condition(caller)?);
    super::pagination::count(db, select, "failed to count sessions").await
}

/// The sessions with these ids that the caller may see (a DataLoader batch).
pub async fn load_sessions<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Session>> {
    let rows = activity_session::Entity::find()
        .filter(key_in(db, activity_session::Column::Id, ids))
        .filter(
            activity_session::Column::ActivityId
                .in_subquery(activities_matching(caller, &ActivityFilter::default())?),
        )
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load sessions"))?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// The sessions of each of these activities the caller may see, in time order.
pub async fn load_sessions_of_activities<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Session>>> {
    let rows = activity_session::Entity::find()
        .filter(key_in(db, activity_session::Column::ActivityId, ids))
        .filter(
            activity_session::Column::ActivityId
                .in_subquery(activities_matching(caller, &ActivityFilter::default())?),
        )
        .order_by_asc(activity_session::Column::StartsAt)
        .order_by_asc(activity_session::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load sessions of activities",
        ))?;
    let mut grouped: HashMap<Uuid, Vec<Session>> = HashMap::new();
    for row in rows {
        grouped.entry(row.activity_id).or_default().push(row);
    }
    Ok(grouped)
}

/// A start and an end that make a session: the end after the start, within a day.
fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> ServiceResult<()> {
    if ends_at <= starts_at {
        return Err(ServiceError::invalid("endsAt", "must be after startsAt"));
    }
    if ends_at - starts_at > chrono::Duration::hours(MAX_LENGTH_HOURS) {
        return Err(ServiceError::invalid(
            "endsAt",
            "a session lasts at most 24 hours",
        ));
    }
    Ok(())
}

/// Schedules one more session of an activity the caller organises.
#[tracing::instrument(skip(db, caller))]
pub async fn schedule_session<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    activity_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> ServiceResult<Session> {
    check_times(starts_at, ends_at)?;
    let activity = changeable_activity(db, caller, activity_id).await?;
    let now = Utc::now();
    activity_session::Entity::insert(activity_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        activity_id: Set(activity.id),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        status: Set(SessionStatus::Scheduled),
        cancel_reason: Set(None),
        anonymous_headcount: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database("failed to insert session"))
}

/// The sessions of the activities the caller may change.
fn changeable_sessions(caller: &Caller) -> Condition {
    Condition::all().add(
        activity_session::Column::ActivityId.in_subquery(
            Query::select()
                .column(activity::Column::Id)
                .from(activity::Entity)
                .cond_where(policy::rows::changeable_activities(caller))
                .to_owned(),
        ),
    )
}

/// Why a conditional change of a session changed nothing: NOT_FOUND when
/// the caller may not see it, FORBIDDEN when they do not organise it,
/// CONFLICT when it is cancelled.
async fn refusal<C: ConnectionTrait>(db: &C, caller: &Caller, id: Uuid) -> ServiceError {
    let found = match load_sessions(db, caller, &[id]).await {
        Ok(mut rows) => rows.remove(&id),
        Err(error) => return error,
    };
    let Some(session) = found else {
        return ServiceError::NotFound { entity: "session" };
    };
    if let Err(error) = changeable_activity(db, caller, session.activity_id).await {
        return error;
    }
    // The caller organises it, so it was cancelled (perhaps just now).
    ServiceError::Conflict {
        message: "the session is cancelled".to_owned(),
    }
}

/// Applies `set` to the session if it is scheduled and the caller
/// organises its activity, in one statement.
pub(super) async fn change_scheduled<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    set: impl FnOnce(
        sea_orm::UpdateMany<activity_session::Entity>,
    ) -> sea_orm::UpdateMany<activity_session::Entity>,
) -> ServiceResult<Session> {
    let update = activity_session::Entity::update_many()
        .col_expr(activity_session::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(activity_session::Column::Id.eq(id))
        .filter(activity_session::Column::Status.eq(SessionStatus::Scheduled))
        .filter(changeable_sessions(caller));
    let mut rows = set(update)
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to change session"))?;
    match rows.pop() {
        Some(row) => Ok(row),
        None => Err(refusal(db, caller, id).await),
    }
}

/// Cancels a scheduled session, with the reason participants are told.
#[tracing::instrument(skip(db, caller, reason))]
pub async fn cancel_session<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    reason: &str,
) -> ServiceResult<Session> {
    let reason = required_text("reason", reason, 500)?;
    change_scheduled(db, caller, id, |update| {
        update
            .col_expr(
                activity_session::Column::Status,
                Expr::value(SessionStatus::Cancelled),
            )
            .col_expr(activity_session::Column::CancelReason, Expr::value(reason))
    })
    .await
}

/// Moves a scheduled session to a new start and end.
#[tracing::instrument(skip(db, caller))]
pub async fn move_session<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> ServiceResult<Session> {
    check_times(starts_at, ends_at)?;
    change_scheduled(db, caller, id, |update| {
        update
            .col_expr(activity_session::Column::StartsAt, Expr::value(starts_at))
            .col_expr(activity_session::Column::EndsAt, Expr::value(ends_at))
    })
    .await
}
