//! People signing in: a partner's identity provider stood up here (its own
//! keys and JWKS endpoint) whose tokens are exchanged (RFC 8693); one-time
//! codes delivered through an SMTP server stood up here; refresh tokens
//! rotating with reuse detection; revocation. Every person and address is
//! made up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portalen_api::auth::KeyRing;
use portalen_api::sign_in::SignInSettings;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, error_codes};

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const ONE_TIME_CODE: &str = "urn:portalen:params:oauth:grant-type:one-time-code";
const AUDIENCE: &str = "portalen-dashboard";
const VIEWER: &str = "{ viewer { subject role scopes organisation { slug } person { email } membership { id } memberships { id organisation { slug } } } }";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An OpenID Connect provider of the test's own: keys it signs with, the
/// JWKS endpoint it publishes them at, and how often that was fetched.
struct TestIdp {
    issuer: String,
    /// The signing key first, then keys still published.
    keys: Arc<Mutex<Vec<String>>>,
    fetches: Arc<AtomicUsize>,
    handle: actix_web::dev::ServerHandle,
}

impl TestIdp {
    async fn start() -> Self {
        let keys = Arc::new(Mutex::new(vec![
            portalen_api::auth::keys::generate_pem().expect("key"),
        ]));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served_keys, served_fetches) = (keys.clone(), fetches.clone());
        let server = HttpServer::new(move || {
            let keys = served_keys.clone();
            let fetches = served_fetches.clone();
            App::new().route(
                "/jwks.json",
                web::get().to(move || {
                    let keys = keys.lock().expect("keys").clone();
                    fetches.fetch_add(1, Ordering::SeqCst);
                    async move {
                        let ring = KeyRing::from_pems(&keys[0], &keys[1..]).expect("ring");
                        HttpResponse::Ok().json(ring.jwks().clone())
                    }
                }),
            )
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            issuer: format!("http://127.0.0.1:{port}"),
            keys,
            fetches,
            handle,
        }
    }

    fn jwks_uri(&self) -> String {
        format!("{}/jwks.json", self.issuer)
    }

    fn signing_pem(&self) -> String {
        self.keys.lock().expect("keys")[0].clone()
    }

    /// Signs with a new key, still publishing the old ones.
    fn rotate(&self) {
        let mut keys = self.keys.lock().expect("keys");
        keys.insert(0, portalen_api::auth::keys::generate_pem().expect("key"));
    }

    fn claims(&self, email: &str, overrides: Value) -> Value {
        let mut claims = json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": format!("idp-user-{email}"),
            "email": email,
            "email_verified": true,
            "name": "Test Person",
            "iat": now(),
            "exp": now() + 300,
        });
        for (k, v) in overrides.as_object().expect("object") {
            claims[k] = v.clone();
        }
        claims
    }

    /// An ID token for `email`, signed with `pem`.
    fn token_with(&self, pem: &str, claims: &Value) -> String {
        let kid = KeyRing::from_pems(pem, &[])
            .expect("ring")
            .signing_kid()
            .to_owned();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid);
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_ed_pem(pem.as_bytes()).expect("key"),
        )
        .expect("sign")
    }

    fn token(&self, email: &str, overrides: Value) -> String {
        self.token_with(&self.signing_pem(), &self.claims(email, overrides))
    }
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .form(form)
        .send()
        .await
        .expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POSTs a grant to the token endpoint, naming `membership` if given.
async fn grant(
    app: &TestApp,
    mut form: Vec<(&str, &str)>,
    membership: Option<&str>,
) -> (StatusCode, Value) {
    if let Some(membership) = membership {
        form.push(("membership", membership));
    }
    post_form(app, "/oauth/token", &form).await
}

async fn exchange(
    app: &TestApp,
    subject_token: &str,
    membership: Option<&str>,
) -> (StatusCode, Value) {
    let form = vec![
        ("grant_type", EXCHANGE),
        ("subject_token", subject_token),
        ("subject_token_type", ID_TOKEN),
    ];
    grant(app, form, membership).await
}

async fn refresh(
    app: &TestApp,
    refresh_token: &str,
    membership: Option<&str>,
) -> (StatusCode, Value) {
    let form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    grant(app, form, membership).await
}

fn assert_invalid_grant(answer: &(StatusCode, Value), case: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{case}: {}", answer.1);
    assert_eq!(answer.1["error"], "invalid_grant", "{case}: {}", answer.1);
    assert!(answer.1.get("access_token").is_none(), "{case}");
}

