//! Row rules of volunteer hours.
//!
//! | table | administrator | partner | employer | mentor | participant | volunteer |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | volunteer hours | all | of its volunteers, or at sessions it organises | none | none | none | own |
//! | deciding them | all | at sessions it organises | none | none | none | none |
//!
//! Hours name a volunteer (a person), not a participant: the organisation
//! they volunteer through and the organiser who approves them see them; a
//! volunteer sees their own.

use entity::{activity, activity_session, volunteer_hours};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

use super::nothing;
use crate::policy::{Caller, Role};

/// Hours at sessions of activities matching `activities`.
fn at_sessions_of(activities: Condition) -> Condition {
    Condition::all().add(
        volunteer_hours::Column::SessionId.in_subquery(
            Query::select()
                .column(activity_session::Column::Id)
                .from(activity_session::Entity)
                .and_where(
                    activity_session::Column::ActivityId.in_subquery(
                        Query::select()
                            .column(activity::Column::Id)
                            .from(activity::Entity)
                            .cond_where(activities)
                            .to_owned(),
                    ),
                )
                .to_owned(),
        ),
    )
}

/// The volunteer hours the caller may see.
pub fn volunteer_hours(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => Condition::any()
            .add(volunteer_hours::Column::OrganisationId.eq(caller.organisation_id))
            .add(at_sessions_of(super::changeable_activities(caller))),
        Role::Volunteer => match caller.person {
            Some(person) => {
                Condition::all().add(volunteer_hours::Column::PersonId.eq(person.person_id))
            }
            None => nothing(),
        },
        _ => nothing(),
    }
}

/// The volunteer hours the caller may approve or decline: those at
/// sessions of activities it may change (its organiser's).
pub fn decidable_volunteer_hours(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => at_sessions_of(super::changeable_activities(caller)),
        _ => nothing(),
    }
}
