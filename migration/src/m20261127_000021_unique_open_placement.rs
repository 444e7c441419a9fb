//! At most one open placement (proposed, accepted or active) per participant
//! and slot, enforced by the database so that concurrent proposals cannot
//! both succeed. A partial unique index, which SQLite and PostgreSQL both
//! support.
//!
//! Databases that ran before this rule may already hold duplicates made by
//! racing proposals. Before the index is created, every open placement that
//! has an older open placement for the same participant and slot, and is
//! still only proposed, is cancelled (its version raised, so a client holding
//! the old version sees the change). Accepted or active duplicates are left
//! to an administrator: cancelling them would give back a place someone
//! agreed to; the index creation then fails and names the duplicates.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE placement SET status = 'cancelled', version = version + 1 \
                 WHERE status = 'proposed' AND slot_id IS NOT NULL AND EXISTS ( \
                   SELECT 1 FROM placement AS older \
                   WHERE older.participant_id = placement.participant_id \
                     AND older.slot_id = placement.slot_id \
                     AND older.status IN ('proposed', 'accepted', 'active') \
                     AND older.id < placement.id)",
            )
            .await?;
        manager
            .create_index(
                unique("placement", &["participant_id", "slot_id"])
                    .name("ux_placement_open_in_slot")
                    .and_where(
                        Expr::col("status")
                            .is_in(["proposed", "accepted", "active"])
                            .and(Expr::col("slot_id").is_not_null()),
                    )
                    .take(),
            )
            .await
    }
}
