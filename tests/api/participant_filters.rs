//! Participant filters, checked against the same rule computed in the test
//! over the unfiltered list.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const LIST: &str = r#"
query($filter: ParticipantFilter) {
  participants(first: 100, filter: $filter) {
    totalCount
    edges { node { id displayName familyName site status swedishLevel skills languages { language } } }
  }
}"#;

async fn list(app: &TestApp, token: &str, filter: Value) -> (Vec<Value>, u64) {
    let body = app
        .graphql_as(token, LIST, json!({ "filter": filter }))
        .await;
    assert!(body.get("errors").is_none(), "{filter}: {body}");
    let nodes = body["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    (
        nodes,
        body["data"]["participants"]["totalCount"]
            .as_u64()
            .expect("count"),
    )
}

fn ids<'a>(nodes: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    nodes
        .into_iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Whether a participant (as the API returns it) matches a filter.
type Predicate = Box<dyn Fn(&Value) -> bool>;

const LEVELS: [&str; 7] = ["NONE", "A1", "A2", "B1", "B2", "C1", "C2"];

#[tokio::test]
async fn each_filter_returns_exactly_the_matching_participants() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (all, total) = list(&app, &admin, Value::Null).await;
    assert_eq!(total as usize, all.len());
    let has = |node: &Value, field: &str, value: &str| {
        node[field]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i == value || i["language"] == value))
    };
    let cases: Vec<(Value, Predicate)> = vec![
        (
            json!({ "site": "HAGEBY" }),
            Box::new(|n: &Value| n["site"] == "HAGEBY"),
        ),
        (
            json!({ "status": ["QUEUED", "SELF_SUFFICIENT"] }),
            Box::new(|n: &Value| n["status"] == "QUEUED" || n["status"] == "SELF_SUFFICIENT"),
        ),
        (
            json!({ "language": "ti" }),
            Box::new(move |n: &Value| has(n, "languages", "ti")),
        ),
        (
            json!({ "skill": "Cooking" }),
            Box::new(move |n: &Value| has(n, "skills", "cooking")),
        ),
        (
            json!({ "swedishLevelAtLeast": "B1" }),
            Box::new(|n: &Value| {
                LEVELS
                    .iter()
                    .position(|l| n["swedishLevel"] == *l)
                    .is_some_and(|i| i >= 3)
            }),
        ),
        (
            json!({ "nameContains": "AM" }),
            Box::new(|n: &Value| {
                let name = format!(
                    "{} {}",
                    n["displayName"].as_str().unwrap_or(""),
                    n["familyName"].as_str().unwrap_or("")
                );
                name.to_lowercase().contains("am")
            }),
        ),
        (
            json!({ "site": "RINGDANSEN", "language": "en", "swedishLevelAtLeast": "A1" }),
            Box::new(move |n: &Value| {
                n["site"] == "RINGDANSEN"
                    && has(n, "languages", "en")
                    && LEVELS
                        .iter()
                        .position(|l| n["swedishLevel"] == *l)
                        .is_some_and(|i| i >= 1)
            }),
        ),
        (json!({ "nameContains": "%" }), Box::new(|_: &Value| false)),
    ];
    for (filter, matches) in cases {
        let (got, count) = list(&app, &admin, filter.clone()).await;
        let expected: Vec<&Value> = all.iter().filter(|n| matches(n)).collect();
        assert!(
            !expected.is_empty() || filter["nameContains"] == "%",
            "{filter} matches nothing in the demo data"
        );
        assert_eq!(ids(&got), ids(expected.iter().copied()), "{filter}");
        assert_eq!(count as usize, got.len(), "{filter}: totalCount");
    }
}

#[tokio::test]
async fn a_family_name_search_needs_the_right_to_read_family_names() {
    let app = spawn_app().await;
    let with_pii = app.admin_token().await;
    let (found, _) = list(&app, &with_pii, json!({ "nameContains": "provsson" })).await;
    assert!(!found.is_empty());
    // Hyresbostäder has consent from everyone; without pii the search must
    // not reveal who is called Provsson.
    let without_pii = app
        .token(
            "hyresbostader",
            "partner",
            &["participants:read"],
            "staff-1",
        )
        .await;
    let (found, count) = list(&app, &without_pii, json!({ "nameContains": "provsson" })).await;
    assert!(found.is_empty() && count == 0, "{found:?}");
}

#[tokio::test]
async fn a_malformed_filter_is_bad_user_input() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for filter in [
        json!({ "language": "not a code" }),
        json!({ "nameContains": "" }),
        json!({ "skill": "!!" }),
    ] {
        let body = app
            .graphql_as(&admin, LIST, json!({ "filter": filter }))
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{filter}: {body}");
    }
}

const ORDERED: &str = r#"
query($order: ListOrder, $first: Int, $after: String, $last: Int, $before: String) {
  participants(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id } }
  }
}"#;

async fn walk(app: &TestApp, token: &str, order: Value, forward: bool) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let variables = if forward {
            json!({ "order": order, "first": 7, "after": cursor })
        } else {
            json!({ "order": order, "last": 7, "before": cursor })
        };
        let body = app.graphql_as(token, ORDERED, variables).await;
        assert!(body.get("errors").is_none(), "{body}");
        let page = &body["data"]["participants"];
        let mut ids: Vec<String> = page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
            .collect();
        let info = &page["pageInfo"];
        if forward {
            seen.extend(ids);
            if info["hasNextPage"] != json!(true) {
                return seen;
            }
            cursor = info["endCursor"].as_str().map(str::to_owned);
        } else {
            ids.extend(seen);
            seen = ids;
            if info["hasPreviousPage"] != json!(true) {
                return seen;
            }
            cursor = info["startCursor"].as_str().map(str::to_owned);
        }
    }
}

#[tokio::test]
async fn newest_first_is_the_reverse_order_both_ways_across_pages() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let ascending = walk(&app, &admin, Value::Null, true).await;
    assert_eq!(ascending.len(), 24);
    let mut reversed = ascending.clone();
    reversed.reverse();
    let descending = json!({ "field": "CREATED_AT", "direction": "DESC" });
    assert_eq!(walk(&app, &admin, descending.clone(), true).await, reversed);
    assert_eq!(walk(&app, &admin, descending, false).await, reversed);
    assert_eq!(walk(&app, &admin, Value::Null, false).await, ascending);
}
