//! What a resolver reads from the request: the database, the checked
//! caller, the loaders, the request id and the personal fields it reads.
//! It imports nothing else of the GraphQL layer but its error type and the
//! loaders' type.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::error::{ErrorCode, error, to_graphql};
use super::loaders::Loaders;
use crate::policy::Caller;
use crate::services::audit::{AuditEvent as Event, AuditKind};

/// The database of the request.
pub fn db<'a>(ctx: &'a Context<'_>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// The request's loaders (made for its caller).
pub fn loaders<'a>(ctx: &'a Context<'_>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// Maps a loader's shared error.
pub fn loader_error(err: Arc<crate::services::ServiceError>) -> async_graphql::Error {
    to_graphql(&err)
}

/// The checked caller of the request; UNAUTHENTICATED without one.
pub fn caller<'a>(ctx: &'a Context<'_>) -> Result<&'a Caller> {
    ctx.data_opt::<Caller>()
        .ok_or_else(|| error(ErrorCode::Unauthenticated, "this needs an access token"))
}

/// The id of the request being served, as in the logs.
#[derive(Debug, Clone)]
pub struct RequestLogId(pub String);

pub fn request_id(ctx: &Context<'_>) -> Option<String> {
    ctx.data_opt::<RequestLogId>().map(|r| r.0.clone())
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
