use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "employer";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("name", 200))
                    .col(string("organisation_number", 11))
                    .col(string_null("industry", 100))
                    .col(string_null("street_address", 200))
                    .col(string_null("postal_code", 10))
                    .col(string_null("city", 100))
                    .col(string_null("site", 16))
                    .col(uuid_null("partner_organisation_id"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(null_or_one_of("site", SITES))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(T, &["organisation_number"]))
            .await?;
        manager
            .create_index(index(T, &["partner_organisation_id"]))
            .await?;
        manager.create_index(index(T, &["name"])).await
    }
}
