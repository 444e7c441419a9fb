//! Sign-ups: places, the waiting list in first-come order, offers passed
//! on when declined or expired, and no overbooking under concurrency.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};
use crate::races::all_at_once;

const REGISTER: &str =
    "mutation($a: ID!, $p: ID!) { registerForActivity(input: {activityId: $a, participantId: $p}) {
  registration { id status position offerExpiresAt } userErrors { field message } } }";
const CANCEL: &str =
    "mutation($id: ID!) { cancelRegistration(id: $id) { registration { status } } }";
const ACCEPT: &str =
    "mutation($id: ID!) { acceptOffer(id: $id) { registration { status offerExpiresAt } } }";
const DECLINE: &str = "mutation($id: ID!) { declineOffer(id: $id) { registration { status } } }";
const LIST: &str = "query($id: ID!) { node(id: $id) { ... on Activity { placesLeft waitingCount
  registrations { id status position participant { id } } } } }";

struct Course {
    id: String,
    kommun: String,
}

/// A course with `places` places at ABF, and a kommun coordinator who signs
/// participants up.
async fn course(app: &TestApp, places: i32) -> Course {
    let abf = app
        .token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await;
    let body = app
        .graphql_as(
            &abf,
            "mutation($n: Int) { createActivity(input: {kind: COURSE, title: \"Starta eget\", capacity: $n, registrationRequired: true, offerHours: 48}) { activity { id } } }",
            json!({"n": places}),
        )
        .await;
    Course {
        id: body["data"]["createActivity"]["activity"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned(),
        kommun: app
            .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
            .await,
    }
}

/// `n` new participants the kommun sees (each with a consent to it).
async fn participants(app: &TestApp, token: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = app
            .graphql_as(
                token,
                "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }",
                json!({ "input": { "displayName": format!("Deltagare {i}"), "consentPurpose": "Kurs" } }),
            )
            .await;
        ids.push(
            body["data"]["createParticipant"]["participant"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        );
    }
    ids
}

async fn sign_up(app: &TestApp, course: &Course, participant: &str) -> Value {
    let body = app
        .graphql_as(
            &course.kommun,
            REGISTER,
            json!({"a": course.id, "p": participant}),
        )
        .await;
    body["data"]["registerForActivity"]["registration"].clone()
}

async fn taken(app: &TestApp, course: &Course) -> i32 {
    let id = crate::fixtures::uuid_of(&course.id);
    entity::activity::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("read")
        .expect("activity")
        .places_taken
}

#[tokio::test]
async fn a_place_given_up_is_offered_in_turn_and_passes_on_when_declined_or_expired() {
    let app = spawn_app().await;
    let course = course(&app, 2).await;
    let people = participants(&app, &course.kommun, 5).await;
    let mut signed = Vec::new();
    for person in &people[..4] {
        signed.push(sign_up(&app, &course, person).await);
    }
    let statuses: Vec<&Value> = signed.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, ["REGISTERED", "REGISTERED", "WAITING", "WAITING"]);
    assert_eq!(signed[2]["position"], 1);
    assert_eq!(signed[3]["position"], 2);
    let body = app
        .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
        .await;
    assert_eq!(body["data"]["node"]["placesLeft"], 0, "{body}");
    assert_eq!(body["data"]["node"]["waitingCount"], 2);
    let body = app
        .graphql_as(
            &course.kommun,
            "{ activities(filter: {hasPlacesLeft: true, kind: [COURSE]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        !body.to_string().contains(&course.id),
        "a full course has no places left: {body}"
    );

    let again = app
        .graphql_as(
            &course.kommun,
            REGISTER,
            json!({"a": course.id, "p": people[0]}),
        )
        .await;
    assert_eq!(error_codes(&again), ["CONFLICT"], "{again}");

    // The first to give up: the first in line gets an offer for 48 hours.
    app.graphql_as(&course.kommun, CANCEL, json!({"id": signed[0]["id"]}))
        .await;
    let body = app
        .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
        .await;
    let registrations = body["data"]["node"]["registrations"]
        .as_array()
        .expect("list")
        .clone();
    let status_of = |id: &Value| {
        registrations
            .iter()
            .find(|r| r["id"] == *id)
            .map(|r| r["status"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(status_of(&signed[2]["id"]), "OFFERED", "{body}");
    assert_eq!(status_of(&signed[3]["id"]), "WAITING");
    assert_eq!(
        taken(&app, &course).await,
        2,
        "the place passed on, still held"
    );

    // Declined: the next in line is offered it.
    app.graphql_as(&course.kommun, DECLINE, json!({"id": signed[2]["id"]}))
        .await;
    let body = app
        .graphql_as(&course.kommun, ACCEPT, json!({"id": signed[3]["id"]}))
        .await;
    assert_eq!(
        body["data"]["acceptOffer"]["registration"],
        json!({"status": "REGISTERED", "offerExpiresAt": null}),
        "{body}"
    );

    // An offer left unanswered expires (the job) and passes on.
    let fifth = sign_up(&app, &course, &people[4]).await;
    assert_eq!(fifth["status"], "WAITING");
    app.graphql_as(&course.kommun, CANCEL, json!({"id": signed[1]["id"]}))
        .await;
    let expired = portalen_api::jobs::expire_offers(
        &app.db,
        chrono::Utc::now() + chrono::Duration::hours(47),
    )
    .await
    .expect("job");
    assert_eq!(expired, 0, "not yet");
    let expired = portalen_api::jobs::expire_offers(
        &app.db,
        chrono::Utc::now() + chrono::Duration::hours(49),
    )
    .await
    .expect("job");
    assert_eq!(expired, 1);
    let body = app
        .graphql_as(&course.kommun, ACCEPT, json!({"id": fifth["id"]}))
        .await;
    assert_eq!(
        error_codes(&body),
        ["CONFLICT"],
        "an expired offer cannot be taken: {body}"
    );
    let body = app
        .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
        .await;
    assert_eq!(
        body["data"]["node"]["placesLeft"], 1,
        "nobody waits: the place is free again: {body}"
    );
    assert_eq!(taken(&app, &course).await, 1);
    let events = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Operation.eq("expireOffers"))
        .all(&app.db)
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, "system:offers");
}

#[tokio::test]
async fn sign_ups_are_refused_where_no_registration_is_needed_and_for_participants_not_seen() {
    let app = spawn_app().await;
    let course = course(&app, 2).await;
    let kyrkan = app
        .token("svenska-kyrkan", "partner", &[], "coordinator-kyrkan")
        .await;
    let body = app
        .graphql_as(
            &kyrkan,
            "{ activities(filter: {kind: [LANGUAGE_CAFE], site: [HAGEBY]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let cafe = body["data"]["activities"]["nodes"][0]["id"].clone();
    let person = participants(&app, &course.kommun, 1).await.remove(0);
    let body = app
        .graphql_as(&course.kommun, REGISTER, json!({"a": cafe, "p": person}))
        .await;
    assert_eq!(
        body["data"]["registerForActivity"]["userErrors"][0]["message"],
        "this activity needs no registration: just come",
        "{body}"
    );
    let body = app
        .graphql_as(&kyrkan, REGISTER, json!({"a": course.id, "p": person}))
        .await;
    assert_eq!(
        error_codes(&body),
        ["NOT_FOUND"],
        "Svenska kyrkan does not see the kommun's participant: {body}"
    );
    assert_eq!(taken(&app, &course).await, 0, "nothing was taken");
}

#[tokio::test]
async fn fifty_concurrent_sign_ups_for_ten_places_give_ten_places_and_forty_in_line() {
    let app = spawn_app().await;
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await;
    let people = participants(&app, &kommun, 50).await;
    for round in 0..5 {
        let course = course(&app, 10).await;
        let requests = people
            .iter()
            .map(|p| {
                (
                    course.kommun.clone(),
                    None,
                    json!({"query": REGISTER, "variables": {"a": course.id, "p": p}}),
                )
            })
            .collect();
        let answers = all_at_once(&app, requests).await;
        let mut registered = Vec::new();
        let mut waiting = 0;
        for answer in &answers {
            let registration = &answer.body["data"]["registerForActivity"]["registration"];
            match registration["status"].as_str() {
                Some("REGISTERED") => registered.push(registration["id"].clone()),
                Some("WAITING") => waiting += 1,
                _ => panic!("round {round}: {}", answer.body),
            }
        }
        assert_eq!((registered.len(), waiting), (10, 40), "round {round}");
        assert_eq!(taken(&app, &course).await, 10, "round {round}");
        let body = app
            .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
            .await;
        let positions: Vec<i64> = body["data"]["node"]["registrations"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|r| r["position"].as_i64())
            .collect();
        assert_eq!(
            positions,
            (1..=40).collect::<Vec<_>>(),
            "round {round}: first come, in order"
        );

        // Five give up at once: exactly five offers, to the first five in line.
        let requests = registered[..5]
            .iter()
            .map(|id| {
                (
                    course.kommun.clone(),
                    None,
                    json!({"query": CANCEL, "variables": {"id": id}}),
                )
            })
            .collect();
        all_at_once(&app, requests).await;
        let body = app
            .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
            .await;
        let list = body["data"]["node"]["registrations"]
            .as_array()
            .expect("list")
            .clone();
        let in_line: Vec<&Value> = list
            .iter()
            .filter(|r| r["status"] == "OFFERED" || r["status"] == "WAITING")
            .map(|r| &r["status"])
            .collect();
        assert_eq!(
            in_line[..5],
            [&json!("OFFERED"); 5],
            "round {round}: {body}"
        );
        assert!(
            in_line[5..].iter().all(|s| **s == "WAITING"),
            "round {round}"
        );
        assert_eq!(in_line.len(), 40);
        assert_eq!(
            taken(&app, &course).await,
            10,
            "round {round}: places passed on, none lost"
        );
    }
}

const UPDATE: &str = "mutation($input: UpdateActivityInput!) { updateActivity(input: $input) {
  activity { title capacity placesLeft waitingCount } userErrors { field message } } }";

