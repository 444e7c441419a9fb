//! Subscriptions of the weekly life: a session changed, attendance
//! recorded, a place offered; each delivered only as the subscriber may see
//! it.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fixtures::uuid_of;
use crate::helpers::{TestApp, spawn_app};
use crate::subscriptions::{connect, next, subscribe};

const WAIT: Duration = Duration::from_secs(5);

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body
}

async fn partner(app: &TestApp, org: &str) -> String {
    app.token(org, "partner", &[], &format!("coordinator-{org}"))
        .await
}

/// A session of ABF's Ringdansen café, `days` from now.
async fn session(app: &TestApp, token: &str, days: i64) -> String {
    let body = ok(
        app,
        token,
        "{ activities(filter: {kind: [LANGUAGE_CAFE], site: [RINGDANSEN]}) { nodes { id } } }",
        json!({}),
    )
    .await;
    let activity = body["data"]["activities"]["nodes"][0]["id"].clone();
    let start = chrono::Utc::now() + chrono::Duration::days(days);
    let body = ok(
        app,
        token,
        "mutation($a: ID!, $s: DateTime!, $e: DateTime!) { scheduleActivitySession(input: {activityId: $a, startsAt: $s, endsAt: $e}) { session { id } } }",
        json!({"a": activity, "s": start.to_rfc3339(), "e": (start + chrono::Duration::hours(2)).to_rfc3339()}),
    )
    .await;
    body["data"]["scheduleActivitySession"]["session"]["id"]
        .as_str()
        .expect("session")
        .to_owned()
}

async fn new_participant(app: &TestApp, token: &str, name: &str) -> String {
    let body = ok(
        app,
        token,
        "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }",
        json!({ "input": { "displayName": name, "consentPurpose": "Kurs" } }),
    )
    .await;
    body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .expect("participant")
        .to_owned()
}

#[tokio::test]
async fn a_moved_or_cancelled_session_reaches_its_subscribers() {
    let app = spawn_app().await;
    let abf = partner(&app, "abf-ostergotland").await;
    let upcoming = session(&app, &abf, 3).await;
    // A volunteer (no personal data) may follow the programme too.
    let volunteer = app
        .token("abf-ostergotland", "volunteer", &[], "volunteer-1")
        .await;
    let mut socket = connect(&app.address, &volunteer).await.expect("socket");
    subscribe(
        &mut socket,
        "subscription { sessionChanged { id status cancelReason } }",
    )
    .await;
    ok(
        &app,
        &abf,
        "mutation($id: ID!) { cancelActivitySession(input: {id: $id, reason: \"Stormen\"}) { session { id } } }",
        json!({"id": upcoming}),
    )
    .await;
    // On PostgreSQL the scheduling's own event may still be on its way
    // (it travels by NOTIFY); the cancellation is the one that says so.
    let mut event = next(&mut socket, WAIT).await.expect("an event");
    while event["data"]["sessionChanged"]["status"] == "SCHEDULED" {
        event = next(&mut socket, WAIT).await.expect("the cancellation");
    }
    assert_eq!(
        event["data"]["sessionChanged"],
        json!({"id": upcoming, "status": "CANCELLED", "cancelReason": "Stormen"})
    );
}

