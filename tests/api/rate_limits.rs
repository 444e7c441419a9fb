//! Rate limiting: a token bucket per organisation (and per client address
//! without a token) whose cost is the query's complexity; over budget is 429
//! with Retry-After and runs nothing; every answer carries the budget left.

use std::num::NonZeroU32;

use portalen_api::ratelimit::RateLimitSettings;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes};

const BUDGET: u32 = 100;
const ANONYMOUS_BUDGET: u32 = 5;

async fn app() -> TestApp {
    TestApp::builder()
        .rate_limits(RateLimitSettings {
            organisation_per_minute: NonZeroU32::new(BUDGET),
            anonymous_per_minute: NonZeroU32::new(ANONYMOUS_BUDGET),
        })
        .start()
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

/// `{ participants(first: n) { edges { node { id } } } }` answering `k`
/// participants holds 2 + 2k fields: what it actually costs.
fn actual(k: u32) -> u32 {
    2 + 2 * k
}

async fn cost_of(response: reqwest::Response) -> (u32, u32, Value) {
    let remaining = header(&response, "x-ratelimit-remaining").expect("remaining");
    let cost = header(&response, "x-ratelimit-cost").expect("cost");
    let body: Value = response.json().await.expect("json");
    (cost, remaining, body)
}

#[tokio::test]
async fn each_answer_is_charged_its_complexity_then_refunded_what_its_pages_did_not_fill() {
    let app = app().await;
    let token = partner(&app, "abf-ostergotland").await;
    let first = app.post_graphql(Some(&token), &page(10), json!({})).await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "x-ratelimit-limit"), Some(BUDGET));
    assert!(first.headers().get("retry-after").is_none());
    let used = header(&first, "x-ratelimit-used").expect("used");
    let reset = header(&first, "x-ratelimit-reset").expect("reset");
    let (cost, left, body) = cost_of(first).await;
    let seen = u32::try_from(
        body["data"]["participants"]["edges"]
            .as_array()
            .expect("edges")
            .len(),
    )
    .expect("a count");
    let extension = &body["extensions"]["cost"];
    assert_eq!(extension["requested"], 31, "3 × 10 + 1: {body}");
    assert_eq!(extension["actual"], actual(seen), "{body}");
    assert_eq!(cost, actual(seen), "the header says what was charged");
    assert!(seen < 10, "a page that did not fill: {seen}");
    // The bucket refills a point every 0.6 s; allow one for a slow machine.
    assert!(
        (BUDGET - cost..=BUDGET - cost + 1).contains(&left),
        "{BUDGET} - {cost}, got {left}"
    );
    assert_eq!(extension["throttleStatus"]["maximumAvailable"], BUDGET);
    assert_eq!(extension["throttleStatus"]["currentlyAvailable"], left);
    assert_eq!(used, BUDGET - left);
    assert!((1..=60).contains(&reset), "seconds until full: {reset}");

    let second = app.post_graphql(Some(&token), &page(5), json!({})).await;
    let (cost, after, body) = cost_of(second).await;
    assert_eq!(body["extensions"]["cost"]["requested"], 16);
    assert!(
        (left - cost..=left - cost + 1).contains(&after),
        "{left} - {cost}, got {after}"
    );

    // A document that does not parse reaches no resolver and costs 1.
    let broken = app
        .post_graphql(Some(&token), "{ participants(", json!({}))
        .await;
    assert_eq!(header(&broken, "x-ratelimit-cost"), Some(1));
}

#[tokio::test]
async fn over_budget_is_429_with_the_budget_left_and_retry_after_runs_nothing_and_others_go_on() {
    let app = app().await;
    let token = partner(&app, "abf-ostergotland").await;
    // 3 × 30 + 1 = 91 of 100 asked for: allowed, then the unfilled page is
    // given back.
    let allowed = app.post_graphql(Some(&token), &page(30), json!({})).await;
    assert_eq!(allowed.status(), 200);
    let (cost, left, _) = cost_of(allowed).await;
    assert!(cost < 91 && left > 9, "{cost} {left}");

    // Asking for 91 again is more than is left: refused, and the answer
    // says how much is left (not 0).
    let refused = app.post_graphql(Some(&token), &page(30), json!({})).await;
    assert_eq!(refused.status(), 429);
    let wait = header(&refused, "retry-after").expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    let remaining = header(&refused, "x-ratelimit-remaining").expect("remaining");
    assert!(
        (left..=left + 1).contains(&remaining),
        "{left} left, told {remaining}"
    );
    assert_eq!(header(&refused, "x-ratelimit-cost"), Some(91));
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("{remaining} of {BUDGET}")),
        "{message}"
    );

    // A mutation that asks for more than is left runs nothing.
    let before = app.participant_count().await;
    let one = "createParticipant(input: { displayName: \"Över budget\", consentPurpose: \"Matchning\" }) {
        participant { id displayName status skills languages { language level } }
        userErrors { field message code } }";
    let create = format!(
        "mutation {{ {} }}",
        (0..12)
            .map(|i| format!("c{i}: {one}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let response = app.post_graphql(Some(&token), &create, json!({})).await;
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
