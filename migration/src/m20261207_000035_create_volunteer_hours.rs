//! Hours volunteers give at activity sessions (refugee guides, café hosts,
//! interpreters): logged by the volunteer, approved or declined by the
//! session's organiser. One log per volunteer and session.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "volunteer_hours";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("session_id"))
                    .col(uuid("person_id"))
                    .col(uuid("organisation_id"))
                    .col(string("task", 32))
                    .col(ColumnDef::new("minutes").integer().not_null())
                    .col(string_null("note", 500))
                    .col(string("status", 16))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_null("decided_at"))
                    .col(string_null("decline_reason", 500))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of(
                        "task",
                        &[
                            "guiding",
                            "hosting",
                            "interpreting",
                            "teaching",
                            "mentoring",
                            "other",
                        ],
                    ))
                    .check(one_of("status", &["logged", "approved", "declined"]))
                    .check(
                        Expr::col("minutes")
                            .gt(0)
                            .and(Expr::col("minutes").lte(1440)),
                    )
                    .foreign_key(&mut foreign_key(
                        T,
                        "session_id",
                        "activity_session",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "person_id",
                        "person",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(T, &["session_id", "person_id"]))
            .await?;
        manager
            .create_index(index(T, &["organisation_id", "status"]))
            .await?;
        manager.create_index(index(T, &["person_id"])).await
    }
}
