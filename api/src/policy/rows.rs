//! Row policy: the rows of each table a caller may see, as a SQL condition
//! that list queries, counts, lookups by id and DataLoaders all add. A row
//! outside it answers NOT_FOUND, exactly as a row that does not exist, so ids
//! cannot be probed.
//!
//! | table | administrator | partner | employer | mentor | participant |
//! | --- | --- | --- | --- | --- | --- |
//! | participant | all | consent in force, or an active placement it is responsible for | in a placement at its workplace | current mentees | self |
//! | placement | all | responsible for | at its workplace | mentor of, or of a current mentee | own |
//! | internship slot | all | open, or of an employer that is the organisation | open, or its own | open | open |
//! | mentor | all | of the organisation, or on a placement it is responsible for | on a placement at its workplace | self | own mentors |
//! | mentorship | all | of its mentors, or of participants it may see | none | own | own |
//! | consent | all | given to it | none | none | own |
//! | membership | all | of the organisation, and own | own | own | own |
//! | person | all | with a membership of it, and self | self | self | self |
//! | identity provider | all | of the organisation | none | none | none |
//!
//! Activities and their sessions: [`activities`] (every caller sees the
//! network's programme; changing it is the organiser's). Volunteer hours:
//! [`volunteer_hours`] (the volunteer, their organisation, the organiser).
//!
//! A volunteer sees open slots and nothing else of these tables but their
//! own memberships and person; a machine client or a command-line token has
//! no person, so "own" and "self" are nothing for it.
//!
//! A partner's participant rule reads `participant_access`, which the
//! database's triggers keep in step with consents and active placements in
//! the same transaction (migration 29), so it is one index range, not a
//! probe per participant.
//!
//! Consent and revocation: a partner sees a participant while their consent
//! to it is in force. When the participant revokes it, the partner loses
//! access on its next request, with one exception: while a placement it is
//! responsible for is *active* (the participant is at the workplace now), it
//! keeps access to them, so that it can follow the placement through. A
//! proposed or accepted placement does not keep access; once the placement
//! ends, access ends too.

use entity::{
    SlotStatus, consent, employer, identity_provider, internship_slot, membership, mentor,
    mentorship, participant, participant_access, person, placement,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use super::{Caller, Principal, Role};

mod activities;
mod queue;
mod volunteers;
pub use activities::{activities, attendance, changeable_activities, registrations};
pub use queue::queue_entries;
pub use volunteers::{decidable_volunteer_hours, volunteer_hours};

/// A condition that holds for no row.
fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

fn current_mentees(mentor_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(mentorship::Column::ParticipantId)
        .from(mentorship::Entity)
        .and_where(mentorship::Column::MentorId.eq(mentor_id))
        .and_where(mentorship::Column::EndedOn.is_null())
        .to_owned()
}

/// Participants the caller may see.
pub fn participants(caller: &Caller) -> Condition {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => {
            // One index range of the access table the database keeps in
            // step with consents and active placements (migration 29): a
            // page in id order reads its rows and stops.
            Condition::all().add(
                participant::Column::Id.in_subquery(
                    Query::select()
                        .column(participant_access::Column::ParticipantId)
                        .from(participant_access::Entity)
                        .and_where(
                            participant_access::Column::OrganisationId.eq(caller.organisation_id),
                        )
                        .and_where(participant_access::Column::Reasons.gt(0))
                        .to_owned(),
                ),
            )
        }
        (Role::Employer, Principal::Employer(id)) => Condition::all().add(
            participant::Column::Id.in_subquery(
                Query::select()
                    .column(placement::Column::ParticipantId)
                    .from(placement::Entity)
                    .and_where(placement::Column::EmployerId.eq(id))
                    .to_owned(),
            ),
        ),
        (Role::Mentor, Principal::Mentor(id)) => {
            Condition::all().add(participant::Column::Id.in_subquery(current_mentees(id)))
        }
        (Role::Participant, Principal::Participant(id)) => {
            Condition::all().add(participant::Column::Id.eq(id))
        }
        _ => nothing(),
    }
}

