//! Activities (a language café, a course, a study visit, ...), the
//! languages each is held in, and their sessions: concrete occurrences with
//! a start and an end in UTC, scheduled or cancelled.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ACTIVITY: &str = "activity";
const LANGUAGE: &str = "activity_language";
const SESSION: &str = "activity_session";

/// The kinds of activity, as stored.
const KINDS: &[&str] = &[
    "language_cafe",
    "swedish_practice",
    "course",
    "study_circle",
    "study_visit",
    "information_meeting",
    "workshop",
    "coaching_drop_in",
    "social_event",
    "sports_event",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ACTIVITY)
                    .col(id())
                    .col(string("kind", 32))
                    .col(string("title", 200))
                    .col(text_null("description"))
                    .col(uuid("organiser_id"))
                    .col(uuid_null("employer_id"))
                    .col(string_null("site", 16))
                    .col(string_null("place", 200))
                    .col(string_null("target_group", 100))
                    .col(ColumnDef::new("capacity").integer().null())
                    .col(
                        ColumnDef::new("registration_required")
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(text_null("weekly_rule"))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of("kind", KINDS))
                    .check(null_or_one_of("site", &["hageby", "ringdansen"]))
                    .check(
                        Expr::col("capacity")
                            .is_null()
                            .or(Expr::col("capacity").gt(0)),
                    )
                    .foreign_key(&mut foreign_key(
                        ACTIVITY,
                        "organiser_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        ACTIVITY,
                        "employer_id",
                        "employer",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ACTIVITY, &["organiser_id"]))
            .await?;
        manager
            .create_index(index(ACTIVITY, &["employer_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LANGUAGE)
                    .col(uuid("activity_id"))
                    .col(string("language", 16))
                    .primary_key(Index::create().col("activity_id").col("language"))
                    .foreign_key(&mut foreign_key(
                        LANGUAGE,
                        "activity_id",
                        ACTIVITY,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(LANGUAGE, &["language"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(SESSION)
                    .col(id())
                    .col(uuid("activity_id"))
                    .col(timestamp("starts_at"))
                    .col(timestamp("ends_at"))
                    .col(string("status", 16))
                    .col(string_null("cancel_reason", 500))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(one_of("status", &["scheduled", "cancelled"]))
                    .check(
                        Expr::col("status")
                            .eq("scheduled")
                            .or(Expr::col("cancel_reason").is_not_null()),
                    )
                    .foreign_key(&mut foreign_key(
                        SESSION,
                        "activity_id",
                        ACTIVITY,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Pages of sessions in time order, and an activity's sessions.
        manager
            .create_index(index(SESSION, &["starts_at", "id"]))
            .await?;
        manager
            .create_index(index(SESSION, &["activity_id", "starts_at"]))
            .await
    }
}
