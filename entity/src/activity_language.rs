//! A language an activity is held in (ISO 639 code).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_language")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub activity_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub language: String,
    #[sea_orm(belongs_to, from = "activity_id", to = "id", on_delete = "Cascade")]
    pub activity: BelongsTo<super::activity::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
