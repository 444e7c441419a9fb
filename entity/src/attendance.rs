//! A participant who took part in a session, recorded by a partner
//! organisation. One row per participant and session.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    /// The organisation whose staff recorded it.
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "session_id", to = "id", on_delete = "Cascade")]
    pub session: BelongsTo<super::activity_session::Entity>,
    #[sea_orm(belongs_to, from = "participant_id", to = "id", on_delete = "Cascade")]
    pub participant: BelongsTo<super::participant::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
