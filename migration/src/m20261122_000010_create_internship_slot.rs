use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "internship_slot";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("employer_id"))
                    .col(string("title", 200))
                    .col(text_null("description"))
                    .col(string("kind", 24))
                    .col(ColumnDef::new("places").integer().not_null())
                    .col(string_null("site", 16))
                    .col(ColumnDef::new("starts_on").date().not_null())
                    .col(ColumnDef::new("ends_on").date().null())
                    .col(string_null("required_swedish_level", 8))
                    .col(string("status", 16))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(Expr::col("places").between(1, 1000))
                    .check(Expr::col("version").gte(1))
                    .check(
                        Expr::col("ends_on")
                            .is_null()
                            .or(Expr::col("ends_on").gte(Expr::col("starts_on"))),
                    )
                    .check(one_of("kind", OPPORTUNITY_KINDS))
                    .check(null_or_one_of("site", SITES))
                    .check(null_or_one_of("required_swedish_level", SWEDISH_LEVELS))
                    .check(one_of("status", &["draft", "open", "filled", "closed"]))
                    .foreign_key(&mut foreign_key(
                        T,
                        "employer_id",
                        "employer",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["employer_id"])).await?;
        manager
            .create_index(index(T, &["status", "starts_on"]))
            .await
    }
}
