//! Working-time calendar for motcua: the Vietnamese lunar calendar, statutory holidays,
//! announced day swaps and deadline arithmetic. Pure: no I/O, no clock.
//!
//! - [`lunar`]: solar ↔ lunar conversion computed astronomically (UTC+7 for Vietnam).
//! - [`holidays`]: statutory holidays as data ([`HolidayRules`]), compensatory days and the
//!   yearly schedule ([`year_schedule`]).
//! - [`exceptions`]: announced days off and worked Saturdays ([`shipped_exceptions`]).
//! - [`office_hours`] and [`working_time`]: deadlines in working minutes
//!   ([`WorkingCalendar`]).
//!
//! Supported range: 1900-01-01 to 2199-12-31. See docs/calendar.md.

mod astronomy;
pub mod error;
pub mod exceptions;
pub mod holidays;
pub mod lunar;
pub mod office_hours;
pub mod working_time;

pub use error::{CalendarError, Result};
pub use exceptions::{Exception, ExceptionKind, shipped_exceptions};
pub use holidays::{
    DayOff, DayOffKind, ExtraWorkday, HolidayDate, HolidayRule, HolidayRules, QUOC_KHANH_ADJACENT,
    TET_NGUYEN_DAN, YearSchedule, year_schedule,
};
pub use lunar::{
    CHINA_TZ, FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, LunarDate, LunarTable, VIETNAM_TZ,
    can_chi_year, lunar_to_solar, solar_to_lunar,
};
pub use office_hours::{OfficeHours, OfficePeriod};
pub use working_time::{Deadline, VIETNAM_OFFSET, WorkingCalendar};
