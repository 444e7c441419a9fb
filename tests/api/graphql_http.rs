use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

#[tokio::test]
async fn a_query_can_be_sent_with_get() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[(
            "query",
            "{ partnerOrganisation(slug: \"vita-hasten\") { name } }",
        )])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"],
        "HC Vita Hästen"
    );
}

#[tokio::test]
async fn a_browser_gets_graphiql() {
    let app = spawn_app().await;
    for path in ["/graphql", "/graphiql"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        let page = response.text().await.expect("text");
        assert!(page.to_lowercase().contains("graphiql"), "{path}");
    }
}

#[tokio::test]
async fn syntax_and_validation_errors_have_stable_codes_and_a_request_id() {
    let app = spawn_app().await;
    let body = app.graphql("{ partnerOrganisations { ", json!({})).await;
    assert_eq!(error_codes(&body), ["GRAPHQL_PARSE_FAILED"], "{body}");

    let body = app.graphql("{ noSuchField }", json!({})).await;
    assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    assert!(
        body["errors"][0]["extensions"]["requestId"]
            .as_str()
            .is_some()
    );
}

#[tokio::test]
async fn the_served_schema_is_the_committed_one() {
    let app = spawn_app().await;
    let body = app
        .graphql("{ __schema { queryType { fields { name } } } }", json!({}))
        .await;
    let mut served: Vec<String> = body["data"]["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_owned())
        .collect();
    served.sort();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    for name in &served {
        assert!(
            committed.contains(&format!("\t{name}(")) || committed.contains(&format!("\t{name}:")),
            "{name}"
        );
    }
}
