//! A person's browser session: one membership, its refresh tokens (one
//! family) and, once signed out or caught reusing a refresh token, the time
//! it was revoked. Access tokens name their session, so revoking it stops
//! them on the next request.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "sign_in_session";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("person_id"))
                    .col(uuid("membership_id"))
                    .col(string("method", 32))
                    .col(timestamp("created_at"))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("revoked_at"))
                    .col(string_null("revoked_reason", 32))
                    .check(one_of("method", &["one_time_code", "token_exchange"]))
                    .foreign_key(&mut foreign_key(
                        T,
                        "person_id",
                        "person",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "membership_id",
                        "membership",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["person_id"])).await?;
        manager.create_index(index(T, &["membership_id"])).await
    }
}
