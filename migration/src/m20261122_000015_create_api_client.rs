use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "api_client";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("client_id", 64))
                    .col(string("secret_hash", 200))
                    .col(uuid("partner_organisation_id"))
                    .col(string("name", 200))
                    .col(string("role", 16))
                    .col(string_list("allowed_scopes"))
                    .col(string_null("created_by", 200))
                    .col(timestamp_null("revoked_at"))
                    .col(timestamp_null("last_used_at"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of("role", &["partner", "administrator"]))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["client_id"])).await?;
        manager
            .create_index(index(T, &["partner_organisation_id"]))
            .await
    }
}
