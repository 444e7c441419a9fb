//! A person's membership of a partner organisation: the role they act in
//! there and, for the personal roles, the row they act as (an employer's
//! contact, a mentor, a participant). At most one active membership per
//! person, organisation and role, kept by a partial unique index.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "membership";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("person_id"))
                    .col(uuid("partner_organisation_id"))
                    .col(string("role", 16))
                    .col(uuid_null("employer_id"))
                    .col(uuid_null("mentor_id"))
                    .col(uuid_null("participant_id"))
                    .col(string("status", 16))
                    .col(string_null("created_by", 200))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(timestamp_null("ended_at"))
                    .check(one_of(
                        "role",
                        &[
                            "administrator",
                            "partner",
                            "employer",
                            "mentor",
                            "volunteer",
                            "participant",
                        ],
                    ))
                    .check(one_of("status", &["active", "ended"]))
                    // The row a personal role acts as, and only for that role.
                    .check(Expr::cust(
                        "(employer_id IS NULL OR role = 'employer') \
                         AND (mentor_id IS NULL OR role = 'mentor') \
                         AND (participant_id IS NULL OR role = 'participant') \
                         AND (role <> 'employer' OR employer_id IS NOT NULL) \
                         AND (role <> 'mentor' OR mentor_id IS NOT NULL) \
                         AND (role <> 'participant' OR participant_id IS NOT NULL)",
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "person_id",
                        "person",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
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
                        "mentor_id",
                        "mentor",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["person_id"])).await?;
        manager
            .create_index(index(T, &["partner_organisation_id"]))
            .await?;
        manager
            .create_index(
                unique(T, &["person_id", "partner_organisation_id", "role"])
                    .name("ux_membership_active")
                    .and_where(Expr::col("status").eq("active"))
                    .take(),
            )
            .await
    }
}
