//! Rate limiting: a token bucket per organisation (and per client address
//! without a token) whose cost is the query's complexity; over budget is 429
//! with Retry-After and runs nothing; every answer carries the budget left.

use std::num::NonZeroU32;

use portalen_api::ratelimit::RateLimitSettings;
use serde_json::{Value, json};

use crate::helpers::{Fixture, TestApp, error_codes, spawn_app_with_rate_limits};

const BUDGET: u32 = 100;
const ANONYMOUS_BUDGET: u32 = 5;

async fn app() -> TestApp {
    spawn_app_with_rate_limits(
        Fixture::Demo,
        RateLimitSettings {
            organisation_per_minute: NonZeroU32::new(BUDGET),
            anonymous_per_minute: NonZeroU32::new(ANONYMOUS_BUDGET),
        },
    )
    .await
}

/// `participants(first: n) { edges { node { id } } }` costs 3n + 1.
fn page(n: u32) -> String {
    format!("{{ participants(first: {n}) {{ edges {{ node {{ id }} }} }} }}")
}

fn header(response: &reqwest::Response, name: &str) -> Option<u32> {
    response.headers().get(name)?.to_str().ok()?.parse().ok()
}

async fn partner(app: &TestApp, org: &str) -> String {
    app.token(
        org,
        "partner",
        &["participants:read", "participants:write"],
        "staff-1",
    )
    .await
}

#[tokio::test]
async fn each_answer_carries_the_budget_and_the_cost_is_the_complexity() {
    let app = app().await;
    let token = partner(&app, "abf-ostergotland").await;
    let first = app.post_graphql(Some(&token), &page(10), json!({})).await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "x-ratelimit-limit"), Some(BUDGET));
    assert_eq!(header(&first, "x-ratelimit-cost"), Some(31), "3 × 10 + 1");
    let left = header(&first, "x-ratelimit-remaining").expect("remaining");
    // The bucket refills a point every 0.6 s; allow one for a slow machine.
    assert!((69..=70).contains(&left), "100 - 31 = 69, got {left}");
    assert!(first.headers().get("retry-after").is_none());

    let second = app.post_graphql(Some(&token), &page(5), json!({})).await;
    assert_eq!(header(&second, "x-ratelimit-cost"), Some(16));
    let after = header(&second, "x-ratelimit-remaining").expect("remaining");
    assert!(
        (left - 16..=left - 15).contains(&after),
        "{left} - 16, got {after}"
    );

    // A document that does not parse reaches no resolver and costs 1.
    let broken = app
        .post_graphql(Some(&token), "{ participants(", json!({}))
        .await;
    assert_eq!(header(&broken, "x-ratelimit-cost"), Some(1));
}

#[tokio::test]
async fn over_budget_is_429_with_retry_after_runs_nothing_and_other_organisations_go_on() {
    let app = app().await;
    let token = partner(&app, "abf-ostergotland").await;
    // 3 × 30 + 1 = 91 of 100: allowed; the next 91 is not.
    let allowed = app.post_graphql(Some(&token), &page(30), json!({})).await;
    assert_eq!(allowed.status(), 200);

    let refused = app.post_graphql(Some(&token), &page(30), json!({})).await;
    assert_eq!(refused.status(), 429);
    let wait = header(&refused, "retry-after").expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(header(&refused, "x-ratelimit-remaining"), Some(0));
    assert_eq!(header(&refused, "x-ratelimit-cost"), Some(91));
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());

    // Spend the rest (3 × 2 + 1 = 7 of 9), then a mutation over budget runs nothing.
    let rest = app.post_graphql(Some(&token), &page(2), json!({})).await;
    assert_eq!(rest.status(), 200);
    let before = app.participant_count().await;
    let create = "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) {
        participant { id displayName status skills languages { language level } }
        userErrors { field message code } } }";
    let response = app
        .post_graphql(
            Some(&token),
            create,
            json!({ "input": { "displayName": "Över budget", "consentPurpose": "Matchning" } }),
        )
        .await;
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    assert_eq!(app.participant_count().await, before, "nothing was created");

    // Another organisation has its own bucket.
    let other = partner(&app, "hyresbostader").await;
    let theirs = app.post_graphql(Some(&other), &page(30), json!({})).await;
    assert_eq!(theirs.status(), 200);

    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("portalen_rate_limit_rejections_total{class=\"organisation\"}")),
        "{metrics}"
    );
}

#[tokio::test]
async fn without_a_token_the_client_address_has_a_budget_and_guessing_tokens_costs() {
    let app = app().await;
    let anonymous = app.post_graphql(None, "{ __typename }", json!({})).await;
    assert_eq!(anonymous.status(), 200);
    assert_eq!(
        header(&anonymous, "x-ratelimit-limit"),
        Some(ANONYMOUS_BUDGET)
    );
    assert_eq!(header(&anonymous, "x-ratelimit-cost"), Some(1));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = app
            .post_graphql(Some("not-a-token"), "{ __typename }", json!({}))
            .await;
        statuses.push(response.status().as_u16());
    }
    // Each refused token costs the address 1 of the 4 points left.
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
}
