//! Mentorships: a mentor and a participant, from a start to an end.

use crate::services::batch::key_in;
use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{mentor, mentorship};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Select, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions, rows};

type Mentorship = mentorship::Model;

fn visible(caller: &Caller) -> Select<mentorship::Entity> {
    mentorship::Entity::find().filter(rows::mentorships(caller))
}

/// What a list of mentorships is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct MentorshipFilter {
    pub mentor_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    /// Not yet ended (`true`) or ended (`false`).
    pub current: Option<bool>,
}

impl MentorshipFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(id) = self.mentor_id {
            condition = condition.add(mentorship::Column::MentorId.eq(id));
        }
        if let Some(id) = self.participant_id {
            condition = condition.add(mentorship::Column::ParticipantId.eq(id));
        }
        match self.current {
            Some(true) => condition = condition.add(mentorship::Column::EndedOn.is_null()),
            Some(false) => condition = condition.add(mentorship::Column::EndedOn.is_not_null()),
            None => {}
        }
        condition
    }
}

/// A page of the mentorships the caller may see, narrowed by `filter`.
#[tracing::instrument(skip(db, caller))]
pub async fn list_mentorships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MentorshipFilter,
    page: PageRequest,
) -> ServiceResult<Page<Mentorship>> {
    let select = visible(caller).filter(filter.condition());
    pagination::fetch_page(
        db,
        select,
        mentorship::Column::Id,
        page,
        "failed to list mentorships",
    )
    .await
}

/// How many mentorships the caller may see match `filter`.
pub async fn count_mentorships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MentorshipFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition());
    pagination::count(db, select, "failed to count mentorships").await
}

/// One mentorship, if the caller may see it.
pub async fn find_mentorship<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Mentorship> {
    visible(caller)
        .filter(mentorship::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read mentorship"))?
        .ok_or(ServiceError::NotFound {
            entity: "mentorship",
        })
}

/// The mentorships with these ids that the caller may see.
pub async fn load_mentorships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Mentorship>> {
    let rows = visible(caller)
        .filter(key_in(db, mentorship::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentorships"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Which side of a mentorship a nested list hangs from.
#[derive(Debug, Clone, Copy)]
pub enum MentorshipsBy {
    Mentor,
    Participant,
}

/// The mentorships the caller may see of each of these mentors or
/// participants, oldest first.
pub async fn load_mentorships_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    by: MentorshipsBy,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Mentorship>>> {
    let column = match by {
        MentorshipsBy::Mentor => mentorship::Column::MentorId,
        MentorshipsBy::Participant => mentorship::Column::ParticipantId,
    };
    let rows = visible(caller)
        .filter(key_in(db, column, ids))
        .order_by_asc(mentorship::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentorships"))?;
    let mut grouped: HashMap<Uuid, Vec<Mentorship>> = HashMap::new();
    for row in rows {
        let key = match by {
            MentorshipsBy::Mentor => row.mentor_id,
            MentorshipsBy::Participant => row.participant_id,
        };
        grouped.entry(key).or_default().push(row);
    }
    Ok(grouped)
}

/// Starts a mentorship between a mentor and a participant the caller may
/// both see, on `started_on` (default today). The mentor must take part and
/// have spare capacity; the check and the insert hold the mentor's row lock,
/// so concurrent starts never take a mentor over capacity.
#[tracing::instrument(skip(db, caller))]
pub async fn start_mentorship<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    mentor_id: Uuid,
    participant_id: Uuid,
    started_on: Option<NaiveDate>,
) -> ServiceResult<Mentorship> {
    use sea_orm::ActiveValue::Set;
    let mentor = super::mentors::find_mentor(db, caller, mentor_id).await?;
    if !actions::may_start_mentorship(caller, mentor.partner_organisation_id) {
        return Err(ServiceError::Forbidden {
            reason: "a partner starts mentorships of its own mentors".to_owned(),
        });
    }
    super::participants::find_participant(db, caller, participant_id).await?;
    // Microseconds, as PostgreSQL stores them, so what is returned is what is read back.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let started_on = started_on.unwrap_or_else(|| now.date_naive());
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    // Writing the mentor's row first takes its lock (a row lock on
    // PostgreSQL, the write lock on SQLite) until commit; concurrent starts
    // for this mentor wait here and then count what the first one inserted.
    let locked = mentor::Entity::update_many()
        .col_expr(mentor::Column::UpdatedAt, Expr::value(now))
        .filter(mentor::Column::Id.eq(mentor_id))
        .filter(mentor::Column::Active.eq(true))
        .exec(&txn)
        .await
        .map_err(ServiceError::database("failed to lock mentor"))?;
    if locked.rows_affected == 0 {
        return Err(ServiceError::Conflict {
            message: "the mentor does not take part now".to_owned(),
        });
    }
    let current = mentorship::Entity::find()
        .filter(mentorship::Column::MentorId.eq(mentor_id))
        .filter(mentorship::Column::EndedOn.is_null())
        .count(&txn)
        .await
        .map_err(ServiceError::database("failed to count mentees"))?;
    if current >= u64::try_from(mentor.capacity).unwrap_or(0) {
        return Err(ServiceError::Conflict {
            message: format!(
                "the mentor has no spare capacity ({current} of {} mentees)",
                mentor.capacity
            ),
        });
    }
    let row = mentorship::Entity::insert(mentorship::ActiveModel {
        id: Set(Uuid::now_v7()),
        mentor_id: Set(mentor_id),
        participant_id: Set(participant_id),
        started_on: Set(started_on),
        ended_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await
    .map_err(ServiceError::database("failed to insert mentorship"))?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit mentorship"))?;
    Ok(row)
}

/// Ends a mentorship on `ended_on` (default today). Ending one that has
/// already ended changes nothing and returns it as it is, so a retry is safe.
#[tracing::instrument(skip(db, caller))]
pub async fn end_mentorship<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    ended_on: Option<NaiveDate>,
) -> ServiceResult<Mentorship> {
    let current = find_mentorship(db, caller, id).await?;
    let mentor_partner = mentor::Entity::find_by_id(current.mentor_id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read mentor"))?
        .map(|m| m.partner_organisation_id)
        .ok_or(ServiceError::NotFound { entity: "mentor" })?;
    if !actions::may_end_mentorship(caller, &current, mentor_partner) {
        return Err(ServiceError::Forbidden {
            reason: "you may not end this mentorship".to_owned(),
        });
    }
    if current.ended_on.is_some() {
        return Ok(current);
    }
    // Microseconds, as PostgreSQL stores them, so what is returned is what is read back.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let ended_on = ended_on.unwrap_or_else(|| now.date_naive());
    if ended_on < current.started_on {
        return Err(ServiceError::invalid(
            "endedOn",
            format!("on or after the start, {}", current.started_on),
        ));
    }
    let result = mentorship::Entity::update_many()
        .col_expr(mentorship::Column::EndedOn, Expr::value(ended_on))
        .col_expr(mentorship::Column::UpdatedAt, Expr::value(now))
        .filter(mentorship::Column::Id.eq(id))
        .filter(mentorship::Column::EndedOn.is_null())
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to end mentorship"))?;
    if result.rows_affected == 0 {
        return Err(ServiceError::Conflict {
            message: "the mentorship was ended at the same time".to_owned(),
        });
    }
    Ok(mentorship::Model {
        ended_on: Some(ended_on),
        updated_at: now,
        ..current
    })
}
