//! The impact report on a fixture whose figures are known, including the
//! small-cell suppression that stops a withheld count being worked out by
//! subtraction.

use chrono::{NaiveDate, TimeZone, Utc};
use entity::*;
use portalen_api::policy::Scope;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Fixture, TestApp, error_codes};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn partner(app: &TestApp, slug: &str) -> Uuid {
    portalen_api::services::partners::create_partner(
        &app.db,
        portalen_api::services::partners::NewPartner {
            slug: slug.to_owned(),
            name: format!("Report {slug}"),
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
    .id
}

async fn person(
    app: &TestApp,
    site: Option<Site>,
    status: ParticipantStatus,
    created: NaiveDate,
    consent_to: Uuid,
) -> Uuid {
    let id = Uuid::now_v7();
    let at = Utc.from_utc_datetime(&created.and_hms_opt(9, 0, 0).expect("time"));
    participant::Entity::insert(participant::ActiveModel {
        id: Set(id),
        display_name: Set("Synthetic".to_owned()),
        family_name: Set(None),
        email: Set(None),
        phone: Set(None),
        swedish_level: Set(None),
        site: Set(site),
        status: Set(status),
        goal: Set(None),
        interests: Set(StringList::default()),
        created_at: Set(at),
        updated_at: Set(at),
        erased_at: Set(None),
    })
    .exec(&app.db)
    .await
    .expect("participant");
    consent::Entity::insert(consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(id),
        partner_organisation_id: Set(consent_to),
        purpose: Set("Portalen".to_owned()),
        recorded_by: Set(None),
        granted_at: Set(at),
        revoked_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec(&app.db)
    .await
    .expect("consent");
    id
}

#[allow(clippy::too_many_arguments)]
async fn place(
    app: &TestApp,
    participant: Uuid,
    employer: Uuid,
    responsible: Uuid,
    kind: OpportunityKind,
    status: PlacementStatus,
    dates: (NaiveDate, Option<NaiveDate>),
    outcome: Option<PlacementOutcome>,
) {
    let now = Utc::now();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(participant),
        employer_id: Set(employer),
        slot_id: Set(None),
        responsible_partner_id: Set(responsible),
        mentor_id: Set(None),
        kind: Set(kind),
        status: Set(status),
        starts_on: Set(Some(dates.0)),
        ends_on: Set(dates.1),
        outcome: Set(outcome),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&app.db)
    .await
    .expect("placement");
}

fn count(value: Option<u64>) -> Value {
    json!({ "value": value, "suppressed": value.is_none() })
}

const REPORT: &str = "query($from: Date!, $until: Date!) { impactReport(from: $from, until: $until) {
    suppressedUpTo
    total { ...F }
    bySite { site figures { ...F } }
    byPartner { partnerOrganisation { slug } figures { ...F } }
    mentorProgrammes { partnerOrganisation { slug } mentorshipsStarted { value suppressed } mentorshipsCompleted { value suppressed } }
} }
fragment F on ImpactFigures {
    participantsTakingPart { value suppressed }
    newParticipants { value suppressed }
    placementsByKind { kind participants { value suppressed } }
    outcomes { outcome participants { value suppressed } }
}";

fn kind(figures: &Value, kind: &str) -> Value {
    figures["placementsByKind"]
        .as_array()
        .expect("kinds")
        .iter()
        .find(|k| k["kind"] == kind)
        .expect("kind")["participants"]
        .clone()
}

