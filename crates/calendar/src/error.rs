//! The one error type of the crate, with stable codes and Vietnamese messages.

use time::Date;

/// Convenience alias used across the crate.
pub type Result<T, E = CalendarError> = std::result::Result<T, E>;

/// Everything that can go wrong when asking the calendar a question.
///
/// [`CalendarError::code`] is stable and meant for machines (API error codes);
/// [`CalendarError::message`] is a Vietnamese sentence meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date or instant outside the range the calendar was built for.
    #[error("{what} is outside the supported range {first}..={last}")]
    DateOutOfRange {
        /// The offending value, as a person would write it (e.g. `31/12/2250`).
        what: String,
        /// First supported date.
        first: Date,
        /// Last supported date.
        last: Date,
    },
    /// A lunar year, month or day number that does not exist or is outside the table.
    #[error("lunar date {year}-{month}-{day}{} does not exist", if *leap { " (leap)" } else { "" })]
    LunarDateInvalid {
        /// Lunar year.
        year: i32,
        /// Lunar month number 1..=12.
        month: u8,
        /// Day of the lunar month.
        day: u8,
        /// Whether the leap month was asked for.
        leap: bool,
    },
    /// A time zone outside UTC-12..=UTC+14.
    #[error("time zone UTC{hours:+} is not supported")]
    InvalidTimeZone {
        /// The offset in hours that was asked for.
        hours: i8,
    },
    /// Office hours that are empty, unordered, overlapping or not on whole minutes.
    #[error("invalid office hours: {reason}")]
    InvalidOfficeHours {
        /// What is wrong, in English.
        reason: String,
    },
    /// A holiday rule that cannot be evaluated (bad month/day numbers, no key, ...).
    #[error("invalid holiday rule {key:?}: {reason}")]
    InvalidHolidayRule {
        /// The rule's key.
        key: String,
        /// What is wrong, in English.
        reason: String,
    },
    /// Two announced exceptions say opposite things about the same day.
    #[error("conflicting exceptions on {date}")]
    ConflictingExceptions {
        /// The day announced both as a day off and as a working day.
        date: Date,
    },
    /// A negative working-time budget.
    #[error("negative working-time budget: {minutes} minutes")]
    NegativeDuration {
        /// The budget that was asked for.
        minutes: i64,
    },
    /// A year range given to a builder that is empty or outside the supported range.
    #[error("invalid year range {first}..={last}")]
    InvalidYearRange {
        /// First year asked for.
        first: i32,
        /// Last year asked for.
        last: i32,
    },
}

impl CalendarError {
    /// A [`CalendarError::DateOutOfRange`] for a solar date.
    pub(crate) fn out_of_range(date: Date, first: Date, last: Date) -> Self {
        Self::DateOutOfRange {
            what: vn(date),
            first,
            last,
        }
    }

    /// Stable, machine-readable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::LunarDateInvalid { .. } => "lunar_date_invalid",
            Self::InvalidTimeZone { .. } => "invalid_time_zone",
            Self::InvalidOfficeHours { .. } => "invalid_office_hours",
            Self::InvalidHolidayRule { .. } => "invalid_holiday_rule",
            Self::ConflictingExceptions { .. } => "conflicting_exceptions",
            Self::NegativeDuration { .. } => "negative_duration",
            Self::InvalidYearRange { .. } => "invalid_year_range",
        }
    }

    /// A Vietnamese sentence for people (dates as dd/mm/yyyy).
    pub fn message(&self) -> String {
        match self {
            Self::DateOutOfRange { what, first, last } => format!(
                "Ngày {what} nằm ngoài phạm vi lịch hỗ trợ ({} – {}).",
                vn(*first),
                vn(*last)
            ),
            Self::LunarDateInvalid {
                year,
                month,
                day,
                leap,
            } => format!(
                "Ngày âm lịch {day}/{month}{}/{year} không tồn tại.",
                if *leap { " nhuận" } else { "" }
            ),
            Self::InvalidTimeZone { hours } => {
                format!("Múi giờ UTC{hours:+} không được hỗ trợ (chỉ từ UTC-12 đến UTC+14).")
            }
            Self::InvalidOfficeHours { .. } => {
                "Giờ làm việc không hợp lệ: các khoảng phải khác rỗng, theo thứ tự, không chồng lấn và tính theo phút tròn.".to_string()
            }
            Self::InvalidHolidayRule { key, .. } => {
                format!("Quy tắc ngày nghỉ lễ \"{key}\" không hợp lệ.")
            }
            Self::ConflictingExceptions { date } => format!(
                "Ngày {} vừa được công bố là ngày nghỉ vừa là ngày làm việc.",
                vn(*date)
            ),
            Self::NegativeDuration { minutes } => {
                format!("Thời hạn không được âm ({minutes} phút).")
            }
            Self::InvalidYearRange { first, last } => {
                format!("Khoảng năm {first}–{last} không hợp lệ.")
            }
        }
    }
}

/// Formats a date the Vietnamese way, dd/mm/yyyy.
pub(crate) fn vn(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}
