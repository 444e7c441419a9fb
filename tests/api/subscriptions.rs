//! Subscriptions over WebSocket (graphql-transport-ws): authenticated at
//! connection init, delivering only what the subscriber may see, and, on
//! PostgreSQL, delivered by every instance on the database.

use std::time::Duration;

use entity::*;
use futures_util::{SinkExt, StreamExt};
use portalen_api::policy::Scope;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

use crate::fixtures::gid;
use crate::helpers::{Fixture, TestApp};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws connection with `token`; `None` if the
/// server refuses it.
pub(crate) async fn connect(address: &str, token: &str) -> Option<Socket> {
    let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": { "token": token } }).to_string(),
        ))
        .await
        .expect("init");
    match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => {
            let message: Value = serde_json::from_str(&text).expect("json");
            (message["type"] == "connection_ack").then_some(socket)
        }
        _ => None,
    }
}

pub(crate) async fn subscribe(socket: &mut Socket, query: &str) {
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .expect("subscribe");
    // Let the server set the subscription up before events are sent.
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// The next `next` payload, or `None` within `wait`.
pub(crate) async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??;
        if let Ok(Message::Text(text)) = message {
            let message: Value = serde_json::from_str(&text).expect("json");
            match message["type"].as_str() {
                Some("next") => return Some(message["payload"].clone()),
                Some("ping") => {
                    let _ = socket
                        .send(Message::text(json!({ "type": "pong" }).to_string()))
                        .await;
                }
                Some("error") | Some("complete") => panic!("subscription ended: {message}"),
                _ => {}
            }
        }
    }
}

/// An organisation with an employer that is itself, an open slot and a
/// participant with consent.
struct Org {
    token: String,
    employer: Uuid,
    slot: Uuid,
    participant: Uuid,
}

async fn org(app: &TestApp, slug: &str, number: u32) -> Org {
    let partner = portalen_api::services::partners::create_partner(
        &app.db,
        portalen_api::services::partners::NewPartner {
            slug: slug.to_owned(),
            name: format!("Subscriber {slug}"),
            kind: PartnerKind::NonProfit,
            network: PartnerNetwork::Core,
            granted_scopes: Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
            contact_email: None,
            contact_phone: None,
            website: None,
        },
    )
    .await
    .expect("partner");
    let employer = portalen_api::services::employers::create_employer(
        &app.db,
        portalen_api::services::employers::NewEmployer {
            name: format!("Workplace {slug}"),
            organisation_number: portalen_api::domain::OrganisationNumber::from_nine_digits(
                559_700_500 + number,
            )
            .expect("number")
            .to_string(),
            partner_organisation_id: Some(partner.id),
            ..Default::default()
        },
    )
    .await
    .expect("employer")
    .id;
    let slot = portalen_api::services::slots::create_slot(
        &app.db,
        portalen_api::services::slots::NewSlot {
            employer_id: employer,
            title: "Praktik".to_owned(),
            description: None,
            kind: OpportunityKind::Internship,
            places: 3,
            site: None,
            starts_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            ends_on: None,
            required_swedish_level: None,
            wanted_skills: vec![],
            status: SlotStatus::Open,
        },
    )
    .await
    .expect("slot")
    .id;
    let token = app
        .token(slug, "partner", &[], &format!("{slug}-staff"))
        .await;
    let body = app
        .graphql_as(
            &token,
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }",
            json!({ "input": { "displayName": format!("Member of {slug}"), "consentPurpose": "Praktik" } }),
        )
        .await;
    let id = body["data"]["createParticipant"]["participant"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let participant = {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&id)
            .expect("id");
        let text = String::from_utf8(raw).expect("utf-8");
        Uuid::parse_str(text.split_once(':').expect("typed").1).expect("uuid")
    };
    Org {
        token,
        employer,
        slot,
        participant,
    }
}

