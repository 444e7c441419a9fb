//! The unit of work: every change to the data, from a mutation, the command
//! line or a job, runs in one of these. It is one transaction holding the
//! change, its idempotency key, its audit events and its domain events, so
//! that a change and its records are stored together or not at all.
//!
//! The GraphQL layer describes a mutation as [`Work`] (`graphql::write`),
//! the CLI and the jobs describe theirs directly; nothing else opens a
//! transaction that changes data. Reads of personal data change nothing:
//! they are recorded with `services::audit::record` in one statement.

use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::events::{Announced, Event as DomainEvent, EventBus};
use crate::services::audit::{self, Actor, AuditEvent, AuditKind, Audited};
use crate::services::callers::cache::CallerCache;
use crate::services::{ServiceError, ServiceResult};

/// An idempotency key of a create, with the hash of its input: the same key
/// with the same input is a replay; with another input, CONFLICT.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// Whose keys these are (organisation and subject): keys of different
    /// callers never meet.
    pub scope: String,
    /// The key the client chose.
    pub key: String,
    /// A hash of the operation and its canonical input.
    pub hash: String,
}

/// What a unit of work is about to do, and who does it.
#[derive(Clone)]
pub struct Work {
    actor: Actor,
    kind: AuditKind,
    operation: String,
    fields: Vec<String>,
    idempotency: Option<Idempotency>,
    bus: Option<EventBus>,
    callers: Option<CallerCache>,
}

impl Work {
    /// `actor` making a change named `operation` (a mutation's field name,
    /// `client create` for the command line), audited as a mutation.
    pub fn new(actor: Actor, operation: impl Into<String>) -> Self {
        Self {
            actor,
            kind: AuditKind::Mutation,
            operation: operation.into(),
            fields: Vec::new(),
            idempotency: None,
            bus: None,
            callers: None,
        }
    }

    /// The names of the input fields given (never their values), for the
    /// audit event.
    pub fn fields(mut self, fields: Vec<String>) -> Self {
        self.fields = fields;
        self
    }

    /// Audited as `kind` rather than as a plain mutation.
    pub fn kind(mut self, kind: AuditKind) -> Self {
        self.kind = kind;
        self
    }

    /// Makes a retry with the same key safe.
    pub fn idempotent(mut self, idempotency: Option<Idempotency>) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Makes the server's remembered tokens forgotten when it commits a
    /// change to an organisation or a client (which changes what their
    /// tokens may do).
    pub fn forgetting(mut self, callers: Option<CallerCache>) -> Self {
        self.callers = callers;
        self
    }

    /// Publishes its domain events on `bus` when it commits.
    pub fn publishing_to(mut self, bus: Option<EventBus>) -> Self {
        self.bus = bus;
        self
    }
}

/// An open unit of work: the transaction to run the change on, and what its
/// records will say.
pub struct UnitOfWork {
    txn: DatabaseTransaction,
    work: Work,
    replay: Option<Uuid>,
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
/// - SQLite: every unit of work begins `IMMEDIATE`, holding the database's
///   write lock, so the next request with the key begins only after the
///   first has committed and reads its result.
async fn claim(txn: &DatabaseTransaction, idempotency: &Idempotency) -> ServiceResult<()> {
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
        Err(ServiceError::KeyInUse)
    }
}

/// The row an idempotency key already created, if any; CONFLICT if the key
/// was used with another operation or input.
async fn stored(
    txn: &DatabaseTransaction,
    idempotency: &Idempotency,
    operation: &str,
) -> ServiceResult<Option<Uuid>> {
    let stored = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Scope.eq(idempotency.scope.clone()))
        .filter(idempotency_key::Column::Key.eq(idempotency.key.clone()))
        .one(txn)
        .await
        .map_err(ServiceError::database("failed to read idempotency key"))?;
    match stored {
        Some(stored)
            if stored.operation != operation || stored.request_hash != idempotency.hash =>
        {
            Err(ServiceError::Conflict {
                message: "this idempotency key was used with another input".to_owned(),
            })
        }
        Some(stored) => Ok(Some(stored.entity_id)),
        None => Ok(None),
    }
}

impl UnitOfWork {
    /// Begins `work`. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so concurrent changes queue instead of failing to
    /// upgrade a read lock. With an idempotency key, the key is claimed and
    /// a replay found before the change runs.
    pub async fn begin(db: &DatabaseConnection, work: Work) -> ServiceResult<Self> {
        let txn = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .map_err(ServiceError::database("failed to begin transaction"))?;
        let mut replay = None;
        if let Some(idempotency) = &work.idempotency {
            let found = match claim(&txn, idempotency).await {
                Ok(()) => stored(&txn, idempotency, &work.operation).await,
                Err(err) => Err(err),
            };
            match found {
                Ok(found) => replay = found,
                Err(err) => {
                    // Rolled back now, so the key is free at once.
                    let _ = txn.rollback().await;
                    return Err(err);
                }
            }
        }
        Ok(Self { txn, work, replay })
    }

