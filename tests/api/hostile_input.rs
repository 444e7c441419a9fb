//! Hostile values in otherwise well-formed requests: control characters in
//! text, dates and times that do not parse, integers past 32 bits. Each is
//! the client's mistake: `BAD_USER_INPUT` naming where it is, nothing
//! changed, never an internal error, on either database.
//!
//! The sweep at the end finds every argument and input field of every root
//! field by introspection and sends malformed values of its scalar type,
//! as a literal and as a variable.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};

async fn counts(app: &TestApp) -> Vec<u64> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    vec![
        entity::participant::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::employer::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::mentor::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::placement::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::consent::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        entity::audit_event::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
    ]
}

fn assert_bad_input(body: &Value, field: &str) {
    assert_eq!(error_codes(body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    assert!(
        body.get("data").is_none_or(Value::is_null),
        "nothing ran: {body}"
    );
}

#[tokio::test]
async fn control_characters_in_any_text_are_refused_before_the_database_sees_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = counts(&app).await;

    // Anonymous, as a variable.
    let body = app
        .graphql(
            "query($s: String!) { partnerOrganisation(slug: $s) { id } }",
            json!({ "s": "a\u{0}b" }),
        )
        .await;
    assert_bad_input(&body, "partnerOrganisation.slug");

    let participant = app
        .graphql_as(
            &admin,
            "{ participants(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["participants"]["edges"][0]["node"]["id"]
        .clone();
    let mutations = [
        (
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } } }",
            json!({ "displayName": "Nul\u{0}l", "consentPurpose": "Praktik" }),
            "createParticipant.input.displayName",
        ),
        (
            "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { employer { id } } }",
            json!({ "name": "Escape\u{1b}[2J AB", "organisationNumber": "5560160680" }),
            "createEmployer.input.name",
        ),
        (
            "mutation($input: CreateMentorInput!) { createMentor(input: $input) { mentor { id } } }",
            json!({ "givenName": "Bell\u{7}", "familyName": "Mentor", "languages": ["sv"] }),
            "createMentor.input.givenName",
        ),
        (
            "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { participant { id } } }",
            json!({ "id": participant, "goal": "C1 \u{85} control" }),
            "updateParticipant.input.goal",
        ),
        (
            "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { consent { id } } }",
            json!({ "participantId": participant, "purpose": "Uppf\u{0}ljning" }),
            "grantConsent.input.purpose",
        ),
    ];
    for (query, input, field) in mutations {
        let body = app
            .graphql_as(&admin, query, json!({ "input": input }))
            .await;
        assert_bad_input(&body, field);
    }
    // As a literal in the document too.
    let body = app
        .graphql_as(
            &admin,
            "mutation { createParticipant(input: { displayName: \"Lit\\u0000eral\", consentPurpose: \"x\" }) { participant { id } } }",
            json!({}),
        )
        .await;
    assert_bad_input(&body, "createParticipant.input.displayName");
    assert_eq!(counts(&app).await, before, "nothing changed");

    // Tabs and line breaks are text, and are kept.
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { participant { goal } userErrors { message } } }",
            json!({ "input": { "id": participant, "goal": "Line one\r\nLine two\tand a tab" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateParticipant"]["participant"]["goal"], "Line one\r\nLine two\tand a tab",
        "{body}"
    );
}

#[tokio::test]
async fn malformed_dates_times_and_integers_name_their_argument_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = counts(&app).await;
    let cases = [
        (
            "{ impactReport(from: \"2026-01-01x\", until: \"2026-12-31\") { __typename } }",
            json!({}),
            "impactReport.from",
        ),
        (
            "query($d: Date!) { impactReport(from: \"2026-01-01\", until: $d) { __typename } }",
            json!({ "d": "2026-13-45" }),
            "impactReport.until",
        ),
        (
            "{ placements(filter: { startsFrom: \"2026-02-30\" }) { totalCount } }",
            json!({}),
            "placements.filter.startsFrom",
        ),
        (
            "{ auditEvents(filter: { from: \"yesterday\" }) { totalCount } }",
            json!({}),
            "auditEvents.filter.from",
        ),
        (
            "query($t: DateTime) { auditEvents(filter: { until: $t }) { totalCount } }",
            json!({ "t": "2026-11-27 25:00" }),
            "auditEvents.filter.until",
        ),
        (
            "{ suggestedCandidates(slot: \"\", first: -2147483649) { score } }",
            json!({}),
            "suggestedCandidates.first",
        ),
        (
            "query($n: Int!) { m: suggestedMentors(participant: \"x\", first: $n) { score } }",
            json!({ "n": 2_147_483_648_i64 }),
            "m.first",
        ),
    ];
    for (query, variables, field) in cases {
        let body = app.graphql_as(&admin, query, variables).await;
        assert_bad_input(&body, field);
    }
    let slot = app
        .graphql_as(
            &admin,
            "{ openInternshipSlots(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["openInternshipSlots"]["edges"][0]["node"]["id"]
        .clone();
    let participant = app
        .graphql_as(
            &admin,
            "{ participants(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await["data"]["participants"]["edges"][0]["node"]["id"]
        .clone();
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: ProposePlacementInput!) { proposePlacement(input: $input) { placement { id } } }",
            json!({ "input": { "participantId": participant, "slotId": slot, "startsOn": "2026-13-45" } }),
        )
        .await;
    assert_bad_input(&body, "proposePlacement.input.startsOn");
    assert_eq!(counts(&app).await, before, "nothing changed");
}

