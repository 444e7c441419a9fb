//! A deterministic generator of large synthetic data sets, for benchmarks:
//! `seed --scale N` loads N participants with proportional employers,
//! mentors, slots and placements. The same N always yields the same rows.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveValue::Set, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{SeedCounts, demo, insert_new, seeded_id};

mod activities;
use crate::domain::OrganisationNumber;

/// 2024-01-01T00:00:00Z: generated ids sort from here, before the demo's.
const BASE_MILLIS: u64 = 1_704_067_200_000;

const GIVEN: &[&str] = &[
    "Amina", "Yonas", "Farah", "Samir", "Nadia", "Dawit", "Layla", "Omar", "Hodan", "Ali",
    "Mariam", "Tesfay", "Zahra", "Karim", "Sara", "Ahmad", "Rahel", "Hamid", "Noor", "Abdi",
    "Selam", "Yusuf",
];
const LANGUAGES: &[&str] = &[
    "ar", "ti", "prs", "so", "fa", "ku", "uk", "en", "am", "ps", "es", "fr",
];
const SKILLS: &[&str] = &[
    "cooking",
    "cleaning",
    "childcare",
    "carpentry",
    "driving",
    "sewing",
    "customer service",
    "it support",
    "gardening",
    "bookkeeping",
    "hairdressing",
    "welding",
    "elder care",
    "warehouse",
    "painting",
    "retail",
];
const CORE_PARTNERS: &[&str] = &[
    "hyresbostader",
    "norrkopings-kommun",
    "abf-ostergotland",
    "marieborgs-folkhogskola",
    "svenska-kyrkan",
    "arbetsformedlingen",
];

fn at(index: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(i64::try_from(BASE_MILLIS + index).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, items: &'a [&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// Picks `n` distinct entries.
fn pick_distinct<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str], n: usize) -> Vec<&'a str> {
    let start = rng.random_range(0..items.len());
    let step = 1 + rng.random_range(0..items.len() - 1);
    let mut out: Vec<&str> = Vec::with_capacity(n);
    let mut i = start;
    while out.len() < n.min(items.len()) {
        if !out.contains(&items[i]) {
            out.push(items[i]);
        }
        i = (i + step) % items.len();
        if i == start {
            // `step` shares a factor with the length; walk one by one instead.
            i = (i + 1) % items.len();
        }
    }
    out
}

fn site(rng: &mut ChaCha8Rng) -> Site {
    if rng.random_bool(0.5) {
        Site::Hageby
    } else {
        Site::Ringdansen
    }
}

