//! Free text the API stores: names, titles, purposes. Trimmed; required
//! text is present and within its length.

/// Why a text was refused, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong { max: usize },
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty"),
            Self::TooLong { max } => write!(f, "must be at most {max} characters"),
        }
    }
}

/// `value` trimmed, if it is present and at most `max` characters.
pub fn required(value: &str, max: usize) -> Result<String, TextError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// As [`required`] for an optional field: absent or blank is `None`.
pub fn optional(value: Option<&str>, max: usize) -> Result<Option<String>, TextError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required(text, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_present_and_within_its_length() {
        assert_eq!(required("  Språkkafé ", 10), Ok("Språkkafé".to_owned()));
        assert_eq!(required(" \t ", 10), Err(TextError::Empty));
        assert_eq!(required("ååå", 2), Err(TextError::TooLong { max: 2 }));
        assert_eq!(optional(Some("  "), 5), Ok(None));
        assert_eq!(optional(None, 5), Ok(None));
        assert_eq!(optional(Some(" a "), 5), Ok(Some("a".to_owned())));
        assert_eq!(
            TextError::TooLong { max: 200 }.to_string(),
            "must be at most 200 characters"
        );
    }
}
