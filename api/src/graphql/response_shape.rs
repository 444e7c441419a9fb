//! Answers in the shape the GraphQL spec gives them, whatever order the
//! fields resolved in and whichever of them failed.
//!
//! async-graphql 7 resolves a selection's fields concurrently and writes
//! them in the order they finish, and when a field fails it records the
//! error and leaves the field's key out (an object whose every field
//! failed becomes `null`). The spec asks for more, and generated client
//! types depend on it:
//! - keys in the order of the selection set ("Serialized Map Ordering");
//! - a failed field is `null` with its error, never missing;
//! - a `null` in a non-null field makes its parent `null`, up to the
//!   nearest nullable field, or `data` itself ("Handling Field Errors").
//!
//! So before an answer leaves, it is rebuilt once along the operation's
//! selection sets, with the field types the schema's own SDL declares. Keys
//! the selection did not produce (fragments on other types, `@skip`) stay
//! out; keys that failed (an error's path points at them) become `null`.

use std::collections::HashSet;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationType, Selection,
    SelectionSet, Type,
};
use async_graphql::{Name, PathSegment, Positioned, Response, Value, Variables};

use super::input_check::{InputCheck, Named};

/// How deep fragments may nest before the walk stops collecting.
const MAX_FRAGMENT_DEPTH: usize = 32;

/// Rebuilds `response.data` in selection order, with failed fields `null`
/// and nulls propagated as the spec says.
pub fn complete(
    shape: &InputCheck,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    response: &mut Response,
) {
    if matches!(response.data, Value::Null) {
        return;
    }
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return,
        },
        (DocumentOperations::Multiple(_), None) => return,
    };
    let root = match operation.node.ty {
        OperationType::Query => shape.query.as_str(),
        OperationType::Mutation => shape.mutation.as_str(),
        OperationType::Subscription => shape.subscription.as_str(),
    };
    let failed: HashSet<Vec<String>> = response
        .errors
        .iter()
        .map(|e| {
            e.path
                .iter()
                .map(|segment| match segment {
                    PathSegment::Field(name) => name.clone(),
                    PathSegment::Index(i) => i.to_string(),
                })
                .collect()
        })
        .collect();
    let walk = Walk {
        shape,
        document,
        variables,
        failed,
    };
    if response.errors.is_empty() {
        // Nothing failed: no key is missing and no null needs propagating,
        // so only the order can be off; it is put right in place.
        if let Value::Object(object) = &mut response.data {
            walk.order(
                object,
                root,
                &[&operation.node.selection_set.node],
                &mut Plans::default(),
            );
        }
        return;
    }
    let data = std::mem::take(&mut response.data);
    let Value::Object(object) = data else {
        response.data = data;
        return;
    };
    let mut path = Vec::new();
    response.data = walk
        .object(
            object,
            root,
            &[&operation.node.selection_set.node],
            &mut path,
        )
        .unwrap_or(Value::Null);
}

struct Walk<'a> {
    shape: &'a InputCheck,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    failed: HashSet<Vec<String>>,
}

/// One response key of a selection: the fields that produce it (the same
/// field may be selected in several fragments) and the type they are on.
struct Collected<'a> {
    key: &'a str,
    name: &'a str,
    on: &'a str,
    fields: Vec<&'a Field>,
}

/// What an object of one type under one selection set holds, in order:
/// each key with its declared type and the selection sets below it.
/// Worked out once per selection set and type, then reused for every item
/// of a list.
struct Plan<'a> {
    key: &'a str,
    ty: Option<&'a Type>,
    below: Vec<&'a SelectionSet>,
}

/// The plans worked out so far, by (type, selection set).
#[derive(Default)]
struct Plans<'a>(std::collections::HashMap<(usize, usize), std::rc::Rc<Vec<Plan<'a>>>>);