// ---- The sweep over every argument the schema declares ----

const TYPE_REF: &str =
    "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// The introspected schema: named types by name.
struct Types(Map<String, Value>);

impl Types {
    async fn load(app: &TestApp, token: &str) -> Self {
        let query = format!(
            "{{ __schema {{ queryType {{ name }} mutationType {{ name }} types {{ kind name enumValues {{ name }}
               fields {{ name args {{ name type {{ {TYPE_REF} }} }} type {{ {TYPE_REF} }} }}
               inputFields {{ name type {{ {TYPE_REF} }} }} }} }} }}"
        );
        let body = app.graphql_as(token, &query, json!({})).await;
        let mut types = Map::new();
        for ty in body["data"]["__schema"]["types"].as_array().expect("types") {
            types.insert(ty["name"].as_str().expect("name").to_owned(), ty.clone());
        }
        let mut roots = Map::new();
        roots.insert(
            "query".to_owned(),
            body["data"]["__schema"]["queryType"]["name"].clone(),
        );
        roots.insert(
            "mutation".to_owned(),
            body["data"]["__schema"]["mutationType"]["name"].clone(),
        );
        types.insert("$roots".to_owned(), Value::Object(roots));
        Self(types)
    }

    fn get(&self, name: &str) -> &Value {
        &self.0[name]
    }
}

/// A type reference written as GraphQL (`[ID!]!`), and its named type.
fn type_text(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_text(&ty["ofType"])),
        Some("LIST") => format!("[{}]", type_text(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap_or_default().to_owned(),
    }
}

fn named(ty: &Value) -> &Value {
    if ty["ofType"].is_object() {
        named(&ty["ofType"])
    } else {
        ty
    }
}

