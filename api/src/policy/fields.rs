//! Field rules: which fields of a row the caller may read, once it may see
//! the row.

use uuid::Uuid;

use super::{Caller, Principal, Role};

/// Field rules for a participant row the caller can already see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantFields {
    /// What an employer needs of a candidate: name, languages, skills,
    /// Swedish level.
    Candidate,
    /// The whole profile except personal fields.
    Profile,
    /// The profile and the personal fields (contact details, family name,
    /// residence status, notes).
    Personal,
}

/// Which fields of `participant_id` the caller may read.
pub fn participant_fields(caller: &Caller, participant_id: Uuid) -> ParticipantFields {
    use super::Scope::ParticipantsPii;
    match (caller.role, caller.principal) {
        (Role::Employer, _) => ParticipantFields::Candidate,
        (Role::Administrator | Role::Partner, _) if caller.has(ParticipantsPii) => {
            ParticipantFields::Personal
        }
        (Role::Participant, Principal::Participant(own))
            if own == participant_id && caller.has(ParticipantsPii) =>
        {
            ParticipantFields::Personal
        }
        _ => ParticipantFields::Profile,
    }
}
