use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "placement";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("participant_id"))
                    .col(uuid("employer_id"))
                    .col(uuid_null("slot_id"))
                    .col(uuid("responsible_partner_id"))
                    .col(uuid_null("mentor_id"))
                    .col(string("kind", 24))
                    .col(string("status", 16))
                    .col(ColumnDef::new("starts_on").date().null())
                    .col(ColumnDef::new("ends_on").date().null())
                    .col(string_null("outcome", 24))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(Expr::col("version").gte(1))
                    .check(
                        Expr::col("ends_on")
                            .is_null()
                            .or(Expr::col("starts_on").is_null())
                            .or(Expr::col("ends_on").gte(Expr::col("starts_on"))),
                    )
                    .check(one_of("kind", OPPORTUNITY_KINDS))
                    .check(one_of(
                        "status",
                        &[
                            "proposed",
                            "accepted",
                            "active",
                            "completed",
                            "cancelled",
                            "declined",
                        ],
                    ))
                    .check(null_or_one_of(
                        "outcome",
                        &["work", "studies", "internship", "continued_search", "other"],
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "employer_id",
                        "employer",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "slot_id",
                        "internship_slot",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "responsible_partner_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "mentor_id",
                        "mentor",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for columns in [
            &["participant_id"][..],
            &["employer_id", "status"],
            &["slot_id", "status"],
            &["responsible_partner_id", "status"],
            &["mentor_id"],
        ] {
            manager.create_index(index(T, columns)).await?;
        }
        Ok(())
    }
}
