//! The roots of the schema: every domain's query and mutation root, merged.
//! The order here is the order of the fields in `schema.graphql`.

use async_graphql::MergedObject;

use super::domains::{
    activities, api_clients, attendance, audit_trail, consents, contributions, employers, matching,
    mentors, mentorships, node, participants, partners, people, placements, privacy, queue,
    registrations, reports, slots, viewer, volunteers,
};

/// Every query of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    node::NodeQuery,
    viewer::ViewerQuery,
    partners::PartnerQuery,
    employers::EmployerQuery,
    slots::SlotQuery,
    participants::ParticipantQuery,
    placements::PlacementQuery,
    mentors::MentorQuery,
    mentorships::MentorshipQuery,
    consents::ConsentQuery,
    audit_trail::AuditQuery,
    privacy::PrivacyQuery,
    reports::ReportQuery,
    matching::MatchingQuery,
    api_clients::ApiClientQuery,
    people::PeopleQuery,
    activities::ActivityQuery,
    queue::QueueQuery,
    volunteers::VolunteerQuery,
);

/// Every mutation of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    participants::ParticipantMutation,
    employers::EmployerMutation,
    mentors::MentorMutation,
    mentorships::MentorshipMutation,
    consents::ConsentMutation,
    privacy::PrivacyMutation,
    slots::SlotMutation,
    placements::PlacementMutation,
    partners::PartnerMutation,
    api_clients::ApiClientMutation,
    people::PeopleMutation,
    activities::ActivityMutation,
    activities::ActivityUpdateMutation,
    attendance::AttendanceMutation,
    registrations::RegistrationMutation,
    queue::QueueMutation,
    contributions::ContributionMutation,
    volunteers::VolunteerMutation,
);

pub use super::domains::subscriptions::SubscriptionRoot;
