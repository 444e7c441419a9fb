//! The intake queue: numbers per site, first come first served, offers
//! with expiry, intakes that make participants, moves only with a reason.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};
use crate::races::all_at_once;

const JOIN: &str = "mutation($alias: String!, $contact: String) { joinQueue(input: {site: HAGEBY, alias: $alias, contact: $contact}) {
  entry { id number position status } userErrors { field message } } }";
const QUEUE: &str = "{ queue(site: HAGEBY) { id number alias position status } queueStats(site: HAGEBY) { length medianWaitDays } }";
const POSITION: &str =
    "query($n: Int!) { queuePosition(site: HAGEBY, number: $n) { position length status } }";
const OFFER: &str = "mutation($h: Int!) { offerIntake(input: {site: HAGEBY, offer: \"Introduktion tisdag kl. 10\", hours: $h}) {
  entry { id alias status offerExpiresAt } userErrors { field message } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptIntake(id: $id) { entry { status leftAt participant { displayName status site } } } }";
const ACCEPTED_AS: &str =
    "mutation($id: ID!) { acceptIntake(id: $id) { entry { participant { id } } } }";

async fn kommun(app: &TestApp) -> String {
    app.token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await
}

async fn join(app: &TestApp, token: &str, alias: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            JOIN,
            json!({"alias": alias, "contact": "070-000 00 00"}),
        )
        .await;
    body["data"]["joinQueue"]["entry"].clone()
}

