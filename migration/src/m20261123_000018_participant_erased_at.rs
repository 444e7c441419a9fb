//! When a participant's personal data was erased (on request or by the
//! retention job). The row stays, anonymised, for the non-personal facts
//! that reports count.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("participant")
                    .add_column(timestamp_null("erased_at"))
                    .to_owned(),
            )
            .await
    }
}
