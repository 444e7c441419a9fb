//! Authorization policy: what a caller may do and see.
//!
//! For now this holds the catalogue of scopes that partner organisations are
//! granted; the row and field rules build on it.

pub mod scope;

pub use scope::Scope;
