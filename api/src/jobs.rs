//! Jobs that change data outside a request, each in a unit of work with its
//! audit events, as a mutation's changes are.

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::services::ServiceResult;
use crate::services::audit::{Actor, AuditKind};
use crate::services::privacy::{self, RetentionRun};
use crate::unit_of_work::{UnitOfWork, Work};

/// Anonymises participants inactive for longer than `retention` (see
/// [`privacy::find_retirable`]), found and changed in one unit of work; a
/// dry run only reports who they are. All or nothing, with one `retention`
/// audit event per participant, by the actor `system:retention`. After a run that changed anything, the
/// remnants of erased participants are purged too.
#[tracing::instrument(skip(db))]
pub async fn retention(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
    retention: Duration,
    dry_run: bool,
) -> ServiceResult<RetentionRun> {
    let cutoff = at - retention;
    if dry_run {
        return Ok(RetentionRun {
            cutoff,
            participants: privacy::find_retirable(db, cutoff).await?,
            applied: false,
        });
    }
    let work = Work::new(Actor::system("retention"), "retention run").kind(AuditKind::Retention);
    let unit = UnitOfWork::begin(db, work).await?;
    let result = privacy::retire(unit.txn(), cutoff).await;
    let participants = unit
        .finish_each(result, |ids| {
            ids.iter().map(|id| ("participant", *id)).collect()
        })
        .await?;
    // Nobody to retire: nothing was changed (and no event written).
    let applied = !participants.is_empty();
    if applied {
        privacy::purge_erased_remnants(db).await?;
    }
    Ok(RetentionRun {
        cutoff,
        participants,
        applied,
    })
}

/// Ends the offers that expired by `at`: places on waiting lists, each then
/// offered to the next in line (`services::registrations::expire_offers`),
/// and intakes from the queue (`services::queue::expire_offers`); in one
/// unit of work with a `mutation` audit event per expired row, by the actor
/// `system:offers`. Returns how many expired.
#[tracing::instrument(skip(db))]
pub async fn expire_offers(db: &DatabaseConnection, at: DateTime<Utc>) -> ServiceResult<usize> {
    let work = Work::new(Actor::system("offers"), "expireOffers");
    let unit = UnitOfWork::begin(db, work).await?;
    let result = async {
        let places = crate::services::registrations::expire_offers(unit.txn(), None, at).await?;
        let intakes = crate::services::queue::expire_offers(unit.txn(), at).await?;
        Ok((places, intakes))
    }
    .await;
    let (places, intakes) = unit
        .finish_each(result, |(places, intakes)| {
            places
                .iter()
                .map(|r| ("registration", r.id))
                .chain(intakes.iter().map(|e| ("queue_entry", e.id)))
                .collect()
        })
        .await?;
    Ok(places.len() + intakes.len())
}
