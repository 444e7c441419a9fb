//! Domain values with their own validation rules, free of HTTP, GraphQL and
//! the database.

pub mod contact;
pub mod language;
pub mod organisation_number;
pub mod recurrence;
pub mod slug;
pub mod tags;
pub mod text;

pub use language::LanguageCode;
pub use organisation_number::OrganisationNumber;
pub use slug::Slug;
