//! The dashboard path: a page of participants with their placements, each
//! with employer and mentor, costs a constant number of SQL statements.

use serde_json::json;

use crate::helpers::{Fixture, TestApp};

const DASHBOARD: &str = r#"
query($first: Int!) {
  participants(first: $first) {
    edges { node { id displayName languages { language } placements { status employer { name } mentor { givenName } } } }
  }
}"#;

#[tokio::test]
async fn a_dashboard_page_costs_the_same_few_statements_whatever_its_size() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    portalen_api::seed::scale::seed_scale(&app.db, 200)
        .await
        .expect("seed");
    let token = app.admin_token().await;
    // Warm-up, so that pool and prepared-statement setup are not counted.
    app.graphql_as(&token, DASHBOARD, json!({ "first": 1 }))
        .await;

    let mut counts = Vec::new();
    for first in [5, 50] {
        app.take_statement_count();
        let body = app
            .graphql_as(&token, DASHBOARD, json!({ "first": first }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let edges = body["data"]["participants"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(edges.len(), first);
        let placements: usize = edges
            .iter()
            .map(|e| e["node"]["placements"].as_array().map_or(0, Vec::len))
            .sum();
        assert!(
            placements >= first / 2 - 1,
            "the fixture should give about half a placement each"
        );
        counts.push(app.take_statement_count());
    }
    // Caller's organisation, participants, languages, placements, employers, mentors.
    assert_eq!(
        counts[0], counts[1],
        "statements grew with the page: {counts:?}"
    );
    assert!(counts[1] <= 6, "{counts:?}");
}

#[tokio::test]
async fn without_a_batch_window_a_partners_dashboard_page_is_still_one_query_per_level() {
    // No request waits for keys: each nested level is loaded as soon as the
    // executor has asked for all of its keys.
    let app = TestApp::builder()
        .fixture(Fixture::Empty)
        .loader_batch_window(std::time::Duration::ZERO)
        .start()
        .await;
    portalen_api::seed::scale::seed_scale(&app.db, 200)
        .await
        .expect("seed");
    let token = app
        .token("norrkopings-kommun", "partner", &[], "staff-1")
        .await;
    app.graphql_as(&token, DASHBOARD, json!({ "first": 1 }))
        .await;
    let mut counts = Vec::new();
    for first in [50, 100] {
        app.take_statement_count();
        let body = app
            .graphql_as(&token, DASHBOARD, json!({ "first": first }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        counts.push(app.take_statement_count());
    }
    assert_eq!(
        counts[0], counts[1],
        "statements grew with the page: {counts:?}"
    );
    assert!(counts[1] <= 6, "{counts:?}");
}

#[tokio::test]
async fn the_dashboard_asks_for_open_placements_only_at_no_extra_cost() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    portalen_api::seed::scale::seed_scale(&app.db, 200)
        .await
        .expect("seed");
    let token = app.admin_token().await;
    let page = |status: &str| {
        format!(
            "{{ participants(first: 50) {{ edges {{ node {{ placements{status} {{ status employer {{ name }} mentor {{ givenName }} }} }} }} }} }}"
        )
    };
    let statuses = |body: &serde_json::Value| -> Vec<String> {
        body["data"]["participants"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .flat_map(|e| {
                e["node"]["placements"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|p| p["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    app.graphql_as(&token, &page(""), json!({})).await;
    app.take_statement_count();
    let all = app.graphql_as(&token, &page(""), json!({})).await;
    let unfiltered = app.take_statement_count();
    let open = app
        .graphql_as(
            &token,
            &page("(status: [PROPOSED, ACCEPTED, ACTIVE])"),
            json!({}),
        )
        .await;
    let filtered = app.take_statement_count();
    let (all, open) = (statuses(&all), statuses(&open));
    assert!(
        all.iter()
            .any(|s| !["PROPOSED", "ACCEPTED", "ACTIVE"].contains(&s.as_str())),
        "the fixture has closed placements too: {all:?}"
    );
    let expected: Vec<_> = all
        .iter()
        .filter(|s| ["PROPOSED", "ACCEPTED", "ACTIVE"].contains(&s.as_str()))
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(open, expected);
    assert_eq!(filtered, unfiltered, "the filter costs no statement");
    assert!(filtered <= 5, "{filtered}");
}

#[tokio::test]
async fn a_direct_proposal_is_one_insert_with_its_audit_event_and_refusals_still_say_why() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    portalen_api::seed::scale::seed_scale(&app.db, 200)
        .await
        .expect("seed");
    let token = app
        .token("norrkopings-kommun", "partner", &[], "staff-1")
        .await;
    let page = app
        .graphql_as(
            &token,
            "{ participants(first: 3) { edges { node { id } } } employers(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let participants: Vec<String> = page["data"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    let employer = page["data"]["employers"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("employer")
        .to_owned();
    let propose = "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) { placement { id status participant { id } } userErrors { field message } } }";
    let input = |participant: &str, employer: &str| json!({ "input": { "participantId": participant, "employerId": employer, "kind": "INTERNSHIP", "startsOn": "2027-03-01" } });
    // Warm-up.
    app.graphql_as(&token, propose, input(&participants[0], &employer))
        .await;
    let mut counts = Vec::new();
    for participant in &participants[1..] {
        app.take_statement_count();
        let body = app
            .graphql_as(&token, propose, input(participant, &employer))
            .await;
        assert_eq!(
            body["data"]["proposePlacement"]["placement"]["participant"]["id"],
            participant.as_str(),
            "{body}"
        );
        assert_eq!(
            body["data"]["proposePlacement"]["placement"]["status"],
            "PROPOSED"
        );
        counts.push(app.take_statement_count());
    }
    // The insert (its checks folded in), the audit event, and the payload's
    // participant; no separate reads of the participant and the employer.
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[0] <= 3, "{counts:?}");
    // A participant the partner may not see, and an employer that does not
    // exist, are refused as before.
    let hidden = crate::fixtures::gid("Participant", uuid::Uuid::now_v7());
    let body = app
        .graphql_as(&token, propose, input(&hidden, &employer))
        .await;
    assert_eq!(crate::helpers::error_codes(&body), ["NOT_FOUND"], "{body}");
    let nowhere = crate::fixtures::gid("Employer", uuid::Uuid::now_v7());
    let body = app
        .graphql_as(&token, propose, input(&participants[1], &nowhere))
        .await;
    assert_eq!(crate::helpers::error_codes(&body), ["NOT_FOUND"], "{body}");
}

#[tokio::test]
async fn placements_in_given_states_are_exactly_those_of_all_and_each_set_of_states_is_one_query() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    portalen_api::seed::scale::seed_scale(&app.db, 200)
        .await
        .expect("seed");
    let token = app
        .token("norrkopings-kommun", "partner", &[], "staff")
        .await;
    let query = "{ participants(first: 50) { edges { node { id
        all: placements { id status }
        active: placements(status: [ACTIVE]) { id status }
        open: placements(status: [PROPOSED, ACCEPTED, ACTIVE]) { id status } } } } }";
    app.graphql_as(&token, query, json!({})).await;
    app.take_statement_count();
    let body = app.graphql_as(&token, query, json!({})).await;
    let statements = app.take_statement_count();
    let edges = body["data"]["participants"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let mut active_seen = 0;
    for edge in edges {
        let node = &edge["node"];
        let of = |list: &str, states: &[&str]| -> Vec<String> {
            node["all"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| list == "all" || states.contains(&p["status"].as_str().unwrap_or("")))
                .map(|p| p["id"].to_string())
                .collect()
        };
        let ids = |list: &str| -> Vec<String> {
            node[list]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["id"].to_string())
                .collect()
        };
        assert_eq!(ids("active"), of("active", &["ACTIVE"]), "{node}");
        assert_eq!(
            ids("open"),
            of("open", &["PROPOSED", "ACCEPTED", "ACTIVE"]),
            "{node}"
        );
        active_seen += ids("active").len();
    }
    assert!(
        active_seen > 5,
        "the fixture has active placements: {active_seen}"
    );
    // Participants, then one query for each of the three sets of states.
    assert!(statements <= 5, "{statements} statements");
}
