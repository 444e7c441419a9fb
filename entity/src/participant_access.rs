//! Which partner organisations may see which participants, and for how many
//! reasons (a consent in force, an active placement it is responsible for).
//! Kept by the database's own triggers on `consent` and `placement` (see
//! migration 29); read by the partner row rule, never written by the service.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_access")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organisation_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    /// 0 means no reason any longer.
    pub reasons: i32,
}

impl ActiveModelBehavior for ActiveModel {}