/// The HTTP status and error codes of a request with `token`.
async fn viewer(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let response = app.post_graphql(Some(token), VIEWER, json!({})).await;
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// Adds a membership as Portalen's administrator; its global id.
async fn add_membership(app: &TestApp, org: &str, email: &str, role: &str) -> String {
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: AddMembershipInput!) { addMembership(input: $input) { membership { id role status } userErrors { field message } } }",
            json!({ "input": { "organisationSlug": org, "email": email, "name": "Test Person", "role": role } }),
        )
        .await;
    let id = body["data"]["addMembership"]["membership"]["id"].as_str();
    id.unwrap_or_else(|| panic!("membership: {body}"))
        .to_owned()
}

async fn register_provider(app: &TestApp, idp: &TestIdp, org: &str, extra: Value) {
    let admin = app.admin_token().await;
    let mut input = json!({
        "organisationSlug": org,
        "issuer": idp.issuer,
        "jwksUri": idp.jwks_uri(),
        "audience": AUDIENCE,
        "algorithms": ["EdDSA"],
    });
    for (k, v) in extra.as_object().expect("object") {
        input[k] = v.clone();
    }
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: RegisterIdentityProviderInput!) { registerIdentityProvider(input: $input) { identityProvider { id issuer } userErrors { field message } } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(
        body["data"]["registerIdentityProvider"]["userErrors"],
        json!([]),
        "{body}"
    );
}

async fn participant_ids(app: &TestApp, token: &str) -> Vec<String> {
    let body = app
        .graphql_as(
            token,
            "{ participants(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let mut ids: Vec<String> = body["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_providers_token_is_exchanged_for_a_membership_of_its_organisation_only() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    register_provider(&app, &idp, "norrkopings-kommun", json!({})).await;
    let kommun = add_membership(&app, "norrkopings-kommun", "alex@kommun.example", "PARTNER").await;
    let abf = add_membership(&app, "abf-ostergotland", "alex@kommun.example", "PARTNER").await;

    // The good exchange: a Portalen token for the kommun membership.
    let (status, answer) = exchange(&app, &idp.token("Alex@Kommun.example", json!({})), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(
        answer["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(answer["membership"], kommun.as_str());
    assert!(
        answer["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("prt_"))
    );
    let token = answer["access_token"].as_str().expect("token").to_owned();
    let (_, body) = viewer(&app, &token).await;
    let me = &body["data"]["viewer"];
    assert_eq!(me["role"], "PARTNER", "{body}");
    assert_eq!(me["organisation"]["slug"], "norrkopings-kommun");
    assert_eq!(me["person"]["email"], "alex@kommun.example");
    assert_eq!(me["membership"]["id"], kommun.as_str());
    assert!(
        me["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("person:"))
    );
    let listed: Vec<&str> = me["memberships"]
        .as_array()
        .expect("memberships")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        listed,
        [kommun.as_str(), abf.as_str()],
        "viewer.memberships lists the others"
    );
    // Scopes: the role's within the organisation's grant.
    let scopes: Vec<&str> = me["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(scopes.contains(&"participants:pii") && scopes.contains(&"members:admin"));
    assert!(
        !scopes.contains(&"partners:admin"),
        "beyond the kommun's grant"
    );
    // The partner token of a person sees exactly what the organisation's
    // partner token sees.
    let machine = app
        .token("norrkopings-kommun", "partner", &[], "staff-1")
        .await;
    assert_eq!(
        participant_ids(&app, &token).await,
        participant_ids(&app, &machine).await
    );

    // The kommun's provider cannot sign anyone in to ABF, whatever it asks.
    assert_invalid_grant(
        &exchange(
            &app,
            &idp.token("alex@kommun.example", json!({})),
            Some(&abf),
        )
        .await,
        "another organisation's membership",
    );
    // An address with no membership, and one the provider says is unverified.
    assert_invalid_grant(
        &exchange(&app, &idp.token("nobody@kommun.example", json!({})), None).await,
        "no membership",
    );
    assert_invalid_grant(
        &exchange(
            &app,
            &idp.token("alex@kommun.example", json!({ "email_verified": false })),
            None,
        )
        .await,
        "unverified address",
    );
}

#[tokio::test]
async fn a_providers_token_with_a_wrong_issuer_audience_algorithm_or_expiry_is_refused() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    register_provider(&app, &idp, "norrkopings-kommun", json!({})).await;
    add_membership(&app, "norrkopings-kommun", "kim@kommun.example", "PARTNER").await;
    let email = "kim@kommun.example";
    let pem = idp.signing_pem();
    let cases = [
        (
            "an unregistered issuer",
            json!({ "iss": "https://idp.elsewhere.example" }),
        ),
        ("another audience", json!({ "aud": "some-other-app" })),
        (
            "expired beyond the leeway",
            json!({ "exp": now() - 600, "iat": now() - 1200 }),
        ),
        ("not valid yet", json!({ "nbf": now() + 600 })),
        ("issued in the future", json!({ "iat": now() + 600 })),
        ("no expiry", json!({ "exp": null })),
    ];
    for (case, overrides) in cases {
        let mut claims = idp.claims(email, overrides);
        if claims["exp"].is_null() {
            claims.as_object_mut().expect("object").remove("exp");
        }
        assert_invalid_grant(
            &exchange(&app, &idp.token_with(&pem, &claims), None).await,
            case,
        );
    }
    // Within the leeway, an expired token still passes.
    let (status, answer) =
        exchange(&app, &idp.token(email, json!({ "exp": now() - 20 })), None).await;
    assert_eq!(status, StatusCode::OK, "within the leeway: {answer}");

    // An HMAC token whose "secret" is the provider's public key, and one
    // with no signature at all: both refused, never verified as HS256.
    let kid = KeyRing::from_pems(&pem, &[])
        .expect("ring")
        .signing_kid()
        .to_owned();
    let public = KeyRing::from_pems(&pem, &[])
        .expect("ring")
        .jwks()
        .to_string();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.clone());
    let hmac = jsonwebtoken::encode(
        &header,
        &idp.claims(email, json!({})),
        &EncodingKey::from_secret(public.as_bytes()),
    )
    .expect("sign");
    assert_invalid_grant(&exchange(&app, &hmac, None).await, "HS256");
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "kid": kid })),
        b64(&idp.claims(email, json!({})))
    );
    assert_invalid_grant(&exchange(&app, &unsigned, None).await, "alg none");
    // A token whose signature does not match (claims changed after signing).
    let good = idp.token(email, json!({}));
    let parts: Vec<&str> = good.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&idp.claims("other@kommun.example", json!({}))),
        parts[2]
    );
    assert_invalid_grant(&exchange(&app, &forged, None).await, "a forged payload");
    // Malformed requests are refused before any check.
    let (status, answer) = post_form(
        &app,
        "/oauth/token",
        &[("grant_type", EXCHANGE), ("subject_token", &good)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "invalid_request", "no subject_token_type");
    let (_, answer) = exchange(&app, "not a token", None).await;
    assert_eq!(answer["error"], "invalid_grant");
}

