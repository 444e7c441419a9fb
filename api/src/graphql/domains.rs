//! One file per domain, each holding its query root, mutation root, inputs
//! and payloads; [`super::root`] merges them into the schema.

pub mod activities;
pub mod api_clients;
pub mod attendance;
pub mod audit_trail;
pub mod consents;
pub mod contributions;
pub mod employers;
pub mod matching;
pub mod mentors;
pub mod mentorships;
pub mod node;
pub mod participants;
pub mod partners;
pub mod people;
pub mod placements;
pub mod privacy;
pub mod queue;
pub mod registrations;
pub mod reports;
pub mod slots;
pub mod subscriptions;
pub mod viewer;
pub mod volunteers;
