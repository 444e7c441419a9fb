//! A participant's consent that a partner organisation may see their data.
//! A revoked consent keeps its row, with `revoked_at` set.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub partner_organisation_id: Uuid,
    /// What the data may be used for, as told to the participant.
    pub purpose: String,
    /// Who recorded the consent (a token subject), if known.
    pub recorded_by: Option<String>,
    pub granted_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "participant_id", to = "id")]
    pub participant: BelongsTo<super::participant::Entity>,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: BelongsTo<super::partner_organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
