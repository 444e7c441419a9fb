//! What generated client types and normalised caches rely on: unknown
//! lookups are `null` with NOT_FOUND (never a missing key), keys come in
//! the order of the selection, root types carry the names Apollo's type
//! policies look for, scalars are documented with `@specifiedBy`, every
//! type has a description, and every object has `createdAt`/`updatedAt`.

use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

#[tokio::test]
async fn an_unknown_lookup_is_null_with_not_found_and_the_rest_of_the_answer_stands() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let unknown = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode("Placement:00000000-0000-7000-8000-000000000000")
    };
    for field in [
        "placement",
        "participant",
        "employer",
        "mentor",
        "mentorship",
        "consent",
        "internshipSlot",
        "node",
    ] {
        let query =
            format!("query($id: ID!) {{ viewer {{ role }} {field}(id: $id) {{ __typename }} }}");
        let body = app
            .graphql_as(&admin, &query, json!({ "id": unknown }))
            .await;
        let data = body["data"].as_object().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(data.get(field), Some(&Value::Null), "{field}: {body}");
        assert_eq!(body["data"]["viewer"]["role"], "ADMINISTRATOR", "{body}");
        let codes = error_codes(&body);
        assert!(
            codes == ["NOT_FOUND"] || codes == ["BAD_USER_INPUT"],
            "{field}: {body}"
        );
        assert_eq!(body["errors"][0]["path"], json!([field]), "{body}");
    }
}

#[tokio::test]
async fn a_failed_non_null_field_nulls_its_parent_and_a_failed_nullable_field_is_null() {
    let app = spawn_app().await;
    // Anonymous: the directory answers; the employers hanging off it need a token.
    let body = app
        .graphql(
            "{ partnerOrganisation(slug: \"vita-hasten\") { name employers { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "partnerOrganisation": { "name": "HC Vita Hästen", "employers": null } }),
        "{body}"
    );
    // A personal field without participants:pii is null in place, in order.
    let token = app
        .token("hyresbostader", "partner", &["participants:read"], "staff")
        .await;
    let body = app
        .graphql_as(
            &token,
            "{ participants(first: 1) { edges { node { displayName email familyName site } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["participants"]["edges"][0]["node"];
    let keys: Vec<&String> = node.as_object().expect("a node").keys().collect();
    assert_eq!(
        keys,
        ["displayName", "email", "familyName", "site"],
        "{body}"
    );
    assert_eq!(node["email"], Value::Null);
    assert_eq!(error_codes(&body), ["FORBIDDEN", "FORBIDDEN"], "{body}");
}

#[tokio::test]
async fn keys_come_in_the_order_of_the_selection_set() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let query = "{ partnerOrganisations(first: 3) { edges { node { slug name kind network } cursor } totalCount pageInfo { hasNextPage endCursor } } viewer { scopes role } }";
    let response = app.post_graphql(Some(&admin), query, json!({})).await;
    let text = response.text().await.expect("text");
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    assert!(position("\"slug\"") < position("\"name\""), "{text}");
    assert!(position("\"name\"") < position("\"kind\""), "{text}");
    assert!(position("\"kind\"") < position("\"network\""), "{text}");
    assert!(position("\"edges\"") < position("\"totalCount\""), "{text}");
    assert!(
        position("\"totalCount\"") < position("\"pageInfo\""),
        "{text}"
    );
    assert!(
        position("\"hasNextPage\"") < position("\"endCursor\""),
        "{text}"
    );
    assert!(
        position("\"partnerOrganisations\"") < position("\"viewer\""),
        "{text}"
    );
    assert!(position("\"scopes\"") < position("\"role\""), "{text}");
    // With aliases and fragments, the first occurrence decides.
    let response = app
        .post_graphql(
            Some(&admin),
            "{ z: viewer { ...V role } a: partnerOrganisation(slug: \"abf-ostergotland\") { slug } } fragment V on Viewer { subject }",
            json!({}),
        )
        .await;
    let text = response.text().await.expect("text");
    assert!(text.find("\"z\"") < text.find("\"a\""), "{text}");
    assert!(text.find("\"subject\"") < text.find("\"role\""), "{text}");
}

#[tokio::test]
async fn the_schema_follows_client_conventions() {
    let app = spawn_app().await;
    let body = app
        .graphql(
            "{ __schema { queryType { name } mutationType { name } subscriptionType { name }
               types { name kind description specifiedByURL } } }",
            json!({}),
        )
        .await;
    let schema = &body["data"]["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(schema["mutationType"]["name"], "Mutation");
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
    let types = schema["types"].as_array().expect("types");
    let find = |name: &str| types.iter().find(|t| t["name"] == name).cloned();
    assert!(find("NaiveDate").is_none(), "no Rust type names");
    for (scalar, url) in [
        (
            "Date",
            "https://scalars.graphql.org/andimarek/local-date.html",
        ),
        (
            "DateTime",
            "https://scalars.graphql.org/andimarek/date-time.html",
        ),
        ("JSON", "https://www.rfc-editor.org/rfc/rfc8259"),
    ] {
        let ty = find(scalar).unwrap_or_else(|| panic!("{scalar}"));
        assert_eq!(ty["specifiedByURL"], url, "{ty}");
        let description = ty["description"].as_str().unwrap_or_default();
        assert!(
            !description.is_empty() && !description.contains("Implement"),
            "{ty}"
        );
    }
    for ty in types {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        assert!(
            ty["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name} has no description"
        );
    }
    // The committed SDL says the same.
    let sdl = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"),
    )
    .expect("schema.graphql");
    assert!(sdl.contains(
        "scalar Date @specifiedBy(url: \"https://scalars.graphql.org/andimarek/local-date.html\")"
    ));
}

