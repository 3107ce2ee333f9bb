//! Statutory holidays as data, compensatory days, and the yearly civil-service schedule.
//!
//! Bộ luật Lao động 2019, Điều 112 lists the holidays; Điều 111 khoản 3 gives a compensatory
//! day off when a holiday falls on the weekly rest day. Civil servants rest on Saturday and
//! Sunday. Announced exceptions ([`crate::Exception`]) are applied on top.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use crate::error::{CalendarError, Result};
use crate::exceptions::{Exception, ExceptionKind, iso_date};
use crate::lunar::{FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, LunarDate, LunarTable};

/// Rule key of Tết Nguyên đán, the five lunar-new-year days chosen each year.
pub const TET_NGUYEN_DAN: &str = "tet_nguyen_dan";
/// Rule key of the day adjacent to Quốc khánh (2/9), chosen each year.
pub const QUOC_KHANH_ADJACENT: &str = "quoc_khanh_adjacent";

const LABOUR_CODE_112: &str = "Bộ luật Lao động 2019, Điều 112";

/// How a holiday's date is found in a given year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HolidayDate {
    /// A fixed solar (Gregorian) date, e.g. 30/4.
    Solar {
        /// Month 1..=12.
        month: u8,
        /// Day 1..=31.
        day: u8,
    },
    /// A fixed day of a (non-leap) lunar month in Vietnam time, e.g. Giỗ Tổ 10/3.
    /// Day 30 of a 29-day month is taken as day 29.
    Lunar {
        /// Lunar month 1..=12.
        month: u8,
        /// Day 1..=30.
        day: u8,
    },
    /// Tết: `days` days fixed each year by the Prime Minister around mùng 1 tháng Giêng.
    /// Default when no announcement covers it: the last day of the lunar year and
    /// mùng 1 to mùng (days − 1), marked provisional.
    LunarNewYear {
        /// Number of holiday days (5 under Điều 112).
        days: u8,
    },
    /// A day next to a fixed solar date, chosen each year (Quốc khánh: 2/9 + 1/9 or 3/9).
    /// Default when no announcement covers it: the day after when the date falls on a
    /// Monday or a Thursday (so the holiday is a weekday joined to a weekend), otherwise
    /// the day before; marked provisional.
    AdjacentToSolar {
        /// Month of the fixed date.
        month: u8,
        /// Day of the fixed date.
        day: u8,
    },
}

impl HolidayDate {
    /// True when the exact days are announced each year (so defaults are provisional).
    pub fn chosen_each_year(&self) -> bool {
        matches!(
            self,
            Self::LunarNewYear { .. } | Self::AdjacentToSolar { .. }
        )
    }
}

/// One statutory holiday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRule {
    /// Stable identifier, referenced by [`Exception::covers`].
    pub key: String,
    /// Vietnamese name shown to people.
    pub name: String,
    /// How the date is found.
    pub date: HolidayDate,
    /// First year the rule applies (inclusive); `None` = always.
    #[serde(default)]
    pub from_year: Option<i32>,
    /// Last year the rule applies (inclusive); `None` = no end.
    #[serde(default)]
    pub until_year: Option<i32>,
    /// Legal basis, e.g. "Bộ luật Lao động 2019, Điều 112".
    #[serde(default)]
    pub legal_ref: Option<String>,
}

impl HolidayRule {
    fn applies_in(&self, year: i32) -> bool {
        self.from_year.is_none_or(|y| year >= y) && self.until_year.is_none_or(|y| year <= y)
    }
}

/// The holiday set, as data an administrator can change (e.g. add 24/11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRules {
    /// The holidays.
    pub holidays: Vec<HolidayRule>,
    /// Give a compensatory day off on the next working day when a holiday falls on
    /// Saturday or Sunday (Bộ luật Lao động 2019, Điều 111 khoản 3).
    #[serde(default = "default_true")]
    pub compensate_weekend_holidays: bool,
}

fn default_true() -> bool {
    true
}

impl Default for HolidayRules {
    /// The statutory list of Bộ luật Lao động 2019, Điều 112.
    fn default() -> Self {
        let rule = |key: &str, name: &str, date: HolidayDate| HolidayRule {
            key: key.to_string(),
            name: name.to_string(),
            date,
            from_year: None,
            until_year: None,
            legal_ref: Some(LABOUR_CODE_112.to_string()),
        };
        Self {
            holidays: vec![
                rule(
                    "tet_duong_lich",
                    "Tết Dương lịch",
                    HolidayDate::Solar { month: 1, day: 1 },
                ),
                rule(
                    TET_NGUYEN_DAN,
                    "Tết Âm lịch",
                    HolidayDate::LunarNewYear { days: 5 },
                ),
                rule(
                    "gio_to_hung_vuong",
                    "Giỗ Tổ Hùng Vương",
                    HolidayDate::Lunar { month: 3, day: 10 },
                ),
                rule(
                    "chien_thang",
                    "Ngày Chiến thắng",
                    HolidayDate::Solar { month: 4, day: 30 },
                ),
                rule(
                    "quoc_te_lao_dong",
                    "Ngày Quốc tế Lao động",
                    HolidayDate::Solar { month: 5, day: 1 },
                ),
                rule(
                    "quoc_khanh",
                    "Quốc khánh",
                    HolidayDate::Solar { month: 9, day: 2 },
                ),
                rule(
                    QUOC_KHANH_ADJACENT,
                    "Quốc khánh (ngày liền kề)",
                    HolidayDate::AdjacentToSolar { month: 9, day: 2 },
                ),
            ],
            compensate_weekend_holidays: true,
        }
    }
}

