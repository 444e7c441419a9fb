//! The demo network: the real partnership by organisation name, both sites,
//! and a small synthetic population of people, workplaces and placements.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::{SeedCounts, insert_new, seeded_id};
use crate::domain::OrganisationNumber;

mod activities;
mod network;

use network::*;

const PARTICIPANTS: u64 = 24;

fn at(index: u64) -> DateTime<Utc> {
    let millis = i64::try_from(BASE_MILLIS + index * 3_600_000).unwrap_or(i64::MAX);
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

fn day(offset_days: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 12).unwrap_or_default() + Duration::days(offset_days)
}

fn pick<T: Copy>(items: &[T], i: u64) -> T {
    items[usize::try_from(i).unwrap_or(0) % items.len()]
}

/// The id of a demo partner organisation, by slug.
pub fn partner_id(slug: &str) -> Uuid {
    let index = PARTNERS
        .iter()
        .position(|p| p.slug == slug)
        .unwrap_or(usize::MAX);
    seeded_id(BASE_MILLIS, "partner", index as u64)
}

/// Inserts the partner organisations of the demo network (also used by the
/// scale generator). Idempotent.
pub(crate) async fn seed_partners<C: sea_orm::ConnectionTrait>(
    db: &C,
) -> Result<(), sea_orm::DbErr> {
    let rows = PARTNERS
        .iter()
        .enumerate()
        .map(|(i, p)| partner_organisation::ActiveModel {
            id: Set(seeded_id(BASE_MILLIS, "partner", i as u64)),
            slug: Set(p.slug.to_owned()),
            name: Set(p.name.to_owned()),
            kind: Set(p.kind),
            network: Set(p.network),
            status: Set(PartnerStatus::Active),
            granted_scopes: Set(p.scopes.iter().map(|s| s.as_str()).collect()),
            contact_email: Set(None),
            contact_phone: Set(None),
            website: Set(p.website.map(str::to_owned)),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        })
        .collect();
    insert_new(db, rows, 12).await
}

