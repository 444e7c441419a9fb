//! A mutation's unit of work, as the GraphQL layer describes it: who calls,
//! which mutation, which input fields (never their values), and the
//! idempotency key of a create from the `Idempotency-Key` header or the
//! input's `clientMutationId`. The work itself (transaction, idempotency,
//! audit and domain events) is [`crate::unit_of_work`].

use async_graphql::{Context, Result};

use super::context::{caller, db, request_id};
use crate::events::EventBus;
use crate::services::audit::Actor;
use crate::services::callers::cache::CallerCache;
use crate::unit_of_work::{Idempotency, UnitOfWork, Work};

/// The `Idempotency-Key` header of the request, if any.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

/// A canonical text of a GraphQL value: object keys sorted, so that the
/// same input always hashes the same.
fn canonical(value: &async_graphql::Value, out: &mut String) {
    use async_graphql::Value;
    match value {
        Value::Object(object) => {
            let mut keys: Vec<_> = object.keys().collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&format!("{:?}:", key.as_str()));
                if let Some(v) = object.get(key) {
                    canonical(v, out);
                }
                out.push(',');
            }
            out.push('}');
        }
        Value::List(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Opens the unit of work of the mutation being resolved.
pub struct Write;

impl Write {
    /// Begins the unit of work of a mutation.
    pub async fn begin(ctx: &Context<'_>) -> Result<UnitOfWork> {
        Self::begin_with(ctx, false).await
    }

    /// As [`Self::begin`], for a mutation that creates something: an
    /// `Idempotency-Key` header or a `clientMutationId` input field makes a
    /// retry safe. The same key from the same caller with the same input is
    /// a replay ([`UnitOfWork::replayed`]); with another input, CONFLICT.
    pub async fn begin_idempotent(ctx: &Context<'_>) -> Result<UnitOfWork> {
        Self::begin_with(ctx, true).await
    }

    async fn begin_with(ctx: &Context<'_>, idempotent: bool) -> Result<UnitOfWork> {
        let caller = caller(ctx)?;
        let field = ctx.field();
        let operation = field.name().to_owned();
        // The names of the input fields given; never their values.
        let mut fields = Vec::new();
        let mut client_mutation_id = None;
        let mut input = String::new();
        for (name, value) in field.arguments()? {
            match value {
                async_graphql::Value::Object(mut object) => {
                    if let Some(async_graphql::Value::String(id)) =
                        object.shift_remove("clientMutationId")
                    {
                        client_mutation_id = Some(id);
                    }
                    fields.extend(
                        object
                            .keys()
                            .filter(|k| k.as_str() != "id")
                            .map(|k| k.to_string()),
                    );
                    canonical(&async_graphql::Value::Object(object), &mut input);
                }
                other => {
                    fields.push(name.to_string());
                    canonical(&other, &mut input);
                }
            }
        }
        fields.sort();
        let key = ctx
            .data_opt::<IdempotencyKey>()
            .map(|k| k.0.clone())
            .or(client_mutation_id)
            .filter(|_| idempotent);
        let idempotency = match key {
            Some(key) => {
                if key.is_empty() || key.len() > 200 {
                    return Err(super::error::bad_input(
                        "idempotencyKey",
                        "an idempotency key is 1 to 200 characters",
                    ));
                }
                use sha2::Digest;
                let hash = sha2::Sha256::digest(format!("{operation}\n{input}"));
                Some(Idempotency {
                    scope: format!("{}:{}", caller.organisation_id, caller.subject),
                    key,
                    hash: hash.iter().map(|b| format!("{b:02x}")).collect(),
                })
            }
            None => None,
        };
        let work = Work::new(Actor::caller(caller, request_id(ctx)), operation)
            .fields(fields)
            .idempotent(idempotency)
            .publishing_to(ctx.data_opt::<EventBus>().cloned())
            .forgetting(ctx.data_opt::<CallerCache>().cloned());
        Ok(UnitOfWork::begin(db(ctx)?, work).await?)
    }
}