/// Placements the caller may see.
pub fn placements(caller: &Caller) -> Condition {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => {
            Condition::all().add(placement::Column::ResponsiblePartnerId.eq(caller.organisation_id))
        }
        (Role::Employer, Principal::Employer(id)) => {
            Condition::all().add(placement::Column::EmployerId.eq(id))
        }
        (Role::Mentor, Principal::Mentor(id)) => Condition::any()
            .add(placement::Column::MentorId.eq(id))
            .add(placement::Column::ParticipantId.in_subquery(current_mentees(id))),
        (Role::Participant, Principal::Participant(id)) => {
            Condition::all().add(placement::Column::ParticipantId.eq(id))
        }
        _ => nothing(),
    }
}

/// Placements the caller may change (propose, reschedule, record outcomes):
/// an administrator any, a partner those it is responsible for.
pub fn changeable_placements(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => {
            Condition::all().add(placement::Column::ResponsiblePartnerId.eq(caller.organisation_id))
        }
        _ => nothing(),
    }
}

/// Internship slots the caller may see: open ones for all, the rest for
/// their employer's side.
pub fn slots(caller: &Caller) -> Condition {
    let open = internship_slot::Column::Status.eq(SlotStatus::Open);
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => Condition::any().add(open).add(
            internship_slot::Column::EmployerId.in_subquery(
                Query::select()
                    .column(employer::Column::Id)
                    .from(employer::Entity)
                    .and_where(employer::Column::PartnerOrganisationId.eq(caller.organisation_id))
                    .to_owned(),
            ),
        ),
        (Role::Employer, Principal::Employer(id)) => Condition::any()
            .add(open)
            .add(internship_slot::Column::EmployerId.eq(id)),
        _ => Condition::all().add(open),
    }
}

/// Placements naming the mentor row of the outer query, as a correlated
/// probe (`EXISTS`): one index lookup per mentor row, however many
/// placements the caller's side has.
fn placed_mentor(side: placement::Column, id: Uuid) -> Condition {
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(placement::Entity)
            .and_where(
                Expr::col((placement::Entity, placement::Column::MentorId))
                    .equals((mentor::Entity, mentor::Column::Id)),
            )
            .and_where(Expr::col((placement::Entity, side)).eq(id))
            .to_owned(),
    ))
}

/// Mentors the caller may see.
pub fn mentors(caller: &Caller) -> Condition {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => Condition::any()
            .add(mentor::Column::PartnerOrganisationId.eq(caller.organisation_id))
            .add(placed_mentor(
                placement::Column::ResponsiblePartnerId,
                caller.organisation_id,
            )),
        (Role::Employer, Principal::Employer(id)) => {
            placed_mentor(placement::Column::EmployerId, id)
        }
        (Role::Mentor, Principal::Mentor(id)) => Condition::all().add(mentor::Column::Id.eq(id)),
        (Role::Participant, Principal::Participant(id)) => Condition::all().add(
            mentor::Column::Id.in_subquery(
                Query::select()
                    .column(mentorship::Column::MentorId)
                    .from(mentorship::Entity)
                    .and_where(mentorship::Column::ParticipantId.eq(id))
                    .to_owned(),
            ),
        ),
        _ => nothing(),
    }
}

/// Mentorships the caller may see: an administrator all, a partner those of
/// its own mentors and those of participants it may see, a mentor or a
/// participant their own. Employers none.
pub fn mentorships(caller: &Caller) -> Condition {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => Condition::any()
            .add(
                mentorship::Column::MentorId.in_subquery(
                    Query::select()
                        .column(mentor::Column::Id)
                        .from(mentor::Entity)
                        .and_where(mentor::Column::PartnerOrganisationId.eq(caller.organisation_id))
                        .to_owned(),
                ),
            )
            .add(
                mentorship::Column::ParticipantId.in_subquery(
                    Query::select()
                        .column(participant::Column::Id)
                        .from(participant::Entity)
                        .cond_where(participants(caller))
                        .to_owned(),
                ),
            ),
        (Role::Mentor, Principal::Mentor(id)) => {
            Condition::all().add(mentorship::Column::MentorId.eq(id))
        }
        (Role::Participant, Principal::Participant(id)) => {
            Condition::all().add(mentorship::Column::ParticipantId.eq(id))
        }
        _ => nothing(),
    }
}

