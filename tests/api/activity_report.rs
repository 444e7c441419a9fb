//! The impact report's weekly-life figures on a known fixture: sessions
//! held, unique and anonymous visitors, volunteer hours, contributions and
//! the queue, per site and organiser, with small counts withheld so that
//! none can be worked out by subtraction.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const SCHEDULE: &str = "mutation($a: ID!, $s: DateTime!, $e: DateTime!) {
  scheduleActivitySession(input: {activityId: $a, startsAt: $s, endsAt: $e}) { session { id } userErrors { field } } }";
const FIGURES: &str = "activities sessionsHeld participants { value suppressed } anonymousVisits { value suppressed }
  visits { value suppressed } volunteers { value suppressed } volunteerHours contributors { value suppressed }
  contributions { value suppressed } contributionHours";

fn report_query() -> String {
    format!(
        "query($from: Date!, $until: Date!) {{ impactReport(from: $from, until: $until) {{ activities {{
  total {{ {FIGURES} }}
  bySite {{ site figures {{ {FIGURES} }} }}
  byOrganiser {{ organiser {{ slug }} figures {{ {FIGURES} }} }}
  queue {{ site length {{ value suppressed }} takenIn {{ value suppressed }} medianWaitDays }} }} }} }}"
    )
}

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body
}

async fn activity(app: &TestApp, token: &str, site: &str) -> String {
    let body = ok(
        app,
        token,
        "query($s: Site!) { activities(filter: {kind: [LANGUAGE_CAFE], site: [$s]}) { nodes { id } } }",
        json!({"s": site}),
    )
    .await;
    body["data"]["activities"]["nodes"][0]["id"]
        .as_str()
        .expect("activity")
        .to_owned()
}

