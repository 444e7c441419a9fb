//! The demo network's weekly programme: a language café at Hageby and one
//! at Ringdansen, ABF's start-your-own-business course for women (with
//! places and registration) and a study visit at an employer. Times are
//! Stockholm wall-clock times; the sessions come from the same weekly rules
//! the API takes.

use chrono::{NaiveDate, NaiveTime, Weekday};
use entity::{ActivityKind, SessionStatus, Site, activity, activity_language, activity_session};
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::network::BASE_MILLIS;
use super::{at, partner_id};
use crate::domain::recurrence::{Span, WeeklyRule, stockholm};
use crate::seed::{insert_new, seeded_id};

/// Weekday, start, end, first and last date, dates without a session.
type Weekly = (
    Weekday,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

struct ActivitySpec {
    kind: ActivityKind,
    title: &'static str,
    description: &'static str,
    organiser: &'static str,
    /// An index into the demo employers, for a study visit.
    employer: Option<usize>,
    site: Option<Site>,
    languages: &'static [&'static str],
    target_group: Option<&'static str>,
    capacity: Option<i32>,
    registration_required: bool,
    weekly: Option<Weekly>,
    /// A single session: date, start, end.
    once: Option<(&'static str, &'static str, &'static str)>,
}

const ACTIVITIES: &[ActivitySpec] = &[
    ActivitySpec {
        kind: ActivityKind::LanguageCafe,
        title: "Språkkafé på Hageby",
        description: "Fika and conversation in Swedish; come as you are, no registration.",
        organiser: "svenska-kyrkan",
        employer: None,
        site: Some(Site::Hageby),
        languages: &["sv", "ar", "ti"],
        target_group: None,
        capacity: None,
        registration_required: false,
        weekly: Some((
            Weekday::Tue,
            "14:00",
            "16:00",
            "2027-01-12",
            "2027-06-15",
            &["2027-04-06"],
        )),
        once: None,
    },
    ActivitySpec {
        kind: ActivityKind::LanguageCafe,
        title: "Språkkafé i Ringdansen",
        description: "An evening language café with volunteer hosts.",
        organiser: "abf-ostergotland",
        employer: None,
        site: Some(Site::Ringdansen),
        languages: &["sv", "so", "fa"],
        target_group: None,
        capacity: None,
        registration_required: false,
        weekly: Some((
            Weekday::Thu,
            "17:00",
            "19:00",
            "2027-01-14",
            "2027-06-17",
            &["2027-05-06"],
        )),
        once: None,
    },
    ActivitySpec {
        kind: ActivityKind::Course,
        title: "Starta eget för kvinnor",
        description: "ABF's course in starting your own business, from your own idea.",
        organiser: "abf-ostergotland",
        employer: None,
        site: Some(Site::Hageby),
        languages: &["sv", "ar"],
        target_group: Some("women"),
        capacity: Some(12),
        registration_required: true,
        weekly: Some((
            Weekday::Wed,
            "17:30",
            "19:30",
            "2027-02-03",
            "2027-04-28",
            &[],
        )),
        once: None,
    },
    ActivitySpec {
        kind: ActivityKind::StudyVisit,
        title: "Studiebesök i lagret",
        description: "A morning at a logistics employer: the work, the people, the Swedish at work.",
        organiser: "norrkopings-kommun",
        employer: Some(1),
        site: None,
        languages: &["sv"],
        target_group: None,
        capacity: Some(12),
        registration_required: true,
        weekly: None,
        once: Some(("2027-02-18", "09:30", "11:30")),
    },
];

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    Ok(NaiveDate::parse_from_str(s, "%Y-%m-%d")?)
}

fn time(s: &str) -> anyhow::Result<NaiveTime> {
    Ok(NaiveTime::parse_from_str(s, "%H:%M")?)
}

