//! A skill an internship slot wants (a lowercase tag).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slot_skill")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill: String,
    #[sea_orm(belongs_to, from = "slot_id", to = "id", on_delete = "Cascade")]
    pub slot: BelongsTo<super::internship_slot::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
