use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "partner_organisation";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("slug", 64))
                    .col(string("name", 200))
                    .col(string("kind", 32))
                    .col(string("network", 32))
                    .col(string("status", 16))
                    .col(string_list("granted_scopes"))
                    .col(string_null("contact_email", 254))
                    .col(string_null("contact_phone", 32))
                    .col(string_null("website", 500))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of(
                        "kind",
                        &[
                            "municipality",
                            "housing_company",
                            "study_association",
                            "folk_high_school",
                            "authority",
                            "church",
                            "employment_service",
                            "company",
                            "sports_club",
                            "non_profit",
                        ],
                    ))
                    .check(one_of(
                        "network",
                        &["core", "associated", "starkare_tillsammans"],
                    ))
                    .check(one_of("status", &["active", "suspended"]))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["slug"])).await
    }
}
