//! Working-time arithmetic: is a day worked, when does a budget of working minutes run out,
//! how much working time lies between two instants.
//!
//! A [`WorkingCalendar`] precomputes, for every day of its year range, how many working days
//! precede it, so every query is O(1) plus a scan of the (few) office periods, and allocates
//! nothing. Instants are converted to Vietnam time (UTC+07:00, no daylight saving) and
//! answers are given in +07:00.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, macros::offset};

use crate::error::{CalendarError, Result, vn};
use crate::exceptions::Exception;
use crate::holidays::{HolidayRules, year_schedule};
use crate::lunar::{FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE};
use crate::office_hours::{OfficeHours, minute_of_day};

/// Vietnam time, UTC+07:00 all year.
pub const VIETNAM_OFFSET: UtcOffset = offset!(+7);

const NANOS_PER_MINUTE: i64 = 60_000_000_000;
const NANOS_PER_DAY: i64 = 24 * 60 * NANOS_PER_MINUTE;

/// A received dossier's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// When the dossier was received (in +07:00).
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When working time starts counting: `received_at` inside office hours on a working
    /// day, otherwise the next start of office hours.
    #[serde(with = "time::serde::rfc3339")]
    pub counted_from: OffsetDateTime,
    /// The earliest instant at which the budget is used up.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
}

/// An office period in nanoseconds since midnight, with the working time of earlier periods.
#[derive(Clone, Copy, Debug)]
struct Period {
    start: i64,
    end: i64,
    worked_before: i64,
}

/// Working days and office hours, precomputed for a range of years.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    first: Date,
    last: Date,
    /// Julian Day Number of `first`.
    first_jd: i32,
    /// `working_before[i]` = working days among the first `i` days of the range
    /// (length = days in range + 1).
    working_before: Vec<u32>,
    /// Day indices (from `first`) of the working days, in order.
    working_days: Vec<u32>,
    periods: Vec<Period>,
    /// Office time of one working day, in nanoseconds.
    day_nanos: i64,
    minutes_per_day: i64,
    office_hours: OfficeHours,
}

/// A local (Vietnam) instant as a day index in the range and nanoseconds since midnight.
#[derive(Clone, Copy, Debug)]
struct Local {
    day: usize,
    nanos: i64,
}

impl WorkingCalendar {
    /// A calendar for the whole supported range, 1900–2199.
    pub fn new(
        rules: &HolidayRules,
        exceptions: &[Exception],
        office_hours: OfficeHours,
    ) -> Result<Self> {
        Self::for_years(
            rules,
            exceptions,
            office_hours,
            FIRST_SUPPORTED_DATE.year(),
            LAST_SUPPORTED_DATE.year(),
        )
    }

    /// A calendar for the years `first_year..=last_year` (within 1900–2199); instants outside
    /// are answered with `date_out_of_range`.
    pub fn for_years(
        rules: &HolidayRules,
        exceptions: &[Exception],
        office_hours: OfficeHours,
        first_year: i32,
        last_year: i32,
    ) -> Result<Self> {
        office_hours.validate()?;
        let supported = FIRST_SUPPORTED_DATE.year()..=LAST_SUPPORTED_DATE.year();
        if first_year > last_year
            || !supported.contains(&first_year)
            || !supported.contains(&last_year)
        {
            return Err(CalendarError::InvalidYearRange {
                first: first_year,
                last: last_year,
            });
        }
        let first = Date::from_ordinal_date(first_year, 1).map_err(|_| {
            CalendarError::InvalidYearRange {
                first: first_year,
                last: last_year,
            }
        })?;
        let last = Date::from_ordinal_date(last_year, time::util::days_in_year(last_year))
            .map_err(|_| CalendarError::InvalidYearRange {
                first: first_year,
                last: last_year,
            })?;
        let first_jd = first.to_julian_day();
        let day_count = (last.to_julian_day() - first_jd + 1) as usize;

        let mut working_before = Vec::with_capacity(day_count + 1);
        let mut working_days = Vec::with_capacity(day_count * 5 / 7 + 1);
        working_before.push(0);
        let mut index = 0u32;
        for year in first_year..=last_year {
            let schedule = year_schedule(year, rules, exceptions)?;
            let days = time::util::days_in_year(year);
            for ordinal in 1..=days {
                let date = Date::from_ordinal_date(year, ordinal).map_err(|_| {
                    CalendarError::InvalidYearRange {
                        first: first_year,
                        last: last_year,
                    }
                })?;
                if schedule.is_working_day(date) {
                    working_days.push(index);
                }
                index += 1;
                working_before.push(working_days.len() as u32);
            }
        }

        let mut worked_before = 0;
        let periods = office_hours
            .periods
            .iter()
            .map(|p| {
                let start = i64::from(minute_of_day(p.start)) * NANOS_PER_MINUTE;
                let end = i64::from(minute_of_day(p.end)) * NANOS_PER_MINUTE;
                let period = Period {
                    start,
                    end,
                    worked_before,
                };
                worked_before += end - start;
                period
            })
            .collect();
        Ok(Self {
            first,
            last,
            first_jd,
            working_before,
            working_days,
            periods,
            day_nanos: worked_before,
            minutes_per_day: office_hours.minutes_per_day(),
            office_hours,
        })
    }

