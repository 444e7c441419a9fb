//! Volunteer hours: a volunteer logs the time they gave at a session that
//! took place, corrects it while it waits, and the session's organiser
//! approves or declines it; nobody else decides, and nonsense is refused.

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const SCHEDULE: &str = "mutation($a: ID!, $s: DateTime!, $e: DateTime!) {
  scheduleActivitySession(input: {activityId: $a, startsAt: $s, endsAt: $e}) { session { id } userErrors { field } } }";
const LOG: &str = "mutation($input: LogVolunteerHoursInput!) { logVolunteerHours(input: $input) {
  hours { id status hours task note volunteerName organisation { slug } session { id } }
  userErrors { field message } } }";
const APPROVE: &str = "mutation($id: ID!) { approveVolunteerHours(id: $id) {
  hours { id status decidedBy { slug } decidedAt } userErrors { field message } } }";
const DECLINE: &str =
    "mutation($id: ID!, $r: String) { declineVolunteerHours(input: {id: $id, reason: $r}) {
  hours { id status declineReason } userErrors { field message } } }";
const LIST: &str = "query($f: VolunteerHoursFilter) { volunteerHours(filter: $f, first: 50) {
  totalCount nodes { id status hours volunteerName } } }";

async fn partner(app: &TestApp, org: &str) -> String {
    app.token(org, "partner", &[], &format!("coordinator-{org}"))
        .await
}

