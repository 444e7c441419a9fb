//! Portalen's intake queue per site: join, follow one's number, offers of
//! intakes to the first in line, and the queue's length and median wait.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::{caller, db};
use crate::graphql::enums::{QueueStatus, Site};
use crate::graphql::error::bad_input;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::QueueEntry;
use crate::graphql::write::Write;
use crate::policy::reads::Kind;
use crate::policy::{Role, Scope};
use crate::services::queue as service;
use crate::services::{ServiceError, ServiceResult};

/// Where a queue number stands, for the person who shows it.
#[derive(SimpleObject)]
pub struct QueuePosition {
    /// Their place in line (1 is next), while in line.
    pub position: Option<i32>,
    /// How many are in line at the site.
    pub length: i32,
    /// Where they stand.
    pub status: QueueStatus,
}

/// A site's queue in figures.
#[derive(SimpleObject)]
pub struct QueueStats {
    /// The site.
    pub site: Site,
    /// How many are in line.
    pub length: i32,
    /// The median wait, in days, from joining to an accepted intake; null
    /// before anyone was taken in.
    pub median_wait_days: Option<f64>,
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Queries about the intake queue.
#[derive(Default)]
pub struct QueueQuery;

#[Object]
impl QueueQuery {
    /// Those in line at a site, first first (at most 500). Requires
    /// `queue:read`, as administrator or partner.
    #[graphql(guard = "Require::read(Kind::QueueEntry)")]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The site.")] site: Site,
        #[graphql(desc = "At most this many (1 to 500, default 100).", default = 100)] first: i32,
    ) -> Result<Vec<QueueEntry>> {
        let first = u64::try_from(first)
            .ok()
            .filter(|n| (1..=service::MAX_LIST).contains(n))
            .ok_or_else(|| bad_input("first", "must be between 1 and 500"))?;
        let rows = service::in_line(db(ctx)?, caller(ctx)?, site.into(), first).await?;
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| QueueEntry::in_line(row, i + 1))
            .collect())
    }

    /// A site's queue in figures: its length and median wait. Requires
    /// `queue:read`, as administrator or partner.
    #[graphql(guard = "Require::read(Kind::QueueEntry)")]
    async fn queue_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The site.")] site: Site,
    ) -> Result<QueueStats> {
        let stats = service::stats(db(ctx)?, site.into()).await?;
        Ok(QueueStats {
            site,
            length: count(stats.length),
            median_wait_days: stats.median_wait_days,
        })
    }

    /// Where a queue number stands: for the person who shows it, without a
    /// token (only the place in line and the queue's length are told).
    /// NOT_FOUND for a number the site has not given.
    async fn queue_position(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The site.")] site: Site,
        #[graphql(desc = "The number shown.")] number: i32,
    ) -> Result<QueuePosition> {
        let db = db(ctx)?;
        let entry = service::by_number(db, site.into(), number).await?;
        let position = service::position(db, &entry).await?;
        let length = service::length(db, site.into()).await?;
        Ok(QueuePosition {
            position: position.map(count),
            length: count(length),
            status: entry.status.into(),
        })
    }
}

/// A person joining the queue.
#[derive(InputObject)]
pub struct JoinQueueInput {
    /// The site.
    pub site: Site,
    /// A first name or alias, 1 to 100 characters; no papers needed.
    pub alias: String,
    /// A way to reach them, if they like (at most 200 characters).
    pub contact: Option<String>,
}

/// An intake offered to the first in line.
#[derive(InputObject)]
pub struct OfferIntakeInput {
    /// The site whose first in line is offered it.
    pub site: Site,
    /// What is offered, e.g. `Introduktion tisdag 12 januari kl. 10`.
    pub offer: String,
    /// How long it stands, 1 to 336 hours (default 72).
    #[graphql(default = 72)]
    pub hours: i32,
}

/// Someone moved in line.
#[derive(InputObject)]
pub struct MoveQueueEntryInput {
    /// The entry.
    pub id: ID,
    /// Their new place in line (1 is first).
    pub position: i32,
    /// Why, recorded with the entry (1 to 500 characters).
    pub reason: String,
}

/// The result of a queue mutation.
#[derive(SimpleObject)]
pub struct QueueEntryPayload {
    /// The entry as it now stands, unless the input was refused.
    pub entry: Option<QueueEntry>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

const STAFF: &[Role] = &[Role::Administrator, Role::Partner];

/// Mutations of the queue.
#[derive(Default)]
pub struct QueueMutation;

#[Object]
impl QueueMutation {
    /// Adds a person to a site's queue with the site's next number.
    /// Requires `queue:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::QueueWrite, STAFF)")]
    async fn join_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who and where; see the input type.")] input: JoinQueueInput,
    ) -> Result<QueueEntryPayload> {
        let write = Write::begin(ctx).await?;
        let result = service::join(
            write.txn(),
            caller(ctx)?,
            input.site.into(),
            &input.alias,
            input.contact.as_deref(),
        )
        .await;
        entry_payload(write.finish(result).await)
    }

    /// Offers an intake to the first in line at a site; CONFLICT when
    /// nobody waits. Requires `queue:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::QueueWrite, STAFF)")]
    async fn offer_intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The site and the offer; see the input type.")] input: OfferIntakeInput,
    ) -> Result<QueueEntryPayload> {
        let write = Write::begin(ctx).await?;
        let result = service::offer_intake(
            write.txn(),
            caller(ctx)?,
            input.site.into(),
            &input.offer,
            input.hours,
        )
        .await;
        entry_payload(write.finish(result).await)
    }

    /// Accepts an offered intake before it expires: the person becomes an
    /// active participant with a consent to the caller's organisation.
    /// Requires `queue:write` and `participants:write`, as administrator or
    /// partner.
    #[graphql(guard = "Require::roles(Scope::QueueWrite, STAFF)")]
    async fn accept_intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry's global id.")] id: ID,
    ) -> Result<QueueEntryPayload> {
        let id = decode_as(&id, NodeType::QueueEntry, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::accept_intake(write.txn(), caller(ctx)?, id).await;
        entry_payload(write.finish(result).await)
    }

    /// Takes someone out of the queue at their wish. Requires
    /// `queue:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::QueueWrite, STAFF)")]
    async fn withdraw_from_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry's global id.")] id: ID,
    ) -> Result<QueueEntryPayload> {
        let id = decode_as(&id, NodeType::QueueEntry, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::withdraw(write.txn(), caller(ctx)?, id).await;
        entry_payload(write.finish(result).await)
    }

    /// Moves someone in line, with the reason recorded and audited.
    /// Requires `queue:write`, as administrator.
    #[graphql(guard = "Require::roles(Scope::QueueWrite, &[Role::Administrator])")]
    async fn move_queue_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry, where to, and why; see the input type.")]
        input: MoveQueueEntryInput,
    ) -> Result<QueueEntryPayload> {
        let id = decode_as(&input.id, NodeType::QueueEntry, "input.id")?;
        let write = Write::begin(ctx).await?;
        let result = match u64::try_from(input.position) {
            Ok(to) => service::move_entry(write.txn(), caller(ctx)?, id, to, &input.reason).await,
            Err(_) => Err(ServiceError::invalid("position", "positions start at 1")),
        };
        entry_payload(write.finish(result).await)
    }
}

fn entry_payload(result: ServiceResult<entity::queue_entry::Model>) -> Result<QueueEntryPayload> {
    let (entry, user_errors) = payload(result)?;
    Ok(QueueEntryPayload {
        entry: entry.map(QueueEntry::new),
        user_errors,
    })
}
