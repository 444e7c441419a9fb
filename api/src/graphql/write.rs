//! The unit of work of a mutation at the GraphQL layer: one transaction
//! with its idempotency key, its audit event and its domain events, so a
//! change and its records are stored together or not at all.

use async_graphql::{Context, Result};
use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::context::{caller, db, request_id};
use crate::events::{Event as DomainEvent, EventBus};
use crate::services::audit::{Actor, AuditEvent as Event, AuditKind, Audited};
use crate::services::{self, ServiceError, ServiceResult};

/// The `Idempotency-Key` header of the request, if any.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

/// The idempotency key of a create mutation and the hash of its input.
struct Idempotency {
    scope: String,
    key: String,
    hash: String,
}

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

/// Holds an idempotency key for the rest of the transaction, or answers
/// `IDEMPOTENCY_KEY_IN_USE` if a request still running holds it.
///
/// The key is read and its result stored in the same transaction as the
/// change; what keeps two requests with one key from both running the
/// change is that only one may hold the key at a time:
/// - PostgreSQL: a transaction-scoped advisory lock on a 64-bit hash of the
///   scope and key, taken without waiting. It is released when the holder
///   commits (its stored result then visible to the next reader) or rolls
///   back (the next request runs the change itself), and never outlives a
///   crashed request, so no stale claim needs clearing. A hash collision
///   between two keys only makes one of them retry.
/// - SQLite: every mutation's transaction begins `IMMEDIATE`, holding the
///   database's write lock, so the next request with the key begins only
///   after the first has committed and reads its result.
async fn claim(txn: &DatabaseTransaction, idempotency: &Idempotency) -> Result<()> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let held = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS held",
            [format!("idempotency\n{}\n{}", idempotency.scope, idempotency.key).into()],
        ))
        .await
        .map_err(ServiceError::database("failed to claim idempotency key"))?
        .map(|row| row.try_get::<bool>("", "held"))
        .transpose()
        .map_err(ServiceError::database("failed to claim idempotency key"))?;
    if held == Some(true) {
        Ok(())
    } else {
        Err(ServiceError::KeyInUse.into())
    }
}

/// A mutation's transaction and what its audit event will say.
pub struct Write {
    txn: DatabaseTransaction,
    kind: AuditKind,
    actor: Actor,
    operation: String,
    fields: Vec<String>,
    idempotency: Option<Idempotency>,
    replay: Option<Uuid>,
    bus: Option<EventBus>,
}

impl Write {
    /// Begins the transaction of the mutation being resolved. On SQLite it
    /// takes the write lock at once (`BEGIN IMMEDIATE`), so concurrent
    /// mutations queue instead of failing to upgrade a read lock.
    pub async fn begin(ctx: &Context<'_>) -> Result<Self> {
        Self::begin_with(ctx, false).await
    }

    /// As [`Self::begin`], for a mutation that creates something: an
    /// `Idempotency-Key` header or a `clientMutationId` input field makes a
    /// retry safe. The same key from the same caller with the same input is
    /// a replay ([`Self::replayed`]); with another input, CONFLICT.
    pub async fn begin_idempotent(ctx: &Context<'_>) -> Result<Self> {
        Self::begin_with(ctx, true).await
    }

    async fn begin_with(ctx: &Context<'_>, idempotent: bool) -> Result<Self> {
        let caller = caller(ctx)?;
        let txn = db(ctx)?
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .map_err(ServiceError::database("failed to begin transaction"))?;
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
        let mut replay = None;
        if let Some(idempotency) = &idempotency {
            if let Err(err) = claim(&txn, idempotency).await {
                let _ = txn.rollback().await;
                return Err(err);
            }
            let stored = idempotency_key::Entity::find()
                .filter(idempotency_key::Column::Scope.eq(idempotency.scope.clone()))
                .filter(idempotency_key::Column::Key.eq(idempotency.key.clone()))
                .one(&txn)
                .await
                .map_err(ServiceError::database("failed to read idempotency key"))?;
            if let Some(stored) = stored {
                if stored.operation != operation || stored.request_hash != idempotency.hash {
                    let _ = txn.rollback().await;
                    return Err(ServiceError::Conflict {
                        message: "this idempotency key was used with another input".to_owned(),
                    }
                    .into());
                }
                replay = Some(stored.entity_id);
            }
        }
        Ok(Self {
            txn,
            kind: AuditKind::Mutation,
            actor: Actor::caller(caller, request_id(ctx)),
            operation,
            fields,
            idempotency,
            replay,
            bus: ctx.data_opt::<EventBus>().cloned(),
        })
    }

