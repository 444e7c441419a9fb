//! The placement lifecycle over HTTP: every transition, every refusal, stale
//! versions, and slot capacity, including 50 accepts racing for 5 places.

use entity::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{self, gid};
use crate::helpers::{Fixture, TestApp, error_codes};

const PROPOSE: &str = "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) {
    placement { id status version kind startsOn } userErrors { field message } } }";

/// A partner with an employer that is its own, an open slot, and tokens.
struct World {
    partner: String,
    employer: String,
    other_employer: String,
    slot: Uuid,
}

async fn world(app: &TestApp, places: i32) -> World {
    let partner = fixtures::partner(app, "life", "Lifecycle partner").await;
    let mut employers = Vec::new();
    for n in [1, 2] {
        let name = format!("Workplace {n}");
        employers.push(fixtures::employer(app, partner.id, &name, 559_800_100 + n).await);
    }
    let slot = fixtures::open_slot(app, employers[0], places).await;
    World {
        partner: app.token("life", "partner", &[], "life-staff").await,
        employer: app
            .token(
                "life",
                "employer",
                &[],
                &format!("employer:{}", employers[0]),
            )
            .await,
        other_employer: app
            .token(
                "life",
                "employer",
                &[],
                &format!("employer:{}", employers[1]),
            )
            .await,
        slot,
    }
}

async fn participant(app: &TestApp, world: &World, name: &str) -> String {
    let body = app
        .graphql_as(
            &world.partner,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }",
            json!({ "input": { "displayName": name, "consentPurpose": "Praktik" } }),
        )
        .await;
    body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn propose(app: &TestApp, world: &World, participant: &str) -> (String, i64) {
    let body = app
        .graphql_as(
            &world.partner,
            PROPOSE,
            json!({ "input": { "participantId": participant, "slotId": gid("InternshipSlot", world.slot) } }),
        )
        .await;
    let placement = &body["data"]["proposePlacement"]["placement"];
    assert_eq!(placement["status"], "PROPOSED", "{body}");
    (
        placement["id"].as_str().expect("id").to_owned(),
        placement["version"].as_i64().expect("version"),
    )
}

async fn step(app: &TestApp, token: &str, op: &str, id: &str, version: i64, extra: Value) -> Value {
    let input_type = if op == "completePlacement" {
        "CompletePlacementInput"
    } else {
        "PlacementTransitionInput"
    };
    let mut input = json!({ "id": id, "version": version });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    app.graphql_as(
        token,
        &format!("mutation($input: {input_type}!) {{ {op}(input: $input) {{ placement {{ status version outcome }} userErrors {{ message }} }} }}"),
        json!({ "input": input }),
    )
    .await
}

async fn slot_status(app: &TestApp, slot: Uuid) -> SlotStatus {
    internship_slot::Entity::find_by_id(slot)
        .one(&app.db)
        .await
        .expect("read")
        .expect("slot")
        .status
}