/// A session of the demo's Ringdansen café (organised by ABF), `days` from
/// now (before now when negative).
async fn session(app: &TestApp, days: i64) -> String {
    let abf = partner(app, "abf-ostergotland").await;
    let body = app
        .graphql_as(
            &abf,
            "{ activities(filter: {kind: [LANGUAGE_CAFE], site: [RINGDANSEN]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let activity = body["data"]["activities"]["nodes"][0]["id"].clone();
    let start = chrono::Utc::now() + chrono::Duration::days(days);
    let body = app
        .graphql_as(
            &abf,
            SCHEDULE,
            json!({"a": activity, "s": start.to_rfc3339(), "e": (start + chrono::Duration::hours(2)).to_rfc3339()}),
        )
        .await;
    body["data"]["scheduleActivitySession"]["session"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn log(app: &TestApp, token: &str, session: &str, hours: f64) -> Value {
    app.graphql_as(
        token,
        LOG,
        json!({"input": {"sessionId": session, "task": "HOSTING", "hours": hours, "note": "Höll i fikat"}}),
    )
    .await
}

fn ids_of(body: &Value) -> Vec<String> {
    body["data"]["volunteerHours"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_volunteer_logs_and_corrects_hours_and_the_organiser_approves_them_once() {
    let app = spawn_app().await;
    let held = session(&app, -3).await;
    // A café host of Svenska kyrkan at ABF's café.
    let (_, host) = app
        .person_signed_in("svenska-kyrkan", "volunteer", "Värd Exempelsson")
        .await;
    let body = log(&app, &host, &held, 2.0).await;
    let hours = &body["data"]["logVolunteerHours"]["hours"];
    assert_eq!(hours["status"], "LOGGED", "{body}");
    assert_eq!(hours["hours"], 2.0);
    assert_eq!(hours["volunteerName"], "Värd Exempelsson");
    assert_eq!(hours["organisation"]["slug"], "svenska-kyrkan");
    let id = hours["id"].as_str().expect("id").to_owned();

    // Logging again while it waits corrects the same log.
    let body = log(&app, &host, &held, 2.5).await;
    assert_eq!(
        body["data"]["logVolunteerHours"]["hours"]["id"],
        id.as_str()
    );
    assert_eq!(body["data"]["logVolunteerHours"]["hours"]["hours"], 2.5);

    // The organiser sees it waiting, with the volunteer's name.
    let abf = partner(&app, "abf-ostergotland").await;
    let body = app
        .graphql_as(&abf, LIST, json!({"f": {"status": "LOGGED"}}))
        .await;
    assert_eq!(ids_of(&body), vec![id.clone()], "{body}");
    assert_eq!(
        body["data"]["volunteerHours"]["nodes"][0]["volunteerName"],
        "Värd Exempelsson"
    );
    // So does the volunteer's own organisation, but it does not decide.
    let kyrkan = partner(&app, "svenska-kyrkan").await;
    let body = app.graphql_as(&kyrkan, LIST, json!({})).await;
    assert_eq!(ids_of(&body), vec![id.clone()], "{body}");
    let body = app.graphql_as(&kyrkan, APPROVE, json!({"id": id})).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    // An organisation with neither sees nothing of it.
    let kommun = partner(&app, "norrkopings-kommun").await;
    let body = app.graphql_as(&kommun, LIST, json!({})).await;
    assert!(ids_of(&body).is_empty(), "{body}");
    let body = app.graphql_as(&kommun, APPROVE, json!({"id": id})).await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"], "{body}");

    let body = app.graphql_as(&abf, APPROVE, json!({"id": id})).await;
    let decided = &body["data"]["approveVolunteerHours"]["hours"];
    assert_eq!(decided["status"], "APPROVED", "{body}");
    assert_eq!(decided["decidedBy"]["slug"], "abf-ostergotland");
    assert!(decided["decidedAt"].is_string());

    // Decided is decided: no second decision, no correction.
    let body = app
        .graphql_as(&abf, DECLINE, json!({"id": id, "r": "Fel"}))
        .await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"], "{body}");
    let body = log(&app, &host, &held, 9.0).await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"], "{body}");
    let body = app
        .graphql_as(
            &host,
            "query($id: ID!) { node(id: $id) { ... on VolunteerHours { status hours } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(body["data"]["node"]["status"], "APPROVED", "{body}");
    assert_eq!(body["data"]["node"]["hours"], 2.5);

    // The audit trail holds each change.
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "{ auditEvents(filter: {entity: \"volunteer_hours\"}, first: 50) { nodes { operation } } }",
            json!({}),
        )
        .await;
    let operations: Vec<&str> = body["data"]["auditEvents"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|n| n["operation"].as_str())
        .collect();
    assert_eq!(
        operations
            .iter()
            .filter(|o| **o == "logVolunteerHours")
            .count(),
        2,
        "{operations:?}"
    );
    assert!(operations.contains(&"approveVolunteerHours"));
}

#[tokio::test]
async fn a_declined_log_shows_the_reason_to_the_volunteer_and_each_volunteer_sees_only_their_own() {
    let app = spawn_app().await;
    let held = session(&app, -1).await;
    let (_, first) = app
        .person_signed_in("abf-ostergotland", "volunteer", "Guide Ett")
        .await;
    let (_, second) = app
        .person_signed_in("abf-ostergotland", "volunteer", "Guide Två")
        .await;
    let one = log(&app, &first, &held, 1.0).await["data"]["logVolunteerHours"]["hours"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let two = log(&app, &second, &held, 3.0).await["data"]["logVolunteerHours"]["hours"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_ne!(one, two);

    let body = app.graphql_as(&first, LIST, json!({})).await;
    assert_eq!(ids_of(&body), vec![one.clone()], "{body}");
    let nested =
        "query($s: ID!) { node(id: $s) { ... on ActivitySession { volunteerHours { id } } } }";
    let body = app.graphql_as(&second, nested, json!({"s": held})).await;
    assert_eq!(
        body["data"]["node"]["volunteerHours"],
        json!([{"id": two}]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &first,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": two}),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"], "{body}");

    let abf = partner(&app, "abf-ostergotland").await;
    let body = app.graphql_as(&abf, nested, json!({"s": held})).await;
    assert_eq!(
        body["data"]["node"]["volunteerHours"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{body}"
    );
    let body = app
        .graphql_as(
            &abf,
            DECLINE,
            json!({"id": two, "r": "Passet var en timme"}),
        )
        .await;
    assert_eq!(
        body["data"]["declineVolunteerHours"]["hours"]["status"], "DECLINED",
        "{body}"
    );
    let body = app
        .graphql_as(
            &second,
            "query($id: ID!) { node(id: $id) { ... on VolunteerHours { status declineReason } } }",
            json!({"id": two}),
        )
        .await;
    assert_eq!(
        body["data"]["node"],
        json!({"status": "DECLINED", "declineReason": "Passet var en timme"})
    );
    let body = app
        .graphql_as(&abf, LIST, json!({"f": {"status": "LOGGED"}}))
        .await;
    assert_eq!(ids_of(&body), vec![one], "{body}");
}

#[tokio::test]
async fn hours_on_a_future_or_cancelled_session_or_of_no_length_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (_, host) = app
        .person_signed_in("abf-ostergotland", "volunteer", "Värd Tre")
        .await;
    let future = session(&app, 2).await;
    let body = log(&app, &host, &future, 2.0).await;
    assert_eq!(
        body["data"]["logVolunteerHours"]["userErrors"][0]["field"],
        json!(["input", "sessionId"]),
        "{body}"
    );

    let cancelled = session(&app, -2).await;
    let abf = partner(&app, "abf-ostergotland").await;
    let body = app
        .graphql_as(
            &abf,
            "mutation($id: ID!) { cancelActivitySession(input: {id: $id, reason: \"Stängt\"}) { session { status } } }",
            json!({"id": cancelled}),
        )
        .await;
    assert_eq!(
        body["data"]["cancelActivitySession"]["session"]["status"], "CANCELLED",
        "{body}"
    );
    let body = log(&app, &host, &cancelled, 2.0).await;
    assert_eq!(
        body["data"]["logVolunteerHours"]["userErrors"][0]["field"],
        json!(["input", "sessionId"]),
        "{body}"
    );

    let held = session(&app, -2).await;
    for hours in [0.0, -1.0, 24.5, 0.001] {
        let body = log(&app, &host, &held, hours).await;
        assert_eq!(
            body["data"]["logVolunteerHours"]["userErrors"][0]["field"],
            json!(["input", "hours"]),
            "{hours}: {body}"
        );
    }
    let body = app
        .graphql_as(
            &host,
            LOG,
            json!({"input": {"sessionId": held, "task": "HOSTING", "hours": 1, "note": "x".repeat(501)}}),
        )
        .await;
    assert_eq!(
        body["data"]["logVolunteerHours"]["userErrors"][0]["field"],
        json!(["input", "note"]),
        "{body}"
    );
    let body = app.graphql_as(&host, LIST, json!({})).await;
    assert_eq!(
        body["data"]["volunteerHours"]["totalCount"], 0,
        "nothing stored: {body}"
    );

    // A volunteer token that is no person (minted for a system) logs nothing.
    let machine = app
        .token("abf-ostergotland", "volunteer", &[], "volunteer-system")
        .await;
    let body = log(&app, &machine, &held, 1.0).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    // Nor does staff, for someone else.
    let body = log(&app, &abf, &held, 1.0).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
}
