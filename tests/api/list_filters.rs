//! Slot and placement filters, checked against the same rule computed in the
//! test over the unfiltered list.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

/// Whether an item (as the API returns it) matches a filter.
type Predicate = Box<dyn Fn(&Value) -> bool>;

async fn nodes(app: &TestApp, token: &str, query: &str, field: &str, filter: Value) -> Vec<Value> {
    let body = app
        .graphql_as(token, query, json!({ "filter": filter }))
        .await;
    assert!(body.get("errors").is_none(), "{filter}: {body}");
    let items: Vec<Value> = body["data"][field]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(
        body["data"][field]["totalCount"],
        json!(items.len()),
        "{filter}: totalCount"
    );
    items
}

fn ids(items: &[&Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn check(app: &TestApp, query: &str, field: &str, cases: Vec<(Value, Predicate)>) {
    let admin = app.admin_token().await;
    let all = nodes(app, &admin, query, field, Value::Null).await;
    for (filter, predicate) in cases {
        let got = nodes(app, &admin, query, field, filter.clone()).await;
        let expected: Vec<&Value> = all.iter().filter(|n| predicate(n)).collect();
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{filter} does not discriminate"
        );
        assert_eq!(
            ids(&got.iter().collect::<Vec<_>>()),
            ids(&expected),
            "{filter}"
        );
    }
}

/// The middle start date, so that a date filter splits the list.
fn median_start(items: &[Value]) -> String {
    let mut dates: Vec<&str> = items
        .iter()
        .filter_map(|n| n["startsOn"].as_str())
        .collect();
    dates.sort_unstable();
    dates.dedup();
    dates[dates.len() / 2].to_owned()
}

const SLOTS: &str = r#"query($filter: SlotFilter) { internshipSlots(first: 100, filter: $filter) {
  totalCount edges { node { id status kind site startsOn wantedSkills employer { id } } } } }"#;

#[tokio::test]
async fn slot_filters_return_exactly_the_matching_slots() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let all = nodes(&app, &admin, SLOTS, "internshipSlots", Value::Null).await;
    assert_eq!(
        all.len(),
        8,
        "an administrator sees drafts and filled slots too"
    );
    let employer = all[2]["employer"]["id"].clone();
    let cutoff = median_start(&all);
    let cutoff_from = cutoff.clone();
    let cases: Vec<(Value, Predicate)> = vec![
        (
            json!({ "status": ["DRAFT", "FILLED"] }),
            Box::new(|n: &Value| n["status"] == "DRAFT" || n["status"] == "FILLED"),
        ),
        (
            json!({ "kind": ["INTERNSHIP"] }),
            Box::new(|n: &Value| n["kind"] == "INTERNSHIP"),
        ),
        (
            json!({ "site": "HAGEBY" }),
            Box::new(|n: &Value| n["site"] == "HAGEBY"),
        ),
        (
            json!({ "employerId": employer.clone() }),
            Box::new(move |n: &Value| n["employer"]["id"] == employer),
        ),
        (
            json!({ "startsFrom": cutoff_from }),
            Box::new(move |n: &Value| {
                n["startsOn"]
                    .as_str()
                    .is_some_and(|d| d >= cutoff_from.as_str())
            }),
        ),
        (
            json!({ "startsUntil": cutoff }),
            Box::new(move |n: &Value| n["startsOn"].as_str().is_some_and(|d| d <= cutoff.as_str())),
        ),
        (
            json!({ "wantedSkill": "cooking" }),
            Box::new(|n: &Value| {
                n["wantedSkills"]
                    .as_array()
                    .is_some_and(|s| s.contains(&json!("cooking")))
            }),
        ),
    ];
    check(&app, SLOTS, "internshipSlots", cases).await;
}

const PLACEMENTS: &str = r#"query($filter: PlacementFilter) { placements(first: 100, filter: $filter) {
  totalCount edges { node { id status kind startsOn employer { id } responsiblePartner { id } participant { id } } } } }"#;

#[tokio::test]
async fn placement_filters_return_exactly_the_matching_placements() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let all = nodes(&app, &admin, PLACEMENTS, "placements", Value::Null).await;
    let employer = all[0]["employer"]["id"].clone();
    let partner = all[1]["responsiblePartner"]["id"].clone();
    let participant = all[2]["participant"]["id"].clone();
    let cutoff = median_start(&all);
    let cases: Vec<(Value, Predicate)> = vec![
        (
            json!({ "status": ["ACTIVE", "COMPLETED"] }),
            Box::new(|n: &Value| n["status"] == "ACTIVE" || n["status"] == "COMPLETED"),
        ),
        (
            json!({ "kind": ["INTERNSHIP"] }),
            Box::new(|n: &Value| n["kind"] == "INTERNSHIP"),
        ),
        (
            json!({ "employerId": employer.clone() }),
            Box::new(move |n: &Value| n["employer"]["id"] == employer),
        ),
        (
            json!({ "responsiblePartnerId": partner.clone() }),
            Box::new(move |n: &Value| n["responsiblePartner"]["id"] == partner),
        ),
        (
            json!({ "participantId": participant.clone() }),
            Box::new(move |n: &Value| n["participant"]["id"] == participant),
        ),
        (
            json!({ "startsUntil": cutoff }),
            Box::new(move |n: &Value| n["startsOn"].as_str().is_some_and(|d| d <= cutoff.as_str())),
        ),
    ];
    check(&app, PLACEMENTS, "placements", cases).await;
}

#[tokio::test]
async fn a_backwards_date_range_or_an_id_of_the_wrong_type_is_bad_user_input() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for (query, filter) in [
        (
            SLOTS,
            json!({ "startsFrom": "2027-01-01", "startsUntil": "2026-01-01" }),
        ),
        (
            PLACEMENTS,
            json!({ "startsFrom": "2027-01-01", "startsUntil": "2026-01-01" }),
        ),
        (PLACEMENTS, json!({ "employerId": "bm9wZQ" })),
    ] {
        let body = app
            .graphql_as(&admin, query, json!({ "filter": filter }))
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{filter}: {body}");
    }
}
