//! Every value a request gives, checked against the type it is given for,
//! before anything runs.
//!
//! async-graphql's validation checks the shape of arguments (an object
//! where an input type is wanted, an integer where `Int` is), but leaves a
//! scalar's own rules to the moment the resolver reads the argument: an
//! `Int` past 32 bits, a date like `2026-13-45`, an RFC 3339 time that does
//! not parse. Failing there, the error carries no code and no argument name.
//! And no scalar refuses control characters, so a NUL byte in a `String`
//! reached PostgreSQL, which cannot store it.
//!
//! So the HTTP edge walks the selected operation once, with the types the
//! schema's own SDL declares, and checks every argument value (literal or
//! variable, down through input objects and lists) against its scalar's
//! rules. The first offending value answers `BAD_USER_INPUT` naming its
//! path, e.g. `proposePlacement.input.startsOn`, and nothing runs. A value
//! this does not understand is left to validation, which reports it.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
    ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Pos, Value as ConstValue, Variables};

/// A value that breaks its type's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    /// The field's response key, then the argument and the path inside it:
    /// `proposePlacement.input.startsOn`, `nodes.ids[3]`.
    pub path: String,
    /// What is wrong, for the client.
    pub message: String,
    /// Where the argument is in the document.
    pub pos: Pos,
}

#[derive(Debug)]
pub(crate) struct OutputField {
    pub(crate) arguments: HashMap<String, Type>,
    pub(crate) type_name: String,
    /// The field's type with its list and non-null wrappers.
    pub(crate) ty: Type,
}

#[derive(Debug)]
pub(crate) enum Named {
    /// An object or interface: fields with arguments.
    Output(HashMap<String, OutputField>),
    /// An input object: its fields' types.
    Input(HashMap<String, Type>),
    /// A scalar, enum or union: nothing to descend into.
    Leaf,
}

/// The schema's argument and input types, read once from its SDL.
#[derive(Debug)]
pub struct InputCheck {
    pub(crate) types: HashMap<String, Named>,
    pub(crate) query: String,
    pub(crate) mutation: String,
    pub(crate) subscription: String,
}

/// How deep fragments may nest before the walk stops (validation refuses
/// cycles; this only keeps the walk finite before it runs).
const MAX_FRAGMENT_DEPTH: usize = 32;

