//! A volunteer mentor, who takes part through a partner organisation.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mentor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub given_name: String,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub partner_organisation_id: Uuid,
    /// The most mentees this mentor takes at once.
    pub capacity: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: BelongsTo<super::partner_organisation::Entity>,
    #[sea_orm(has_many)]
    pub languages: HasMany<super::mentor_language::Entity>,
    #[sea_orm(has_many)]
    pub expertise: HasMany<super::mentor_expertise::Entity>,
    #[sea_orm(has_many)]
    pub mentorships: HasMany<super::mentorship::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
