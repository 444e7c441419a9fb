//! The impact report's figures of Portalen's weekly life: sessions held and
//! who came, volunteer hours, what participants gave, and the intake queue.
//!
//! Definitions, for a period `start..end` (whole days, UTC):
//! - *held*: a session that is scheduled (not cancelled) and started within
//!   the period, and not after now;
//! - *participants*: the distinct participants recorded by name at a held
//!   session; *anonymous visits*: the sum of the held sessions' headcounts;
//!   *visits*: named and anonymous together;
//! - *volunteers*, *volunteer hours*: the distinct volunteers with hours
//!   approved at a held session, and those hours;
//! - *contributors*, *contributions*, *contribution hours*: what
//!   participants gave on a day within the period;
//! - per site and per organiser: of the activity (a contribution outside an
//!   activity counts for the network, and for no site's or organiser's row
//!   but the row without a site);
//! - the queue: [`super::queue`].
//!
//! Counts of people (participants, visits, volunteers, contributors,
//! contributions, queue length, taken in) are withheld from 1 to 4 as the
//! rest of the report, and against subtraction per dimension; a sum of hours
//! or a median is withheld with the count of the people behind it. Counts of
//! activities and sessions are shown: they single out nobody.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    HoursStatus, SessionStatus, Site, activity, activity_session, attendance, contribution,
    volunteer_hours,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationDef,
};
use uuid::Uuid;

use super::queue::QueueFigures;
use super::{Cell, publish, small, suppress_group};
use crate::services::{ServiceError, ServiceResult};

/// Where activities happen: the two sites, and `None` for elsewhere (an
/// employer's address, another place, or no activity).
pub const ACTIVITY_SITES: [Option<Site>; 3] = [Some(Site::Hageby), Some(Site::Ringdansen), None];

/// Raw figures of one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Raw {
    activities: u64,
    sessions: u64,
    participants: u64,
    anonymous: u64,
    named_visits: u64,
    volunteers: u64,
    volunteer_minutes: u64,
    contributors: u64,
    contributions: u64,
    contribution_minutes: u64,
}

impl Raw {
    /// The counts of people, in a fixed order.
    fn people(&self) -> [u64; 6] {
        [
            self.participants,
            self.anonymous,
            self.named_visits + self.anonymous,
            self.volunteers,
            self.contributors,
            self.contributions,
        ]
    }
}

/// The published figures of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFigures {
    pub activities: u64,
    pub sessions_held: u64,
    pub participants: Cell,
    pub anonymous_visits: Cell,
    pub visits: Cell,
    pub volunteers: Cell,
    /// Withheld (`None`) with `volunteers`.
    pub volunteer_hours: Option<f64>,
    pub contributors: Cell,
    pub contributions: Cell,
    /// Withheld (`None`) with `contributors`.
    pub contribution_hours: Option<f64>,
}

fn hours_if_shown(minutes: u64, count: Cell) -> Option<f64> {
    (!count.suppressed).then_some(minutes as f64 / 60.0)
}

fn figures(raw: &Raw, cells: &[Cell]) -> ActivityFigures {
    ActivityFigures {
        activities: raw.activities,
        sessions_held: raw.sessions,
        participants: cells[0],
        anonymous_visits: cells[1],
        visits: cells[2],
        volunteers: cells[3],
        volunteer_hours: hours_if_shown(raw.volunteer_minutes, cells[3]),
        contributors: cells[4],
        contributions: cells[5],
        contribution_hours: hours_if_shown(raw.contribution_minutes, cells[4]),
    }
}

/// Rows of one dimension, suppressed against the total measure by measure.
fn publish_rows(total: &Raw, rows: &[Raw]) -> Vec<ActivityFigures> {
    let total_people = total.people();
    let mut cells: Vec<Vec<Cell>> = vec![Vec::with_capacity(6); rows.len()];
    for (m, &t) in total_people.iter().enumerate() {
        let column: Vec<u64> = rows.iter().map(|r| r.people()[m]).collect();
        let withheld = suppress_group(t, &column);
        for (r, &n) in column.iter().enumerate() {
            cells[r].push(publish(n, withheld[r]));
        }
    }
    rows.iter()
        .zip(cells)
        .map(|(raw, cells)| figures(raw, &cells))
        .collect()
}

/// The activity part of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityReport {
    pub total: ActivityFigures,
    /// In the order of [`ACTIVITY_SITES`].
    pub by_site: Vec<ActivityFigures>,
    /// Per organising organisation with anything to count, by id.
    pub by_organiser: Vec<(Uuid, ActivityFigures)>,
    /// The whole network's queue, then per site in the order of [`QUEUE_SITES`].
    pub queue_total: QueueFigures,
    pub queue_by_site: Vec<QueueFigures>,
}