impl InputCheck {
    /// Reads the types from the schema's SDL. `None` if it does not parse,
    /// which would be a bug in the schema, not in a request.
    pub fn from_sdl(sdl: &str) -> Option<Self> {
        let document: ServiceDocument = async_graphql::parser::parse_schema(sdl).ok()?;
        let mut check = Self {
            types: HashMap::new(),
            query: "Query".to_owned(),
            mutation: "Mutation".to_owned(),
            subscription: "Subscription".to_owned(),
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(name) = schema.query {
                        check.query = name.node.to_string();
                    }
                    if let Some(name) = schema.mutation {
                        check.mutation = name.node.to_string();
                    }
                    if let Some(name) = schema.subscription {
                        check.subscription = name.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(definition) => {
                    let definition = definition.node;
                    let fields = match definition.kind {
                        TypeKind::Object(object) => Some(object.fields),
                        TypeKind::Interface(interface) => Some(interface.fields),
                        TypeKind::InputObject(input) => {
                            check.types.insert(
                                definition.name.node.to_string(),
                                Named::Input(
                                    input
                                        .fields
                                        .into_iter()
                                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                                        .collect(),
                                ),
                            );
                            None
                        }
                        _ => {
                            check
                                .types
                                .insert(definition.name.node.to_string(), Named::Leaf);
                            None
                        }
                    };
                    if let Some(fields) = fields {
                        let fields = fields
                            .into_iter()
                            .map(|field| {
                                let field = field.node;
                                (
                                    field.name.node.to_string(),
                                    OutputField {
                                        arguments: field
                                            .arguments
                                            .into_iter()
                                            .map(|a| (a.node.name.node.to_string(), a.node.ty.node))
                                            .collect(),
                                        type_name: named(&field.ty.node).to_owned(),
                                        ty: field.ty.node,
                                    },
                                )
                            })
                            .collect();
                        check
                            .types
                            .insert(definition.name.node.to_string(), Named::Output(fields));
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Some(check)
    }

    /// Checks every argument of the operation `operation_name` selects (the
    /// only one, if it names none). A document whose operation cannot be
    /// told is left to the executor to refuse.
    pub fn check(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Result<(), BadInput> {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(op), _) => op,
            (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
                Some(op) => op,
                None => return Ok(()),
            },
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
                match ops.values().next() {
                    Some(op) => op,
                    None => return Ok(()),
                }
            }
            (DocumentOperations::Multiple(_), None) => return Ok(()),
        };
        let defaults = variable_defaults(&operation.node);
        let root = match operation.node.ty {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => &self.subscription,
        };
        let walk = Walk {
            check: self,
            document,
            variables,
            defaults,
        };
        walk.selection_set(&operation.node.selection_set.node, root, "", 0)
    }
}

struct Walk<'a> {
    check: &'a InputCheck,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: HashMap<&'a Name, &'a ConstValue>,
}

impl Walk<'_> {
    fn selection_set(
        &self,
        set: &SelectionSet,
        type_name: &str,
        prefix: &str,
        depth: usize,
    ) -> Result<(), BadInput> {
        if depth > MAX_FRAGMENT_DEPTH {
            return Ok(());
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    let path = if prefix.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    let Some(Named::Output(fields)) = self.check.types.get(type_name) else {
                        continue;
                    };
                    let Some(declared) = fields.get(field.name.node.as_str()) else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        let Some(ty) = declared.arguments.get(name.node.as_str()) else {
                            continue;
                        };
                        let value = value.node.clone().into_const_with(|var| {
                            Ok::<_, std::convert::Infallible>(
                                self.variables
                                    .get(&var)
                                    .cloned()
                                    .or_else(|| self.defaults.get(&var).map(|d| (*d).clone()))
                                    .unwrap_or(ConstValue::Null),
                            )
                        });
                        let Ok(value) = value;
                        self.check
                            .value(ty, &value, &format!("{path}.{}", name.node))
                            .map_err(|(path, message)| BadInput {
                                path,
                                message,
                                pos: name.pos,
                            })?;
                    }
                    self.selection_set(
                        &field.selection_set.node,
                        &declared.type_name,
                        &path,
                        depth,
                    )?;
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.selection_set(&fragment.selection_set.node, on, prefix, depth + 1)?;
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let fragment = &fragment.node;
                        self.selection_set(
                            &fragment.selection_set.node,
                            fragment.type_condition.node.on.node.as_str(),
                            prefix,
                            depth + 1,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The default values an operation declares for its variables.
pub(crate) fn variable_defaults(
    operation: &async_graphql::parser::types::OperationDefinition,
) -> HashMap<&Name, &ConstValue> {
    operation
        .variable_definitions
        .iter()
        .filter_map(|v| {
            v.node
                .default_value
                .as_ref()
                .map(|d| (&v.node.name.node, &d.node))
        })
        .collect()
}

/// The named type at the bottom of a (list, non-null) type.
pub(crate) fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

impl InputCheck {
    fn value(&self, ty: &Type, value: &ConstValue, path: &str) -> Result<(), (String, String)> {
        if matches!(value, ConstValue::Null) {
            return Ok(());
        }
        match &ty.base {
            BaseType::List(inner) => match value {
                ConstValue::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, item, &format!("{path}[{i}]"))?;
                    }
                    Ok(())
                }
                // A single value where a list is wanted counts as a list of one.
                other => self.value(inner, other, path),
            },
            BaseType::Named(name) => self.named_value(name.as_str(), value, path),
        }
    }

