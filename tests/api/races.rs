//! Invariants under concurrency, tried as clients would break them: many
//! rounds of requests sent at once from a pool of threads, over HTTP, on
//! whichever database the suite runs on. Each round re-reads the database
//! and checks the rule itself, not just the answers.

use entity::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{self, gid};
use crate::helpers::{Fixture, TestApp, error_codes};

/// Rounds per race: enough that an interleaving which breaks a rule shows.
const ROUNDS: usize = 20;

const PROPOSE: &str = "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) {
    placement { id status version } userErrors { field message } } }";

struct World {
    partner: String,
    employer: String,
    employer_id: Uuid,
    admin: String,
}

async fn world(app: &TestApp) -> World {
    let partner = fixtures::partner(app, "race", "Race partner").await;
    let employer_id = fixtures::employer(app, partner.id, "Racing Workplace", 559_800_201).await;
    World {
        partner: app.token("race", "partner", &[], "race-staff").await,
        employer: app
            .token("race", "employer", &[], &format!("employer:{employer_id}"))
            .await,
        employer_id,
        admin: app.token("race", "administrator", &[], "race-admin").await,
    }
}

async fn slot(app: &TestApp, world: &World, places: i32) -> Uuid {
    fixtures::open_slot(app, world.employer_id, places).await
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

/// One request as it left the server: status, `Retry-After`, JSON body.
pub(crate) struct Answer {
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Value,
}

/// Sends each request from its own task on the runtime's thread pool, all
/// released at once, and waits for every answer.
pub(crate) async fn all_at_once(
    app: &TestApp,
    requests: Vec<(String, Option<String>, Value)>,
) -> Vec<Answer> {
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(token, key, payload)| {
            let client = app.client.clone();
            let url = format!("{}/graphql", app.address);
            let start = start.clone();
            tokio::spawn(async move {
                let mut request = client.post(url).bearer_auth(token).json(&payload);
                if let Some(key) = key {
                    request = request.header("Idempotency-Key", key);
                }
                start.wait().await;
                let response = request.send().await.expect("send");
                assert_eq!(response.status(), 200, "every racer gets an answer");
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                Answer {
                    retry_after,
                    body: response.json().await.expect("json"),
                }
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("a racer panicked"));
    }
    answers
}

fn propose_payload(participant: &str, slot: Uuid) -> Value {
    json!({ "query": PROPOSE, "variables": { "input": {
        "participantId": participant, "slotId": gid("InternshipSlot", slot) } } })
}

async fn open_placements(app: &TestApp, slot: Uuid) -> u64 {
    placement::Entity::find()
        .filter(placement::Column::SlotId.eq(slot))
        .filter(placement::Column::Status.is_in([
            PlacementStatus::Proposed,
            PlacementStatus::Accepted,
            PlacementStatus::Active,
        ]))
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_proposals_of_one_participant_in_one_slot_make_exactly_one() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    for round in 0..ROUNDS {
        let slot = slot(&app, &world, 3).await;
        let person = participant(&app, &world, &format!("Racer{round}")).await;
        let requests = (0..10)
            .map(|_| (world.admin.clone(), None, propose_payload(&person, slot)))
            .collect();
        let answers = all_at_once(&app, requests).await;
        let proposed = answers
            .iter()
            .filter(|a| a.body["data"]["proposePlacement"]["placement"]["status"] == "PROPOSED")
            .count();
        let conflicts = answers
            .iter()
            .filter(|a| error_codes(&a.body) == ["CONFLICT"])
            .count();
        let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
        assert_eq!(proposed, 1, "round {round}: {bodies:#?}");
        assert_eq!(conflicts, 9, "round {round}: {bodies:#?}");
        assert_eq!(open_placements(&app, slot).await, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cutting_places_while_accepts_race_never_overbooks_a_slot() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    for round in 0..ROUNDS {
        let slot = slot(&app, &world, 5).await;
        let mut proposals = Vec::new();
        for i in 0..8 {
            let person = participant(&app, &world, &format!("R{round}P{i}")).await;
            let body = app
                .graphql_as(
                    &world.partner,
                    PROPOSE,
                    propose_payload(&person, slot)["variables"].clone(),
                )
                .await;
            let placement = &body["data"]["proposePlacement"]["placement"];
            proposals.push((
                placement["id"].as_str().expect("id").to_owned(),
                placement["version"].as_i64().expect("version"),
            ));
        }
        let accept = |(id, version): &(String, i64)| {
            json!({ "query": "mutation($input: PlacementTransitionInput!) { acceptPlacement(input: $input) { placement { status } } }",
                    "variables": { "input": { "id": id, "version": version } } })
        };
        for proposal in &proposals[..3] {
            let body = app
                .graphql_as(
                    &world.employer,
                    accept(proposal)["query"].as_str().expect("q"),
                    accept(proposal)["variables"].clone(),
                )
                .await;
            assert_eq!(
                body["data"]["acceptPlacement"]["placement"]["status"], "ACCEPTED",
                "{body}"
            );
        }
        let version = internship_slot::Entity::find_by_id(slot)
            .one(&app.db)
            .await
            .expect("read")
            .expect("slot")
            .version;
        let mut requests = vec![(
            world.admin.clone(),
            None,
            json!({ "query": "mutation($input: UpdateInternshipSlotInput!) { updateInternshipSlot(input: $input) { internshipSlot { places status } userErrors { message } } }",
                    "variables": { "input": { "id": gid("InternshipSlot", slot), "version": version, "places": 3 } } }),
        )];
        requests.extend(
            proposals[3..]
                .iter()
                .map(|p| (world.employer.clone(), None, accept(p))),
        );
        let answers = all_at_once(&app, requests).await;
        let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
        for body in &bodies {
            let codes = error_codes(body);
            assert!(
                codes.is_empty() || codes == ["CONFLICT"] || codes == ["BAD_USER_INPUT"],
                "round {round}: only clean refusals: {bodies:#?}"
            );
        }
        let stored = internship_slot::Entity::find_by_id(slot)
            .one(&app.db)
            .await
            .expect("read")
            .expect("slot");
        let taken = placement::Entity::find()
            .filter(placement::Column::SlotId.eq(slot))
            .filter(placement::Column::Status.eq(PlacementStatus::Accepted))
            .count(&app.db)
            .await
            .expect("count");
        let places = u64::try_from(stored.places).expect("places");
        assert!(
            taken <= places,
            "round {round}: {taken} accepted in {places} places: {bodies:#?}"
        );
        assert_eq!(
            stored.status == SlotStatus::Filled,
            taken == places,
            "round {round}: filled exactly when every place is taken ({taken} of {places}, {:?})",
            stored.status
        );
    }
}

async fn employers_numbered(app: &TestApp, number: &str) -> u64 {
    employer::Entity::find()
        .filter(employer::Column::OrganisationNumber.eq(number))
        .count(&app.db)
        .await
        .expect("count")
}

/// Every answer to a burst of one key is the first result or "in use,
/// retry"; retrying the latter gets the first result.
async fn assert_one_result_per_key(
    app: &TestApp,
    round: usize,
    answers: Vec<Answer>,
    request: (String, Option<String>, Value),
    pick: impl Fn(&Value) -> Value,
) -> Value {
    let ids: Vec<Value> = answers
        .iter()
        .filter(|a| error_codes(&a.body).is_empty())
        .map(|a| pick(&a.body))
        .collect();
    let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
    assert!(!ids.is_empty(), "round {round}: {bodies:#?}");
    let first = ids[0].clone();
    assert!(first.is_string(), "round {round}: {bodies:#?}");
    assert!(
        ids.iter().all(|id| *id == first),
        "round {round}: every success is the first result: {bodies:#?}"
    );
    for answer in answers.iter().filter(|a| !error_codes(&a.body).is_empty()) {
        assert_eq!(
            error_codes(&answer.body),
            ["IDEMPOTENCY_KEY_IN_USE"],
            "round {round}: {bodies:#?}"
        );
        assert_eq!(answer.body["errors"][0]["extensions"]["retryable"], true);
        assert_eq!(answer.retry_after.as_deref(), Some("1"), "round {round}");
    }
    // The retry a client makes after Retry-After gets the first result.
    let retried = all_at_once(app, vec![request]).await;
    assert_eq!(
        pick(&retried[0].body),
        first,
        "round {round}: {}",
        retried[0].body
    );
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_creates_with_one_idempotency_key_run_once_and_answer_alike() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    for round in 0..ROUNDS {
        let number = portalen_api::domain::OrganisationNumber::from_nine_digits(
            559_810_000 + u32::try_from(round).expect("round"),
        )
        .expect("number")
        .to_string();
        let request = (
            world.partner.clone(),
            Some(format!("create-employer-{round}")),
            json!({ "query": "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { employer { id } userErrors { field message code } } }",
                    "variables": { "input": { "name": format!("Idempotent AB {round}"), "organisationNumber": number } } }),
        );
        let answers = all_at_once(&app, vec![request.clone(); 20]).await;
        for answer in &answers {
            assert_eq!(
                answer.body["data"]["createEmployer"]["userErrors"]
                    .as_array()
                    .map_or(0, Vec::len),
                0,
                "round {round}: never the side effect of running twice: {}",
                answer.body
            );
        }
        assert_one_result_per_key(&app, round, answers, request, |b| {
            b["data"]["createEmployer"]["employer"]["id"].clone()
        })
        .await;
        assert_eq!(employers_numbered(&app, &number).await, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_proposals_with_one_idempotency_key_run_once_and_answer_alike() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    for round in 0..ROUNDS {
        let slot = slot(&app, &world, 3).await;
        let person = participant(&app, &world, &format!("Keyed{round}")).await;
        let request = (
            world.partner.clone(),
            Some(format!("propose-{round}")),
            propose_payload(&person, slot),
        );
        let answers = all_at_once(&app, vec![request.clone(); 20]).await;
        assert_one_result_per_key(&app, round, answers, request, |b| {
            b["data"]["proposePlacement"]["placement"]["id"].clone()
        })
        .await;
        assert_eq!(open_placements(&app, slot).await, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_grants_of_one_consent_answer_the_one_in_force() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    let other = portalen_api::services::partners::create_partner(
        &app.db,
        portalen_api::services::partners::NewPartner {
            slug: "race-two".to_owned(),
            name: "Second race partner".to_owned(),
            kind: PartnerKind::NonProfit,
            network: PartnerNetwork::Core,
            granted_scopes: vec!["participants:read".to_owned()],
            contact_email: None,
            contact_phone: None,
            website: None,
        },
    )
    .await
    .expect("partner");
    for round in 0..ROUNDS {
        let person = participant(&app, &world, &format!("Consenting{round}")).await;
        let grant = json!({ "query": "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { consent { id purpose } userErrors { message } } }",
            "variables": { "input": { "participantId": person, "partnerOrganisationId": gid("PartnerOrganisation", other.id), "purpose": "Studiebesök" } } });
        let answers = all_at_once(&app, vec![(world.admin.clone(), None, grant); 10]).await;
        let ids: Vec<&Value> = answers
            .iter()
            .map(|a| &a.body["data"]["grantConsent"]["consent"]["id"])
            .collect();
        let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
        assert!(ids[0].is_string(), "round {round}: {bodies:#?}");
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "round {round}: every grant answers the consent in force: {bodies:#?}"
        );
        let in_force = consent::Entity::find()
            .filter(consent::Column::PartnerOrganisationId.eq(other.id))
            .filter(consent::Column::RevokedAt.is_null())
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(
            in_force,
            u64::try_from(round + 1).expect("n"),
            "round {round}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_racing_an_erasure_never_writes_personal_data_back() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    for round in 0..ROUNDS {
        let person = participant(&app, &world, &format!("Erasable{round}")).await;
        let mut requests = vec![(
            world.admin.clone(),
            None,
            json!({ "query": "mutation($input: EraseParticipantInput!) { eraseParticipant(input: $input) { participant { erasedAt } } }",
                    "variables": { "input": { "id": person } } }),
        )];
        for i in 0..5 {
            requests.push((
                world.partner.clone(),
                None,
                json!({ "query": "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { participant { id } userErrors { message } } }",
                        "variables": { "input": { "id": person, "familyName": format!("Qzrace{i}"), "email": format!("qz{i}@example.org"),
                            "notes": "Qznotes", "skills": ["qzskill"], "languages": [{ "language": "ti", "level": "NATIVE" }] } } }),
            ));
        }
        let answers = all_at_once(&app, requests).await;
        let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
        assert!(
            answers[0].body["data"]["eraseParticipant"]["participant"]["erasedAt"].is_string(),
            "round {round}: {bodies:#?}"
        );
        for answer in &answers[1..] {
            let codes = error_codes(&answer.body);
            // Before the erasure: changed; after it: erased (CONFLICT), or
            // no longer visible to the partner, whose consent ended with it.
            assert!(
                codes.is_empty() || codes == ["CONFLICT"] || codes == ["NOT_FOUND"],
                "round {round}: {bodies:#?}"
            );
        }
        let rows = participant::Entity::find()
            .filter(participant::Column::DisplayName.eq("[erased]"))
            .filter(participant::Column::ErasedAt.is_not_null())
            .all(&app.db)
            .await
            .expect("read");
        let row = rows
            .iter()
            .find(|r| r.family_name.is_some() || r.email.is_some())
            .map(|r| r.id);
        assert_eq!(
            row, None,
            "round {round}: personal values came back: {bodies:#?}"
        );
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let languages = participant_language::Entity::find()
            .filter(participant_language::Column::ParticipantId.is_in(ids.clone()))
            .count(&app.db)
            .await
            .expect("count");
        let skills = participant_skill::Entity::find()
            .filter(participant_skill::Column::ParticipantId.is_in(ids.clone()))
            .count(&app.db)
            .await
            .expect("count");
        let sensitive = participant_sensitive::Entity::find()
            .filter(participant_sensitive::Column::ParticipantId.is_in(ids))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(
            (languages, skills, sensitive),
            (0, 0, 0),
            "round {round}: {bodies:#?}"
        );
    }
}

/// The access table against its definition: for every organisation and
/// participant, the reasons it counts are the consents in force plus the
/// active placements the organisation is responsible for.
async fn assert_access_is_its_definition(app: &TestApp, round: usize) {
    use std::collections::BTreeMap;
    let mut truth: BTreeMap<(Uuid, Uuid), i32> = BTreeMap::new();
    for c in consent::Entity::find()
        .filter(consent::Column::RevokedAt.is_null())
        .all(&app.db)
        .await
        .expect("consents")
    {
        *truth
            .entry((c.partner_organisation_id, c.participant_id))
            .or_default() += 1;
    }
    for p in placement::Entity::find()
        .filter(placement::Column::Status.eq(PlacementStatus::Active))
        .all(&app.db)
        .await
        .expect("placements")
    {
        *truth
            .entry((p.responsible_partner_id, p.participant_id))
            .or_default() += 1;
    }
    let kept: BTreeMap<(Uuid, Uuid), i32> = participant_access::Entity::find()
        .all(&app.db)
        .await
        .expect("access")
        .into_iter()
        .filter(|a| a.reasons > 0)
        .map(|a| ((a.organisation_id, a.participant_id), a.reasons))
        .collect();
    assert_eq!(
        kept, truth,
        "round {round}: the access table is its definition"
    );
}

fn transition(name: &str, id: &Value, version: &Value, extra: Value) -> Value {
    let mut input = json!({ "id": id, "version": version });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    json!({ "query": format!("mutation($input: {}Input!) {{ {name}(input: $input) {{ placement {{ id status version }} userErrors {{ message }} }} }}",
            if name == "completePlacement" { "CompletePlacement" } else { "PlacementTransition" }),
        "variables": { "input": input } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_access_table_stays_its_definition_while_consents_and_placements_change_at_once() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let world = world(&app).await;
    let revoke = |id: &Value| {
        json!({ "query": "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { consent { id revokedAt } userErrors { message } } }",
            "variables": { "input": { "id": id } } })
    };
    for round in 0..ROUNDS {
        let person = participant(&app, &world, &format!("Access{round}")).await;
        let body = app
            .graphql_as(
                &world.admin,
                "query($id: ID!) { participant(id: $id) { consents { id partnerOrganisation { id } } } }",
                json!({ "id": person }),
            )
            .await;
        let consent = body["data"]["participant"]["consents"][0]["id"].clone();
        let race = body["data"]["participant"]["consents"][0]["partnerOrganisation"]["id"].clone();
        let body = app
            .graphql_as(
                &world.partner,
                PROPOSE,
                json!({ "input": { "participantId": person, "employerId": gid("Employer", world.employer_id), "kind": "INTERNSHIP" } }),
            )
            .await;
        let placed = &body["data"]["proposePlacement"]["placement"];
        let (id, version) = (placed["id"].clone(), placed["version"].clone());
        assert!(id.is_string(), "round {round}: {body}");
        let answers = all_at_once(
            &app,
            vec![(
                world.admin.clone(),
                None,
                transition("acceptPlacement", &id, &version, json!({})),
            )],
        )
        .await;
        let version = answers[0].body["data"]["acceptPlacement"]["placement"]["version"].clone();
        // The placement starts while the consent is revoked and another
        // is granted: three changes to one pair at once.
        let grant = json!({ "query": "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { consent { id } userErrors { message } } }",
            "variables": { "input": { "participantId": person, "partnerOrganisationId": race, "purpose": "Studiebesök" } } });
        let answers = all_at_once(
            &app,
            vec![
                (world.admin.clone(), None, revoke(&consent)),
                (
                    world.admin.clone(),
                    None,
                    transition("startPlacement", &id, &version, json!({})),
                ),
                (world.admin.clone(), None, grant),
            ],
        )
        .await;
        assert_access_is_its_definition(&app, round).await;
        let version = answers[1].body["data"]["startPlacement"]["placement"]["version"].clone();
        let bodies: Vec<&Value> = answers.iter().map(|a| &a.body).collect();
        assert!(version.is_number(), "round {round}: {bodies:#?}");
        // A grant that ran before the revocation answered the consent then
        // in force; the ones in force now are read back.
        let body = app
            .graphql_as(
                &world.admin,
                "query($id: ID!) { participant(id: $id) { consents { id revokedAt } } }",
                json!({ "id": person }),
            )
            .await;
        let in_force: Vec<Value> = body["data"]["participant"]["consents"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|c| c["revokedAt"].is_null())
                    .map(|c| c["id"].clone())
                    .collect()
            })
            .unwrap_or_default();
        // Then the placement ends while the consents in force are revoked:
        // no reason is left, and the partner no longer sees them.
        let mut requests: Vec<_> = in_force
            .iter()
            .map(|c| (world.admin.clone(), None, revoke(c)))
            .collect();
        requests.push((
            world.admin.clone(),
            None,
            transition(
                "completePlacement",
                &id,
                &version,
                json!({ "outcome": "WORK" }),
            ),
        ));
        all_at_once(&app, requests).await;
        assert_access_is_its_definition(&app, round).await;
        let body = app
            .graphql_as(
                &world.partner,
                "query($id: ID!) { participant(id: $id) { id } }",
                json!({ "id": person }),
            )
            .await;
        assert!(
            body["data"]["participant"].is_null(),
            "round {round}: {body}"
        );
    }
}
