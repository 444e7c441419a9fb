//! Input values checked by the domain's rules, with the refusal naming the
//! input field (`ServiceError::InvalidInput`).

use super::{ServiceError, ServiceResult};
use crate::domain::{tags, text};
use crate::policy::Scope;

/// `value` trimmed, present and at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> ServiceResult<String> {
    text::required(value, max).map_err(|e| ServiceError::invalid(field, e.to_string()))
}

/// As [`required_text`] for an optional field; blank counts as absent.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> ServiceResult<Option<String>> {
    text::optional(value, max).map_err(|e| ServiceError::invalid(field, e.to_string()))
}

/// Tags (skills, fields, interests) normalised and de-duplicated.
pub fn normalise_tags(field: &str, raw: &[String]) -> ServiceResult<Vec<String>> {
    tags::tags(raw).map_err(|e| ServiceError::invalid(field, e.to_string()))
}

/// Scope names, each one the API knows.
pub fn scopes(field: &str, names: &[String]) -> ServiceResult<Vec<Scope>> {
    Scope::parse_all(names)
        .map_err(|name| ServiceError::invalid(field, format!("unknown scope {name}")))
}