fn session_of_attendance() -> RelationDef {
    attendance::Entity::belongs_to(activity_session::Entity)
        .from(attendance::Column::SessionId)
        .to(activity_session::Column::Id)
        .into()
}

fn activity_of_session() -> RelationDef {
    activity_session::Entity::belongs_to(activity::Entity)
        .from(activity_session::Column::ActivityId)
        .to(activity::Column::Id)
        .into()
}

/// Sessions held in the period.
fn held(start: DateTime<Utc>, end: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(activity_session::Column::Status.eq(SessionStatus::Scheduled))
        .add(activity_session::Column::StartsAt.gte(start))
        .add(activity_session::Column::StartsAt.lt(std::cmp::min(end, Utc::now())))
}

/// Named visits and distinct participants at held sessions, grouped by
/// `group` (`None`: the whole network), as (key, visits, participants).
async fn attendance_by<C: ConnectionTrait, K>(
    db: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    group: Option<activity::Column>,
) -> ServiceResult<Vec<(K, i64, i64)>>
where
    K: sea_orm::TryGetable + Default,
{
    let mut select = attendance::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, session_of_attendance())
        .join(JoinType::InnerJoin, activity_of_session())
        .filter(held(start, end));
    let fail = ServiceError::database("failed to count attendance for the report");
    match group {
        Some(column) => {
            select = select
                .column_as(Expr::col((activity::Entity, column)), "key")
                .column_as(attendance::Column::ParticipantId.count(), "visits")
                .column_as(
                    Expr::col((attendance::Entity, attendance::Column::ParticipantId))
                        .count_distinct(),
                    "participants",
                )
                .group_by(Expr::col((activity::Entity, column)));
            select.into_tuple().all(db).await.map_err(fail)
        }
        None => {
            let rows: Vec<(i64, i64)> = select
                .column_as(attendance::Column::ParticipantId.count(), "visits")
                .column_as(
                    Expr::col((attendance::Entity, attendance::Column::ParticipantId))
                        .count_distinct(),
                    "participants",
                )
                .into_tuple()
                .all(db)
                .await
                .map_err(fail)?;
            Ok(rows
                .into_iter()
                .map(|(v, p)| (K::default(), v, p))
                .collect())
        }
    }
}

/// Who has been counted already, in the network, per site and per organiser.
#[derive(Default)]
struct Seen {
    total: HashSet<Uuid>,
    site: HashSet<(Uuid, usize)>,
    organiser: HashSet<(Uuid, Uuid)>,
}

