//! Activities and sessions: weekly rules in Stockholm time across the
//! summer-time changes, "this week at Hageby" in one query, and the
//! organiser's changes to sessions.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const CREATE: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) {
    activity { id kind title site languages targetGroup capacity registrationRequired
      organiser { slug }
      weeklyRule { weekday startTime endTime from until except }
      sessions { id startsAt startsAtLocal endsAtLocal status } }
    userErrors { field message code } } }";

const WEEK: &str = "query($filter: SessionFilter, $first: Int, $after: String) {
  activitySessions(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id startsAtLocal status activity { title site languages organiser { name } } } } } }";

async fn abf(app: &TestApp) -> String {
    app.token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await
}

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(token, CREATE, json!({ "input": input }))
        .await
}

fn course() -> Value {
    json!({
        "kind": "COURSE",
        "title": "Starta eget för kvinnor",
        "site": "HAGEBY",
        "languages": ["sv", "ar", "sv"],
        "targetGroup": "women",
        "capacity": 12,
        "registrationRequired": true,
        "weeklyRule": {
            "weekday": "TUESDAY", "startTime": "14:00", "endTime": "16:00",
            "from": "2027-01-12", "until": "2027-06-15", "except": ["2027-04-06"]
        }
    })
}

async fn activity_count(app: &TestApp) -> (u64, u64) {
    (
        entity::activity::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::activity_session::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
    )
}

