//! Timeouts: a request that cannot finish in time is abandoned with 503
//! TIMEOUT and leaves nothing behind; PostgreSQL cancels a statement that
//! runs past the statement timeout.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const CREATE: &str = "mutation { createParticipant(input: { displayName: \"Väntar\", consentPurpose: \"Matchning\" }) { participant { id } } }";

#[tokio::test]
async fn a_request_blocked_past_the_timeout_answers_503_and_leaves_nothing() {
    let app = TestApp::builder()
        .request_timeout(Duration::from_secs(1))
        .start()
        .await;
    let token = app.admin_token().await;
    let before = app.participant_count().await;

    // Another writer holds the lock the mutation needs.
    let blocker = app.hold_participant_lock().await;

    let started = Instant::now();
    let response = app.post_graphql(Some(&token), CREATE, json!({})).await;
    let took = started.elapsed();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "answered after {took:?}"
    );
    blocker.rollback().await.expect("rollback");

    // With the lock gone the same mutation goes through, once.
    let body = app.graphql_as(&token, CREATE, json!({})).await;
    assert!(
        body["data"]["createParticipant"]["participant"]["id"].is_string(),
        "{body}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.participant_count().await,
        before + 1,
        "the abandoned one left nothing"
    );
}

#[tokio::test]
async fn postgresql_cancels_a_statement_past_the_statement_timeout() {
    let app = crate::helpers::spawn_app().await;
    if !app.on_postgres() {
        // SQLite has no statement timeout; its busy timeout bounds lock waits.
        return;
    }
    let mut settings = app.database.settings();
    settings.statement_timeout = Some(Duration::from_millis(500));
    let db = portalen_api::db::connect(&settings).await.expect("connect");
    let started = Instant::now();
    let err = db
        .execute_unprepared("SELECT pg_sleep(5)")
        .await
        .expect_err("cancelled");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(err.to_string().contains("statement timeout"), "{err}");
    // The pool is fine afterwards.
    db.execute_unprepared("SELECT 1").await.expect("select");
}
