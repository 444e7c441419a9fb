//! Tags: skills, fields of work, interests, expertise. Lower-case, trimmed,
//! each 1 to 64 letters, digits, spaces or hyphens; a list holds each tag
//! once and at most [`MAX_TAGS`].

/// The most tags in one list.
pub const MAX_TAGS: usize = 50;

/// Why a list of tags was refused, for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagError {
    Malformed,
    TooMany,
}

impl std::fmt::Display for TagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => {
                f.write_str("each entry is 1 to 64 letters, digits, spaces or hyphens")
            }
            Self::TooMany => write!(f, "at most {MAX_TAGS} entries"),
        }
    }
}

/// One tag, normalised; `None` if it is not a tag.
pub fn tag(raw: &str) -> Option<String> {
    let tag = raw.trim().to_lowercase();
    let valid = (1..=64).contains(&tag.chars().count())
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == ' ');
    valid.then_some(tag)
}

/// A list of tags, normalised and de-duplicated in first-seen order.
pub fn tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, TagError> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for item in raw {
        let tag = tag(item.as_ref()).ok_or(TagError::Malformed)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(TagError::TooMany);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_lower_case_trimmed_once_each_and_bounded() {
        assert_eq!(
            tags(&[" Svets ", "svets", "Barnskötsel", "IT-support"]),
            Ok(vec![
                "svets".to_owned(),
                "barnskötsel".to_owned(),
                "it-support".to_owned()
            ])
        );
        for bad in ["", "   ", "a;b", &"x".repeat(65)] {
            assert_eq!(tags(&[bad]), Err(TagError::Malformed), "{bad:?}");
        }
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert_eq!(tags(&many), Err(TagError::TooMany));
        assert_eq!(tags(&many[..MAX_TAGS]).map(|t| t.len()), Ok(MAX_TAGS));
    }
}
