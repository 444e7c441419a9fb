//! What a caller must hold to call an operation or read a kind of object:
//! a scope, and for some the role. The GraphQL guards, `node` and the typed
//! queries all ask [`read`], so reading an object by its global id needs
//! exactly what its typed query needs.

use super::{Caller, Role, Scope};

/// A requirement on the caller: a scope, and optionally one of some roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    scope: Option<Scope>,
    roles: &'static [Role],
}

impl Requirement {
    /// Any authenticated caller holding `scope`.
    pub const fn scope(scope: Scope) -> Self {
        Self {
            scope: Some(scope),
            roles: &[],
        }
    }

    /// An administrator holding `scope`.
    pub const fn administrator(scope: Scope) -> Self {
        Self {
            scope: Some(scope),
            roles: &[Role::Administrator],
        }
    }

    /// A caller of one of `roles` holding `scope`.
    pub const fn roles(scope: Scope, roles: &'static [Role]) -> Self {
        Self {
            scope: Some(scope),
            roles,
        }
    }

    /// Any authenticated caller.
    pub const fn authenticated() -> Self {
        Self {
            scope: None,
            roles: &[],
        }
    }

    /// `Ok` if the caller meets it; otherwise why not, for people.
    pub fn check(&self, caller: &Caller) -> Result<(), String> {
        if !self.roles.is_empty() && !self.roles.contains(&caller.role) {
            let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
            return Err(format!("this needs the role {}", roles.join(" or ")));
        }
        match self.scope {
            Some(scope) if !caller.has(scope) => {
                Err(format!("this needs the scope {}", scope.as_str()))
            }
            _ => Ok(()),
        }
    }
}

/// The kinds of object the API shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PartnerOrganisation,
    Employer,
    InternshipSlot,
    Participant,
    Placement,
    Mentor,
    Mentorship,
    Consent,
    ApiClient,
    AuditEvent,
    Membership,
    Person,
    IdentityProvider,
    Activity,
    ActivitySession,
    Registration,
    QueueEntry,
    VolunteerHours,
}

/// What reading objects of `kind` needs (their rows are then narrowed by
/// [`super::rows`]); `None`: public, even without a token (the network's
/// partner organisations are no secret).
pub const fn read(kind: Kind) -> Option<Requirement> {
    Some(match kind {
        Kind::PartnerOrganisation => return None,
        Kind::Employer => Requirement::scope(Scope::EmployersRead),
        Kind::InternshipSlot => Requirement::scope(Scope::SlotsRead),
        Kind::Participant | Kind::Consent | Kind::Registration => {
            Requirement::scope(Scope::ParticipantsRead)
        }
        Kind::Placement => Requirement::scope(Scope::PlacementsRead),
        Kind::Mentor | Kind::Mentorship => Requirement::scope(Scope::MentorsRead),
        Kind::ApiClient => Requirement::administrator(Scope::PartnersAdmin),
        Kind::AuditEvent => Requirement::administrator(Scope::AuditRead),
        Kind::Activity | Kind::ActivitySession => Requirement::scope(Scope::ActivitiesRead),
        Kind::QueueEntry => {
            Requirement::roles(Scope::QueueRead, &[Role::Administrator, Role::Partner])
        }
        Kind::VolunteerHours => Requirement::roles(
            Scope::VolunteersRead,
            &[Role::Administrator, Role::Partner, Role::Volunteer],
        ),
        Kind::Membership | Kind::Person | Kind::IdentityProvider => {
            Requirement::roles(Scope::MembersAdmin, &[Role::Administrator, Role::Partner])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Principal;

    fn caller(role: Role, scopes: &[Scope]) -> Caller {
        Caller {
            subject: "test".to_owned(),
            role,
            principal: Principal::Organisation,
            organisation_id: uuid::Uuid::now_v7(),
            organisation_slug: "own".to_owned(),
            scopes: scopes.iter().copied().collect(),
            person: None,
        }
    }

    fn check(kind: Kind, caller: &Caller) -> Result<(), String> {
        read(kind).map_or(Ok(()), |r| r.check(caller))
    }

    #[test]
    fn reading_a_kind_needs_its_scope_and_administrative_kinds_the_role() {
        let partner = caller(Role::Partner, &Scope::ALL);
        let admin = caller(Role::Administrator, &Scope::ALL);
        let bare = caller(Role::Administrator, &[]);
        for kind in [
            Kind::Employer,
            Kind::InternshipSlot,
            Kind::Participant,
            Kind::Placement,
            Kind::Mentor,
            Kind::Mentorship,
            Kind::Consent,
        ] {
            assert_eq!(check(kind, &partner), Ok(()), "{kind:?}");
            assert!(check(kind, &bare).is_err(), "{kind:?}");
        }
        for kind in [Kind::ApiClient, Kind::AuditEvent] {
            assert_eq!(
                check(kind, &partner),
                Err("this needs the role administrator".to_owned())
            );
            assert_eq!(check(kind, &admin), Ok(()));
            assert!(check(kind, &bare).is_err());
        }
        assert_eq!(read(Kind::PartnerOrganisation), None, "public");
        assert_eq!(
            check(Kind::Participant, &bare),
            Err("this needs the scope participants:read".to_owned())
        );
    }
}
