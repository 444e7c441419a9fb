//! The audit trail: what writes an event, what does not, what an event
//! holds (names, never personal values), and that nobody can change it.

use entity::audit_event;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const CREATE: &str = "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } userErrors { field code } } }";
const UPDATE: &str = "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { participant { id } userErrors { field code } } }";
const EVENTS: &str = "query($filter: AuditEventFilter) { auditEvents(filter: $filter, first: 100) {
    totalCount edges { node { actor role kind operation entity entityId fields requestId organisationId occurredAt } } } }";

async fn events(app: &TestApp, token: &str, filter: Value) -> Vec<Value> {
    let body = app
        .graphql_as(token, EVENTS, json!({ "filter": filter }))
        .await;
    body["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn stored(app: &TestApp) -> u64 {
    audit_event::Entity::find()
        .count(&app.db)
        .await
        .expect("count")
}

fn uuid_of(global_id: &str) -> String {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .expect("id");
    String::from_utf8(raw)
        .expect("utf-8")
        .split_once(':')
        .expect("typed")
        .1
        .to_owned()
}

#[tokio::test]
async fn a_mutation_writes_one_event_with_field_names_and_no_values() {
    let app = spawn_app().await;
    let partner = app
        .token("hyresbostader", "partner", &[], "hb-staff-7")
        .await;
    let body = app
        .graphql_as(
            &partner,
            CREATE,
            json!({ "input": { "displayName": "Auditia", "familyName": "Synthetica",
                "email": "auditia@example.org", "consentPurpose": "Studiecirkel" } }),
        )
        .await;
    let id = body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let admin = app.admin_token().await;
    let found = events(&app, &admin, json!({ "actor": "hb-staff-7" })).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let event = &found[0];
    assert_eq!(event["kind"], "MUTATION");
    assert_eq!(event["operation"], "createParticipant");
    assert_eq!(event["entity"], "participant");
    assert_eq!(event["entityId"], uuid_of(&id).as_str());
    assert_eq!(event["role"], "partner");
    assert_eq!(
        event["fields"],
        json!(["consentPurpose", "displayName", "email", "familyName"])
    );
    assert!(event["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    let text = serde_json::to_string(&found).expect("json");
    for value in [
        "Auditia",
        "Synthetica",
        "auditia@example.org",
        "Studiecirkel",
    ] {
        assert!(!text.contains(value), "{value} in the audit trail: {text}");
    }
}

#[tokio::test]
async fn a_refused_or_failed_mutation_writes_no_event() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = stored(&app).await;
    // Invalid input: a user error.
    let body = app
        .graphql_as(
            &admin,
            CREATE,
            json!({ "input": { "displayName": "", "consentPurpose": "x" } }),
        )
        .await;
    assert_eq!(
        body["data"]["createParticipant"]["userErrors"][0]["code"], "INVALID",
        "{body}"
    );
    // Not allowed: an employer.
    let employer = app
        .token(
            "vita-hasten",
            "employer",
            &[],
            "employer:00000000-0000-7000-8000-000000000000",
        )
        .await;
    let body = app
        .graphql_as(
            &employer,
            CREATE,
            json!({ "input": { "displayName": "Nope", "consentPurpose": "x" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    // Not found.
    let body = app
        .graphql_as(
            &admin,
            UPDATE,
            json!({ "input": { "id": "UGFydGljaXBhbnQ6MDE5YTAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw", "goal": "x" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    assert_eq!(stored(&app).await, before, "nothing audited");
}

#[tokio::test]
async fn reading_personal_fields_is_audited_and_other_reads_are_not() {
    let app = spawn_app().await;
    let partner = app
        .token("hyresbostader", "partner", &[], "hb-staff-2")
        .await;
    let admin = app.admin_token().await;
    let before = stored(&app).await;
    let body = app
        .graphql_as(
            &partner,
            "{ participants(first: 3) { edges { node { id displayName skills } } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(stored(&app).await, before, "no personal field, no event");

    let body = app
        .graphql_as(
            &partner,
            "query Contacts { participants(first: 3) { edges { node { id email familyName } } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let ids: Vec<String> = body["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| uuid_of(e["node"]["id"].as_str().expect("id")))
        .collect();
    assert_eq!(ids.len(), 3);
    let found = events(
        &app,
        &admin,
        json!({ "actor": "hb-staff-2", "kind": "READ" }),
    )
    .await;
    assert_eq!(found.len(), 3, "one event per participant read: {found:?}");
    for event in &found {
        assert_eq!(event["operation"], "Contacts");
        assert_eq!(event["fields"], json!(["email", "familyName"]));
        assert!(ids.contains(&event["entityId"].as_str().expect("id").to_owned()));
    }
}

#[tokio::test]
async fn the_trail_filters_by_actor_organisation_entity_kind_and_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let start = chrono::Utc::now();
    for (org, subject) in [
        ("abf-ostergotland", "abf-1"),
        ("svenska-kyrkan", "kyrkan-1"),
    ] {
        let token = app.token(org, "partner", &[], subject).await;
        let body = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "input": { "displayName": "Filtra", "consentPurpose": "x" } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let kyrkan_id = {
        let body = app
            .graphql(
                "{ partnerOrganisation(slug: \"svenska-kyrkan\") { id } }",
                json!({}),
            )
            .await;
        body["data"]["partnerOrganisation"]["id"].clone()
    };
    let by_org = events(&app, &admin, json!({ "organisationId": kyrkan_id })).await;
    assert_eq!(by_org.len(), 1, "{by_org:?}");
    assert_eq!(by_org[0]["actor"], "kyrkan-1");
    let since = events(
        &app,
        &admin,
        json!({ "from": start.to_rfc3339(), "entity": "participant", "kind": "MUTATION" }),
    )
    .await;
    assert_eq!(since.len(), 2, "{since:?}");
    let before = events(&app, &admin, json!({ "until": start.to_rfc3339() })).await;
    assert!(before.is_empty(), "{before:?}");
    let body = app
        .graphql_as(
            &admin,
            EVENTS,
            json!({ "filter": { "from": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    // Only administrators with audit:read.
    let without = app
        .token(
            "hyresbostader",
            "administrator",
            &["participants:read"],
            "coordinator-2",
        )
        .await;
    let body = app.graphql_as(&without, EVENTS, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_events() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            CREATE,
            json!({ "input": { "displayName": "Permanentia", "consentPurpose": "x" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let before = stored(&app).await;
    assert!(before > 0);
    let backend = app.db.get_database_backend();
    for sql in [
        "UPDATE audit_event SET actor = 'someone-else'",
        "DELETE FROM audit_event",
    ] {
        let result = app
            .db
            .execute_raw(Statement::from_string(backend, sql))
            .await;
        let err = result.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(stored(&app).await, before);
    let rows = audit_event::Entity::find()
        .all(&app.db)
        .await
        .expect("rows");
    assert!(rows.iter().all(|r| r.actor != "someone-else"));
}