/// A valid-looking value of a type: what required arguments get, so that
/// the malformed one is what the server has to deal with.
fn filler(types: &Types, ty: &Value, depth: usize) -> Value {
    match ty["kind"].as_str() {
        Some("NON_NULL") => filler(types, &ty["ofType"], depth),
        Some("LIST") => json!([filler(types, &ty["ofType"], depth)]),
        _ => {
            let name = ty["name"].as_str().unwrap_or_default();
            let definition = types.get(name);
            match (definition["kind"].as_str(), name) {
                (_, "Int") => json!(1),
                (_, "Float") => json!(1.5),
                (_, "Boolean") => json!(true),
                (_, "NaiveDate" | "Date") => json!("2027-01-12"),
                (_, "DateTime") => json!("2027-01-12T14:00:00+01:00"),
                (_, "JSON") => json!({}),
                (Some("ENUM"), _) => definition["enumValues"][0]["name"].clone(),
                (Some("INPUT_OBJECT"), _) if depth < 4 => {
                    let mut object = Map::new();
                    for field in definition["inputFields"].as_array().into_iter().flatten() {
                        if field["type"]["kind"] == "NON_NULL" {
                            object.insert(
                                field["name"].as_str().unwrap_or_default().to_owned(),
                                filler(types, &field["type"], depth + 1),
                            );
                        }
                    }
                    Value::Object(object)
                }
                _ => json!("x"),
            }
        }
    }
}

