//! Right of access, erasure and retention, through the API and the library.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, Utc};
use entity::*;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_codes, spawn_app};

/// Values that only the test participant has, in every personal field.
const VALUES: [&str; 13] = [
    "Qzerasable",
    "Qzfamily",
    "qz-person@example.org",
    "+46701234599",
    "Qzgoal open a bakery",
    "qzinterest",
    "qzskill",
    "Qzresidence",
    "Qznotes",
    "Qzpurpose-first",
    "Qzpurpose-second",
    "Qzsigninname",
    "qz-sign-in@example.org",
];

fn uuid_of(global_id: &str) -> Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .expect("id");
    let text = String::from_utf8(raw).expect("utf-8");
    Uuid::parse_str(text.split_once(':').expect("typed").1).expect("uuid")
}

/// A participant with every personal field set, a second consent, a
/// mentorship and a placement; returns their global id.
async fn full_participant(app: &TestApp, admin: &str) -> String {
    let body = app
        .graphql_as(
            admin,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } userErrors { field message } } }",
            json!({ "input": {
                "displayName": VALUES[0], "familyName": VALUES[1], "email": VALUES[2],
                "phone": VALUES[3], "goal": VALUES[4], "interests": [VALUES[5]],
                "skills": [VALUES[6]], "residenceStatus": VALUES[7], "notes": VALUES[8],
                "languages": [{ "language": "ti", "level": "NATIVE" }],
                "swedishLevel": "A2", "site": "HAGEBY", "consentPurpose": VALUES[9],
            } }),
        )
        .await;
    let id = body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let abf = app
        .graphql(
            "{ partnerOrganisation(slug: \"abf-ostergotland\") { id } }",
            json!({}),
        )
        .await["data"]["partnerOrganisation"]["id"]
        .clone();
    let body = app
        .graphql_as(
            admin,
            "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { consent { id } } }",
            json!({ "input": { "participantId": id, "partnerOrganisationId": abf, "purpose": VALUES[10] } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let mentor = app
        .graphql_as(
            admin,
            "{ mentors(first: 20, filter: { hasSpareCapacity: true }) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["mentors"]["edges"][0]["node"]["id"]
        .clone();
    let body = app
        .graphql_as(
            admin,
            "mutation($input: StartMentorshipInput!) { startMentorship(input: $input) { mentorship { id } } }",
            json!({ "input": { "mentorId": mentor, "participantId": id, "startedOn": "2026-01-10" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let employer = employer::Entity::find()
        .one(&app.db)
        .await
        .expect("employer")
        .expect("an employer");
    let partner = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Slug.eq("hyresbostader"))
        .one(&app.db)
        .await
        .expect("partner")
        .expect("hyresbostader");
    let now = Utc::now();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(uuid_of(&id)),
        employer_id: Set(employer.id),
        slot_id: Set(None),
        responsible_partner_id: Set(partner.id),
        mentor_id: Set(None),
        kind: Set(OpportunityKind::Internship),
        status: Set(PlacementStatus::Completed),
        starts_on: Set(NaiveDate::from_ymd_opt(2026, 3, 1)),
        ends_on: Set(NaiveDate::from_ymd_opt(2026, 5, 31)),
        outcome: Set(Some(PlacementOutcome::Work)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&app.db)
    .await
    .expect("placement");
    // The participant signs in, as a person with a participant membership.
    let body = app
        .graphql_as(
            admin,
            "mutation($input: AddMembershipInput!) { addMembership(input: $input) { membership { id } userErrors { message } } }",
            json!({ "input": { "organisationSlug": "hyresbostader", "email": "qz-sign-in@example.org", "name": "Qzsigninname", "role": "PARTICIPANT", "actsAsId": id } }),
        )
        .await;
    assert!(
        body["data"]["addMembership"]["membership"]["id"].is_string(),
        "{body}"
    );
    id
}

/// Every row of every table, as JSON text, and the tables it covered.
async fn dump(app: &TestApp) -> (String, BTreeSet<String>) {
    macro_rules! tables {
        ($($module:ident),*) => {{
            let mut text = String::new();
            let mut names = BTreeSet::new();
            $(
                let rows = $module::Entity::find().into_json().all(&app.db).await.expect("dump");
                text.push_str(&serde_json::to_string(&rows).expect("json"));
                names.insert(stringify!($module).to_owned());
            )*
            (text, names)
        }};
    }
    tables!(
        partner_organisation,
        employer,
        mentor,
        mentor_language,
        mentor_expertise,
        participant,
        participant_language,
        participant_skill,
        participant_sensitive,
        internship_slot,
        slot_skill,
        placement,
        mentorship,
        consent,
        api_client,
        audit_event,
        idempotency_key,
        person,
        membership,
        identity_provider,
        one_time_code,
        sign_in_session,
        refresh_token,
        participant_access,
        activity,
        activity_language,
        activity_session,
        attendance,
        registration,
        queue_entry,
        contribution,
        volunteer_hours
    )
}

async fn table_names(app: &TestApp) -> BTreeSet<String> {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    app.db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("name"))
        .filter(|name| name != "seaql_migrations")
        .collect()
}

#[tokio::test]
async fn erasure_leaves_no_personal_value_anywhere_and_keeps_what_reports_count() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = full_participant(&app, &admin).await;
    // Read and export first, so that the audit trail has events about them.
    let body = app
        .graphql_as(
            &admin,
            "query($id: ID!) { participant(id: $id) { email notes } participantExport(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (before, _) = dump(&app).await;
    for value in VALUES {
        assert!(before.contains(value), "{value} was stored to begin with");
    }

    let body = app
        .graphql_as(
            &admin,
            "mutation($input: EraseParticipantInput!) { eraseParticipant(input: $input) { participant { id displayName erasedAt site } userErrors { message } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    let erased = &body["data"]["eraseParticipant"]["participant"];
    assert_eq!(erased["displayName"], "[erased]", "{body}");
    assert!(erased["erasedAt"].is_string());
    assert_eq!(erased["site"], "HAGEBY", "the site stays, for reports");

    let (after, covered) = dump(&app).await;
    let body = app
        .graphql_as(
            &admin,
            "{ memberships(first: 100, status: ACTIVE) { edges { node { actsAsId } } } }",
            json!({}),
        )
        .await;
    assert!(
        !body.to_string().contains(&id),
        "their sign-in ends with the erasure: {body}"
    );
    assert_eq!(
        covered,
        table_names(&app).await,
        "the dump covers every table"
    );
    for value in VALUES {
        assert!(!after.contains(value), "{value} survived the erasure");
    }
    // The non-personal facts stay.
    let uuid = uuid_of(&id);
    let placements = placement::Entity::find()
        .filter(placement::Column::ParticipantId.eq(uuid))
        .all(&app.db)
        .await
        .expect("placements");
    assert_eq!(placements.len(), 1);
    assert_eq!(placements[0].outcome, Some(PlacementOutcome::Work));
    let mentorships = mentorship::Entity::find()
        .filter(mentorship::Column::ParticipantId.eq(uuid))
        .all(&app.db)
        .await
        .expect("mentorships");
    assert_eq!(mentorships.len(), 1);
    // The trail says that it happened, not what was erased.
    let body = app
        .graphql_as(
            &admin,
            "query($id: String) { auditEvents(filter: { entityId: $id, kind: ERASURE }) { edges { node { operation fields actor } } } }",
            json!({ "id": uuid.to_string() }),
        )
        .await;
    assert_eq!(
        body["data"]["auditEvents"]["edges"],
        json!([{ "node": { "operation": "eraseParticipant", "fields": [], "actor": "coordinator-1" } }]),
        "{body}"
    );
    // An erased record takes no new personal data.
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { participant { id } } }",
            json!({ "input": { "id": id, "familyName": "Back again" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
}

#[tokio::test]
async fn erasure_is_for_administrators_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = full_participant(&app, &admin).await;
    let partner = app.token("hyresbostader", "partner", &[], "hb-staff").await;
    let body = app
        .graphql_as(
            &partner,
            "mutation($input: EraseParticipantInput!) { eraseParticipant(input: $input) { participant { id } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let (text, _) = dump(&app).await;
    assert!(text.contains(VALUES[1]), "nothing was erased");
}

#[tokio::test]
async fn the_export_holds_everything_stored_about_the_participant() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = full_participant(&app, &admin).await;
    let uuid = uuid_of(&id);
    let herself = app
        .token(
            "hyresbostader",
            "participant",
            &["participants:read", "participants:pii"],
            &format!("participant:{uuid}"),
        )
        .await;
    let body = app
        .graphql_as(
            &herself,
            "query($id: ID!) { participantExport(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    let export = body["data"]["participantExport"].clone();
    assert!(export.is_object(), "{body}");
    let text = export.to_string();
    for value in VALUES {
        assert!(text.contains(value), "{value} missing from the export");
    }
    // Every stored row about them, with every column.
    let rows: Vec<(&str, Vec<Value>)> = vec![
        (
            "consents",
            consent::Entity::find()
                .filter(consent::Column::ParticipantId.eq(uuid))
                .into_json()
                .all(&app.db)
                .await
                .expect("rows"),
        ),
        (
            "placements",
            placement::Entity::find()
                .filter(placement::Column::ParticipantId.eq(uuid))
                .into_json()
                .all(&app.db)
                .await
                .expect("rows"),
        ),
        (
            "mentorships",
            mentorship::Entity::find()
                .filter(mentorship::Column::ParticipantId.eq(uuid))
                .into_json()
                .all(&app.db)
                .await
                .expect("rows"),
        ),
        (
            "languages",
            participant_language::Entity::find()
                .filter(participant_language::Column::ParticipantId.eq(uuid))
                .into_json()
                .all(&app.db)
                .await
                .expect("rows"),
        ),
    ];
    for (key, expected) in rows {
        assert!(!expected.is_empty(), "{key}: fixture has rows");
        assert_eq!(export[key], json!(expected), "{key}");
    }
    assert_eq!(export["sensitive"]["residence_status"], VALUES[7]);
    assert_eq!(export["skills"][0]["skill"], VALUES[6]);
    // Who has read their data is part of what they get.
    assert!(
        export["auditEvents"]
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e["operation"] == "createParticipant")),
        "{export}"
    );
    // The export itself is audited.
    let body = app
        .graphql_as(
            &admin,
            "query($id: String) { auditEvents(filter: { entityId: $id, kind: EXPORT }) { totalCount edges { node { actor } } } }",
            json!({ "id": uuid.to_string() }),
        )
        .await;
    assert_eq!(body["data"]["auditEvents"]["totalCount"], 1, "{body}");

    // Nobody else's export, and not for partners.
    let other = app
        .token(
            "hyresbostader",
            "participant",
            &["participants:read", "participants:pii"],
            &format!("participant:{}", Uuid::now_v7()),
        )
        .await;
    let body = app
        .graphql_as(
            &other,
            "query($id: ID!) { participantExport(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let partner = app.token("hyresbostader", "partner", &[], "hb-staff").await;
    let body = app
        .graphql_as(
            &partner,
            "query($id: ID!) { participantExport(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
}

async fn person(app: &TestApp, status: ParticipantStatus, idle_days: i64) -> Uuid {
    let id = Uuid::now_v7();
    let at = Utc::now() - Duration::days(idle_days);
    participant::Entity::insert(participant::ActiveModel {
        id: Set(id),
        display_name: Set(format!("Retention{idle_days}{status:?}")),
        family_name: Set(Some("Retentionfamily".to_owned())),
        email: Set(None),
        phone: Set(None),
        swedish_level: Set(None),
        site: Set(Some(Site::Ringdansen)),
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
    id
}

#[tokio::test]
async fn retention_anonymises_only_long_inactive_participants_and_a_dry_run_changes_nothing() {
    let app = spawn_app().await;
    let old_inactive = person(&app, ParticipantStatus::Inactive, 800).await;
    let recent_inactive = person(&app, ParticipantStatus::Inactive, 100).await;
    let old_active = person(&app, ParticipantStatus::Active, 800).await;
    let old_but_placed = person(&app, ParticipantStatus::Inactive, 800).await;
    let employer = employer::Entity::find()
        .one(&app.db)
        .await
        .expect("e")
        .expect("e");
    let now = Utc::now();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(old_but_placed),
        employer_id: Set(employer.id),
        slot_id: Set(None),
        responsible_partner_id: Set(employer
            .partner_organisation_id
            .unwrap_or_else(|| panic!("the first seeded employer is a partner"))),
        mentor_id: Set(None),
        kind: Set(OpportunityKind::Internship),
        status: Set(PlacementStatus::Accepted),
        starts_on: Set(None),
        ends_on: Set(None),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&app.db)
    .await
    .expect("placement");

    let (before, _) = dump(&app).await;
    let dry = portalen_api::jobs::retention(&app.db, now, Duration::days(730), true)
        .await
        .expect("dry run");
    assert!(!dry.applied);
    assert_eq!(
        dry.participants,
        vec![old_inactive],
        "only the long-inactive one"
    );
    let (after_dry, _) = dump(&app).await;
    assert_eq!(before, after_dry, "a dry run changes nothing");

    let run = portalen_api::jobs::retention(&app.db, now, Duration::days(730), false)
        .await
        .expect("run");
    assert!(run.applied);
    assert_eq!(run.participants, vec![old_inactive]);
    for (id, erased) in [
        (old_inactive, true),
        (recent_inactive, false),
        (old_active, false),
        (old_but_placed, false),
    ] {
        let row = participant::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(row.erased_at.is_some(), erased, "{}", row.display_name);
        assert_eq!(row.family_name.is_none(), erased);
    }
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Kind.eq("retention"))
        .all(&app.db)
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, "system:retention");
    assert_eq!(events[0].entity_id, Some(old_inactive));
    // Running again finds nobody.
    let again = portalen_api::jobs::retention(&app.db, now, Duration::days(730), true)
        .await
        .expect("again");
    assert!(again.participants.is_empty());
}

const WHOLE_REPORT: &str = "query($from: Date!, $until: Date!) { impactReport(from: $from, until: $until) {
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

async fn erase(app: &TestApp, admin: &str, id: &str) {
    let body = app
        .graphql_as(
            admin,
            "mutation($input: EraseParticipantInput!) { eraseParticipant(input: $input) { participant { erasedAt } userErrors { message } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert!(
        body["data"]["eraseParticipant"]["participant"]["erasedAt"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn erasing_participants_leaves_every_figure_of_the_impact_report_as_it_was() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let full = full_participant(&app, &admin).await;
    // Demo participants too: created by several partners, with consents
    // that attribute them.
    let demo: Vec<String> = app
        .graphql_as(
            &admin,
            "{ participants(first: 12) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    let today = Utc::now().date_naive();
    let periods = [
        (
            NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
            today + Duration::days(365),
        ),
        (today - Duration::days(30), today),
        (
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
        ),
    ];
    let mut before = Vec::new();
    for (from, until) in periods {
        let body = app
            .graphql_as(
                &admin,
                WHOLE_REPORT,
                json!({ "from": from, "until": until }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        before.push(body);
    }
    assert!(
        before[0].to_string().contains("\"value\":"),
        "the report has figures to compare: {}",
        before[0]
    );
    erase(&app, &admin, &full).await;
    for id in &demo {
        erase(&app, &admin, id).await;
    }
    for ((from, until), before) in periods.into_iter().zip(before) {
        let after = app
            .graphql_as(
                &admin,
                WHOLE_REPORT,
                json!({ "from": from, "until": until }),
            )
            .await;
        assert_eq!(after["data"], before["data"], "{from}..{until}");
    }
}

#[tokio::test]
async fn after_an_erasure_no_file_of_the_embedded_database_holds_an_erased_byte() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = full_participant(&app, &admin).await;
    // Read it, so that it is in every cache and page the server touches.
    let body = app
        .graphql_as(
            &admin,
            "query($id: ID!) { participant(id: $id) { email notes familyName } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    erase(&app, &admin, &id).await;

    if app.on_postgres() {
        // PostgreSQL: the erased rows' tables were vacuumed, so the old row
        // versions' space is free (see docs on WAL and backups).
        for table in ["participant", "participant_sensitive", "consent"] {
            let row = app
                .db
                .query_one_raw(Statement::from_string(
                    app.db.get_database_backend(),
                    format!("SELECT last_vacuum IS NOT NULL AS vacuumed FROM pg_stat_user_tables WHERE relname = '{table}'"),
                ))
                .await
                .expect("query")
                .expect("a row");
            assert!(
                row.try_get::<bool>("", "vacuumed").expect("bool"),
                "{table} was vacuumed"
            );
        }
        return;
    }
    let path = app
        .database
        .url
        .strip_prefix("sqlite://")
        .and_then(|u| u.split('?').next())
        .expect("a SQLite path");
    let dir = std::path::Path::new(path)
        .parent()
        .expect("a data directory");
    let mut scanned = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the data directory") {
        let entry = entry.expect("entry");
        let bytes = std::fs::read(entry.path()).expect("read a file");
        for value in VALUES {
            let needle = value.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{value} is still in {}",
                entry.path().display()
            );
        }
        scanned.push((entry.file_name(), bytes.len()));
    }
    assert!(
        scanned.iter().any(|(name, _)| name == "portalen.db"),
        "{scanned:?}"
    );
}
