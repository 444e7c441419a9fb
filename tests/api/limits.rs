//! Query limits: just under each passes, just over is refused with a clear
//! error naming the limit, and nothing runs.

use portalen_api::graphql::Limits;
use serde_json::{Value, json};

use crate::helpers::{Fixture, TestApp, error_codes};

const LIMITS: Limits = Limits {
    max_depth: 6,
    max_complexity: 60,
    max_aliases: 3,
    max_root_fields: 2,
    max_batch_length: 3,
    introspection: false,
};

/// A query `levels` fields deep: partnerOrganisation → mentors →
/// partnerOrganisation → ... → id.
fn nested(levels: usize) -> String {
    let mut open = String::from("{ partnerOrganisation(slug: \"hyresbostader\") { ");
    let mut close = String::from("} }");
    for level in 2..levels {
        open.push_str(if level % 2 == 0 {
            "mentors { "
        } else {
            "partnerOrganisation { "
        });
        close.push_str(" }");
    }
    format!("{open}id {close}")
}

fn refused(body: &Value, limit: &str) -> bool {
    error_codes(body) == ["QUERY_TOO_COMPLEX"]
        && body["data"].is_null()
        && body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(limit))
}

async fn app() -> (TestApp, String) {
    let app = TestApp::builder().limits(LIMITS).start().await;
    let token = app.admin_token().await;
    (app, token)
}

#[tokio::test]
async fn depth_just_under_passes_and_just_over_is_refused() {
    let (app, token) = app().await;
    let body = app.graphql_as(&token, &nested(6), json!({})).await;
    assert!(body.get("errors").is_none(), "6 levels: {body}");
    let body = app.graphql_as(&token, &nested(7), json!({})).await;
    assert!(refused(&body, "MAX_QUERY_DEPTH"), "7 levels: {body}");
}

#[tokio::test]
async fn complexity_counts_page_sizes_and_is_refused_just_over() {
    let (app, token) = app().await;
    // participants(first: n) { edges { node { id } } } costs n × 3 + 1 + 1 (root).
    let query = |n: i32| format!("{{ participants(first: {n}) {{ edges {{ node {{ id }} }} }} }}");
    let body = app.graphql_as(&token, &query(19), json!({})).await;
    assert!(body.get("errors").is_none(), "19 × 3 + 2 = 59: {body}");
    let body = app.graphql_as(&token, &query(20), json!({})).await;
    assert!(
        refused(&body, "MAX_QUERY_COMPLEXITY"),
        "20 × 3 + 2 = 62: {body}"
    );
}

#[tokio::test]
async fn aliases_and_root_fields_are_limited_and_nothing_runs_when_refused() {
    let (app, token) = app().await;
    let body = app
        .graphql_as(
            &token,
            "{ a: viewer { role } b: viewer { c: role d: role } }",
            json!({}),
        )
        .await;
    assert!(refused(&body, "MAX_QUERY_ALIASES"), "4 aliases: {body}");
    let body = app
        .graphql_as(
            &token,
            "{ a: viewer { role } b: viewer { c: role } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "3 aliases: {body}");

    let body = app
        .graphql_as(&token, "{ viewer { role } partnerOrganisations { totalCount } openInternshipSlots { totalCount } }", json!({}))
        .await;
    assert!(refused(&body, "MAX_ROOT_FIELDS"), "3 root fields: {body}");
    // A refused mutation changes nothing: no participant is created, and no
    // statement runs beyond the token check that `{ __typename }` also costs.
    app.take_statement_count();
    app.graphql_as(&token, "{ __typename }", json!({})).await;
    let token_check = app.take_statement_count();
    let body = app
        .graphql_as(
            &token,
            "mutation { a: createParticipant(input: { displayName: \"X\", consentPurpose: \"y\" }) { participant { id } }
                        b: createParticipant(input: { displayName: \"X\", consentPurpose: \"y\" }) { participant { id } }
                        c: createParticipant(input: { displayName: \"X\", consentPurpose: \"y\" }) { participant { id } } }",
            json!({}),
        )
        .await;
    assert!(refused(&body, "MAX_ROOT_FIELDS"), "{body}");
    assert_eq!(
        app.take_statement_count(),
        token_check,
        "no statement ran for a refused query but the token check"
    );
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let (app, token) = app().await;
    let body = app
        .graphql_as(&token, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    // With the default settings it answers.
    let open = crate::helpers::TestApp::builder()
        .fixture(Fixture::Empty)
        .start()
        .await;
    let body = open
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"], "Query",
        "{body}"
    );
}

#[tokio::test]
async fn batches_run_each_operation_up_to_the_limit_and_are_refused_whole_over_it() {
    let (app, token) = app().await;
    let create = json!({
        "query": "mutation { createParticipant(input: { displayName: \"Batch\", consentPurpose: \"Matchning\" }) { participant { displayName } } }"
    });
    let viewer = json!({ "query": "{ viewer { role } }" });
    let post = |body: Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let before = app.participant_count().await;
    let response = post(json!([viewer, create, viewer])).await.expect("send");
    assert_eq!(response.status(), 200);
    let answers: Value = response.json().await.expect("json");
    assert_eq!(
        answers[0]["data"]["viewer"]["role"], "ADMINISTRATOR",
        "{answers}"
    );
    assert_eq!(
        answers[1]["data"]["createParticipant"]["participant"]["displayName"], "Batch",
        "{answers}"
    );
    assert_eq!(answers.as_array().map(Vec::len), Some(3));
    assert_eq!(app.participant_count().await, before + 1);

    let response = post(json!([create, create, create, create]))
        .await
        .expect("send");
    let body: Value = response.json().await.expect("json");
    assert!(refused(&body, "MAX_BATCH_LENGTH"), "{body}");
    assert_eq!(
        app.participant_count().await,
        before + 1,
        "a refused batch runs nothing"
    );
}
