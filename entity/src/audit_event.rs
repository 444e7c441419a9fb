//! One audited action: a mutation, a read of personal fields, an export, an
//! erasure or a retention run. Names and ids only, never personal values.
//! Append-only: the database refuses updates and deletes.

use sea_orm::entity::prelude::*;

use crate::StringList;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// The request it happened in, as in the logs.
    pub request_id: Option<String>,
    /// The token subject, or `system:<job>` for jobs.
    pub actor: String,
    /// The actor's organisation, if any.
    pub organisation_id: Option<Uuid>,
    /// The actor's role, if any.
    pub role: Option<String>,
    /// `mutation`, `read`, `export`, `erasure` or `retention`.
    pub kind: String,
    /// The GraphQL field or command, e.g. `updateParticipant`.
    pub operation: String,
    /// The table of the row acted on, e.g. `participant`.
    pub entity: String,
    pub entity_id: Option<Uuid>,
    /// Names of the fields given or read; never their values.
    #[sea_orm(column_type = "JsonBinary")]
    pub fields: StringList,
}

impl ActiveModelBehavior for ActiveModel {}
