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
//!
//! ```
//! use motcua_calendar::{
//!     HolidayRules, LunarDate, OfficeHours, WorkingCalendar, lunar_to_solar, shipped_exceptions,
//! };
//! use time::macros::{date, datetime};
//!
//! // Giỗ Tổ Hùng Vương 2025 (10/3 âm lịch).
//! assert_eq!(lunar_to_solar(LunarDate::new(2025, 3, 10, false))?, date!(2025 - 04 - 07));
//!
//! // Build once per settings version, then query.
//! let calendar = WorkingCalendar::new(
//!     &HolidayRules::default(),
//!     &shipped_exceptions(),
//!     OfficeHours::default(),
//! )?;
//! // Received Friday before Tết 2025, five working days (Tết is off 25/1–2/2).
//! let due = calendar.add_working_days(datetime!(2025-01-24 10:00 +7), 5)?;
//! assert_eq!(due, datetime!(2025-02-07 10:00 +7));
//! # Ok::<(), motcua_calendar::CalendarError>(())
//! ```

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
