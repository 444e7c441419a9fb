//! Access tokens: signing keys, issuing and verifying JWTs, and API client
//! credentials. What a verified caller may do is the `policy` module's.

pub mod federation;
pub mod keys;
pub mod token;

pub use keys::KeyRing;
pub use token::{Claims, TokenError, TokenSettings};
