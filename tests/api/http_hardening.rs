//! HTTP hardening: security headers, CORS for configured origins only, and
//! the request body limit (64 KiB in tests).

use serde_json::{Value, json};

use crate::helpers::{Fixture, TestApp};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    for response in [
        app.get("/healthz").await,
        app.post_graphql(None, "{ partnerOrganisations { totalCount } }", json!({}))
            .await,
    ] {
        let headers = response.headers();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cache-control", "no-store"),
            ("content-security-policy", "frame-ancestors 'none'"),
        ] {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name} on {}",
                response.url()
            );
        }
    }
}

#[tokio::test]
async fn cors_answers_configured_origins_only() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://dashboard.example.org")
        .await
        .expect("send");
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://dashboard.example.org")
    );
    let refused = preflight("https://elsewhere.example").await.expect("send");
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Origin", "https://dashboard.example.org")
        .json(&json!({ "query": "{ partnerOrganisations { totalCount } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://dashboard.example.org")
    );
}

#[tokio::test]
async fn browsers_may_send_tracing_and_client_headers_and_read_the_budget() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("Origin", "https://dashboard.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, traceparent, tracestate, baggage, sentry-trace, apollographql-client-name, apollographql-client-version, idempotency-key",
        )
        .send()
        .await
        .expect("send");
    assert!(response.status().is_success(), "{}", response.status());
    let allowed = response
        .headers()
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    for header in [
        "traceparent",
        "baggage",
        "sentry-trace",
        "apollographql-client-name",
    ] {
        assert!(allowed.contains(header), "{header} in {allowed}");
    }
    // A header nobody configured is still refused.
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("Origin", "https://dashboard.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-not-configured")
        .send()
        .await
        .expect("send");
    assert!(!response.status().is_success(), "{}", response.status());
    // The page may read the budget headers.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Origin", "https://dashboard.example.org")
        .json(&json!({ "query": "{ partnerOrganisations { totalCount } }" }))
        .send()
        .await
        .expect("send");
    let exposed = response
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    for header in [
        "x-ratelimit-remaining",
        "x-ratelimit-used",
        "x-ratelimit-reset",
        "retry-after",
        "x-request-id",
    ] {
        assert!(exposed.contains(header), "{header} in {exposed}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let body_of = |size: usize| {
        let query = "{ partnerOrganisations { totalCount } }";
        let padding = " ".repeat(size - query.len() - 12);
        let body = format!("{{\"query\":\"{query}{padding}\"}}");
        assert_eq!(body.len(), size);
        body
    };
    let send = |body: String| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let under = send(body_of(64 * 1024)).await.expect("send");
    assert_eq!(under.status(), 200);
    let json: Value = under.json().await.expect("json");
    assert_eq!(
        json["data"]["partnerOrganisations"]["totalCount"], 0,
        "{json}"
    );

    let over = send(body_of(64 * 1024 + 1)).await.expect("send");
    assert_eq!(over.status(), 413);
    let json: Value = over.json().await.expect("json");
    assert_eq!(
        json["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE",
        "{json}"
    );
}