async fn propose(address: &str, app: &TestApp, org: &Org) -> String {
    let body: Value = app
        .client
        .post(format!("{address}/graphql"))
        .bearer_auth(&org.token)
        .json(&json!({
            "query": "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) { placement { id } } }",
            "variables": { "input": { "participantId": gid("Participant", org.participant), "slotId": gid("InternshipSlot", org.slot) } },
        }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    body["data"]["proposePlacement"]["placement"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

const PLACEMENTS: &str =
    "subscription { placementChanged { id status participant { displayName } } }";

#[tokio::test]
async fn a_subscriber_receives_its_own_placements_and_nothing_of_another_organisation() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = org(&app, "sub-a", 1).await;
    let b = org(&app, "sub-b", 2).await;
    let mut watch_a = connect(&app.address, &a.token).await.expect("a connects");
    let mut watch_b = connect(&app.address, &b.token).await.expect("b connects");
    subscribe(&mut watch_a, PLACEMENTS).await;
    subscribe(&mut watch_b, PLACEMENTS).await;

    let a_placement = propose(&app.address, &app, &a).await;
    let got = next(&mut watch_a, Duration::from_secs(10))
        .await
        .expect("a hears of its placement");
    assert_eq!(
        got["data"]["placementChanged"]["id"],
        a_placement.as_str(),
        "{got}"
    );
    assert_eq!(got["data"]["placementChanged"]["status"], "PROPOSED");
    assert_eq!(
        got["data"]["placementChanged"]["participant"]["displayName"],
        "Member of sub-a"
    );

    // B's first event is its own: A's was never sent to it.
    let b_placement = propose(&app.address, &app, &b).await;
    let got = next(&mut watch_b, Duration::from_secs(10))
        .await
        .expect("b hears of its placement");
    assert_eq!(
        got["data"]["placementChanged"]["id"],
        b_placement.as_str(),
        "{got}"
    );
    assert!(!got.to_string().contains("sub-a"), "{got}");
    assert!(
        next(&mut watch_a, Duration::from_millis(500))
            .await
            .is_none(),
        "a hears nothing of b"
    );

    // A transition is an event too.
    let employer = app
        .token(
            "sub-a",
            "employer",
            &[],
            &format!("employer:{}", a.employer),
        )
        .await;
    let body = app
        .graphql_as(&employer, "mutation($input: PlacementTransitionInput!) { acceptPlacement(input: $input) { placement { status } } }",
            json!({ "input": { "id": a_placement, "version": 1 } }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let got = next(&mut watch_a, Duration::from_secs(10))
        .await
        .expect("a hears of the accept");
    assert_eq!(
        got["data"]["placementChanged"]["status"], "ACCEPTED",
        "{got}"
    );
}

#[tokio::test]
async fn slot_posted_delivers_open_slots_only_and_a_bad_token_is_refused() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = org(&app, "sub-s", 3).await;
    assert!(
        connect(&app.address, "not-a-token").await.is_none(),
        "refused"
    );

    let mut watch = connect(&app.address, &a.token).await.expect("connects");
    subscribe(
        &mut watch,
        "subscription { slotPosted { id title status } }",
    )
    .await;
    let post = |status: &'static str, title: &'static str| {
        let token = a.token.clone();
        let employer = gid("Employer", a.employer);
        let app = &app;
        async move {
            let body = app
                .graphql_as(&token, "mutation($input: PostInternshipSlotInput!) { postInternshipSlot(input: $input) { internshipSlot { id } } }",
                    json!({ "input": { "employerId": employer, "title": title, "kind": "JOB", "places": 1, "startsOn": "2027-04-01", "status": status } }))
                .await;
            body["data"]["postInternshipSlot"]["internshipSlot"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned()
        }
    };
    post("DRAFT", "Utkast").await;
    let open = post("OPEN", "Öppen").await;
    let got = next(&mut watch, Duration::from_secs(10))
        .await
        .expect("the open slot");
    assert_eq!(
        got["data"]["slotPosted"]["id"],
        open.as_str(),
        "the draft was not posted: {got}"
    );
}

#[tokio::test]
async fn two_instances_on_one_postgresql_both_deliver_an_event() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    if !app.on_postgres() {
        eprintln!("fan-out across instances needs PostgreSQL; runs in the PostgreSQL pass");
        return;
    }
    let a = org(&app, "sub-pg", 4).await;
    let (second, handle) = app.second_instance().await;
    let mut on_first = connect(&app.address, &a.token).await.expect("first");
    let mut on_second = connect(&second, &a.token).await.expect("second");
    subscribe(&mut on_first, PLACEMENTS).await;
    subscribe(&mut on_second, PLACEMENTS).await;
    // The change goes through the first instance only.
    let placement = propose(&app.address, &app, &a).await;
    for (name, socket) in [("first", &mut on_first), ("second", &mut on_second)] {
        let got = next(socket, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("the {name} instance delivered nothing"));
        assert_eq!(
            got["data"]["placementChanged"]["id"],
            placement.as_str(),
            "{name}: {got}"
        );
    }
    handle.stop(true).await;
}

/// Opens a socket and sends `connection_init` with `token`, returning it
/// with the server's first answer (`connection_ack`, or the close frame).
async fn open_with(address: &str, token: &str) -> (Socket, Option<Message>) {
    let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }).to_string(),
        ))
        .await
        .expect("init");
    let first = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .ok()
        .flatten()
        .and_then(Result::ok);
    (socket, first)
}

/// The close code the server ends the socket with within `wait`, skipping
/// any other messages (an event delivered first fails the test).
async fn closed_with(socket: &mut Socket, wait: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: Value = serde_json::from_str(&text).expect("json");
                assert_ne!(message["type"], "next", "an event leaked: {message}");
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => return None,
        }
    }
}

