//! End-to-end tests of the Portalen API over HTTP.
//!
//! Each test gets its own database: a temporary SQLite file, or, when
//! `DATABASE_URL` points at PostgreSQL, a new database on that server named
//! by a UUID and dropped when the test ends.

#![expect(
    clippy::expect_used,
    reason = "a broken fixture should fail the test loudly"
)]

mod activities;
mod activity_events;
mod activity_report;
mod attendance;
mod audit;
mod authorization;
mod client_contract;
mod compose;
mod conformance;
mod constraints;
mod contributions;
mod dashboard;
mod employer_mutations;
mod failures;
mod fixtures;
mod fuzz;
mod graphql_http;
mod health;
mod helpers;
mod hostile_input;
mod http_hardening;
mod lifecycle;
mod limits;
mod list_filters;
mod matching;
mod mentor_mutations;
mod mentors;
mod metrics;
mod migrations;
mod nodes;
mod outage;
mod participant_filters;
mod participant_mutations;
mod partners;
mod persisted;
mod privacy;
mod queue;
mod races;
mod rate_limits;
mod registrations;
mod relations;
mod reports;
mod schema_docs;
mod seed;
mod sign_in;
mod slots_and_employers;
mod subscriptions;
mod timeouts;
mod tokens;
mod typed_client;
mod volunteers;
