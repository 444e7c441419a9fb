use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

async fn first_ids(app: &crate::helpers::TestApp, token: &str) -> (String, String, String) {
    let body = app
        .graphql_as(
            token,
            "{ participants(first: 1) { edges { node { id } } } placements(first: 1) { edges { node { id employer { id } } } } }",
            json!({}),
        )
        .await;
    let participant = body["data"]["participants"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("participant")
        .to_owned();
    let placement = &body["data"]["placements"]["edges"][0]["node"];
    (
        participant,
        placement["id"].as_str().expect("placement").to_owned(),
        placement["employer"]["id"]
            .as_str()
            .expect("employer")
            .to_owned(),
    )
}

#[tokio::test]
async fn node_resolves_every_type_by_its_global_id() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (participant, placement, employer) = first_ids(&app, &admin).await;
    let partner = app
        .graphql(
            "{ partnerOrganisation(slug: \"vita-hasten\") { id } }",
            json!({}),
        )
        .await["data"]["partnerOrganisation"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let query = "query($id: ID!) { node(id: $id) { __typename id } }";
    for (id, typename) in [
        (&participant, "Participant"),
        (&placement, "Placement"),
        (&employer, "Employer"),
        (&partner, "PartnerOrganisation"),
    ] {
        let body = app.graphql_as(&admin, query, json!({ "id": id })).await;
        assert_eq!(body["data"]["node"]["__typename"], typename, "{body}");
        assert_eq!(body["data"]["node"]["id"], json!(id));
    }
}

#[tokio::test]
async fn nodes_keeps_order_and_nulls_what_the_caller_may_not_see() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "{ participants(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let all: Vec<String> = body["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    // Migrationsverket sees only participants who consented to it: none in the demo.
    let outsider = app
        .token(
            "migrationsverket",
            "partner",
            &["participants:read"],
            "staff-1",
        )
        .await;
    let ids: Vec<&String> = all.iter().take(3).collect();
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    let body = app
        .graphql_as(&outsider, query, json!({ "ids": ids }))
        .await;
    assert_eq!(
        body["data"]["nodes"],
        json!([Value::Null, Value::Null, Value::Null]),
        "{body}"
    );

    let body = app.graphql_as(&admin, query, json!({ "ids": ids })).await;
    let got: Vec<&str> = body["data"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, ids.iter().map(|s| s.as_str()).collect::<Vec<_>>());
}

#[tokio::test]
async fn node_refuses_bad_ids_and_too_many_ids() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(&admin, "{ node(id: \"nope\") { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    let many: Vec<String> = (0..101).map(|_| "nope".to_owned()).collect();
    let body = app
        .graphql_as(
            &admin,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": many }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    // Without the type's scope, the type's nodes are forbidden.
    let (participant, ..) = first_ids(&app, &admin).await;
    let slots_only = app
        .token("hyresbostader", "partner", &["slots:read"], "staff-1")
        .await;
    let body = app
        .graphql_as(
            &slots_only,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": participant }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}