/// Generated malformed values of a scalar; `None` for types whose shape
/// validation already checks (enums, booleans, input objects).
fn malformed(scalar: &str) -> Option<proptest::strategy::BoxedStrategy<Value>> {
    use proptest::prelude::*;
    let control = prop::sample::select(vec![
        '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    ]);
    let with_control = ("[a-zA-Zåäö ]{0,8}", control, "[a-z]{0,8}")
        .prop_map(|(a, c, b)| json!(format!("{a}{c}{b}")));
    Some(match scalar {
        "Int" => prop_oneof![
            (2_147_483_648_i64..=i64::MAX).prop_map(|n| json!(n)),
            (i64::MIN..=-2_147_483_649_i64).prop_map(|n| json!(n)),
        ]
        .boxed(),
        "String" | "ID" => with_control.boxed(),
        "NaiveDate" | "Date" => prop_oneof![
            (13_u32..99, 1_u32..28).prop_map(|(m, d)| json!(format!("2026-{m:02}-{d:02}"))),
            (1_u32..12, 32_u32..99).prop_map(|(m, d)| json!(format!("2026-{m:02}-{d:02}"))),
            "[a-z0-9 :-]{1,12}x".prop_map(|s| json!(s)),
        ]
        .boxed(),
        "DateTime" => prop_oneof![
            (25_u32..99).prop_map(|h| json!(format!("2026-11-27T{h}:00:00Z"))),
            "[a-z ]{1,12}".prop_map(|s| json!(s)),
            Just(json!("2026-02-30T10:00:00Z")),
        ]
        .boxed(),
        "JSON" => with_control.prop_map(|s| json!({ "note": s })).boxed(),
        _ => return None,
    })
}

/// A place a malformed value can go: a root field, its argument, and the
/// path inside the argument's input objects.
#[derive(Debug, Clone)]
struct Target {
    operation: &'static str,
    field: String,
    argument: String,
    inner: Vec<String>,
    scalar: String,
}

fn targets_in(
    types: &Types,
    ty: &Value,
    prefix: &[String],
    depth: usize,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let named_type = named(ty);
    let name = named_type["name"].as_str().unwrap_or_default();
    let definition = types.get(name);
    if definition["kind"] == "INPUT_OBJECT" {
        if depth >= 4 {
            return;
        }
        for field in definition["inputFields"].as_array().into_iter().flatten() {
            let mut path = prefix.to_vec();
            path.push(field["name"].as_str().unwrap_or_default().to_owned());
            targets_in(types, &field["type"], &path, depth + 1, out);
        }
    } else if definition["kind"] == "SCALAR" {
        out.push((prefix.to_vec(), name.to_owned()));
    }
}

fn all_targets(types: &Types) -> Vec<Target> {
    let mut targets = Vec::new();
    for operation in ["query", "mutation"] {
        let root = types.get("$roots")[operation]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for field in types.get(&root)["fields"].as_array().into_iter().flatten() {
            for argument in field["args"].as_array().into_iter().flatten() {
                let mut found = Vec::new();
                targets_in(types, &argument["type"], &[], 0, &mut found);
                for (inner, scalar) in found {
                    targets.push(Target {
                        operation,
                        field: field["name"].as_str().unwrap_or_default().to_owned(),
                        argument: argument["name"].as_str().unwrap_or_default().to_owned(),
                        inner,
                        scalar,
                    });
                }
            }
        }
    }
    targets
}

/// GraphQL literal syntax for a JSON value.
fn literal(value: &Value) -> String {
    match value {
        Value::Object(fields) => format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// The request that puts `bad` at `target`, as a variable or a literal.
fn request(types: &Types, target: &Target, bad: &Value, as_variable: bool) -> (String, Value) {
    let root = types.get("$roots")[target.operation]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let field = types.get(&root)["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == target.field.as_str())
        .cloned()
        .unwrap_or(Value::Null);
    let mut arguments = Vec::new();
    let mut definitions = Vec::new();
    let mut variables = Map::new();
    for argument in field["args"].as_array().into_iter().flatten() {
        let name = argument["name"].as_str().unwrap_or_default();
        let ty = &argument["type"];
        let value = if name == target.argument {
            let mut value = filler(types, ty, 0);
            let mut slot = &mut value;
            for key in &target.inner {
                if !slot.is_object() {
                    *slot = json!({});
                }
                slot = slot
                    .as_object_mut()
                    .map(|o| o.entry(key.clone()).or_insert(Value::Null))
                    .expect("an object");
            }
            *slot = bad.clone();
            value
        } else if ty["kind"] == "NON_NULL" {
            filler(types, ty, 0)
        } else {
            continue;
        };
        if as_variable {
            definitions.push(format!("${name}: {}", type_text(ty)));
            arguments.push(format!("{name}: ${name}"));
            variables.insert(name.to_owned(), value);
        } else {
            arguments.push(format!("{name}: {}", literal(&value)));
        }
    }
    let result = named(&field["type"]);
    let result_kind = types.get(result["name"].as_str().unwrap_or_default())["kind"].clone();
    let selection = if matches!(result_kind.as_str(), Some("OBJECT" | "INTERFACE" | "UNION")) {
        " { __typename }"
    } else {
        ""
    };
    let definitions = if definitions.is_empty() {
        String::new()
    } else {
        format!("({})", definitions.join(", "))
    };
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({})", arguments.join(", "))
    };
    (
        format!(
            "{} probe{definitions} {{ {}{arguments}{selection} }}",
            target.operation, target.field
        ),
        Value::Object(variables),
    )
}

#[tokio::test]
async fn malformed_values_of_every_scalar_of_every_argument_never_get_an_internal_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let types = Types::load(&app, &admin).await;
    let targets = all_targets(&types);
    assert!(
        targets.len() > 100,
        "introspection found the arguments: {}",
        targets.len()
    );
    let cases_per_target: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(2, |n| (n / 200).max(1));
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let before = counts(&app).await;
    let mut refused = 0;
    for target in &targets {
        let Some(strategy) = malformed(&target.scalar) else {
            continue;
        };
        for case in 0..cases_per_target {
            let bad = strategy
                .new_tree(&mut runner)
                .expect("a generated value")
                .current();
            let (query, variables) = request(&types, target, &bad, case % 2 == 0);
            let response = app
                .post_graphql(Some(&admin), &query, variables.clone())
                .await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert!(
                status < 500
                    && !error_codes(&body)
                        .iter()
                        .any(|c| c == "INTERNAL_SERVER_ERROR"),
                "{target:?} with {bad}: {status} {body}\n{query}\n{variables}"
            );
            assert!(
                body["errors"].is_array(),
                "{target:?} with {bad} was accepted: {body}\n{query}\n{variables}"
            );
            refused += 1;
        }
    }
    assert!(refused > 100, "{refused} malformed values were sent");
    assert_eq!(
        counts(&app).await,
        before,
        "no malformed value changed anything"
    );
}
