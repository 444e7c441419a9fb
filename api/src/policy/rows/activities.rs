//! Row rules of activities and their sessions.
//!
//! | table | administrator | partner | employer | mentor | participant | volunteer |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | activity, activity session | all | all | all | all | all | all |
//! | changing them | all | organised by the organisation | none | none | none | none |
//! | attendance (names) | all | of participants it may see | likewise | likewise | likewise | none |
//! | attendance counts | all | all | all | all | all | all |
//! | registration | all | of participants it may see | likewise | likewise | likewise (own) | none |
//!
//! An activity and its sessions are the network's programme, which it
//! announces to everyone ("no papers or registration needed"): they hold no
//! personal data, so every caller with `activities:read` sees all of them.
//! Who took part is personal data and has rules of its own.

use entity::activity;
use sea_orm::{ColumnTrait, Condition};

use super::nothing;
use crate::policy::{Caller, Role};

/// The activities (and so the sessions) the caller may see: all.
pub fn activities(_caller: &Caller) -> Condition {
    Condition::all()
}

/// The activities whose details and sessions the caller may change: an
/// administrator any, a partner those its organisation organises.
pub fn changeable_activities(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => {
            Condition::all().add(activity::Column::OrganiserId.eq(caller.organisation_id))
        }
        _ => nothing(),
    }
}

/// Rows whose `column` names a participant the caller may see.
fn of_participants_seen(caller: &Caller, column: impl ColumnTrait) -> Condition {
    Condition::all().add(
        column.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(entity::participant::Column::Id)
                .from(entity::participant::Entity)
                .cond_where(super::participants(caller))
                .to_owned(),
        ),
    )
}

/// The named attendance the caller may see: of the participants it may see
/// (the counts are for everyone with `activities:read`).
pub fn attendance(caller: &Caller) -> Condition {
    of_participants_seen(caller, entity::attendance::Column::ParticipantId)
}

/// The sign-ups the caller may see: of the participants it may see (the
/// places left and the waiting list's length are for everyone).
pub fn registrations(caller: &Caller) -> Condition {
    of_participants_seen(caller, entity::registration::Column::ParticipantId)
}
