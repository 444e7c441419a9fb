//! The Portalen partner-network API.
//!
//! Layers import downwards only: the HTTP edge ([`http`], [`startup`],
//! [`cli`]) serves the GraphQL layer ([`graphql`], one file per domain in
//! `graphql::domains`), whose mutations, like the CLI and the [`jobs`],
//! change data through a [`unit_of_work`]; the [`services`] hold each
//! domain's rules and queries, ask the [`policy`] who may do what, and work
//! on the `entity` crate. [`domain`] holds value types with their own rules.
//! `docs/architecture.md` draws the layers and says where a new thing goes.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod policy;
pub mod ratelimit;
pub mod seed;
pub mod services;
pub mod sign_in;
pub mod startup;
pub mod telemetry;
pub mod unit_of_work;
