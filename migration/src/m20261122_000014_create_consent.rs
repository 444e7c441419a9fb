use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "consent";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("participant_id"))
                    .col(uuid("partner_organisation_id"))
                    .col(string("purpose", 500))
                    .col(string_null("recorded_by", 200))
                    .col(timestamp("granted_at"))
                    .col(timestamp_null("revoked_at"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(
                        Expr::col("revoked_at")
                            .is_null()
                            .or(Expr::col("revoked_at").gte(Expr::col("granted_at"))),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // Row policy asks "which participants has this organisation consent for".
        manager
            .create_index(index(
                T,
                &["partner_organisation_id", "participant_id", "revoked_at"],
            ))
            .await?;
        manager.create_index(index(T, &["participant_id"])).await
    }
}
