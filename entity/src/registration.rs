//! A participant's sign-up for an activity that needs registration: a
//! place, a place on the waiting list, or an offered place with its expiry.

use sea_orm::entity::prelude::*;

use crate::RegistrationStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub activity_id: Uuid,
    pub participant_id: Uuid,
    pub status: RegistrationStatus,
    /// Until when an offered place waits for its answer.
    pub offer_expires_at: Option<DateTimeUtc>,
    /// The organisation whose staff (or participant) signed up.
    pub registered_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "activity_id", to = "id", on_delete = "Cascade")]
    pub activity: BelongsTo<super::activity::Entity>,
    #[sea_orm(belongs_to, from = "participant_id", to = "id", on_delete = "Cascade")]
    pub participant: BelongsTo<super::participant::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
