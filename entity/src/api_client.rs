//! A partner system's credentials for the OAuth 2.0 client-credentials grant.
//! The secret is stored only as an argon2 hash.

use sea_orm::entity::prelude::*;

use crate::StringList;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public identifier sent as `client_id`.
    #[sea_orm(unique)]
    pub client_id: String,
    /// PHC-format argon2 hash of the secret; the secret itself is never stored.
    pub secret_hash: String,
    pub partner_organisation_id: Uuid,
    /// What the client is for, e.g. "Case system integration".
    pub name: String,
    /// The role its tokens carry: `partner` or `administrator`.
    pub role: String,
    /// The most it may ask for; empty means the organisation's whole grant.
    #[sea_orm(column_type = "JsonBinary")]
    pub allowed_scopes: StringList,
    /// Who created it (a token subject).
    pub created_by: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: BelongsTo<super::partner_organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
