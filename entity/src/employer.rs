//! A workplace that offers internships, jobs, training places or study visits.

use sea_orm::entity::prelude::*;

use crate::Site;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Swedish organisation number, normalised to `NNNNNN-NNNN`.
    #[sea_orm(unique)]
    pub organisation_number: String,
    pub industry: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// The Portalen site the workplace is nearest to, if either.
    pub site: Option<Site>,
    /// Set when the employer is also a partner organisation (Vita Hästen is both).
    pub partner_organisation_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: HasOne<super::partner_organisation::Entity>,
    #[sea_orm(has_many)]
    pub internship_slots: HasMany<super::internship_slot::Entity>,
    #[sea_orm(has_many)]
    pub placements: HasMany<super::placement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
