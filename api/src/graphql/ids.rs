//! Opaque global ids: `base64url("<Type>:<uuid>")`, as Relay's object
//! identification expects. Clients treat them as opaque strings; the type
//! prefix lets `node(id:)` find the right table and stops an employer id from
//! being used as a slot id.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::bad_input;

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
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

impl NodeType {
    fn name(self) -> &'static str {
        match self {
            Self::PartnerOrganisation => "PartnerOrganisation",
            Self::Employer => "Employer",
            Self::InternshipSlot => "InternshipSlot",
            Self::Participant => "Participant",
            Self::Placement => "Placement",
            Self::Mentor => "Mentor",
            Self::Mentorship => "Mentorship",
            Self::Consent => "Consent",
            Self::ApiClient => "ApiClient",
            Self::AuditEvent => "AuditEvent",
            Self::Membership => "Membership",
            Self::Person => "Person",
            Self::IdentityProvider => "IdentityProvider",
            Self::Activity => "Activity",
            Self::ActivitySession => "ActivitySession",
            Self::Registration => "Registration",
            Self::QueueEntry => "QueueEntry",
            Self::VolunteerHours => "VolunteerHours",
        }
    }

    /// Every type with a global id.
    pub const ALL: [NodeType; 18] = [
        Self::PartnerOrganisation,
        Self::Employer,
        Self::InternshipSlot,
        Self::Participant,
        Self::Placement,
        Self::Mentor,
        Self::Mentorship,
        Self::Consent,
        Self::ApiClient,
        Self::AuditEvent,
        Self::Membership,
        Self::Person,
        Self::IdentityProvider,
        Self::Activity,
        Self::ActivitySession,
        Self::Registration,
        Self::QueueEntry,
        Self::VolunteerHours,
    ];

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The global id of a row.
pub fn encode(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// The type and row id inside a global id, if it is well formed.
pub fn decode(id: &ID) -> Option<(NodeType, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (name, uuid) = text.split_once(':')?;
    Some((NodeType::from_name(name)?, Uuid::parse_str(uuid).ok()?))
}

/// The row id inside a global id that must be of `expected` type; anything
/// else is BAD_USER_INPUT on `argument`.
pub fn decode_as(id: &ID, expected: NodeType, argument: &str) -> async_graphql::Result<Uuid> {
    match decode(id) {
        Some((node_type, uuid)) if node_type == expected => Ok(uuid),
        _ => Err(bad_input(
            argument,
            format!("not a valid {} id", expected.name()),
        )),
    }
}

/// As [`decode_as`], for an optional id.
pub fn decode_optional(
    id: Option<ID>,
    expected: NodeType,
    argument: &str,
) -> async_graphql::Result<Option<Uuid>> {
    id.map(|id| decode_as(&id, expected, argument)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_id_round_trips_and_keeps_its_type() {
        let uuid = Uuid::now_v7();
        let id = encode(NodeType::Employer, uuid);
        assert_eq!(decode(&id), Some((NodeType::Employer, uuid)));
        assert!(decode_as(&id, NodeType::Employer, "id").is_ok());
        assert!(decode_as(&id, NodeType::InternshipSlot, "id").is_err());
    }

    #[test]
    fn every_type_round_trips() {
        for node_type in NodeType::ALL {
            let uuid = Uuid::now_v7();
            assert_eq!(
                decode(&encode(node_type, uuid)),
                Some((node_type, uuid)),
                "{node_type:?}"
            );
        }
    }

    #[test]
    fn garbage_is_not_an_id() {
        for raw in ["", "x", "RW1wbG95ZXI6bm90LWEtdXVpZA", "!!!!"] {
            assert_eq!(decode(&ID(raw.to_owned())), None, "{raw}");
        }
    }
}
