//! The Portalen partner-network API.
//!
//! Layers import downwards only: the HTTP edge ([`http`], [`startup`]) serves
//! the GraphQL layer ([`graphql`]), which calls the [`services`], which work on
//! the `entity` crate. [`domain`] holds value types with their own rules.

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
pub mod startup;
pub mod telemetry;
pub mod unit_of_work;
