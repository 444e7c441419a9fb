//! Something a participant gave (the method's 50/50): hosting, interpreting,
//! teaching a skill, helping at an event.

use sea_orm::entity::prelude::*;

use crate::ContributionKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contribution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub kind: ContributionKind,
    pub occurred_on: Date,
    /// The time given, in minutes (1 to 1,440).
    pub minutes: i32,
    /// The activity it was given at, if any.
    pub activity_id: Option<Uuid>,
    /// What they did, in a few words.
    pub description: Option<String>,
    /// The organisation whose staff recorded it.
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "participant_id", to = "id", on_delete = "Cascade")]
    pub participant: BelongsTo<super::participant::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
