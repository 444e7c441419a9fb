//! Auditing at the GraphQL layer, in one place:
//!
//! - [`Write`] runs a mutation in one transaction with its audit event, so
//!   both are stored or neither (a refused or failed mutation leaves none);
//! - [`PersonalReads`] collects every personal field a request resolves,
//!   written as audit events before the response leaves (if they cannot be
//!   written, the response is replaced by an error: no unaudited read);
//! - `auditEvents` lets administrators with `audit:read` query the trail.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::graphql::scalars::DateTime;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::Utc;
use entity::{audit_event, idempotency_key};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::connection::{ListOrder, Paged, connection, count_with, page_request};
use super::guards::{Require, caller};
use super::ids::{NodeType, decode_as};
use super::query::db;
use crate::events::{Event as DomainEvent, EventBus};
use crate::policy::Scope;
use crate::services::audit::{Actor, AuditEvent as Event, AuditKind, Audited};
use crate::services::{self, ServiceError, ServiceResult};

/// The id of the request being served, as in the logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn request_id(ctx: &Context<'_>) -> Option<String> {
    ctx.data_opt::<RequestId>().map(|r| r.0.clone())
}

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

/// The personal fields a request has resolved, per participant.
#[derive(Debug, Clone, Default)]
pub struct PersonalReads(Arc<Mutex<BTreeMap<Uuid, BTreeSet<String>>>>);

impl PersonalReads {
    /// Notes that `field` of `participant` is being read.
    pub fn note(&self, participant: Uuid, field: &str) {
        if let Ok(mut reads) = self.0.lock() {
            reads
                .entry(participant)
                .or_default()
                .insert(field.to_owned());
        }
    }

    /// The events for what was read since the last call, and forgets them:
    /// a socket audits each event's reads before the event is sent.
    pub fn drain_events(&self, operation: Option<&str>) -> Vec<Event> {
        let events = self.events(operation);
        if let Ok(mut reads) = self.0.lock() {
            reads.clear();
        }
        events
    }

    /// One audit event per participant read, to write before the response
    /// leaves.
    pub fn events(&self, operation: Option<&str>) -> Vec<Event> {
        let Ok(reads) = self.0.lock() else {
            return Vec::new();
        };
        reads
            .iter()
            .map(|(id, fields)| Event {
                kind: AuditKind::Read,
                operation: operation.unwrap_or("query").to_owned(),
                entity: "participant",
                entity_id: Some(*id),
                fields: fields.iter().cloned().collect(),
            })
            .collect()
    }
}

/// What kind of action an audit event records.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEventKind {
    /// A change made through a mutation.
    Mutation,
    /// A read of personal fields.
    Read,
    /// A participant's data exported whole (right of access).
    Export,
    /// A participant's personal data erased.
    Erasure,
    /// Inactive participants anonymised by the retention job.
    Retention,
}

impl From<AuditEventKind> for AuditKind {
    fn from(kind: AuditEventKind) -> Self {
        match kind {
            AuditEventKind::Mutation => Self::Mutation,
            AuditEventKind::Read => Self::Read,
            AuditEventKind::Export => Self::Export,
            AuditEventKind::Erasure => Self::Erasure,
            AuditEventKind::Retention => Self::Retention,
        }
    }
}

/// One audited action: who did or read what, when, in which request.
/// Names and ids only, never the personal values themselves. Append-only.
pub struct AuditEvent(pub audit_event::Model);

/// One audited action: who did or read what, when, in which request.
/// Names and ids only, never the personal values themselves. Append-only.
#[Object]
impl AuditEvent {
    /// Opaque global id of the event.
    pub async fn id(&self) -> ID {
        super::ids::encode(NodeType::AuditEvent, self.0.id)
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// When it was recorded: when it happened.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The same as `createdAt`: events are append-only and never change.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }

    /// The request it happened in, as in the logs and in error responses.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Who: the token subject, or `system:<job>` for jobs.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// The actor's organisation, as a global id, if any.
    async fn organisation_id(&self) -> Option<ID> {
        self.0
            .organisation_id
            .map(|id| super::ids::encode(NodeType::PartnerOrganisation, id))
    }

    /// The actor's role, if any.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }

    /// What kind of action.
    async fn kind(&self) -> Result<AuditEventKind> {
        Ok(match self.0.kind.as_str() {
            "mutation" => AuditEventKind::Mutation,
            "read" => AuditEventKind::Read,
            "export" => AuditEventKind::Export,
            "erasure" => AuditEventKind::Erasure,
            "retention" => AuditEventKind::Retention,
            other => {
                tracing::error!(kind = other, "unknown audit event kind");
                return Err(super::error::internal());
            }
        })
    }

    /// The mutation, query or job, e.g. `updateParticipant`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// The kind of record acted on, e.g. `participant`.
    async fn entity(&self) -> &str {
        &self.0.entity
    }

    /// The record's row id, if one.
    async fn entity_id(&self) -> Option<String> {
        self.0.entity_id.map(|id| id.to_string())
    }

    /// Names of the fields given or read; never their values.
    async fn fields(&self) -> Vec<String> {
        self.0.fields.as_slice().to_vec()
    }
}

/// Narrows the audit trail; given fields must all hold.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// By this actor (token subject).
    pub actor: Option<String>,
    /// By callers of this organisation.
    pub organisation_id: Option<ID>,
    /// On this kind of record, e.g. `participant`.
    pub entity: Option<String>,
    /// On the record with this row id (a UUID, as `entityId` shows it).
    pub entity_id: Option<String>,
    /// Of this kind.
    pub kind: Option<AuditEventKind>,
    /// At or after this time.
    pub from: Option<DateTime>,
    /// At or before this time.
    pub until: Option<DateTime>,
}

/// The audit trail query.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, oldest first (or newest first with `orderBy`),
    /// narrowed by `filter`. Requires the administrator role and `audit:read`.
    #[graphql(
        guard = "Require::administrator(Scope::AuditRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only events matching all given fields.")] filter: Option<
            AuditEventFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<AuditEvent>> {
        let page = ListOrder::apply(order_by, page_request(after, before, first, last)?);
        let filter = filter.unwrap_or_default();
        let entity_id = filter
            .entity_id
            .map(|raw| {
                Uuid::parse_str(&raw)
                    .map_err(|_| super::error::bad_input("filter.entityId", "not a UUID"))
            })
            .transpose()?;
        let filter = services::audit::AuditFilter {
            actor: filter.actor,
            organisation_id: filter
                .organisation_id
                .map(|id| decode_as(&id, NodeType::PartnerOrganisation, "filter.organisationId"))
                .transpose()?,
            entity: filter.entity,
            entity_id,
            kind: filter.kind.map(Into::into),
            from: filter.from.map(|t| t.0),
            until: filter.until.map(|t| t.0),
        };
        let db = db(ctx)?.clone();
        let rows = services::audit::list_events(&db, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            AuditEvent,
            move || {
                let (db, filter) = (db.clone(), filter.clone());
                count_with(async move { services::audit::count_events(&db, &filter).await })
            },
        ))
    }
}
