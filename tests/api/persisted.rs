//! Persisted documents over HTTP: Apollo's automatic persisted queries
//! (unknown hash, registration, hash-only hits) and trusted documents per
//! organisation, enforced.

use portalen_api::graphql::persisted::{PersistedDocuments, TrustedDocumentsMode, hash};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("json")
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn an_unknown_hash_is_not_found_then_registered_with_its_query_then_runs_by_hash() {
    let app = spawn_app().await;
    let query = "{ partnerOrganisation(slug: \"vita-hasten\") { name } }";
    let sha = hash(query);
    let body = post(&app, None, json!({ "extensions": persisted(&sha) })).await;
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"], "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    // A wrong hash for the text is refused and registers nothing.
    let body = post(
        &app,
        None,
        json!({ "query": query, "extensions": persisted(&"a".repeat(64)) }),
    )
    .await;
    assert_eq!(error_codes(&body), ["BAD_REQUEST"], "{body}");

    let body = post(
        &app,
        None,
        json!({ "query": query, "extensions": persisted(&sha) }),
    )
    .await;
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"], "HC Vita Hästen",
        "{body}"
    );
    let body = post(&app, None, json!({ "extensions": persisted(&sha) })).await;
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"], "HC Vita Hästen",
        "{body}"
    );
    // Over GET too, as Apollo sends hash-only queries.
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", persisted(&sha).to_string())])
        .send()
        .await
        .expect("send");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"], "HC Vita Hästen",
        "{body}"
    );

    let body = post(
        &app,
        None,
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": sha } } }),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_SUPPORTED"],
        "{body}"
    );
}

#[tokio::test]
async fn enforced_trusted_documents_run_only_for_their_organisations_and_nothing_else_runs() {
    let viewer = "query Viewer { viewer { role organisation { slug } } }";
    let directory = "query Directory { partnerOrganisations(first: 2) { totalCount } }";
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            { "id": hash(viewer), "name": "Viewer", "type": "query", "body": viewer, "organisations": ["arbetsformedlingen"] },
            { "id": hash(directory), "name": "Directory", "type": "query", "body": directory },
        ]
    });
    let documents =
        PersistedDocuments::from_manifest(&manifest.to_string(), TrustedDocumentsMode::Enforce)
            .expect("manifest");
    let app = TestApp::builder().documents(documents).start().await;
    let af = app
        .token("arbetsformedlingen", "partner", &[], "af-staff")
        .await;
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "k-staff")
        .await;

    let body = post(
        &app,
        Some(&af),
        json!({ "extensions": persisted(&hash(viewer)) }),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["organisation"]["slug"], "arbetsformedlingen",
        "{body}"
    );
    // The same text sent whole is the same trusted document.
    let body = post(&app, Some(&af), json!({ "query": viewer })).await;
    assert_eq!(body["data"]["viewer"]["role"], "PARTNER", "{body}");
    // Another organisation may not run it; everyone may run the directory.
    let body = post(
        &app,
        Some(&kommun),
        json!({ "extensions": persisted(&hash(viewer)) }),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_ALLOWED"],
        "{body}"
    );
    let body = post(
        &app,
        None,
        json!({ "extensions": persisted(&hash(directory)) }),
    )
    .await;
    assert!(
        body["data"]["partnerOrganisations"]["totalCount"].is_number(),
        "{body}"
    );
    // Anything else is refused, and nothing registers.
    let other = "{ viewer { role } }";
    let body = post(&app, Some(&af), json!({ "query": other })).await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_ALLOWED"],
        "{body}"
    );
    let body = post(
        &app,
        Some(&af),
        json!({ "query": other, "extensions": persisted(&hash(other)) }),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_ALLOWED"],
        "{body}"
    );
    let body = post(
        &app,
        Some(&af),
        json!({ "extensions": persisted(&hash(other)) }),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_ALLOWED"],
        "{body}"
    );
}
