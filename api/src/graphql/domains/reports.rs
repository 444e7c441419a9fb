//! The impact report, as GraphQL: aggregated, with small counts withheld.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, SimpleObject};

use crate::graphql::context::db;
use crate::graphql::enums::{OpportunityKind, PlacementOutcome, Site};
use crate::graphql::guards::Require;
use crate::graphql::types::PartnerOrganisation;
use crate::policy::Scope;
use crate::services::{self, reports};

/// A count in the report. Counts from 1 to 4 are withheld (`value` null,
/// `suppressed` true), and so is any count from which a withheld one could
/// be worked out by subtraction. Zero is shown.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ReportCount {
    /// The count, unless withheld.
    pub value: Option<u64>,
    /// Whether the count is withheld to protect the people behind it.
    pub suppressed: bool,
}

impl From<reports::Cell> for ReportCount {
    fn from(cell: reports::Cell) -> Self {
        Self {
            value: cell.value,
            suppressed: cell.suppressed,
        }
    }
}

/// Participants in placements of one kind.
#[derive(SimpleObject)]
pub struct KindCount {
    /// The kind of placement.
    pub kind: OpportunityKind,
    /// Participants in an active or completed placement of this kind that
    /// overlaps the period.
    pub participants: ReportCount,
}

/// Participants whose placement ended with one outcome.
#[derive(SimpleObject)]
pub struct OutcomeCount {
    /// Where they went.
    pub outcome: PlacementOutcome,
    /// Participants with a placement with this outcome that ended in the period.
    pub participants: ReportCount,
}

/// The figures of one row of the report.
#[derive(SimpleObject)]
pub struct ImpactFigures {
    /// Participants taking part: registered by the end of the period, and
    /// queued or active, or in a placement overlapping it.
    pub participants_taking_part: ReportCount,
    /// Participants registered within the period.
    pub new_participants: ReportCount,
    /// Per kind of placement.
    pub placements_by_kind: Vec<KindCount>,
    /// Per outcome.
    pub outcomes: Vec<OutcomeCount>,
}

impl From<reports::Figures> for ImpactFigures {
    fn from(f: reports::Figures) -> Self {
        Self {
            participants_taking_part: f.taking_part.into(),
            new_participants: f.new.into(),
            placements_by_kind: reports::KINDS
                .iter()
                .zip(f.kinds)
                .map(|(kind, cell)| KindCount {
                    kind: (*kind).into(),
                    participants: cell.into(),
                })
                .collect(),
            outcomes: reports::OUTCOMES
                .iter()
                .zip(f.outcomes)
                .map(|(outcome, cell)| OutcomeCount {
                    outcome: (*outcome).into(),
                    participants: cell.into(),
                })
                .collect(),
        }
    }
}

/// The figures of one site.
#[derive(SimpleObject)]
pub struct SiteFigures {
    /// The site; null for participants whose site is not known.
    pub site: Option<Site>,
    /// Its figures.
    pub figures: ImpactFigures,
}

/// The figures of one partner organisation: participants with a consent to
/// it in force during the period or in a placement it is responsible for.
#[derive(SimpleObject)]
pub struct PartnerFigures {
    /// The organisation.
    pub partner_organisation: PartnerOrganisation,
    /// Its figures.
    pub figures: ImpactFigures,
}

/// A mentor programme: the mentors who volunteer through one organisation.
#[derive(SimpleObject)]
pub struct MentorProgrammeFigures {
    /// The organisation the mentors volunteer through.
    pub partner_organisation: PartnerOrganisation,
    /// Mentorships started within the period.
    pub mentorships_started: ReportCount,
    /// Mentorships ended within the period.
    pub mentorships_completed: ReportCount,
}

/// The figures of Portalen's weekly life in one row of the report.
#[derive(SimpleObject)]
pub struct ActivityFigures {
    /// Activities with a session held in the period.
    pub activities: u64,
    /// Sessions held: scheduled (not cancelled), started in the period.
    pub sessions_held: u64,
    /// Distinct participants recorded by name at sessions held.
    pub participants: ReportCount,
    /// The anonymous headcounts of sessions held, added up.
    pub anonymous_visits: ReportCount,
    /// Visits, named and anonymous.
    pub visits: ReportCount,
    /// Distinct volunteers with hours approved at sessions held.
    pub volunteers: ReportCount,
    /// Those hours; null when `volunteers` is withheld.
    pub volunteer_hours: Option<f64>,
    /// Distinct participants who gave something in the period (the 50/50).
    pub contributors: ReportCount,
    /// What they gave, one per contribution.
    pub contributions: ReportCount,
    /// The time they gave, in hours; null when `contributors` is withheld.
    pub contribution_hours: Option<f64>,
}

impl From<reports::activities::ActivityFigures> for ActivityFigures {
    fn from(f: reports::activities::ActivityFigures) -> Self {
        Self {
            activities: f.activities,
            sessions_held: f.sessions_held,
            participants: f.participants.into(),
            anonymous_visits: f.anonymous_visits.into(),
            visits: f.visits.into(),
            volunteers: f.volunteers.into(),
            volunteer_hours: f.volunteer_hours,
            contributors: f.contributors.into(),
            contributions: f.contributions.into(),
            contribution_hours: f.contribution_hours,
        }
    }
}

/// The weekly life's figures where it happened.
#[derive(SimpleObject)]
pub struct SiteActivityFigures {
    /// The site; null for elsewhere (an employer, another place) and for
    /// contributions outside an activity.
    pub site: Option<Site>,
    /// Its figures.
    pub figures: ActivityFigures,
}

