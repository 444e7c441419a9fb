//! Weekly rules for recurring activities ("Tuesdays 14:00–16:00 from
//! 2027-01-12 to 2027-06-15, except 2027-04-06") and the sessions they
//! make. Times are wall-clock times in Portalen's time zone,
//! Europe/Stockholm: a session at 14:00 is at 14:00 in winter (UTC+1) and in
//! summer (UTC+2), so the instants it makes move by an hour across the
//! summer-time changes.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

/// The most sessions one rule may make (a little over a year of weekly
/// sessions), so that a typo in a date cannot create thousands of rows.
pub const MAX_SESSIONS: usize = 60;

/// A session's start and end.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// A weekly rule, as given and as stored with the activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeeklyRule {
    pub weekday: Weekday,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub from: NaiveDate,
    pub until: NaiveDate,
    #[serde(default)]
    pub except: Vec<NaiveDate>,
}

/// Why a rule makes no sessions, by the input field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("must be after the start time")]
    EndNotAfterStart,
    #[error("must not be before the first date")]
    UntilBeforeFrom,
    #[error("the rule makes no sessions")]
    NoSessions,
    #[error("the rule makes more than {MAX_SESSIONS} sessions; split it")]
    TooMany,
}

impl RuleError {
    /// The rule's field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::EndNotAfterStart => "endTime",
            Self::UntilBeforeFrom | Self::TooMany => "until",
            Self::NoSessions => "weekday",
        }
    }
}

/// The instant of a wall-clock time in Stockholm. A time that does not
/// exist (the hour skipped when summer time starts) is read with the offset
/// before the change, as iCalendar (RFC 5545) does: 02:30 becomes 03:30
/// summer time. A time that happens twice (the hour repeated in October) is
/// its first occurrence.
pub fn stockholm(local: NaiveDateTime) -> DateTime<Utc> {
    match Stockholm.from_local_datetime(&local).earliest() {
        Some(time) => time.with_timezone(&Utc),
        None => {
            let before = Stockholm
                .from_local_datetime(&(local - Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc) + Duration::hours(1));
            before.unwrap_or_else(|| Utc.from_utc_datetime(&local))
        }
    }
}

/// An instant as Stockholm wall-clock time, RFC 3339 with its offset
/// (`2027-01-12T14:00:00+01:00`).
pub fn in_stockholm(time: DateTime<Utc>) -> String {
    time.with_timezone(&Stockholm).to_rfc3339()
}

