//! Mentorships and consents through the API: who may start, end, grant and
//! revoke them, what each changes, and the limits they keep.

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const CREATE_PARTICIPANT: &str = "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } userErrors { message } } }";
const CREATE_MENTOR: &str = "mutation($input: CreateMentorInput!) { createMentor(input: $input) { mentor { id } userErrors { message } } }";
const START: &str = "mutation($input: StartMentorshipInput!) { startMentorship(input: $input) {
    mentorship { id current startedOn endedOn mentor { id spareCapacity } participant { id } } userErrors { field message code } } }";
const END: &str = "mutation($input: EndMentorshipInput!) { endMentorship(input: $input) {
    mentorship { id current endedOn } userErrors { field message code } } }";
const GRANT: &str = "mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
    consent { id purpose inForce recordedBy revokedAt partnerOrganisation { slug } } userErrors { field message code } } }";
const REVOKE: &str = "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) {
    consent { id inForce revokedAt } userErrors { field message code } } }";
const READ_PARTICIPANT: &str = "query($id: ID!) { participant(id: $id) { id displayName } }";

async fn new_participant(app: &TestApp, admin: &str, name: &str) -> String {
    let body = app
        .graphql_as(
            admin,
            CREATE_PARTICIPANT,
            json!({ "input": { "displayName": name, "consentPurpose": "Matchning" } }),
        )
        .await;
    body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("participant: {body}"))
        .to_owned()
}

async fn new_mentor(app: &TestApp, admin: &str, partner: &str, capacity: i32) -> String {
    let body = app
        .graphql_as(
            admin,
            CREATE_MENTOR,
            json!({ "input": { "givenName": "Synthetic mentor", "capacity": capacity, "partnerSlug": partner } }),
        )
        .await;
    body["data"]["createMentor"]["mentor"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("mentor: {body}"))
        .to_owned()
}

