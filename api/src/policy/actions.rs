//! Decisions: whether the caller may take an action on a row it can already
//! see (row visibility itself is [`super::rows`]). Each is a pure function of
//! the caller and the row, so the tables below are tested without a database.

use entity::{consent, mentorship};
use uuid::Uuid;

use super::{Caller, Principal, Role, Scope};

/// Whether the caller may post or change slots of `employer`, whose partner
/// organisation link is `employer_partner`.
pub fn may_manage_slots_of(
    caller: &Caller,
    employer_id: Uuid,
    employer_partner: Option<Uuid>,
) -> bool {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => true,
        (Role::Partner, _) => employer_partner == Some(caller.organisation_id),
        (Role::Employer, Principal::Employer(own)) => own == employer_id,
        _ => false,
    }
}

/// Whether a search may match the personal fields of the rows the caller
/// sees (family name): only for callers who may read them, so a search
/// cannot reveal what a field it may not read contains.
pub fn may_search_personal_fields(caller: &Caller) -> bool {
    use super::Scope::ParticipantsPii;
    matches!(caller.role, Role::Administrator | Role::Partner) && caller.has(ParticipantsPii)
}

/// Whether the caller may change a mentor who volunteers through
/// `mentor_partner`: an administrator any, a partner its own organisation's,
/// a mentor themselves.
pub fn may_manage_mentor(caller: &Caller, mentor_id: Uuid, mentor_partner: Uuid) -> bool {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => true,
        (Role::Partner, _) => mentor_partner == caller.organisation_id,
        (Role::Mentor, Principal::Mentor(own)) => own == mentor_id,
        _ => false,
    }
}

/// Whether the caller may start a mentorship with a mentor who volunteers
/// through `mentor_partner` (the participant must also be one the caller may
/// see): an administrator any, a partner its own mentors.
pub fn may_start_mentorship(caller: &Caller, mentor_partner: Uuid) -> bool {
    match caller.role {
        Role::Administrator => true,
        Role::Partner => mentor_partner == caller.organisation_id,
        _ => false,
    }
}

/// Whether the caller may end a mentorship it can see: an administrator any,
/// a partner those of its own mentors, the mentor or the participant their
/// own.
pub fn may_end_mentorship(caller: &Caller, row: &mentorship::Model, mentor_partner: Uuid) -> bool {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => true,
        (Role::Partner, _) => mentor_partner == caller.organisation_id,
        (Role::Mentor, Principal::Mentor(own)) => own == row.mentor_id,
        (Role::Participant, Principal::Participant(own)) => own == row.participant_id,
        _ => false,
    }
}

/// Whether the caller may record that `participant_id` consents to sharing
/// with `partner_id` (the participant must also be one the caller may see):
/// an administrator for any organisation, a partner for its own, a
/// participant for themselves.
pub fn may_grant_consent(caller: &Caller, participant_id: Uuid, partner_id: Uuid) -> bool {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => true,
        (Role::Partner, _) => partner_id == caller.organisation_id,
        (Role::Participant, Principal::Participant(own)) => own == participant_id,
        _ => false,
    }
}

/// Whether the caller may revoke a consent it can see: an administrator
/// any, a partner one given to it (it stops using the data), a participant
/// their own.
pub fn may_revoke_consent(caller: &Caller, row: &consent::Model) -> bool {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => true,
        (Role::Partner, _) => row.partner_organisation_id == caller.organisation_id,
        (Role::Participant, Principal::Participant(own)) => own == row.participant_id,
        _ => false,
    }
}

/// Which side of a placement the caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementSide {
    Administrator,
    ResponsiblePartner,
    Employer,
    Other,
}

