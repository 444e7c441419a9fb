//! One occurrence of an activity, from a start to an end (UTC), scheduled or
//! cancelled with a reason.

use sea_orm::entity::prelude::*;

use crate::SessionStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub activity_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: SessionStatus,
    /// Why it was cancelled; set exactly when it is.
    pub cancel_reason: Option<String>,
    /// Walk-ins counted without names.
    pub anonymous_headcount: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "activity_id", to = "id", on_delete = "Cascade")]
    pub activity: BelongsTo<super::activity::Entity>,
    #[sea_orm(has_many)]
    pub attendance: HasMany<super::attendance::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
