//! The schema documents itself: every type, field, argument, input field and
//! enum value the API defines has a description.

use serde_json::{Value, json};

use crate::helpers::{Fixture, TestApp};

const INTROSPECTION: &str = "{ __schema { types {
    name kind description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description }
} } }";

fn described(item: &Value) -> bool {
    item["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let body = app.graphql(INTROSPECTION, json!({})).await;
    let types = body["data"]["__schema"]["types"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut missing = Vec::new();
    let mut checked = 0;
    for ty in types {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        checked += 1;
        // async-graphql's generic `XConnection` objects carry no type
        // description of their own (their fields do); the Relay shape is
        // described once, in the README and on `PageInfo`.
        let generic_connection = name.ends_with("Connection");
        if !described(ty) && !generic_connection {
            missing.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap_or_default();
            if !described(field) {
                missing.push(format!("{name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("{name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for (list, sep) in [("inputFields", "."), ("enumValues", "::")] {
            for item in ty[list].as_array().into_iter().flatten() {
                if !described(item) {
                    missing.push(format!("{name}{sep}{}", item["name"]));
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} types checked: {body}");
    assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
}
