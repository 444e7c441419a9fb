//! The scale seed's weekly life: one weekly activity per 100 participants
//! (at least four), 26 sessions each through the first half of 2024, one in
//! twenty cancelled, and about 50 named attendances per participant at
//! sessions that took place.
//!
//! Attendance is millions of rows at scale: on PostgreSQL it goes in as
//! arrays (`INSERT ... SELECT FROM unnest($1, $2, $3)`, a few statements of
//! 200,000 rows), on SQLite as multi-row inserts; existing rows are left as
//! they are, so seeding the same N again adds nothing.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use entity::{ActivityKind, SessionStatus, Site, activity, activity_language, activity_session};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};
use uuid::Uuid;

use crate::domain::recurrence::stockholm;
use crate::seed::{insert_new, seeded_id};

/// Attendances per participant, as the data set has it.
pub const ATTENDANCE_PER_PARTICIPANT: usize = 50;
/// Sessions of each activity.
const WEEKS: u64 = 26;

const KINDS: [ActivityKind; 6] = [
    ActivityKind::LanguageCafe,
    ActivityKind::SwedishPractice,
    ActivityKind::StudyCircle,
    ActivityKind::Course,
    ActivityKind::CoachingDropIn,
    ActivityKind::SportsEvent,
];
const LANGUAGES: [&str; 6] = ["sv", "ar", "ti", "so", "fa", "uk"];

/// Loads activities, sessions and attendance for `participants`, organised
/// by `partners`; ids from `base_millis` as the rest of the scale seed.
pub(super) async fn seed(
    txn: &DatabaseTransaction,
    rng: &mut ChaCha8Rng,
    base_millis: u64,
    participants: &[Uuid],
    partners: &[Uuid],
) -> anyhow::Result<()> {
    let count = (participants.len() as u64 / 100).max(4);
    let at = |i: u64| {
        DateTime::from_timestamp_millis(i64::try_from(base_millis + i).unwrap_or(i64::MAX))
            .unwrap_or_default()
    };
    let first_week = NaiveDate::from_ymd_opt(2024, 1, 8).unwrap_or_default();
    let (mut activities, mut languages, mut sessions) = (Vec::new(), Vec::new(), Vec::new());
    // The sessions that took place, and the organiser who recorded them.
    let mut held: Vec<(Uuid, Uuid)> = Vec::new();
    for a in 0..count {
        let id = seeded_id(base_millis, "scale-activity", a);
        let organiser = partners[rng.random_range(0..partners.len())];
        activities.push(activity::ActiveModel {
            id: Set(id),
            kind: Set(KINDS[(a as usize) % KINDS.len()]),
            title: Set(format!("Verksamhet {a}")),
            description: Set(None),
            organiser_id: Set(organiser),
            employer_id: Set(None),
            site: Set(Some(if rng.random_bool(0.5) {
                Site::Hageby
            } else {
                Site::Ringdansen
            })),
            place: Set(None),
            target_group: Set(None),
            capacity: Set(None),
            registration_required: Set(false),
            places_taken: Set(0),
            offer_hours: Set(48),
            weekly_rule: Set(None),
            version: Set(1),
            created_at: Set(at(a)),
            updated_at: Set(at(a)),
        });
        for language in ["sv", LANGUAGES[1 + (a as usize) % (LANGUAGES.len() - 1)]] {
            languages.push(activity_language::ActiveModel {
                activity_id: Set(id),
                language: Set(language.to_owned()),
            });
        }
        let day = first_week + Duration::days(rng.random_range(0..5));
        let hour = rng.random_range(9..18);
        for w in 0..WEEKS {
            let date = day + Duration::weeks(w as i64);
            let local = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default());
            let starts = stockholm(local);
            let index = a * WEEKS + w;
            let session = seeded_id(base_millis, "scale-session", index);
            let cancelled = rng.random_range(0..20) == 0;
            sessions.push(activity_session::ActiveModel {
                id: Set(session),
                activity_id: Set(id),
                starts_at: Set(starts),
                ends_at: Set(starts + Duration::hours(2)),
                status: Set(if cancelled {
                    SessionStatus::Cancelled
                } else {
                    SessionStatus::Scheduled
                }),
                cancel_reason: Set(cancelled.then(|| "Inställt".to_owned())),
                anonymous_headcount: Set(if cancelled {
                    0
                } else {
                    rng.random_range(0..15)
                }),
                created_at: Set(at(index)),
                updated_at: Set(at(index)),
            });
            if !cancelled {
                held.push((session, organiser));
            }
        }
    }
    insert_new(txn, activities, 17)
        .await
        .context("failed to seed activities")?;
    insert_new(txn, languages, 2)
        .await
        .context("failed to seed activity languages")?;
    insert_new(txn, sessions, 9)
        .await
        .context("failed to seed sessions")?;

    let per_participant = ATTENDANCE_PER_PARTICIPANT.min(held.len());
    let mut rows: Vec<(Uuid, Uuid, Uuid)> =
        Vec::with_capacity(participants.len() * per_participant);
    let mut chosen: HashSet<usize> = HashSet::with_capacity(per_participant);
    for participant in participants {
        chosen.clear();
        while chosen.len() < per_participant {
            chosen.insert(rng.random_range(0..held.len()));
        }
        let mut picks: Vec<usize> = chosen.iter().copied().collect();
        picks.sort_unstable();
        rows.extend(
            picks
                .into_iter()
                .map(|s| (held[s].0, *participant, held[s].1)),
        );
    }
    insert_attendance(txn, &rows, at(0))
        .await
        .context("failed to seed attendance")
}

/// Inserts (session, participant, recorded by) rows, leaving existing ones.
async fn insert_attendance(
    txn: &DatabaseTransaction,
    rows: &[(Uuid, Uuid, Uuid)],
    created_at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    use entity::attendance::{Column, Entity};
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        for chunk in rows.chunks(200_000) {
            let column = |f: fn(&(Uuid, Uuid, Uuid)) -> Uuid| {
                sea_orm::Value::from(chunk.iter().map(f).collect::<Vec<Uuid>>())
            };
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "INSERT INTO attendance (session_id, participant_id, recorded_by, created_at) \
                 SELECT s, p, r, $4 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(s, p, r) \
                 ON CONFLICT DO NOTHING",
                [
                    column(|r| r.0),
                    column(|r| r.1),
                    column(|r| r.2),
                    created_at.into(),
                ],
            ))
            .await?;
        }
        return Ok(());
    }
    // SQLite: 7,000 rows of four values stay under its 32,766 parameters.
    for chunk in rows.chunks(7_000) {
        let mut insert = Query::insert();
        insert.into_table(Entity).columns([
            Column::SessionId,
            Column::ParticipantId,
            Column::RecordedBy,
            Column::CreatedAt,
        ]);
        for (session, participant, recorder) in chunk {
            insert
                .values([
                    (*session).into(),
                    (*participant).into(),
                    (*recorder).into(),
                    created_at.into(),
                ])
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        }
        insert.on_conflict(
            OnConflict::columns([Column::SessionId, Column::ParticipantId])
                .do_nothing()
                .to_owned(),
        );
        txn.execute(&insert).await?;
    }
    Ok(())
}