    /// First date the calendar answers for.
    pub fn first_date(&self) -> Date {
        self.first
    }

    /// Last date the calendar answers for.
    pub fn last_date(&self) -> Date {
        self.last
    }

    /// The office hours in use.
    pub fn office_hours(&self) -> &OfficeHours {
        &self.office_hours
    }

    /// Working minutes in one working day (the unit of [`Self::add_working_days`]).
    pub fn minutes_per_day(&self) -> i64 {
        self.minutes_per_day
    }

    /// Whether a date is a working day for civil servants.
    pub fn is_working_day(&self, date: Date) -> Result<bool> {
        let day = self.day_index(date)?;
        Ok(self.is_working(day))
    }

    /// `instant` itself if it lies inside office hours on a working day, otherwise the next
    /// start of office hours on a working day. Answered in +07:00.
    pub fn counted_from(&self, instant: OffsetDateTime) -> Result<OffsetDateTime> {
        let local = self.local(instant)?;
        if self.is_working(local.day) {
            for p in &self.periods {
                if local.nanos < p.end {
                    return if local.nanos >= p.start {
                        Ok(instant.to_offset(VIETNAM_OFFSET))
                    } else {
                        self.instant(local.day, p.start)
                    };
                }
            }
        }
        // First working day after this one.
        let next = self.working_before[local.day + 1] as usize;
        let day = *self
            .working_days
            .get(next)
            .ok_or_else(|| self.beyond_range())?;
        let start = self.periods.first().map_or(0, |p| p.start);
        self.instant(day as usize, start)
    }

    /// The earliest instant at which `minutes` of working time, counted from `instant`, are
    /// used up. A budget ending exactly at the end of a period is due then (17:00, not 08:00
    /// the next working day). A budget of 0 gives [`Self::counted_from`].
    pub fn add_working_minutes(
        &self,
        instant: OffsetDateTime,
        minutes: i64,
    ) -> Result<OffsetDateTime> {
        if minutes < 0 {
            return Err(CalendarError::NegativeDuration { minutes });
        }
        if minutes == 0 {
            return self.counted_from(instant);
        }
        let local = self.local(instant)?;
        let target = minutes
            .checked_mul(NANOS_PER_MINUTE)
            .and_then(|budget| budget.checked_add(self.worked_until(local)))
            .ok_or_else(|| self.beyond_range())?;
        // `target` > 0: find the working day holding it, taking a boundary as the end of
        // the earlier day so the answer is the earliest instant.
        let mut whole_days = target / self.day_nanos;
        let mut rest = target % self.day_nanos;
        if rest == 0 {
            whole_days -= 1;
            rest = self.day_nanos;
        }
        let day = usize::try_from(whole_days)
            .ok()
            .and_then(|i| self.working_days.get(i))
            .ok_or_else(|| self.beyond_range())?;
        let nanos = self
            .periods
            .iter()
            .find(|p| rest <= p.worked_before + (p.end - p.start))
            .map_or(0, |p| p.start + rest - p.worked_before);
        self.instant(*day as usize, nanos)
    }

