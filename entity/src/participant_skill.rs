//! A skill or asset a participant brings (a lowercase tag such as `cooking`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_skill")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill: String,
    #[sea_orm(belongs_to, from = "participant_id", to = "id", on_delete = "Cascade")]
    pub participant: BelongsTo<super::participant::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
