//! Authorization policy: who the caller is, what they may do, and which rows
//! and fields they may see. Every resolver, loader and service that reads or
//! changes data goes through here; nothing re-implements these rules.

pub mod caller;
pub mod rows;
pub mod scope;

pub use caller::{Caller, Principal, Role};
pub use scope::Scope;
