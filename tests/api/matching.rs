//! Matching on fixtures whose best match is known: the order, the scores
//! and the reasons, and that only people the caller may see are suggested.

use portalen_api::policy::Scope;
use serde_json::{Value, json};

use crate::helpers::{Fixture, TestApp, error_codes};

async fn partner(app: &TestApp, slug: &str) -> String {
    portalen_api::services::partners::create_partner(
        &app.db,
        portalen_api::services::partners::NewPartner {
            slug: slug.to_owned(),
            name: format!("Matching {slug}"),
            kind: entity::PartnerKind::NonProfit,
            network: entity::PartnerNetwork::Core,
            granted_scopes: Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
            contact_email: None,
            contact_phone: None,
            website: None,
        },
    )
    .await
    .expect("partner");
    app.token(slug, "partner", &[], &format!("{slug}-staff"))
        .await
}

async fn person(app: &TestApp, token: &str, input: Value) -> String {
    let mut input = input;
    input["consentPurpose"] = json!("Matchning");
    let body = app
        .graphql_as(
            token,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } userErrors { field message } } }",
            json!({ "input": input }),
        )
        .await;
    body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn mentor(app: &TestApp, token: &str, input: Value) -> String {
    let body = app
        .graphql_as(
            token,
            "mutation($input: CreateMentorInput!) { createMentor(input: $input) { mentor { id } userErrors { field message } } }",
            json!({ "input": input }),
        )
        .await;
    body["data"]["createMentor"]["mentor"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

#[tokio::test]
async fn candidates_are_ranked_by_skills_swedish_site_and_languages_with_reasons() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let token = partner(&app, "match-a").await;
    let other = partner(&app, "match-b").await;
    let owner = portalen_api::services::partners::find_partner_by_slug(&app.db, "match-a")
        .await
        .expect("partner");
    let employer = portalen_api::services::employers::create_employer(
        &app.db,
        portalen_api::services::employers::NewEmployer {
            name: "Lagret AB".to_owned(),
            organisation_number: portalen_api::domain::OrganisationNumber::from_nine_digits(
                559_811_111,
            )
            .expect("number")
            .to_string(),
            partner_organisation_id: Some(owner.id),
            ..Default::default()
        },
    )
    .await
    .expect("employer");
    let body = app
        .graphql_as(&token, "mutation($input: PostInternshipSlotInput!) { postInternshipSlot(input: $input) { internshipSlot { id } userErrors { message } } }",
            json!({ "input": { "employerId": portalen_api::graphql::ids::encode(portalen_api::graphql::ids::NodeType::Employer, employer.id),
                "title": "Lager", "kind": "INTERNSHIP", "places": 2, "startsOn": "2027-03-01",
                "site": "HAGEBY", "requiredSwedishLevel": "B1", "wantedSkills": ["truck", "lager"], "status": "OPEN" } }))
        .await;
    let slot = body["data"]["postInternshipSlot"]["internshipSlot"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();

    let berit = person(&app, &token, json!({ "displayName": "Berit", "skills": ["lager"], "swedishLevel": "A2", "site": "HAGEBY",
        "languages": [{ "language": "sv", "level": "NATIVE" }, { "language": "en", "level": "FLUENT" }, { "language": "so", "level": "BASIC" }] })).await;
    let ahmed = person(&app, &token, json!({ "displayName": "Ahmed", "skills": ["truck", "lager"], "swedishLevel": "B2", "site": "HAGEBY",
        "languages": [{ "language": "ar", "level": "NATIVE" }] })).await;
    let cyrus = person(
        &app,
        &token,
        json!({ "displayName": "Cyrus", "swedishLevel": "C1", "site": "RINGDANSEN" }),
    )
    .await;
    let dina = person(&app, &token, json!({ "displayName": "Dina" })).await;
    // A perfect match the caller may not see.
    person(&app, &other, json!({ "displayName": "Hidden", "skills": ["truck", "lager"], "swedishLevel": "C2", "site": "HAGEBY" })).await;

    let query = "query($slot: ID!) { suggestedCandidates(slot: $slot) { score participant { id displayName } reasons { factor points detail } } }";
    let body = app.graphql_as(&token, query, json!({ "slot": slot })).await;
    let found = body["data"]["suggestedCandidates"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    let order: Vec<(String, i64)> = found
        .iter()
        .map(|s| {
            (
                s["participant"]["id"].as_str().expect("id").to_owned(),
                s["score"].as_i64().expect("score"),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            (ahmed.clone(), 11),
            (berit.clone(), 5),
            (cyrus, 2),
            (dina, 0)
        ],
        "{body}"
    );
    let factors: Vec<(String, i64)> = found[0]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| {
            (
                r["factor"].as_str().expect("f").to_owned(),
                r["points"].as_i64().expect("p"),
            )
        })
        .collect();
    assert_eq!(
        factors,
        [
            ("SKILL", 3),
            ("SKILL", 3),
            ("SWEDISH_LEVEL", 2),
            ("SITE", 2),
            ("LANGUAGE", 1)
        ]
        .map(|(f, p)| (f.to_owned(), p))
        .to_vec()
    );
    assert!(
        found[1]["reasons"]
            .to_string()
            .contains("below the required B1"),
        "{body}"
    );
    assert!(!body.to_string().contains("Hidden"));

    // Once proposed in the slot, Ahmed is no longer suggested for it.
    let body = app
        .graphql_as(&token, "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) { placement { id } } }",
            json!({ "input": { "participantId": ahmed, "slotId": slot } }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = app.graphql_as(&token, query, json!({ "slot": slot })).await;
    assert_eq!(
        body["data"]["suggestedCandidates"][0]["participant"]["id"],
        berit.as_str(),
        "{body}"
    );

    let body = app
        .graphql_as(
            &token,
            query
                .replace("(slot: $slot)", "(slot: $slot, first: 0)")
                .as_str(),
            json!({ "slot": slot }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn mentors_are_ranked_by_shared_languages_expertise_and_goal_with_room_to_spare() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let token = partner(&app, "match-m").await;
    let ahmed = person(&app, &token, json!({ "displayName": "Ahmed", "skills": ["truck", "lager"], "goal": "Starta ett bageri, a bakery of my own",
        "languages": [{ "language": "ar", "level": "NATIVE" }] })).await;
    let baker = mentor(&app, &token, json!({ "givenName": "Baker", "capacity": 2, "languages": ["ar"], "expertise": ["bakery"] })).await;
    let driver = mentor(&app, &token, json!({ "givenName": "Driver", "capacity": 2, "languages": ["ar", "so"], "expertise": ["truck", "lager"] })).await;
    let full = mentor(&app, &token, json!({ "givenName": "Full", "capacity": 0, "languages": ["ar"], "expertise": ["truck", "lager", "bakery"] })).await;
    let plain = mentor(&app, &token, json!({ "givenName": "Plain", "capacity": 1 })).await;

    let body = app
        .graphql_as(&token, "query($p: ID!) { suggestedMentors(participant: $p) { score mentor { id givenName } reasons { factor points detail } } }",
            json!({ "p": ahmed }))
        .await;
    let found = body["data"]["suggestedMentors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    let order: Vec<(String, i64)> = found
        .iter()
        .map(|s| {
            (
                s["mentor"]["id"].as_str().expect("id").to_owned(),
                s["score"].as_i64().expect("score"),
            )
        })
        .collect();
    assert_eq!(order, vec![(driver, 7), (baker, 5), (plain, 0)], "{body}");
    assert!(
        !body.to_string().contains(&full),
        "no spare capacity, no suggestion"
    );
    assert!(
        found[1]["reasons"].to_string().contains("goal mentions"),
        "{body}"
    );
}
