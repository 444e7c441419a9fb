//! Portalen's intake queue, per site, first come first served: a person
//! joins with a first name or alias and gets the next number at the site; a
//! coordinator offers an intake to the first in line, with an expiry;
//! accepting makes them an active participant. Only an administrator moves
//! someone, with a recorded reason.

use chrono::{DateTime, Duration, Utc};
use entity::{ParticipantStatus, QueueStatus, Site, queue_entry};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::input::{optional_text, required_text};
use super::participants::{ParticipantChanges, create_participant};
use super::{ServiceError, ServiceResult};
use crate::policy::{self, Caller};

type Entry = queue_entry::Model;

/// The states of those still in the queue.
pub const IN_LINE: [QueueStatus; 2] = [QueueStatus::Waiting, QueueStatus::Offered];
/// The most entries one list returns.
pub const MAX_LIST: u64 = 500;
/// How many times a number or an offer is tried again after a concurrent
/// change took it.
const ATTEMPTS: usize = 20;

fn visible(caller: &Caller) -> sea_orm::Select<queue_entry::Entity> {
    queue_entry::Entity::find().filter(policy::rows::queue_entries(caller))
}

/// The entry, if the caller may see it.
pub async fn find_entry<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Entry> {
    visible(caller)
        .filter(queue_entry::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read queue entry"))?
        .ok_or(ServiceError::NotFound {
            entity: "queue entry",
        })
}

/// Adds a person to a site's queue with the site's next number. Two joining
/// at once cannot take one number (a unique index); the later tries the
/// next, inside a savepoint.
#[tracing::instrument(skip(db, caller, alias, contact))]
pub async fn join<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    site: Site,
    alias: &str,
    contact: Option<&str>,
) -> ServiceResult<Entry> {
    let mut v = super::error::Validation::new();
    let alias = v.check(required_text("alias", alias, 100))?;
    let contact = v.check(optional_text("contact", contact, 200))?;
    v.finish()?;
    let (Some(alias), Some(contact)) = (alias, contact) else {
        return Err(ServiceError::invalid("alias", "invalid"));
    };
    for _ in 0..ATTEMPTS {
        let savepoint = db
            .begin()
            .await
            .map_err(ServiceError::database("failed to begin a savepoint"))?;
        let number: Option<i32> = queue_entry::Entity::find()
            .select_only()
            .column_as(queue_entry::Column::Number.max(), "number")
            .filter(queue_entry::Column::Site.eq(site))
            .into_tuple::<Option<i32>>()
            .one(&savepoint)
            .await
            .map_err(ServiceError::database("failed to number the queue"))?
            .flatten();
        let now = Utc::now();
        let inserted = queue_entry::Entity::insert(queue_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            site: Set(site),
            number: Set(number.unwrap_or(0) + 1),
            alias: Set(alias.clone()),
            contact: Set(contact.clone()),
            status: Set(QueueStatus::Waiting),
            queued_at: Set(now),
            offer: Set(None),
            offer_expires_at: Set(None),
            move_reason: Set(None),
            participant_id: Set(None),
            added_by: Set(caller.organisation_id),
            left_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_with_returning(&savepoint)
        .await;
        match inserted {
            Ok(row) => {
                savepoint
                    .commit()
                    .await
                    .map_err(ServiceError::database("failed to release a savepoint"))?;
                return Ok(row);
            }
            Err(error) => match ServiceError::database("failed to join the queue")(error) {
                ServiceError::Conflict { .. } => {
                    savepoint
                        .rollback()
                        .await
                        .map_err(ServiceError::database("failed to roll back a savepoint"))?;
                }
                other => return Err(other),
            },
        }
    }
    Err(ServiceError::Conflict {
        message: "many joined at once; try again".to_owned(),
    })
}

/// Those in line at a site, in order (at most [`MAX_LIST`]).
pub async fn in_line<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    site: Site,
    first: u64,
) -> ServiceResult<Vec<Entry>> {
    visible(caller)
        .filter(queue_entry::Column::Site.eq(site))
        .filter(queue_entry::Column::Status.is_in(IN_LINE))
        .order_by_asc(queue_entry::Column::QueuedAt)
        .order_by_asc(queue_entry::Column::Id)
        .limit(first.min(MAX_LIST))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read the queue"))
}

/// Where the entry stands in its site's line (1 is next), if in line.
pub async fn position<C: ConnectionTrait>(db: &C, entry: &Entry) -> ServiceResult<Option<u64>> {
    if !IN_LINE.contains(&entry.status) {
        return Ok(None);
    }
    let ahead = queue_entry::Entity::find()
        .filter(queue_entry::Column::Site.eq(entry.site))
        .filter(queue_entry::Column::Status.is_in(IN_LINE))
        .filter(
            Condition::any()
                .add(queue_entry::Column::QueuedAt.lt(entry.queued_at))
                .add(
                    Condition::all()
                        .add(queue_entry::Column::QueuedAt.eq(entry.queued_at))
                        .add(queue_entry::Column::Id.lt(entry.id)),
                ),
        )
        .count(db)
        .await
        .map_err(ServiceError::database("failed to place the entry"))?;
    Ok(Some(ahead + 1))
}