/// Loads the demo network. Running it again changes nothing.
#[tracing::instrument(skip(db))]
pub async fn seed_demo(db: &DatabaseConnection) -> anyhow::Result<SeedCounts> {
    let txn = db.begin().await.context("failed to begin the demo seed")?;
    seed_partners(&txn)
        .await
        .context("failed to seed partner organisations")?;

    let employer_ids: Vec<Uuid> = (0..EMPLOYERS.len())
        .map(|i| seeded_id(BASE_MILLIS, "employer", i as u64))
        .collect();
    let mut employers = Vec::new();
    for (i, spec) in EMPLOYERS.iter().enumerate() {
        let number = OrganisationNumber::from_nine_digits(spec.number)
            .with_context(|| format!("demo organisation number for {} is invalid", spec.name))?;
        employers.push(employer::ActiveModel {
            id: Set(employer_ids[i]),
            name: Set(spec.name.to_owned()),
            organisation_number: Set(number.as_str().to_owned()),
            industry: Set(Some(spec.industry.to_owned())),
            street_address: Set(None),
            postal_code: Set(None),
            city: Set(Some("Norrköping".to_owned())),
            site: Set(spec.site),
            partner_organisation_id: Set(spec.partner.map(partner_id)),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
    }
    insert_new(&txn, employers, 11)
        .await
        .context("failed to seed employers")?;

    let mentor_ids: Vec<Uuid> = (0..MENTORS.len())
        .map(|i| seeded_id(BASE_MILLIS, "mentor", i as u64))
        .collect();
    let mut mentors = Vec::new();
    let mut mentor_languages = Vec::new();
    let mut mentor_expertise = Vec::new();
    for (i, spec) in MENTORS.iter().enumerate() {
        mentors.push(mentor::ActiveModel {
            id: Set(mentor_ids[i]),
            given_name: Set(spec.given.to_owned()),
            family_name: Set(Some(spec.family.to_owned())),
            email: Set(Some(format!(
                "{}.mentor@example.org",
                spec.given.to_lowercase()
            ))),
            phone: Set(Some(format!("+46 70 174 06 {:02}", 50 + i))),
            partner_organisation_id: Set(partner_id(spec.partner)),
            capacity: Set(spec.capacity),
            active: Set(true),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
        mentor_languages.extend(spec.languages.iter().map(|l| mentor_language::ActiveModel {
            mentor_id: Set(mentor_ids[i]),
            language: Set((*l).to_owned()),
        }));
        mentor_expertise.extend(
            spec.expertise
                .iter()
                .map(|f| mentor_expertise::ActiveModel {
                    mentor_id: Set(mentor_ids[i]),
                    field: Set((*f).to_owned()),
                }),
        );
    }
    insert_new(&txn, mentors, 10)
        .await
        .context("failed to seed mentors")?;
    insert_new(&txn, mentor_languages, 2)
        .await
        .context("failed to seed mentor languages")?;
    insert_new(&txn, mentor_expertise, 2)
        .await
        .context("failed to seed mentor expertise")?;

    let participant_ids: Vec<Uuid> = (0..PARTICIPANTS)
        .map(|i| seeded_id(BASE_MILLIS, "participant", i))
        .collect();
    let mut participants = Vec::new();
    let mut languages = Vec::new();
    let mut skills = Vec::new();
    let mut sensitive = Vec::new();
    let mut consents = Vec::new();
    for i in 0..PARTICIPANTS {
        let id = participant_ids[i as usize];
        let given = pick(GIVEN_NAMES, i);
        let status = match i % 6 {
            0 => ParticipantStatus::Queued,
            5 => ParticipantStatus::SelfSufficient,
            _ => ParticipantStatus::Active,
        };
        participants.push(participant::ActiveModel {
            id: Set(id),
            display_name: Set(given.to_owned()),
            // Only a first name is needed to take part; some give no more.
            family_name: Set((i % 3 != 0).then(|| pick(FAMILY_NAMES, i).to_owned())),
            email: Set((i % 2 == 0).then(|| format!("{}.{i}@example.org", given.to_lowercase()))),
            phone: Set((i % 4 == 1).then(|| format!("+46 70 174 06 {:02}", 5 + i))),
            swedish_level: Set(Some(pick(
                &[
                    SwedishLevel::None,
                    SwedishLevel::A1,
                    SwedishLevel::A2,
                    SwedishLevel::B1,
                    SwedishLevel::B2,
                ],
                i,
            ))),
            site: Set(Some(if i % 2 == 0 {
                Site::Hageby
            } else {
                Site::Ringdansen
            })),
            status: Set(status),
            goal: Set(Some(pick(GOALS, i).to_owned())),
            interests: Set([pick(INTERESTS, i), pick(INTERESTS, i + 3)]
                .into_iter()
                .collect()),
            created_at: Set(at(i)),
            updated_at: Set(at(i)),
            erased_at: Set(None),
        });
        languages.push(participant_language::ActiveModel {
            participant_id: Set(id),
            language: Set(pick(LANGUAGES, i).to_owned()),
            level: Set(LanguageLevel::Native),
        });
        languages.push(participant_language::ActiveModel {
            participant_id: Set(id),
            language: Set(if pick(LANGUAGES, i) == "en" {
                "ar"
            } else {
                "en"
            }
            .to_owned()),
            level: Set(pick(
                &[
                    LanguageLevel::Basic,
                    LanguageLevel::Conversational,
                    LanguageLevel::Fluent,
                ],
                i,
            )),
        });
        for k in 0..2 {
            skills.push(participant_skill::ActiveModel {
                participant_id: Set(id),
                skill: Set(pick(SKILLS, i * 2 + k).to_owned()),
            });
        }
        if i % 3 == 0 {
            sensitive.push(participant_sensitive::ActiveModel {
                participant_id: Set(id),
                residence_status: Set(Some(
                    pick(
                        &[
                            "asylum seeker, awaiting decision",
                            "temporary residence permit",
                            "permanent residence permit",
                        ],
                        i,
                    )
                    .to_owned(),
                )),
                notes: Set(Some("Synthetic demo note.".to_owned())),
                created_at: Set(at(i)),
                updated_at: Set(at(i)),
            });
        }
        // Everyone agrees to share with the host; most also with one more partner.
        for (k, slug) in [
            "hyresbostader",
            pick(
                &[
                    "norrkopings-kommun",
                    "abf-ostergotland",
                    "marieborgs-folkhogskola",
                    "svenska-kyrkan",
                    "arbetsformedlingen",
                ],
                i,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            consents.push(consent::ActiveModel {
                id: Set(seeded_id(BASE_MILLIS, "consent", i * 2 + k as u64)),
                participant_id: Set(id),
                partner_organisation_id: Set(partner_id(slug)),
                purpose: Set(
                    "Taking part in Portalen: matching with mentors, internships and jobs"
                        .to_owned(),
                ),
                recorded_by: Set(Some("seed".to_owned())),
                granted_at: Set(at(i)),
                revoked_at: Set(None),
                created_at: Set(at(i)),
                updated_at: Set(at(i)),
            });
        }
    }
    insert_new(&txn, participants, 12)
        .await
        .context("failed to seed participants")?;
    insert_new(&txn, languages, 3)
        .await
        .context("failed to seed participant languages")?;
    insert_new(&txn, skills, 2)
        .await
        .context("failed to seed participant skills")?;
    insert_new(&txn, sensitive, 5)
        .await
        .context("failed to seed sensitive participant data")?;
    insert_new(&txn, consents, 9)
        .await
        .context("failed to seed consents")?;

    let slot_ids: Vec<Uuid> = (0..SLOTS.len())
        .map(|i| seeded_id(BASE_MILLIS, "slot", i as u64))
        .collect();
    let mut slots = Vec::new();
    let mut slot_skills = Vec::new();
    for (i, spec) in SLOTS.iter().enumerate() {
        slots.push(internship_slot::ActiveModel {
            id: Set(slot_ids[i]),
            employer_id: Set(employer_ids[spec.employer]),
            title: Set(spec.title.to_owned()),
            description: Set(None),
            kind: Set(spec.kind),
            places: Set(spec.places),
            site: Set(EMPLOYERS[spec.employer].site),
            starts_on: Set(day(30 + 7 * i as i64)),
            ends_on: Set(Some(day(30 + 7 * i as i64 + 56))),
            required_swedish_level: Set(spec.swedish),
            status: Set(spec.status),
            version: Set(1),
            created_at: Set(at(i as u64)),
            updated_at: Set(at(i as u64)),
        });
        slot_skills.extend(spec.skills.iter().map(|s| slot_skill::ActiveModel {
            slot_id: Set(slot_ids[i]),
            skill: Set((*s).to_owned()),
        }));
    }
    insert_new(&txn, slots, 14)
        .await
        .context("failed to seed slots")?;
    insert_new(&txn, slot_skills, 2)
        .await
        .context("failed to seed slot skills")?;

    let rows: Vec<placement::ActiveModel> = PLACEMENTS
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let slot = &SLOTS[spec.slot];
            let starts = day(30 + 7 * spec.slot as i64);
            placement::ActiveModel {
                id: Set(seeded_id(BASE_MILLIS, "placement", i as u64)),
                participant_id: Set(participant_ids[spec.participant]),
                employer_id: Set(employer_ids[slot.employer]),
                slot_id: Set(Some(slot_ids[spec.slot])),
                responsible_partner_id: Set(partner_id(spec.responsible)),
                mentor_id: Set(spec.mentor.map(|m| mentor_ids[m])),
                kind: Set(slot.kind),
                status: Set(spec.status),
                starts_on: Set(Some(starts)),
                ends_on: Set(Some(starts + Duration::days(56))),
                outcome: Set(spec.outcome),
                version: Set(1),
                created_at: Set(at(i as u64)),
                updated_at: Set(at(i as u64)),
            }
        })
        .collect();
    insert_new(&txn, rows, 14)
        .await
        .context("failed to seed placements")?;

    let mentorships: Vec<mentorship::ActiveModel> =
        [(0usize, 7u64), (2, 12), (4, 13), (4, 14), (6, 15), (7, 16)]
            .iter()
            .enumerate()
            .map(|(i, (mentor, participant))| mentorship::ActiveModel {
                id: Set(seeded_id(BASE_MILLIS, "mentorship", i as u64)),
                mentor_id: Set(mentor_ids[*mentor]),
                participant_id: Set(participant_ids[*participant as usize]),
                started_on: Set(day(i as i64 * 5)),
                ended_on: Set((i == 0).then(|| day(90))),
                created_at: Set(at(i as u64)),
                updated_at: Set(at(i as u64)),
            })
            .collect();
    insert_new(&txn, mentorships, 7)
        .await
        .context("failed to seed mentorships")?;

    activities::seed_activities(&txn, &employer_ids)
        .await
        .context("failed to seed activities")?;
    activities::seed_queue(&txn)
        .await
        .context("failed to seed the intake queue")?;

    txn.commit()
        .await
        .context("failed to commit the demo seed")?;
    SeedCounts::read(db)
        .await
        .context("failed to count seeded rows")
}