/// The side the caller is on of a placement followed by `responsible_partner`
/// at `employer`.
pub fn placement_side(caller: &Caller, responsible_partner: Uuid, employer: Uuid) -> PlacementSide {
    match (caller.role, caller.principal) {
        (Role::Administrator, _) => PlacementSide::Administrator,
        (Role::Partner, _) if responsible_partner == caller.organisation_id => {
            PlacementSide::ResponsiblePartner
        }
        (Role::Employer, Principal::Employer(id)) if id == employer => PlacementSide::Employer,
        _ => PlacementSide::Other,
    }
}

/// A step of the placement lifecycle (the states it joins are the
/// lifecycle's own, in `services::placement_lifecycle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementStep {
    Accept,
    Decline,
    Start,
    Cancel,
    Complete,
}

/// Who may make which step: an administrator any; the employer accepts or
/// declines; the responsible partner or the employer starts or cancels; the
/// responsible partner completes it with an outcome.
pub fn may_step_placement(side: PlacementSide, step: PlacementStep) -> bool {
    use PlacementSide as S;
    use PlacementStep as P;
    matches!(
        (step, side),
        (_, S::Administrator)
            | (P::Accept | P::Decline, S::Employer)
            | (P::Start | P::Cancel, S::Employer | S::ResponsiblePartner)
            | (P::Complete, S::ResponsiblePartner)
    )
}

/// Whether the caller may act for `organisation` rather than its own (for
/// example register a mentor through it, or have it follow a placement):
/// an administrator for any, everyone else only for their own.
pub fn may_act_for(caller: &Caller, organisation: Uuid) -> bool {
    caller.is_administrator() || organisation == caller.organisation_id
}

/// As [`may_act_for`], for an organisation named by its slug.
pub fn may_act_for_slug(caller: &Caller, organisation_slug: &str) -> bool {
    caller.is_administrator() || organisation_slug == caller.organisation_slug
}

/// Whether the caller may read the scopes `organisation` is granted: an
/// administrator holding `partners:admin`, or the organisation itself.
pub fn may_see_grant(caller: &Caller, organisation: Uuid) -> bool {
    (caller.is_administrator() && caller.has(super::Scope::PartnersAdmin))
        || caller.organisation_id == organisation
}

/// Whether the caller may suspend `organisation` (the guard on the mutation
/// already asks for an administrator with `partners:admin`): never its own,
/// which would lock every administrator out.
pub fn may_suspend(caller: &Caller, organisation_slug: &str) -> bool {
    organisation_slug != caller.organisation_slug
}

/// Whether `role` may act for an organisation granted `granted`: the
/// administrator role only where the grant holds `partners:admin`.
pub fn role_allowed_by_grant(role: Role, granted: impl IntoIterator<Item = super::Scope>) -> bool {
    role != Role::Administrator
        || granted
            .into_iter()
            .any(|scope| scope == super::Scope::PartnersAdmin)
}

/// Whether the caller may give or end a membership of `organisation` in
/// `role`: Portalen's administrators in any organisation, an
/// organisation's own staff (a partner token with `members:admin`, the
/// organisation's administrators) in theirs, but never the administrator
/// role, which acts for the whole network.
pub fn may_manage_membership(caller: &Caller, organisation: Uuid, role: Role) -> bool {
    match caller.role {
        Role::Administrator => true,
        Role::Partner => organisation == caller.organisation_id && role != Role::Administrator,
        _ => false,
    }
}

/// Whether the caller may register or remove an identity provider of
/// `organisation`: Portalen's administrators any, an organisation's staff
/// with `members:admin` their own.
pub fn may_manage_identity_provider(caller: &Caller, organisation: Uuid) -> bool {
    match caller.role {
        Role::Administrator => true,
        Role::Partner => organisation == caller.organisation_id,
        _ => false,
    }
}

/// Whether a provider registered by `provider_organisation` may sign a
/// person in to a membership of `membership_organisation`: only to its own
/// organisation's. An organisation's provider vouches for its own people;
/// it cannot open another organisation's rows, whatever addresses its
/// tokens carry.
pub fn may_federate(provider_organisation: Uuid, membership_organisation: Uuid) -> bool {
    provider_organisation == membership_organisation
}

