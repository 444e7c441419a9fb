use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "mentor_expertise";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(uuid("mentor_id"))
                    .col(string("field", 64))
                    .primary_key(Index::create().col("mentor_id").col("field"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "mentor_id",
                        "mentor",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // The primary key serves lookups by owner; this one serves filters by tag.
        manager.create_index(index(T, &["field"])).await
    }
}
