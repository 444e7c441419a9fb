use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "participant";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("display_name", 100))
                    .col(string_null("family_name", 100))
                    .col(string_null("email", 254))
                    .col(string_null("phone", 32))
                    .col(string_null("swedish_level", 8))
                    .col(string_null("site", 16))
                    .col(string("status", 24))
                    .col(text_null("goal"))
                    .col(string_list("interests"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(null_or_one_of("swedish_level", SWEDISH_LEVELS))
                    .check(null_or_one_of("site", SITES))
                    .check(one_of(
                        "status",
                        &["queued", "active", "self_sufficient", "inactive"],
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["site", "status"])).await?;
        manager.create_index(index(T, &["status"])).await?;
        manager.create_index(index(T, &["display_name"])).await
    }
}
