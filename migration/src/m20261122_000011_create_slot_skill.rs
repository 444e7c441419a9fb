use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "slot_skill";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(uuid("slot_id"))
                    .col(string("skill", 64))
                    .primary_key(Index::create().col("slot_id").col("skill"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "slot_id",
                        "internship_slot",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // The primary key serves lookups by owner; this one serves filters by tag.
        manager.create_index(index(T, &["skill"])).await
    }
}
