use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const CREATE: &str = "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) {
    employer { id name organisationNumber city } userErrors { field message code } } }";
const UPDATE: &str = "mutation($input: UpdateEmployerInput!) { updateEmployer(input: $input) {
    employer { id name city industry } userErrors { field message code } } }";

#[tokio::test]
async fn an_employer_is_registered_with_a_checked_organisation_number_once() {
    let app = spawn_app().await;
    let token = app
        .token(
            "arbetsformedlingen",
            "partner",
            &["employers:write", "employers:read"],
            "staff-1",
        )
        .await;
    let before = entity::employer::Entity::find()
        .count(&app.db)
        .await
        .expect("count");

    let body = app
        .graphql_as(&token, CREATE, json!({ "input": { "name": "Exempel Städ AB", "organisationNumber": "5560160680", "city": "Norrköping" } }))
        .await;
    let payload = &body["data"]["createEmployer"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["employer"]["organisationNumber"], "556016-0680");

    for (number, code) in [("556016-0681", "INVALID"), ("556016-0680", "TAKEN")] {
        let body = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "input": { "name": "Dubblett AB", "organisationNumber": number } }),
            )
            .await;
        let payload = &body["data"]["createEmployer"];
        assert_eq!(payload["employer"], Value::Null, "{body}");
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "organisationNumber"]),
            "{body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], code, "{body}");
    }
    assert_eq!(
        entity::employer::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        before + 1
    );
}

#[tokio::test]
async fn an_employer_updates_itself_but_not_another_employer() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "{ employers(first: 2) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let own = body["data"]["employers"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other = body["data"]["employers"]["edges"][1]["node"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let own_uuid = {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&own)
            .expect("id");
        String::from_utf8(raw)
            .expect("utf-8")
            .split_once(':')
            .expect("typed id")
            .1
            .to_owned()
    };
    let employer = app
        .token(
            "hyresbostader",
            "employer",
            &["employers:write"],
            &format!("employer:{own_uuid}"),
        )
        .await;
    let body = app
        .graphql_as(
            &employer,
            UPDATE,
            json!({ "input": { "id": own, "city": null, "industry": "events" } }),
        )
        .await;
    let updated = &body["data"]["updateEmployer"]["employer"];
    assert_eq!(updated["city"], Value::Null, "{body}");
    assert_eq!(updated["industry"], "events");

    let body = app
        .graphql_as(
            &employer,
            UPDATE,
            json!({ "input": { "id": other, "name": "Kapad" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = app
        .graphql_as(
            &admin,
            "query($id: ID!) { employer(id: $id) { name } }",
            json!({ "id": other }),
        )
        .await;
    assert_ne!(body["data"]["employer"]["name"], "Kapad");
}
