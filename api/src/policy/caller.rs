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
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Partner,
        Role::Employer,
        Role::Mentor,
        Role::Participant,
    ];

    /// The role as written in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Partner => "partner",
            Role::Employer => "employer",
            Role::Mentor => "mentor",
            Role::Participant => "participant",
        }
    }

    /// The prefix of `sub` that names the row a personal role acts as.
    pub fn subject_prefix(self) -> Option<&'static str> {
        match self {
            Role::Employer => Some("employer:"),
            Role::Mentor => Some("mentor:"),
            Role::Participant => Some("participant:"),
            Role::Administrator | Role::Partner => None,
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
            .ok_or_else(|| format!("unknown role {s:?}; one of administrator, partner, employer, mentor, participant"))
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