    fn named_value(
        &self,
        name: &str,
        value: &ConstValue,
        path: &str,
    ) -> Result<(), (String, String)> {
        let fail = |message: &str| Err((path.to_owned(), message.to_owned()));
        match (name, value) {
            ("Int", ConstValue::Number(n)) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => Ok(()),
                _ => fail("must be a whole number from -2147483648 to 2147483647"),
            },
            ("String" | "ID", ConstValue::String(s)) => text(s, path),
            ("Date", ConstValue::String(s)) => {
                if super::scalars::parse_date(s).is_some() {
                    Ok(())
                } else {
                    fail("must be a calendar date, YYYY-MM-DD (ISO 8601)")
                }
            }
            ("DateTime", ConstValue::String(s)) => {
                if super::scalars::parse_date_time(s).is_some() {
                    Ok(())
                } else {
                    fail(
                        "must be a date and time with an offset, e.g. 2027-01-12T14:00:00+01:00 (RFC 3339)",
                    )
                }
            }
            ("JSON", json) => json_text(json, path),
            (_, ConstValue::Object(fields)) => {
                let Some(Named::Input(declared)) = self.types.get(name) else {
                    return Ok(());
                };
                for (key, item) in fields {
                    if let Some(ty) = declared.get(key.as_str()) {
                        self.value(ty, item, &format!("{path}.{key}"))?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Text may hold tabs and line breaks (`\n`, and `\r` as in CRLF text
/// pasted from Windows), but no other control character: a NUL cannot be
/// stored by PostgreSQL, and the rest (escape sequences, C1 controls) have
/// no place in anything this API stores or shows.
fn text(s: &str, path: &str) -> Result<(), (String, String)> {
    match s
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        None => Ok(()),
        Some(c) => Err((
            path.to_owned(),
            format!(
                "must not contain control characters (found U+{:04X}); tabs and line breaks are allowed",
                u32::from(c)
            ),
        )),
    }
}

fn json_text(value: &ConstValue, path: &str) -> Result<(), (String, String)> {
    match value {
        ConstValue::String(s) => text(s, path),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| json_text(item, &format!("{path}[{i}]"))),
        ConstValue::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            let path = format!("{path}.{key}");
            text(key, &path)?;
            json_text(item, &path)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, variables: serde_json::Value) -> Result<(), BadInput> {
        let checker = InputCheck::from_sdl(&crate::graphql::sdl()).ok_or(BadInput {
            path: String::new(),
            message: "the SDL did not parse".to_owned(),
            pos: Pos::default(),
        })?;
        let document = async_graphql::parser::parse_query(query).map_err(|e| BadInput {
            path: String::new(),
            message: e.to_string(),
            pos: Pos::default(),
        })?;
        checker.check(&document, None, &Variables::from_json(variables))
    }

    fn path_of(query: &str, variables: serde_json::Value) -> String {
        check(query, variables)
            .err()
            .map(|e| e.path)
            .unwrap_or_default()
    }

    #[test]
    fn good_values_pass() {
        assert_eq!(
            check(
                "query($d: Date) { placements(first: 5, filter: { startsFrom: $d }) { totalCount } }",
                serde_json::json!({ "d": "2027-01-12" })
            ),
            Ok(())
        );
        assert_eq!(
            check(
                "{ partnerOrganisation(slug: \"a\\tb\\nc\") { id } }",
                serde_json::json!({})
            ),
            Ok(())
        );
    }

    #[test]
    fn bad_scalars_are_named_by_their_path_as_literals_and_as_variables() {
        assert_eq!(
            path_of(
                "{ suggestedCandidates(slot: \"\", first: -2147483649) { score } }",
                serde_json::json!({})
            ),
            "suggestedCandidates.first"
        );
        assert_eq!(
            path_of(
                "mutation($i: ProposePlacementInput!) { p: proposePlacement(input: $i) { __typename } }",
                serde_json::json!({ "i": { "participantId": "x", "startsOn": "2026-13-45" } })
            ),
            "p.input.startsOn"
        );
        assert_eq!(
            path_of(
                "query($s: String!) { partnerOrganisation(slug: $s) { id } }",
                serde_json::json!({ "s": "a\u{0}b" })
            ),
            "partnerOrganisation.slug"
        );
        assert_eq!(
            path_of(
                "{ auditEvents(filter: { from: \"yesterday\" }) { totalCount } }",
                serde_json::json!({})
            ),
            "auditEvents.filter.from"
        );
        assert_eq!(
            path_of(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                serde_json::json!({ "ids": ["a", "b\u{1b}[31m"] })
            ),
            "nodes.ids[1]"
        );
    }

    #[test]
    fn arguments_inside_fragments_are_checked_too() {
        assert_eq!(
            path_of(
                "query { ...F } fragment F on Query { impactReport(from: \"2026-01-01x\", until: \"2026-02-01\") { __typename } }",
                serde_json::json!({})
            ),
            "impactReport.from"
        );
    }
}