/// Consents the caller may see: an administrator all, a partner those given
/// to its organisation, a participant their own.
pub fn consents(caller: &Caller) -> Condition {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => Condition::all(),
        (Role::Partner, _) => {
            Condition::all().add(consent::Column::PartnerOrganisationId.eq(caller.organisation_id))
        }
        (Role::Participant, Principal::Participant(id)) => {
            Condition::all().add(consent::Column::ParticipantId.eq(id))
        }
        _ => nothing(),
    }
}

/// Memberships the caller may see: an administrator all, an
/// organisation's staff those of its organisation, a person their own.
pub fn memberships(caller: &Caller) -> Condition {
    let own = caller
        .person
        .map(|person| membership::Column::PersonId.eq(person.person_id));
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => Condition::any()
            .add(membership::Column::PartnerOrganisationId.eq(caller.organisation_id))
            .add_option(own),
        _ => match own {
            Some(own) => Condition::all().add(own),
            None => nothing(),
        },
    }
}

/// People the caller may see: an administrator all, an organisation's
/// staff those with a membership of it (current or ended), a person
/// themselves.
pub fn persons(caller: &Caller) -> Condition {
    let own = caller
        .person
        .map(|person| person::Column::Id.eq(person.person_id));
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => Condition::any()
            .add(
                person::Column::Id.in_subquery(
                    Query::select()
                        .column(membership::Column::PersonId)
                        .from(membership::Entity)
                        .and_where(
                            membership::Column::PartnerOrganisationId.eq(caller.organisation_id),
                        )
                        .to_owned(),
                ),
            )
            .add_option(own),
        _ => match own {
            Some(own) => Condition::all().add(own),
            None => nothing(),
        },
    }
}

/// Identity providers the caller may see: an administrator all, an
/// organisation's staff its own.
pub fn identity_providers(caller: &Caller) -> Condition {
    match caller.role {
        Role::Administrator => Condition::all(),
        Role::Partner => Condition::all()
            .add(identity_provider::Column::PartnerOrganisationId.eq(caller.organisation_id)),
        _ => nothing(),
    }
}

#[cfg(test)]
mod tests {
    //! The row policy's table, role by role: each rule rendered as the SQL
    //! it adds, so a changed rule shows here before the leak matrix runs.
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::policy::Scope;

    fn caller(role: Role, principal: Principal) -> Caller {
        Caller {
            subject: "test".to_owned(),
            role,
            principal,
            organisation_id: Uuid::from_u128(0x0a),
            organisation_slug: "own".to_owned(),
            scopes: Scope::ALL.into_iter().collect(),
            person: None,
        }
    }

    /// The WHERE clause `condition` adds to a query of `entity`, on SQLite.
    fn rule<E: EntityTrait + Default>(_: E, condition: Condition) -> String {
        let sql = E::find()
            .filter(condition)
            .build(DbBackend::Sqlite)
            .to_string();
        let clause = match sql.split_once(" WHERE ") {
            Some((_, clause)) => clause.to_owned(),
            None => "TRUE".to_owned(),
        };
        if clause == "TRUE" {
            "(all)".to_owned()
        } else {
            clause
        }
    }

    const OWN: &str = "'00000000-0000-0000-0000-00000000000a'";

    /// Every role and principal, with one row of the table per kind.
    fn callers() -> Vec<(&'static str, Caller)> {
        let id = Uuid::from_u128(0x0b);
        vec![
            (
                "administrator",
                caller(Role::Administrator, Principal::Organisation),
            ),
            ("partner", caller(Role::Partner, Principal::Organisation)),
            ("employer", caller(Role::Employer, Principal::Employer(id))),
            ("mentor", caller(Role::Mentor, Principal::Mentor(id))),
            (
                "participant",
                caller(Role::Participant, Principal::Participant(id)),
            ),
            // A personal role without its principal sees nothing.
            (
                "employer without principal",
                caller(Role::Employer, Principal::Organisation),
            ),
        ]
    }

