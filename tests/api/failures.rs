//! Failures inside the server: an internal error reaches the client masked,
//! with a code and a request id and nothing of the SQL; a graceful stop lets
//! a request in flight finish.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_internal_error_is_masked_with_a_code_and_a_request_id() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    // A broken deployment: a table the API needs is gone.
    app.db
        .execute_unprepared("ALTER TABLE mentor RENAME TO mentor_moved_away")
        .await
        .expect("rename");
    let response = app
        .post_graphql(
            Some(&token),
            "{ partnerOrganisation(slug: \"vita-hasten\") { name mentors { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id")
        .to_owned();
    let text = response.text().await.expect("body");
    let body: Value = serde_json::from_str(&text).expect("json");
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
        "{body}"
    );
    assert_eq!(error["message"], "internal server error");
    assert_eq!(error["extensions"]["requestId"], request_id.as_str());
    // The rest of the query still answers.
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"],
        "HC Vita Hästen"
    );
    for internal in [
        "mentor_moved_away",
        "no such table",
        "relation",
        "SELECT",
        "sqlx",
        "sea_orm",
        ".rs",
        "/src/",
    ] {
        assert!(!text.contains(internal), "{internal:?} leaked: {text}");
    }
}

#[tokio::test]
async fn a_graceful_stop_lets_a_request_in_flight_finish() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let before = app.participant_count().await;
    // Hold the write lock so the request is surely in flight when the stop comes.
    let blocker = app.hold_participant_lock().await;
    let in_flight = {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": "mutation { createParticipant(input: { displayName: \"Sist ut\", consentPurpose: \"Matchning\" }) { participant { displayName } } }" }))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = {
        let handle = app.handle.clone();
        tokio::spawn(async move { handle.stop(true).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stopping.is_finished(), "the stop waits for the request");
    blocker.rollback().await.expect("release");

    let response = in_flight.await.expect("join").expect("an answer");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["data"]["createParticipant"]["participant"]["displayName"], "Sist ut",
        "{body}"
    );
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .expect("stopped")
        .expect("join");
    let after = app.participant_count().await;
    assert_eq!(after, before + 1);
    // And it no longer takes requests.
    assert!(
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .is_err()
    );
}