/// Loads `participants` synthetic participants and everything in proportion:
/// one employer per 40, one mentor and mentorship per 10, one slot per 4 and
/// five placements per 2 (40 % of them active), the volumes of the
/// performance peer's data set; and the weekly life ([`activities`]): one
/// weekly activity per 100 and about 50 attendances per participant.
/// Partner organisations are the demo network's.
#[tracing::instrument(skip(db))]
pub async fn seed_scale(db: &DatabaseConnection, participants: u32) -> anyhow::Result<SeedCounts> {
    let n = u64::from(participants);
    let employers = (n / 40).max(1);
    let mentors = (n / 10).max(1);
    let slots = (n / 4).max(1);
    let placements = n * 5 / 2;
    let mentorships = n / 10;
    let mut rng = ChaCha8Rng::seed_from_u64(0x504f_5254_414c_454e);
    let start = NaiveDate::from_ymd_opt(2024, 1, 8).unwrap_or_default();

    let txn = db.begin().await.context("failed to begin the scale seed")?;
    demo::seed_partners(&txn)
        .await
        .context("failed to seed partner organisations")?;
    let partner_ids: Vec<Uuid> = CORE_PARTNERS.iter().map(|s| demo::partner_id(s)).collect();

    let employer_ids: Vec<Uuid> = (0..employers)
        .map(|i| seeded_id(BASE_MILLIS, "scale-employer", i))
        .collect();
    let mut rows = Vec::with_capacity(employer_ids.len());
    for (i, id) in employer_ids.iter().enumerate() {
        let digits = 559_000_000 + u32::try_from(i).context("too many employers")?;
        let number = OrganisationNumber::from_nine_digits(digits)
            .context("generated organisation number is invalid")?;
        rows.push(employer::ActiveModel {
            id: Set(*id),
            name: Set(format!("Exempelföretag {i} AB")),
            organisation_number: Set(number.as_str().to_owned()),
            industry: Set(Some(pick(&mut rng, SKILLS).to_owned())),
            street_address: Set(None),
            postal_code: Set(None),
            city: Set(Some("Norrköping".to_owned())),
            site: Set(Some(site(&mut rng))),
            partner_organisation_id: Set(None),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
    }
    insert_new(&txn, rows, 11)
        .await
        .context("failed to seed employers")?;

    let mentor_ids: Vec<Uuid> = (0..mentors)
        .map(|i| seeded_id(BASE_MILLIS, "scale-mentor", i))
        .collect();
    let (mut rows, mut langs, mut fields) = (Vec::new(), Vec::new(), Vec::new());
    for (i, id) in mentor_ids.iter().enumerate() {
        rows.push(mentor::ActiveModel {
            id: Set(*id),
            given_name: Set(format!("Mentor {i}")),
            family_name: Set(None),
            email: Set(Some(format!("mentor.{i}@example.org"))),
            phone: Set(None),
            partner_organisation_id: Set(partner_ids[rng.random_range(0..partner_ids.len())]),
            capacity: Set(rng.random_range(1..=4)),
            active: Set(rng.random_bool(0.9)),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
        for language in pick_distinct(&mut rng, LANGUAGES, 2) {
            langs.push(mentor_language::ActiveModel {
                mentor_id: Set(*id),
                language: Set(language.to_owned()),
            });
        }
        for field in pick_distinct(&mut rng, SKILLS, 2) {
            fields.push(mentor_expertise::ActiveModel {
                mentor_id: Set(*id),
                field: Set(field.to_owned()),
            });
        }
    }
    insert_new(&txn, rows, 10)
        .await
        .context("failed to seed mentors")?;
    insert_new(&txn, langs, 2)
        .await
        .context("failed to seed mentor languages")?;
    insert_new(&txn, fields, 2)
        .await
        .context("failed to seed mentor expertise")?;

    let participant_ids: Vec<Uuid> = (0..n)
        .map(|i| seeded_id(BASE_MILLIS, "scale-participant", i))
        .collect();
    let (mut rows, mut langs, mut skills, mut consents) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut consent_partner = Vec::with_capacity(participant_ids.len());
    for (i, id) in participant_ids.iter().enumerate() {
        let i = i as u64;
        rows.push(participant::ActiveModel {
            id: Set(*id),
            display_name: Set(format!("{} {i}", pick(&mut rng, GIVEN))),
            family_name: Set(None),
            email: Set(rng
                .random_bool(0.5)
                .then(|| format!("participant.{i}@example.org"))),
            phone: Set(None),
            swedish_level: Set(Some(match rng.random_range(0..5) {
                0 => SwedishLevel::None,
                1 => SwedishLevel::A1,
                2 => SwedishLevel::A2,
                3 => SwedishLevel::B1,
                _ => SwedishLevel::B2,
            })),
            site: Set(Some(site(&mut rng))),
            status: Set(match rng.random_range(0..10) {
                0..=1 => ParticipantStatus::Queued,
                2..=7 => ParticipantStatus::Active,
                8 => ParticipantStatus::SelfSufficient,
                _ => ParticipantStatus::Inactive,
            }),
            goal: Set(None),
            interests: Set(StringList::default()),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
            erased_at: Set(None),
        });
        for (k, language) in pick_distinct(&mut rng, LANGUAGES, 2)
            .into_iter()
            .enumerate()
        {
            langs.push(participant_language::ActiveModel {
                participant_id: Set(*id),
                language: Set(language.to_owned()),
                level: Set(if k == 0 {
                    LanguageLevel::Native
                } else {
                    LanguageLevel::Conversational
                }),
            });
        }
        for skill in pick_distinct(&mut rng, SKILLS, 3) {
            skills.push(participant_skill::ActiveModel {
                participant_id: Set(*id),
                skill: Set(skill.to_owned()),
            });
        }
        let partner = partner_ids[rng.random_range(0..partner_ids.len())];
        consent_partner.push(partner);
        consents.push(consent::ActiveModel {
            id: Set(seeded_id(BASE_MILLIS, "scale-consent", i)),
            participant_id: Set(*id),
            partner_organisation_id: Set(partner),
            purpose: Set("Taking part in Portalen".to_owned()),
            recorded_by: Set(None),
            granted_at: Set(at(i)),
            revoked_at: Set(None),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
        });
    }
    insert_new(&txn, rows, 12)
        .await
        .context("failed to seed participants")?;
    insert_new(&txn, langs, 3)
        .await
        .context("failed to seed participant languages")?;
    insert_new(&txn, skills, 2)
        .await
        .context("failed to seed participant skills")?;
    insert_new(&txn, consents, 9)
        .await
        .context("failed to seed consents")?;

    // Slots first in memory: a placement in a slot works at the slot's
    // employer, and a slot offers at least the places its placements take.
    let slot_ids: Vec<Uuid> = (0..slots)
        .map(|i| seeded_id(BASE_MILLIS, "scale-slot", i))
        .collect();
    let slot_employer: Vec<Uuid> = slot_ids
        .iter()
        .map(|_| employer_ids[rng.random_range(0..employer_ids.len())])
        .collect();
    let mut taken = vec![0_i32; slot_ids.len()];
    // One open placement per participant and slot (ux_placement_open_in_slot).
    let mut open_in_slot = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(usize::try_from(placements).unwrap_or(0));
    for i in 0..placements {
        let who = rng.random_range(0..participant_ids.len());
        let starts = start + Duration::days(rng.random_range(0..700));
        // 40 % active, as in the peer's data set.
        let status = match rng.random_range(0..20) {
            0..=7 => PlacementStatus::Active,
            8..=10 => PlacementStatus::Proposed,
            11 => PlacementStatus::Accepted,
            12..=17 => PlacementStatus::Completed,
            18 => PlacementStatus::Cancelled,
            _ => PlacementStatus::Declined,
        };
        // 60 % internships in a slot, 30 % jobs, 10 % training places.
        let (kind, mut slot) = match rng.random_range(0..10) {
            0..=5 => (
                OpportunityKind::Internship,
                Some(rng.random_range(0..slot_ids.len())),
            ),
            6..=8 => (OpportunityKind::Job, None),
            _ => (OpportunityKind::TrainingPlace, None),
        };
        let open = matches!(
            status,
            PlacementStatus::Proposed | PlacementStatus::Accepted | PlacementStatus::Active
        );
        if let Some(s) = slot
            && open
            && !open_in_slot.insert((who, s))
        {
            slot = None;
        }
        if let Some(s) = slot
            && matches!(status, PlacementStatus::Accepted | PlacementStatus::Active)
        {
            taken[s] += 1;
        }
        let employer = match slot {
            Some(s) => slot_employer[s],
            None => employer_ids[rng.random_range(0..employer_ids.len())],
        };
        rows.push(placement::ActiveModel {
            id: Set(seeded_id(BASE_MILLIS, "scale-placement", i)),
            participant_id: Set(participant_ids[who]),
            employer_id: Set(employer),
            slot_id: Set(slot.map(|s| slot_ids[s])),
            // Mostly the organisation the participant consented to.
            responsible_partner_id: Set(if rng.random_bool(0.9) {
                consent_partner[who]
            } else {
                partner_ids[rng.random_range(0..partner_ids.len())]
            }),
            mentor_id: Set(rng
                .random_bool(0.85)
                .then(|| mentor_ids[rng.random_range(0..mentor_ids.len())])),
            kind: Set(kind),
            status: Set(status),
            starts_on: Set(Some(starts)),
            ends_on: Set(Some(starts + Duration::days(56))),
            outcome: Set((status == PlacementStatus::Completed).then(|| {
                match rng.random_range(0..3) {
                    0 => PlacementOutcome::Work,
                    1 => PlacementOutcome::Studies,
                    _ => PlacementOutcome::ContinuedSearch,
                }
            })),
            version: Set(1),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
        });
    }

    let (mut slot_rows, mut wanted) = (Vec::new(), Vec::new());
    for (i, id) in slot_ids.iter().enumerate() {
        let starts = start + Duration::days(rng.random_range(0..700));
        let places = rng.random_range(1..=5).max(taken[i]);
        slot_rows.push(internship_slot::ActiveModel {
            id: Set(*id),
            employer_id: Set(slot_employer[i]),
            title: Set(format!("Praktikplats {i}")),
            description: Set(None),
            kind: Set(OpportunityKind::Internship),
            places: Set(places),
            site: Set(Some(site(&mut rng))),
            starts_on: Set(starts),
            ends_on: Set(Some(starts + Duration::days(56))),
            required_swedish_level: Set(None),
            // Filled exactly when every place is taken.
            status: Set(if taken[i] == places {
                SlotStatus::Filled
            } else if rng.random_range(0..4) == 0 {
                SlotStatus::Closed
            } else {
                SlotStatus::Open
            }),
            version: Set(1),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
        for skill in pick_distinct(&mut rng, SKILLS, 2) {
            wanted.push(slot_skill::ActiveModel {
                slot_id: Set(*id),
                skill: Set(skill.to_owned()),
            });
        }
    }
    insert_new(&txn, slot_rows, 14)
        .await
        .context("failed to seed slots")?;
    insert_new(&txn, wanted, 2)
        .await
        .context("failed to seed slot skills")?;
    insert_new(&txn, rows, 14)
        .await
        .context("failed to seed placements")?;

    let rows: Vec<mentorship::ActiveModel> = (0..mentorships)
        .map(|i| mentorship::ActiveModel {
            id: Set(seeded_id(BASE_MILLIS, "scale-mentorship", i)),
            mentor_id: Set(mentor_ids[(i as usize) % mentor_ids.len()]),
            participant_id: Set(participant_ids[(i * 10 + 1) as usize % participant_ids.len()]),
            started_on: Set(start + Duration::days((i % 700) as i64)),
            ended_on: Set(None),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
        })
        .collect();
    insert_new(&txn, rows, 7)
        .await
        .context("failed to seed mentorships")?;
    activities::seed(&txn, &mut rng, BASE_MILLIS, &participant_ids, &partner_ids).await?;

    txn.commit()
        .await
        .context("failed to commit the scale seed")?;
    // Fresh statistics, so that the first queries are planned for the data
    // just loaded rather than for empty tables, and the visibility map set,
    // so that index-only scans (the row rules' probes) need not visit the
    // heap until autovacuum would have come by.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("VACUUM (ANALYZE)")
            .await
            .context("failed to analyse the seeded tables")?;
    }
    SeedCounts::read(db)
        .await
        .context("failed to count seeded rows")
}
