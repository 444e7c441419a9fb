//! Business rules and transactions as plain async functions over a database
//! connection (or transaction). Nothing here knows about HTTP or GraphQL.

pub mod activities;
pub mod activity_changes;
pub mod activity_sessions;
pub mod api_clients;
pub mod attendance;
pub mod audit;
pub mod batch;
pub mod callers;
pub mod consents;
pub mod contributions;
pub mod employers;
pub mod error;
pub mod identity_providers;
pub mod input;
pub mod matching;
pub mod mentors;
pub mod mentorships;
pub mod one_time_codes;
pub mod pagination;
pub mod participants;
pub mod partners;
pub mod people;
pub mod placement_lifecycle;
pub mod placements;
pub mod privacy;
pub mod queue;
pub mod registrations;
pub mod reports;
pub mod sessions;
pub mod slot_lifecycle;
pub mod slots;
pub mod volunteers;

pub use error::{ServiceError, ServiceResult};
pub use pagination::{Page, PageRequest};