#[tokio::test]
async fn a_weekly_rule_makes_its_sessions_at_the_same_stockholm_time_across_summer_time() {
    let app = spawn_app().await;
    let body = create(&app, &abf(&app).await, course()).await;
    let activity = &body["data"]["createActivity"]["activity"];
    assert_eq!(
        body["data"]["createActivity"]["userErrors"],
        json!([]),
        "{body}"
    );
    assert_eq!(activity["organiser"]["slug"], "abf-ostergotland");
    assert_eq!(activity["languages"], json!(["ar", "sv"]));
    assert_eq!(activity["registrationRequired"], true);
    assert_eq!(
        activity["weeklyRule"],
        json!({"weekday": "TUESDAY", "startTime": "14:00", "endTime": "16:00",
               "from": "2027-01-12", "until": "2027-06-15", "except": ["2027-04-06"]})
    );
    let sessions = activity["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 22, "23 Tuesdays less Easter Tuesday");
    let local: Vec<&str> = sessions
        .iter()
        .map(|s| s["startsAtLocal"].as_str().expect("local"))
        .collect();
    assert_eq!(local[0], "2027-01-12T14:00:00+01:00");
    assert_eq!(sessions[0]["startsAt"], "2027-01-12T13:00:00+00:00");
    // Summer time starts on 28 March 2027: the wall clock stays at 14:00.
    assert_eq!(local[10], "2027-03-23T14:00:00+01:00");
    assert_eq!(local[11], "2027-03-30T14:00:00+02:00");
    assert_eq!(sessions[11]["startsAt"], "2027-03-30T12:00:00+00:00");
    assert_eq!(sessions[11]["endsAtLocal"], "2027-03-30T16:00:00+02:00");
    assert!(!local.iter().any(|l| l.starts_with("2027-04-06")));
    assert!(sessions.iter().all(|s| s["status"] == "SCHEDULED"));

    // Audited, one event for the activity.
    let events = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Operation.eq("createActivity"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(events, 1);
}

#[tokio::test]
async fn rules_and_inputs_that_make_no_sense_are_refused_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let token = abf(&app).await;
    let before = activity_count(&app).await;
    let rule = |changes: Value| {
        let mut input = course();
        for (key, value) in changes.as_object().expect("object") {
            input["weeklyRule"][key] = value.clone();
        }
        input
    };
    let cases = [
        (
            rule(json!({"from": "2027-04-06", "until": "2027-04-06"})),
            vec!["input", "weeklyRule", "weekday"],
        ),
        (
            rule(json!({"endTime": "13:00"})),
            vec!["input", "weeklyRule", "endTime"],
        ),
        (
            rule(json!({"startTime": "25:00"})),
            vec!["input", "weeklyRule", "startTime"],
        ),
        (
            rule(json!({"until": "2026-01-01"})),
            vec!["input", "weeklyRule", "until"],
        ),
        (
            rule(json!({"until": "2037-01-01"})),
            vec!["input", "weeklyRule", "until"],
        ),
        (
            json!({"kind": "STUDY_VISIT", "title": "Studiebesök"}),
            vec!["input", "employerId"],
        ),
        (
            json!({"kind": "COURSE", "title": "Kurs", "capacity": 0}),
            vec!["input", "capacity"],
        ),
        (
            json!({"kind": "COURSE", "title": "Kurs", "languages": ["sv", "x"]}),
            vec!["input", "languages"],
        ),
        (
            json!({"kind": "COURSE", "title": "   "}),
            vec!["input", "title"],
        ),
    ];
    for (input, field) in cases {
        let body = create(&app, &token, input.clone()).await;
        let errors = &body["data"]["createActivity"]["userErrors"];
        assert_eq!(errors[0]["field"], json!(field), "{input}: {body}");
        assert_eq!(body["data"]["createActivity"]["activity"], Value::Null);
    }
    assert_eq!(activity_count(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn a_partner_organises_for_itself_and_only_the_organiser_changes_the_sessions() {
    let app = spawn_app().await;
    let token = abf(&app).await;
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await;
    let kommun_id = crate::fixtures::gid(
        "PartnerOrganisation",
        portalen_api::services::partners::find_partner_by_slug(&app.db, "norrkopings-kommun")
            .await
            .expect("partner")
            .id,
    );
    let mut for_kommun = course();
    for_kommun["organiserId"] = json!(kommun_id);
    let body = create(&app, &token, for_kommun.clone()).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = create(&app, &app.admin_token().await, for_kommun).await;
    assert_eq!(
        body["data"]["createActivity"]["activity"]["organiser"]["slug"],
        "norrkopings-kommun"
    );

    let body = create(&app, &token, course()).await;
    let session = body["data"]["createActivity"]["activity"]["sessions"][0]["id"].clone();
    const CANCEL: &str = "mutation($id: ID!, $reason: String!) { cancelActivitySession(input: {id: $id, reason: $reason}) {
        session { status cancelReason } userErrors { field } } }";
    const MOVE: &str = "mutation($id: ID!, $s: DateTime!, $e: DateTime!) { moveActivitySession(input: {id: $id, startsAt: $s, endsAt: $e}) {
        session { startsAtLocal endsAtLocal status } userErrors { field message } } }";
    let moved =
        json!({"id": session, "s": "2027-01-13T15:00:00+01:00", "e": "2027-01-13T17:00:00+01:00"});

    let body = app
        .graphql_as(&kommun, CANCEL, json!({"id": session, "reason": "x"}))
        .await;
    assert_eq!(
        error_codes(&body),
        ["FORBIDDEN"],
        "the kommun sees it but does not organise it: {body}"
    );
    let body = app.graphql_as(&kommun, MOVE, moved.clone()).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    let body = app
        .graphql_as(&token, MOVE, json!({"id": session, "s": "2027-01-13T15:00:00+01:00", "e": "2027-01-13T15:00:00+01:00"}))
        .await;
    assert_eq!(
        body["data"]["moveActivitySession"]["userErrors"][0]["field"],
        json!(["input", "endsAt"]),
        "{body}"
    );
    let body = app.graphql_as(&token, MOVE, moved.clone()).await;
    assert_eq!(
        body["data"]["moveActivitySession"]["session"],
        json!({"startsAtLocal": "2027-01-13T15:00:00+01:00", "endsAtLocal": "2027-01-13T17:00:00+01:00", "status": "SCHEDULED"}),
        "{body}"
    );

    let body = app
        .graphql_as(
            &token,
            CANCEL,
            json!({"id": session, "reason": "Lokalen är upptagen"}),
        )
        .await;
    assert_eq!(
        body["data"]["cancelActivitySession"]["session"],
        json!({"status": "CANCELLED", "cancelReason": "Lokalen är upptagen"}),
        "{body}"
    );
    let body = app
        .graphql_as(&token, CANCEL, json!({"id": session, "reason": "again"}))
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = app.graphql_as(&token, MOVE, moved).await;
    assert_eq!(
        error_codes(&body),
        ["CONFLICT"],
        "a cancelled session stays where it was: {body}"
    );

    let employer = app
        .token(
            "vita-hasten",
            "employer",
            &[],
            "employer:00000000-0000-7000-8000-000000000000",
        )
        .await;
    let body = app
        .graphql_as(&employer, CANCEL, json!({"id": session, "reason": "x"}))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    let events = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Entity.eq("activity_session"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(events, 2, "the move and the cancellation");
}

#[tokio::test]
async fn this_week_at_hageby_is_one_query_in_time_order_and_its_statements_do_not_grow_with_the_page()
 {
    let app = spawn_app().await;
    let token = abf(&app).await;
    let weekly = |title: &str, site: &str, weekday: &str, start: &str, languages: Value| {
        json!({
            "kind": "LANGUAGE_CAFE", "title": title, "site": site, "languages": languages,
            "weeklyRule": {"weekday": weekday, "startTime": start, "endTime": "20:00",
                           "from": "2027-10-01", "until": "2027-11-30"}
        })
    };
    for input in [
        weekly(
            "Språkkafé Hageby",
            "HAGEBY",
            "WEDNESDAY",
            "17:00",
            json!(["sv"]),
        ),
        weekly(
            "Språkkafé Ringdansen",
            "RINGDANSEN",
            "TUESDAY",
            "17:00",
            json!(["sv"]),
        ),
        weekly(
            "Svenska på arabiska",
            "HAGEBY",
            "MONDAY",
            "18:00",
            json!(["sv", "ar"]),
        ),
        weekly("Läxhjälp", "HAGEBY", "WEDNESDAY", "15:00", json!(["sv"])),
    ] {
        let body = create(&app, &token, input).await;
        assert_eq!(
            body["data"]["createActivity"]["userErrors"],
            json!([]),
            "{body}"
        );
    }
    // The week of Monday 1 November 2027, the first week of winter time.
    let filter = json!({"from": "2027-11-01T00:00:00+01:00", "to": "2027-11-08T00:00:00+01:00", "site": ["HAGEBY"]});
    let body = app
        .graphql_as(&token, WEEK, json!({"filter": filter, "first": 10}))
        .await;
    let page = &body["data"]["activitySessions"];
    let seen: Vec<(String, String)> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let node = &e["node"];
            (
                node["startsAtLocal"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                node["activity"]["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "2027-11-01T18:00:00+01:00".to_owned(),
                "Svenska på arabiska".to_owned()
            ),
            (
                "2027-11-03T15:00:00+01:00".to_owned(),
                "Läxhjälp".to_owned()
            ),
            (
                "2027-11-03T17:00:00+01:00".to_owned(),
                "Språkkafé Hageby".to_owned()
            ),
        ],
        "{body}"
    );
    assert_eq!(page["totalCount"], 3);

    // Paging keeps the time order: one at a time gives the same three.
    let mut after = Value::Null;
    let mut one_by_one = Vec::new();
    loop {
        let body = app
            .graphql_as(
                &token,
                WEEK,
                json!({"filter": filter, "first": 1, "after": after}),
            )
            .await;
        let page = &body["data"]["activitySessions"];
        one_by_one.push(page["edges"][0]["node"]["activity"]["title"].clone());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        one_by_one,
        ["Svenska på arabiska", "Läxhjälp", "Språkkafé Hageby"]
    );

    // In a language, across both sites.
    let body = app
        .graphql_as(&token, WEEK, json!({"filter": {"from": "2027-11-01T00:00:00+01:00", "to": "2027-11-08T00:00:00+01:00", "language": "ar"}}))
        .await;
    assert_eq!(body["data"]["activitySessions"]["totalCount"], 1, "{body}");

    // The statements of this week's sessions with their attendance counts,
    // activities, organisers and languages are the same for a page of 2 and
    // of 16 (sessions, counts, activities, languages, organisers: 5).
    let all_weeks = json!({"from": "2027-10-01T00:00:00+02:00", "to": "2027-12-01T00:00:00+01:00"});
    const PAGE: &str = "query($filter: SessionFilter, $first: Int) { activitySessions(filter: $filter, first: $first) {
        edges { node { id attendance { named total } activity { title languages organiser { name } } } } } }";
    let mut counts = Vec::new();
    for first in [2, 16] {
        app.graphql_as(&token, PAGE, json!({"filter": all_weeks, "first": first}))
            .await;
        app.take_statement_count();
        let body = app
            .graphql_as(&token, PAGE, json!({"filter": all_weeks, "first": first}))
            .await;
        assert_eq!(
            body["data"]["activitySessions"]["edges"]
                .as_array()
                .map(Vec::len),
            Some(first),
            "{body}"
        );
        counts.push(app.take_statement_count());
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert_eq!(counts[0], 5, "{counts:?}");

    let bad = app
        .graphql_as(&token, WEEK, json!({"filter": {"from": "2027-04-05T00:00:00+02:00", "to": "2027-03-29T00:00:00+02:00"}}))
        .await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"], "{bad}");
}

