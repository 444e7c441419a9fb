//! Portalen's intake queue, per site: a person joins with only a first name
//! or alias (and, if they like, a way to reach them) and gets a number to
//! show. First come first served by `queued_at`, which only an
//! administrator changes, with a recorded reason. Coordinators offer an
//! intake to the first in line; accepting makes them a participant.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "queue_entry";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(string("site", 16))
                    .col(ColumnDef::new("number").integer().not_null())
                    .col(string("alias", 100))
                    .col(string_null("contact", 200))
                    .col(string("status", 16))
                    .col(timestamp("queued_at"))
                    .col(string_null("offer", 300))
                    .col(timestamp_null("offer_expires_at"))
                    .col(string_null("move_reason", 500))
                    .col(uuid_null("participant_id"))
                    .col(uuid("added_by"))
                    .col(timestamp_null("left_at"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of("site", &["hageby", "ringdansen"]))
                    .check(one_of(
                        "status",
                        &["waiting", "offered", "accepted", "withdrawn", "expired"],
                    ))
                    .check(Expr::col("number").gt(0))
                    .check(
                        Expr::col("status")
                            .ne("offered")
                            .or(Expr::col("offer_expires_at").is_not_null()),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "added_by",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // The number a person shows is unique at its site.
        manager.create_index(unique(T, &["site", "number"])).await?;
        manager
            .create_index(index(T, &["site", "status", "queued_at", "id"]))
            .await
    }
}
