//! The authorization matrix: every query and mutation, as each role of two
//! organisations, against rows owned by the caller's organisation and by the
//! other one. Every cell has an expected outcome; an operation missing from
//! the matrix fails `the_matrix_covers_every_operation`.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::*;
use portalen_api::policy::Scope;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::gid;
use crate::helpers::{Fixture, TestApp, error_codes};

/// One organisation's rows.
#[derive(Clone)]
struct Side {
    slug: String,
    partner: Uuid,
    employer: Uuid,
    participant: Uuid,
    participant_name: String,
    mentor: Uuid,
    draft_slot: Uuid,
    open_slot: Uuid,
    placement: Uuid,
    client: Uuid,
    mentorship: Uuid,
    consent: Uuid,
    /// A mentorship and a consent of a second participant, for the matrix
    /// to end and revoke without changing what the rest of it sees.
    spare_mentorship: Uuid,
    spare_consent: Uuid,
    /// A mentor with room for every mentorship the matrix starts.
    roomy_mentor: Uuid,
    /// A participant made for the cell, for operations that create a
    /// relation once per participant: seen by this side's partner through an
    /// active placement, with no consent and no mentor.
    fresh: Uuid,
    /// The fresh participant's placement (see [`fresh_status`]).
    fresh_placement: Uuid,
    /// A slot made for the cell, for operations that change a slot's status.
    fresh_slot: Uuid,
    /// A person's membership of this side's organisation.
    membership: Uuid,
    /// This side's identity provider.
    provider: Uuid,
    /// A membership made for the cell, for the operation that ends one.
    fresh_membership: Uuid,
    /// A provider made for the cell, for the operation that removes one.
    fresh_provider: Uuid,
    /// An activity this side's organisation organises, and a session of it.
    activity: Uuid,
    session: Uuid,
    /// A scheduled session made for the cell, for the operation that cancels one.
    fresh_session: Uuid,
    /// A session held last week, for attendance.
    past_session: Uuid,
    /// A course with places made for the cell, for signing up.
    fresh_course: Uuid,
    /// A sign-up made for the cell (see [`fresh_people`]).
    fresh_registration: Uuid,
    /// A person this side's staff put in the Hageby queue, and their number.
    queue_entry: Uuid,
    queue_number: i32,
    /// A queue entry made for the cell (waiting, or offered for `acceptIntake`).
    fresh_entry: Uuid,
    /// A volunteer of this side's organisation (a person; the matrix's
    /// volunteer signs in as them), and hours they logged at `past_session`.
    volunteer: entity::membership::Model,
    hours: Uuid,
    /// Hours logged for the cell, for the operations that decide them.
    fresh_hours: Uuid,
}

impl Side {
    /// A row of this side, by the name `authorization.yaml` uses.
    fn row(&self, name: &str) -> Uuid {
        match name {
            "partner" => self.partner,
            "employer" => self.employer,
            "participant" => self.participant,
            "mentor" => self.mentor,
            "draft_slot" => self.draft_slot,
            "open_slot" => self.open_slot,
            "placement" => self.placement,
            "client" => self.client,
            "mentorship" => self.mentorship,
            "consent" => self.consent,
            "spare_mentorship" => self.spare_mentorship,
            "spare_consent" => self.spare_consent,
            "roomy_mentor" => self.roomy_mentor,
            "fresh" => self.fresh,
            "fresh_placement" => self.fresh_placement,
            "fresh_slot" => self.fresh_slot,
            "membership" => self.membership,
            "provider" => self.provider,
            "fresh_membership" => self.fresh_membership,
            "fresh_provider" => self.fresh_provider,
            "activity" => self.activity,
            "session" => self.session,
            "fresh_session" => self.fresh_session,
            "past_session" => self.past_session,
            "fresh_course" => self.fresh_course,
            "fresh_registration" => self.fresh_registration,
            "queue_entry" => self.queue_entry,
            "fresh_entry" => self.fresh_entry,
            "hours" => self.hours,
            "fresh_hours" => self.fresh_hours,
            other => panic!("authorization.yaml names no row {other}"),
        }
    }
}

async fn insert_person(db: &sea_orm::DatabaseConnection, name: &str) -> Uuid {
    let now = Utc::now();
    let id = Uuid::now_v7();
    participant::Entity::insert(participant::ActiveModel {
        id: Set(id),
        display_name: Set(name.to_owned()),
        family_name: Set(None),
        email: Set(None),
        phone: Set(None),
        swedish_level: Set(None),
        site: Set(None),
        status: Set(ParticipantStatus::Active),
        goal: Set(None),
        interests: Set(StringList::default()),
        created_at: Set(now),
        updated_at: Set(now),
        erased_at: Set(None),
    })
    .exec(db)
    .await
    .expect("participant");
    id
}

