//! Office hours: the periods of a working day during which working time runs.

use serde::{Deserialize, Serialize};
use time::{Time, macros::time};

use crate::error::{CalendarError, Result};

time::serde::format_description!(hour_minute, Time, "[hour]:[minute]");

/// One period of office time within a day, `start` inclusive, `end` exclusive.
/// Times serialise as `HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficePeriod {
    /// Start of the period.
    #[serde(with = "hour_minute")]
    pub start: Time,
    /// End of the period.
    #[serde(with = "hour_minute")]
    pub end: Time,
}

/// The office hours of every working day (a setting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    /// Ordered, non-overlapping, non-empty periods on whole minutes.
    pub periods: Vec<OfficePeriod>,
}

impl Default for OfficeHours {
    /// 08:00–12:00 and 13:00–17:00: 8 hours, 480 working minutes a day.
    fn default() -> Self {
        Self {
            periods: vec![
                OfficePeriod {
                    start: time!(08:00),
                    end: time!(12:00),
                },
                OfficePeriod {
                    start: time!(13:00),
                    end: time!(17:00),
                },
            ],
        }
    }
}

impl OfficeHours {
    /// Office hours from periods, validated.
    pub fn new(periods: Vec<OfficePeriod>) -> Result<Self> {
        let hours = Self { periods };
        hours.validate()?;
        Ok(hours)
    }

    /// Checks that there is at least one period, that every period is non-empty and on whole
    /// minutes, and that periods are in order without overlapping.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: &str| CalendarError::InvalidOfficeHours {
            reason: reason.to_string(),
        };
        if self.periods.is_empty() {
            return Err(invalid("no period"));
        }
        let mut previous_end: Option<Time> = None;
        for p in &self.periods {
            let whole = |t: Time| t.second() == 0 && t.nanosecond() == 0;
            if !whole(p.start) || !whole(p.end) {
                return Err(invalid("periods must start and end on whole minutes"));
            }
            if p.start >= p.end {
                return Err(invalid("a period must end after it starts"));
            }
            if previous_end.is_some_and(|end| p.start < end) {
                return Err(invalid("periods must be ordered and must not overlap"));
            }
            previous_end = Some(p.end);
        }
        Ok(())
    }

    /// Working minutes in one working day (480 for the default).
    pub fn minutes_per_day(&self) -> i64 {
        self.periods
            .iter()
            .map(|p| i64::from(minute_of_day(p.end) - minute_of_day(p.start)))
            .sum()
    }
}

/// Minutes since midnight.
pub(crate) fn minute_of_day(t: Time) -> u32 {
    u32::from(t.hour()) * 60 + u32::from(t.minute())
}