fn aliases(body: &Value) -> Vec<String> {
    body["data"]["queue"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|e| e["alias"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn first_come_first_served_with_numbers_to_show_offers_and_intakes() {
    let app = spawn_app().await;
    let token = kommun(&app).await;
    let before = app.graphql_as(&token, QUEUE, json!({})).await;
    let already = before["data"]["queueStats"]["length"]
        .as_i64()
        .unwrap_or_else(|| panic!("{before}"));
    let amal = join(&app, &token, "Amal").await;
    let sara = join(&app, &token, "Sara").await;
    let yonas = join(&app, &token, "Yonas").await;
    let numbers: Vec<i64> = [&amal, &sara, &yonas]
        .iter()
        .filter_map(|e| e["number"].as_i64())
        .collect();
    assert_eq!(numbers.len(), 3);
    assert_eq!(
        (numbers[1] - numbers[0], numbers[2] - numbers[1]),
        (1, 1),
        "the site's next numbers"
    );
    assert_eq!(amal["position"], already + 1);

    // The number is all a person needs to follow their place, without a token.
    let body = app.graphql(POSITION, json!({"n": numbers[2]})).await;
    assert_eq!(
        body["data"]["queuePosition"],
        json!({"position": already + 3, "length": already + 3, "status": "WAITING"}),
        "{body}"
    );
    let body = app.graphql(POSITION, json!({"n": 99_999})).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);

    // Offers go to the first in line; accepting makes an active participant.
    let mut offered = Vec::new();
    for _ in 0..=already {
        let body = app.graphql_as(&token, OFFER, json!({"h": 72})).await;
        offered.push(body["data"]["offerIntake"]["entry"].clone());
    }
    let mine = offered.last().expect("an offer");
    assert_eq!(
        mine["alias"], "Amal",
        "Amal was first of the three: {offered:?}"
    );
    let body = app
        .graphql_as(&token, ACCEPT, json!({"id": mine["id"]}))
        .await;
    assert_eq!(
        body["data"]["acceptIntake"]["entry"]["participant"],
        json!({"displayName": "Amal", "status": "ACTIVE", "site": "HAGEBY"}),
        "{body}"
    );
    assert_eq!(body["data"]["acceptIntake"]["entry"]["status"], "ACCEPTED");

    let body = app
        .graphql_as(
            &token,
            "mutation($id: ID!) { withdrawFromQueue(id: $id) { entry { status } } }",
            json!({"id": sara["id"]}),
        )
        .await;
    assert_eq!(
        body["data"]["withdrawFromQueue"]["entry"]["status"], "WITHDRAWN",
        "{body}"
    );
    let body = app.graphql_as(&token, QUEUE, json!({})).await;
    assert_eq!(aliases(&body).last().map(String::as_str), Some("Yonas"));
    assert!(!aliases(&body).contains(&"Sara".to_owned()));
    assert!(
        body["data"]["queueStats"]["medianWaitDays"].is_number(),
        "someone was taken in: {body}"
    );
    let positions: Vec<i64> = body["data"]["queue"]
        .as_array()
        .expect("queue")
        .iter()
        .filter_map(|e| e["position"].as_i64())
        .collect();
    assert_eq!(positions, (1..=positions.len() as i64).collect::<Vec<_>>());

    // Erasing the participant erases the name and contact they queued with.
    let yonas_offer = loop {
        let body = app.graphql_as(&token, OFFER, json!({"h": 72})).await;
        let entry = body["data"]["offerIntake"]["entry"].clone();
        if entry["alias"] == "Yonas" || entry.is_null() {
            break entry;
        }
    };
    let body = app
        .graphql_as(&token, ACCEPTED_AS, json!({"id": yonas_offer["id"]}))
        .await;
    let participant = body["data"]["acceptIntake"]["entry"]["participant"]["id"].clone();
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(&admin, "mutation($id: ID!) { eraseParticipant(input: {id: $id}) { participant { displayName } } }", json!({"id": participant}))
        .await;
    assert_eq!(
        body["data"]["eraseParticipant"]["participant"]["displayName"], "[erased]",
        "{body}"
    );
    let entry = entity::queue_entry::Entity::find()
        .filter(entity::queue_entry::Column::Number.eq(numbers[2] as i32))
        .filter(entity::queue_entry::Column::Site.eq(entity::Site::Hageby))
        .one(&app.db)
        .await
        .expect("read")
        .expect("entry");
    assert_eq!((entry.alias.as_str(), entry.contact), ("[erased]", None));
}

#[tokio::test]
async fn an_offer_expires_only_an_administrator_moves_someone_and_contact_needs_the_pii_scope() {
    let app = spawn_app().await;
    let token = kommun(&app).await;
    let admin = app.admin_token().await;
    // An empty line at Ringdansen keeps the test to its own people.
    let body = app
        .graphql_as(&admin, "{ queue(site: RINGDANSEN) { id } }", json!({}))
        .await;
    for entry in body["data"]["queue"].as_array().expect("line") {
        app.graphql_as(
            &admin,
            "mutation($id: ID!) { withdrawFromQueue(id: $id) { entry { status } } }",
            json!({"id": entry["id"]}),
        )
        .await;
    }
    let join_at = |alias: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let body = app
                .graphql_as(
                    &admin,
                    "mutation($a: String!) { joinQueue(input: {site: RINGDANSEN, alias: $a, contact: \"a@example.org\"}) { entry { id } } }",
                    json!({"a": alias}),
                )
                .await;
            body["data"]["joinQueue"]["entry"]["id"].clone()
        }
    };
    join_at("Hodan").await;
    join_at("Omar").await;
    let third = join_at("Lina").await;
    const LINE: &str = "{ queue(site: RINGDANSEN) { alias contact moveReason } }";

    const MOVE: &str = "mutation($id: ID!, $r: String!) { moveQueueEntry(input: {id: $id, position: 1, reason: $r}) {
      entry { position moveReason } userErrors { field } } }";
    let body = app
        .graphql_as(
            &token,
            MOVE,
            json!({"id": third, "r": "Akut boendesituation"}),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        ["FORBIDDEN"],
        "only an administrator moves someone: {body}"
    );
    let body = app
        .graphql_as(&admin, MOVE, json!({"id": third, "r": "  "}))
        .await;
    assert_eq!(
        body["data"]["moveQueueEntry"]["userErrors"][0]["field"],
        json!(["input", "reason"]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &admin,
            MOVE,
            json!({"id": third, "r": "Akut boendesituation"}),
        )
        .await;
    assert_eq!(
        body["data"]["moveQueueEntry"]["entry"]["position"], 1,
        "{body}"
    );
    let body = app.graphql_as(&token, LINE, json!({})).await;
    let line: Vec<&str> = body["data"]["queue"]
        .as_array()
        .expect("line")
        .iter()
        .filter_map(|e| e["alias"].as_str())
        .collect();
    assert_eq!(line, ["Lina", "Hodan", "Omar"], "{body}");
    assert_eq!(
        body["data"]["queue"][0]["moveReason"],
        "Akut boendesituation"
    );
    assert_eq!(
        body["data"]["queue"][0]["contact"], "a@example.org",
        "the kommun holds participants:pii"
    );
    let moved = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Operation.eq("moveQueueEntry"))
        .all(&app.db)
        .await
        .expect("events");
    assert_eq!(moved.len(), 1, "the move is audited");

    let abf = app
        .token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await;
    let body = app.graphql_as(&abf, LINE, json!({})).await;
    assert_eq!(body["data"]["queue"][0]["contact"], Value::Null, "{body}");
    assert_eq!(error_codes(&body)[0], "FORBIDDEN");

    let body = app
        .graphql_as(&admin, "mutation { offerIntake(input: {site: RINGDANSEN, offer: \"Start måndag\", hours: 1}) { entry { id alias } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["offerIntake"]["entry"]["alias"], "Lina",
        "{body}"
    );
    let offered = body["data"]["offerIntake"]["entry"]["id"].clone();
    let expired =
        portalen_api::jobs::expire_offers(&app.db, chrono::Utc::now() + chrono::Duration::hours(2))
            .await
            .expect("job");
    assert_eq!(expired, 1);
    let body = app.graphql_as(&admin, ACCEPT, json!({"id": offered})).await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = app.graphql_as(&token, LINE, json!({})).await;
    let line: Vec<&str> = body["data"]["queue"]
        .as_array()
        .expect("line")
        .iter()
        .filter_map(|e| e["alias"].as_str())
        .collect();
    assert_eq!(line, ["Hodan", "Omar"]);

    let body = app.graphql_as(&token, JOIN, json!({"alias": "   "})).await;
    assert_eq!(
        body["data"]["joinQueue"]["userErrors"][0]["field"],
        json!(["input", "alias"]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &token,
            "{ queue(site: HAGEBY, first: 0) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    let employer = app
        .token(
            "vita-hasten",
            "employer",
            &[],
            "employer:00000000-0000-7000-8000-000000000000",
        )
        .await;
    let body = app
        .graphql_as(&employer, "{ queue(site: HAGEBY) { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn twenty_who_join_at_once_get_twenty_different_numbers_in_a_row() {
    let app = spawn_app().await;
    let token = kommun(&app).await;
    let mut all = BTreeSet::new();
    for round in 0..5 {
        let requests = (0..20)
            .map(|i| {
                (
                    token.clone(),
                    None,
                    json!({"query": JOIN, "variables": {"alias": format!("Person {round}-{i}")}}),
                )
            })
            .collect();
        for answer in all_at_once(&app, requests).await {
            let number = answer.body["data"]["joinQueue"]["entry"]["number"]
                .as_i64()
                .unwrap_or_else(|| panic!("round {round}: {}", answer.body));
            assert!(
                all.insert(number),
                "round {round}: number {number} given twice"
            );
        }
    }
    let first = *all.first().expect("numbers");
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        (first..first + 100).collect::<Vec<_>>(),
        "no gaps"
    );
}

#[tokio::test]
async fn the_demo_network_has_people_in_line_at_both_sites() {
    let app = spawn_app().await;
    let token = kommun(&app).await;
    let body = app
        .graphql_as(
            &token,
            "{ hageby: queue(site: HAGEBY) { number alias position } ringdansen: queueStats(site: RINGDANSEN) { length } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["hageby"],
        json!([
            {"number": 1, "alias": "Amina", "position": 1},
            {"number": 2, "alias": "Dawit", "position": 2},
            {"number": 3, "alias": "Farida", "position": 3},
            {"number": 4, "alias": "Nour", "position": 4}
        ]),
        "{body}"
    );
    assert_eq!(body["data"]["ringdansen"]["length"], 2);
}