#[tokio::test]
async fn the_demo_network_has_a_week_of_cafes_a_course_and_a_study_visit() {
    let app = spawn_app().await;
    let token = app
        .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await;
    let week = json!({"from": "2027-02-15T00:00:00+01:00", "to": "2027-02-22T00:00:00+01:00"});
    let body = app
        .graphql_as(&token, WEEK, json!({"filter": week, "first": 20}))
        .await;
    let seen: Vec<(Value, Value, Value)> = body["data"]["activitySessions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let node = &e["node"];
            (
                node["startsAtLocal"].clone(),
                node["activity"]["title"].clone(),
                node["activity"]["site"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                json!("2027-02-16T14:00:00+01:00"),
                json!("Språkkafé på Hageby"),
                json!("HAGEBY")
            ),
            (
                json!("2027-02-17T17:30:00+01:00"),
                json!("Starta eget för kvinnor"),
                json!("HAGEBY")
            ),
            (
                json!("2027-02-18T09:30:00+01:00"),
                json!("Studiebesök i lagret"),
                Value::Null
            ),
            (
                json!("2027-02-18T17:00:00+01:00"),
                json!("Språkkafé i Ringdansen"),
                json!("RINGDANSEN")
            ),
        ],
        "{body}"
    );
    let body = app
        .graphql_as(
            &token,
            "{ activities(filter: {kind: [STUDY_VISIT]}) { nodes { title capacity registrationRequired employer { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["activities"]["nodes"],
        json!([{"title": "Studiebesök i lagret", "capacity": 12, "registrationRequired": true,
                "employer": {"name": "Exempel Logistik Norrköping AB"}}]),
        "{body}"
    );
}
