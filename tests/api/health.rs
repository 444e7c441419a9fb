use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ready_while_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone_while_healthz_stays_ok() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    match app.database.backend {
        // The server drops the database and every connection to it.
        Backend::Postgres => app.database.drop_now().await,
        // An embedded file cannot vanish under open connections; closing the
        // shared pool is what the process sees when SQLite is unusable.
        Backend::Sqlite => app.db.close_by_ref().await.expect("close the pool"),
    }
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_query_during_a_database_outage_is_service_unavailable_masked_with_a_request_id() {
    let app = spawn_app().await;
    match app.database.backend {
        Backend::Postgres => app.database.drop_now().await,
        Backend::Sqlite => app.db.close_by_ref().await.expect("close the pool"),
    }
    let body = app
        .graphql(
            "{ partnerOrganisations { edges { node { name } } } }",
            serde_json::json!({}),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "SERVICE_UNAVAILABLE", "{body}");
    assert_eq!(
        error["message"],
        "the service is temporarily unavailable; try again shortly"
    );
    assert!(
        error["extensions"]["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    let text = body.to_string().to_lowercase();
    for leak in ["sql", "pool", "database", "sqlx", ".rs"] {
        assert!(!text.contains(leak), "response leaks {leak:?}: {text}");
    }
}

#[tokio::test]
async fn stopping_lets_the_server_finish_and_refuse_new_connections() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.stop().await;
    let after = app
        .client
        .get(format!("{}/healthz", app.address))
        .timeout(std::time::Duration::from_secs(2))
        .send()
        .await;
    assert!(after.is_err(), "a stopped server still answered");
}
