//! Refresh tokens of a session: stored as a SHA-256 hash (they are 256-bit
//! random), each used at most once; a used one presented again revokes its
//! session.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "refresh_token";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("session_id"))
                    .col(string("token_hash", 64))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("used_at"))
                    .col(timestamp("created_at"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "session_id",
                        "sign_in_session",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["token_hash"])).await?;
        manager.create_index(index(T, &["session_id"])).await
    }
}