/// The entry with this number at a site (any caller: the number is what a
/// person shows, and only its place in line is told).
pub async fn by_number<C: ConnectionTrait>(
    db: &C,
    site: Site,
    number: i32,
) -> ServiceResult<Entry> {
    queue_entry::Entity::find()
        .filter(queue_entry::Column::Site.eq(site))
        .filter(queue_entry::Column::Number.eq(number))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read queue entry"))?
        .ok_or(ServiceError::NotFound {
            entity: "queue number",
        })
}

/// A site's queue: how many are in line, and the median wait (days from
/// joining to an accepted intake) of those taken in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueStats {
    pub length: u64,
    pub median_wait_days: Option<f64>,
}

/// How many are in line at a site.
pub async fn length<C: ConnectionTrait>(db: &C, site: Site) -> ServiceResult<u64> {
    queue_entry::Entity::find()
        .filter(queue_entry::Column::Site.eq(site))
        .filter(queue_entry::Column::Status.is_in(IN_LINE))
        .count(db)
        .await
        .map_err(ServiceError::database("failed to count the queue"))
}

/// The queue's length and median wait at a site.
pub async fn stats<C: ConnectionTrait>(db: &C, site: Site) -> ServiceResult<QueueStats> {
    let length = length(db, site).await?;
    let waits: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = queue_entry::Entity::find()
        .select_only()
        .column(queue_entry::Column::CreatedAt)
        .column(queue_entry::Column::LeftAt)
        .filter(queue_entry::Column::Site.eq(site))
        .filter(queue_entry::Column::Status.eq(QueueStatus::Accepted))
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read waits"))?;
    let mut days: Vec<f64> = waits
        .into_iter()
        .filter_map(|(joined, left)| left.map(|l| (l - joined).num_seconds() as f64 / 86_400.0))
        .collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    Ok(QueueStats {
        length,
        median_wait_days: median.map(|d| (d * 10.0).round() / 10.0),
    })
}

/// Offers an intake (what, until when) to the first waiting at a site.
#[tracing::instrument(skip(db, caller, offer))]
pub async fn offer_intake<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    site: Site,
    offer: &str,
    hours: i32,
) -> ServiceResult<Entry> {
    let offer = required_text("offer", offer, 300)?;
    if !(1..=336).contains(&hours) {
        return Err(ServiceError::invalid(
            "hours",
            "must be between 1 and 336 (two weeks)",
        ));
    }
    let now = Utc::now();
    for _ in 0..ATTEMPTS {
        let first: Option<Uuid> = visible(caller)
            .select_only()
            .column(queue_entry::Column::Id)
            .filter(queue_entry::Column::Site.eq(site))
            .filter(queue_entry::Column::Status.eq(QueueStatus::Waiting))
            .order_by_asc(queue_entry::Column::QueuedAt)
            .order_by_asc(queue_entry::Column::Id)
            .into_tuple()
            .one(db)
            .await
            .map_err(ServiceError::database("failed to read the queue"))?;
        let Some(first) = first else {
            return Err(ServiceError::Conflict {
                message: "nobody waits at this site".to_owned(),
            });
        };
        let mut rows = queue_entry::Entity::update_many()
            .col_expr(
                queue_entry::Column::Status,
                Expr::value(QueueStatus::Offered),
            )
            .col_expr(queue_entry::Column::Offer, Expr::value(offer.clone()))
            .col_expr(
                queue_entry::Column::OfferExpiresAt,
                Expr::value(now + Duration::hours(i64::from(hours))),
            )
            .col_expr(queue_entry::Column::UpdatedAt, Expr::value(now))
            .filter(queue_entry::Column::Id.eq(first))
            .filter(queue_entry::Column::Status.eq(QueueStatus::Waiting))
            .exec_with_returning(db)
            .await
            .map_err(ServiceError::database("failed to offer an intake"))?;
        if let Some(row) = rows.pop() {
            return Ok(row);
        }
    }
    Err(ServiceError::Conflict {
        message: "the queue changed too often meanwhile; try again".to_owned(),
    })
}

/// Moves an entry from one of `from` to `to` (leaving the line), in one
/// statement; `extra` adds conditions.
async fn leave<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    from: &[QueueStatus],
    to: QueueStatus,
    extra: Condition,
) -> ServiceResult<Option<Entry>> {
    let now = Utc::now();
    let mut rows = queue_entry::Entity::update_many()
        .col_expr(queue_entry::Column::Status, Expr::value(to))
        .col_expr(queue_entry::Column::LeftAt, Expr::value(now))
        .col_expr(queue_entry::Column::UpdatedAt, Expr::value(now))
        .filter(queue_entry::Column::Id.eq(id))
        .filter(queue_entry::Column::Status.is_in(from.iter().copied()))
        .filter(policy::rows::queue_entries(caller))
        .filter(extra)
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to change queue entry"))?;
    Ok(rows.pop())
}

