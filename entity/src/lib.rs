//! Sea-ORM entities of the Portalen partner network.
//!
//! This crate holds data and relations only: no validation, no authorization and
//! no web stack. Rules live in the `portalen-api` services; the schema itself is
//! owned by the `migration` crate.
//!
//! Every table has a UUID primary key and `created_at`/`updated_at` in UTC.
//! Enumerations are stored as short strings so that one schema runs unchanged on
//! SQLite and PostgreSQL.

pub mod activity;
pub mod activity_language;
pub mod activity_session;
pub mod api_client;
pub mod attendance;
pub mod audit_event;
pub mod consent;
pub mod contribution;
pub mod employer;
pub mod enums;
pub mod idempotency_key;
pub mod identity_provider;
pub mod internship_slot;
pub mod membership;
pub mod mentor;
pub mod mentor_expertise;
pub mod mentor_language;
pub mod mentorship;
pub mod one_time_code;
pub mod participant;
pub mod participant_access;
pub mod participant_language;
pub mod participant_sensitive;
pub mod participant_skill;
pub mod partner_organisation;
pub mod person;
pub mod placement;
pub mod queue_entry;
pub mod refresh_token;
pub mod registration;
pub mod sign_in_session;
pub mod slot_skill;
pub mod volunteer_hours;

pub use enums::*;

use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// A list of short strings kept in a JSON column (granted scopes, interests).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct StringList(pub Vec<String>);

impl StringList {
    /// The strings, in their stored order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl<S: Into<String>> FromIterator<S> for StringList {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}
