use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "participant_language";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(uuid("participant_id"))
                    .col(string("language", 16))
                    .col(string("level", 16))
                    .primary_key(Index::create().col("participant_id").col("language"))
                    .check(one_of(
                        "level",
                        &["basic", "conversational", "fluent", "native"],
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // The primary key serves lookups by participant; this one serves filters by language.
        manager.create_index(index(T, &["language"])).await
    }
}
