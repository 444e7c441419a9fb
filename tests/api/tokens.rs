//! Access tokens at the edge: every way a token is refused, the
//! client-credentials grant, key rotation, and changes to a partner's grant
//! or status taking effect on the next request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portalen_api::auth::KeyRing;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

const VIEWER: &str = "{ viewer { subject role scopes organisation { slug } } }";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(overrides: Value) -> Value {
    let mut claims = json!({
        "iss": "portalen-test",
        "aud": "portalen-api",
        "sub": "staff-1",
        "exp": now() + 300,
        "iat": now(),
        "nbf": now(),
        "jti": "test",
        "scope": "participants:read",
        "org": "norrkopings-kommun",
        "role": "partner",
    });
    if let (Some(base), Some(extra)) = (claims.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    claims
}

/// Signs `claims` with `pem` as the app would (EdDSA, its kid, typ at+jwt).
fn sign(pem: &str, claims: &Value) -> String {
    let kid = KeyRing::from_pems(pem, &[])
        .expect("ring")
        .signing_kid()
        .to_owned();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid);
    header.typ = Some("at+jwt".to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_ed_pem(pem.as_bytes()).expect("key"),
    )
    .expect("sign")
}

async fn assert_refused(app: &TestApp, authorization: &str, case: &str) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("authorization", authorization)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401, "{case}");
    assert!(
        response.headers().contains_key("www-authenticate"),
        "{case}"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{case}: {body}");
    assert!(body.get("data").is_none(), "{case}: data leaked: {body}");
}

#[tokio::test]
async fn a_missing_token_on_a_protected_operation_is_unauthenticated_with_no_data() {
    let app = spawn_app().await;
    let body = app.graphql(VIEWER, json!({})).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    assert_eq!(body["data"], Value::Null);
    let body = app
        .graphql("{ participants { totalCount } }", json!({}))
        .await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    assert_eq!(body["data"], Value::Null);
}

#[tokio::test]
async fn every_bad_token_is_refused_before_anything_runs() {
    let app = spawn_app().await;
    let pem = &app.signing_pem;
    let good = sign(pem, &claims(json!({})));
    // Sanity: the same construction is accepted.
    let body = app.graphql_as(&good, VIEWER, json!({})).await;
    assert_eq!(
        body["data"]["viewer"]["organisation"]["slug"], "norrkopings-kommun",
        "{body}"
    );

    let parts: Vec<&str> = good.split('.').collect();
    let header_none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let alg_none = format!("{header_none}.{}.", parts[1]);

    // Key confusion: HS256 "signed" with the public key as the HMAC secret.
    let ring = KeyRing::from_pems(pem, &[]).expect("ring");
    let public_x = ring.jwks()["keys"][0]["x"].as_str().expect("x").to_owned();
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some(ring.signing_kid().to_owned());
    hs_header.typ = Some("at+jwt".to_owned());
    let wrong_alg = jsonwebtoken::encode(
        &hs_header,
        &claims(json!({})),
        &EncodingKey::from_secret(&URL_SAFE_NO_PAD.decode(&public_x).expect("x")),
    )
    .expect("sign");

    let tampered_payload = URL_SAFE_NO_PAD
        .encode(claims(json!({ "role": "administrator", "org": "hyresbostader" })).to_string());
    let tampered = format!("{}.{tampered_payload}.{}", parts[0], parts[2]);

    let other_key = portalen_api::auth::keys::generate_pem().expect("pem");
    let unknown_kid = sign(&other_key, &claims(json!({})));

    let oversized = sign(pem, &claims(json!({ "padding": "x".repeat(5000) })));

    let mut no_typ_header = Header::new(Algorithm::EdDSA);
    no_typ_header.kid = Some(ring.signing_kid().to_owned());
    let id_token_like = jsonwebtoken::encode(
        &no_typ_header,
        &claims(json!({})),
        &EncodingKey::from_ed_pem(pem.as_bytes()).expect("key"),
    )
    .expect("sign");

    let cases = [
        ("malformed", "Bearer not.a.jwt".to_owned()),
        ("not a bearer token", format!("Basic {good}")),
        ("empty bearer", "Bearer ".to_owned()),
        ("alg none", format!("Bearer {alg_none}")),
        ("wrong algorithm", format!("Bearer {wrong_alg}")),
        ("tampered payload", format!("Bearer {tampered}")),
        (
            "expired",
            format!(
                "Bearer {}",
                sign(
                    pem,
                    &claims(
                        json!({ "exp": now() - 3600, "iat": now() - 7200, "nbf": now() - 7200 })
                    )
                )
            ),
        ),
        (
            "not yet valid",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "nbf": now() + 3600 })))
            ),
        ),
        (
            "wrong issuer",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "iss": "someone-else" })))
            ),
        ),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "aud": "another-api" })))
            ),
        ),
        (
            "no exp",
            format!(
                "Bearer {}",
                sign(pem, &{
                    let mut c = claims(json!({}));
                    c.as_object_mut().expect("object").remove("exp");
                    c
                })
            ),
        ),
        ("unknown kid", format!("Bearer {unknown_kid}")),
        ("oversized", format!("Bearer {oversized}")),
        (
            "not an access token (typ)",
            format!("Bearer {id_token_like}"),
        ),
        (
            "unknown role",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "role": "superuser" })))
            ),
        ),
        (
            "unknown organisation",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "org": "no-such-org" })))
            ),
        ),
        (
            "administrator of an organisation without partners:admin",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "role": "administrator" })))
            ),
        ),
        (
            "employer without an employer subject",
            format!(
                "Bearer {}",
                sign(pem, &claims(json!({ "role": "employer" })))
            ),
        ),
    ];
    for (case, authorization) in cases {
        assert_refused(&app, &authorization, case).await;
    }
}