/// The weekly life's figures of one organiser's activities.
#[derive(SimpleObject)]
pub struct OrganiserActivityFigures {
    /// The organising organisation.
    pub organiser: Option<PartnerOrganisation>,
    /// Its figures.
    pub figures: ActivityFigures,
}

/// The intake queue's figures.
#[derive(SimpleObject)]
pub struct QueueFigures {
    /// The site; null for the whole network.
    pub site: Option<Site>,
    /// People in the queue at the end of the period.
    pub length: ReportCount,
    /// People who accepted an intake in the period.
    pub taken_in: ReportCount,
    /// Their median wait from joining to accepting, in days; null when
    /// `takenIn` is withheld or nobody was taken in.
    pub median_wait_days: Option<f64>,
}

impl QueueFigures {
    fn new(site: Option<Site>, f: reports::queue::QueueFigures) -> Self {
        Self {
            site,
            length: f.length.into(),
            taken_in: f.taken_in.into(),
            median_wait_days: f.median_wait_days,
        }
    }
}

/// Portalen's weekly life in the period: sessions and who came, volunteer
/// hours, what participants gave, the queue.
#[derive(SimpleObject)]
pub struct ActivityReport {
    /// The whole network.
    pub total: ActivityFigures,
    /// Per site where it happened (Hageby, Ringdansen, elsewhere).
    pub by_site: Vec<SiteActivityFigures>,
    /// Per organising organisation with anything to count, by name.
    pub by_organiser: Vec<OrganiserActivityFigures>,
    /// The queue: the network, then each site.
    pub queue: Vec<QueueFigures>,
}

/// What the network achieved in a period.
#[derive(SimpleObject)]
pub struct ImpactReport {
    /// First day of the period.
    pub from: Date,
    /// Last day of the period.
    pub until: Date,
    /// Counts from 1 up to this are withheld.
    pub suppressed_up_to: u64,
    /// The whole network.
    pub total: ImpactFigures,
    /// Per site (Hageby, Ringdansen, unknown).
    pub by_site: Vec<SiteFigures>,
    /// Per partner organisation. A participant may count for several.
    pub by_partner: Vec<PartnerFigures>,
    /// Per mentor programme with any mentorship started or ended in the period.
    pub mentor_programmes: Vec<MentorProgrammeFigures>,
    /// Sessions held and who came, volunteer hours, contributions, the queue.
    pub activities: ActivityReport,
}

/// The impact report query.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// What the network achieved from `from` to `until` (whole days, UTC):
    /// participants taking part and new, placements by kind, outcomes, per
    /// site and per partner organisation, mentor programmes, and the weekly
    /// life (sessions, attendance, volunteer hours, contributions, queue). Counts only,
    /// never people; small counts withheld. Requires `reports:read`.
    #[graphql(guard = "Require::scope(Scope::ReportsRead)")]
    async fn impact_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day of the period.")] from: Date,
        #[graphql(desc = "Last day of the period, not before the first.")] until: Date,
    ) -> Result<Option<ImpactReport>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let report = services::reports::impact_report(db(ctx)?, from.0, until.0)
            .await
            .map_err(|err| match err {
                services::ServiceError::InvalidInput { field, message } => {
                    crate::graphql::error::bad_input(&field, message)
                }
                other => other.into(),
            })?;
        let partners: std::collections::HashMap<uuid::Uuid, _> = report
            .by_partner
            .iter()
            .map(|(p, _)| (p.id, p.clone()))
            .collect();
        let a = report.activities;
        let mut by_organiser: Vec<OrganiserActivityFigures> = a
            .by_organiser
            .into_iter()
            .map(|(id, figures)| OrganiserActivityFigures {
                organiser: partners.get(&id).cloned().map(PartnerOrganisation),
                figures: figures.into(),
            })
            .collect();
        by_organiser.sort_by(|x, y| {
            let name =
                |o: &OrganiserActivityFigures| o.organiser.as_ref().map(|p| p.0.name.clone());
            name(x).cmp(&name(y))
        });
        let activities = ActivityReport {
            total: a.total.into(),
            by_site: reports::activities::ACTIVITY_SITES
                .iter()
                .zip(a.by_site)
                .map(|(site, figures)| SiteActivityFigures {
                    site: site.map(Into::into),
                    figures: figures.into(),
                })
                .collect(),
            by_organiser,
            queue: std::iter::once(QueueFigures::new(None, a.queue_total))
                .chain(
                    reports::queue::QUEUE_SITES
                        .iter()
                        .zip(a.queue_by_site)
                        .map(|(site, f)| QueueFigures::new(Some((*site).into()), f)),
                )
                .collect(),
        };
        Ok(Some(ImpactReport {
            activities,
            from: Date(report.from),
            until: Date(report.until),
            suppressed_up_to: reports::SUPPRESS_UP_TO,
            total: report.total.into(),
            by_site: reports::SITES
                .iter()
                .zip(report.by_site)
                .map(|(site, figures)| SiteFigures {
                    site: site.map(Into::into),
                    figures: figures.into(),
                })
                .collect(),
            by_partner: report
                .by_partner
                .into_iter()
                .map(|(partner, figures)| PartnerFigures {
                    partner_organisation: PartnerOrganisation(partner),
                    figures: figures.into(),
                })
                .collect(),
            mentor_programmes: report
                .programmes
                .into_iter()
                .map(|p| MentorProgrammeFigures {
                    partner_organisation: PartnerOrganisation(p.partner),
                    mentorships_started: p.started.into(),
                    mentorships_completed: p.completed.into(),
                })
                .collect(),
        }))
    }
}
