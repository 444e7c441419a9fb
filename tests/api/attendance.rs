//! Attendance: named and anonymous, idempotent, corrections audited, and
//! names only of participants the reader may see.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const SCHEDULE: &str = "mutation($a: ID!, $s: DateTime!, $e: DateTime!) {
  scheduleActivitySession(input: {activityId: $a, startsAt: $s, endsAt: $e}) { session { id } userErrors { field } } }";
const RECORD: &str =
    "mutation($s: ID!, $p: [ID!]!) { recordAttendance(input: {sessionId: $s, participantIds: $p}) {
  changed session { attendance { named anonymous total } } userErrors { field message } } }";
const REMOVE: &str =
    "mutation($s: ID!, $p: ID!) { removeAttendance(input: {sessionId: $s, participantId: $p}) {
  changed session { attendance { named } } userErrors { field } } }";
const HEADCOUNT: &str =
    "mutation($s: ID!, $n: Int!) { setSessionHeadcount(input: {sessionId: $s, count: $n}) {
  session { attendance { named anonymous total } } userErrors { field message } } }";
const ATTENDEES: &str = "query($s: ID!) { node(id: $s) { ... on ActivitySession { attendance { named total } attendees { id } } } }";

async fn token(app: &TestApp, org: &str) -> String {
    app.token(org, "partner", &[], &format!("coordinator-{org}"))
        .await
}