/// The scopes a person's token gets: those asked for (all, when none are
/// asked for), within the role's ceiling and the organisation's grant.
/// `Err` names the first asked-for scope it may not have.
pub fn person_token_scopes(
    role: Role,
    granted: &[Scope],
    requested: Option<&[Scope]>,
) -> Result<Vec<Scope>, Scope> {
    let allowed = |s: &Scope| role.ceiling().contains(s) && granted.contains(s);
    match requested {
        None => Ok(Scope::ALL.into_iter().filter(allowed).collect()),
        Some(requested) => {
            let mut scopes = Vec::new();
            for scope in requested {
                if !allowed(scope) {
                    return Err(*scope);
                }
                if !scopes.contains(scope) {
                    scopes.push(*scope);
                }
            }
            Ok(scopes)
        }
    }
}

/// The person who logs volunteer hours: a volunteer signed in as
/// themself (a machine client or a command-line token has no person, and
/// hours are always someone's own).
pub fn volunteer_logging_hours(caller: &Caller) -> Option<Uuid> {
    match (caller.role, caller.person) {
        (Role::Volunteer, Some(person)) if caller.has(Scope::VolunteersWrite) => {
            Some(person.person_id)
        }
        _ => None,
    }
}

/// Whether the caller may take someone from the intake queue in: accepting
/// an intake makes them a participant, so it needs `participants:write` as
/// well as `queue:write`.
pub fn may_admit_from_queue(caller: &Caller) -> bool {
    caller.has(super::Scope::QueueWrite) && caller.has(super::Scope::ParticipantsWrite)
}

