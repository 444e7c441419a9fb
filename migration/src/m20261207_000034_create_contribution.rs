//! What participants give (the method's 50/50): hosting the café,
//! interpreting, teaching a skill, helping at an event; with the day, the
//! time given and, if any, the activity.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "contribution";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("participant_id"))
                    .col(string("kind", 32))
                    .col(ColumnDef::new("occurred_on").date().not_null())
                    .col(ColumnDef::new("minutes").integer().not_null())
                    .col(uuid_null("activity_id"))
                    .col(string_null("description", 500))
                    .col(uuid("recorded_by"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of(
                        "kind",
                        &[
                            "hosting",
                            "interpreting",
                            "teaching",
                            "helping_at_event",
                            "guiding",
                            "other",
                        ],
                    ))
                    .check(
                        Expr::col("minutes")
                            .gt(0)
                            .and(Expr::col("minutes").lte(1440)),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "activity_id",
                        "activity",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "recorded_by",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(T, &["participant_id", "occurred_on"]))
            .await
    }
}
