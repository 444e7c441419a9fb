//! Hours a volunteer gave at an activity session: logged by the volunteer
//! (a person with a volunteer membership), approved or declined by the
//! session's organiser.

use sea_orm::entity::prelude::*;

use crate::{HoursStatus, VolunteerTask};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    /// The volunteer.
    pub person_id: Uuid,
    /// The organisation they volunteer through.
    pub organisation_id: Uuid,
    pub task: VolunteerTask,
    /// The time given, in minutes (1 to 1,440).
    pub minutes: i32,
    pub note: Option<String>,
    pub status: HoursStatus,
    /// The organisation that approved or declined them.
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decline_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "session_id", to = "id", on_delete = "Cascade")]
    pub session: BelongsTo<super::activity_session::Entity>,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: BelongsTo<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
