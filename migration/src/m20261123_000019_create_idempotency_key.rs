//! Idempotency keys of create mutations: the same key from the same caller
//! with the same input returns the first result; with another input it is a
//! conflict.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "idempotency_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("scope", 300))
                    .col(string("key", 200))
                    .col(string("operation", 100))
                    .col(string("request_hash", 64))
                    .col(string("entity", 50))
                    .col(uuid("entity_id"))
                    .col(timestamp("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["scope", "key"])).await?;
        manager.create_index(index(T, &["created_at"])).await
    }
}
