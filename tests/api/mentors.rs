use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

const LIST: &str = r#"
query($filter: MentorFilter) {
  mentors(first: 100, filter: $filter) {
    totalCount
    edges { node { givenName languages expertise capacity spareCapacity active partnerOrganisation { slug } } }
  }
}"#;

/// Whether a mentor (as the API returns it) matches a filter.
type Predicate = Box<dyn Fn(&Value) -> bool>;

fn names(body: &Value) -> BTreeSet<String> {
    body["data"]["mentors"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["givenName"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn mentors_filter_by_language_expertise_and_spare_capacity() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    fill_lars(&app).await;
    let all = app.graphql_as(&admin, LIST, json!({})).await;
    assert!(all.get("errors").is_none(), "{all}");
    let nodes: Vec<Value> = all["data"]["mentors"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(nodes.len(), 8);

    // Eva (capacity 4) mentors one; Rasha (capacity 3) mentors two, Sofia (2) one.
    let eva = nodes.iter().find(|n| n["givenName"] == "Eva").expect("Eva");
    assert_eq!(eva["spareCapacity"], 3);
    assert_eq!(eva["languages"], json!(["de", "en", "sv"]));

    let cases: Vec<(Value, Predicate)> = vec![
        (
            json!({ "language": "ar" }),
            Box::new(|n: &Value| {
                n["languages"]
                    .as_array()
                    .is_some_and(|l| l.contains(&json!("ar")))
            }),
        ),
        (
            json!({ "expertise": "Logistics" }),
            Box::new(|n: &Value| {
                n["expertise"]
                    .as_array()
                    .is_some_and(|l| l.contains(&json!("logistics")))
            }),
        ),
        (
            json!({ "hasSpareCapacity": true }),
            Box::new(|n: &Value| n["spareCapacity"].as_i64().is_some_and(|s| s > 0)),
        ),
        (
            json!({ "hasSpareCapacity": false }),
            Box::new(|n: &Value| n["spareCapacity"] == 0),
        ),
    ];
    for (filter, predicate) in cases {
        let body = app
            .graphql_as(&admin, LIST, json!({ "filter": filter }))
            .await;
        assert!(body.get("errors").is_none(), "{filter}: {body}");
        let expected: BTreeSet<String> = nodes
            .iter()
            .filter(|n| predicate(n))
            .map(|n| n["givenName"].as_str().expect("name").to_owned())
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < nodes.len(),
            "{filter} does not discriminate"
        );
        assert_eq!(names(&body), expected, "{filter}");
        assert_eq!(body["data"]["mentors"]["totalCount"], json!(expected.len()));
    }
}

/// Gives Lars (capacity 2, no mentees in the demo) two current mentees.
async fn fill_lars(app: &crate::helpers::TestApp) {
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let lars = entity::mentor::Entity::find()
        .filter(entity::mentor::Column::GivenName.eq("Lars"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("Lars");
    let mentees = entity::participant::Entity::find()
        .limit(2)
        .all(&app.db)
        .await
        .expect("participants");
    for mentee in mentees {
        let now = chrono::Utc::now();
        entity::mentorship::Entity::insert(entity::mentorship::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            mentor_id: Set(lars.id),
            participant_id: Set(mentee.id),
            started_on: Set(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date")),
            ended_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&app.db)
        .await
        .expect("mentorship");
    }
}

#[tokio::test]
async fn a_partner_sees_its_own_mentors_and_those_on_its_placements() {
    let app = spawn_app().await;
    // Svenska kyrkan's mentors are Karin and Mehari; it is responsible for no placement.
    let kyrkan = app
        .token("svenska-kyrkan", "partner", &["mentors:read"], "staff-1")
        .await;
    let body = app.graphql_as(&kyrkan, LIST, json!({})).await;
    assert_eq!(names(&body), ["Karin", "Mehari"].map(String::from).into());
    // Hyresbostäder has no mentors of its own; Lars and Rasha mentor
    // placements it is responsible for.
    let host = app
        .token("hyresbostader", "partner", &["mentors:read"], "staff-1")
        .await;
    let body = app.graphql_as(&host, LIST, json!({})).await;
    assert_eq!(
        names(&body),
        ["Lars", "Rasha"].map(String::from).into(),
        "{body}"
    );
}

#[tokio::test]
async fn a_bad_mentor_filter_is_bad_user_input() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = app
        .graphql_as(
            &admin,
            LIST,
            json!({ "filter": { "language": "Arabic language" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}
