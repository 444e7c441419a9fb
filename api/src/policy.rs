//! Authorization policy: who the caller is, what they may do, and which rows
//! and fields they may see. Every resolver, loader and service that reads or
//! changes data goes through here; nothing re-implements these rules.
//!
//! - [`reads`]: what calling an operation or reading a kind of object needs
//!   (scope, role);
//! - [`rows`]: which rows of each table the caller may see, as SQL;
//! - [`actions`]: whether the caller may take an action on a row it sees
//!   (placement transitions, acting for another organisation, ...);
//! - [`fields`]: which fields of a visible row the caller may read.

pub mod actions;
pub mod caller;
pub mod fields;
pub mod reads;
pub mod rows;
pub mod scope;

pub use caller::{Caller, PersonCaller, Principal, Role};
pub use scope::Scope;