    /// [`Self::add_working_minutes`] with `days` × [`Self::minutes_per_day`].
    pub fn add_working_days(&self, instant: OffsetDateTime, days: i64) -> Result<OffsetDateTime> {
        if days < 0 {
            return Err(CalendarError::NegativeDuration {
                minutes: days.saturating_mul(self.minutes_per_day),
            });
        }
        let minutes = days
            .checked_mul(self.minutes_per_day)
            .ok_or_else(|| self.beyond_range())?;
        self.add_working_minutes(instant, minutes)
    }

    /// Whole minutes of office time on working days between `from` and `to` (0 if
    /// `to <= from`); seconds are truncated.
    pub fn working_minutes_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<i64> {
        if to <= from {
            return Ok(0);
        }
        let a = self.worked_until(self.local(from)?);
        let b = self.worked_until(self.local(to)?);
        Ok((b - a) / NANOS_PER_MINUTE)
    }

    /// The deadline of a dossier received at `received_at` with a budget of working minutes.
    pub fn deadline(&self, received_at: OffsetDateTime, budget_minutes: i64) -> Result<Deadline> {
        // `counted_from` checks the range first, so the offset conversion below cannot overflow.
        let counted_from = self.counted_from(received_at)?;
        let due_at = self.add_working_minutes(received_at, budget_minutes)?;
        Ok(Deadline {
            received_at: received_at.to_offset(VIETNAM_OFFSET),
            counted_from,
            due_at,
        })
    }

    fn is_working(&self, day: usize) -> bool {
        self.working_before[day + 1] > self.working_before[day]
    }

    fn day_index(&self, date: Date) -> Result<usize> {
        if date < self.first || date > self.last {
            return Err(CalendarError::out_of_range(date, self.first, self.last));
        }
        Ok((date.to_julian_day() - self.first_jd) as usize)
    }

    fn local(&self, instant: OffsetDateTime) -> Result<Local> {
        let local = instant.checked_to_offset(VIETNAM_OFFSET).ok_or_else(|| {
            CalendarError::DateOutOfRange {
                what: instant.to_string(),
                first: self.first,
                last: self.last,
            }
        })?;
        let day = self.day_index(local.date())?;
        let (h, m, s, ns) = local.time().as_hms_nano();
        let nanos = ((i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s)) * 1_000_000_000
            + i64::from(ns);
        Ok(Local { day, nanos })
    }

    /// Office time on working days from the start of the range up to a local instant.
    fn worked_until(&self, local: Local) -> i64 {
        let before = i64::from(self.working_before[local.day]) * self.day_nanos;
        if !self.is_working(local.day) {
            return before;
        }
        let today: i64 = self
            .periods
            .iter()
            .map(|p| (local.nanos.min(p.end) - p.start).max(0))
            .sum();
        before + today
    }

    fn instant(&self, day: usize, nanos: i64) -> Result<OffsetDateTime> {
        let date =
            Date::from_julian_day(self.first_jd + day as i32).map_err(|_| self.beyond_range())?;
        debug_assert!((0..NANOS_PER_DAY).contains(&nanos));
        let seconds = nanos / 1_000_000_000;
        let time = Time::from_hms_nano(
            (seconds / 3600) as u8,
            (seconds / 60 % 60) as u8,
            (seconds % 60) as u8,
            (nanos % 1_000_000_000) as u32,
        )
        .map_err(|_| self.beyond_range())?;
        Ok(PrimitiveDateTime::new(date, time).assume_offset(VIETNAM_OFFSET))
    }

    /// The error for an answer that would fall after the last day of the range.
    fn beyond_range(&self) -> CalendarError {
        CalendarError::DateOutOfRange {
            what: format!("sau {}", vn(self.last)),
            first: self.first,
            last: self.last,
        }
    }
}
