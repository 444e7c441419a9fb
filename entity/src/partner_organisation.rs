//! A partner organisation of the network: a core partner, Arbetsförmedlingen, or
//! a #starkaretillsammans company or club.

use sea_orm::entity::prelude::*;

use crate::{PartnerKind, PartnerNetwork, PartnerStatus, StringList};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// URL-safe ASCII handle, e.g. `vita-hasten`; carried in tokens as `org`.
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub kind: PartnerKind,
    pub network: PartnerNetwork,
    pub status: PartnerStatus,
    /// The JWT scopes this organisation may be given.
    #[sea_orm(column_type = "JsonBinary")]
    pub granted_scopes: StringList,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub employers: HasMany<super::employer::Entity>,
    #[sea_orm(has_many)]
    pub mentors: HasMany<super::mentor::Entity>,
    #[sea_orm(has_many)]
    pub placements: HasMany<super::placement::Entity>,
    #[sea_orm(has_many)]
    pub consents: HasMany<super::consent::Entity>,
    #[sea_orm(has_many)]
    pub api_clients: HasMany<super::api_client::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
