//! Business rules and transactions as plain async functions over a database
//! connection (or transaction). Nothing here knows about HTTP or GraphQL.

pub mod employers;
pub mod error;
pub mod pagination;
pub mod partners;
pub mod slots;

pub use error::{ServiceError, ServiceResult};
pub use pagination::{Page, PageRequest};
