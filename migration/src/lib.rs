//! Forward-only schema migrations of the Portalen database.
//!
//! One change per file, named `mYYYYMMDD_NNNNNN_<change>.rs`. The same
//! migrations run on SQLite and PostgreSQL, so they use only portable types:
//! UUIDs, strings for enumerations, JSON for short lists, and `CHECK`
//! constraints both databases enforce. A migration is never edited after it
//! has landed; a change to the schema is a new migration.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_create_partner_organisation;
mod m20261122_000002_create_employer;
mod m20261122_000003_create_mentor;
mod m20261122_000004_create_mentor_language;
mod m20261122_000005_create_mentor_expertise;
mod m20261122_000006_create_participant;
mod m20261122_000007_create_participant_language;
mod m20261122_000008_create_participant_skill;
mod m20261122_000009_create_participant_sensitive;
mod m20261122_000010_create_internship_slot;
mod m20261122_000011_create_slot_skill;
mod m20261122_000012_create_placement;
mod m20261122_000013_create_mentorship;
mod m20261122_000014_create_consent;
mod m20261122_000015_create_api_client;
mod m20261123_000016_unique_current_mentorship_and_consent;
mod m20261123_000017_create_audit_event;
mod m20261123_000018_participant_erased_at;
mod m20261123_000019_create_idempotency_key;
mod m20261123_000020_placement_scope_index;
mod m20261127_000021_unique_open_placement;
mod m20261206_000022_create_person;
mod m20261206_000023_create_membership;
mod m20261206_000024_create_identity_provider;
mod m20261206_000025_create_one_time_code;
mod m20261206_000026_create_sign_in_session;
mod m20261206_000027_create_refresh_token;
mod m20261206_000028_placement_mentor_scope_index;
mod m20261206_000029_create_participant_access;
mod m20261207_000030_create_activity;
mod m20261207_000031_create_attendance;
mod m20261207_000032_create_registration;
mod m20261207_000033_create_queue_entry;
mod m20261207_000034_create_contribution;
mod m20261207_000035_create_volunteer_hours;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_partner_organisation::Migration),
            Box::new(m20261122_000002_create_employer::Migration),
            Box::new(m20261122_000003_create_mentor::Migration),
            Box::new(m20261122_000004_create_mentor_language::Migration),
            Box::new(m20261122_000005_create_mentor_expertise::Migration),
            Box::new(m20261122_000006_create_participant::Migration),
            Box::new(m20261122_000007_create_participant_language::Migration),
            Box::new(m20261122_000008_create_participant_skill::Migration),
            Box::new(m20261122_000009_create_participant_sensitive::Migration),
            Box::new(m20261122_000010_create_internship_slot::Migration),
            Box::new(m20261122_000011_create_slot_skill::Migration),
            Box::new(m20261122_000012_create_placement::Migration),
            Box::new(m20261122_000013_create_mentorship::Migration),
            Box::new(m20261122_000014_create_consent::Migration),
            Box::new(m20261122_000015_create_api_client::Migration),
            Box::new(m20261123_000016_unique_current_mentorship_and_consent::Migration),
            Box::new(m20261123_000017_create_audit_event::Migration),
            Box::new(m20261123_000018_participant_erased_at::Migration),
            Box::new(m20261123_000019_create_idempotency_key::Migration),
            Box::new(m20261123_000020_placement_scope_index::Migration),
            Box::new(m20261127_000021_unique_open_placement::Migration),
            Box::new(m20261206_000022_create_person::Migration),
            Box::new(m20261206_000023_create_membership::Migration),
            Box::new(m20261206_000024_create_identity_provider::Migration),
            Box::new(m20261206_000025_create_one_time_code::Migration),
            Box::new(m20261206_000026_create_sign_in_session::Migration),
            Box::new(m20261206_000027_create_refresh_token::Migration),
            Box::new(m20261206_000028_placement_mentor_scope_index::Migration),
            Box::new(m20261206_000029_create_participant_access::Migration),
            Box::new(m20261207_000030_create_activity::Migration),
            Box::new(m20261207_000031_create_attendance::Migration),
            Box::new(m20261207_000032_create_registration::Migration),
            Box::new(m20261207_000033_create_queue_entry::Migration),
            Box::new(m20261207_000034_create_contribution::Migration),
            Box::new(m20261207_000035_create_volunteer_hours::Migration),
        ]
    }
}