#[tokio::test]
async fn the_public_keys_are_published_and_match_the_tokens_kid() {
    let app = spawn_app().await;
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), 200);
    let jwks: Value = response.json().await.expect("json");
    let token = app.admin_token().await;
    let header = jsonwebtoken::decode_header(&token).expect("header");
    let keys = jwks["keys"].as_array().expect("keys");
    assert!(keys.iter().any(|k| k["kid"] == json!(header.kid)), "{jwks}");
    assert!(
        keys.iter().all(|k| k.get("d").is_none()),
        "private key material published: {jwks}"
    );
}

#[tokio::test]
async fn rotation_accepts_old_tokens_until_the_old_key_is_retired() {
    let old = portalen_api::auth::keys::generate_pem().expect("pem");
    let new = portalen_api::auth::keys::generate_pem().expect("pem");
    let old_token = sign(&old, &claims(json!({})));

    let rotating = TestApp::builder()
        .keys(&new, std::slice::from_ref(&old))
        .start()
        .await;
    let body = rotating.graphql_as(&old_token, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["role"], "PARTNER", "{body}");
    // New tokens are signed with the new key, and both keys are published.
    let new_token = rotating.admin_token().await;
    let kid = jsonwebtoken::decode_header(&new_token).expect("header").kid;
    assert_eq!(
        kid.as_deref(),
        Some(KeyRing::from_pems(&new, &[]).expect("ring").signing_kid())
    );
    let jwks: Value = rotating
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));

    let retired = TestApp::builder().keys(&new, &[]).start().await;
    assert_refused(&retired, &format!("Bearer {old_token}"), "retired key").await;
}

async fn create_client(app: &TestApp, partner: &str, scopes: &[&str]) -> (String, String, String) {
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { apiClient { id clientId } clientSecret userErrors { field message } } }",
            json!({ "input": { "partnerSlug": partner, "name": "Case system", "scopes": scopes } }),
        )
        .await;
    let payload = &body["data"]["createApiClient"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    (
        payload["apiClient"]["id"].as_str().expect("id").to_owned(),
        payload["apiClient"]["clientId"]
            .as_str()
            .expect("client id")
            .to_owned(),
        payload["clientSecret"].as_str().expect("secret").to_owned(),
    )
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .form(form)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn a_partner_system_gets_a_token_with_client_credentials_and_uses_it() {
    let app = spawn_app().await;
    let (_, client_id, secret) = create_client(&app, "norrkopings-kommun", &[]).await;

    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "participants:read placements:read"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "participants:read placements:read");
    assert!(
        body["expires_in"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 900)
    );
    let token = body["access_token"].as_str().expect("token");

    let viewer = app.graphql_as(token, VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["role"], "PARTNER");
    assert_eq!(
        viewer["data"]["viewer"]["subject"],
        format!("client:{client_id}")
    );
    assert_eq!(
        viewer["data"]["viewer"]["scopes"],
        json!(["participants:read", "placements:read"])
    );

    // HTTP Basic works too, and no scope means the whole grant.
    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);

    // The secret is stored only as an argon2 hash.
    use sea_orm::EntityTrait;
    let stored = entity::api_client::Entity::find()
        .all(&app.db)
        .await
        .expect("clients");
    assert!(
        stored
            .iter()
            .all(|c| c.secret_hash.starts_with("$argon2id$") && !c.secret_hash.contains(&secret))
    );
}