/// Whether the caller may move someone in the intake queue (first come,
/// first served, unless an administrator records why not).
pub fn may_move_in_queue(caller: &Caller) -> bool {
    caller.is_administrator()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, principal: Principal, organisation: Uuid) -> Caller {
        Caller {
            subject: "test".to_owned(),
            organisation_id: organisation,
            organisation_slug: "own".to_owned(),
            role,
            principal,
            scopes: Scope::ALL.into_iter().collect(),
            person: None,
        }
    }

    #[test]
    fn the_placement_transition_table_is_exactly_as_documented() {
        use PlacementSide as S;
        use PlacementStep as P;
        let allowed = |side| {
            [P::Accept, P::Decline, P::Start, P::Cancel, P::Complete]
                .into_iter()
                .filter(|step| may_step_placement(side, *step))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            allowed(S::Administrator),
            [P::Accept, P::Decline, P::Start, P::Cancel, P::Complete]
        );
        assert_eq!(
            allowed(S::Employer),
            [P::Accept, P::Decline, P::Start, P::Cancel]
        );
        assert_eq!(
            allowed(S::ResponsiblePartner),
            [P::Start, P::Cancel, P::Complete]
        );
        assert_eq!(allowed(S::Other), []);
    }

    #[test]
    fn a_caller_is_on_the_side_its_role_and_row_put_it() {
        let (own, other, employer) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let side = |c: &Caller| placement_side(c, own, employer);
        assert_eq!(
            side(&caller(Role::Administrator, Principal::Organisation, other)),
            PlacementSide::Administrator
        );
        assert_eq!(
            side(&caller(Role::Partner, Principal::Organisation, own)),
            PlacementSide::ResponsiblePartner
        );
        assert_eq!(
            side(&caller(Role::Partner, Principal::Organisation, other)),
            PlacementSide::Other
        );
        assert_eq!(
            side(&caller(
                Role::Employer,
                Principal::Employer(employer),
                other
            )),
            PlacementSide::Employer
        );
        assert_eq!(
            side(&caller(
                Role::Employer,
                Principal::Employer(Uuid::now_v7()),
                own
            )),
            PlacementSide::Other
        );
        assert_eq!(
            side(&caller(
                Role::Mentor,
                Principal::Mentor(Uuid::now_v7()),
                own
            )),
            PlacementSide::Other
        );
    }

    #[test]
    fn only_administrators_act_for_or_see_the_grant_of_another_organisation() {
        let (own, other) = (Uuid::now_v7(), Uuid::now_v7());
        let admin = caller(Role::Administrator, Principal::Organisation, own);
        let partner = caller(Role::Partner, Principal::Organisation, own);
        assert!(may_act_for(&admin, other) && may_act_for(&partner, own));
        assert!(!may_act_for(&partner, other));
        assert!(may_act_for_slug(&admin, "another") && may_act_for_slug(&partner, "own"));
        assert!(!may_act_for_slug(&partner, "another"));
        assert!(may_see_grant(&admin, other) && may_see_grant(&partner, own));
        assert!(!may_see_grant(&partner, other));
        let mut without_admin_scope = admin.clone();
        without_admin_scope.scopes.remove(&Scope::PartnersAdmin);
        assert!(!may_see_grant(&without_admin_scope, other));
        assert!(may_suspend(&admin, "someone-else") && !may_suspend(&admin, "own"));
    }

    #[test]
    fn the_administrator_role_needs_partners_admin_in_the_grant() {
        assert!(role_allowed_by_grant(Role::Partner, []));
        assert!(!role_allowed_by_grant(
            Role::Administrator,
            [Scope::AuditRead]
        ));
        assert!(role_allowed_by_grant(
            Role::Administrator,
            [Scope::AuditRead, Scope::PartnersAdmin]
        ));
    }

    #[test]
    fn memberships_are_managed_within_ones_own_organisation_and_never_as_administrator() {
        let own = Uuid::now_v7();
        let other = Uuid::now_v7();
        let admin = caller(Role::Administrator, Principal::Organisation, own);
        let partner = caller(Role::Partner, Principal::Organisation, own);
        let mentor = caller(Role::Mentor, Principal::Mentor(Uuid::now_v7()), own);
        for role in Role::ALL {
            assert!(may_manage_membership(&admin, other, role), "{role}");
            assert_eq!(
                may_manage_membership(&partner, own, role),
                role != Role::Administrator,
                "{role}"
            );
            assert!(!may_manage_membership(&partner, other, role), "{role}");
            assert!(!may_manage_membership(&mentor, own, role), "{role}");
        }
        assert!(may_manage_identity_provider(&admin, other));
        assert!(may_manage_identity_provider(&partner, own));
        assert!(!may_manage_identity_provider(&partner, other));
        assert!(!may_manage_identity_provider(&mentor, own));
        assert!(may_federate(own, own));
        assert!(!may_federate(own, other));
    }

    #[test]
    fn a_persons_token_holds_what_it_asked_within_the_role_and_the_grant() {
        use Scope::*;
        let granted = [SlotsRead, EmployersRead, ParticipantsRead, MembersAdmin];
        assert_eq!(
            person_token_scopes(Role::Volunteer, &granted, None),
            Ok(vec![EmployersRead, SlotsRead])
        );
        assert_eq!(
            person_token_scopes(Role::Employer, &granted, None),
            Ok(vec![ParticipantsRead, EmployersRead, SlotsRead])
        );
        assert_eq!(
            person_token_scopes(Role::Partner, &granted, None),
            Ok(vec![
                ParticipantsRead,
                EmployersRead,
                SlotsRead,
                MembersAdmin
            ])
        );
        assert_eq!(
            person_token_scopes(Role::Partner, &granted, Some(&[SlotsRead, SlotsRead])),
            Ok(vec![SlotsRead])
        );
        assert_eq!(
            person_token_scopes(Role::Employer, &granted, Some(&[MembersAdmin])),
            Err(MembersAdmin),
            "beyond the role"
        );
        assert_eq!(
            person_token_scopes(Role::Partner, &granted, Some(&[AuditRead])),
            Err(AuditRead),
            "beyond the grant"
        );
    }
}
