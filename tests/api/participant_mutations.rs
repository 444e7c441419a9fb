use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const CREATE: &str =
    "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) {
    participant { id displayName status email languages { language level } skills }
    userErrors { field message code } } }";
const UPDATE: &str =
    "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) {
    participant { id displayName goal email skills languages { language } }
    userErrors { field message code } } }";

#[tokio::test]
async fn a_partner_registers_a_participant_with_only_a_name_and_then_sees_them() {
    let app = spawn_app().await;
    let token = app
        .token(
            "abf-ostergotland",
            "partner",
            &["participants:read", "participants:write"],
            "staff-1",
        )
        .await;
    let body = app
        .graphql_as(&token, CREATE, json!({ "input": { "displayName": "  Selam ", "consentPurpose": "Studiecirkel och matchning",
            "languages": [{ "language": "TI", "level": "NATIVE" }], "skills": ["Sewing", "cooking"] } }))
        .await;
    let payload = &body["data"]["createParticipant"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    let created = &payload["participant"];
    assert_eq!(created["displayName"], "Selam");
    assert_eq!(created["status"], "QUEUED");
    assert_eq!(
        created["languages"],
        json!([{ "language": "ti", "level": "NATIVE" }])
    );
    assert_eq!(created["skills"], json!(["cooking", "sewing"]));
    // The consent recorded makes the participant visible to the organisation.
    let found = app
        .graphql_as(
            &token,
            "query($id: ID!) { participant(id: $id) { displayName } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(
        found["data"]["participant"]["displayName"], "Selam",
        "{found}"
    );
}

#[tokio::test]
async fn invalid_input_is_a_user_error_and_creates_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let before = app.participant_count().await;
    for (input, field) in [
        (
            json!({ "displayName": " ", "consentPurpose": "x" }),
            "displayName",
        ),
        (
            json!({ "displayName": "A", "consentPurpose": "" }),
            "consentPurpose",
        ),
        (
            json!({ "displayName": "A", "consentPurpose": "x", "email": "not-an-address" }),
            "email",
        ),
        (
            json!({ "displayName": "A", "consentPurpose": "x", "phone": "12" }),
            "phone",
        ),
        (
            json!({ "displayName": "A", "consentPurpose": "x", "languages": [{ "language": "Tigrinya!", "level": "BASIC" }] }),
            "languages",
        ),
        (
            json!({ "displayName": "A", "consentPurpose": "x", "languages": [{ "language": "ti", "level": "BASIC" }, { "language": "ti", "level": "NATIVE" }] }),
            "languages",
        ),
        (
            json!({ "displayName": "x".repeat(101), "consentPurpose": "x" }),
            "displayName",
        ),
    ] {
        let body = app
            .graphql_as(&token, CREATE, json!({ "input": input }))
            .await;
        let payload = &body["data"]["createParticipant"];
        assert_eq!(payload["participant"], Value::Null, "{input}");
        // The path names the field, and inside a list the item.
        assert_eq!(
            payload["userErrors"][0]["field"]
                .as_array()
                .map(|path| path[..2].to_vec()),
            Some(vec![json!("input"), json!(field)]),
            "{input}: {body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], "INVALID");
    }
    assert_eq!(app.participant_count().await, before);
}

#[tokio::test]
async fn writing_personal_fields_needs_the_pii_scope() {
    let app = spawn_app().await;
    let without = app
        .token(
            "hyresbostader",
            "partner",
            &["participants:read", "participants:write"],
            "staff-1",
        )
        .await;
    let before = app.participant_count().await;
    let body = app
        .graphql_as(&without, CREATE, json!({ "input": { "displayName": "A", "consentPurpose": "x", "email": "a@example.org" } }))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(app.participant_count().await, before);
}

#[tokio::test]
async fn an_update_changes_given_fields_clears_nulls_and_is_all_or_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = app
        .graphql_as(
            &token,
            CREATE,
            json!({ "input": { "displayName": "Dawit", "consentPurpose": "x", "skills": ["driving"],
            "languages": [{ "language": "ti", "level": "NATIVE" }] } }),
        )
        .await;
    let id = body["data"]["createParticipant"]["participant"]["id"].clone();

    // One bad field refuses the whole update.
    let body = app
        .graphql_as(
            &token,
            UPDATE,
            json!({ "input": { "id": id, "skills": ["welding"], "email": "bad" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateParticipant"]["userErrors"][0]["field"],
        json!(["input", "email"]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &token,
            UPDATE,
            json!({ "input": { "id": id, "goal": "Truckkort" } }),
        )
        .await;
    let participant = &body["data"]["updateParticipant"]["participant"];
    assert_eq!(
        participant["skills"],
        json!(["driving"]),
        "the refused update changed skills: {body}"
    );
    assert_eq!(participant["goal"], "Truckkort");

    let body = app
        .graphql_as(&token, UPDATE, json!({ "input": { "id": id, "goal": null, "skills": ["welding", "driving"], "email": "dawit@example.org" } }))
        .await;
    let participant = &body["data"]["updateParticipant"]["participant"];
    assert_eq!(participant["goal"], Value::Null, "{body}");
    assert_eq!(participant["skills"], json!(["driving", "welding"]));
    assert_eq!(participant["email"], "dawit@example.org");
    assert_eq!(
        participant["languages"],
        json!([{ "language": "ti" }]),
        "languages not given, so kept"
    );
    assert_eq!(participant["displayName"], "Dawit");
}
