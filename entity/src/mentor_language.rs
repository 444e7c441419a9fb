//! A language a mentor speaks (ISO 639 code).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mentor_language")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mentor_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub language: String,
    #[sea_orm(belongs_to, from = "mentor_id", to = "id", on_delete = "Cascade")]
    pub mentor: BelongsTo<super::mentor::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
