//! The Vietnamese lunar calendar (âm lịch), computed astronomically for any time zone.
//!
//! Rules (as used in Vietnam since 1967, at UTC+7):
//! - a month starts on the local day holding the astronomical new moon (sóc);
//! - month 11 is the month holding the winter solstice (đông chí);
//! - when 13 new moons separate two month-11 starts, the first month after month 11
//!   that holds no principal solar term (trung khí, sun longitude a multiple of 30°)
//!   is a leap month and repeats the number of the month before it.
//!
//! With the time zone set to UTC+8 the same rules give the modern Chinese calendar.
//! A [`LunarTable`] holds every month start of the supported range, so a conversion
//! is a binary search (solar → lunar) or a short scan (lunar → solar).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::{Date, Month as SolarMonth, macros::date};

use crate::astronomy::{new_moon_index_near, new_moon_jd, sun_longitude, sun_reaches};
use crate::error::{CalendarError, Result};

/// Time zone of the Vietnamese calendar: UTC+7 (meridian 105°E), decided in 1967.
pub const VIETNAM_TZ: i8 = 7;
/// Time zone of the modern Chinese calendar (GB/T 33661-2017): UTC+8.
pub const CHINA_TZ: i8 = 8;
/// First solar date the lunar calendar (and everything built on it) supports.
pub const FIRST_SUPPORTED_DATE: Date = date!(1900 - 01 - 01);
/// Last solar date the lunar calendar (and everything built on it) supports.
pub const LAST_SUPPORTED_DATE: Date = date!(2199 - 12 - 31);

/// Heavenly stems (can), in cycle order starting with Giáp.
const STEMS: [&str; 10] = [
    "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
];
/// Earthly branches (chi), in cycle order starting with Tý.
const BRANCHES: [&str; 12] = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
];

/// A day of the lunar calendar. `year` is the solar year in which that lunar year's Tết falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    /// Lunar year, numbered like the solar year holding its first day.
    pub year: i32,
    /// Month number 1..=12 (a leap month repeats the number of the month before it).
    pub month: u8,
    /// Day of the month, 1..=30.
    pub day: u8,
    /// True for the leap month (tháng nhuận).
    pub leap: bool,
}

impl LunarDate {
    /// A lunar date value; it is checked only when converted.
    pub const fn new(year: i32, month: u8, day: u8, leap: bool) -> Self {
        Self {
            year,
            month,
            day,
            leap,
        }
    }

    /// The year's sexagenary (can chi) name, e.g. "Ất Tỵ" for 2025.
    pub fn year_name(&self) -> String {
        can_chi_year(self.year)
    }
}

/// Sexagenary (can chi) name of a lunar year in Vietnamese: 1984 → "Giáp Tý", 2025 → "Ất Tỵ".
pub fn can_chi_year(year: i32) -> String {
    // 1984 was Giáp Tý, the start of a cycle: year + 6 ≡ 0 (mod 10), year + 8 ≡ 0 (mod 12).
    let stem = STEMS[(year + 6).rem_euclid(10) as usize];
    let branch = BRANCHES[(year + 8).rem_euclid(12) as usize];
    format!("{stem} {branch}")
}

/// Solar → lunar in Vietnam (UTC+7).
pub fn solar_to_lunar(date: Date) -> Result<LunarDate> {
    LunarTable::vietnam().to_lunar(date)
}

/// Lunar → solar in Vietnam (UTC+7).
pub fn lunar_to_solar(lunar: LunarDate) -> Result<Date> {
    LunarTable::vietnam().to_solar(lunar)
}

/// One lunar month in the table.
#[derive(Clone, Copy, Debug)]
struct MonthStart {
    /// Julian Day Number of the month's first day (local civil day).
    start: i32,
    year: i32,
    number: u8,
    leap: bool,
}

/// Every lunar month covering [`FIRST_SUPPORTED_DATE`]..=[`LAST_SUPPORTED_DATE`] for one time zone.
///
/// Building one takes about 4,000 new-moon and sun-longitude evaluations (well under a
/// millisecond in release builds); [`LunarTable::vietnam`] builds the UTC+7 table once and shares it.
#[derive(Clone, Debug)]
pub struct LunarTable {
    tz_hours: i8,
    months: Vec<MonthStart>,
    /// First day after the last month in `months`.
    end: i32,
    /// Lunar year of `months[0]`.
    first_year: i32,
    /// Index in `months` of the first month of each lunar year from `first_year` on.
    year_first_month: Vec<u32>,
}