#[tokio::test]
async fn recorded_attendance_is_announced_with_only_the_names_the_subscriber_may_see() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let kommun = partner(&app, "norrkopings-kommun").await;
    let abf = partner(&app, "abf-ostergotland").await;
    let held = session(&app, &abf, -1).await;
    let kommuns = new_participant(&app, &kommun, "Deltagare K").await;
    let abfs = new_participant(&app, &abf, "Deltagare A").await;

    let mut socket = connect(&app.address, &kommun).await.expect("socket");
    subscribe(
        &mut socket,
        "subscription { attendanceRecorded { id attendance { named anonymous total } attendees { id } } }",
    )
    .await;
    ok(
        &app,
        &admin,
        "mutation($s: ID!, $p: [ID!]!) { recordAttendance(input: {sessionId: $s, participantIds: $p}) { changed } }",
        json!({"s": held, "p": [kommuns, abfs]}),
    )
    .await;
    let event = next(&mut socket, WAIT).await.expect("an event");
    assert_eq!(
        event["data"]["attendanceRecorded"],
        json!({"id": held, "attendance": {"named": 2, "anonymous": 0, "total": 2}, "attendees": [{"id": kommuns}]}),
        "the kommun sees both counted, and only its own participant's name"
    );
    ok(
        &app,
        &abf,
        "mutation($s: ID!) { setSessionHeadcount(input: {sessionId: $s, count: 7}) { session { id } } }",
        json!({"s": held}),
    )
    .await;
    let event = next(&mut socket, WAIT).await.expect("a second event");
    assert_eq!(
        event["data"]["attendanceRecorded"]["attendance"]["total"], 9,
        "{event}"
    );
}

#[tokio::test]
async fn a_place_given_up_is_announced_to_the_one_it_is_offered_to_and_nobody_else() {
    let app = spawn_app().await;
    let abf = partner(&app, "abf-ostergotland").await;
    let kommun = partner(&app, "norrkopings-kommun").await;
    let body = ok(
        &app,
        &abf,
        "mutation { createActivity(input: {kind: COURSE, title: \"Starta eget\", capacity: 1, registrationRequired: true, offerHours: 48}) { activity { id } } }",
        json!({}),
    )
    .await;
    let course = body["data"]["createActivity"]["activity"]["id"].clone();
    let first = new_participant(&app, &kommun, "Först").await;
    let second = new_participant(&app, &kommun, "Andra").await;
    let register = "mutation($a: ID!, $p: ID!) { registerForActivity(input: {activityId: $a, participantId: $p}) { registration { id status } } }";
    let body = ok(&app, &kommun, register, json!({"a": course, "p": first})).await;
    let held = body["data"]["registerForActivity"]["registration"]["id"].clone();
    let body = ok(&app, &kommun, register, json!({"a": course, "p": second})).await;
    let waiting = body["data"]["registerForActivity"]["registration"]["id"].clone();
    assert_eq!(
        body["data"]["registerForActivity"]["registration"]["status"],
        "WAITING"
    );

    let as_participant = |id: &str| {
        let subject = format!("participant:{}", uuid_of(id));
        let app = &app;
        async move {
            app.token("norrkopings-kommun", "participant", &[], &subject)
                .await
        }
    };
    let query = "subscription { placeOffered { id status offerExpiresAt } }";
    let mut offered_to = connect(&app.address, &as_participant(&second).await)
        .await
        .expect("socket");
    subscribe(&mut offered_to, query).await;
    let mut other = connect(&app.address, &as_participant(&first).await)
        .await
        .expect("socket");
    subscribe(&mut other, query).await;

    ok(
        &app,
        &kommun,
        "mutation($id: ID!) { cancelRegistration(id: $id) { registration { status } } }",
        json!({"id": held}),
    )
    .await;
    let event = next(&mut offered_to, WAIT).await.expect("the offer");
    assert_eq!(event["data"]["placeOffered"]["id"], waiting);
    assert_eq!(event["data"]["placeOffered"]["status"], "OFFERED");
    assert!(event["data"]["placeOffered"]["offerExpiresAt"].is_string());
    assert_eq!(
        next(&mut other, Duration::from_secs(1)).await,
        None,
        "someone else's offer is not theirs to hear of"
    );
    // Both sign-ups are in the audit trail.
    let admin = app.admin_token().await;
    let body = ok(
        &app,
        &admin,
        "{ auditEvents(filter: {entity: \"registration\"}, first: 50) { nodes { operation entityId } } }",
        json!({}),
    )
    .await;
    let cancelled: Vec<&Value> = body["data"]["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|n| n["operation"] == "cancelRegistration")
        .collect();
    assert_eq!(cancelled.len(), 2, "{body}");
}
