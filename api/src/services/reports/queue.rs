//! The impact report's figures of the intake queue, per site: *length*,
//! the people in the queue at the end of the period; *taken in*, the people
//! who accepted an intake within it; *median wait*, of those taken in, in
//! days from joining to accepting. Both counts are withheld from 1 to 4 and
//! against subtraction; the median is withheld with the count behind it.

use chrono::{DateTime, Utc};
use entity::{QueueStatus, Site, queue_entry};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Cell, publish, small, suppress_group};
use crate::services::{ServiceError, ServiceResult};

/// The sites with a queue.
pub const QUEUE_SITES: [Site; 2] = [Site::Hageby, Site::Ringdansen];

/// One site's queue figures, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFigures {
    pub length: Cell,
    pub taken_in: Cell,
    /// Withheld (`None`) with `taken_in`, and when nobody was taken in.
    pub median_wait_days: Option<f64>,
}

/// A queue entry's site, status, and when it joined and left.
type QueueRow = (Site, QueueStatus, DateTime<Utc>, Option<DateTime<Utc>>);

/// The queue at the end of the period and the people taken in within it.
pub(super) async fn queue_figures<C: ConnectionTrait>(
    db: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> ServiceResult<(QueueFigures, Vec<QueueFigures>)> {
    let entries: Vec<QueueRow> = queue_entry::Entity::find()
        .select_only()
        .columns([
            queue_entry::Column::Site,
            queue_entry::Column::Status,
            queue_entry::Column::QueuedAt,
            queue_entry::Column::LeftAt,
        ])
        .filter(queue_entry::Column::QueuedAt.lt(end))
        .into_tuple()
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to read the queue for the report",
        ))?;
    let mut length = [0u64; 2];
    let mut waits: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    for (site, status, queued_at, left_at) in entries {
        let Some(i) = QUEUE_SITES.iter().position(|s| *s == site) else {
            continue;
        };
        let in_line_at_end = match left_at {
            Some(left) => left >= end,
            None => matches!(status, QueueStatus::Waiting | QueueStatus::Offered),
        };
        length[i] += u64::from(in_line_at_end);
        if status == QueueStatus::Accepted
            && let Some(left) = left_at
            && left >= start
            && left < end
        {
            waits[i].push((left - queued_at).num_seconds());
        }
    }
    let taken: Vec<u64> = waits.iter().map(|w| w.len() as u64).collect();
    let all_waits: Vec<i64> = waits.iter().flatten().copied().collect();
    let length_total: u64 = length.iter().sum();
    let taken_total: u64 = taken.iter().sum();
    let length_withheld = suppress_group(length_total, &length);
    let taken_withheld = suppress_group(taken_total, &taken);
    let row = |length: Cell, taken: Cell, waits: &[i64]| QueueFigures {
        length,
        taken_in: taken,
        median_wait_days: if taken.suppressed {
            None
        } else {
            median_days(waits)
        },
    };
    let total = row(
        publish(length_total, small(length_total)),
        publish(taken_total, small(taken_total)),
        &all_waits,
    );
    let sites = (0..QUEUE_SITES.len())
        .map(|i| {
            row(
                publish(length[i], length_withheld[i]),
                publish(taken[i], taken_withheld[i]),
                &waits[i],
            )
        })
        .collect();
    Ok((total, sites))
}

/// The median of waits in seconds, in days; `None` for none.
fn median_days(waits: &[i64]) -> Option<f64> {
    if waits.is_empty() {
        return None;
    }
    let mut sorted = waits.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    let seconds = if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] as f64 + sorted[mid] as f64) / 2.0
    } else {
        sorted[mid] as f64
    };
    Some(seconds / 86_400.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_wait_is_the_middle_one_or_the_mean_of_the_middle_two() {
        let day = 86_400;
        assert_eq!(median_days(&[]), None);
        assert_eq!(median_days(&[3 * day, day, 10 * day]), Some(3.0));
        assert_eq!(median_days(&[4 * day, day, 2 * day, 9 * day]), Some(3.0));
    }
}
