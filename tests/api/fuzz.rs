//! Fuzzing over HTTP: generated queries (from the schema's own words, and
//! random text) and malformed bodies never get a 5xx and never stop the
//! server.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Tokens that make near-valid GraphQL for this schema.
fn words() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "{", "}", "{", "}", "(", ")", ":", "...", "on", "query", "mutation", "fragment F on Participant",
            "participants", "participant", "placements", "internshipSlots", "openInternshipSlots",
            "partnerOrganisations", "partnerOrganisation", "mentors", "employers", "viewer", "node",
            "edges", "nodes", "pageInfo", "totalCount", "id", "displayName", "email", "status",
            "employer", "mentor", "participant", "createParticipant", "proposePlacement", "input",
            "first: 5", "first: -1", "first: 100000", "after: \"x\"", "id: \"UGFydGljaXBhbnQ6MQ==\"",
            "slug: \"vita-hasten\"", "filter: {}", "$v", "$v: Int", "@include(if: true)", "@skip(if: $v)",
            "__typename", "__schema", "__type(name: \"Query\")", "a:", "b:", "null", "true", "[", "]",
            "\"\"\"", "#", ",", "=", "!", "F",
        ]).prop_map(str::to_owned),
        1 => "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
        1 => "-?[0-9]{1,12}(\\.[0-9]{1,4})?",
        1 => "\"[^\"\\\\]{0,20}\"",
        1 => any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(words(), 0..60).prop_map(|w| w.join(" "))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,30}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A request body: a generated query with generated variables, any JSON, or
/// bytes that are not JSON at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (query(), json_value(), proptest::option::of("[A-Za-z]{0,8}")).prop_map(|(q, v, op)| {
            json!({ "query": q, "variables": v, "operationName": op }).to_string().into_bytes()
        }),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ]
}

async fn post(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
        Err(err) => (0, format!("no answer: {err}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_queries_and_malformed_bodies_never_get_a_server_error() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let handle = tokio::runtime::Handle::current();
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let content_types = prop::sample::select(vec![
        "application/json",
        "application/graphql",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ]);
    let result = runner.run(
        &(body(), any::<bool>(), content_types),
        |(body, authenticated, content_type)| {
            let token = authenticated.then_some(token.as_str());
            let (status, text) = tokio::task::block_in_place(|| {
                handle.block_on(post(&app, token, content_type, body))
            });
            if status == 0 || status >= 500 {
                return Err(TestCaseError::fail(format!("status {status}: {text}")));
            }
            if text.contains("panicked") || text.contains(".rs:") {
                return Err(TestCaseError::fail(format!("internals leaked: {text}")));
            }
            Ok(())
        },
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // Still serving.
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query");
}