/// Why a weekday is not worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    /// A statutory holiday (from [`HolidayRules`]).
    Holiday,
    /// A compensatory day for a holiday on the weekly rest day (nghỉ bù).
    Compensatory,
    /// A day off announced as an [`Exception`] (Tết days, swaps).
    AnnouncedOff,
}

/// A weekday (Monday–Friday) that is not worked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOff {
    /// The day.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Why.
    pub kind: DayOffKind,
    /// Vietnamese name, e.g. "Giỗ Tổ Hùng Vương" or "Nghỉ bù Tết Dương lịch".
    pub name: String,
    /// True when derived from a default because no announcement covers it yet.
    pub provisional: bool,
}

/// A weekend day that is worked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraWorkday {
    /// The day.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Vietnamese name, e.g. "Làm bù cho ngày 2/5".
    pub name: String,
}

/// The civil-service schedule of one year: everything that differs from "Monday–Friday".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    /// The solar year.
    pub year: i32,
    /// Weekdays not worked, in date order.
    pub days_off: Vec<DayOff>,
    /// Weekend days worked, in date order.
    pub extra_workdays: Vec<ExtraWorkday>,
}

impl YearSchedule {
    /// Whether a date of this year is worked.
    pub fn is_working_day(&self, date: Date) -> bool {
        if is_weekend(date) {
            self.extra_workdays.iter().any(|d| d.date == date)
        } else {
            !self.days_off.iter().any(|d| d.date == date)
        }
    }
}

