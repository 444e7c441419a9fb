//! What participants give (the 50/50): recorded, shown on the profile,
//! refused when it makes no sense, and its description erased with them.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::{error_codes, spawn_app};

const RECORD: &str = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) {
  contribution { kind hours occurredOn description activity { title } } userErrors { field message } } }";

#[tokio::test]
async fn what_a_participant_gives_is_on_their_profile_and_nonsense_is_refused() {
    let app = spawn_app().await;
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "coordinator-kommun")
        .await;
    let body = app
        .graphql_as(
            &kommun,
            "{ participants(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let participant = body["data"]["participants"]["nodes"][0]["id"].clone();
    let body = app
        .graphql_as(
            &kommun,
            "{ activities(filter: {kind: [LANGUAGE_CAFE], site: [HAGEBY]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    let cafe = body["data"]["activities"]["nodes"][0]["id"].clone();

    let body = app
        .graphql_as(&kommun, RECORD, json!({"input": {"participantId": participant, "kind": "HOSTING",
            "occurredOn": "2026-11-03", "hours": 2.5, "activityId": cafe, "description": "Höll i fikat"}}))
        .await;
    assert_eq!(
        body["data"]["recordContribution"]["contribution"],
        json!({"kind": "HOSTING", "hours": 2.5, "occurredOn": "2026-11-03", "description": "Höll i fikat",
               "activity": {"title": "Språkkafé på Hageby"}}),
        "{body}"
    );
    app.graphql_as(
        &kommun,
        RECORD,
        json!({"input": {"participantId": participant, "kind": "INTERPRETING",
        "occurredOn": "2026-11-20", "hours": 1}}),
    )
    .await;
    let body = app
        .graphql_as(
            &kommun,
            "query($id: ID!) { participant(id: $id) { contributions { kind hours } } }",
            json!({"id": participant}),
        )
        .await;
    assert_eq!(
        body["data"]["participant"]["contributions"],
        json!([{"kind": "INTERPRETING", "hours": 1.0}, {"kind": "HOSTING", "hours": 2.5}]),
        "newest first: {body}"
    );

    let before = entity::contribution::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    for (input, field) in [
        (json!({"hours": 0}), "hours"),
        (json!({"hours": 25}), "hours"),
        (json!({"occurredOn": "2999-01-01"}), "occurredOn"),
    ] {
        let mut full = json!({"participantId": participant, "kind": "OTHER", "occurredOn": "2026-11-01", "hours": 1});
        for (k, v) in input.as_object().expect("object") {
            full[k] = v.clone();
        }
        let body = app
            .graphql_as(&kommun, RECORD, json!({"input": full}))
            .await;
        assert_eq!(
            body["data"]["recordContribution"]["userErrors"][0]["field"],
            json!(["input", field]),
            "{body}"
        );
    }
    let kyrkan = app
        .token("svenska-kyrkan", "partner", &[], "coordinator-kyrkan")
        .await;
    let hidden = app
        .graphql_as(&kyrkan, RECORD, json!({"input": {"participantId": participant, "kind": "OTHER", "occurredOn": "2026-11-01", "hours": 1}}))
        .await;
    let seen_by_kyrkan = app
        .graphql_as(
            &kyrkan,
            "query($id: ID!) { participant(id: $id) { id } }",
            json!({"id": participant}),
        )
        .await;
    if seen_by_kyrkan["data"]["participant"].is_null() {
        assert_eq!(error_codes(&hidden), ["NOT_FOUND"], "{hidden}");
        assert_eq!(
            entity::contribution::Entity::find()
                .count(&app.db)
                .await
                .expect("count"),
            before
        );
    }

    // Erasure keeps the count and drops the words.
    let admin = app.admin_token().await;
    app.graphql_as(
        &admin,
        "mutation($id: ID!) { eraseParticipant(input: {id: $id}) { participant { id } } }",
        json!({"id": participant}),
    )
    .await;
    let rows = entity::contribution::Entity::find()
        .all(&app.db)
        .await
        .expect("rows");
    assert!(rows.len() >= 2);
    assert!(rows.iter().all(|r| r.description.is_none()), "{rows:?}");
}