    /// What [`nothing`] renders as.
    const NOTHING: &str = "1 = 0";

    #[test]
    fn participants_each_role_sees_as_the_table_says() {
        for (name, caller) in callers() {
            let sql = rule(participant::Entity, participants(&caller));
            let principal = "'00000000-0000-0000-0000-00000000000b'";
            let holds = match name {
                "administrator" => sql == "(all)",
                "partner" => {
                    sql.contains("FROM \"participant_access\"")
                        && sql.contains("\"organisation_id\" = ")
                        && sql.contains("\"reasons\" > 0")
                        && sql.matches(OWN).count() == 1
                }
                "employer" => sql.contains("\"employer_id\" = ") && sql.contains(principal),
                "mentor" => {
                    sql.contains("\"mentorship\"")
                        && sql.contains("\"ended_on\" IS NULL")
                        && sql.contains(principal)
                }
                "participant" => sql == format!("\"participant\".\"id\" = {principal}"),
                _ => sql == NOTHING,
            };
            assert!(holds, "{name}: {sql}");
        }
    }

    #[test]
    fn placements_each_role_sees_as_the_table_says() {
        for (name, caller) in callers() {
            let sql = rule(placement::Entity, placements(&caller));
            let holds = match name {
                "administrator" => sql == "(all)",
                "partner" => sql == format!("\"placement\".\"responsible_partner_id\" = {OWN}"),
                "employer" => sql.starts_with("\"placement\".\"employer_id\" = "),
                "mentor" => sql.contains("\"mentor_id\" = ") && sql.contains(" OR "),
                "participant" => sql.starts_with("\"placement\".\"participant_id\" = "),
                _ => sql == NOTHING,
            };
            assert!(holds, "{name}: {sql}");
            let change = rule(placement::Entity, changeable_placements(&caller));
            let may_change = match name {
                "administrator" => change == "(all)",
                "partner" => change == sql,
                _ => change == NOTHING,
            };
            assert!(may_change, "{name} changes: {change}");
        }
    }

    #[test]
    fn slots_mentors_mentorships_and_consents_each_role_sees_as_the_table_says() {
        for (name, caller) in callers() {
            let slot = rule(internship_slot::Entity, slots(&caller));
            let mentor = rule(mentor::Entity, mentors(&caller));
            let mentorship = rule(mentorship::Entity, mentorships(&caller));
            let consent = rule(consent::Entity, consents(&caller));
            let open = "\"internship_slot\".\"status\" = 'open'";
            let holds = match name {
                "administrator" => [&slot, &mentor, &mentorship, &consent]
                    .iter()
                    .all(|sql| sql.as_str() == "(all)"),
                "partner" => {
                    slot.starts_with(open)
                        && slot.contains(OWN)
                        && mentor.contains(&format!("\"partner_organisation_id\" = {OWN}"))
                        && mentorship.contains(OWN)
                        && consent == format!("\"consent\".\"partner_organisation_id\" = {OWN}")
                }
                "employer" => {
                    slot.starts_with(open)
                        && slot.contains("\"employer_id\" = ")
                        && mentor.contains("\"placement\"")
                        && mentorship == NOTHING
                        && consent == NOTHING
                }
                "mentor" => {
                    slot == open
                        && mentor.starts_with("\"mentor\".\"id\" = ")
                        && mentorship.starts_with("\"mentorship\".\"mentor_id\" = ")
                        && consent == NOTHING
                }
                "participant" => {
                    slot == open
                        && mentor.contains("\"mentorship\"")
                        && mentorship.starts_with("\"mentorship\".\"participant_id\" = ")
                        && consent.starts_with("\"consent\".\"participant_id\" = ")
                }
                _ => {
                    slot == open && mentor == NOTHING && mentorship == NOTHING && consent == NOTHING
                }
            };
            assert!(
                holds,
                "{name}:\n slot {slot}\n mentor {mentor}\n mentorship {mentorship}\n consent {consent}"
            );
        }
    }
}
