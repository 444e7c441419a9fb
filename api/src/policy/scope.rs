//! The scopes a partner organisation can be granted and a token can carry.

/// One permission, named `resource:action` as in OAuth 2.0 scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Read participant profiles the organisation may see.
    ParticipantsRead,
    /// Create and change participant profiles.
    ParticipantsWrite,
    /// Read personal fields (contact details, family name, residence status, notes).
    ParticipantsPii,
    /// Read mentors.
    MentorsRead,
    /// Create and change mentors and mentorships.
    MentorsWrite,
    /// Read employers.
    EmployersRead,
    /// Create and change employers.
    EmployersWrite,
    /// Read internship slots.
    SlotsRead,
    /// Post and change internship slots.
    SlotsWrite,
    /// Read placements.
    PlacementsRead,
    /// Propose and change placements.
    PlacementsWrite,
    /// Administer partner organisations, their grants and API clients.
    PartnersAdmin,
    /// Read aggregated impact reports.
    ReportsRead,
    /// Read the audit trail.
    AuditRead,
    /// Manage the organisation's people: their memberships and the
    /// organisation's identity providers.
    MembersAdmin,
    /// Read activities (language café, courses, study visits, ...) and their sessions.
    ActivitiesRead,
    /// Create activities and schedule, move and cancel their sessions.
    ActivitiesWrite,
    /// Record who took part in sessions, and the headcount of walk-ins.
    AttendanceWrite,
    /// Sign participants up for activities with places, and cancel, accept
    /// or decline their places.
    RegistrationsWrite,
    /// Read Portalen's intake queue.
    QueueRead,
    /// Add people to the intake queue and offer them intakes.
    QueueWrite,
    /// Read volunteers' logged hours.
    VolunteersRead,
    /// Log volunteer hours at sessions (the volunteer), and approve or
    /// decline them (the session's organiser).
    VolunteersWrite,
}

impl Scope {
    /// Every scope, in catalogue order.
    pub const ALL: [Scope; 23] = [
        Scope::ParticipantsRead,
        Scope::ParticipantsWrite,
        Scope::ParticipantsPii,
        Scope::MentorsRead,
        Scope::MentorsWrite,
        Scope::EmployersRead,
        Scope::EmployersWrite,
        Scope::SlotsRead,
        Scope::SlotsWrite,
        Scope::PlacementsRead,
        Scope::PlacementsWrite,
        Scope::PartnersAdmin,
        Scope::ReportsRead,
        Scope::AuditRead,
        Scope::MembersAdmin,
        Scope::ActivitiesRead,
        Scope::ActivitiesWrite,
        Scope::AttendanceWrite,
        Scope::RegistrationsWrite,
        Scope::QueueRead,
        Scope::QueueWrite,
        Scope::VolunteersRead,
        Scope::VolunteersWrite,
    ];

    /// The scope as written in tokens and grants.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ParticipantsRead => "participants:read",
            Scope::ParticipantsWrite => "participants:write",
            Scope::ParticipantsPii => "participants:pii",
            Scope::MentorsRead => "mentors:read",
            Scope::MentorsWrite => "mentors:write",
            Scope::EmployersRead => "employers:read",
            Scope::EmployersWrite => "employers:write",
            Scope::SlotsRead => "slots:read",
            Scope::SlotsWrite => "slots:write",
            Scope::PlacementsRead => "placements:read",
            Scope::PlacementsWrite => "placements:write",
            Scope::PartnersAdmin => "partners:admin",
            Scope::ReportsRead => "reports:read",
            Scope::AuditRead => "audit:read",
            Scope::MembersAdmin => "members:admin",
            Scope::ActivitiesRead => "activities:read",
            Scope::ActivitiesWrite => "activities:write",
            Scope::AttendanceWrite => "attendance:write",
            Scope::RegistrationsWrite => "registrations:write",
            Scope::QueueRead => "queue:read",
            Scope::QueueWrite => "queue:write",
            Scope::VolunteersRead => "volunteers:read",
            Scope::VolunteersWrite => "volunteers:write",
        }
    }

    /// The scope with this name, if there is one.
    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Parses every name of a list; `Err` holds the first unknown name.
    pub fn parse_all<S: AsRef<str>>(names: &[S]) -> Result<Vec<Scope>, String> {
        names
            .iter()
            .map(|name| Scope::parse(name.as_ref()).ok_or_else(|| name.as_ref().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_name_parses_back() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("participants:everything"), None);
        assert_eq!(
            Scope::parse_all(&["participants:read", "nope", "also:nope"]),
            Err("nope".to_owned())
        );
        assert_eq!(
            Scope::parse_all(&["mentors:read"]),
            Ok(vec![Scope::MentorsRead])
        );
    }

    #[test]
    fn every_scope_is_documented_in_the_schema() {
        let sdl = crate::graphql::sdl();
        for scope in Scope::ALL {
            assert!(
                sdl.contains(&format!("`{}`", scope.as_str())),
                "{} is not in the schema's descriptions",
                scope.as_str()
            );
        }
    }
}
