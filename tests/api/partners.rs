use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const PAGE: &str = r#"
query Page($first: Int, $after: String, $last: Int, $before: String) {
  partnerOrganisations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug name kind network status } }
  }
}"#;

fn slugs(body: &Value) -> Vec<String> {
    body["data"]["partnerOrganisations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["slug"].as_str().expect("slug").to_owned())
        .collect()
}

#[tokio::test]
async fn lists_the_seeded_partners_with_vita_hasten_among_them() {
    let app = spawn_app().await;
    let body = app.graphql(PAGE, json!({ "first": 100 })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let slugs = slugs(&body);
    for expected in [
        "hyresbostader",
        "norrkopings-kommun",
        "abf-ostergotland",
        "migrationsverket",
        "marieborgs-folkhogskola",
        "svenska-kyrkan",
        "arbetsformedlingen",
        "vita-hasten",
    ] {
        assert!(
            slugs.contains(&expected.to_owned()),
            "{expected} missing from {slugs:?}"
        );
    }
    assert_eq!(
        body["data"]["partnerOrganisations"]["totalCount"],
        json!(slugs.len())
    );
    let vita = body["data"]["partnerOrganisations"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["slug"] == "vita-hasten")
        .expect("vita hasten");
    assert_eq!(vita["node"]["name"], "HC Vita Hästen");
    assert_eq!(vita["node"]["kind"], "SPORTS_CLUB");
    assert_eq!(vita["node"]["network"], "STARKARE_TILLSAMMANS");
}

#[tokio::test]
async fn pages_forward_and_backward_without_gaps_or_repeats_while_rows_are_added() {
    let app = spawn_app().await;
    let all = slugs(&app.graphql(PAGE, json!({ "first": 100 })).await);

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut inserted = false;
    loop {
        let body = app
            .graphql(PAGE, json!({ "first": 3, "after": after }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        seen.extend(slugs(&body));
        let info = &body["data"]["partnerOrganisations"]["pageInfo"];
        if !inserted {
            // A partner joins between two pages; it sorts last, so it shows up
            // on a later page, once.
            portalen_api::services::partners::create_partner(
                &app.db,
                portalen_api::services::partners::NewPartner {
                    slug: "sent-ankommen".into(),
                    name: "Sent Ankommen förening".into(),
                    kind: entity::PartnerKind::NonProfit,
                    network: entity::PartnerNetwork::StarkareTillsammans,
                    granted_scopes: vec![],
                    contact_email: None,
                    contact_phone: None,
                    website: None,
                },
            )
            .await
            .expect("create partner");
            inserted = true;
        }
        if info["hasNextPage"] != json!(true) {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    let mut expected = all.clone();
    expected.push("sent-ankommen".to_owned());
    assert_eq!(seen, expected);

    // Backward from the end, two at a time, gives the same list reversed.
    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let body = app
            .graphql(PAGE, json!({ "last": 2, "before": before }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let mut page = slugs(&body);
        page.reverse();
        backward.extend(page);
        let info = &body["data"]["partnerOrganisations"]["pageInfo"];
        if info["hasPreviousPage"] != json!(true) {
            break;
        }
        before = info["startCursor"].as_str().map(str::to_owned);
    }
    backward.reverse();
    assert_eq!(backward, expected);
}

#[tokio::test]
async fn a_page_too_large_or_a_bad_cursor_is_bad_user_input() {
    let app = spawn_app().await;
    for variables in [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "first": 1, "last": 1 }),
        json!({ "after": "not-a-cursor" }),
        json!({ "before": "azE6bm9wZQ" }),
    ] {
        let body = app.graphql(PAGE, variables.clone()).await;
        assert_eq!(
            error_codes(&body),
            ["BAD_USER_INPUT"],
            "{variables}: {body}"
        );
        assert_eq!(body["data"], Value::Null, "{variables}: {body}");
    }
}

#[tokio::test]
async fn a_partner_is_found_by_slug_and_an_unknown_slug_is_not_found() {
    let app = spawn_app().await;
    let query =
        "query($slug: String!) { partnerOrganisation(slug: $slug) { name employers { name } } }";
    let token = app
        .token("vita-hasten", "partner", &["employers:read"], "staff-1")
        .await;
    let body = app
        .graphql_as(&token, query, json!({ "slug": "vita-hasten" }))
        .await;
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"],
        "HC Vita Hästen"
    );
    assert_eq!(
        body["data"]["partnerOrganisation"]["employers"][0]["name"],
        "HC Vita Hästen"
    );

    let body = app.graphql(query, json!({ "slug": "finns-inte" })).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
}

#[tokio::test]
async fn granted_scopes_are_shown_only_to_administrators_and_the_organisation_itself() {
    let app = spawn_app().await;
    let query = r#"{ partnerOrganisation(slug: "vita-hasten") { name grantedScopes } }"#;

    let body = app.graphql(query, json!({})).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
    assert_eq!(
        body["data"]["partnerOrganisation"]["name"],
        "HC Vita Hästen"
    );
    assert_eq!(
        body["data"]["partnerOrganisation"]["grantedScopes"],
        Value::Null
    );

    let other = app
        .token("abf-ostergotland", "partner", &[], "staff-1")
        .await;
    let body = app.graphql_as(&other, query, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    let own = app.token("vita-hasten", "partner", &[], "staff-1").await;
    let body = app.graphql_as(&own, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["partnerOrganisation"]["grantedScopes"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );

    let admin = app.admin_token().await;
    let body = app.graphql_as(&admin, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}
