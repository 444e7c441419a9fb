//! A language as the API stores and filters it: an ISO 639 code (`ti`,
//! `ar`, `sv`), or a tag with a region or script (`sr-latn`), lower-case.

/// A well-formed language code, normalised (trimmed, lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageCode(String);

impl LanguageCode {
    /// Reads a code as people type it (`" TI "` is `ti`); `None` unless it
    /// is 2 to 8 letters a-z and hyphens.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_lowercase();
        let well_formed = (2..=8).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
        well_formed.then_some(Self(code))
    }

    /// The code, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code, as stored, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::LanguageCode;

    #[test]
    fn codes_are_normalised_and_anything_else_is_refused() {
        assert_eq!(
            LanguageCode::parse(" TI ").map(LanguageCode::into_string),
            Some("ti".to_owned())
        );
        assert_eq!(
            LanguageCode::parse("sr-Latn").map(LanguageCode::into_string),
            Some("sr-latn".to_owned())
        );
        for bad in ["", "t", "tigrinya!", "not a code", "abcdefghi", "ti1"] {
            assert_eq!(LanguageCode::parse(bad), None, "{bad:?}");
        }
    }
}
