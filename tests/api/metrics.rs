//! Prometheus metrics after real traffic: requests by operation and
//! outcome, latency, auth failures, the pool; and nothing personal.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn metrics_count_requests_by_operation_and_outcome_and_hold_nothing_personal() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for _ in 0..2 {
        app.graphql("{ partnerOrganisations { totalCount } }", json!({}))
            .await;
    }
    let body = app
        .graphql_as(
            &admin,
            "query Contacts { participants(first: 2) { edges { node { email } } } }",
            json!({}),
        )
        .await;
    let email = body["data"]["participants"]["edges"][0]["node"]["email"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.graphql("{ noSuchField }", json!({})).await;
    let refused = app
        .post_graphql(Some("not-a-token"), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(refused.status(), 401);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    for line in [
        r#"portalen_graphql_requests_total{operation="partnerOrganisations",outcome="ok"} 2"#,
        r#"portalen_graphql_requests_total{operation="participants",outcome="ok"} 1"#,
        r#"portalen_graphql_requests_total{operation="invalid",outcome="GRAPHQL_VALIDATION_FAILED"} 1"#,
        r#"portalen_graphql_requests_total{operation="unauthenticated",outcome="UNAUTHENTICATED"} 1"#,
        r#"portalen_auth_failures_total{endpoint="graphql"} 1"#,
        r#"portalen_graphql_request_duration_seconds_count{operation="partnerOrganisations"} 2"#,
    ] {
        assert!(text.contains(line), "missing {line} in:\n{text}");
    }
    assert!(
        text.contains("portalen_db_pool_connections{state=\"idle\"}"),
        "{text}"
    );
    assert!(
        !email.is_empty() && !text.contains(&email),
        "no personal value"
    );
    assert!(
        !text.contains(&admin) && !text.contains("not-a-token"),
        "no token"
    );
    assert!(
        !text.contains("noSuchField"),
        "client-chosen names are not labels"
    );
}
