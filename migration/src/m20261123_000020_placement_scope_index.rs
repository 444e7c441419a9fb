//! An index for the partner row scope on participants: "has a placement of
//! this participant that this organisation is responsible for, in this
//! state", probed once per participant row while a page is read. Without
//! it SQLite probed through (responsible_partner_id, status) and read the
//! organisation's every placement per row (19 ms a page at 20,000
//! participants; 0.2 ms with it).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_placement_participant_partner_status")
                    .table("placement")
                    .col("participant_id")
                    .col("responsible_partner_id")
                    .col("status")
                    .to_owned(),
            )
            .await
    }
}