fn close_code(message: Option<Message>) -> Option<u16> {
    match message {
        Some(Message::Close(Some(frame))) => Some(u16::from(frame.code)),
        _ => None,
    }
}

#[tokio::test]
async fn a_refused_token_closes_the_socket_with_4401() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    for token in ["not-a-token", ""] {
        let (_, first) = open_with(&app.address, token).await;
        assert_eq!(close_code(first), Some(4401), "{token:?}");
    }
}

#[tokio::test]
async fn the_socket_closes_with_4401_when_its_token_expires() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    org(&app, "sub-exp", 5).await;
    let keys = portalen_api::auth::KeyRing::from_pems(&app.signing_pem, &[]).expect("keys");
    let short = portalen_api::auth::token::issue(
        &keys,
        &crate::helpers::token_settings(),
        &portalen_api::auth::token::NewToken {
            subject: "sub-exp-staff",
            organisation: "sub-exp",
            role: "partner",
            scopes: vec!["placements:read", "participants:read"],
            ttl: Duration::from_secs(2),
            client_id: None,
        },
    )
    .expect("a token")
    .token;
    let (mut socket, first) = open_with(&app.address, &short).await;
    assert!(
        matches!(first, Some(Message::Text(_))),
        "acknowledged: {first:?}"
    );
    subscribe(&mut socket, PLACEMENTS).await;
    assert_eq!(
        closed_with(&mut socket, Duration::from_secs(6)).await,
        Some(4401)
    );
}

#[tokio::test]
async fn suspending_the_organisation_closes_its_sockets_with_4401_before_any_event() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = org(&app, "sub-sus", 6).await;
    org(&app, "sub-adm", 8).await;
    let admin = app.token("sub-adm", "administrator", &[], "adm").await;
    let mut socket = connect(&app.address, &a.token).await.expect("connects");
    subscribe(&mut socket, PLACEMENTS).await;
    let body = app
        .graphql_as(
            &admin,
            "mutation { setPartnerStatus(input: { slug: \"sub-sus\", status: SUSPENDED }) { partnerOrganisation { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["setPartnerStatus"]["partnerOrganisation"]["status"], "SUSPENDED",
        "{body}"
    );
    // An event it would have seen: the organisation's placement, proposed
    // by an administrator.
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) { placement { id } } }",
            json!({ "input": { "participantId": gid("Participant", a.participant), "slotId": gid("InternshipSlot", a.slot) } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        closed_with(&mut socket, Duration::from_secs(10)).await,
        Some(4401)
    );
}

#[tokio::test]
async fn losing_a_scope_closes_the_socket_with_4403_and_personal_fields_flow_audited_until_then() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let a = org(&app, "sub-scope", 7).await;
    let mut socket = connect(&app.address, &a.token).await.expect("connects");
    subscribe(
        &mut socket,
        "subscription { placementChanged { id participant { displayName familyName } } }",
    )
    .await;
    let first = propose(&app.address, &app, &a).await;
    let got = next(&mut socket, Duration::from_secs(10))
        .await
        .expect("an event");
    assert_eq!(
        got["data"]["placementChanged"]["id"],
        first.as_str(),
        "{got}"
    );
    assert!(
        got.get("errors").is_none(),
        "personal fields resolve: {got}"
    );
    // The personal read was audited, as over HTTP.
    org(&app, "sub-adm2", 9).await;
    let admin = app.token("sub-adm2", "administrator", &[], "adm").await;
    let body = app
        .graphql_as(
            &admin,
            "query($id: String) { auditEvents(filter: { entityId: $id, kind: READ }) { edges { node { operation fields actor } } } }",
            json!({ "id": a.participant.to_string() }),
        )
        .await;
    let reads = body["data"]["auditEvents"]["edges"]
        .as_array()
        .expect("edges");
    assert!(
        reads
            .iter()
            .any(|e| e["node"]["operation"] == "subscription"
                && e["node"]["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f == "familyName"))
                && e["node"]["actor"] == "sub-scope-staff"),
        "{body}"
    );

    let body = app
        .graphql_as(
            &admin,
            "mutation { setPartnerGrant(input: { slug: \"sub-scope\", scopes: [\"participants:read\", \"participants:write\", \"slots:read\", \"slots:write\", \"placements:write\", \"employers:read\"] }) { partnerOrganisation { slug } userErrors { message } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: PlacementTransitionInput!) { cancelPlacement(input: $input) { placement { status } } }",
            json!({ "input": { "id": first, "version": 1 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        closed_with(&mut socket, Duration::from_secs(10)).await,
        Some(4403)
    );
}