impl<'a> Walk<'a> {
    fn plan(
        &self,
        type_name: &'a str,
        sets: &[&'a SelectionSet],
        plans: &mut Plans<'a>,
    ) -> std::rc::Rc<Vec<Plan<'a>>> {
        let key = match sets {
            [one] => Some((
                type_name.as_ptr() as usize,
                std::ptr::from_ref(*one) as usize,
            )),
            _ => None,
        };
        if let Some(plan) = key.and_then(|k| plans.0.get(&k)) {
            return plan.clone();
        }
        let mut collected = Vec::new();
        for set in sets {
            self.collect(set, type_name, &mut collected, 0);
        }
        let plan: std::rc::Rc<Vec<Plan<'a>>> = std::rc::Rc::new(
            collected
                .into_iter()
                .map(|item| Plan {
                    key: item.key,
                    ty: (item.name != "__typename")
                        .then(|| self.field_type(item.on, type_name, item.name))
                        .flatten(),
                    below: item.fields.iter().map(|f| &f.selection_set.node).collect(),
                })
                .collect(),
        );
        if let Some(key) = key {
            plans.0.insert(key, plan.clone());
        }
        plan
    }

    /// Puts an answer without errors in selection order, in place.
    fn order(
        &self,
        object: &mut IndexMap<Name, Value>,
        type_name: &'a str,
        sets: &[&'a SelectionSet],
        plans: &mut Plans<'a>,
    ) {
        let plan = self.plan(type_name, sets, plans);
        let position = |key: &Name| plan.iter().position(|p| p.key == key.as_str());
        let mut last = 0;
        let in_order = object.keys().all(|key| match position(key) {
            Some(i) if i >= last => {
                last = i;
                true
            }
            Some(_) => false,
            None => true,
        });
        if !in_order {
            // Keys the walk does not expect go after the rest, as they came.
            object.sort_by(|a, _, b, _| {
                position(a)
                    .unwrap_or(usize::MAX)
                    .cmp(&position(b).unwrap_or(usize::MAX))
            });
        }
        for item in plan.iter() {
            if let (Some(ty), false) = (item.ty, item.below.is_empty())
                && let Some(value) = object.get_mut(item.key)
            {
                self.order_value(value, ty, &item.below, plans);
            }
        }
    }

    fn order_value(
        &self,
        value: &mut Value,
        ty: &'a Type,
        sets: &[&'a SelectionSet],
        plans: &mut Plans<'a>,
    ) {
        match (&ty.base, value) {
            (BaseType::List(inner), Value::List(items)) => {
                for item in items {
                    self.order_value(item, inner, sets, plans);
                }
            }
            (BaseType::Named(name), Value::Object(object)) => {
                self.order(object, self.type_name(name), sets, plans);
            }
            _ => {}
        }
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        on: &'a str,
        out: &mut Vec<Collected<'a>>,
        depth: usize,
    ) {
        if depth > MAX_FRAGMENT_DEPTH {
            return;
        }
        for selection in &set.items {
            if !self.included(selection.node.directives()) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    match out.iter_mut().find(|c| c.key == key) {
                        Some(existing) => existing.fields.push(field),
                        None => out.push(Collected {
                            key,
                            name: field.name.node.as_str(),
                            on,
                            fields: vec![field],
                        }),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    self.collect(&fragment.selection_set.node, on, out, depth + 1);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let fragment = &fragment.node;
                        self.collect(
                            &fragment.selection_set.node,
                            fragment.type_condition.node.on.node.as_str(),
                            out,
                            depth + 1,
                        );
                    }
                }
            }
        }
    }

    /// `@skip(if:)` and `@include(if:)`, where they can be told; a
    /// selection they cannot be told for is kept (its key decides).
    fn included(&self, directives: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
        for directive in directives {
            let name = directive.node.name.node.as_str();
            if name != "skip" && name != "include" {
                continue;
            }
            let condition = directive.node.get_argument("if").map(|value| {
                value
                    .node
                    .clone()
                    .into_const_with(|var| self.variables.get(&var).cloned().ok_or(()))
                    .ok()
            });
            if let Some(Some(Value::Boolean(condition))) = condition
                && (condition == (name == "skip"))
            {
                return false;
            }
        }
        true
    }

    /// The object rebuilt in selection order; `None` if a non-null field in
    /// it is null (the object itself is then null).
    fn object(
        &self,
        mut object: IndexMap<Name, Value>,
        type_name: &'a str,
        sets: &[&'a SelectionSet],
        path: &mut Vec<String>,
    ) -> Option<Value> {
        let mut collected = Vec::new();
        for set in sets {
            self.collect(set, type_name, &mut collected, 0);
        }
        let mut rebuilt = IndexMap::with_capacity(collected.len());
        for item in collected {
            let key = Name::new(item.key);
            let value = object.shift_remove(&key);
            if item.name == "__typename" {
                if let Some(value) = value {
                    rebuilt.insert(key, value);
                }
                continue;
            }
            let Some(ty) = self.field_type(item.on, type_name, item.name) else {
                // Not a field this schema knows (validation would have
                // refused it): leave the value as it came.
                if let Some(value) = value {
                    rebuilt.insert(key, value);
                }
                continue;
            };
            path.push(item.key.to_owned());
            let failed_here = self.failed.contains(path.as_slice());
            let below: Vec<&'a SelectionSet> =
                item.fields.iter().map(|f| &f.selection_set.node).collect();
            let completed = match value {
                Some(value) => Some(self.value(value, ty, &below, path)),
                None if failed_here || self.failed_below(path) => {
                    Some(self.value(Value::Null, ty, &below, path))
                }
                // Not produced: a fragment on another type, or skipped.
                None => None,
            };
            path.pop();
            match completed {
                None => {}
                Some(Some(value)) => {
                    rebuilt.insert(key, value);
                }
                Some(None) if ty.nullable => {
                    rebuilt.insert(key, Value::Null);
                }
                Some(None) => return None,
            }
        }
        // Anything the walk did not expect stays, after the rest.
        rebuilt.extend(object);
        Some(Value::Object(rebuilt))
    }

    fn failed_below(&self, path: &[String]) -> bool {
        self.failed
            .iter()
            .any(|p| p.len() > path.len() && p.starts_with(path))
    }

    /// The declared type of `name` on the type its selection is on (or on
    /// the enclosing type, for a field of an interface's fragment).
    fn field_type(&self, on: &str, enclosing: &str, name: &str) -> Option<&'a Type> {
        [on, enclosing]
            .into_iter()
            .find_map(|t| match self.shape.types.get(t) {
                Some(Named::Output(fields)) => fields.get(name).map(|f| &f.ty),
                _ => None,
            })
    }

    /// A completed value of type `ty`; `None` when it is null (whether it
    /// may be is the caller's to decide).
    fn value(
        &self,
        value: Value,
        ty: &'a Type,
        sets: &[&'a SelectionSet],
        path: &mut Vec<String>,
    ) -> Option<Value> {
        match (&ty.base, value) {
            (_, Value::Null) => match &ty.base {
                // An object whose every field failed came back as null:
                // rebuilt, its failed fields are null inside it.
                BaseType::Named(name)
                    if !sets.is_empty()
                        && self.failed_below(path)
                        && matches!(
                            self.shape.types.get(name.as_str()),
                            Some(Named::Output(_))
                        ) =>
                {
                    self.object(IndexMap::new(), self.type_name(name), sets, path)
                }
                _ => None,
            },
            (BaseType::List(inner), Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    path.push(i.to_string());
                    let completed = self.value(item, inner, sets, path);
                    path.pop();
                    match completed {
                        Some(item) => out.push(item),
                        None if inner.nullable => out.push(Value::Null),
                        None => return None,
                    }
                }
                Some(Value::List(out))
            }
            (BaseType::Named(name), Value::Object(object)) if !sets.is_empty() => {
                self.object(object, self.type_name(name), sets, path)
            }
            (_, value) => Some(value),
        }
    }

    /// The schema's own spelling of a type name, borrowed for the walk.
    fn type_name(&self, name: &Name) -> &'a str {
        self.shape
            .types
            .get_key_value(name.as_str())
            .map_or("", |(k, _)| k.as_str())
    }
}