#[tokio::test]
async fn a_placement_goes_from_proposal_to_outcome_each_step_by_its_side() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 3).await;
    let person = participant(&app, &world, "Amira").await;
    let (id, v) = propose(&app, &world, &person).await;

    // The partner may not accept for the employer; the employer may.
    let body = step(&app, &world.partner, "acceptPlacement", &id, v, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = step(
        &app,
        &world.other_employer,
        "acceptPlacement",
        &id,
        v,
        json!({}),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["NOT_FOUND"],
        "another employer cannot see it: {body}"
    );
    let body = step(&app, &world.employer, "acceptPlacement", &id, v, json!({})).await;
    assert_eq!(
        body["data"]["acceptPlacement"]["placement"]["status"], "ACCEPTED",
        "{body}"
    );
    let v = body["data"]["acceptPlacement"]["placement"]["version"]
        .as_i64()
        .expect("v");

    let body = step(&app, &world.partner, "startPlacement", &id, v, json!({})).await;
    assert_eq!(
        body["data"]["startPlacement"]["placement"]["status"], "ACTIVE",
        "{body}"
    );
    let v = body["data"]["startPlacement"]["placement"]["version"]
        .as_i64()
        .expect("v");

    // Only the responsible partner records the outcome.
    let body = step(
        &app,
        &world.employer,
        "completePlacement",
        &id,
        v,
        json!({ "outcome": "WORK" }),
    )
    .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = step(
        &app,
        &world.partner,
        "completePlacement",
        &id,
        v,
        json!({ "outcome": "WORK" }),
    )
    .await;
    let placement = &body["data"]["completePlacement"]["placement"];
    assert_eq!(placement["status"], "COMPLETED", "{body}");
    assert_eq!(placement["outcome"], "WORK");
    let v = placement["version"].as_i64().expect("v");

    // From completed, nothing: CONFLICT naming the current state.
    for op in [
        "acceptPlacement",
        "declinePlacement",
        "startPlacement",
        "cancelPlacement",
    ] {
        let token = if op == "startPlacement" || op == "cancelPlacement" {
            &world.partner
        } else {
            &world.employer
        };
        let body = step(&app, token, op, &id, v, json!({})).await;
        assert_eq!(error_codes(&body), ["CONFLICT"], "{op}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("COMPLETED")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn declined_and_cancelled_placements_end_there_and_illegal_steps_change_nothing() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 3).await;
    let person = participant(&app, &world, "Bilal").await;

    let (declined, v) = propose(&app, &world, &person).await;
    let body = step(
        &app,
        &world.employer,
        "declinePlacement",
        &declined,
        v,
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["declinePlacement"]["placement"]["status"], "DECLINED",
        "{body}"
    );
    let v = body["data"]["declinePlacement"]["placement"]["version"]
        .as_i64()
        .expect("v");
    let body = step(
        &app,
        &world.employer,
        "acceptPlacement",
        &declined,
        v,
        json!({}),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");

    // Proposed: it cannot start or complete yet; the partner may cancel it.
    let (proposed, v) = propose(&app, &world, &person).await;
    let body = step(
        &app,
        &world.partner,
        "startPlacement",
        &proposed,
        v,
        json!({}),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = step(
        &app,
        &world.partner,
        "completePlacement",
        &proposed,
        v,
        json!({ "outcome": "STUDIES" }),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let stored = placement::Entity::find()
        .filter(placement::Column::Status.eq(PlacementStatus::Proposed))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(stored, 1, "refused steps changed nothing");
    let body = step(
        &app,
        &world.partner,
        "cancelPlacement",
        &proposed,
        v,
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["cancelPlacement"]["placement"]["status"], "CANCELLED",
        "{body}"
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 3).await;
    let person = participant(&app, &world, "Chen").await;
    let (id, v) = propose(&app, &world, &person).await;
    let body = step(
        &app,
        &world.employer,
        "acceptPlacement",
        &id,
        v + 1,
        json!({}),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("PROPOSED")),
        "{body}"
    );
    let body = app
        .graphql_as(
            &world.partner,
            "query($id: ID!) { placement(id: $id) { status version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["placement"],
        json!({ "status": "PROPOSED", "version": v })
    );
    assert_eq!(slot_status(&app, world.slot).await, SlotStatus::Open);
}

#[tokio::test]
async fn a_slot_fills_when_its_places_are_taken_and_opens_again_on_a_cancellation() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 2).await;
    let mut placements = Vec::new();
    for name in ["Dana", "Elif", "Farah"] {
        let person = participant(&app, &world, name).await;
        placements.push(propose(&app, &world, &person).await);
    }
    let mut accepted = Vec::new();
    for (id, v) in &placements[..2] {
        let body = step(&app, &world.employer, "acceptPlacement", id, *v, json!({})).await;
        assert_eq!(
            body["data"]["acceptPlacement"]["placement"]["status"], "ACCEPTED",
            "{body}"
        );
        accepted.push((
            id.clone(),
            body["data"]["acceptPlacement"]["placement"]["version"]
                .as_i64()
                .expect("v"),
        ));
    }
    assert_eq!(slot_status(&app, world.slot).await, SlotStatus::Filled);
    let (third, v3) = &placements[2];
    let body = step(
        &app,
        &world.employer,
        "acceptPlacement",
        third,
        *v3,
        json!({}),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no place left")),
        "{body}"
    );
    // New proposals wait until a place is free.
    let person = participant(&app, &world, "Gul").await;
    let body = app
        .graphql_as(&world.partner, PROPOSE, json!({ "input": { "participantId": person, "slotId": gid("InternshipSlot", world.slot) } }))
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");

    let (first, v1) = &accepted[0];
    let body = step(
        &app,
        &world.employer,
        "cancelPlacement",
        first,
        *v1,
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["cancelPlacement"]["placement"]["status"], "CANCELLED",
        "{body}"
    );
    assert_eq!(
        slot_status(&app, world.slot).await,
        SlotStatus::Open,
        "a place is free again"
    );
    let body = step(
        &app,
        &world.employer,
        "acceptPlacement",
        third,
        *v3,
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["acceptPlacement"]["placement"]["status"], "ACCEPTED",
        "{body}"
    );
    assert_eq!(slot_status(&app, world.slot).await, SlotStatus::Filled);
}

#[tokio::test]
async fn fifty_concurrent_accepts_for_five_places_end_with_exactly_five() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 5).await;
    let mut placements = Vec::new();
    for i in 0..50 {
        let person = participant(&app, &world, &format!("Racer{i}")).await;
        placements.push(propose(&app, &world, &person).await);
    }
    let accepts = placements
        .iter()
        .map(|(id, v)| step(&app, &world.employer, "acceptPlacement", id, *v, json!({})));
    let results = futures_util::future::join_all(accepts).await;
    let accepted = results
        .iter()
        .filter(|b| b["data"]["acceptPlacement"]["placement"]["status"] == "ACCEPTED")
        .count();
    let conflicts = results
        .iter()
        .filter(|b| error_codes(b) == ["CONFLICT"])
        .count();
    assert_eq!(accepted, 5, "{results:#?}");
    assert_eq!(conflicts, 45, "{results:#?}");
    let stored = placement::Entity::find()
        .filter(placement::Column::SlotId.eq(world.slot))
        .filter(placement::Column::Status.eq(PlacementStatus::Accepted))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(stored, 5);
    assert_eq!(slot_status(&app, world.slot).await, SlotStatus::Filled);
}

