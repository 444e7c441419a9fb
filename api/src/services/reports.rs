//! The impact report: what the network achieved in a period, per site and
//! per partner organisation, with small counts suppressed so that no person
//! can be singled out.
//!
//! Definitions, for a period `from..=until` (whole days, UTC):
//! - *taking part*: registered on or before `until`, and either queued or
//!   active now, or in a placement (active or completed) that overlaps the
//!   period;
//! - *new*: registered within the period;
//! - *in a placement of a kind*: in an active or completed placement of that
//!   kind that overlaps the period;
//! - *outcome*: a placement with that outcome ended within the period;
//! - per site: by the participant's site (or unknown);
//! - per partner organisation: participants with a consent to it in force
//!   during the period or in a placement it is responsible for; placements
//!   and outcomes by the responsible organisation;
//! - mentor programmes: per organisation that mentors volunteer through,
//!   mentorships started and completed (ended) within the period.
//!
//! Small-cell suppression: every count from 1 to 4 is withheld (null, with
//! `suppressed`). Where counts are shown next to a total they add up to (a
//! measure per site against the network total, per partner against the
//! total), a single withheld cell could be worked out by subtraction; then
//! the smallest other non-zero cell of that group is withheld too
//! (secondary suppression). Zero is shown: it singles out nobody.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    OpportunityKind, ParticipantStatus, PlacementOutcome, PlacementStatus, Site, consent, mentor,
    mentorship, participant, partner_organisation, placement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};

pub mod activities;
pub mod queue;

/// Counts from 1 up to this are withheld.
pub const SUPPRESS_UP_TO: u64 = 4;

/// The kinds and outcomes the report counts, in a fixed order.
pub const KINDS: [OpportunityKind; 4] = [
    OpportunityKind::Internship,
    OpportunityKind::Job,
    OpportunityKind::TrainingPlace,
    OpportunityKind::StudyVisit,
];
pub const OUTCOMES: [PlacementOutcome; 5] = [
    PlacementOutcome::Work,
    PlacementOutcome::Studies,
    PlacementOutcome::Internship,
    PlacementOutcome::ContinuedSearch,
    PlacementOutcome::Other,
];
/// Sites, with `None` for participants whose site is not known.
pub const SITES: [Option<Site>; 3] = [Some(Site::Hageby), Some(Site::Ringdansen), None];

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The count, unless withheld.
    pub value: Option<u64>,
    /// Withheld because it is small (primary) or because it would reveal a
    /// small one by subtraction (secondary).
    pub suppressed: bool,
}

/// Raw counts of one row of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Raw {
    taking_part: u64,
    new: u64,
    kinds: [u64; 4],
    outcomes: [u64; 5],
}

impl Raw {
    /// Every count, in a fixed order: taking part, new, kinds, outcomes.
    fn measures(&self) -> Vec<u64> {
        let mut all = vec![self.taking_part, self.new];
        all.extend(self.kinds);
        all.extend(self.outcomes);
        all
    }
}

/// The figures of one row, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub taking_part: Cell,
    pub new: Cell,
    /// Per kind, in the order of [`KINDS`].
    pub kinds: Vec<Cell>,
    /// Per outcome, in the order of [`OUTCOMES`].
    pub outcomes: Vec<Cell>,
}

impl Figures {
    fn from_cells(cells: &[Cell]) -> Self {
        Self {
            taking_part: cells[0],
            new: cells[1],
            kinds: cells[2..6].to_vec(),
            outcomes: cells[6..11].to_vec(),
        }
    }
}

/// A mentor programme's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub partner: partner_organisation::Model,
    pub started: Cell,
    pub completed: Cell,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactReport {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub total: Figures,
    /// In the order of [`SITES`].
    pub by_site: Vec<Figures>,
    pub by_partner: Vec<(partner_organisation::Model, Figures)>,
    pub programmes: Vec<Programme>,
    /// Sessions, attendance, volunteer hours, contributions and the queue.
    pub activities: activities::ActivityReport,
}

fn small(n: u64) -> bool {
    (1..=SUPPRESS_UP_TO).contains(&n)
}

fn publish(n: u64, suppressed: bool) -> Cell {
    Cell {
        value: (!suppressed).then_some(n),
        suppressed,
    }
}

/// Which cells of a group shown next to its total to withhold: the small
/// ones, and, if exactly one is withheld while the total is shown, the
/// smallest other non-zero one.
pub fn suppress_group(total: u64, cells: &[u64]) -> Vec<bool> {
    let mut withheld: Vec<bool> = cells.iter().map(|&n| small(n)).collect();
    let total_shown = !small(total);
    if total_shown && withheld.iter().filter(|&&w| w).count() == 1 {
        let candidate = cells
            .iter()
            .enumerate()
            .filter(|(i, n)| !withheld[*i] && **n > 0)
            .min_by_key(|(_, n)| **n)
            .map(|(i, _)| i);
        if let Some(i) = candidate {
            withheld[i] = true;
        }
    }
    withheld
}

