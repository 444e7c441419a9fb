//! The authenticated caller of a request.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use super::Scope;

/// What kind of user a token is for. Named exactly so in tokens and on the
/// command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Portalen coordinators: the whole network.
    Administrator,
    /// Staff or systems of one partner organisation.
    Partner,
    /// An employer: its own slots and the placements at its workplace.
    Employer,
    /// A mentor: their own mentees.
    Mentor,
    /// A participant: their own profile and placements.
    Participant,
    /// A volunteer of one organisation (a refugee guide, a café host): the
    /// network's open slots, employers and activities, and their own logged
    /// hours; nobody's personal data.
    Volunteer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Partner,
        Role::Employer,
        Role::Mentor,
        Role::Participant,
        Role::Volunteer,
    ];

    /// The role as written in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Partner => "partner",
            Role::Employer => "employer",
            Role::Mentor => "mentor",
            Role::Participant => "participant",
            Role::Volunteer => "volunteer",
        }
    }

    /// The prefix of `sub` that names the row a personal role acts as.
    pub fn subject_prefix(self) -> Option<&'static str> {
        match self {
            Role::Employer => Some("employer:"),
            Role::Mentor => Some("mentor:"),
            Role::Participant => Some("participant:"),
            Role::Administrator | Role::Partner | Role::Volunteer => None,
        }
    }

    /// The role a membership holds.
    pub fn of_membership(role: entity::MembershipRole) -> Role {
        use entity::MembershipRole as M;
        match role {
            M::Administrator => Role::Administrator,
            M::Partner => Role::Partner,
            M::Employer => Role::Employer,
            M::Mentor => Role::Mentor,
            M::Volunteer => Role::Volunteer,
            M::Participant => Role::Participant,
        }
    }

    /// The membership role of this role.
    pub fn as_membership(self) -> entity::MembershipRole {
        use entity::MembershipRole as M;
        match self {
            Role::Administrator => M::Administrator,
            Role::Partner => M::Partner,
            Role::Employer => M::Employer,
            Role::Mentor => M::Mentor,
            Role::Volunteer => M::Volunteer,
            Role::Participant => M::Participant,
        }
    }

    /// The most a token of this role may hold, whatever its organisation is
    /// granted: a token's scopes are what it asked for, within this and
    /// within the organisation's grant. Administering people
    /// (`members:admin`) and the network (`partners:admin`, `audit:read`)
    /// belongs to the organisation-wide roles; a volunteer reads only what
    /// is open to the whole network.
    pub fn ceiling(self) -> &'static [Scope] {
        use Scope::*;
        const PERSONAL: &[Scope] = &[
            ParticipantsRead,
            ParticipantsWrite,
            ParticipantsPii,
            MentorsRead,
            MentorsWrite,
            EmployersRead,
            EmployersWrite,
            SlotsRead,
            SlotsWrite,
            PlacementsRead,
            PlacementsWrite,
            ReportsRead,
            ActivitiesRead,
            RegistrationsWrite,
        ];
        match self {
            Role::Administrator | Role::Partner => &Scope::ALL,
            Role::Employer | Role::Mentor | Role::Participant => PERSONAL,
            Role::Volunteer => &[
                EmployersRead,
                SlotsRead,
                ActivitiesRead,
                VolunteersRead,
                VolunteersWrite,
            ],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}; one of administrator, partner, employer, mentor, participant, volunteer"))
    }
}

/// The row a caller with a personal role acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// An administrator or partner: the organisation itself.
    Organisation,
    Employer(Uuid),
    Mentor(Uuid),
    Participant(Uuid),
}

/// A verified caller: who, for which organisation, with which effective
/// scopes (the token's scopes that the organisation still holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub role: Role,
    pub principal: Principal,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub scopes: BTreeSet<Scope>,
    /// For a person's token: the person, the membership it acts for and the
    /// sign-in session it belongs to. `None` for machine clients and tokens
    /// minted on the command line.
    pub person: Option<PersonCaller>,
}

/// The person behind a token, and the membership and session it acts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonCaller {
    pub person_id: Uuid,
    pub membership_id: Uuid,
    pub session_id: Option<Uuid>,
}

impl Caller {
    /// Whether the caller holds `scope` right now.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether the caller acts for the whole network.
    pub fn is_administrator(&self) -> bool {
        self.role == Role::Administrator
    }
}