/// A holiday occurrence before exceptions are applied.
#[derive(Clone, Debug)]
struct Occurrence {
    name: String,
    provisional: bool,
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn invalid_rule(rule: &HolidayRule, reason: &str) -> CalendarError {
    CalendarError::InvalidHolidayRule {
        key: rule.key.clone(),
        reason: reason.to_string(),
    }
}

fn solar_date(rule: &HolidayRule, year: i32, month: u8, day: u8) -> Result<Option<Date>> {
    let month = Month::try_from(month).map_err(|_| invalid_rule(rule, "month must be 1..=12"))?;
    // Validate against a leap year so 29/2 is a valid rule that simply skips other years.
    if day == 0 || day > time::util::days_in_month(month, 2000) {
        return Err(invalid_rule(rule, "day does not exist in that month"));
    }
    Ok(Date::from_calendar_date(year, month, day).ok())
}

/// Holiday occurrences of a rule in a solar year, with the days they cover.
fn occurrences(
    rule: &HolidayRule,
    year: i32,
    covered: bool,
    out: &mut BTreeMap<Date, Occurrence>,
) -> Result<()> {
    if !rule.applies_in(year) || (covered && rule.date.chosen_each_year()) {
        return Ok(());
    }
    let lunar = LunarTable::vietnam();
    let mut add = |date: Date, provisional: bool| {
        if date.year() == year {
            out.entry(date).or_insert(Occurrence {
                name: rule.name.clone(),
                provisional,
            });
        }
    };
    match rule.date {
        HolidayDate::Solar { month, day } => {
            if let Some(date) = solar_date(rule, year, month, day)? {
                add(date, false);
            }
        }
        HolidayDate::Lunar { month, day } => {
            if !(1..=12).contains(&month) || !(1..=30).contains(&day) {
                return Err(invalid_rule(rule, "lunar month 1..=12 and day 1..=30"));
            }
            // Months 11 and 12 of the previous lunar year can fall in this solar year.
            for lunar_year in [year - 1, year] {
                let Ok(length) = lunar.month_length(lunar_year, month, false) else {
                    continue;
                };
                let lunar_date = LunarDate::new(lunar_year, month, day.min(length), false);
                if let Ok(date) = lunar.to_solar(lunar_date) {
                    add(date, false);
                }
            }
        }
        HolidayDate::LunarNewYear { days } => {
            if days == 0 || days > 15 {
                return Err(invalid_rule(rule, "Tết lasts 1..=15 days"));
            }
            let new_year = lunar.new_year(year)?;
            // Default: the last day of the old year, then mùng 1 onwards.
            for offset in -1..i64::from(days) - 1 {
                add(new_year + Duration::days(offset), true);
            }
        }
        HolidayDate::AdjacentToSolar { month, day } => {
            if let Some(date) = solar_date(rule, year, month, day)? {
                let next = matches!(date.weekday(), Weekday::Monday | Weekday::Thursday);
                add(date + Duration::days(if next { 1 } else { -1 }), true);
            }
        }
    }
    Ok(())
}

/// Holidays of a year after announcements replaced the rules they cover.
fn holidays_of(
    year: i32,
    rules: &HolidayRules,
    exceptions: &[Exception],
) -> Result<BTreeMap<Date, Occurrence>> {
    let mut out = BTreeMap::new();
    for rule in &rules.holidays {
        let covered = exceptions
            .iter()
            .any(|e| e.date.year() == year && e.covers.as_deref() == Some(rule.key.as_str()));
        occurrences(rule, year, covered, &mut out)?;
    }
    Ok(out)
}

/// The civil-service schedule of a solar year.
///
/// Order of application: holidays from `rules` (rules that an exception of that year
/// `covers` are replaced by the announcement), compensatory days for holidays on Saturday
/// or Sunday (each to the next weekday that is neither a holiday, an announced day off nor
/// already a compensatory day), then exceptions: a `WorkingDay` exception makes its day
/// worked whatever else applies, a `DayOff` exception makes it off.
///
/// Errors: `date_out_of_range` outside 1900–2199, `conflicting_exceptions` when a day is
/// announced both off and worked, `invalid_holiday_rule` for a rule that cannot be evaluated.
pub fn year_schedule(
    year: i32,
    rules: &HolidayRules,
    exceptions: &[Exception],
) -> Result<YearSchedule> {
    if !(FIRST_SUPPORTED_DATE.year()..=LAST_SUPPORTED_DATE.year()).contains(&year) {
        return Err(CalendarError::DateOutOfRange {
            what: format!("năm {year}"),
            first: FIRST_SUPPORTED_DATE,
            last: LAST_SUPPORTED_DATE,
        });
    }
    // Exceptions of this year and the one before (compensation can spill over New Year).
    let mut announced: BTreeMap<Date, &Exception> = BTreeMap::new();
    for e in exceptions
        .iter()
        .filter(|e| e.date.year() == year || e.date.year() == year - 1)
    {
        if let Some(other) = announced.insert(e.date, e)
            && other.kind != e.kind
        {
            return Err(CalendarError::ConflictingExceptions { date: e.date });
        }
    }

    let mut holidays = BTreeMap::new();
    if year > FIRST_SUPPORTED_DATE.year() {
        holidays.extend(holidays_of(year - 1, rules, exceptions)?);
    }
    holidays.extend(holidays_of(year, rules, exceptions)?);

    let mut compensatory: BTreeMap<Date, Occurrence> = BTreeMap::new();
    if rules.compensate_weekend_holidays {
        let announced_off = |d: &Date| {
            announced
                .get(d)
                .is_some_and(|e| e.kind == ExceptionKind::DayOff)
        };
        let mut taken: BTreeSet<Date> = BTreeSet::new();
        for (&date, occurrence) in holidays.iter().filter(|(d, _)| is_weekend(**d)) {
            let mut candidate = date;
            loop {
                candidate = match candidate.next_day() {
                    Some(next) => next,
                    None => break,
                };
                if !is_weekend(candidate)
                    && !holidays.contains_key(&candidate)
                    && !announced_off(&candidate)
                    && !taken.contains(&candidate)
                {
                    taken.insert(candidate);
                    compensatory.insert(
                        candidate,
                        Occurrence {
                            name: format!("Nghỉ bù {}", occurrence.name),
                            provisional: occurrence.provisional,
                        },
                    );
                    break;
                }
            }
        }
    }

    let candidates: BTreeSet<Date> = holidays
        .keys()
        .chain(compensatory.keys())
        .chain(announced.keys())
        .copied()
        .filter(|d| d.year() == year)
        .collect();
    let mut days_off = Vec::new();
    let mut extra_workdays = Vec::new();
    for date in candidates {
        let exception = announced.get(&date);
        if let Some(e) = exception.filter(|e| e.kind == ExceptionKind::WorkingDay) {
            if is_weekend(date) {
                extra_workdays.push(ExtraWorkday {
                    date,
                    name: e.name.clone(),
                });
            }
            continue;
        }
        if is_weekend(date) {
            continue;
        }
        let (kind, occurrence) = if let Some(h) = holidays.get(&date) {
            (DayOffKind::Holiday, h.clone())
        } else if let Some(c) = compensatory.get(&date) {
            (DayOffKind::Compensatory, c.clone())
        } else if let Some(e) = exception {
            (
                DayOffKind::AnnouncedOff,
                Occurrence {
                    name: e.name.clone(),
                    provisional: false,
                },
            )
        } else {
            continue;
        };
        days_off.push(DayOff {
            date,
            kind,
            name: occurrence.name,
            provisional: occurrence.provisional,
        });
    }
    Ok(YearSchedule {
        year,
        days_off,
        extra_workdays,
    })
}