/// The demo's Hageby café (organised by Svenska kyrkan) and a session of it
/// held last week.
async fn past_session(app: &TestApp) -> String {
    let kyrkan = token(app, "svenska-kyrkan").await;
    let body = app
        .graphql_as(
            &kyrkan,
            "{ activities(filter: {kind: [LANGUAGE_CAFE], site: [HAGEBY]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let activity = body["data"]["activities"]["nodes"][0]["id"].clone();
    let start = chrono::Utc::now() - chrono::Duration::days(7);
    let body = app
        .graphql_as(
            &kyrkan,
            SCHEDULE,
            json!({"a": activity, "s": start.to_rfc3339(), "e": (start + chrono::Duration::hours(2)).to_rfc3339()}),
        )
        .await;
    body["data"]["scheduleActivitySession"]["session"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn visible_participants(app: &TestApp, token: &str) -> BTreeSet<String> {
    let body = app
        .graphql_as(
            token,
            "{ participants(first: 100) { nodes { id } } }",
            json!({}),
        )
        .await;
    body["data"]["participants"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn attendance_counts_once_corrections_are_audited_and_the_headcount_adds_to_it() {
    let app = spawn_app().await;
    let session = past_session(&app).await;
    let kommun = token(&app, "norrkopings-kommun").await;
    let seen: Vec<String> = visible_participants(&app, &kommun)
        .await
        .into_iter()
        .take(3)
        .collect();
    assert_eq!(seen.len(), 3);

    let body = app
        .graphql_as(
            &kommun,
            RECORD,
            json!({"s": session, "p": [seen[0], seen[1], seen[1]]}),
        )
        .await;
    assert_eq!(body["data"]["recordAttendance"]["changed"], 2, "{body}");
    let body = app
        .graphql_as(
            &kommun,
            RECORD,
            json!({"s": session, "p": [seen[1], seen[2]]}),
        )
        .await;
    assert_eq!(
        body["data"]["recordAttendance"]["changed"], 1,
        "the same participant twice counts once: {body}"
    );
    assert_eq!(
        body["data"]["recordAttendance"]["session"]["attendance"],
        json!({"named": 3, "anonymous": 0, "total": 3})
    );

    let kyrkan = token(&app, "svenska-kyrkan").await;
    let body = app
        .graphql_as(&kyrkan, HEADCOUNT, json!({"s": session, "n": 7}))
        .await;
    assert_eq!(
        body["data"]["setSessionHeadcount"]["session"]["attendance"],
        json!({"named": 3, "anonymous": 7, "total": 10}),
        "{body}"
    );
    let body = app
        .graphql_as(&kyrkan, HEADCOUNT, json!({"s": session, "n": 6}))
        .await;
    assert_eq!(
        body["data"]["setSessionHeadcount"]["session"]["attendance"]["total"], 9,
        "a correction replaces the count"
    );
    let body = app
        .graphql_as(&kommun, HEADCOUNT, json!({"s": session, "n": 50}))
        .await;
    assert_eq!(
        error_codes(&body),
        ["FORBIDDEN"],
        "only the organiser counts walk-ins: {body}"
    );

    let body = app
        .graphql_as(&kommun, REMOVE, json!({"s": session, "p": seen[2]}))
        .await;
    assert_eq!(
        body["data"]["removeAttendance"]["session"]["attendance"]["named"], 2,
        "{body}"
    );
    let body = app
        .graphql_as(&kommun, REMOVE, json!({"s": session, "p": seen[2]}))
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");

    let operations: Vec<String> = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Entity.eq("activity_session"))
        .all(&app.db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.operation)
        .filter(|o| o != "scheduleActivitySession")
        .collect();
    assert_eq!(
        operations,
        [
            "recordAttendance",
            "recordAttendance",
            "setSessionHeadcount",
            "setSessionHeadcount",
            "removeAttendance"
        ]
    );
}

#[tokio::test]
async fn names_are_shown_only_of_participants_the_reader_may_see_and_counts_to_all() {
    let app = spawn_app().await;
    let session = past_session(&app).await;
    let kommun = token(&app, "norrkopings-kommun").await;
    let abf = token(&app, "abf-ostergotland").await;
    let of_kommun = visible_participants(&app, &kommun).await;
    let of_abf = visible_participants(&app, &abf).await;
    // Two the kommun sees and ABF does not, and one both see if there is one.
    let mut recorded: Vec<String> = of_kommun.difference(&of_abf).take(2).cloned().collect();
    recorded.extend(of_kommun.intersection(&of_abf).take(1).cloned());
    assert!(
        recorded.len() >= 2,
        "the demo has participants only the kommun sees"
    );
    let body = app
        .graphql_as(&kommun, RECORD, json!({"s": session, "p": recorded}))
        .await;
    assert_eq!(
        body["data"]["recordAttendance"]["userErrors"],
        json!([]),
        "{body}"
    );

    for (reader, sees) in [(&kommun, &of_kommun), (&abf, &of_abf)] {
        let body = app
            .graphql_as(reader, ATTENDEES, json!({"s": session}))
            .await;
        let node = &body["data"]["node"];
        assert_eq!(
            node["attendance"]["named"],
            recorded.len(),
            "counts are for everyone: {body}"
        );
        let names: BTreeSet<String> = node["attendees"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .filter_map(|p| p["id"].as_str().map(str::to_owned))
            .collect();
        let expected: BTreeSet<String> = recorded
            .iter()
            .filter(|id| sees.contains(*id))
            .cloned()
            .collect();
        assert_eq!(names, expected, "{body}");
    }
    // A volunteer sees the counts but no names.
    let volunteer = app
        .token("abf-ostergotland", "volunteer", &[], "volunteer-1")
        .await;
    let body = app
        .graphql_as(&volunteer, ATTENDEES, json!({"s": session}))
        .await;
    assert_eq!(
        body["data"]["node"]["attendance"]["named"],
        recorded.len(),
        "{body}"
    );
    assert_eq!(body["data"]["node"]["attendees"], Value::Null);
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);

    // ABF may not record someone it does not see: NOT_FOUND, nothing recorded.
    let hidden = of_kommun
        .difference(&of_abf)
        .nth(2)
        .cloned()
        .expect("a third");
    let body = app
        .graphql_as(&abf, RECORD, json!({"s": session, "p": [hidden]}))
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let rows = entity::attendance::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(rows, recorded.len() as u64);
}

#[tokio::test]
async fn attendance_is_refused_on_cancelled_and_future_sessions_and_bad_counts() {
    let app = spawn_app().await;
    let session = past_session(&app).await;
    let kommun = token(&app, "norrkopings-kommun").await;
    let kyrkan = token(&app, "svenska-kyrkan").await;
    let someone = visible_participants(&app, &kommun)
        .await
        .into_iter()
        .next()
        .expect("one");

    let body = app
        .graphql_as(&kyrkan, HEADCOUNT, json!({"s": session, "n": -1}))
        .await;
    assert_eq!(
        body["data"]["setSessionHeadcount"]["userErrors"][0]["field"],
        json!(["input", "count"]),
        "{body}"
    );

    // A session next week has not happened yet.
    let body = app
        .graphql_as(&kyrkan, "{ activitySessions(filter: {from: \"2027-01-01T00:00:00Z\"}, first: 1) { nodes { id } } }", json!({}))
        .await;
    let future = body["data"]["activitySessions"]["nodes"][0]["id"].clone();
    let body = app
        .graphql_as(&kommun, RECORD, json!({"s": future, "p": [someone]}))
        .await;
    assert_eq!(
        body["data"]["recordAttendance"]["userErrors"][0]["field"],
        json!(["input", "sessionId"]),
        "{body}"
    );

    app.graphql_as(
        &kyrkan,
        "mutation($id: ID!) { cancelActivitySession(input: {id: $id, reason: \"Storm\"}) { session { status } } }",
        json!({"id": session}),
    )
    .await;
    let body = app
        .graphql_as(&kommun, RECORD, json!({"s": session, "p": [someone]}))
        .await;
    assert_eq!(
        body["data"]["recordAttendance"]["userErrors"][0]["message"], "the session is cancelled",
        "{body}"
    );
    let body = app
        .graphql_as(&kyrkan, HEADCOUNT, json!({"s": session, "n": 3}))
        .await;
    assert_eq!(
        body["data"]["setSessionHeadcount"]["userErrors"][0]["field"],
        json!(["input", "sessionId"]),
        "{body}"
    );
    let rows = entity::attendance::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(rows, 0, "nothing was recorded");
}