const SLOT_FIELDS: &str =
    "internshipSlot { id status version title places } userErrors { field message }";

async fn slot_op(app: &TestApp, token: &str, op: &str, input_type: &str, input: Value) -> Value {
    let selection = if op == "deleteInternshipSlot" {
        "deletedInternshipSlotId userErrors { field message }"
    } else {
        SLOT_FIELDS
    };
    app.graphql_as(
        token,
        &format!("mutation($input: {input_type}!) {{ {op}(input: $input) {{ {selection} }} }}"),
        json!({ "input": input }),
    )
    .await
}

#[tokio::test]
async fn an_employer_edits_opens_closes_and_deletes_its_slots_with_versions() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 2).await;
    let slot = gid("InternshipSlot", world.slot);

    // Edit, at the version read; then the old version is stale.
    let body = slot_op(&app, &world.employer, "updateInternshipSlot", "UpdateInternshipSlotInput",
        json!({ "id": slot, "version": 1, "title": "Lager och logistik", "wantedSkills": ["Truck"] })).await;
    let updated = &body["data"]["updateInternshipSlot"]["internshipSlot"];
    assert_eq!(updated["title"], "Lager och logistik", "{body}");
    assert_eq!(updated["version"], 2);
    let body = slot_op(
        &app,
        &world.employer,
        "updateInternshipSlot",
        "UpdateInternshipSlotInput",
        json!({ "id": slot, "version": 1, "title": "Stale" }),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    // Another employer may not touch it.
    let body = slot_op(
        &app,
        &world.other_employer,
        "closeInternshipSlot",
        "InternshipSlotVersionInput",
        json!({ "id": slot, "version": 2 }),
    )
    .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    // With one place taken, places cannot drop to zero taken-below, and
    // dropping to what is taken fills the slot.
    let person = participant(&app, &world, "Hana").await;
    let (placement, v) = propose(&app, &world, &person).await;
    let body = step(
        &app,
        &world.employer,
        "acceptPlacement",
        &placement,
        v,
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let version = internship_slot::Entity::find_by_id(world.slot)
        .one(&app.db)
        .await
        .expect("r")
        .expect("s")
        .version;
    let body = slot_op(
        &app,
        &world.employer,
        "updateInternshipSlot",
        "UpdateInternshipSlotInput",
        json!({ "id": slot, "version": version, "places": 1 }),
    )
    .await;
    assert_eq!(
        body["data"]["updateInternshipSlot"]["internshipSlot"]["status"], "FILLED",
        "{body}"
    );
    let version = version + 1;

    // Close, then it cannot be closed again or deleted; open again.
    let body = slot_op(
        &app,
        &world.employer,
        "closeInternshipSlot",
        "InternshipSlotVersionInput",
        json!({ "id": slot, "version": version }),
    )
    .await;
    assert_eq!(
        body["data"]["closeInternshipSlot"]["internshipSlot"]["status"], "CLOSED",
        "{body}"
    );
    let version = version + 1;
    let body = slot_op(
        &app,
        &world.employer,
        "closeInternshipSlot",
        "InternshipSlotVersionInput",
        json!({ "id": slot, "version": version }),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = slot_op(
        &app,
        &world.employer,
        "deleteInternshipSlot",
        "DeleteInternshipSlotInput",
        json!({ "id": slot }),
    )
    .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = slot_op(
        &app,
        &world.employer,
        "openInternshipSlot",
        "InternshipSlotVersionInput",
        json!({ "id": slot, "version": version }),
    )
    .await;
    assert_eq!(
        body["data"]["openInternshipSlot"]["internshipSlot"]["status"], "FILLED",
        "its one place is taken: {body}"
    );

    // A draft is deleted, with its skills.
    let body = app
        .graphql_as(&world.employer,
            "mutation($input: PostInternshipSlotInput!) { postInternshipSlot(input: $input) { internshipSlot { id status } } }",
            json!({ "input": { "employerId": gid("Employer", internship_slot::Entity::find_by_id(world.slot).one(&app.db).await.expect("r").expect("s").employer_id),
                "title": "Utkast", "kind": "JOB", "places": 1, "startsOn": "2027-05-01", "status": "DRAFT", "wantedSkills": ["svets"] } }))
        .await;
    let draft = body["data"]["postInternshipSlot"]["internshipSlot"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let body = slot_op(
        &app,
        &world.employer,
        "deleteInternshipSlot",
        "DeleteInternshipSlotInput",
        json!({ "id": draft }),
    )
    .await;
    assert_eq!(
        body["data"]["deleteInternshipSlot"]["deletedInternshipSlotId"],
        draft.as_str(),
        "{body}"
    );
    let body = app
        .graphql_as(
            &world.employer,
            "query($id: ID!) { internshipSlot(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
}

async fn propose_with_key(app: &TestApp, world: &World, key: &str, participant: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&world.partner)
        .header("Idempotency-Key", key)
        .json(&json!({ "query": PROPOSE, "variables": { "input": {
            "participantId": participant, "slotId": gid("InternshipSlot", world.slot) } } }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

async fn placements_stored(app: &TestApp) -> u64 {
    placement::Entity::find()
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_retried_proposal_with_the_same_key_returns_the_first_and_another_input_conflicts() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app, 3).await;
    let first_person = participant(&app, &world, "Ines").await;
    let second_person = participant(&app, &world, "Jamal").await;

    let first = propose_with_key(&app, &world, "sync-42", &first_person).await;
    let id = first["data"]["proposePlacement"]["placement"]["id"].clone();
    assert!(id.is_string(), "{first}");
    let replay = propose_with_key(&app, &world, "sync-42", &first_person).await;
    assert_eq!(
        replay["data"]["proposePlacement"]["placement"]["id"], id,
        "{replay}"
    );
    assert_eq!(
        placements_stored(&app).await,
        1,
        "the replay created nothing"
    );

    let other = propose_with_key(&app, &world, "sync-42", &second_person).await;
    assert_eq!(error_codes(&other), ["CONFLICT"], "{other}");
    assert_eq!(placements_stored(&app).await, 1);

    // clientMutationId does the same, per caller.
    let input = json!({ "participantId": second_person, "slotId": gid("InternshipSlot", world.slot), "clientMutationId": "case-7" });
    let a = app
        .graphql_as(&world.partner, PROPOSE, json!({ "input": input }))
        .await;
    let b = app
        .graphql_as(&world.partner, PROPOSE, json!({ "input": input }))
        .await;
    assert_eq!(
        a["data"]["proposePlacement"]["placement"]["id"],
        b["data"]["proposePlacement"]["placement"]["id"],
        "{a} {b}"
    );
    assert_eq!(placements_stored(&app).await, 2);
    let audited = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Operation.eq("proposePlacement"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(audited, 2, "replays are not audited as new changes");
}
