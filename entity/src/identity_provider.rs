//! A partner organisation's OpenID Connect identity provider.

use sea_orm::FromJsonQueryResult;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{MembershipRole, StringList};

/// A provider's group and the role its members get in the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMapping {
    pub group: String,
    pub role: MembershipRole,
}

/// The group mappings of a provider, kept in a JSON column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct GroupMappings(pub Vec<GroupMapping>);

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_provider")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner_organisation_id: Uuid,
    /// The `iss` its tokens carry.
    #[sea_orm(unique)]
    pub issuer: String,
    /// Where its keys are published.
    pub jwks_uri: Option<String>,
    /// Its keys, inline (a JWK Set), when it publishes none.
    #[sea_orm(column_type = "Text")]
    pub jwks: Option<String>,
    /// The `aud` its tokens must name.
    pub audience: String,
    /// The signing algorithms accepted, pinned.
    #[sea_orm(column_type = "JsonBinary")]
    pub algorithms: StringList,
    /// The claim holding the person's e-mail address.
    pub subject_claim: String,
    /// The claim holding the person's groups, if groups are mapped.
    pub groups_claim: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub group_mappings: GroupMappings,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: BelongsTo<super::partner_organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