/// The activity's weekly rule and its sessions' spans.
fn schedule(spec: &ActivitySpec) -> anyhow::Result<(Option<WeeklyRule>, Vec<Span>)> {
    if let Some((weekday, start, end, from, until, except)) = spec.weekly {
        let rule = WeeklyRule {
            weekday,
            start_time: time(start)?,
            end_time: time(end)?,
            from: date(from)?,
            until: date(until)?,
            except: except
                .iter()
                .map(|d| date(d))
                .collect::<anyhow::Result<_>>()?,
        };
        let sessions = rule.sessions()?;
        return Ok((Some(rule), sessions));
    }
    let mut sessions = Vec::new();
    if let Some((day, start, end)) = spec.once {
        let day = date(day)?;
        sessions.push((
            stockholm(day.and_time(time(start)?)),
            stockholm(day.and_time(time(end)?)),
        ));
    }
    Ok((None, sessions))
}

/// Inserts the demo programme. Idempotent.
pub(super) async fn seed_activities<C: sea_orm::ConnectionTrait>(
    db: &C,
    employer_ids: &[Uuid],
) -> anyhow::Result<()> {
    let mut activities = Vec::new();
    let mut languages = Vec::new();
    let mut sessions = Vec::new();
    for (i, spec) in ACTIVITIES.iter().enumerate() {
        let id = seeded_id(BASE_MILLIS, "activity", i as u64);
        let (rule, spans) = schedule(spec)?;
        activities.push(activity::ActiveModel {
            id: Set(id),
            kind: Set(spec.kind),
            title: Set(spec.title.to_owned()),
            description: Set(Some(spec.description.to_owned())),
            organiser_id: Set(partner_id(spec.organiser)),
            employer_id: Set(spec.employer.and_then(|e| employer_ids.get(e).copied())),
            site: Set(spec.site),
            place: Set(None),
            target_group: Set(spec.target_group.map(str::to_owned)),
            capacity: Set(spec.capacity),
            registration_required: Set(spec.registration_required),
            places_taken: Set(0),
            offer_hours: Set(48),
            weekly_rule: Set(rule.as_ref().map(serde_json::to_string).transpose()?),
            version: Set(1),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
        languages.extend(
            spec.languages
                .iter()
                .map(|l| activity_language::ActiveModel {
                    activity_id: Set(id),
                    language: Set((*l).to_owned()),
                }),
        );
        for (starts_at, ends_at) in spans {
            sessions.push(activity_session::ActiveModel {
                id: Set(seeded_id(BASE_MILLIS, "session", sessions.len() as u64)),
                activity_id: Set(id),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                status: Set(SessionStatus::Scheduled),
                cancel_reason: Set(None),
                anonymous_headcount: Set(0),
                created_at: Set(at(i as u64)),
                updated_at: Set(at(i as u64)),
            });
        }
    }
    insert_new(db, activities, 15).await?;
    insert_new(db, languages, 2).await?;
    insert_new(db, sessions, 8).await?;
    Ok(())
}

/// People waiting in the intake queue at the two sites (first names only,
/// synthetic), in the order they came.
const QUEUE: &[(Site, &str)] = &[
    (Site::Hageby, "Amina"),
    (Site::Hageby, "Dawit"),
    (Site::Ringdansen, "Samir"),
    (Site::Hageby, "Farida"),
    (Site::Ringdansen, "Hiwet"),
    (Site::Hageby, "Nour"),
];

/// Inserts the demo queue. Idempotent.
pub(super) async fn seed_queue<C: sea_orm::ConnectionTrait>(db: &C) -> anyhow::Result<()> {
    let mut numbers = std::collections::HashMap::new();
    let rows = QUEUE
        .iter()
        .enumerate()
        .map(|(i, (site, alias))| {
            let number = numbers.entry(*site).or_insert(0);
            *number += 1;
            entity::queue_entry::ActiveModel {
                id: Set(seeded_id(BASE_MILLIS, "queue", i as u64)),
                site: Set(*site),
                number: Set(*number),
                alias: Set((*alias).to_owned()),
                contact: Set(None),
                status: Set(entity::QueueStatus::Waiting),
                queued_at: Set(at(i as u64)),
                offer: Set(None),
                offer_expires_at: Set(None),
                move_reason: Set(None),
                participant_id: Set(None),
                added_by: Set(partner_id("hyresbostader")),
                left_at: Set(None),
                created_at: Set(at(i as u64)),
                updated_at: Set(at(i as u64)),
            }
        })
        .collect();
    insert_new(db, rows, 15).await?;
    Ok(())
}
