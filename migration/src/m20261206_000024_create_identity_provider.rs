//! A partner organisation's OpenID Connect identity provider, whose tokens
//! Portalen exchanges for its own (RFC 8693): the issuer, where its keys are
//! (a JWKS URI, or the keys inline), the audience its tokens name, the
//! pinned algorithms, the claim that names the person, and an optional
//! mapping from its groups to roles in the organisation.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "identity_provider";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(uuid("partner_organisation_id"))
                    .col(string("issuer", 500))
                    .col(string_null("jwks_uri", 1000))
                    .col(text_null("jwks"))
                    .col(string("audience", 500))
                    .col(string_list("algorithms"))
                    .col(string("subject_claim", 64))
                    .col(string_null("groups_claim", 64))
                    .col(ColumnDef::new("group_mappings").json_binary().not_null())
                    .col(string_null("created_by", 200))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .check(Expr::cust("jwks_uri IS NOT NULL OR jwks IS NOT NULL"))
                    .foreign_key(&mut foreign_key(
                        T,
                        "partner_organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique(T, &["issuer"])).await?;
        manager
            .create_index(index(T, &["partner_organisation_id"]))
            .await
    }
}
