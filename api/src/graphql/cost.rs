//! What a document asks for, in complexity points, read from the parsed
//! document and the schema's types before anything runs. It counts as
//! async-graphql's complexity limit does (one point a field, `__typename`
//! free, a connection's selection times its page size, see
//! [`page_cost`]), so the edge can charge the caller's budget without an
//! executor extension: with none registered, async-graphql resolves plain
//! fields without a hook around each one. The test below holds the two
//! counts equal on every document of the suite.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

use super::connection::page_cost;
use super::input_check::{InputCheck, Named, OutputField, variable_defaults};

/// How deep fragment spreads may nest before the count stops (validation
/// refuses cycles; this only keeps the count finite before it runs).
const MAX_FRAGMENT_DEPTH: usize = 32;

/// The points `document` asks for: every operation it holds, as the
/// complexity limit counts them.
pub fn requested(
    check: &InputCheck,
    document: &ExecutableDocument,
    variables: &Variables,
) -> usize {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    operations
        .into_iter()
        .map(|operation| {
            let root = match operation.node.ty {
                OperationType::Query => &check.query,
                OperationType::Mutation => &check.mutation,
                OperationType::Subscription => &check.subscription,
            };
            let defaults = variable_defaults(&operation.node);
            Count {
                check,
                document,
                variables,
                defaults,
            }
            .selection_set(&operation.node.selection_set.node, Some(root), 0)
        })
        .fold(0, usize::saturating_add)
}

/// A connection paged by `first`/`last`: its cost is its selection's
/// times the page size ([`page_cost`]).
fn is_paged(field: &OutputField) -> bool {
    field.type_name.ends_with("Connection")
        && field.arguments.contains_key("first")
        && field.arguments.contains_key("last")
}

struct Count<'a> {
    check: &'a InputCheck,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: HashMap<&'a Name, &'a Value>,
}

impl Count<'_> {
    fn selection_set(&self, set: &SelectionSet, on: Option<&str>, depth: usize) -> usize {
        if depth > MAX_FRAGMENT_DEPTH {
            return 0;
        }
        let fields = on.and_then(|name| match self.check.types.get(name) {
            Some(Named::Output(fields)) => Some(fields),
            _ => None,
        });
        let mut total = 0_usize;
        for selection in &set.items {
            let cost = match &selection.node {
                Selection::Field(field) if field.node.name.node == "__typename" => 0,
                Selection::Field(field) => {
                    let field = &field.node;
                    let declared = fields.and_then(|f| f.get(field.name.node.as_str()));
                    let below = self.selection_set(
                        &field.selection_set.node,
                        declared.map(|d| d.type_name.as_str()),
                        depth,
                    );
                    match declared {
                        Some(d) if is_paged(d) => {
                            page_cost(self.int(field, "first"), self.int(field, "last"), below)
                        }
                        _ => below.saturating_add(1),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = match &fragment.type_condition {
                        Some(condition) => Some(condition.node.on.node.as_str()),
                        None => on,
                    };
                    self.selection_set(&fragment.selection_set.node, on, depth + 1)
                }
                // A spread counts its fields on the enclosing type, as the
                // limit's own count does.
                Selection::FragmentSpread(spread) => self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| {
                        self.selection_set(&fragment.node.selection_set.node, on, depth + 1)
                    }),
            };
            total = total.saturating_add(cost);
        }
        total
    }

    /// An `Int` argument's value, as a literal or a variable (or its
    /// default); anything else counts as absent.
    fn int(&self, field: &Field, name: &str) -> Option<i32> {
        let value = field
            .arguments
            .iter()
            .find(|(n, _)| n.node == name)
            .map(|(_, v)| &v.node)?;
        let value = value.clone().into_const_with(|var| {
            Ok::<_, std::convert::Infallible>(
                self.variables
                    .get(&var)
                    .or_else(|| self.defaults.get(&var).copied())
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        });
        let number = match value {
            Ok(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        number.and_then(|n| i32::try_from(n).ok())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_graphql::extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextValidation,
    };
    use async_graphql::{ServerError, ValidationResult};

    use super::*;

    /// Records the complexity async-graphql computes while validating.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<usize>>>);

    impl ExtensionFactory for Seen {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(self.clone())
        }
    }

    #[async_trait::async_trait]
    impl Extension for Seen {
        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: NextValidation<'_>,
        ) -> Result<ValidationResult, Vec<ServerError>> {
            let result = next.run(ctx).await;
            if let (Ok(validated), Ok(mut seen)) = (&result, self.0.lock()) {
                seen.push(validated.complexity);
            }
            result
        }
    }

    fn documents() -> Vec<(String, serde_json::Value)> {
        let mut out = vec![
            ("{ __typename viewer { organisation { slug } } }".to_owned(), serde_json::json!({})),
            (
                "query($n: Int = 7) { participants(first: $n) { totalCount edges { cursor node { id displayName placements { id employer { name } } } } } }".to_owned(),
                serde_json::json!({}),
            ),
            (
                "query($n: Int) { participants(last: $n) { edges { node { ...P } } } employers { edges { node { id } } } } fragment P on Participant { id mentors { id givenName } }".to_owned(),
                serde_json::json!({"n": 12}),
            ),
            (
                "query A { participants(first: 3) { edges { node { id } } } } query B { mentors(first: 100) { edges { node { id ... on Mentor { givenName } } } } }".to_owned(),
                serde_json::json!({}),
            ),
            (
                "{ node(id: \"x\") { id ... on Participant { placements { slot { title } } } } __schema { types { name fields { name } } } }".to_owned(),
                serde_json::json!({}),
            ),
            (
                "mutation($input: CreateEmployerInput!) { createEmployer(input: $input) { employer { id name } userErrors { field message } } }".to_owned(),
                serde_json::json!({"input": {"name": "x"}}),
            ),
        ];
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/api/queries");
        if let Ok(entries) = std::fs::read_dir(root) {
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    out.push((text, serde_json::json!({})));
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn the_count_is_the_complexity_limit_s_own_count() {
        let seen = Seen::default();
        let schema = crate::graphql::schema_builder()
            .extension(seen.clone())
            .finish();
        let check = InputCheck::from_sdl(&schema.sdl()).expect("the schema's SDL parses");
        for (text, variables) in documents() {
            let variables = Variables::from_json(variables);
            let document = async_graphql::parser::parse_query(&text).expect("the document parses");
            let before = seen.0.lock().map(|s| s.len()).unwrap_or(0);
            let mut request =
                async_graphql::Request::new(text.clone()).variables(variables.clone());
            if let DocumentOperations::Multiple(ops) = &document.operations {
                request = request
                    .operation_name(ops.keys().next().map(|n| n.to_string()).unwrap_or_default());
            }
            let _ = schema.execute(request).await;
            let theirs = seen.0.lock().ok().and_then(|s| s.get(before).copied());
            if let Some(theirs) = theirs {
                assert_eq!(requested(&check, &document, &variables), theirs, "{text}");
            }
        }
        assert!(
            seen.0.lock().map(|s| s.len()).unwrap_or(0) >= 5,
            "most documents validate"
        );
    }
}