async fn partner_id(app: &TestApp, slug: &str) -> String {
    let body = app
        .graphql(
            "query($slug: String!) { partnerOrganisation(slug: $slug) { id } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["partnerOrganisation"]["id"]
        .as_str()
        .expect("partner id")
        .to_owned()
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
async fn granting_consent_opens_a_participant_to_a_partner_and_revoking_closes_it_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let person = new_participant(&app, &admin, "Consentia").await;
    let abf = app
        .token("abf-ostergotland", "partner", &[], "abf-staff")
        .await;
    let abf_id = partner_id(&app, "abf-ostergotland").await;

    let body = app
        .graphql_as(&abf, READ_PARTICIPANT, json!({ "id": person }))
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "no consent yet: {body}");

    // ABF may not record a consent for someone it cannot see.
    let body = app
        .graphql_as(
            &abf,
            GRANT,
            json!({ "input": { "participantId": person, "purpose": "Studiecirklar" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");

    let body = app
        .graphql_as(
            &admin,
            GRANT,
            json!({ "input": { "participantId": person, "partnerOrganisationId": abf_id, "purpose": "Studiecirklar" } }),
        )
        .await;
    let consent = body["data"]["grantConsent"]["consent"].clone();
    assert_eq!(consent["inForce"], true, "{body}");
    assert_eq!(consent["partnerOrganisation"]["slug"], "abf-ostergotland");
    assert_eq!(consent["recordedBy"], "coordinator-1");
    let consent_id = consent["id"].as_str().expect("consent id").to_owned();

    let body = app
        .graphql_as(&abf, READ_PARTICIPANT, json!({ "id": person }))
        .await;
    assert_eq!(
        body["data"]["participant"]["displayName"], "Consentia",
        "{body}"
    );
    let body = app
        .graphql_as(
            &abf,
            "query($id: ID!) { participant(id: $id) { consents { id purpose } } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(
        body["data"]["participant"]["consents"],
        json!([{ "id": consent_id, "purpose": "Studiecirklar" }]),
        "a partner sees only the consents given to it: {body}"
    );

    // The same consent again is the one in force; another purpose is a conflict.
    let body = app
        .graphql_as(
            &admin,
            GRANT,
            json!({ "input": { "participantId": person, "partnerOrganisationId": abf_id, "purpose": "Studiecirklar" } }),
        )
        .await;
    assert_eq!(
        body["data"]["grantConsent"]["consent"]["id"],
        consent_id.as_str()
    );
    let body = app
        .graphql_as(
            &admin,
            GRANT,
            json!({ "input": { "participantId": person, "partnerOrganisationId": abf_id, "purpose": "Något annat" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");

    // ABF revokes (it stops using the data): from the next request on it
    // sees nothing of the participant, and revoking again changes nothing.
    let body = app
        .graphql_as(&abf, REVOKE, json!({ "input": { "id": consent_id } }))
        .await;
    let revoked = body["data"]["revokeConsent"]["consent"].clone();
    assert_eq!(revoked["inForce"], false, "{body}");
    let body = app
        .graphql_as(&abf, READ_PARTICIPANT, json!({ "id": person }))
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let body = app
        .graphql_as(&admin, REVOKE, json!({ "input": { "id": consent_id } }))
        .await;
    assert_eq!(
        body["data"]["revokeConsent"]["consent"]["revokedAt"], revoked["revokedAt"],
        "{body}"
    );

    // The record stays, for the administrator, as revoked.
    let body = app
        .graphql_as(
            &admin,
            "query($p: ID!) { consents(filter: { participantId: $p, inForce: false }) { totalCount edges { node { id } } } }",
            json!({ "p": person }),
        )
        .await;
    assert_eq!(body["data"]["consents"]["totalCount"], 1, "{body}");
    assert_eq!(
        body["data"]["consents"]["edges"][0]["node"]["id"],
        consent_id.as_str()
    );
}

#[tokio::test]
async fn a_participant_grants_and_revokes_their_own_consents_and_only_theirs() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let person = new_participant(&app, &admin, "Selma").await;
    let other = new_participant(&app, &admin, "Otto").await;
    let herself = app
        .token(
            "hyresbostader",
            "participant",
            &["participants:read", "participants:write"],
            &format!("participant:{}", uuid_of(&person)),
        )
        .await;
    let kyrkan = partner_id(&app, "svenska-kyrkan").await;
    let body = app
        .graphql_as(
            &herself,
            GRANT,
            json!({ "input": { "participantId": person, "partnerOrganisationId": kyrkan, "purpose": "Språkcafé" } }),
        )
        .await;
    assert_eq!(
        body["data"]["grantConsent"]["consent"]["partnerOrganisation"]["slug"], "svenska-kyrkan",
        "{body}"
    );
    let body = app
        .graphql_as(
            &herself,
            GRANT,
            json!({ "input": { "participantId": other, "partnerOrganisationId": kyrkan, "purpose": "Språkcafé" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");

    let body = app
        .graphql_as(
            &herself,
            "{ consents { totalCount edges { node { partnerOrganisation { slug } inForce } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["consents"]["totalCount"], 2, "{body}");
}

#[tokio::test]
async fn consent_input_is_validated_and_a_refused_grant_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let person = new_participant(&app, &admin, "Valdemar").await;
    let count = |body: &Value| body["data"]["consents"]["totalCount"].clone();
    let before = app
        .graphql_as(&admin, "{ consents { totalCount } }", json!({}))
        .await;
    for (input, field) in [
        (
            json!({ "participantId": person, "purpose": "  " }),
            "purpose",
        ),
        (
            json!({ "participantId": person, "purpose": "x".repeat(501) }),
            "purpose",
        ),
    ] {
        let body = app
            .graphql_as(&admin, GRANT, json!({ "input": input }))
            .await;
        assert_eq!(
            body["data"]["grantConsent"]["userErrors"][0]["field"],
            json!(["input", field]),
            "{body}"
        );
        assert_eq!(body["data"]["grantConsent"]["consent"], Value::Null);
    }
    let body = app
        .graphql_as(
            &admin,
            GRANT,
            json!({ "input": { "participantId": "not-an-id", "purpose": "x" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    let after = app
        .graphql_as(&admin, "{ consents { totalCount } }", json!({}))
        .await;
    assert_eq!(count(&before), count(&after));
}

#[tokio::test]
async fn a_mentorship_starts_within_capacity_and_ends_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mentor = new_mentor(&app, &admin, "svenska-kyrkan", 1).await;
    let first = new_participant(&app, &admin, "Amal").await;
    let second = new_participant(&app, &admin, "Bashir").await;

    // Svenska kyrkan may start mentorships of its own mentors, for
    // participants it may see: not yet this one (no consent).
    let kyrkan = app
        .token("svenska-kyrkan", "partner", &[], "kyrkan-staff")
        .await;
    let body = app
        .graphql_as(
            &kyrkan,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": first } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    // ABF may not start one for another organisation's mentor.
    let abf = app
        .token("abf-ostergotland", "partner", &[], "abf-staff")
        .await;
    let body = app
        .graphql_as(
            &abf,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": first } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");

    let body = app
        .graphql_as(
            &admin,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": first, "startedOn": "2026-10-01" } }),
        )
        .await;
    let mentorship = body["data"]["startMentorship"]["mentorship"].clone();
    assert_eq!(mentorship["current"], true, "{body}");
    assert_eq!(mentorship["startedOn"], "2026-10-01");
    assert_eq!(mentorship["mentor"]["spareCapacity"], 0);
    let id = mentorship["id"].as_str().expect("id").to_owned();

    // Full: the second participant waits, and the first cannot be doubled.
    for participant in [&second, &first] {
        let body = app
            .graphql_as(
                &admin,
                START,
                json!({ "input": { "mentorId": mentor, "participantId": participant } }),
            )
            .await;
        assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    }

    // Both sides see it, nested.
    let body = app
        .graphql_as(
            &admin,
            "query($m: ID!, $p: ID!) { mentor(id: $m) { mentorships { id } } participant(id: $p) { mentors { id } mentorships { id current } } }",
            json!({ "m": mentor, "p": first }),
        )
        .await;
    assert_eq!(
        body["data"]["mentor"]["mentorships"],
        json!([{ "id": id }]),
        "{body}"
    );
    assert_eq!(
        body["data"]["participant"]["mentors"],
        json!([{ "id": mentor }])
    );

    // An end before the start is refused; the participant may end their own.
    let body = app
        .graphql_as(
            &admin,
            END,
            json!({ "input": { "id": id, "endedOn": "2026-09-30" } }),
        )
        .await;
    assert_eq!(
        body["data"]["endMentorship"]["userErrors"][0]["field"],
        json!(["input", "endedOn"]),
        "{body}"
    );
    let amal = app
        .token(
            "hyresbostader",
            "participant",
            &["mentors:read", "mentors:write"],
            &format!("participant:{}", uuid_of(&first)),
        )
        .await;
    let body = app
        .graphql_as(
            &amal,
            END,
            json!({ "input": { "id": id, "endedOn": "2026-11-01" } }),
        )
        .await;
    assert_eq!(
        body["data"]["endMentorship"]["mentorship"],
        json!({ "id": id, "current": false, "endedOn": "2026-11-01" }),
        "{body}"
    );
    // Again: unchanged.
    let body = app
        .graphql_as(&admin, END, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        body["data"]["endMentorship"]["mentorship"]["endedOn"],
        "2026-11-01"
    );

    // Room again, and the ended one is on record.
    let body = app
        .graphql_as(
            &admin,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": second } }),
        )
        .await;
    assert_eq!(
        body["data"]["startMentorship"]["userErrors"],
        json!([]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &admin,
            "query($m: ID!) { ended: mentorships(filter: { mentorId: $m, current: false }) { totalCount } current: mentorships(filter: { mentorId: $m, current: true }) { totalCount } }",
            json!({ "m": mentor }),
        )
        .await;
    assert_eq!(body["data"]["ended"]["totalCount"], 1, "{body}");
    assert_eq!(body["data"]["current"]["totalCount"], 1, "{body}");
}

#[tokio::test]
async fn an_inactive_mentor_takes_no_mentees() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mentor = new_mentor(&app, &admin, "abf-ostergotland", 3).await;
    let person = new_participant(&app, &admin, "Dalia").await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateMentorInput!) { updateMentor(input: $input) { mentor { active } } }",
            json!({ "input": { "id": mentor, "active": false } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateMentor"]["mentor"]["active"], false,
        "{body}"
    );
    let body = app
        .graphql_as(
            &admin,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": person } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    assert!(body.to_string().contains("does not take part"), "{body}");
}

#[tokio::test]
async fn concurrent_starts_never_take_a_mentor_over_capacity() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mentor = new_mentor(&app, &admin, "marieborgs-folkhogskola", 3).await;
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(new_participant(&app, &admin, &format!("Queue{i}")).await);
    }
    let starts = people.iter().map(|participant| {
        app.graphql_as(
            &admin,
            START,
            json!({ "input": { "mentorId": mentor, "participantId": participant } }),
        )
    });
    let results = futures_util::future::join_all(starts).await;
    let started = results
        .iter()
        .filter(|b| b["data"]["startMentorship"]["mentorship"]["current"] == true)
        .count();
    let refused: Vec<_> = results
        .iter()
        .filter(|b| error_codes(b) == ["CONFLICT"])
        .collect();
    assert_eq!(started, 3, "{results:#?}");
    assert_eq!(refused.len(), 9, "{results:#?}");
    let body = app
        .graphql_as(
            &admin,
            "query($m: ID!) { mentor(id: $m) { spareCapacity mentorships { current } } }",
            json!({ "m": mentor }),
        )
        .await;
    assert_eq!(body["data"]["mentor"]["spareCapacity"], 0, "{body}");
    assert_eq!(
        body["data"]["mentor"]["mentorships"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[tokio::test]
async fn mentorships_and_consents_resolve_as_nodes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "{ mentorships(first: 1) { edges { node { id } } } consents(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mentorship = body["data"]["mentorships"]["edges"][0]["node"]["id"].clone();
    let consent = body["data"]["consents"]["edges"][0]["node"]["id"].clone();
    let body = app
        .graphql_as(
            &admin,
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({ "ids": [mentorship, consent] }),
        )
        .await;
    assert_eq!(
        body["data"]["nodes"],
        json!([
            { "__typename": "Mentorship", "id": mentorship },
            { "__typename": "Consent", "id": consent },
        ]),
        "{body}"
    );
    // A mentorship id is not a consent id.
    let body = app
        .graphql_as(
            &admin,
            "query($id: ID!) { consent(id: $id) { id } }",
            json!({ "id": mentorship }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn after_a_revocation_an_active_placement_keeps_access_until_it_ends() {
    use entity::{PlacementStatus, placement};
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let person = new_participant(&app, &admin, "Placida").await;
    let abf_id = partner_id(&app, "abf-ostergotland").await;
    let body = app
        .graphql_as(
            &admin,
            GRANT,
            json!({ "input": { "participantId": person, "partnerOrganisationId": abf_id, "purpose": "Praktik" } }),
        )
        .await;
    let consent = body["data"]["grantConsent"]["consent"]["id"].clone();
    let abf = entity::partner_organisation::Entity::find()
        .filter(entity::partner_organisation::Column::Slug.eq("abf-ostergotland"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("abf");
    let employer = entity::employer::Entity::find()
        .one(&app.db)
        .await
        .expect("read")
        .expect("employer");
    let placement_id = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(placement_id),
        participant_id: Set(uuid::Uuid::parse_str(&uuid_of(&person)).expect("uuid")),
        employer_id: Set(employer.id),
        slot_id: Set(None),
        responsible_partner_id: Set(abf.id),
        mentor_id: Set(None),
        kind: Set(entity::OpportunityKind::Internship),
        status: Set(PlacementStatus::Active),
        starts_on: Set(None),
        ends_on: Set(None),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&app.db)
    .await
    .expect("placement");
    let token = app
        .token("abf-ostergotland", "partner", &[], "abf-staff")
        .await;
    let body = app
        .graphql_as(&token, REVOKE, json!({ "input": { "id": consent } }))
        .await;
    assert_eq!(
        body["data"]["revokeConsent"]["consent"]["inForce"], false,
        "{body}"
    );
    let body = app
        .graphql_as(&token, READ_PARTICIPANT, json!({ "id": person }))
        .await;
    assert_eq!(
        body["data"]["participant"]["displayName"], "Placida",
        "the active placement keeps access: {body}"
    );
    placement::Entity::update_many()
        .col_expr(
            placement::Column::Status,
            sea_orm::sea_query::Expr::value(PlacementStatus::Completed),
        )
        .filter(placement::Column::Id.eq(placement_id))
        .exec(&app.db)
        .await
        .expect("complete");
    let body = app
        .graphql_as(&token, READ_PARTICIPANT, json!({ "id": person }))
        .await;
    assert_eq!(
        error_codes(&body),
        ["NOT_FOUND"],
        "access ends with the placement: {body}"
    );
}