#[tokio::test]
async fn an_unknown_key_refetches_the_providers_keys_at_most_once_a_minute() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    register_provider(&app, &idp, "norrkopings-kommun", json!({})).await;
    add_membership(
        &app,
        "norrkopings-kommun",
        "robin@kommun.example",
        "PARTNER",
    )
    .await;
    let email = "robin@kommun.example";

    let (status, _) = exchange(&app, &idp.token(email, json!({})), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = exchange(&app, &idp.token(email, json!({})), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 1, "the keys are kept");

    // The provider rotates its keys: a token with the new kid makes one
    // refetch and is accepted.
    idp.rotate();
    let (status, answer) = exchange(&app, &idp.token(email, json!({})), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 2);

    // A key the provider never published: refused, and within the minute
    // no further fetch, however many such tokens come.
    let stranger = portalen_api::auth::keys::generate_pem().expect("key");
    for _ in 0..5 {
        let forged = idp.token_with(&stranger, &idp.claims(email, json!({})));
        assert_invalid_grant(&exchange(&app, &forged, None).await, "an unpublished key");
    }
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        2,
        "no refetch within a minute"
    );
    idp.handle.stop(false).await;
}

#[tokio::test]
async fn ending_a_membership_or_suspending_the_organisation_stops_its_tokens_and_sign_ins() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    register_provider(&app, &idp, "norrkopings-kommun", json!({})).await;
    let membership =
        add_membership(&app, "norrkopings-kommun", "sam@kommun.example", "PARTNER").await;
    let sign_in =
        || async { exchange(&app, &idp.token("sam@kommun.example", json!({})), None).await };
    let (_, answer) = sign_in().await;
    let token = answer["access_token"].as_str().expect("token").to_owned();
    let refresh_token = answer["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_eq!(viewer(&app, &token).await.0, StatusCode::OK);

    // Suspended: the token stops on its next request and nobody signs in.
    let admin = app.admin_token().await;
    let suspend = "mutation($slug: String!, $status: PartnerStatus!) { setPartnerStatus(input: { slug: $slug, status: $status }) { partnerOrganisation { status } userErrors { message } } }";
    app.graphql_as(
        &admin,
        suspend,
        json!({ "slug": "norrkopings-kommun", "status": "SUSPENDED" }),
    )
    .await;
    let (status, body) = viewer(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_invalid_grant(&sign_in().await, "a suspended organisation");
    assert_invalid_grant(
        &refresh(&app, &refresh_token, None).await,
        "refresh while suspended",
    );
    app.graphql_as(
        &admin,
        suspend,
        json!({ "slug": "norrkopings-kommun", "status": "ACTIVE" }),
    )
    .await;

    // Ended: the token stops and sign-ins are refused.
    let (_, answer) = sign_in().await;
    let token = answer["access_token"].as_str().expect("token").to_owned();
    assert_eq!(viewer(&app, &token).await.0, StatusCode::OK);
    let body = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { endMembership(input: { id: $id }) { membership { status endedAt } userErrors { message } } }",
            json!({ "id": membership }),
        )
        .await;
    assert_eq!(
        body["data"]["endMembership"]["membership"]["status"], "ENDED",
        "{body}"
    );
    let (status, body) = viewer(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    assert_invalid_grant(&sign_in().await, "an ended membership");
}

#[tokio::test]
async fn a_providers_group_gives_a_membership_at_the_first_sign_in() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    register_provider(
        &app,
        &idp,
        "norrkopings-kommun",
        json!({ "groupsClaim": "groups", "groupMappings": [{ "group": "portalen-volunteers", "role": "VOLUNTEER" }] }),
    )
    .await;
    assert_invalid_grant(
        &exchange(
            &app,
            &idp.token("new@kommun.example", json!({ "groups": ["other"] })),
            None,
        )
        .await,
        "an unmapped group",
    );
    let (status, answer) = exchange(
        &app,
        &idp.token(
            "new@kommun.example",
            json!({ "groups": ["portalen-volunteers"] }),
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["access_token"].as_str().expect("token");
    let (_, body) = viewer(&app, token).await;
    assert_eq!(body["data"]["viewer"]["role"], "VOLUNTEER", "{body}");
    assert_eq!(
        body["data"]["viewer"]["scopes"],
        json!([
            "employers:read",
            "slots:read",
            "activities:read",
            "volunteers:read",
            "volunteers:write"
        ])
    );
    // A volunteer reads no personal data.
    let body = app
        .graphql_as(
            token,
            "{ participants(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    // A partner may not map a group to the administrator role, nor register
    // another organisation's provider.
    let kommun = app
        .token("norrkopings-kommun", "partner", &[], "staff-1")
        .await;
    let body = app
        .graphql_as(
            &kommun,
            "mutation($input: RegisterIdentityProviderInput!) { registerIdentityProvider(input: $input) { identityProvider { id } userErrors { field message } } }",
            json!({ "input": { "organisationSlug": "abf-ostergotland", "issuer": "https://idp.abf.example", "jwksUri": "https://idp.abf.example/jwks", "audience": "x", "algorithms": ["RS256"] } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = app
        .graphql_as(
            &kommun,
            "mutation($input: RegisterIdentityProviderInput!) { registerIdentityProvider(input: $input) { identityProvider { id } userErrors { field message } } }",
            json!({ "input": { "organisationSlug": "norrkopings-kommun", "issuer": "https://idp2.kommun.example", "jwksUri": "http://10.0.0.1/jwks", "audience": "x", "algorithms": ["HS256"], "groupsClaim": "groups", "groupMappings": [{ "group": "g", "role": "MENTOR" }] } }),
        )
        .await;
    let fields: Vec<String> = body["data"]["registerIdentityProvider"]["userErrors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            let path: Vec<&str> = e["field"]
                .as_array()
                .expect("path")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            path.join(".")
        })
        .collect();
    assert_eq!(
        fields,
        ["input.jwksUri", "input.algorithms", "input.groupMappings"],
        "{body}"
    );
}

/// An SMTP server of the test's own: it takes every message and keeps it.
struct SmtpSink {
    url: String,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                kept.lock().expect("messages").push(std::mem::take(body));
                                data = None;
                                let _ = write.write_all(b"250 kept\r\n").await;
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 sink\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            messages,
        }
    }

    fn count(&self) -> usize {
        self.messages.lock().expect("messages").len()
    }

    /// Waits for message number `n` (from 0) and returns its code.
    async fn code(&self, n: usize) -> (String, String) {
        for _ in 0..200 {
            if let Some(message) = self.messages.lock().expect("messages").get(n).cloned() {
                let code = message
                    .lines()
                    .map(str::trim)
                    .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
                    .unwrap_or_else(|| panic!("no code in {message}"))
                    .to_owned();
                return (code, message);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message {n} arrived");
    }
}

async fn app_with_mail(sink: &SmtpSink) -> TestApp {
    app_with_mail_and(sink, SignInSettings::default()).await
}

async fn app_with_mail_and(sink: &SmtpSink, settings: SignInSettings) -> TestApp {
    TestApp::builder()
        .sign_in(SignInSettings {
            smtp_url: Some(sink.url.clone()),
            ..settings
        })
        .start()
        .await
}

async fn request_code(app: &TestApp, email: &str) -> (StatusCode, Value) {
    post_form(app, "/oauth/code", &[("email", email)]).await
}

async fn redeem(
    app: &TestApp,
    email: &str,
    code: &str,
    membership: Option<&str>,
) -> (StatusCode, Value) {
    let form = vec![
        ("grant_type", ONE_TIME_CODE),
        ("email", email),
        ("code", code),
    ];
    grant(app, form, membership).await
}

#[tokio::test]
async fn a_one_time_code_is_delivered_works_once_and_unknown_addresses_are_answered_alike() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let employer = app
        .graphql_as(
            &app.admin_token().await,
            "{ employers(first: 1) { edges { node { id partnerOrganisation { slug } } } } }",
            json!({}),
        )
        .await;
    let node = &employer["data"]["employers"]["edges"][0]["node"];
    let (employer_id, employer_org) = (
        node["id"].as_str().expect("employer").to_owned(),
        node["partnerOrganisation"]["slug"]
            .as_str()
            .expect("slug")
            .to_owned(),
    );
    // A small employer's contact: an employer membership of its organisation.
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: AddMembershipInput!) { addMembership(input: $input) { membership { id role actsAsId } userErrors { field message } } }",
            json!({ "input": { "organisationSlug": employer_org, "email": "contact@employer.example", "name": "Contact Person", "role": "EMPLOYER", "actsAsId": employer_id } }),
        )
        .await;
    assert_eq!(
        body["data"]["addMembership"]["membership"]["actsAsId"],
        employer_id.as_str(),
        "{body}"
    );

    // Unknown and known addresses get the very same answer; only the known
    // one gets a message.
    let unknown = request_code(&app, "stranger@nowhere.example").await;
    let known = request_code(&app, "Contact@Employer.example").await;
    assert_eq!(known.0, StatusCode::ACCEPTED);
    assert_eq!(unknown, known, "no account enumeration");
    let (code, message) = sink.code(0).await;
    assert!(message.contains("contact@employer.example"), "{message}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.count(), 1, "nothing is sent to an unknown address");
    let stored: Vec<entity::one_time_code::Model> =
        <entity::one_time_code::Entity as sea_orm::EntityTrait>::find()
            .all(&app.db)
            .await
            .expect("codes");
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].code_hash.contains(&code),
        "only a hash is stored"
    );

    // The code signs in, once.
    let (status, answer) = redeem(&app, "contact@employer.example", &code, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["access_token"].as_str().expect("token").to_owned();
    let (_, body) = viewer(&app, &token).await;
    assert_eq!(body["data"]["viewer"]["role"], "EMPLOYER", "{body}");
    // The employer's contact posts its own slot.
    let body = app
        .graphql_as(
            &token,
            "mutation($input: PostInternshipSlotInput!) { postInternshipSlot(input: $input) { internshipSlot { id title } userErrors { field message } } }",
            json!({ "input": { "employerId": employer_id, "title": "Praktik i butiken", "kind": "INTERNSHIP", "places": 1, "startsOn": "2027-03-01" } }),
        )
        .await;
    assert_eq!(
        body["data"]["postInternshipSlot"]["internshipSlot"]["title"], "Praktik i butiken",
        "{body}"
    );
    assert_invalid_grant(
        &redeem(&app, "contact@employer.example", &code, None).await,
        "a used code",
    );

    // Five wrong attempts use a code up: the right one is refused after.
    request_code(&app, "contact@employer.example").await;
    let (code, _) = sink.code(1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_invalid_grant(
            &redeem(&app, "contact@employer.example", wrong, None).await,
            "wrong",
        );
    }
    assert_invalid_grant(
        &redeem(&app, "contact@employer.example", &code, None).await,
        "after five attempts",
    );

    // An expired code is refused.
    request_code(&app, "contact@employer.example").await;
    let (code, _) = sink.code(2).await;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::one_time_code::Entity::update_many()
        .col_expr(
            entity::one_time_code::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(entity::one_time_code::Column::UsedAt.is_null())
        .exec(&app.db)
        .await
        .expect("age the code");
    assert_invalid_grant(
        &redeem(&app, "contact@employer.example", &code, None).await,
        "an expired code",
    );
    // An unknown address is refused as a wrong code is.
    let unknown = redeem(&app, "stranger@nowhere.example", "123456", None).await;
    let wrong = redeem(&app, "contact@employer.example", "123456", None).await;
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn code_requests_are_limited_per_address_whether_or_not_it_is_known() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    for _ in 0..5 {
        assert_eq!(
            request_code(&app, "someone@nowhere.example").await.0,
            StatusCode::ACCEPTED
        );
    }
    let (status, answer) = request_code(&app, "someone@nowhere.example").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_eq!(answer["error"], "slow_down");
    let (status, answer) = request_code(&app, "not an address").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    // Without an SMTP server, sign-in by code is off, and says so.
    let plain = TestApp::builder().start().await;
    let (status, answer) = request_code(&plain, "someone@nowhere.example").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
}

/// Signs `email` in by code and returns the token answer.
async fn sign_in_by_code(
    app: &TestApp,
    sink: &SmtpSink,
    email: &str,
    n: usize,
    membership: Option<&str>,
) -> Value {
    request_code(app, email).await;
    let (code, _) = sink.code(n).await;
    let (status, answer) = redeem(app, email, &code, membership).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[tokio::test]
async fn one_person_with_two_memberships_gets_two_tokens_that_see_different_rows() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let email = "coordinator@example.org";
    let kommun = add_membership(&app, "norrkopings-kommun", email, "PARTNER").await;
    let abf = add_membership(&app, "abf-ostergotland", email, "PARTNER").await;
    let first = sign_in_by_code(&app, &sink, email, 0, None).await;
    assert_eq!(
        first["membership"],
        kommun.as_str(),
        "the oldest by default"
    );
    let second = sign_in_by_code(&app, &sink, email, 1, Some(&abf)).await;
    assert_eq!(second["membership"], abf.as_str());
    let (kommun_token, abf_token) = (
        first["access_token"].as_str().expect("token"),
        second["access_token"].as_str().expect("token"),
    );
    let kommun_rows = participant_ids(&app, kommun_token).await;
    let abf_rows = participant_ids(&app, abf_token).await;
    assert_ne!(kommun_rows, abf_rows);
    assert_eq!(
        kommun_rows,
        participant_ids(
            &app,
            &app.token("norrkopings-kommun", "partner", &[], "s").await
        )
        .await
    );
    assert_eq!(
        abf_rows,
        participant_ids(
            &app,
            &app.token("abf-ostergotland", "partner", &[], "s").await
        )
        .await
    );
    // Switching organisation by refreshing, naming the other membership.
    let (status, switched) = refresh(
        &app,
        first["refresh_token"].as_str().expect("r"),
        Some(&abf),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{switched}");
    let (_, body) = viewer(&app, switched["access_token"].as_str().expect("token")).await;
    assert_eq!(
        body["data"]["viewer"]["organisation"]["slug"],
        "abf-ostergotland"
    );
    // A membership of someone else is not a switch.
    let other = add_membership(&app, "abf-ostergotland", "else@example.org", "PARTNER").await;
    assert_invalid_grant(
        &refresh(
            &app,
            switched["refresh_token"].as_str().expect("r"),
            Some(&other),
        )
        .await,
        "someone else's membership",
    );
}

#[tokio::test]
async fn a_refresh_token_rotates_and_a_reused_one_revokes_the_whole_session() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let email = "reuse@example.org";
    add_membership(&app, "abf-ostergotland", email, "PARTNER").await;
    let first = sign_in_by_code(&app, &sink, email, 0, None).await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_owned();
    let (status, second) = refresh(&app, &r1, None).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let r2 = second["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(r1, r2, "rotated");
    let access = second["access_token"].as_str().expect("token").to_owned();
    assert_eq!(viewer(&app, &access).await.0, StatusCode::OK);

    // The used token again: refused, and the family is revoked: the newest
    // refresh token and the session's access tokens stop.
    assert_invalid_grant(&refresh(&app, &r1, None).await, "a reused refresh token");
    assert_invalid_grant(&refresh(&app, &r2, None).await, "the family after reuse");
    assert_eq!(viewer(&app, &access).await.0, StatusCode::UNAUTHORIZED);
    assert_invalid_grant(&refresh(&app, "prt_never-issued", None).await, "unknown");
    // Another session of the same person is untouched.
    let other = sign_in_by_code(&app, &sink, email, 1, None).await;
    let (status, _) = refresh(&app, other["refresh_token"].as_str().expect("r"), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn revoking_a_refresh_or_access_token_signs_the_session_out() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let email = "signout@example.org";
    add_membership(&app, "abf-ostergotland", email, "PARTNER").await;
    for (n, revoke) in [(0, "refresh_token"), (1, "access_token")] {
        let answer = sign_in_by_code(&app, &sink, email, n, None).await;
        let access = answer["access_token"].as_str().expect("token").to_owned();
        let refresh_token = answer["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned();
        assert_eq!(viewer(&app, &access).await.0, StatusCode::OK);
        let revoked = answer[revoke].as_str().expect("token");
        let (status, _) = post_form(&app, "/oauth/revoke", &[("token", revoked)]).await;
        assert_eq!(status, StatusCode::OK, "{revoke}");
        assert_eq!(
            viewer(&app, &access).await.0,
            StatusCode::UNAUTHORIZED,
            "{revoke}"
        );
        assert_invalid_grant(&refresh(&app, &refresh_token, None).await, revoke);
    }
    // RFC 7009: an unknown token is answered 200 too; a missing one is not.
    let (status, _) = post_form(&app, "/oauth/revoke", &[("token", "prt_unknown")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = post_form(&app, "/oauth/revoke", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "invalid_request");
}

#[tokio::test]
async fn concurrent_uses_of_one_refresh_token_or_one_code_succeed_exactly_once() {
    let sink = SmtpSink::start().await;
    let settings = SignInSettings {
        codes_per_address_per_hour: std::num::NonZeroU32::new(100).expect("nonzero"),
        code_requests_per_client_per_hour: std::num::NonZeroU32::new(1000).expect("nonzero"),
        ..Default::default()
    };
    let app = Arc::new(app_with_mail_and(&sink, settings).await);
    let email = "race@example.org";
    add_membership(&app, "abf-ostergotland", email, "PARTNER").await;
    for round in 0..10 {
        // A code, redeemed by five clients at once.
        request_code(&app, email).await;
        let (code, _) = sink.code(round).await;
        let barrier = Arc::new(tokio::sync::Barrier::new(5));
        let racers: Vec<_> = (0..5)
            .map(|_| {
                let (app, barrier, code) = (app.clone(), barrier.clone(), code.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    redeem(&app, email, &code, None).await
                })
            })
            .collect();
        let mut won = Vec::new();
        for racer in racers {
            let (status, answer) = racer.await.expect("racer");
            if status == StatusCode::OK {
                won.push(answer);
            } else {
                assert_eq!(answer["error"], "invalid_grant", "round {round}: {answer}");
            }
        }
        assert_eq!(won.len(), 1, "round {round}: one code, one sign-in");
        // Its refresh token, used by five clients at once.
        let refresh_token = won[0]["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned();
        let barrier = Arc::new(tokio::sync::Barrier::new(5));
        let racers: Vec<_> = (0..5)
            .map(|_| {
                let (app, barrier, token) = (app.clone(), barrier.clone(), refresh_token.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    refresh(&app, &token, None).await
                })
            })
            .collect();
        let mut rotated = 0;
        for racer in racers {
            let (status, answer) = racer.await.expect("racer");
            if status == StatusCode::OK {
                rotated += 1;
            } else {
                assert_eq!(answer["error"], "invalid_grant", "round {round}: {answer}");
            }
        }
        assert_eq!(rotated, 1, "round {round}: one refresh token, one rotation");
    }
}

#[tokio::test]
async fn an_organisations_staff_manage_its_memberships_and_a_mentor_signs_in_as_that_mentor() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let abf = app
        .token("abf-ostergotland", "partner", &[], "staff-1")
        .await;
    let admin = app.admin_token().await;
    let mentors = app
        .graphql_as(
            &admin,
            "{ mentors(first: 100) { edges { node { id partnerOrganisation { slug } } } } }",
            json!({}),
        )
        .await;
    let mentor_of = |slug: &str| {
        mentors["data"]["mentors"]["edges"]
            .as_array()
            .expect("mentors")
            .iter()
            .find(|e| e["node"]["partnerOrganisation"]["slug"] == slug)
            .and_then(|e| e["node"]["id"].as_str())
            .expect("a mentor")
            .to_owned()
    };
    let add = "mutation($input: AddMembershipInput!) { addMembership(input: $input) { membership { id role actsAsId person { email } } userErrors { field message } } }";
    let input = |role: &str, acts_as: Option<String>| json!({ "input": { "organisationSlug": "abf-ostergotland", "email": "Mentor@Example.org", "name": "Mentor Person", "role": role, "actsAsId": acts_as } });
    // ABF's staff give a mentor membership acting as ABF's own mentor.
    let body = app
        .graphql_as(
            &abf,
            add,
            input("MENTOR", Some(mentor_of("abf-ostergotland"))),
        )
        .await;
    let membership = &body["data"]["addMembership"]["membership"];
    assert_eq!(membership["role"], "MENTOR", "{body}");
    assert_eq!(
        membership["person"]["email"], "mentor@example.org",
        "lower-cased"
    );
    // Not as another organisation's mentor, not without the row, not twice,
    // never as administrator, and never in another organisation.
    let body = app
        .graphql_as(&abf, add, input("MENTOR", Some(mentor_of("vita-hasten"))))
        .await;
    assert_eq!(
        body["data"]["addMembership"]["userErrors"][0]["field"],
        json!(["input", "actsAsId"]),
        "{body}"
    );
    let body = app.graphql_as(&abf, add, input("MENTOR", None)).await;
    assert_eq!(
        body["data"]["addMembership"]["userErrors"][0]["field"],
        json!(["input", "actsAsId"]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &abf,
            add,
            input("MENTOR", Some(mentor_of("abf-ostergotland"))),
        )
        .await;
    assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    let body = app
        .graphql_as(&abf, add, input("ADMINISTRATOR", None))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let mut elsewhere = input("PARTNER", None);
    elsewhere["input"]["organisationSlug"] = json!("norrkopings-kommun");
    let body = app.graphql_as(&abf, add, elsewhere).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = app
        .graphql_as(&abf, add, json!({ "input": { "organisationSlug": "abf-ostergotland", "email": "not-an-address", "name": " ", "role": "PARTNER" } }))
        .await;
    assert_eq!(
        body["data"]["addMembership"]["userErrors"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "every invalid field: {body}"
    );
    // Without members:admin (ABF's grant is all; a token asking for less).
    let narrow = app
        .token(
            "abf-ostergotland",
            "partner",
            &["participants:read"],
            "staff-2",
        )
        .await;
    let body = app.graphql_as(&narrow, add, input("PARTNER", None)).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);

    // The mentor signs in and sees exactly what that mentor's token sees.
    let signed_in = sign_in_by_code(&app, &sink, "mentor@example.org", 0, None).await;
    let token = signed_in["access_token"].as_str().expect("token");
    let mentor_id = mentor_of("abf-ostergotland");
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&mentor_id)
        .expect("id");
    let uuid = String::from_utf8(raw).expect("utf-8");
    let uuid = uuid.split_once(':').expect("typed").1;
    let as_mentor = app
        .token("abf-ostergotland", "mentor", &[], &format!("mentor:{uuid}"))
        .await;
    let mentees = "{ mentorships(first: 100) { edges { node { id } } } placements(first: 100) { edges { node { id } } } }";
    let mine = app.graphql_as(token, mentees, json!({})).await;
    assert!(mine.get("errors").is_none(), "{mine}");
    assert_eq!(
        mine["data"],
        app.graphql_as(&as_mentor, mentees, json!({})).await["data"]
    );
    // Their own person and memberships are theirs to see; nobody else's.
    let (_, body) = viewer(&app, token).await;
    assert_eq!(body["data"]["viewer"]["role"], "MENTOR", "{body}");
    let body = app
        .graphql_as(token, "{ memberships(first: 5) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        error_codes(&body),
        ["FORBIDDEN"],
        "a mentor does not list memberships"
    );
}

#[tokio::test]
async fn a_provider_whose_keys_cannot_be_read_refuses_its_tokens_without_telling_why() {
    let app = TestApp::builder().start().await;
    let idp = TestIdp::start().await;
    // Its keys at a port where nothing answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    register_provider(
        &app,
        &idp,
        "norrkopings-kommun",
        json!({ "jwksUri": format!("http://127.0.0.1:{port}/jwks.json") }),
    )
    .await;
    add_membership(&app, "norrkopings-kommun", "lo@kommun.example", "PARTNER").await;
    let answer = exchange(&app, &idp.token("lo@kommun.example", json!({})), None).await;
    assert_invalid_grant(&answer, "keys unavailable");
    assert_eq!(
        answer.1["error_description"], "the provider's keys could not be read",
        "nothing of the network's answer reaches the client"
    );
}
