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
/// Hours given (a contribution, a volunteer's time) in whole minutes, if
/// they are more than nothing and at most a day.
pub fn minutes_of_hours(hours: f64) -> Option<i32> {
    let minutes = (hours * 60.0).round();
    // In range, so the conversion is exact.
    (hours.is_finite() && (1.0..=1440.0).contains(&minutes)).then_some(minutes as i32)
}

pub fn normalise_tags(field: &str, raw: &[String]) -> ServiceResult<Vec<String>> {
    tags::tags(raw).map_err(|e| ServiceError::invalid(field, e.to_string()))
}

/// Scope names, each one the API knows.
pub fn scopes(field: &str, names: &[String]) -> ServiceResult<Vec<Scope>> {
    Scope::parse_all(names)
        .map_err(|name| ServiceError::invalid(field, format!("unknown scope {name}")))
}
