//! Attendance: who took part in a session (named, one row per participant
//! and session) and how many came without giving a name (the session's
//! anonymous headcount). Names are personal data: a caller reads only those
//! of participants it may see; the counts are for everyone who sees the
//! session.

use std::collections::HashMap;

use chrono::Utc;
use entity::{SessionStatus, activity_session, attendance, participant};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::activity_sessions::{change_scheduled, load_sessions};
use super::batch::key_in;
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Session = activity_session::Model;

/// The most participants one call records.
pub const MAX_NAMES: usize = 200;
/// The largest anonymous headcount of one session.
pub const MAX_HEADCOUNT: i32 = 10_000;

/// A session as it stands after a change of its attendance, and how many
/// participants the change added or removed.
#[derive(Debug, Clone)]
pub struct AttendanceChange {
    pub session: Session,
    pub changed: u64,
}

/// The session, if the caller sees it and it took place: scheduled, and
/// started. Refusals name `field`.
pub(super) async fn held_session<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    field: &str,
) -> ServiceResult<Session> {
    let session = load_sessions(db, caller, &[id])
        .await?
        .remove(&id)
        .ok_or(ServiceError::NotFound { entity: "session" })?;
    if session.status == SessionStatus::Cancelled {
        return Err(ServiceError::invalid(field, "the session is cancelled"));
    }
    if session.starts_at > Utc::now() {
        return Err(ServiceError::invalid(
            field,
            "the session has not started yet",
        ));
    }
    Ok(session)
}

/// Records that these participants took part. Recording a participant
/// again changes nothing; `changed` counts those newly recorded. Every
/// participant must be one the caller may see (NOT_FOUND otherwise, and
/// nothing is recorded).
#[tracing::instrument(skip(db, caller, participant_ids))]
pub async fn record_attendance<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    session_id: Uuid,
    participant_ids: &[Uuid],
) -> ServiceResult<AttendanceChange> {
    let mut ids = participant_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_NAMES {
        return Err(ServiceError::invalid(
            "participantIds",
            format!("give 1 to {MAX_NAMES} participants"),
        ));
    }
    let session = held_session(db, caller, session_id, "sessionId").await?;
    let visible = participant::Entity::find()
        .filter(key_in(db, participant::Column::Id, &ids))
        .filter(policy::rows::participants(caller))
        .count(db)
        .await
        .map_err(ServiceError::database("failed to check participants"))?;
    if visible != ids.len() as u64 {
        return Err(ServiceError::NotFound {
            entity: "participant",
        });
    }
    // One statement: the rows of the participants the caller sees, the
    // session still scheduled, existing rows left as they are.
    let now = Utc::now();
    let source = Query::select()
        .expr(Expr::val(session.id))
        .column(participant::Column::Id)
        .expr(Expr::val(caller.organisation_id))
        .expr(Expr::val(now))
        .from(participant::Entity)
        .cond_where(key_in(db, participant::Column::Id, &ids))
        .cond_where(policy::rows::participants(caller))
        .and_where(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(activity_session::Entity)
                .and_where(activity_session::Column::Id.eq(session.id))
                .and_where(activity_session::Column::Status.eq(SessionStatus::Scheduled))
                .to_owned(),
        ))
        .to_owned();
    let insert = Query::insert()
        .into_table(attendance::Entity)
        .columns([
            attendance::Column::SessionId,
            attendance::Column::ParticipantId,
            attendance::Column::RecordedBy,
            attendance::Column::CreatedAt,
        ])
        .select_from(source)
        .map_err(|e| ServiceError::invalid("participantIds", e.to_string()))?
        .on_conflict(
            OnConflict::columns([
                attendance::Column::SessionId,
                attendance::Column::ParticipantId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    let result = db
        .execute(&insert)
        .await
        .map_err(ServiceError::database("failed to record attendance"))?;
    Ok(AttendanceChange {
        session,
        changed: result.rows_affected(),
    })
}

/// Takes back one participant's attendance (a correction).
#[tracing::instrument(skip(db, caller))]
pub async fn remove_attendance<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    session_id: Uuid,
    participant_id: Uuid,
) -> ServiceResult<AttendanceChange> {
    let session = load_sessions(db, caller, &[session_id])
        .await?
        .remove(&session_id)
        .ok_or(ServiceError::NotFound { entity: "session" })?;
    let result = attendance::Entity::delete_many()
        .filter(attendance::Column::SessionId.eq(session_id))
        .filter(attendance::Column::ParticipantId.eq(participant_id))
        .filter(policy::rows::attendance(caller))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to remove attendance"))?;
    if result.rows_affected == 0 {
        return Err(ServiceError::NotFound {
            entity: "attendance",
        });
    }
    Ok(AttendanceChange {
        session,
        changed: result.rows_affected,
    })
}

/// Sets the anonymous headcount of a session that took place (a new count
/// replaces the old, so sending it twice counts once). Only the organiser.
#[tracing::instrument(skip(db, caller))]
pub async fn set_headcount<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    session_id: Uuid,
    count: i32,
) -> ServiceResult<Session> {
    if !(0..=MAX_HEADCOUNT).contains(&count) {
        return Err(ServiceError::invalid(
            "count",
            format!("must be between 0 and {MAX_HEADCOUNT}"),
        ));
    }
    held_session(db, caller, session_id, "sessionId").await?;
    change_scheduled(db, caller, session_id, |update| {
        update.col_expr(
            activity_session::Column::AnonymousHeadcount,
            Expr::value(count),
        )
    })
    .await
}

/// How many participants are recorded by name in each of these sessions.
pub async fn load_named_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::SessionId)
        .column_as(attendance::Column::ParticipantId.count(), "named")
        .filter(key_in(db, attendance::Column::SessionId, ids))
        .group_by(attendance::Column::SessionId)
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database("failed to count attendance"))?;
    Ok(rows.into_iter().collect())
}

/// The participants recorded in each of these sessions that the caller may
/// see, in id order.
pub async fn load_attendees<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<participant::Model>>> {
    let rows = attendance::Entity::find()
        .filter(key_in(db, attendance::Column::SessionId, ids))
        .filter(policy::rows::attendance(caller))
        .find_also_related(participant::Entity)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load attendees"))?;
    let mut grouped: HashMap<Uuid, Vec<participant::Model>> = HashMap::new();
    for (row, person) in rows {
        if let Some(person) = person {
            grouped.entry(row.session_id).or_default().push(person);
        }
    }
    for list in grouped.values_mut() {
        list.sort_by_key(|p| p.id);
    }
    Ok(grouped)
}