/// Suppresses the rows of one dimension against the total, measure by measure.
fn publish_dimension(total: &Raw, rows: &[Raw]) -> Vec<Figures> {
    let total_measures = total.measures();
    let row_measures: Vec<Vec<u64>> = rows.iter().map(Raw::measures).collect();
    let mut cells: Vec<Vec<Cell>> = vec![Vec::with_capacity(total_measures.len()); rows.len()];
    for (m, &t) in total_measures.iter().enumerate() {
        let column: Vec<u64> = row_measures.iter().map(|r| r[m]).collect();
        let withheld = suppress_group(t, &column);
        for (r, &n) in column.iter().enumerate() {
            cells[r].push(publish(n, withheld[r]));
        }
    }
    cells.iter().map(|c| Figures::from_cells(c)).collect()
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Computes the report for `from..=until`.
#[tracing::instrument(skip(db))]
pub async fn impact_report<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    until: NaiveDate,
) -> ServiceResult<ImpactReport> {
    if until < from {
        return Err(ServiceError::invalid("until", "not before from"));
    }
    let start = day_start(from);
    let end = day_start(until + chrono::Duration::days(1));
    let fail = ServiceError::database;

    let participants: Vec<(Uuid, Option<Site>, ParticipantStatus, DateTime<Utc>)> =
        participant::Entity::find()
            .select_only()
            .columns([
                participant::Column::Id,
                participant::Column::Site,
                participant::Column::Status,
                participant::Column::CreatedAt,
            ])
            .filter(participant::Column::CreatedAt.lt(end))
            .into_tuple()
            .all(db)
            .await
            .map_err(fail("failed to read participants for the report"))?;

    // Placements that overlap the period, or whose outcome falls in it.
    let overlapping = Condition::all()
        .add(placement::Column::Status.is_in([PlacementStatus::Active, PlacementStatus::Completed]))
        .add(
            Condition::any()
                .add(placement::Column::StartsOn.is_null())
                .add(placement::Column::StartsOn.lte(until)),
        )
        .add(
            Condition::any()
                .add(placement::Column::EndsOn.is_null())
                .add(placement::Column::EndsOn.gte(from)),
        );
    let ended_in_period = Condition::all()
        .add(placement::Column::Outcome.is_not_null())
        .add(placement::Column::EndsOn.gte(from))
        .add(placement::Column::EndsOn.lte(until));
    let placements = placement::Entity::find()
        .filter(Condition::any().add(overlapping).add(ended_in_period))
        .all(db)
        .await
        .map_err(fail("failed to read placements for the report"))?;
    let consents: Vec<(Uuid, Uuid)> = consent::Entity::find()
        .select_only()
        .columns([
            consent::Column::ParticipantId,
            consent::Column::PartnerOrganisationId,
        ])
        .filter(consent::Column::GrantedAt.lt(end))
        .filter(
            Condition::any()
                .add(consent::Column::RevokedAt.is_null())
                .add(consent::Column::RevokedAt.gte(start)),
        )
        .into_tuple()
        .all(db)
        .await
        .map_err(fail("failed to read consents for the report"))?;
    let partners = partner_organisation::Entity::find()
        .order_by_asc(partner_organisation::Column::Name)
        .all(db)
        .await
        .map_err(fail("failed to read partners for the report"))?;
    let mentorships = mentorship::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(mentorship::Column::StartedOn.gte(from))
                        .add(mentorship::Column::StartedOn.lte(until)),
                )
                .add(
                    Condition::all()
                        .add(mentorship::Column::EndedOn.gte(from))
                        .add(mentorship::Column::EndedOn.lte(until)),
                ),
        )
        .find_also_related(mentor::Entity)
        .all(db)
        .await
        .map_err(fail("failed to read mentorships for the report"))?;

    let in_period = |day: Option<NaiveDate>| day.is_some_and(|d| d >= from && d <= until);
    let overlaps = |p: &placement::Model| {
        matches!(
            p.status,
            PlacementStatus::Active | PlacementStatus::Completed
        ) && p.starts_on.is_none_or(|d| d <= until)
            && p.ends_on.is_none_or(|d| d >= from)
    };
    let placed: HashSet<Uuid> = placements
        .iter()
        .filter(|p| overlaps(p))
        .map(|p| p.participant_id)
        .collect();

    // Per participant: the partners they are with in the period.
    let mut partners_of: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for (participant_id, partner_id) in &consents {
        partners_of
            .entry(*participant_id)
            .or_default()
            .insert(*partner_id);
    }
    for p in placements.iter().filter(|p| overlaps(p)) {
        partners_of
            .entry(p.participant_id)
            .or_default()
            .insert(p.responsible_partner_id);
    }

    let site_index = |site: Option<Site>| SITES.iter().position(|s| *s == site).unwrap_or(2);
    let partner_index: BTreeMap<Uuid, usize> = partners
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut total = Raw::default();
    let mut by_site = vec![Raw::default(); SITES.len()];
    let mut by_partner = vec![Raw::default(); partners.len()];
    let mut site_of: HashMap<Uuid, usize> = HashMap::new();

    for (id, site, status, created_at) in &participants {
        let site = site_index(*site);
        site_of.insert(*id, site);
        let taking_part = matches!(
            status,
            ParticipantStatus::Queued | ParticipantStatus::Active
        ) || placed.contains(id);
        let new = *created_at >= start && *created_at < end;
        let mut rows: Vec<&mut Raw> = vec![&mut total, &mut by_site[site]];
        let mut partner_rows: Vec<usize> = partners_of
            .get(id)
            .map(|set| {
                set.iter()
                    .filter_map(|p| partner_index.get(p).copied())
                    .collect()
            })
            .unwrap_or_default();
        partner_rows.sort_unstable();
        for row in rows.iter_mut() {
            row.taking_part += u64::from(taking_part);
            row.new += u64::from(new);
        }
        for i in partner_rows {
            by_partner[i].taking_part += u64::from(taking_part);
            by_partner[i].new += u64::from(new);
        }
    }

    // Placement measures count distinct participants per kind and outcome.
    let mut kinds_seen: HashSet<(Uuid, usize, Option<usize>)> = HashSet::new();
    let mut outcomes_seen: HashSet<(Uuid, usize, Option<usize>)> = HashSet::new();
    for p in &placements {
        let site = site_of.get(&p.participant_id).copied();
        let partner = partner_index.get(&p.responsible_partner_id).copied();
        if overlaps(p)
            && let Some(k) = KINDS.iter().position(|k| *k == p.kind)
        {
            for scope in [None, partner.map(|i| i + 10)] {
                if kinds_seen.insert((p.participant_id, k, scope)) {
                    match scope {
                        None => {
                            total.kinds[k] += 1;
                            if let Some(s) = site {
                                by_site[s].kinds[k] += 1;
                            }
                        }
                        Some(i) => by_partner[i - 10].kinds[k] += 1,
                    }
                }
            }
        }
        if in_period(p.ends_on)
            && let Some(o) = p
                .outcome
                .and_then(|outcome| OUTCOMES.iter().position(|x| *x == outcome))
        {
            for scope in [None, partner.map(|i| i + 10)] {
                if outcomes_seen.insert((p.participant_id, o, scope)) {
                    match scope {
                        None => {
                            total.outcomes[o] += 1;
                            if let Some(s) = site {
                                by_site[s].outcomes[o] += 1;
                            }
                        }
                        Some(i) => by_partner[i - 10].outcomes[o] += 1,
                    }
                }
            }
        }
    }

    let mut started: BTreeMap<Uuid, u64> = BTreeMap::new();
    let mut completed: BTreeMap<Uuid, u64> = BTreeMap::new();
    for (m, mentor) in &mentorships {
        let Some(mentor) = mentor else { continue };
        if in_period(Some(m.started_on)) {
            *started.entry(mentor.partner_organisation_id).or_default() += 1;
        }
        if in_period(m.ended_on) {
            *completed.entry(mentor.partner_organisation_id).or_default() += 1;
        }
    }
    let programmes = partners
        .iter()
        .filter(|p| started.contains_key(&p.id) || completed.contains_key(&p.id))
        .map(|p| {
            let s = started.get(&p.id).copied().unwrap_or(0);
            let c = completed.get(&p.id).copied().unwrap_or(0);
            Programme {
                partner: p.clone(),
                started: publish(s, small(s)),
                completed: publish(c, small(c)),
            }
        })
        .collect();

    let total_cells: Vec<Cell> = total
        .measures()
        .iter()
        .map(|&n| publish(n, small(n)))
        .collect();
    let by_site = publish_dimension(&total, &by_site);
    let by_partner = partners
        .into_iter()
        .zip(publish_dimension(&total, &by_partner))
        .collect();
    let activities = activities::activity_report(db, start, end).await?;
    Ok(ImpactReport {
        activities,
        from,
        until,
        total: Figures::from_cells(&total_cells),
        by_site,
        by_partner,
        programmes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_withheld_and_a_lone_one_takes_the_next_smallest_with_it() {
        // 12 + 3 = 15: showing 15 and 12 would reveal the 3.
        assert_eq!(suppress_group(15, &[12, 3, 0]), vec![true, true, false]);
        // Two small ones cannot be told apart by subtraction.
        assert_eq!(suppress_group(20, &[14, 3, 3]), vec![false, true, true]);
        // Nothing small, nothing withheld; zeros are shown.
        assert_eq!(suppress_group(30, &[20, 10, 0]), vec![false, false, false]);
        // With the total itself withheld, subtraction reveals nothing.
        assert_eq!(suppress_group(3, &[3, 0, 0]), vec![true, false, false]);
        // The smallest other non-zero cell goes, not a zero.
        assert_eq!(
            suppress_group(40, &[0, 2, 30, 8]),
            vec![false, true, false, true]
        );
    }
}
