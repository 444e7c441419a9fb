//! People who sign in: a name, an e-mail address (their identity for
//! one-time codes, stored lower-cased and unique) and an optional phone.
//! What they may do comes from their memberships.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "person";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("name", 200))
                    .col(string("email", 320))
                    .col(string_null("phone", 40))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["email"])).await
    }
}
