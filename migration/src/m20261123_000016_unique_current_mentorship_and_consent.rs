//! At most one current mentorship per mentor and participant, and at most one
//! consent in force per participant and partner organisation. Partial unique
//! indexes, which SQLite and PostgreSQL both support.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                unique("mentorship", &["mentor_id", "participant_id"])
                    .name("ux_mentorship_current")
                    .and_where(Expr::col("ended_on").is_null())
                    .take(),
            )
            .await?;
        manager
            .create_index(
                unique("consent", &["participant_id", "partner_organisation_id"])
                    .name("ux_consent_in_force")
                    .and_where(Expr::col("revoked_at").is_null())
                    .take(),
            )
            .await
    }
}
