use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "mentorship";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("mentor_id"))
                    .col(uuid("participant_id"))
                    .col(ColumnDef::new("started_on").date().not_null())
                    .col(ColumnDef::new("ended_on").date().null())
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(
                        Expr::col("ended_on")
                            .is_null()
                            .or(Expr::col("ended_on").gte(Expr::col("started_on"))),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "mentor_id",
                        "mentor",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(T, &["mentor_id", "ended_on"]))
            .await?;
        manager.create_index(index(T, &["participant_id"])).await
    }
}