impl WeeklyRule {
    /// The sessions (start, end) the rule makes, in order.
    pub fn sessions(&self) -> Result<Vec<Span>, RuleError> {
        if self.end_time <= self.start_time {
            return Err(RuleError::EndNotAfterStart);
        }
        if self.until < self.from {
            return Err(RuleError::UntilBeforeFrom);
        }
        let ahead = (i64::from(self.weekday.num_days_from_monday())
            - i64::from(self.from.weekday().num_days_from_monday()))
        .rem_euclid(7);
        let mut day = self.from + Duration::days(ahead);
        let mut sessions = Vec::new();
        while day <= self.until {
            if !self.except.contains(&day) {
                if sessions.len() == MAX_SESSIONS {
                    return Err(RuleError::TooMany);
                }
                sessions.push((
                    stockholm(day.and_time(self.start_time)),
                    stockholm(day.and_time(self.end_time)),
                ));
            }
            day += Duration::days(7);
        }
        if sessions.is_empty() {
            return Err(RuleError::NoSessions);
        }
        Ok(sessions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn time(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn tuesdays(from: &str, until: &str, except: &[&str]) -> WeeklyRule {
        WeeklyRule {
            weekday: Weekday::Tue,
            start_time: time("14:00"),
            end_time: time("16:00"),
            from: date(from),
            until: date(until),
            except: except.iter().map(|d| date(d)).collect(),
        }
    }

    #[test]
    fn the_issue_s_rule_makes_its_tuesdays_at_14_local_on_both_sides_of_summer_time() {
        let sessions = tuesdays("2027-01-12", "2027-06-15", &["2027-04-06"])
            .sessions()
            .unwrap();
        // 23 Tuesdays from 12 January to 15 June, less Easter Tuesday.
        assert_eq!(sessions.len(), 22);
        let local: Vec<String> = sessions.iter().map(|(s, _)| in_stockholm(*s)).collect();
        assert_eq!(local[0], "2027-01-12T14:00:00+01:00");
        assert_eq!(sessions[0].0.to_rfc3339(), "2027-01-12T13:00:00+00:00");
        // Summer time starts on Sunday 28 March 2027.
        assert_eq!(local[10], "2027-03-23T14:00:00+01:00");
        assert_eq!(local[11], "2027-03-30T14:00:00+02:00");
        assert_eq!(sessions[11].0.to_rfc3339(), "2027-03-30T12:00:00+00:00");
        assert!(!local.iter().any(|l| l.starts_with("2027-04-06")));
        assert_eq!(local.last().unwrap(), "2027-06-15T14:00:00+02:00");
        assert!(sessions.iter().all(|(s, e)| *e - *s == Duration::hours(2)));
    }

    #[test]
    fn autumn_s_change_moves_the_instant_back_and_the_wall_clock_stays() {
        // Summer time ends on Sunday 31 October 2027, 03:00 -> 02:00.
        let rule = WeeklyRule {
            weekday: Weekday::Sun,
            start_time: time("01:30"),
            end_time: time("02:30"),
            ..tuesdays("2027-10-24", "2027-11-07", &[])
        };
        let sessions = rule.sessions().unwrap();
        let local: Vec<String> = sessions.iter().map(|(s, _)| in_stockholm(*s)).collect();
        assert_eq!(
            local,
            [
                "2027-10-24T01:30:00+02:00",
                "2027-10-31T01:30:00+02:00",
                "2027-11-07T01:30:00+01:00"
            ]
        );
        // 02:30 happens twice on 31 October: the first, summer time. The
        // session lasts an hour, as on the other Sundays.
        assert_eq!(in_stockholm(sessions[1].1), "2027-10-31T02:30:00+02:00");
        assert!(sessions.iter().all(|(s, e)| *e - *s == Duration::hours(1)));
    }

    #[test]
    fn a_time_in_the_skipped_hour_is_read_with_winter_s_offset() {
        let start = stockholm(date("2027-03-28").and_time(time("02:30")));
        assert_eq!(in_stockholm(start), "2027-03-28T03:30:00+02:00");
        assert_eq!(start.to_rfc3339(), "2027-03-28T01:30:00+00:00");
    }

    #[test]
    fn rules_that_make_nothing_or_too_much_are_refused_by_field() {
        let only_easter = tuesdays("2027-04-06", "2027-04-06", &["2027-04-06"]);
        assert_eq!(only_easter.sessions(), Err(RuleError::NoSessions));
        let no_tuesday = tuesdays("2027-04-07", "2027-04-12", &[]);
        assert_eq!(no_tuesday.sessions(), Err(RuleError::NoSessions));
        let backwards = tuesdays("2027-06-15", "2027-01-12", &[]);
        assert_eq!(backwards.sessions().unwrap_err().field(), "until");
        let inverted = WeeklyRule {
            end_time: time("13:00"),
            ..tuesdays("2027-01-12", "2027-06-15", &[])
        };
        assert_eq!(inverted.sessions().unwrap_err().field(), "endTime");
        let decade = tuesdays("2027-01-12", "2037-01-12", &[]);
        assert_eq!(decade.sessions(), Err(RuleError::TooMany));
        let one = tuesdays("2027-01-12", "2027-01-12", &[]);
        assert_eq!(one.sessions().unwrap().len(), 1);
    }
}