    /// The row this work's idempotency key already created, if it is a
    /// replay: the caller answers with it and changes nothing.
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

    /// Gives the work up: rolled back now, nothing recorded.
    pub async fn abandon(self) {
        if let Err(rollback) = self.txn.rollback().await {
            tracing::warn!(error = %rollback, "failed to roll back an abandoned change");
        }
    }

    /// Records the event as `kind` rather than as a plain mutation.
    pub fn as_kind(mut self, kind: AuditKind) -> Self {
        self.work.kind = kind;
        self
    }

    /// The transaction to run the change on.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Records the event for the row `result` holds and commits; on an error
    /// the transaction is rolled back and nothing is recorded.
    pub async fn finish<T: Audited>(self, result: ServiceResult<T>) -> ServiceResult<T> {
        self.finish_with(result, |row| row.audit_key()).await
    }

    /// As [`Self::finish`], and publishes the events the row announces
    /// ([`Announced`]) for subscribers when the change commits.
    pub async fn finish_announcing<T: Audited + Announced>(
        self,
        result: ServiceResult<T>,
    ) -> ServiceResult<T> {
        self.finish_inner(result, |row| vec![row.audit_key()], Announced::announced)
            .await
    }

    /// As [`Self::finish`], for results that are not rows themselves.
    pub async fn finish_with<T>(
        self,
        result: ServiceResult<T>,
        key: impl FnOnce(&T) -> (&'static str, Uuid),
    ) -> ServiceResult<T> {
        self.finish_inner(result, |row| vec![key(row)], |_| Vec::new())
            .await
    }

    /// As [`Self::finish`], for a change of many rows: one audit event per
    /// row `keys` names (none if it names none).
    pub async fn finish_each<T>(
        self,
        result: ServiceResult<T>,
        keys: impl FnOnce(&T) -> Vec<(&'static str, Uuid)>,
    ) -> ServiceResult<T> {
        self.finish_inner(result, keys, |_| Vec::new()).await
    }

    /// As [`Self::finish_each`], and publishes `events` for subscribers
    /// when the change commits.
    pub async fn finish_each_announcing<T>(
        self,
        result: ServiceResult<T>,
        keys: impl FnOnce(&T) -> Vec<(&'static str, Uuid)>,
        events: impl FnOnce(&T) -> Vec<DomainEvent>,
    ) -> ServiceResult<T> {
        self.finish_inner(result, keys, events).await
    }

    async fn finish_inner<T>(
        self,
        result: ServiceResult<T>,
        keys: impl FnOnce(&T) -> Vec<(&'static str, Uuid)>,
        events: impl FnOnce(&T) -> Vec<DomainEvent>,
    ) -> ServiceResult<T> {
        let value = match result {
            Ok(value) => value,
            Err(err) => {
                // Rolled back now, so its locks (and the idempotency key)
                // are free for the next request at once.
                if let Err(rollback) = self.txn.rollback().await {
                    tracing::warn!(error = %rollback, "failed to roll back a refused change");
                }
                return Err(err);
            }
        };
        let keys = keys(&value);
        // A changed organisation or client changes what its tokens may do.
        let changes_callers = keys.iter().any(|(entity, _)| {
            matches!(
                *entity,
                "partner_organisation" | "api_client" | "membership" | "sign_in_session"
            )
        });
        let events = events(&value);
        let Work {
            actor,
            kind,
            operation,
            fields,
            idempotency,
            bus,
            callers,
        } = self.work;
        if let (Some(idempotency), Some((entity, id))) = (idempotency, keys.first()) {
            use sea_orm::ActiveValue::Set;
            idempotency_key::Entity::insert(idempotency_key::ActiveModel {
                id: Set(Uuid::now_v7()),
                scope: Set(idempotency.scope),
                key: Set(idempotency.key),
                operation: Set(operation.clone()),
                request_hash: Set(idempotency.hash),
                entity: Set((*entity).to_owned()),
                entity_id: Set(*id),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(&self.txn)
            .await
            .map_err(ServiceError::database("failed to store idempotency key"))?;
        }
        let records = keys
            .into_iter()
            .map(|(entity, id)| AuditEvent {
                kind,
                operation: operation.clone(),
                entity,
                entity_id: Some(id),
                fields: fields.clone(),
            })
            .collect();
        audit::record(&self.txn, &actor, records).await?;
        self.txn
            .commit()
            .await
            .map_err(ServiceError::database("failed to commit"))?;
        // Published only now that the change is committed (see `events`).
        if let Some(bus) = &bus {
            bus.publish(events);
        }
        if changes_callers && let Some(callers) = callers {
            // Committed: tokens remembered with the old grant, status or
            // client go.
            callers.forget();
        }
        Ok(value)
    }
}