#[tokio::test]
async fn every_object_has_created_and_updated_times_and_audit_events_are_nodes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql(
            "{ __schema { types { name kind fields { name } interfaces { name } } } }",
            json!({}),
        )
        .await;
    let types = body["data"]["__schema"]["types"].as_array().expect("types");
    for ty in types.iter().filter(|t| {
        t["interfaces"]
            .as_array()
            .is_some_and(|i| i.iter().any(|i| i["name"] == "Node"))
    }) {
        let fields: Vec<&str> = ty["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        for stamp in ["createdAt", "updatedAt"] {
            assert!(fields.contains(&stamp), "{} has no {stamp}", ty["name"]);
        }
    }
    assert!(
        types.iter().any(|t| t["name"] == "AuditEvent"
            && t["interfaces"]
                .as_array()
                .is_some_and(|i| i.iter().any(|i| i["name"] == "Node"))),
        "AuditEvent implements Node"
    );
    // A mutation leaves an event; it is found again by its global id.
    app.graphql_as(
        &admin,
        "mutation { createParticipant(input: { displayName: \"Noden\", consentPurpose: \"Praktik\" }) { participant { id createdAt updatedAt } } }",
        json!({}),
    )
    .await;
    let body = app
        .graphql_as(
            &admin,
            "{ auditEvents(last: 1) { edges { node { id operation createdAt } } } }",
            json!({}),
        )
        .await;
    let event = &body["data"]["auditEvents"]["edges"][0]["node"];
    assert_eq!(event["operation"], "createParticipant", "{body}");
    let body = app
        .graphql_as(
            &admin,
            "query($id: ID!) { node(id: $id) { id ... on AuditEvent { operation } } }",
            json!({ "id": event["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["node"]["operation"], "createParticipant",
        "{body}"
    );
    // Not for a partner.
    let partner = app.token("hyresbostader", "partner", &[], "staff").await;
    let body = app
        .graphql_as(
            &partner,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": event["id"] }),
        )
        .await;
    assert_eq!(body["data"]["node"], Value::Null, "{body}");
}

#[tokio::test]
async fn user_errors_list_every_invalid_field_with_its_path() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = app.participant_count().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } userErrors { field message code } } }",
            json!({ "input": {
                "displayName": "  ",
                "email": "not-an-address",
                "phone": "call me",
                "consentPurpose": "Praktik",
                "languages": [{ "language": "ti", "level": "NATIVE" }, { "language": "not a code", "level": "BASIC" }],
            } }),
        )
        .await;
    let payload = &body["data"]["createParticipant"];
    assert_eq!(payload["participant"], Value::Null, "{body}");
    let fields: Vec<Value> = payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    for expected in [
        json!(["input", "displayName"]),
        json!(["input", "email"]),
        json!(["input", "phone"]),
        json!(["input", "languages", "1", "language"]),
    ] {
        assert!(fields.contains(&expected), "{expected} in {body}");
    }
    assert!(
        payload["userErrors"]
            .as_array()
            .expect("errors")
            .iter()
            .all(|e| e["code"] == "INVALID")
    );
    assert_eq!(app.participant_count().await, before, "nothing created");

    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { employer { id } userErrors { field code } } }",
            json!({ "input": { "name": "", "organisationNumber": "556016-0681", "postalCode": "12345678901" } }),
        )
        .await;
    assert_eq!(
        body["data"]["createEmployer"]["userErrors"],
        json!([
            { "field": ["input", "organisationNumber"], "code": "INVALID" },
            { "field": ["input", "name"], "code": "INVALID" },
            { "field": ["input", "postalCode"], "code": "INVALID" },
        ]),
        "{body}"
    );
}

#[tokio::test]
async fn a_client_mutation_id_comes_back_with_the_payload() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { clientMutationId participant { id } } }",
            json!({ "input": { "displayName": "Echo", "consentPurpose": "Praktik", "clientMutationId": "dash-41" } }),
        )
        .await;
    assert_eq!(
        body["data"]["createParticipant"]["clientMutationId"], "dash-41",
        "{body}"
    );
    // Refused input echoes it too, so the client can match the answer.
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { clientMutationId userErrors { code } } }",
            json!({ "input": { "name": "Eko AB", "organisationNumber": "556016-0681", "clientMutationId": "dash-42" } }),
        )
        .await;
    assert_eq!(
        body["data"]["createEmployer"]["clientMutationId"], "dash-42",
        "{body}"
    );
    assert_eq!(
        body["data"]["createEmployer"]["userErrors"][0]["code"],
        "INVALID"
    );
    // Without one, null.
    let body = app
        .graphql_as(
            &admin,
            "mutation { createParticipant(input: { displayName: \"No echo\", consentPurpose: \"x\" }) { clientMutationId } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["createParticipant"]["clientMutationId"],
        Value::Null,
        "{body}"
    );
}
