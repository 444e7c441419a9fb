//! A create mutation's idempotency key and what it created.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whose key: the caller's organisation and subject.
    pub scope: String,
    pub key: String,
    pub operation: String,
    /// SHA-256 of the operation's canonical input.
    pub request_hash: String,
    pub entity: String,
    pub entity_id: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