#[tokio::test]
async fn a_capacity_is_never_cut_below_the_places_taken_and_a_raised_one_offers_places_in_turn() {
    let app = spawn_app().await;
    let course = course(&app, 2).await;
    let people = participants(&app, &course.kommun, 4).await;
    for p in &people {
        sign_up(&app, &course, p).await;
    }
    let abf = app
        .token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await;
    let body = app
        .graphql_as(
            &abf,
            UPDATE,
            json!({"input": {"id": course.id, "capacity": 1, "title": "Nytt namn"}}),
        )
        .await;
    assert_eq!(
        body["data"]["updateActivity"]["userErrors"][0]["field"],
        json!(["input", "capacity"]),
        "{body}"
    );
    let body = app
        .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
        .await;
    assert_eq!(body["data"]["node"]["placesLeft"], 0, "nothing changed");
    assert_eq!(body["data"]["node"]["waitingCount"], 2);
    // Only the organiser changes it.
    let body = app
        .graphql_as(
            &course.kommun,
            UPDATE,
            json!({"input": {"id": course.id, "capacity": 5}}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    let body = app
        .graphql_as(
            &abf,
            UPDATE,
            json!({"input": {"id": course.id, "capacity": 3, "title": "Starta eget, våren"}}),
        )
        .await;
    let activity = &body["data"]["updateActivity"]["activity"];
    assert_eq!(activity["title"], "Starta eget, våren", "{body}");
    assert_eq!(activity["capacity"], 3);
    assert_eq!(activity["waitingCount"], 1);
    let body = app
        .graphql_as(&course.kommun, LIST, json!({"id": course.id}))
        .await;
    let statuses: Vec<(Value, Value)> = body["data"]["node"]["registrations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| (r["participant"]["id"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!(people[0]), json!("REGISTERED")),
            (json!(people[1]), json!("REGISTERED")),
            (json!(people[2]), json!("OFFERED")),
            (json!(people[3]), json!("WAITING")),
        ],
        "the new place is offered to the first in line"
    );
    assert_eq!(taken(&app, &course).await, 3);
}

#[tokio::test]
async fn cutting_a_capacity_while_sign_ups_race_it_never_overbooks() {
    let app = spawn_app().await;
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await;
    let abf = app
        .token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await;
    let people = participants(&app, &kommun, 8).await;
    for round in 0..20 {
        let course = course(&app, 6).await;
        for p in &people[..2] {
            sign_up(&app, &course, p).await;
        }
        // Six sign-ups and a cut to three, at once.
        let mut requests: Vec<(String, Option<String>, Value)> = people[2..]
            .iter()
            .map(|p| {
                (
                    kommun.clone(),
                    None,
                    json!({"query": REGISTER, "variables": {"a": course.id, "p": p}}),
                )
            })
            .collect();
        requests.push((
            abf.clone(),
            None,
            json!({"query": UPDATE, "variables": {"input": {"id": course.id, "capacity": 3}}}),
        ));
        let answers = all_at_once(&app, requests).await;
        let cut = answers
            .iter()
            .find(|a| a.body["data"]["updateActivity"].is_object())
            .expect("the cut's answer");
        let accepted = cut.body["data"]["updateActivity"]["activity"].is_object();
        let registered = answers
            .iter()
            .filter(|a| {
                a.body["data"]["registerForActivity"]["registration"]["status"] == "REGISTERED"
            })
            .count()
            + 2;
        let row = entity::activity::Entity::find_by_id(crate::fixtures::uuid_of(&course.id))
            .one(&app.db)
            .await
            .expect("read")
            .expect("activity");
        assert!(
            row.places_taken <= row.capacity.unwrap_or(i32::MAX),
            "round {round}: {} taken of {:?}",
            row.places_taken,
            row.capacity
        );
        assert_eq!(row.places_taken as usize, registered, "round {round}");
        if accepted {
            assert_eq!(row.capacity, Some(3), "round {round}");
            assert!(registered <= 3, "round {round}");
        } else {
            assert_eq!(
                row.capacity,
                Some(6),
                "round {round}: refused, nothing changed"
            );
            assert!(
                registered > 3,
                "round {round}: refused only when more were taken"
            );
        }
    }
}
