//! The schema's own scalars, named and described for clients (with
//! `@specifiedBy`), rather than the library's defaults (`NaiveDate`,
//! "Implement the `DateTime<Utc>` scalar"). Each checks its value in
//! validation, so a malformed one is a client error before anything runs.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, Utc};

/// A calendar date written exactly `YYYY-MM-DD`, as the `Date` scalar takes it.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == s)
}

/// An RFC 3339 date-time with an offset, as the `DateTime` scalar takes it.
pub fn parse_date_time(s: &str) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A calendar date, `YYYY-MM-DD` (ISO 8601 / RFC 3339 `full-date`), with no
/// time and no time zone: a start or end day, a report period's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (ISO 8601 / RFC 3339 `full-date`), with no
/// time and no time zone: a start or end day, a report period's bounds.
#[Scalar(
    name = "Date",
    specified_by_url = "https://scalars.graphql.org/andimarek/local-date.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s)
                .map(Date)
                .ok_or_else(|| InputValueError::custom("a calendar date is YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if parse_date(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

/// An instant: date, time and offset as RFC 3339 (`2027-01-12T14:00:00+01:00`).
/// Answers are in UTC (`+00:00`); any offset is accepted as input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant: date, time and offset as RFC 3339 (`2027-01-12T14:00:00+01:00`).
/// Answers are in UTC (`+00:00`); any offset is accepted as input.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://scalars.graphql.org/andimarek/date-time.html"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date_time(s).map(DateTime).ok_or_else(|| {
                InputValueError::custom("a date-time is RFC 3339, e.g. 2027-01-12T14:00:00+01:00")
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if parse_date_time(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(time: chrono::DateTime<Utc>) -> Self {
        Self(time)
    }
}

/// Any JSON value (RFC 8259), for documents whose shape is described in the
/// field's own documentation rather than in the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

/// Any JSON value (RFC 8259), for documents whose shape is described in the
/// field's own documentation rather than in the schema.
#[Scalar(
    name = "JSON",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259"
)]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        value
            .into_json()
            .map(Json)
            .map_err(|_| InputValueError::custom("not representable as JSON"))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_calendar_dates() {
        assert!(Date::is_valid(&Value::String("2027-01-12".into())));
        for bad in [
            "2026-13-45",
            "2026-02-30",
            "2027-1-12",
            "2027-01-12x",
            "12/01/2027",
        ] {
            assert!(!Date::is_valid(&Value::String(bad.into())), "{bad}");
        }
    }

    #[test]
    fn date_times_need_an_offset_and_answer_in_utc() {
        let parsed = DateTime::parse(Value::String("2027-01-12T14:00:00+01:00".into()))
            .map(|t| t.to_value())
            .ok();
        assert_eq!(
            parsed,
            Some(Value::String("2027-01-12T13:00:00+00:00".into()))
        );
        for bad in ["2027-01-12T14:00:00", "yesterday", "2027-01-12"] {
            assert!(!DateTime::is_valid(&Value::String(bad.into())), "{bad}");
        }
    }
}