impl LunarTable {
    /// Builds the table for a time zone given in whole hours east of UTC (7 = Vietnam, 8 = China).
    pub fn new(tz_hours: i8) -> Result<Self> {
        if !(-12..=14).contains(&tz_hours) {
            return Err(CalendarError::InvalidTimeZone { hours: tz_hours });
        }
        Ok(Self::build(tz_hours))
    }

    /// The shared UTC+7 table, built on first use.
    pub fn vietnam() -> &'static Self {
        static TABLE: OnceLock<LunarTable> = OnceLock::new();
        TABLE.get_or_init(|| Self::build(VIETNAM_TZ))
    }

    /// The shared UTC+8 (Chinese calendar) table, built on first use.
    pub fn china() -> &'static Self {
        static TABLE: OnceLock<LunarTable> = OnceLock::new();
        TABLE.get_or_init(|| Self::build(CHINA_TZ))
    }

    /// The time zone this table was computed for, in hours east of UTC.
    pub fn tz_hours(&self) -> i8 {
        self.tz_hours
    }

    fn build(tz_hours: i8) -> Self {
        let tz = f64::from(tz_hours);
        let first_solar = FIRST_SUPPORTED_DATE.year();
        let last_solar = LAST_SUPPORTED_DATE.year();
        let mut months = Vec::with_capacity(((last_solar - first_solar + 2) * 13) as usize);
        // The span [month 11 of year y-1, month 11 of year y) holds months 11 and 12 of lunar
        // year y-1 and months 1..=10 (plus any leap month) of lunar year y.
        let (mut start_k, _) = month11(first_solar - 1, tz);
        for y in first_solar..=last_solar + 1 {
            let (end_k, _) = month11(y, tz);
            let count = end_k - start_k;
            let days: Vec<i32> = (0..=count).map(|i| new_moon_day(start_k + i, tz)).collect();
            let leap_index = if count == 13 {
                // First month after month 11 whose start and end see the sun in the same
                // 30° sector, i.e. that holds no principal term.
                (1..13).find(|&i| sector_at(days[i], tz) == sector_at(days[i + 1], tz))
            } else {
                None
            };
            let (mut year, mut number) = (y - 1, 11u8);
            for (i, &start) in days.iter().take(count as usize).enumerate() {
                let leap = leap_index == Some(i);
                if i > 0 && !leap {
                    if number == 12 {
                        number = 1;
                        year += 1;
                    } else {
                        number += 1;
                    }
                }
                months.push(MonthStart {
                    start,
                    year,
                    number,
                    leap,
                });
            }
            start_k = end_k;
        }
        let end = new_moon_day(start_k, tz);
        let first_year = months.first().map_or(first_solar - 1, |m| m.year);
        let mut year_first_month = Vec::new();
        for (i, m) in months.iter().enumerate() {
            if (m.year - first_year) as usize == year_first_month.len() {
                year_first_month.push(i as u32);
            }
        }
        Self {
            tz_hours,
            months,
            end,
            first_year,
            year_first_month,
        }
    }

    /// Solar → lunar.
    ///
    /// Errors with `date_out_of_range` outside [`FIRST_SUPPORTED_DATE`]..=[`LAST_SUPPORTED_DATE`].
    pub fn to_lunar(&self, date: Date) -> Result<LunarDate> {
        if !(FIRST_SUPPORTED_DATE..=LAST_SUPPORTED_DATE).contains(&date) {
            return Err(CalendarError::out_of_range(
                date,
                FIRST_SUPPORTED_DATE,
                LAST_SUPPORTED_DATE,
            ));
        }
        let jd = date.to_julian_day();
        let index = self.months.partition_point(|m| m.start <= jd);
        let month = index
            .checked_sub(1)
            .and_then(|i| self.months.get(i))
            .filter(|_| jd < self.end)
            .ok_or_else(|| {
                CalendarError::out_of_range(date, FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE)
            })?;
        Ok(LunarDate {
            year: month.year,
            month: month.number,
            day: (jd - month.start + 1) as u8,
            leap: month.leap,
        })
    }

    /// Lunar → solar.
    ///
    /// Errors with `lunar_date_invalid` for a month or day the year does not have (a leap
    /// month the year lacks, day 30 of a 29-day month), and `date_out_of_range` when the
    /// solar date would fall outside the supported range.
    pub fn to_solar(&self, lunar: LunarDate) -> Result<Date> {
        let invalid = || CalendarError::LunarDateInvalid {
            year: lunar.year,
            month: lunar.month,
            day: lunar.day,
            leap: lunar.leap,
        };
        if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
            return Err(invalid());
        }
        // month_span only knows the month; report the whole date the caller asked for.
        let (start, length) = self
            .month_span(lunar.year, lunar.month, lunar.leap)
            .map_err(|e| match e {
                CalendarError::LunarDateInvalid { .. } => invalid(),
                other => other,
            })?;
        if i32::from(lunar.day) > length {
            return Err(invalid());
        }
        let jd = start + i32::from(lunar.day) - 1;
        let date = Date::from_julian_day(jd).map_err(|_| invalid())?;
        if !(FIRST_SUPPORTED_DATE..=LAST_SUPPORTED_DATE).contains(&date) {
            return Err(self.lunar_out_of_range(lunar));
        }
        Ok(date)
    }

    /// First day (mùng 1 tháng Giêng, Tết) of a lunar year.
    pub fn new_year(&self, year: i32) -> Result<Date> {
        self.to_solar(LunarDate::new(year, 1, 1, false))
    }

    /// The leap month of a lunar year, if it has one (e.g. `Some(6)` for 2025).
    pub fn leap_month(&self, year: i32) -> Result<Option<u8>> {
        let lunar = LunarDate::new(year, 1, 1, false);
        let range = self
            .year_range(year)
            .ok_or_else(|| self.lunar_out_of_range(lunar))?;
        Ok(self.months[range]
            .iter()
            .find(|m| m.leap && m.year == year)
            .map(|m| m.number))
    }

    /// Number of days (29 or 30) of a lunar month.
    pub fn month_length(&self, year: i32, month: u8, leap: bool) -> Result<u8> {
        self.month_span(year, month, leap).map(|(_, len)| len as u8)
    }

    /// Start (Julian Day Number) and length of a month.
    fn month_span(&self, year: i32, month: u8, leap: bool) -> Result<(i32, i32)> {
        let lunar = LunarDate::new(year, month, 1, leap);
        let range = self
            .year_range(year)
            .ok_or_else(|| self.lunar_out_of_range(lunar))?;
        let index = range
            .clone()
            .find(|&i| {
                let m = &self.months[i];
                m.year == year && m.number == month && m.leap == leap
            })
            .ok_or(CalendarError::LunarDateInvalid {
                year,
                month,
                day: 1,
                leap,
            })?;
        let start = self.months[index].start;
        let next = self.months.get(index + 1).map_or(self.end, |m| m.start);
        Ok((start, next - start))
    }

    /// Indices of the months of a lunar year (at most 13), if the table has that year.
    fn year_range(&self, year: i32) -> Option<std::ops::Range<usize>> {
        let offset = usize::try_from(year.checked_sub(self.first_year)?).ok()?;
        let first = *self.year_first_month.get(offset)? as usize;
        let last = self
            .year_first_month
            .get(offset + 1)
            .map_or(self.months.len(), |&i| i as usize);
        Some(first..last)
    }

    fn lunar_out_of_range(&self, lunar: LunarDate) -> CalendarError {
        CalendarError::DateOutOfRange {
            what: format!(
                "{}/{}{}/{} âm lịch",
                lunar.day,
                lunar.month,
                if lunar.leap { " nhuận" } else { "" },
                lunar.year
            ),
            first: FIRST_SUPPORTED_DATE,
            last: LAST_SUPPORTED_DATE,
        }
    }
}