#[tokio::test]
async fn wrong_secrets_revoked_clients_and_scopes_beyond_the_grant_are_refused() {
    let app = spawn_app().await;
    let (id, client_id, secret) = create_client(&app, "norrkopings-kommun", &[]).await;

    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "pc_unknown"),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // Norrköpings kommun is not granted audit:read.
    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "participants:read audit:read"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope")),
        "{body}"
    );

    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { revokeApiClient(input: { id: $id }) { apiClient { revokedAt } userErrors { message } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        body["data"]["revokeApiClient"]["apiClient"]["revokedAt"].is_string(),
        "{body}"
    );
    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn revoking_a_client_stops_the_tokens_it_already_has_on_the_next_request() {
    let app = spawn_app().await;
    let (id, client_id, secret) = create_client(&app, "norrkopings-kommun", &[]).await;
    let (other_id, other_client, other_secret) =
        create_client(&app, "norrkopings-kommun", &[]).await;
    let mut tokens = Vec::new();
    for (client, secret) in [(&client_id, &secret), (&other_client, &other_secret)] {
        let (status, body) = token_request(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        tokens.push(body["access_token"].as_str().expect("token").to_owned());
    }
    let viewer = "{ viewer { role } }";
    // Used once, so the server remembers the caller.
    for token in &tokens {
        let response = app.post_graphql(Some(token), viewer, json!({})).await;
        assert_eq!(response.status(), 200);
    }

    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { revokeApiClient(input: { id: $id }) { apiClient { revokedAt } userErrors { message } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        body["data"]["revokeApiClient"]["apiClient"]["revokedAt"].is_string(),
        "{body}"
    );

    let response = app.post_graphql(Some(&tokens[0]), viewer, json!({})).await;
    assert_eq!(
        response.status(),
        401,
        "the revoked client's token is refused at once"
    );
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
    assert!(
        body.get("data").is_none_or(serde_json::Value::is_null),
        "{body}"
    );
    // The organisation's other client is untouched.
    let response = app.post_graphql(Some(&tokens[1]), viewer, json!({})).await;
    assert_eq!(response.status(), 200, "{other_id}");
}

#[tokio::test]
async fn a_client_cannot_be_created_with_scopes_beyond_its_organisations_grant() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { apiClient { id } clientSecret userErrors { field message code } } }",
            json!({ "input": { "partnerSlug": "vita-hasten", "name": "x", "scopes": ["participants:pii"] } }),
        )
        .await;
    let payload = &body["data"]["createApiClient"];
    assert_eq!(payload["apiClient"], Value::Null);
    assert_eq!(payload["clientSecret"], Value::Null);
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["input", "scopes"]),
        "{body}"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::api_client::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn taking_a_scope_away_or_suspending_the_partner_applies_to_the_next_request() {
    let app = spawn_app().await;
    let token = app
        .token(
            "norrkopings-kommun",
            "partner",
            &["participants:read", "placements:read"],
            "staff-1",
        )
        .await;
    let body = app
        .graphql_as(&token, "{ participants { totalCount } }", json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");

    let admin = app.admin_token().await;
    let grant = "mutation($input: SetPartnerGrantInput!) { setPartnerGrant(input: $input) { partnerOrganisation { grantedScopes } userErrors { message } } }";
    let body = app
        .graphql_as(
            &admin,
            grant,
            json!({ "input": { "slug": "norrkopings-kommun", "scopes": ["placements:read"] } }),
        )
        .await;
    assert_eq!(
        body["data"]["setPartnerGrant"]["partnerOrganisation"]["grantedScopes"],
        json!(["placements:read"]),
        "{body}"
    );

    let body = app
        .graphql_as(&token, "{ participants { totalCount } }", json!({}))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let body = app.graphql_as(&token, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["scopes"], json!(["placements:read"]));

    let status = "mutation($input: SetPartnerStatusInput!) { setPartnerStatus(input: $input) { partnerOrganisation { status } userErrors { message } } }";
    let body = app
        .graphql_as(
            &admin,
            status,
            json!({ "input": { "slug": "norrkopings-kommun", "status": "SUSPENDED" } }),
        )
        .await;
    assert_eq!(
        body["data"]["setPartnerStatus"]["partnerOrganisation"]["status"], "SUSPENDED",
        "{body}"
    );
    assert_refused(&app, &format!("Bearer {token}"), "suspended partner").await;

    app.graphql_as(
        &admin,
        status,
        json!({ "input": { "slug": "norrkopings-kommun", "status": "ACTIVE" } }),
    )
    .await;
    let body = app.graphql_as(&token, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["role"], "PARTNER", "{body}");
}

#[tokio::test]
async fn only_an_administrator_with_partners_admin_changes_grants() {
    let app = spawn_app().await;
    // A partner may not raise its own grant, whatever its token says.
    let partner = app
        .token("norrkopings-kommun", "partner", &[], "staff-1")
        .await;
    let grant = "mutation($input: SetPartnerGrantInput!) { setPartnerGrant(input: $input) { partnerOrganisation { slug } } }";
    let body = app
        .graphql_as(
            &partner,
            grant,
            json!({ "input": { "slug": "norrkopings-kommun", "scopes": ["audit:read"] } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    // An administrator without partners:admin in the token may not either.
    let admin = app
        .token(
            "hyresbostader",
            "administrator",
            &["participants:read"],
            "coordinator-2",
        )
        .await;
    let body = app
        .graphql_as(
            &admin,
            grant,
            json!({ "input": { "slug": "norrkopings-kommun", "scopes": ["audit:read"] } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let stored =
        portalen_api::services::partners::find_partner_by_slug(&app.db, "norrkopings-kommun")
            .await
            .expect("partner");
    assert!(
        !stored
            .granted_scopes
            .as_slice()
            .contains(&"audit:read".to_owned())
    );
}

#[tokio::test]
async fn a_token_used_again_within_seconds_skips_the_organisation_lookup() {
    let app = spawn_app().await;
    let token = app
        .token("abf-ostergotland", "partner", &["slots:read"], "staff-9")
        .await;
    app.take_statement_count();
    app.graphql_as(&token, "{ __typename }", json!({})).await;
    assert_eq!(app.take_statement_count(), 1, "the first use looks it up");
    app.graphql_as(&token, "{ __typename }", json!({})).await;
    assert_eq!(app.take_statement_count(), 0, "the second is remembered");
    // A token the server never saw is looked up, and a wrong one refused.
    let other = app
        .token("abf-ostergotland", "partner", &["slots:read"], "staff-10")
        .await;
    app.graphql_as(&other, "{ __typename }", json!({})).await;
    assert_eq!(app.take_statement_count(), 1);
    let mut forged = token.clone();
    forged.push('x');
    assert_refused(&app, &format!("Bearer {forged}"), "a changed token").await;
}

/// The audit events of client-credentials grants.
async fn grants(app: &TestApp) -> Vec<Value> {
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            "{ auditEvents(filter: { entity: \"api_client\" }, first: 100) { edges { node {
                actor role organisationId operation entityId fields } } } }",
            json!({}),
        )
        .await;
    body["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .filter(|e| e["operation"] == "client_credentials grant")
        .collect()
}

#[tokio::test]
async fn a_client_credentials_grant_is_audited_and_a_refused_one_is_not() {
    let app = spawn_app().await;
    let (id, client_id, secret) = create_client(&app, "norrkopings-kommun", &[]).await;
    let (status, _) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "pcs_not-the-secret"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        grants(&app).await,
        Vec::<Value>::new(),
        "a refusal is no grant"
    );

    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let events = grants(&app).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["actor"], format!("client:{client_id}"), "{event}");
    assert_eq!(event["role"], "partner", "{event}");
    assert_eq!(event["fields"], json!(["scope"]), "{event}");
    assert!(event["organisationId"].is_string(), "{event}");
    let row = String::from_utf8(URL_SAFE_NO_PAD.decode(&id).expect("global id")).expect("utf-8");
    assert_eq!(
        Some(event["entityId"].as_str().unwrap_or_default()),
        row.strip_prefix("ApiClient:"),
        "{event}"
    );
}
