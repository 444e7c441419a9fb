use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const OPEN_SLOTS: &str = r#"
query($first: Int) {
  openInternshipSlots(first: $first) {
    totalCount
    edges { node { id title kind status places wantedSkills employer { id name openSlots { title } } } }
  }
}"#;

fn nodes(body: &Value, field: &str) -> Vec<Value> {
    body["data"][field]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn open_slots_lists_only_open_slots_with_their_employer_and_skills() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = app
        .graphql_as(&token, OPEN_SLOTS, json!({ "first": 50 }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let slots = nodes(&body, "openInternshipSlots");
    // The demo network has eight slots: six open, one filled, one draft.
    assert_eq!(slots.len(), 6);
    assert_eq!(body["data"]["openInternshipSlots"]["totalCount"], 6);
    assert!(slots.iter().all(|s| s["status"] == "OPEN"));
    let warehouse = slots
        .iter()
        .find(|s| s["title"] == "Praktik på lager")
        .expect("warehouse slot");
    assert_eq!(warehouse["wantedSkills"], json!(["driving", "warehouse"]));
    assert_eq!(
        warehouse["employer"]["name"],
        "Exempel Logistik Norrköping AB"
    );
    assert_eq!(warehouse["kind"], "INTERNSHIP");
}

#[tokio::test]
async fn nested_fields_are_batched_so_statements_do_not_grow_with_the_page() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    // Warm up (prepared statements, pool) before counting.
    app.graphql_as(&token, OPEN_SLOTS, json!({ "first": 1 }))
        .await;

    app.take_statement_count();
    app.graphql_as(&token, OPEN_SLOTS, json!({ "first": 1 }))
        .await;
    let one = app.take_statement_count();

    app.graphql_as(&token, OPEN_SLOTS, json!({ "first": 50 }))
        .await;
    let many = app.take_statement_count();

    // The caller's organisation, then page, count, skills, employers and
    // the employers' open slots.
    assert_eq!(many, one, "statements grew with the page size");
    assert!(many <= 6, "{many} statements for one page");
}

#[tokio::test]
async fn an_employer_and_an_open_slot_are_found_by_id() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = app
        .graphql_as(&token, OPEN_SLOTS, json!({ "first": 1 }))
        .await;
    let slot = &nodes(&body, "openInternshipSlots")[0];

    let body = app
        .graphql_as(
            &token,
            "query($id: ID!) { internshipSlot(id: $id) { title employer { name } } }",
            json!({ "id": slot["id"] }),
        )
        .await;
    assert_eq!(body["data"]["internshipSlot"]["title"], slot["title"]);

    let body = app
        .graphql_as(
            &token,
            "query($id: ID!) { employer(id: $id) { name organisationNumber } }",
            json!({ "id": slot["employer"]["id"] }),
        )
        .await;
    assert_eq!(body["data"]["employer"]["name"], slot["employer"]["name"]);
    let number = body["data"]["employer"]["organisationNumber"]
        .as_str()
        .expect("number");
    assert!(portalen_api::domain::OrganisationNumber::parse(number).is_ok());
}

#[tokio::test]
async fn ids_of_the_wrong_type_are_bad_input_and_unknown_ids_are_not_found() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = app
        .graphql_as(&token, OPEN_SLOTS, json!({ "first": 1 }))
        .await;
    let slot = &nodes(&body, "openInternshipSlots")[0];

    // A slot's id is not an employer's id.
    let body = app
        .graphql_as(
            &token,
            "query($id: ID!) { employer(id: $id) { name } }",
            json!({ "id": slot["id"] }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);

    // A well-formed id of nothing.
    let missing = base64_url(&format!("Employer:{}", uuid::Uuid::now_v7()));
    let body = app
        .graphql_as(
            &token,
            "query($id: ID!) { employer(id: $id) { name } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
}

#[tokio::test]
async fn draft_and_filled_slots_are_not_found_by_a_partner_of_another_organisation() {
    let app = spawn_app().await;
    // Norrköpings kommun is not the employer of either hidden slot.
    let token = app
        .token("norrkopings-kommun", "partner", &["slots:read"], "staff-1")
        .await;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let hidden = entity::internship_slot::Entity::find()
        .filter(entity::internship_slot::Column::Status.ne(entity::SlotStatus::Open))
        .all(&app.db)
        .await
        .expect("slots");
    assert_eq!(hidden.len(), 2);
    for slot in hidden {
        let id = base64_url(&format!("InternshipSlot:{}", slot.id));
        let query = "query($id: ID!) { internshipSlot(id: $id) { title } }";
        let body = app.graphql_as(&token, query, json!({ "id": id })).await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{}", slot.title);
        let admin = app.admin_token().await;
        let body = app.graphql_as(&admin, query, json!({ "id": id })).await;
        assert_eq!(body["data"]["internshipSlot"]["title"], slot.title.as_str());
    }
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
