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

#[tokio::test]
async fn answers_follow_graphql_over_http_media_types_and_status_codes() {
    let app = spawn_app().await;
    let post = |accept: &'static str, body: &'static str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("accept", accept)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let content_type = |r: &reqwest::Response| {
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    let ok = post("application/json", r#"{"query":"{ __typename }"}"#)
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    assert!(content_type(&ok).starts_with("application/json"));

    // A document that does not parse: 200 with application/json, 400 with
    // application/graphql-response+json; never a `data` entry.
    for (accept, status, media) in [
        ("application/json", 200, "application/json"),
        (
            "application/graphql-response+json",
            400,
            "application/graphql-response+json",
        ),
    ] {
        let response = post(accept, r#"{"query":"{"}"#).await.expect("send");
        assert_eq!(response.status(), status, "{accept}");
        assert!(content_type(&response).starts_with(media), "{accept}");
        let body: Value = response.json().await.expect("json");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_PARSE_FAILED"
        );
    }

    // Not a GraphQL request at all: 400 with a JSON error.
    for body in [
        r#"{bad"#,
        r#"{"query": 5}"#,
        r#"{"query":"{ __typename }","variables":[]}"#,
    ] {
        let response = post("application/json", body).await.expect("send");
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("a JSON body");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
    }
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let before = app.participant_count().await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[(
            "query",
            "mutation { createParticipant(input: { displayName: \"Via GET\", consentPurpose: \"x\" }) { participant { id } } }",
        )])
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );
    assert_eq!(app.participant_count().await, before);
}

#[tokio::test]
async fn a_post_without_a_json_media_type_is_refused_with_415_and_runs_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = app.participant_count().await;
    let body = json!({
        "query": "mutation { createParticipant(input: { displayName: \"Cross Site\", consentPurpose: \"x\" }) { participant { id } } }"
    })
    .to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&admin)
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), 415, "{content_type:?}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(error_codes(&answer), ["UNSUPPORTED_MEDIA_TYPE"], "{answer}");
    }
    assert_eq!(app.participant_count().await, before, "nothing ran");
    // With the media type (and its parameters), the same body runs.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&admin)
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(app.participant_count().await, before + 1);
}