async fn insert_consent(
    db: &sea_orm::DatabaseConnection,
    participant: Uuid,
    partner: Uuid,
) -> Uuid {
    let now = Utc::now();
    let id = Uuid::now_v7();
    consent::Entity::insert(consent::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        partner_organisation_id: Set(partner),
        purpose: Set("test".to_owned()),
        recorded_by: Set(None),
        granted_at: Set(now),
        revoked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("consent");
    id
}

async fn insert_mentorship(
    db: &sea_orm::DatabaseConnection,
    mentor: Uuid,
    participant: Uuid,
) -> Uuid {
    let now = Utc::now();
    let id = Uuid::now_v7();
    mentorship::Entity::insert(mentorship::ActiveModel {
        id: Set(id),
        mentor_id: Set(mentor),
        participant_id: Set(participant),
        started_on: Set(NaiveDate::from_ymd_opt(2026, 9, 1).expect("date")),
        ended_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("mentorship");
    id
}

async fn insert_placement(
    db: &sea_orm::DatabaseConnection,
    side: (Uuid, Uuid),
    participant: Uuid,
    slot: Option<Uuid>,
    mentor: Option<Uuid>,
    status: PlacementStatus,
) -> Uuid {
    let (partner, employer) = side;
    let now = Utc::now();
    let id = Uuid::now_v7();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        employer_id: Set(employer),
        slot_id: Set(slot),
        responsible_partner_id: Set(partner),
        mentor_id: Set(mentor),
        kind: Set(OpportunityKind::Internship),
        status: Set(status),
        starts_on: Set(None),
        ends_on: Set(None),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("placement");
    id
}

/// A participant for one cell, and their placement: see [`Side::fresh`].
async fn fresh_person(app: &TestApp, side: &Side, status: PlacementStatus) -> (Uuid, Uuid) {
    let id = insert_person(&app.db, "Fresh").await;
    let placement = insert_placement(
        &app.db,
        (side.partner, side.employer),
        id,
        None,
        None,
        status,
    )
    .await;
    (id, placement)
}

/// A slot for one cell, in `status`, at version 1.
async fn fresh_slot(app: &TestApp, side: &Side, status: SlotStatus) -> Uuid {
    portalen_api::services::slots::create_slot(
        &app.db,
        portalen_api::services::slots::NewSlot {
            employer_id: side.employer,
            title: "Fresh slot".to_owned(),
            description: None,
            kind: OpportunityKind::Internship,
            places: 2,
            site: None,
            starts_on: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            ends_on: None,
            required_swedish_level: None,
            wanted_skills: vec![],
            status,
        },
    )
    .await
    .expect("slot")
    .id
}

/// Organisations' people and providers, for the matrix.
static NEXT_PERSON: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A person with a partner membership of `partner`.
async fn insert_membership(db: &sea_orm::DatabaseConnection, partner: Uuid) -> Uuid {
    let now = Utc::now();
    let n = NEXT_PERSON.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let person = Uuid::now_v7();
    person::Entity::insert(person::ActiveModel {
        id: Set(person),
        name: Set(format!("Staff {n}")),
        email: Set(format!("staff-{n}@example.org")),
        phone: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("person");
    let id = Uuid::now_v7();
    membership::Entity::insert(membership::ActiveModel {
        id: Set(id),
        person_id: Set(person),
        partner_organisation_id: Set(partner),
        role: Set(MembershipRole::Partner),
        employer_id: Set(None),
        mentor_id: Set(None),
        participant_id: Set(None),
        status: Set(MembershipStatus::Active),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ended_at: Set(None),
    })
    .exec(db)
    .await
    .expect("membership");
    id
}

/// An identity provider of `partner`, with inline keys.
async fn insert_provider(db: &sea_orm::DatabaseConnection, partner: Uuid) -> Uuid {
    let now = Utc::now();
    let n = NEXT_PERSON.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = Uuid::now_v7();
    identity_provider::Entity::insert(identity_provider::ActiveModel {
        id: Set(id),
        partner_organisation_id: Set(partner),
        issuer: Set(format!("https://idp-{n}.example.org")),
        jwks_uri: Set(None),
        jwks: Set(Some(r#"{"keys":[]}"#.to_owned())),
        audience: Set("portalen-dashboard".to_owned()),
        algorithms: Set(StringList(vec!["RS256".to_owned()])),
        subject_claim: Set("email".to_owned()),
        groups_claim: Set(None),
        group_mappings: Set(Default::default()),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("provider");
    id
}

/// An activity of `organiser`: a café, or with `places` a course that
/// needs registration (one place taken when it has one place).
async fn insert_activity(
    db: &sea_orm::DatabaseConnection,
    organiser: Uuid,
    places: Option<i32>,
) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    entity::activity::Entity::insert(entity::activity::ActiveModel {
        id: Set(id),
        kind: Set(entity::ActivityKind::LanguageCafe),
        title: Set("Språkkafé".to_owned()),
        description: Set(None),
        organiser_id: Set(organiser),
        employer_id: Set(None),
        site: Set(Some(entity::Site::Hageby)),
        place: Set(None),
        target_group: Set(None),
        capacity: Set(places),
        registration_required: Set(places.is_some()),
        places_taken: Set(i32::from(places == Some(1))),
        offer_hours: Set(48),
        weekly_rule: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("activity");
    id
}

async fn insert_registration(
    db: &sea_orm::DatabaseConnection,
    activity: Uuid,
    participant: Uuid,
    by: Uuid,
    status: RegistrationStatus,
) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    entity::registration::Entity::insert(entity::registration::ActiveModel {
        id: Set(id),
        activity_id: Set(activity),
        participant_id: Set(participant),
        status: Set(status),
        offer_expires_at: Set(
            (status == RegistrationStatus::Offered).then(|| now + chrono::Duration::hours(48))
        ),
        registered_by: Set(by),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("registration");
    id
}

/// A person in the Hageby queue, added by `by`: waiting, or with an intake
/// offered; numbered `number`, or after the highest so far.
async fn insert_queue_entry(
    db: &sea_orm::DatabaseConnection,
    by: Uuid,
    number: Option<i32>,
    offered: bool,
) -> (Uuid, i32) {
    use sea_orm::QueryOrder;
    let number = match number {
        Some(n) => n,
        None => {
            let highest = entity::queue_entry::Entity::find()
                .order_by_desc(entity::queue_entry::Column::Number)
                .one(db)
                .await
                .expect("highest")
                .map_or(10_000, |e| e.number.max(10_000));
            highest + 1
        }
    };
    let id = Uuid::now_v7();
    let now = Utc::now();
    entity::queue_entry::Entity::insert(entity::queue_entry::ActiveModel {
        id: Set(id),
        site: Set(entity::Site::Hageby),
        number: Set(number),
        alias: Set(format!("Köande {number}")),
        contact: Set(None),
        status: Set(if offered {
            QueueStatus::Offered
        } else {
            QueueStatus::Waiting
        }),
        queued_at: Set(now),
        offer: Set(offered.then(|| "Introduktion".to_owned())),
        offer_expires_at: Set(offered.then(|| now + chrono::Duration::hours(72))),
        move_reason: Set(None),
        participant_id: Set(None),
        added_by: Set(by),
        left_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("queue entry");
    (id, number)
}

/// A scheduled session `days` from now (before now when negative).
async fn insert_session(db: &sea_orm::DatabaseConnection, activity: Uuid, days: i64) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let starts = now + chrono::Duration::days(days);
    entity::activity_session::Entity::insert(entity::activity_session::ActiveModel {
        id: Set(id),
        activity_id: Set(activity),
        starts_at: Set(starts),
        ends_at: Set(starts + chrono::Duration::hours(2)),
        status: Set(entity::SessionStatus::Scheduled),
        cancel_reason: Set(None),
        anonymous_headcount: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("session");
    id
}

/// Slot operations get a fresh slot per cell, in the status they start from.
fn fresh_slot_status(field: &str) -> Option<SlotStatus> {
    match field {
        "updateInternshipSlot" | "closeInternshipSlot" => Some(SlotStatus::Open),
        "openInternshipSlot" | "deleteInternshipSlot" => Some(SlotStatus::Draft),
        _ => None,
    }
}

/// Operations that create a relation once per participant, or move a
/// placement along, get a fresh participant per cell, with a placement in
/// the status the operation starts from.
fn fresh_status(field: &str) -> Option<PlacementStatus> {
    match field {
        "startMentorship" | "grantConsent" | "eraseParticipant" | "proposePlacement"
        | "completePlacement" => Some(PlacementStatus::Active),
        "acceptPlacement" | "declinePlacement" | "cancelPlacement" => {
            Some(PlacementStatus::Proposed)
        }
        "startPlacement" => Some(PlacementStatus::Accepted),
        _ => None,
    }
}

/// A fresh membership or provider for the operations that end or remove
/// one.
async fn fresh_people(app: &TestApp, field: &str, target: &mut Side) {
    match field {
        "endMembership" => {
            target.fresh_membership = insert_membership(&app.db, target.partner).await
        }
        "removeIdentityProvider" => {
            target.fresh_provider = insert_provider(&app.db, target.partner).await;
        }
        "cancelActivitySession" => {
            target.fresh_session = insert_session(&app.db, target.activity, 7).await;
        }
        "registerForActivity" => {
            target.fresh_course = insert_activity(&app.db, target.partner, Some(2)).await;
        }
        "cancelRegistration" | "acceptOffer" | "declineOffer" => {
            let course = insert_activity(&app.db, target.partner, Some(1)).await;
            let status = if field == "cancelRegistration" {
                RegistrationStatus::Registered
            } else {
                RegistrationStatus::Offered
            };
            target.fresh_registration =
                insert_registration(&app.db, course, target.participant, target.partner, status)
                    .await;
        }
        "offerIntake" | "acceptIntake" | "withdrawFromQueue" | "moveQueueEntry" => {
            let offered = field == "acceptIntake";
            target.fresh_entry = insert_queue_entry(&app.db, target.partner, None, offered)
                .await
                .0;
        }
        "approveVolunteerHours" | "declineVolunteerHours" => {
            let volunteer = app
                .add_person(&target.slug, "volunteer", "Volunteer for the cell")
                .await;
            target.fresh_hours = insert_hours(&app.db, target, volunteer.person_id).await;
        }
        "removeAttendance" => {
            entity::attendance::Entity::insert(entity::attendance::ActiveModel {
                session_id: Set(target.past_session),
                participant_id: Set(target.participant),
                recorded_by: Set(target.partner),
                created_at: Set(Utc::now()),
            })
            .on_conflict_do_nothing()
            .exec_without_returning(&app.db)
            .await
            .expect("attendance");
        }
        _ => {}
    }
}

async fn side(app: &TestApp, tag: &str, number: u32) -> Side {
    let db = &app.db;
    let now = Utc::now();
    let slug = format!("org-{tag}");
    let partner = portalen_api::services::partners::create_partner(
        db,
        portalen_api::services::partners::NewPartner {
            slug: slug.clone(),
            name: format!("Organisation {tag}"),
            kind: PartnerKind::NonProfit,
            network: PartnerNetwork::Core,
            granted_scopes: Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
            contact_email: None,
            contact_phone: None,
            website: None,
        },
    )
    .await
    .expect("partner")
    .id;
    let employer = portalen_api::services::employers::create_employer(
        db,
        portalen_api::services::employers::NewEmployer {
            name: format!("Employer {tag}"),
            organisation_number: portalen_api::domain::OrganisationNumber::from_nine_digits(
                559_800_000 + number,
            )
            .expect("number")
            .to_string(),
            partner_organisation_id: Some(partner),
            ..Default::default()
        },
    )
    .await
    .expect("employer")
    .id;
    let participant = Uuid::now_v7();
    let participant_name = format!("Person{tag}");
    participant::Entity::insert(participant::ActiveModel {
        id: Set(participant),
        display_name: Set(participant_name.clone()),
        family_name: Set(Some(format!("Family{tag}"))),
        email: Set(Some(format!("person-{tag}@example.org"))),
        phone: Set(None),
        swedish_level: Set(Some(SwedishLevel::A2)),
        site: Set(Some(Site::Hageby)),
        status: Set(ParticipantStatus::Active),
        goal: Set(Some(format!("Goal{tag}"))),
        interests: Set(StringList::default()),
        created_at: Set(now),
        updated_at: Set(now),
        erased_at: Set(None),
    })
    .exec(db)
    .await
    .expect("participant");
    let consent = insert_consent(db, participant, partner).await;
    let mentor = Uuid::now_v7();
    mentor::Entity::insert(mentor::ActiveModel {
        id: Set(mentor),
        given_name: Set(format!("Mentor{tag}")),
        family_name: Set(None),
        email: Set(None),
        phone: Set(None),
        partner_organisation_id: Set(partner),
        capacity: Set(2),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("mentor");
    let mentorship = insert_mentorship(db, mentor, participant).await;
    let spare = insert_person(db, &format!("Spare{tag}")).await;
    let spare_consent = insert_consent(db, spare, partner).await;
    let spare_mentorship = insert_mentorship(db, mentor, spare).await;
    let roomy_mentor = Uuid::now_v7();
    mentor::Entity::insert(mentor::ActiveModel {
        id: Set(roomy_mentor),
        given_name: Set(format!("Roomy{tag}")),
        family_name: Set(None),
        email: Set(None),
        phone: Set(None),
        partner_organisation_id: Set(partner),
        capacity: Set(20),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("mentor");
    let slot = |status| portalen_api::services::slots::NewSlot {
        employer_id: employer,
        title: format!("Slot{tag}"),
        description: None,
        kind: OpportunityKind::Internship,
        places: 2,
        site: None,
        starts_on: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
        ends_on: None,
        required_swedish_level: None,
        wanted_skills: vec![],
        status,
    };
    let draft_slot = portalen_api::services::slots::create_slot(db, slot(SlotStatus::Draft))
        .await
        .expect("slot")
        .id;
    let open_slot = portalen_api::services::slots::create_slot(db, slot(SlotStatus::Open))
        .await
        .expect("slot")
        .id;
    let placement = Uuid::now_v7();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(placement),
        participant_id: Set(participant),
        employer_id: Set(employer),
        slot_id: Set(Some(draft_slot)),
        responsible_partner_id: Set(partner),
        mentor_id: Set(Some(mentor)),
        kind: Set(OpportunityKind::Internship),
        status: Set(PlacementStatus::Active),
        starts_on: Set(None),
        ends_on: Set(None),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .expect("placement");
    let client = portalen_api::services::api_clients::create_api_client(
        db,
        portalen_api::services::api_clients::NewApiClient {
            partner_slug: slug.clone(),
            name: "system".to_owned(),
            role: portalen_api::policy::Role::Partner,
            scopes: vec![],
            created_by: None,
        },
    )
    .await
    .expect("client")
    .client
    .id;
    let membership = insert_membership(db, partner).await;
    let provider = insert_provider(db, partner).await;
    let volunteer = app
        .add_person(&slug, "volunteer", &format!("Volunteer{tag}"))
        .await;
    let activity = insert_activity(db, partner, None).await;
    let session = insert_session(db, activity, 7).await;
    let past_session = insert_session(db, activity, -7).await;
    let (queue_entry, queue_number) = insert_queue_entry(
        db,
        partner,
        Some(1_000 + i32::try_from(number).unwrap_or(0)),
        false,
    )
    .await;
    let mut side = Side {
        volunteer,
        hours: Uuid::nil(),
        fresh_hours: Uuid::nil(),
        membership,
        provider,
        activity,
        session,
        fresh_session: Uuid::nil(),
        past_session,
        fresh_course: Uuid::nil(),
        fresh_registration: Uuid::nil(),
        queue_entry,
        queue_number,
        fresh_entry: Uuid::nil(),
        fresh_membership: Uuid::nil(),
        fresh_provider: Uuid::nil(),
        slug,
        partner,
        employer,
        participant,
        participant_name,
        mentor,
        draft_slot,
        open_slot,
        placement,
        client,
        mentorship,
        consent,
        spare_mentorship,
        spare_consent,
        roomy_mentor,
        fresh: Uuid::nil(),
        fresh_placement: Uuid::nil(),
        fresh_slot: Uuid::nil(),
    };
    side.hours = insert_hours(db, &side, side.volunteer.person_id).await;
    side
}

/// Hours `person` logged at the side's past session, waiting for a decision.
async fn insert_hours(db: &sea_orm::DatabaseConnection, side: &Side, person: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    entity::volunteer_hours::Entity::insert(entity::volunteer_hours::ActiveModel {
        id: Set(id),
        session_id: Set(side.past_session),
        person_id: Set(person),
        organisation_id: Set(side.partner),
        task: Set(entity::VolunteerTask::Guiding),
        minutes: Set(90),
        note: Set(None),
        status: Set(entity::HoursStatus::Logged),
        decided_by: Set(None),
        decided_at: Set(None),
        decline_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .expect("volunteer hours");
    id
}

/// Organisation numbers for employers the matrix creates.
static NEXT_NUMBER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

const ROLES: [&str; 6] = [
    "administrator",
    "partner",
    "employer",
    "mentor",
    "participant",
    "volunteer",
];

async fn token_for(app: &TestApp, side: &Side, role: &str) -> String {
    if role == "volunteer" {
        // A volunteer is a person signed in (hours are someone's own).
        return app.sign_in_as(&side.volunteer).await;
    }
    let subject = match role {
        "employer" => format!("employer:{}", side.employer),
        "mentor" => format!("mentor:{}", side.mentor),
        "participant" => format!("participant:{}", side.participant),
        _ => format!("{role}-of-{}", side.slug),
    };
    app.token(&side.slug, role, &[], &subject).await
}

/// What a cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    /// Succeeds, with data.
    Ok,
    /// Succeeds, and the target row is in the result.
    Sees,
    /// Succeeds, and the target row is nowhere in the result.
    Hidden,
    Forbidden,
    NotFound,
}
use Expect::*;

/// Per role, what it expects on its own organisation's rows and on the
/// other's. Every role must be named.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    administrator: [Expect; 2],
    partner: [Expect; 2],
    employer: [Expect; 2],
    mentor: [Expect; 2],
    participant: [Expect; 2],
    volunteer: [Expect; 2],
}

/// One operation of the matrix, as `authorization.yaml` lists it: its root
/// field, how to call it against a target side, and what each role expects.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Op {
    field: String,
    #[serde(default)]
    mutation: bool,
    query: String,
    #[serde(default)]
    variables: Value,
    /// The id that marks the target row in a list result.
    marker: Option<String>,
    expect: Expectations,
}

impl Op {
    /// (own rows, other organisation's rows) for `role`.
    fn expect(&self, role: &str) -> (Expect, Expect) {
        let [own, other] = match role {
            "administrator" => self.expect.administrator,
            "partner" => self.expect.partner,
            "employer" => self.expect.employer,
            "mentor" => self.expect.mentor,
            "participant" => self.expect.participant,
            "volunteer" => self.expect.volunteer,
            other => panic!("no role {other}"),
        };
        (own, other)
    }

    /// The query and its variables against `target`, its placement at
    /// `version`.
    fn call(&self, target: &Side, version: i32) -> (String, Value) {
        let mut variables = self.variables.clone();
        fill(&mut variables, target, version);
        if variables.is_null() {
            variables = json!({});
        }
        (self.query.clone(), variables)
    }

    /// The id that marks the target row in a list result ("" for none).
    fn marker(&self, target: &Side) -> String {
        match &self.marker {
            Some(placeholder) => match placeholder_value(placeholder, target, 0) {
                Value::String(id) => id,
                other => panic!("{placeholder} is not an id: {other}"),
            },
            None => String::new(),
        }
    }
}

/// The value of a placeholder of `authorization.yaml` for `target`.
fn placeholder_value(placeholder: &str, target: &Side, version: i32) -> Value {
    match placeholder {
        "$slug" => json!(target.slug),
        "$queue_number" => json!(target.queue_number),
        "$version" => json!(version),
        "$all_scopes" => json!(Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        "$email" => json!(format!(
            "new-{}@example.org",
            NEXT_PERSON.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        )),
        "$issuer" => json!(format!(
            "https://new-idp-{}.example.org",
            NEXT_PERSON.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        )),
        "$organisation_number" => {
            let number = portalen_api::domain::OrganisationNumber::from_nine_digits(
                559_700_000 + NEXT_NUMBER.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            )
            .expect("number");
            json!(number.to_string())
        }
        _ => {
            let (kind, row) = placeholder
                .strip_prefix('$')
                .and_then(|p| p.split_once(':'))
                .unwrap_or_else(|| panic!("unknown placeholder {placeholder}"));
            json!(gid(kind, target.row(row)))
        }
    }
}

/// Replaces every placeholder string inside `value`.
fn fill(value: &mut Value, target: &Side, version: i32) {
    match value {
        Value::String(text) if text.starts_with('$') => {
            *value = placeholder_value(text, target, version);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, target, version)),
        Value::Object(fields) => fields.values_mut().for_each(|v| fill(v, target, version)),
        _ => {}
    }
}

/// The operations of the matrix.
fn ops() -> Vec<Op> {
    serde_yaml::from_str(include_str!("authorization.yaml")).expect("authorization.yaml")
}

fn check(op: &Op, expect: Expect, target: &Side, body: &Value) -> Result<(), String> {
    let codes = error_codes(body);
    let data = &body["data"][op.field.as_str()];
    let text = body.to_string();
    let marker = op.marker(target);
    let user_errors_empty = !op.mutation || data["userErrors"] == json!([]);
    let ok = match expect {
        Ok => codes.is_empty() && !data.is_null() && user_errors_empty,
        Sees => codes.is_empty() && text.contains(&marker),
        Hidden => codes.is_empty() && !text.contains(&marker),
        Forbidden => codes == ["FORBIDDEN"] && data.is_null(),
        NotFound => codes == ["NOT_FOUND"] && data.is_null(),
    };
    if ok {
        Result::Ok(())
    } else {
        Err(format!("expected {expect:?}, got {body}"))
    }
}

async fn current_version(app: &TestApp, placement: Uuid) -> i32 {
    placement::Entity::find_by_id(placement)
        .one(&app.db)
        .await
        .expect("read")
        .expect("placement")
        .version
}

#[tokio::test]
async fn every_operation_as_every_role_of_two_organisations_on_own_and_other_rows() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = side(&app, "a", 1).await;
    let b = side(&app, "b", 2).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for (own, other) in [(&a, &b), (&b, &a)] {
        for role in ROLES {
            let token = token_for(&app, own, role).await;
            for op in ops() {
                let (own_expect, other_expect) = op.expect(role);
                for (side, expect) in [(own, own_expect), (other, other_expect)] {
                    let mut target = side.clone();
                    if let Some(status) = fresh_status(&op.field) {
                        (target.fresh, target.fresh_placement) =
                            fresh_person(&app, side, status).await;
                    }
                    if let Some(status) = fresh_slot_status(&op.field) {
                        target.fresh_slot = fresh_slot(&app, side, status).await;
                    }
                    fresh_people(&app, &op.field, &mut target).await;
                    let target = &target;
                    let version = current_version(&app, target.placement).await;
                    let (query, variables) = op.call(target, version);
                    let body = app.graphql_as(&token, &query, variables).await;
                    cells += 1;
                    let whose = if std::ptr::eq(side, own) {
                        "own"
                    } else {
                        "other"
                    };
                    if let Err(why) = check(&op, expect, target, &body) {
                        failures.push(format!(
                            "{} as {role} of {} on {whose} rows: {why}",
                            op.field, own.slug
                        ));
                    }
                    // Whatever the cell, no personal value of the other
                    // organisation's participant reaches a non-administrator.
                    if role != "administrator" && !op.mutation {
                        let text = body.to_string();
                        for leak in [
                            &other.participant_name,
                            &format!("Family{}", &other.slug[4..]),
                            &format!("person-{}@", &other.slug[4..]),
                        ] {
                            if text.contains(leak.as_str()) {
                                failures.push(format!(
                                    "{} as {role} of {} leaked {leak}: {text}",
                                    op.field, own.slug
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, 2 * ROLES.len() * ops().len() * 2);

    // Every mutation succeeded somewhere in the matrix, and each success
    // left its audit event.
    let audited: BTreeSet<String> = audit_event::Entity::find()
        .all(&app.db)
        .await
        .expect("audit events")
        .into_iter()
        .filter(|e| e.kind == "mutation" || e.kind == "erasure")
        .map(|e| e.operation)
        .collect();
    let mutations: BTreeSet<String> = ops()
        .iter()
        .filter(|op| op.mutation)
        .map(|op| op.field.clone())
        .collect();
    assert_eq!(audited, mutations, "every mutation is audited");
}

#[tokio::test]
async fn without_the_scope_or_without_a_token_every_guarded_operation_is_refused() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = side(&app, "a", 1).await;
    let public: BTreeSet<&str> = [
        "partnerOrganisations",
        "partnerOrganisation",
        "queuePosition",
    ]
    .into();
    // A token with no scopes at all, and no token.
    let scopeless = app
        .token(&a.slug, "partner", &["audit:read"], "staff")
        .await;
    for op in ops() {
        let mut target = a.clone();
        if let Some(status) = fresh_status(&op.field) {
            (target.fresh, target.fresh_placement) = fresh_person(&app, &a, status).await;
        }
        if let Some(status) = fresh_slot_status(&op.field) {
            target.fresh_slot = fresh_slot(&app, &a, status).await;
        }
        fresh_people(&app, &op.field, &mut target).await;
        let (query, variables) = op.call(&target, current_version(&app, a.placement).await);
        let body = app.graphql_as(&scopeless, &query, variables.clone()).await;
        let anonymous = app.graphql(&query, variables).await;
        if public.contains(op.field.as_str()) {
            assert!(
                error_codes(&body).is_empty() && error_codes(&anonymous).is_empty(),
                "{}: {body} {anonymous}",
                op.field
            );
        } else if op.field == "viewer" {
            assert!(error_codes(&body).is_empty(), "{body}");
            assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
        } else {
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{}: {body}", op.field);
            assert_eq!(body["data"], Value::Null, "{}: {body}", op.field);
            assert_eq!(
                error_codes(&anonymous),
                ["UNAUTHENTICATED"],
                "{}: {anonymous}",
                op.field
            );
            assert_eq!(anonymous["data"], Value::Null, "{}: {anonymous}", op.field);
        }
    }
}

#[tokio::test]
async fn the_matrix_covers_every_operation() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let body = app
        .graphql(
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut schema_ops = BTreeSet::new();
    for root in ["queryType", "mutationType"] {
        for field in body["data"]["__schema"][root]["fields"]
            .as_array()
            .expect("fields")
        {
            schema_ops.insert(field["name"].as_str().expect("name").to_owned());
        }
    }
    let matrix: BTreeSet<String> = ops().iter().map(|op| op.field.clone()).collect();
    assert_eq!(
        schema_ops, matrix,
        "add every new operation to the authorization matrix"
    );
}

#[tokio::test]
async fn personal_fields_need_the_pii_scope_and_employers_see_candidate_fields_only() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = side(&app, "a", 1).await;
    let query = "query($id: ID!) { participant(id: $id) { displayName skills status email familyName residenceStatus } }";
    let variables = json!({ "id": gid("Participant", a.participant) });

    let with_pii = app
        .token(
            &a.slug,
            "partner",
            &["participants:read", "participants:pii"],
            "staff",
        )
        .await;
    let body = app.graphql_as(&with_pii, query, variables.clone()).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["participant"]["email"], "person-a@example.org");
    assert_eq!(body["data"]["participant"]["familyName"], "Familya");

    let without_pii = app
        .token(&a.slug, "partner", &["participants:read"], "staff")
        .await;
    let body = app.graphql_as(&without_pii, query, variables.clone()).await;
    let participant = &body["data"]["participant"];
    assert_eq!(
        participant["displayName"], "Persona",
        "the rest of the result still comes back: {body}"
    );
    assert_eq!(participant["status"], "ACTIVE");
    for field in ["email", "familyName", "residenceStatus"] {
        assert_eq!(participant[field], Value::Null, "{field}");
    }
    let forbidden: BTreeSet<String> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|e| e["extensions"]["code"] == "FORBIDDEN")
        .map(|e| e["path"][1].as_str().expect("path").to_owned())
        .collect();
    assert_eq!(
        forbidden,
        ["email", "familyName", "residenceStatus"]
            .map(String::from)
            .into()
    );

    // An employer sees a candidate's name and skills, not their status or contact.
    let employer = app
        .token(
            &a.slug,
            "employer",
            &[],
            &format!("employer:{}", a.employer),
        )
        .await;
    let body = app.graphql_as(&employer, query, variables).await;
    assert_eq!(body["data"]["participant"]["displayName"], "Persona");
    for field in ["status", "email", "familyName", "residenceStatus"] {
        assert_eq!(body["data"]["participant"][field], Value::Null, "{field}");
    }
    assert!(!body.to_string().contains("person-a@example.org"));
}

#[tokio::test]
async fn nested_fields_need_the_scope_of_what_they_show() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = side(&app, "a", 1).await;

    // The directory is public; what hangs off it is not.
    let query = "query($slug: String!) { partnerOrganisation(slug: $slug) { name employers { name openSlots { title } } } }";
    let body = app.graphql(query, json!({ "slug": a.slug })).await;
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"],
        "Organisation a"
    );
    assert_eq!(
        body["data"]["partnerOrganisation"]["employers"],
        Value::Null
    );
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");

    let employers_only = app
        .token(&a.slug, "partner", &["employers:read"], "staff")
        .await;
    let body = app
        .graphql_as(&employers_only, query, json!({ "slug": a.slug }))
        .await;
    assert_eq!(
        body["data"]["partnerOrganisation"]["employers"][0]["name"],
        "Employer a"
    );
    assert_eq!(
        body["data"]["partnerOrganisation"]["employers"][0]["openSlots"],
        Value::Null
    );
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    // A placements-only token sees the placement, not who is in it or their mentor.
    let placements_only = app
        .token(&a.slug, "partner", &["placements:read"], "staff")
        .await;
    let body = app
        .graphql_as(
            &placements_only,
            "{ placements { edges { node { status participant { displayName } mentor { givenName } } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["placements"]["edges"][0]["node"];
    assert_eq!(node["status"], "ACTIVE", "{body}");
    assert_eq!(node["participant"], Value::Null);
    assert_eq!(node["mentor"], Value::Null);
    assert_eq!(error_codes(&body), ["FORBIDDEN", "FORBIDDEN"], "{body}");
    assert!(!body.to_string().contains("Persona") && !body.to_string().contains("Mentora"));
}

#[tokio::test]
async fn nested_relations_show_own_rows_and_never_the_other_organisations() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = side(&app, "a", 1).await;
    let b = side(&app, "b", 2).await;
    let query = r#"query($slug: String!) { partnerOrganisation(slug: $slug) {
        mentors { id }
        placements { id slot { id placements { id } } }
        employers { slots { id } placements { id participant { id mentors { id } } } }
    } }"#;
    let partner_a = app.token(&a.slug, "partner", &[], "staff").await;
    let own = app
        .graphql_as(&partner_a, query, json!({ "slug": a.slug }))
        .await;
    assert!(own.get("errors").is_none(), "{own}");
    let text = own.to_string();
    for id in [
        gid("Mentor", a.mentor),
        gid("Placement", a.placement),
        gid("InternshipSlot", a.draft_slot),
        gid("InternshipSlot", a.open_slot),
        gid("Participant", a.participant),
    ] {
        assert!(text.contains(&id), "own row {id} missing: {own}");
    }
    let other = app
        .graphql_as(&partner_a, query, json!({ "slug": b.slug }))
        .await;
    assert!(other.get("errors").is_none(), "{other}");
    let text = other.to_string();
    for id in [
        gid("Mentor", b.mentor),
        gid("Placement", b.placement),
        gid("InternshipSlot", b.draft_slot),
        gid("Participant", b.participant),
    ] {
        assert!(
            !text.contains(&id),
            "{id} of the other organisation leaked: {other}"
        );
    }
    // The other side's open slot is public to slots:read, as at the root.
    assert!(
        text.contains(&gid("InternshipSlot", b.open_slot)),
        "{other}"
    );
}
