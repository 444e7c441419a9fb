//! An audited action, as the audit trail shows it.

use async_graphql::{Enum, ID, Object, Result};
use entity::audit_event;

use crate::graphql::ids::NodeType;
use crate::graphql::scalars::DateTime;
use crate::services::audit::AuditKind;

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
        crate::graphql::ids::encode(NodeType::AuditEvent, self.0.id)
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
            .map(|id| crate::graphql::ids::encode(NodeType::PartnerOrganisation, id))
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
                return Err(crate::graphql::error::internal());
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
