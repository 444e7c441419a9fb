//! Who took part in a session: named attendance (one row per participant
//! and session, so recording it twice counts once) and an anonymous
//! headcount of walk-ins on the session itself.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "attendance";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(uuid("session_id"))
                    .col(uuid("participant_id"))
                    .col(uuid("recorded_by"))
                    .col(timestamp("created_at"))
                    .primary_key(Index::create().col("session_id").col("participant_id"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "session_id",
                        "activity_session",
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
                        "recorded_by",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // A participant's sessions (their profile, unique participants in reports).
        manager.create_index(index(T, &["participant_id"])).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("activity_session")
                    .add_column(
                        ColumnDef::new("anonymous_headcount")
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }
}
