//! Every answer of the suite, held against the committed schema: each field
//! the query selected is present (unless `@skip`/`@include` may have left it
//! out), a non-null field is never null, lists are lists, scalars and enums
//! have their types' shapes, and objects have the fields their selections
//! ask for. Generated client types (graphql-codegen, Apollo) rely on exactly
//! this; a field that vanishes or a null where the schema promises a value
//! breaks them.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
    TypeKind, TypeSystemDefinition,
};
use serde_json::{Map, Value};

enum Kind {
    /// An object type: field name to its type.
    Object(HashMap<String, Type>),
    /// An interface: the fields every implementation has.
    Interface(HashMap<String, Type>),
    /// A union: no fields of its own but `__typename`.
    Union,
    Enum(HashSet<String>),
    Scalar,
    Input,
}

struct Schema {
    types: HashMap<String, Kind>,
    /// Which object types implement which interfaces or belong to which unions.
    supertypes: HashMap<String, HashSet<String>>,
    roots: [String; 3],
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
        let sdl = std::fs::read_to_string(path).expect("read schema.graphql");
        let document = async_graphql::parser::parse_schema(&sdl).expect("schema.graphql parses");
        let mut schema = Schema {
            types: HashMap::new(),
            supertypes: HashMap::new(),
            roots: ["Query".into(), "Mutation".into(), "Subscription".into()],
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(s) => {
                    let s = s.node;
                    if let Some(q) = s.query {
                        schema.roots[0] = q.node.to_string();
                    }
                    if let Some(m) = s.mutation {
                        schema.roots[1] = m.node.to_string();
                    }
                    if let Some(sub) = s.subscription {
                        schema.roots[2] = sub.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let name = t.name.node.to_string();
                    let fields = |fields: Vec<
                        async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>,
                    >| {
                        fields
                            .into_iter()
                            .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                            .collect()
                    };
                    let kind = match t.kind {
                        TypeKind::Object(o) => {
                            for i in &o.implements {
                                schema
                                    .supertypes
                                    .entry(name.clone())
                                    .or_default()
                                    .insert(i.node.to_string());
                            }
                            Kind::Object(fields(o.fields))
                        }
                        TypeKind::Interface(i) => Kind::Interface(fields(i.fields)),
                        TypeKind::Union(u) => {
                            for member in &u.members {
                                schema
                                    .supertypes
                                    .entry(member.node.to_string())
                                    .or_default()
                                    .insert(name.clone());
                            }
                            Kind::Union
                        }
                        TypeKind::Enum(e) => Kind::Enum(
                            e.values
                                .into_iter()
                                .map(|v| v.node.value.node.to_string())
                                .collect(),
                        ),
                        TypeKind::Scalar => Kind::Scalar,
                        TypeKind::InputObject(_) => Kind::Input,
                    };
                    schema.types.insert(name, kind);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        schema
    })
}

/// Checks `body`, the answer to `query`, against the committed schema.
pub fn check(query: &str, operation_name: Option<&str>, body: &Value) -> Result<(), String> {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return Ok(());
    };
    let data = match body.get("data") {
        None | Some(Value::Null) => {
            let has_errors = body["errors"].as_array().is_some_and(|e| !e.is_empty());
            return if has_errors {
                Ok(())
            } else {
                Err(format!("no data and no errors: {body}"))
            };
        }
        Some(data) => data,
    };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => &op.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node,
            None => return Ok(()),
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) => &op.node,
            None => return Ok(()),
        },
    };
    let schema = schema();
    let root = match operation.ty {
        OperationType::Query => &schema.roots[0],
        OperationType::Mutation => &schema.roots[1],
        OperationType::Subscription => &schema.roots[2],
    };
    let Value::Object(object) = data else {
        return Err(format!("data is not an object: {data}"));
    };
    Walk {
        schema,
        document: &document,
    }
    .object(object, root, &operation.selection_set.node, "")
}

struct Walk<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
}

