use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "mentor";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("given_name", 100))
                    .col(string_null("family_name", 100))
                    .col(string_null("email", 254))
                    .col(string_null("phone", 32))
                    .col(uuid("partner_organisation_id"))
                    .col(ColumnDef::new("capacity").integer().not_null())
                    .col(ColumnDef::new("active").boolean().not_null())
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(Expr::col("capacity").between(0, 100))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(T, &["partner_organisation_id"]))
            .await
    }
}