fn outcome(figures: &Value, outcome: &str) -> Value {
    figures["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .find(|k| k["outcome"] == outcome)
        .expect("outcome")["participants"]
        .clone()
}

#[tokio::test]
async fn the_report_counts_a_known_fixture_and_withholds_what_could_single_someone_out() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = partner(&app, "rep-a").await;
    let b = partner(&app, "rep-b").await;
    let employer = portalen_api::services::employers::create_employer(
        &app.db,
        portalen_api::services::employers::NewEmployer {
            name: "Report employer".to_owned(),
            organisation_number: portalen_api::domain::OrganisationNumber::from_nine_digits(
                559_900_001,
            )
            .expect("number")
            .to_string(),
            ..Default::default()
        },
    )
    .await
    .expect("employer")
    .id;

    // Hageby: 7 from before the period and 5 new, all with partner A.
    let mut hageby = Vec::new();
    for i in 0..12 {
        let created = if i < 7 {
            day(2025, 10, 1)
        } else {
            day(2026, 2, 1)
        };
        hageby.push(
            person(
                &app,
                Some(Site::Hageby),
                ParticipantStatus::Active,
                created,
                a,
            )
            .await,
        );
    }
    // Ringdansen: 3 new, with partner B.
    let mut ringdansen = Vec::new();
    for _ in 0..3 {
        ringdansen.push(
            person(
                &app,
                Some(Site::Ringdansen),
                ParticipantStatus::Active,
                day(2026, 3, 1),
                b,
            )
            .await,
        );
    }
    // Not taking part: inactive with nothing in the period; and one who came later.
    person(&app, None, ParticipantStatus::Inactive, day(2025, 5, 1), a).await;
    person(
        &app,
        Some(Site::Hageby),
        ParticipantStatus::Active,
        day(2026, 8, 1),
        a,
    )
    .await;

    // Six Hageby participants did internships with A and went on to work.
    for p in &hageby[..6] {
        place(
            &app,
            *p,
            employer,
            a,
            OpportunityKind::Internship,
            PlacementStatus::Completed,
            (day(2026, 2, 1), Some(day(2026, 5, 31))),
            Some(PlacementOutcome::Work),
        )
        .await;
    }
    // Two Ringdansen participants are in jobs with B.
    for p in &ringdansen[..2] {
        place(
            &app,
            *p,
            employer,
            b,
            OpportunityKind::Job,
            PlacementStatus::Active,
            (day(2026, 4, 1), None),
            None,
        )
        .await;
    }
    // A placement outside the period counts for nothing.
    place(
        &app,
        hageby[11],
        employer,
        a,
        OpportunityKind::TrainingPlace,
        PlacementStatus::Completed,
        (day(2025, 1, 1), Some(day(2025, 3, 1))),
        Some(PlacementOutcome::Studies),
    )
    .await;

    // A's mentor programme: 7 mentorships started in the period, 2 of them ended.
    let mentor = Uuid::now_v7();
    let now = Utc::now();
    mentor::Entity::insert(mentor::ActiveModel {
        id: Set(mentor),
        given_name: Set("Synthetic mentor".to_owned()),
        family_name: Set(None),
        email: Set(None),
        phone: Set(None),
        partner_organisation_id: Set(a),
        capacity: Set(20),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&app.db)
    .await
    .expect("mentor");
    for (i, p) in hageby[..7].iter().enumerate() {
        mentorship::Entity::insert(mentorship::ActiveModel {
            id: Set(Uuid::now_v7()),
            mentor_id: Set(mentor),
            participant_id: Set(*p),
            started_on: Set(day(2026, 1, 15)),
            ended_on: Set((i < 2).then(|| day(2026, 4, 30))),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&app.db)
        .await
        .expect("mentorship");
    }

    let token = app
        .token("rep-a", "partner", &["reports:read"], "analyst")
        .await;
    let body = app
        .graphql_as(
            &token,
            REPORT,
            json!({ "from": "2026-01-01", "until": "2026-06-30" }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let report = &body["data"]["impactReport"];
    assert_eq!(report["suppressedUpTo"], 4);

    let total = &report["total"];
    assert_eq!(total["participantsTakingPart"], count(Some(15)));
    assert_eq!(total["newParticipants"], count(Some(8)));
    assert_eq!(kind(total, "INTERNSHIP"), count(Some(6)));
    assert_eq!(kind(total, "JOB"), count(None), "2 is withheld");
    assert_eq!(
        kind(total, "TRAINING_PLACE"),
        count(Some(0)),
        "outside the period; zero is shown"
    );
    assert_eq!(outcome(total, "WORK"), count(Some(6)));
    assert_eq!(outcome(total, "STUDIES"), count(Some(0)));

    let sites = report["bySite"].as_array().expect("sites");
    let site =
        |name: Value| sites.iter().find(|s| s["site"] == name).expect("site")["figures"].clone();
    let (hb, rd, unknown) = (
        site(json!("HAGEBY")),
        site(json!("RINGDANSEN")),
        site(Value::Null),
    );
    // 15 = 12 + 3 + 0: Ringdansen's 3 is withheld, and so is Hageby's 12,
    // which would give the 3 away by subtraction from the total.
    assert_eq!(rd["participantsTakingPart"], count(None));
    assert_eq!(hb["participantsTakingPart"], count(None));
    assert_eq!(unknown["participantsTakingPart"], count(Some(0)));
    // 8 = 5 + 3: likewise.
    assert_eq!(rd["newParticipants"], count(None));
    assert_eq!(hb["newParticipants"], count(None));
    // 6 = 6 + 0 + 0: nothing small, all shown.
    assert_eq!(kind(&hb, "INTERNSHIP"), count(Some(6)));
    assert_eq!(kind(&rd, "INTERNSHIP"), count(Some(0)));
    assert_eq!(outcome(&hb, "WORK"), count(Some(6)));
    assert_eq!(kind(&rd, "JOB"), count(None));

    let partners = report["byPartner"].as_array().expect("partners");
    let of = |slug: &str| {
        partners
            .iter()
            .find(|p| p["partnerOrganisation"]["slug"] == slug)
            .expect("partner")["figures"]
            .clone()
    };
    let (pa, pb) = (of("rep-a"), of("rep-b"));
    assert_eq!(pb["participantsTakingPart"], count(None));
    assert_eq!(
        pa["participantsTakingPart"],
        count(None),
        "12 would reveal B's 3"
    );
    assert_eq!(kind(&pa, "INTERNSHIP"), count(Some(6)));
    assert_eq!(outcome(&pa, "WORK"), count(Some(6)));
    assert_eq!(kind(&pb, "JOB"), count(None));

    assert_eq!(
        report["mentorProgrammes"],
        json!([{ "partnerOrganisation": { "slug": "rep-a" },
            "mentorshipsStarted": { "value": 7, "suppressed": false },
            "mentorshipsCompleted": { "value": null, "suppressed": true } }])
    );

    // Whatever is published, no withheld count can be recovered: in every
    // group that adds up to the total, no single cell is withheld alone.
    for (rows, label) in [
        (
            sites
                .iter()
                .map(|s| s["figures"].clone())
                .collect::<Vec<_>>(),
            "site",
        ),
        (
            partners
                .iter()
                .map(|p| p["figures"].clone())
                .collect::<Vec<_>>(),
            "partner",
        ),
    ] {
        for measure in ["participantsTakingPart", "newParticipants"] {
            let withheld = rows
                .iter()
                .filter(|r| r[measure]["suppressed"] == true)
                .count();
            assert!(withheld != 1, "{label} {measure}: a lone withheld cell");
        }
    }
}

#[tokio::test]
async fn a_period_that_ends_before_it_starts_is_bad_input_and_the_report_needs_its_scope() {
    let app = TestApp::builder().fixture(Fixture::Demo).start().await;
    let token = app
        .token("hyresbostader", "partner", &["reports:read"], "analyst")
        .await;
    let body = app
        .graphql_as(
            &token,
            REPORT,
            json!({ "from": "2026-06-30", "until": "2026-01-01" }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    let without = app
        .token("hyresbostader", "partner", &["participants:read"], "staff")
        .await;
    let body = app
        .graphql_as(
            &without,
            REPORT,
            json!({ "from": "2026-01-01", "until": "2026-06-30" }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
}