async fn schedule(app: &TestApp, token: &str, activity: &str, days: i64) -> String {
    let start = chrono::Utc::now() + chrono::Duration::days(days);
    let body = ok(
        app,
        token,
        SCHEDULE,
        json!({"a": activity, "s": start.to_rfc3339(), "e": (start + chrono::Duration::hours(2)).to_rfc3339()}),
    )
    .await;
    body["data"]["scheduleActivitySession"]["session"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn attend(app: &TestApp, token: &str, session: &str, people: &[String], headcount: i32) {
    ok(
        app,
        token,
        "mutation($s: ID!, $p: [ID!]!, $n: Int!) {
  recordAttendance(input: {sessionId: $s, participantIds: $p}) { userErrors { field } }
  setSessionHeadcount(input: {sessionId: $s, count: $n}) { userErrors { field } } }",
        json!({"s": session, "p": people, "n": headcount}),
    )
    .await;
}

fn cell(value: Option<u64>) -> Value {
    match value {
        Some(n) => json!({"value": n, "suppressed": false}),
        None => json!({"value": null, "suppressed": true}),
    }
}

async fn join(app: &TestApp, token: &str, site: &str, alias: &str) {
    ok(
        app,
        token,
        "mutation($s: Site!, $a: String!) { joinQueue(input: {site: $s, alias: $a}) { entry { id } } }",
        json!({"s": site, "a": alias}),
    )
    .await;
}

async fn report(app: &TestApp, token: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    let body = ok(
        app,
        token,
        &report_query(),
        json!({"from": (today - chrono::Duration::days(10)).to_string(), "until": today.to_string()}),
    )
    .await;
    body["data"]["impactReport"]["activities"].clone()
}

#[tokio::test]
async fn the_weekly_life_is_counted_per_site_and_organiser_with_small_counts_withheld() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = ok(
        &app,
        &admin,
        "{ participants(first: 8) { nodes { id } } }",
        json!({}),
    )
    .await;
    let p: Vec<String> = body["data"]["participants"]["nodes"]
        .as_array()
        .expect("participants")
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(p.len(), 8);
    let hageby = activity(&app, &admin, "HAGEBY").await; // Svenska kyrkan's
    let ringdansen = activity(&app, &admin, "RINGDANSEN").await; // ABF's

    // Held: two sessions at Hageby, one in Ringdansen.
    let h1 = schedule(&app, &admin, &hageby, -5).await;
    let h2 = schedule(&app, &admin, &hageby, -3).await;
    let r1 = schedule(&app, &admin, &ringdansen, -4).await;
    attend(&app, &admin, &h1, &p[0..6], 3).await;
    attend(&app, &admin, &h2, &[p[0].clone(), p[6].clone()], 0).await;
    attend(
        &app,
        &admin,
        &r1,
        &[p[0].clone(), p[1].clone(), p[7].clone()],
        10,
    )
    .await;
    // Not held: a cancelled session and one to come.
    let cancelled = schedule(&app, &admin, &hageby, -2).await;
    ok(
        &app,
        &admin,
        "mutation($id: ID!) { cancelActivitySession(input: {id: $id, reason: \"Stängt\"}) { session { id } } }",
        json!({"id": cancelled}),
    )
    .await;
    schedule(&app, &admin, &hageby, 2).await;

    // One volunteer's hours approved, another's still waiting.
    let (_, guide) = app
        .person_signed_in("abf-ostergotland", "volunteer", "Guide Fyra")
        .await;
    let (_, waiting) = app
        .person_signed_in("abf-ostergotland", "volunteer", "Guide Fem")
        .await;
    let log = "mutation($s: ID!) { logVolunteerHours(input: {sessionId: $s, task: GUIDING, hours: 2}) { hours { id } } }";
    let body = ok(&app, &guide, log, json!({"s": r1})).await;
    let hours = body["data"]["logVolunteerHours"]["hours"]["id"].clone();
    ok(&app, &waiting, log, json!({"s": h1})).await;
    let abf = app
        .token("abf-ostergotland", "partner", &[], "coordinator-abf")
        .await;
    ok(
        &app,
        &abf,
        "mutation($id: ID!) { approveVolunteerHours(id: $id) { hours { status } } }",
        json!({"id": hours}),
    )
    .await;

    // Five participants gave two hours each at the Hageby café.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    for who in &p[0..5] {
        ok(
            &app,
            &admin,
            "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { hours } } }",
            json!({"input": {"participantId": who, "kind": "HOSTING", "occurredOn": yesterday, "hours": 2, "activityId": hageby}}),
        )
        .await;
    }

    // The demo queue has four waiting at Hageby and two in Ringdansen; ten
    // more join in Ringdansen and five are taken in there (the two who
    // waited longest first).
    for i in 0..10 {
        join(&app, &admin, "RINGDANSEN", &format!("Köande {i}")).await;
    }
    for _ in 0..5 {
        let body = ok(
            &app,
            &admin,
            "mutation { offerIntake(input: {site: RINGDANSEN, offer: \"Introduktion\", hours: 48}) { entry { id } } }",
            json!({}),
        )
        .await;
        let entry = body["data"]["offerIntake"]["entry"]["id"].clone();
        ok(
            &app,
            &admin,
            "mutation($id: ID!) { acceptIntake(id: $id) { entry { status } } }",
            json!({"id": entry}),
        )
        .await;
    }

    let figures = report(&app, &admin).await;
    // The network: 8 different people came 11 times by name, 13 without.
    let total = &figures["total"];
    assert_eq!(total["activities"], 2, "{figures}");
    assert_eq!(total["sessionsHeld"], 3);
    assert_eq!(total["participants"], cell(Some(8)));
    assert_eq!(total["anonymousVisits"], cell(Some(13)));
    assert_eq!(total["visits"], cell(Some(24)));
    // One volunteer: withheld, and their hours with them.
    assert_eq!(total["volunteers"], cell(None));
    assert_eq!(total["volunteerHours"], Value::Null);
    assert_eq!(total["contributors"], cell(Some(5)));
    assert_eq!(total["contributions"], cell(Some(5)));
    assert_eq!(total["contributionHours"], 10.0);

    let sites: Vec<&Value> = figures["bySite"]
        .as_array()
        .expect("sites")
        .iter()
        .collect();
    assert_eq!(
        sites.iter().map(|s| s["site"].clone()).collect::<Vec<_>>(),
        vec![json!("HAGEBY"), json!("RINGDANSEN"), Value::Null]
    );
    let (h, r, elsewhere) = (
        &sites[0]["figures"],
        &sites[1]["figures"],
        &sites[2]["figures"],
    );
    assert_eq!(
        (h["sessionsHeld"].clone(), r["sessionsHeld"].clone()),
        (json!(2), json!(1))
    );
    // Ringdansen's 3 participants are withheld, and Hageby's 7 with them:
    // 8 less 7 would tell the 3.
    assert_eq!(h["participants"], cell(None), "{figures}");
    assert_eq!(r["participants"], cell(None));
    // Hageby's 3 walk-ins withheld, so Ringdansen's 10 too (13 - 10 = 3).
    assert_eq!(h["anonymousVisits"], cell(None));
    assert_eq!(r["anonymousVisits"], cell(None));
    assert_eq!(h["visits"], cell(Some(11)));
    assert_eq!(r["visits"], cell(Some(13)));
    // With the total itself withheld, a zero beside it gives nothing away.
    assert_eq!(h["volunteers"], cell(Some(0)));
    assert_eq!(r["volunteers"], cell(None));
    assert_eq!(h["contributors"], cell(Some(5)));
    assert_eq!(h["contributionHours"], 10.0);
    assert_eq!(elsewhere["sessionsHeld"], 0);
    assert_eq!(elsewhere["visits"], cell(Some(0)));

    let organisers: Vec<(String, &Value)> = figures["byOrganiser"]
        .as_array()
        .expect("organisers")
        .iter()
        .map(|o| {
            (
                o["organiser"]["slug"].as_str().unwrap_or("").to_owned(),
                &o["figures"],
            )
        })
        .collect();
    assert_eq!(
        organisers
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        vec!["abf-ostergotland", "svenska-kyrkan"],
        "{figures}"
    );
    assert_eq!(organisers[0].1["visits"], cell(Some(13)));
    assert_eq!(organisers[1].1["visits"], cell(Some(11)));
    assert_eq!(organisers[1].1["participants"], cell(None));
    assert_eq!(organisers[1].1["contributions"], cell(Some(5)));

    // The queue: 4 at Hageby withheld, so Ringdansen's 7 too; 5 taken in,
    // three of them the same day, so the median wait is under a day.
    let queue = figures["queue"].as_array().expect("queue");
    assert_eq!(queue[0]["site"], Value::Null);
    assert_eq!(queue[0]["length"], cell(Some(11)), "{figures}");
    assert_eq!(queue[1]["site"], "HAGEBY");
    assert_eq!(queue[1]["length"], cell(None));
    assert_eq!(queue[2]["length"], cell(None));
    assert_eq!(queue[0]["takenIn"], cell(Some(5)));
    assert_eq!(queue[1]["takenIn"], cell(Some(0)));
    assert_eq!(queue[2]["takenIn"], cell(Some(5)));
    let median = queue[2]["medianWaitDays"].as_f64().expect("median");
    assert!((0.0..1.0).contains(&median), "{median}");
    assert_eq!(queue[1]["medianWaitDays"], Value::Null);

    // One more at Hageby: 5 and 7 are shown.
    join(&app, &admin, "HAGEBY", "Köande H").await;
    let figures = report(&app, &admin).await;
    let queue = figures["queue"].as_array().expect("queue");
    assert_eq!(
        [
            &queue[0]["length"],
            &queue[1]["length"],
            &queue[2]["length"]
        ],
        [&cell(Some(12)), &cell(Some(5)), &cell(Some(7))]
    );
}