/// Local civil day (Julian Day Number) holding a Universal-Time Julian Day.
fn local_day(jd: f64, tz: f64) -> i32 {
    (jd + 0.5 + tz / 24.0).floor() as i32
}

/// Local day holding new moon number `k`.
fn new_moon_day(k: i64, tz: f64) -> i32 {
    local_day(new_moon_jd(k), tz)
}

/// The sun's 30° sector (0..12) at the local midnight that begins `day`.
fn sector_at(day: i32, tz: f64) -> i32 {
    let jd = f64::from(day) - 0.5 - tz / 24.0;
    (sun_longitude(jd) / 30.0).floor() as i32
}

/// New-moon index and local start day of month 11 of solar year `year`:
/// the month holding the local day of the December solstice.
fn month11(year: i32, tz: f64) -> (i64, i32) {
    // 20 December is a safe starting guess; the solstice is 20–23 December.
    let guess =
        Date::from_calendar_date(year, SolarMonth::December, 20).map_or(0, |d| d.to_julian_day());
    let solstice = sun_reaches(270.0, f64::from(guess));
    let solstice_day = local_day(solstice, tz);
    let mut k = new_moon_index_near(solstice);
    while new_moon_day(k, tz) > solstice_day {
        k -= 1;
    }
    while new_moon_day(k + 1, tz) <= solstice_day {
        k += 1;
    }
    (k, new_moon_day(k, tz))
}