    /// The row this request's idempotency key already created, if it is a
    /// replay: the resolver answers with it and changes nothing.
    pub fn replayed(&self) -> Option<Uuid> {
        self.replay
    }

    /// Ends a replay: the transaction changed nothing and is rolled back
    /// now, releasing the idempotency key at once rather than when its
    /// connection is next used. Returns `row`, the stored result read.
    pub async fn end_replay<T>(self, row: ServiceResult<T>) -> ServiceResult<T> {
        self.txn
            .rollback()
            .await
            .map_err(ServiceError::database("failed to end a replay"))?;
        row
    }

    /// Records the event as `kind` rather than as a plain mutation.
    pub fn as_kind(mut self, kind: AuditKind) -> Self {
        self.kind = kind;
        self
    }

    /// The transaction to run the mutation's service on.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Records the event for the row `result` holds and commits; on an error
    /// the transaction is rolled back and nothing is recorded.
    pub async fn finish<T: Audited>(self, result: ServiceResult<T>) -> ServiceResult<T> {
        self.finish_with(result, |row| row.audit_key()).await
    }

    /// As [`Self::finish`], and publishes `events` for subscribers when the
    /// change commits.
    pub async fn finish_publishing<T: Audited>(
        self,
        result: ServiceResult<T>,
        events: impl FnOnce(&T) -> Vec<DomainEvent>,
    ) -> ServiceResult<T> {
        self.finish_inner(result, |row| row.audit_key(), events)
            .await
    }

    /// As [`Self::finish`], for results that are not rows themselves.
    pub async fn finish_with<T>(
        self,
        result: ServiceResult<T>,
        key: impl FnOnce(&T) -> (&'static str, Uuid),
    ) -> ServiceResult<T> {
        self.finish_inner(result, key, |_| Vec::new()).await
    }

    async fn finish_inner<T>(
        self,
        result: ServiceResult<T>,
        key: impl FnOnce(&T) -> (&'static str, Uuid),
        events: impl FnOnce(&T) -> Vec<DomainEvent>,
    ) -> ServiceResult<T> {
        let value = match result {
            Ok(value) => value,
            Err(err) => {
                // Rolled back now, so its locks (and the idempotency key)
                // are free for the next request at once.
                if let Err(rollback) = self.txn.rollback().await {
                    tracing::warn!(error = %rollback, "failed to roll back a refused mutation");
                }
                return Err(err);
            }
        };
        let (entity, id) = key(&value);
        let events = events(&value);
        let after_commit = match &self.bus {
            Some(bus) if !events.is_empty() => bus.publish_in(&self.txn, events).await?,
            _ => Vec::new(),
        };
        if let Some(idempotency) = self.idempotency {
            use sea_orm::ActiveValue::Set;
            idempotency_key::Entity::insert(idempotency_key::ActiveModel {
                id: Set(Uuid::now_v7()),
                scope: Set(idempotency.scope),
                key: Set(idempotency.key),
                operation: Set(self.operation.clone()),
                request_hash: Set(idempotency.hash),
                entity: Set(entity.to_owned()),
                entity_id: Set(id),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(&self.txn)
            .await
            .map_err(ServiceError::database("failed to store idempotency key"))?;
        }
        services::audit::record(
            &self.txn,
            &self.actor,
            vec![Event {
                kind: self.kind,
                operation: self.operation,
                entity,
                entity_id: Some(id),
                fields: self.fields,
            }],
        )
        .await?;
        self.txn
            .commit()
            .await
            .map_err(ServiceError::database("failed to commit"))?;
        if let Some(bus) = &self.bus {
            bus.send_local(after_commit);
        }
        Ok(value)
    }
}
