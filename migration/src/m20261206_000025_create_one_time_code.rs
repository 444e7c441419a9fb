//! One-time sign-in codes sent by e-mail: only their hash is stored, with
//! their expiry and the attempts made, so a code is tried at most five times
//! and used once.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "one_time_code";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("person_id"))
                    .col(string("code_hash", 200))
                    .col(ColumnDef::new("attempts").integer().not_null().default(0))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("used_at"))
                    .col(timestamp("created_at"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "person_id",
                        "person",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["person_id"])).await
    }
}
