use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const CREATE: &str = "mutation($input: CreateMentorInput!) { createMentor(input: $input) {
    mentor { id givenName capacity spareCapacity languages expertise partnerOrganisation { slug } } userErrors { field message code } } }";
const UPDATE: &str = "mutation($input: UpdateMentorInput!) { updateMentor(input: $input) {
    mentor { id givenName capacity languages active } userErrors { field message code } } }";

#[tokio::test]
async fn a_partner_registers_a_mentor_for_itself_and_the_mentor_updates_themselves() {
    let app = spawn_app().await;
    let partner = app
        .token(
            "svenska-kyrkan",
            "partner",
            &["mentors:read", "mentors:write"],
            "staff-1",
        )
        .await;
    let body = app
        .graphql_as(&partner, CREATE, json!({ "input": { "givenName": "Birgitta", "capacity": 2, "languages": ["SV", "en"], "expertise": ["Elder care"] } }))
        .await;
    let mentor = &body["data"]["createMentor"]["mentor"];
    assert_eq!(
        body["data"]["createMentor"]["userErrors"],
        json!([]),
        "{body}"
    );
    assert_eq!(mentor["partnerOrganisation"]["slug"], "svenska-kyrkan");
    assert_eq!(mentor["languages"], json!(["en", "sv"]));
    assert_eq!(mentor["expertise"], json!(["elder care"]));
    assert_eq!(mentor["spareCapacity"], 2);

    let id = mentor["id"].as_str().expect("id").to_owned();
    let uuid = {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&id)
            .expect("id");
        String::from_utf8(raw)
            .expect("utf-8")
            .split_once(':')
            .expect("typed")
            .1
            .to_owned()
    };
    let herself = app
        .token(
            "svenska-kyrkan",
            "mentor",
            &["mentors:read", "mentors:write"],
            &format!("mentor:{uuid}"),
        )
        .await;
    let body = app
        .graphql_as(
            &herself,
            UPDATE,
            json!({ "input": { "id": id, "languages": ["sv", "ar"], "active": false } }),
        )
        .await;
    let updated = &body["data"]["updateMentor"]["mentor"];
    assert_eq!(updated["languages"], json!(["ar", "sv"]), "{body}");
    assert_eq!(updated["active"], false);
    assert_eq!(updated["capacity"], 2, "not given, so kept");
}

#[tokio::test]
async fn invalid_mentor_input_changes_nothing_and_partners_stay_in_their_organisation() {
    let app = spawn_app().await;
    let partner = app
        .token(
            "svenska-kyrkan",
            "partner",
            &["mentors:read", "mentors:write"],
            "staff-1",
        )
        .await;
    let before = entity::mentor::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    for (input, field) in [
        (json!({ "givenName": "", "capacity": 1 }), "givenName"),
        (json!({ "givenName": "A", "capacity": 21 }), "capacity"),
        (json!({ "givenName": "A", "email": "nope" }), "email"),
        (
            json!({ "givenName": "A", "languages": ["not a code"] }),
            "languages",
        ),
    ] {
        let body = app
            .graphql_as(&partner, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            body["data"]["createMentor"]["mentor"],
            Value::Null,
            "{input}"
        );
        // The path names the field, and inside a list the item.
        assert_eq!(
            body["data"]["createMentor"]["userErrors"][0]["field"]
                .as_array()
                .map(|path| path[..2].to_vec()),
            Some(vec![json!("input"), json!(field)]),
            "{input}: {body}"
        );
    }
    let body = app
        .graphql_as(
            &partner,
            CREATE,
            json!({ "input": { "givenName": "A", "partnerSlug": "vita-hasten" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(
        entity::mentor::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        before
    );
}
