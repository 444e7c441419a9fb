//! URL-safe handles of partner organisations.

use std::fmt;

/// A partner organisation's handle: 2 to 64 characters of lowercase ASCII
/// letters, digits and single hyphens, starting with a letter and not ending
/// with a hyphen (`hyresbostader`, `vita-hasten`). It travels in tokens and
/// URLs, so it never holds anything outside that set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a slug is 2 to 64 lowercase ASCII letters, digits and single hyphens, starting with a letter"
)]
pub struct SlugError;

impl Slug {
    /// Checks `input` as it is: a slug is never silently rewritten.
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let bytes = input.as_bytes();
        let well_formed = (2..=64).contains(&bytes.len())
            && bytes.first().is_some_and(u8::is_ascii_lowercase)
            && bytes.last() != Some(&b'-')
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && !input.contains("--");
        if well_formed {
            Ok(Self(input.to_owned()))
        } else {
            Err(SlugError)
        }
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_partner_handles() {
        for ok in ["hyresbostader", "vita-hasten", "abf-ostergotland", "k2"] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_anything_not_url_safe_ascii() {
        for bad in [
            "",
            "a",
            "Vita-Hasten",
            "vita hästen",
            "vita_hasten",
            "-vita",
            "vita-",
            "vita--hasten",
            "2vita",
            &"a".repeat(65),
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError), "{bad}");
        }
    }
}
