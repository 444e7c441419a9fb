//! Sign-ups for activities that need registration: a place while there are
//! places, then a waiting list in first-come order; a place given up is
//! offered to the first in line, with an expiry. `activity.places_taken`
//! counts the places held (registered or offered), changed only by
//! conditional statements, so that it never passes the capacity.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "registration";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("activity_id"))
                    .col(uuid("participant_id"))
                    .col(string("status", 16))
                    .col(timestamp_null("offer_expires_at"))
                    .col(uuid("registered_by"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of(
                        "status",
                        &[
                            "registered",
                            "waiting",
                            "offered",
                            "cancelled",
                            "declined",
                            "expired",
                        ],
                    ))
                    .check(
                        Expr::col("status")
                            .ne("offered")
                            .or(Expr::col("offer_expires_at").is_not_null()),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "activity_id",
                        "activity",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "registered_by",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One open sign-up per participant and activity.
        manager
            .create_index(
                unique(T, &["activity_id", "participant_id"])
                    .name("ux_registration_open")
                    .and_where(Expr::col("status").is_in(["registered", "waiting", "offered"]))
                    .take(),
            )
            .await?;
        // The waiting list in first-come order, and offers by expiry.
        manager
            .create_index(index(T, &["activity_id", "status", "created_at", "id"]))
            .await?;
        manager
            .create_index(index(T, &["status", "offer_expires_at"]))
            .await?;
        manager.create_index(index(T, &["participant_id"])).await?;
        for column in [
            ColumnDef::new("places_taken")
                .integer()
                .not_null()
                .default(0)
                .take(),
            ColumnDef::new("offer_hours")
                .integer()
                .not_null()
                .default(48)
                .take(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("activity")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