impl Walk<'_> {
    /// Whether an object of `concrete` type is also of type `condition`.
    fn applies(&self, concrete: Option<&str>, condition: &str) -> Option<bool> {
        let concrete = concrete?;
        Some(
            concrete == condition
                || self
                    .schema
                    .supertypes
                    .get(concrete)
                    .is_some_and(|s| s.contains(condition)),
        )
    }

    fn object(
        &self,
        object: &Map<String, Value>,
        type_name: &str,
        set: &SelectionSet,
        path: &str,
    ) -> Result<(), String> {
        // The concrete type: named by __typename, or the static type if it
        // is an object type; unknown for an interface or union without it.
        let concrete = object
            .get("__typename")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                matches!(self.schema.types.get(type_name), Some(Kind::Object(_)))
                    .then(|| type_name.to_owned())
            });
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    let name = field.name.node.as_str();
                    let at = format!("{path}.{key}");
                    let Some(value) = object.get(key) else {
                        if field.directives.is_empty() {
                            return Err(format!("{at} is missing"));
                        }
                        continue;
                    };
                    if name == "__typename" {
                        if !value.is_string() {
                            return Err(format!("{at} is not a type name: {value}"));
                        }
                        continue;
                    }
                    if name.starts_with("__") {
                        continue;
                    }
                    let lookup = concrete.as_deref().unwrap_or(type_name);
                    let fields_of = |name: &str| match self.schema.types.get(name) {
                        Some(Kind::Object(fields) | Kind::Interface(fields)) => Some(fields),
                        _ => None,
                    };
                    let declared = fields_of(lookup)
                        .and_then(|f| f.get(name))
                        .or_else(|| fields_of(type_name).and_then(|f| f.get(name)));
                    let Some(declared) = declared else {
                        return Err(format!("{at}: {lookup} has no field {name}"));
                    };
                    self.value(value, declared, &field.selection_set.node, &at)?;
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let applies = match &fragment.type_condition {
                        None => Some(true),
                        Some(c) => self.applies(concrete.as_deref(), c.node.on.node.as_str()),
                    };
                    if applies == Some(true) {
                        let on = fragment
                            .type_condition
                            .as_ref()
                            .map_or(type_name, |c| c.node.on.node.as_str());
                        self.object(object, on, &fragment.selection_set.node, path)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    else {
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    if self.applies(concrete.as_deref(), on) == Some(true) {
                        self.object(object, on, &fragment.node.selection_set.node, path)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn value(&self, value: &Value, ty: &Type, set: &SelectionSet, at: &str) -> Result<(), String> {
        if value.is_null() {
            return if ty.nullable {
                Ok(())
            } else {
                Err(format!("{at} is null, but the schema says it never is"))
            };
        }
        match &ty.base {
            BaseType::List(inner) => {
                let Some(items) = value.as_array() else {
                    return Err(format!("{at} is not a list: {value}"));
                };
                for (i, item) in items.iter().enumerate() {
                    self.value(item, inner, set, &format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            BaseType::Named(name) => {
                let name = name.as_str();
                let ok = match (name, self.schema.types.get(name)) {
                    ("Int", _) => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                    ("Float", _) => value.is_number(),
                    ("String" | "ID", _) => value.is_string(),
                    ("Boolean", _) => value.is_boolean(),
                    ("Date", _) => value.as_str().is_some_and(|s| {
                        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
                    }),
                    ("DateTime", _) => value
                        .as_str()
                        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
                    (_, Some(Kind::Enum(values))) => {
                        value.as_str().is_some_and(|v| values.contains(v))
                    }
                    (_, Some(Kind::Scalar)) => true,
                    (_, Some(Kind::Object(_) | Kind::Interface(_) | Kind::Union)) => {
                        let Some(object) = value.as_object() else {
                            return Err(format!("{at} is not an object: {value}"));
                        };
                        return self.object(object, name, set, at);
                    }
                    (_, Some(Kind::Input) | None) => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{at} is not a {name}: {value}"))
                }
            }
        }
    }
}

#[test]
fn the_check_catches_a_missing_field_a_null_non_null_and_a_wrong_type() {
    let query = "{ viewer { role } partnerOrganisations(first: 1) { totalCount edges { node { slug kind } } } }";
    let good = serde_json::json!({ "data": {
        "viewer": { "role": "PARTNER" },
        "partnerOrganisations": { "totalCount": 1, "edges": [{ "node": { "slug": "a", "kind": "COMPANY" } }] } } });
    assert_eq!(check(query, None, &good), Ok(()));
    let missing = serde_json::json!({ "data": { "viewer": { "role": "PARTNER" } } });
    assert!(check(query, None, &missing).is_err());
    let null = serde_json::json!({ "data": { "viewer": null, "partnerOrganisations": good["data"]["partnerOrganisations"] } });
    assert!(check(query, None, &null).is_err());
    let mut wrong = good.clone();
    wrong["data"]["partnerOrganisations"]["edges"][0]["node"]["kind"] = "NOT_A_KIND".into();
    assert!(check(query, None, &wrong).is_err());
}