/// Accepts an offered intake before it expires: the person becomes an
/// active participant at the site, with a consent to the caller's
/// organisation (the one taking them in).
#[tracing::instrument(skip(db, caller))]
pub async fn accept_intake<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Entry> {
    if !policy::actions::may_admit_from_queue(caller) {
        return Err(ServiceError::Forbidden {
            reason: "taking someone in needs queue:write and participants:write".to_owned(),
        });
    }
    let current = find_entry(db, caller, id).await?;
    let now = Utc::now();
    let open_offer = Condition::all().add(queue_entry::Column::OfferExpiresAt.gt(now));
    let Some(entry) = leave(
        db,
        caller,
        id,
        &[QueueStatus::Offered],
        QueueStatus::Accepted,
        open_offer,
    )
    .await?
    else {
        return Err(ServiceError::Conflict {
            message: match current.status {
                QueueStatus::Offered => "the offer has expired".to_owned(),
                other => format!("no intake is offered ({other:?})").to_lowercase(),
            },
        });
    };
    let participant = create_participant(
        db,
        caller,
        ParticipantChanges {
            display_name: Some(entry.alias.clone()),
            site: Some(Some(entry.site)),
            status: Some(ParticipantStatus::Active),
            ..ParticipantChanges::default()
        },
        "Intake at Portalen",
    )
    .await?;
    let mut rows = queue_entry::Entity::update_many()
        .col_expr(
            queue_entry::Column::ParticipantId,
            Expr::value(participant.id),
        )
        .filter(queue_entry::Column::Id.eq(entry.id))
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to link the participant"))?;
    rows.pop().ok_or(ServiceError::NotFound {
        entity: "queue entry",
    })
}

/// Takes someone out of the queue at their wish (waiting or offered).
#[tracing::instrument(skip(db, caller))]
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Entry> {
    let current = find_entry(db, caller, id).await?;
    leave(
        db,
        caller,
        id,
        &IN_LINE,
        QueueStatus::Withdrawn,
        Condition::all(),
    )
    .await?
    .ok_or_else(|| ServiceError::Conflict {
        message: format!("not in the queue ({:?})", current.status).to_lowercase(),
    })
}

/// Moves someone to `to` (1 is first) in their site's line, with the reason
/// recorded; an administrator only.
#[tracing::instrument(skip(db, caller, reason))]
pub async fn move_entry<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    to: u64,
    reason: &str,
) -> ServiceResult<Entry> {
    if !policy::actions::may_move_in_queue(caller) {
        return Err(ServiceError::Forbidden {
            reason: "only an administrator moves someone in the queue".to_owned(),
        });
    }
    let reason = required_text("reason", reason, 500)?;
    if to == 0 {
        return Err(ServiceError::invalid("position", "positions start at 1"));
    }
    let entry = find_entry(db, caller, id).await?;
    if !IN_LINE.contains(&entry.status) {
        return Err(ServiceError::Conflict {
            message: "not in the queue".to_owned(),
        });
    }
    // The one now at `to` (other than this entry): just before it, or the
    // end of the line when `to` is past it.
    let at: Option<DateTime<Utc>> = queue_entry::Entity::find()
        .select_only()
        .column(queue_entry::Column::QueuedAt)
        .filter(queue_entry::Column::Site.eq(entry.site))
        .filter(queue_entry::Column::Status.is_in(IN_LINE))
        .filter(queue_entry::Column::Id.ne(entry.id))
        .order_by_asc(queue_entry::Column::QueuedAt)
        .order_by_asc(queue_entry::Column::Id)
        .offset(to - 1)
        .into_tuple()
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read the queue"))?;
    let queued_at = match at {
        Some(at) => at - Duration::microseconds(1),
        None => Utc::now(),
    };
    let mut rows = queue_entry::Entity::update_many()
        .col_expr(queue_entry::Column::QueuedAt, Expr::value(queued_at))
        .col_expr(queue_entry::Column::MoveReason, Expr::value(reason))
        .col_expr(queue_entry::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(queue_entry::Column::Id.eq(entry.id))
        .filter(queue_entry::Column::Status.is_in(IN_LINE))
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to move queue entry"))?;
    rows.pop().ok_or(ServiceError::Conflict {
        message: "not in the queue".to_owned(),
    })
}

/// Ends the intake offers that expired by `now`.
pub async fn expire_offers<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Entry>> {
    queue_entry::Entity::update_many()
        .col_expr(
            queue_entry::Column::Status,
            Expr::value(QueueStatus::Expired),
        )
        .col_expr(queue_entry::Column::LeftAt, Expr::value(now))
        .col_expr(queue_entry::Column::UpdatedAt, Expr::value(now))
        .filter(queue_entry::Column::Status.eq(QueueStatus::Offered))
        .filter(queue_entry::Column::OfferExpiresAt.lte(now))
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to expire intake offers"))
}