impl Seen {
    /// Whether this is the person's first time in each of their rows.
    fn first(&mut self, who: Uuid, site: usize, organiser: Option<Uuid>) -> (bool, bool, bool) {
        (
            self.total.insert(who),
            self.site.insert((who, site)),
            organiser.is_some_and(|o| self.organiser.insert((who, o))),
        )
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Computes the activity part of the report for `start..end`.
pub async fn activity_report<C: ConnectionTrait>(
    db: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> ServiceResult<ActivityReport> {
    let fail = ServiceError::database;
    // Every activity's site and organiser (the programme is small).
    let activities: HashMap<Uuid, (Option<Site>, Uuid)> = activity::Entity::find()
        .select_only()
        .columns([
            activity::Column::Id,
            activity::Column::Site,
            activity::Column::OrganiserId,
        ])
        .into_tuple::<(Uuid, Option<Site>, Uuid)>()
        .all(db)
        .await
        .map_err(fail("failed to read activities for the report"))?
        .into_iter()
        .map(|(id, site, organiser)| (id, (site, organiser)))
        .collect();
    let sessions: Vec<(Uuid, Uuid, i32)> = activity_session::Entity::find()
        .select_only()
        .columns([
            activity_session::Column::Id,
            activity_session::Column::ActivityId,
            activity_session::Column::AnonymousHeadcount,
        ])
        .filter(held(start, end))
        .into_tuple()
        .all(db)
        .await
        .map_err(fail("failed to read sessions for the report"))?;
    let site_index = |site: Option<Site>| {
        ACTIVITY_SITES
            .iter()
            .position(|s| *s == site)
            .unwrap_or(ACTIVITY_SITES.len() - 1)
    };
    let mut total = Raw::default();
    let mut by_site = vec![Raw::default(); ACTIVITY_SITES.len()];
    let mut by_organiser: BTreeMap<Uuid, Raw> = BTreeMap::new();
    // Where each held session's activity is, and who organises it.
    let mut place_of_session: HashMap<Uuid, (usize, Uuid)> = HashMap::new();
    let mut activities_held: HashSet<Uuid> = HashSet::new();
    for (id, activity_id, headcount) in &sessions {
        let Some((site, organiser)) = activities.get(activity_id).copied() else {
            continue;
        };
        let site = site_index(site);
        place_of_session.insert(*id, (site, organiser));
        let first = activities_held.insert(*activity_id);
        let headcount = u64::try_from(*headcount).unwrap_or(0);
        let organiser_row = by_organiser.entry(organiser).or_default();
        for row in [&mut total, &mut by_site[site], organiser_row] {
            row.sessions += 1;
            row.activities += u64::from(first);
            row.anonymous += headcount;
        }
    }

    for (_, visits, participants) in attendance_by::<_, i64>(db, start, end, None).await? {
        total.named_visits = count(visits);
        total.participants = count(participants);
    }
    let per_site: Vec<(Option<Site>, i64, i64)> =
        attendance_by(db, start, end, Some(activity::Column::Site)).await?;
    for (site, visits, participants) in per_site {
        let row = &mut by_site[site_index(site)];
        row.named_visits += count(visits);
        row.participants += count(participants);
    }
    let per_organiser: Vec<(Uuid, i64, i64)> =
        attendance_by(db, start, end, Some(activity::Column::OrganiserId)).await?;
    for (organiser, visits, participants) in per_organiser {
        let row = by_organiser.entry(organiser).or_default();
        row.named_visits += count(visits);
        row.participants += count(participants);
    }

    // Approved volunteer hours at held sessions.
    let hours: Vec<(Uuid, Uuid, i32)> = volunteer_hours::Entity::find()
        .select_only()
        .columns([
            volunteer_hours::Column::PersonId,
            volunteer_hours::Column::SessionId,
            volunteer_hours::Column::Minutes,
        ])
        .filter(volunteer_hours::Column::Status.eq(HoursStatus::Approved))
        .filter(
            volunteer_hours::Column::SessionId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(activity_session::Column::Id)
                    .from(activity_session::Entity)
                    .cond_where(held(start, end))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await
        .map_err(fail("failed to read volunteer hours for the report"))?;
    let mut seen = Seen::default();
    for (person, session, minutes) in hours {
        let Some((site, organiser)) = place_of_session.get(&session).copied() else {
            continue;
        };
        let minutes = u64::try_from(minutes).unwrap_or(0);
        let (in_total, at_site, with_organiser) = seen.first(person, site, Some(organiser));
        for (row, first) in [
            (&mut total, in_total),
            (&mut by_site[site], at_site),
            (by_organiser.entry(organiser).or_default(), with_organiser),
        ] {
            row.volunteer_minutes += minutes;
            row.volunteers += u64::from(first);
        }
    }

    // What participants gave within the period.
    let given: Vec<(Uuid, i32, Option<Uuid>)> = contribution::Entity::find()
        .select_only()
        .columns([
            contribution::Column::ParticipantId,
            contribution::Column::Minutes,
            contribution::Column::ActivityId,
        ])
        .filter(contribution::Column::OccurredOn.gte(start.date_naive()))
        .filter(contribution::Column::OccurredOn.lt(end.date_naive()))
        .into_tuple()
        .all(db)
        .await
        .map_err(fail("failed to read contributions for the report"))?;
    let mut seen = Seen::default();
    for (participant, minutes, activity_id) in given {
        let place = activity_id.and_then(|id| activities.get(&id).copied());
        let site = site_index(place.and_then(|(site, _)| site));
        let organiser = place.map(|(_, organiser)| organiser);
        let minutes = u64::try_from(minutes).unwrap_or(0);
        let (in_total, at_site, with_organiser) = seen.first(participant, site, organiser);
        let mut rows = vec![(&mut total, in_total), (&mut by_site[site], at_site)];
        if let Some(organiser) = organiser {
            rows.push((by_organiser.entry(organiser).or_default(), with_organiser));
        }
        for (row, first) in rows {
            row.contributions += 1;
            row.contribution_minutes += minutes;
            row.contributors += u64::from(first);
        }
    }

    let (queue_total, queue_by_site) = super::queue::queue_figures(db, start, end).await?;
    let total_cells: Vec<Cell> = total
        .people()
        .iter()
        .map(|&n| publish(n, small(n)))
        .collect();
    let organisers: Vec<Uuid> = by_organiser.keys().copied().collect();
    let organiser_rows: Vec<Raw> = by_organiser.into_values().collect();
    Ok(ActivityReport {
        total: figures(&total, &total_cells),
        by_site: publish_rows(&total, &by_site),
        by_organiser: organisers
            .into_iter()
            .zip(publish_rows(&total, &organiser_rows))
            .collect(),
        queue_total,
        queue_by_site,
    })
}
