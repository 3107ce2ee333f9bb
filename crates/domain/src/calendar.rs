//! The calendar at the boundary: parsing what people type (dates, announced exceptions,
//! working-time budgets) into `motcua_calendar` values, and calendar errors in the shared
//! error vocabulary. The arithmetic itself lives in the `motcua-calendar` crate.

use motcua_calendar::{
    CalendarError, Exception, ExceptionKind, FIRST_SUPPORTED_DATE, HolidayRules,
    LAST_SUPPORTED_DATE,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::{Error, ErrorKind, Result, text};

/// Longest exception name people may type.
pub const NAME_MAX: usize = 200;
/// Longest legal reference.
pub const LEGAL_REF_MAX: usize = 500;

/// A calendar error as an [`Error`]: the calendar's stable code and Vietnamese message, 422
/// (the input was well formed but the calendar cannot answer it).
pub fn calendar_error(e: &CalendarError) -> Error {
    Error::new(ErrorKind::Unprocessable, e.code(), e.message())
}

/// `YYYY-MM-DD` → a date, or 400 `invalid_date`.
pub fn parse_date(field: &'static str, value: &str) -> Result<Date> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        Error::bad_request(
            "invalid_date",
            format!("Ngày \"{value}\" không đúng định dạng YYYY-MM-DD (ví dụ 2025-04-30)."),
        )
        .with_details(serde_json::json!({ "field": field }))
    })
}

/// RFC 3339 instant (any offset) → an instant, or 400 `invalid_instant`.
pub fn parse_instant(field: &'static str, value: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|_| {
        Error::bad_request(
            "invalid_instant",
            format!(
                "Thời điểm \"{value}\" không đúng định dạng RFC 3339 (ví dụ 2025-01-24T10:00:00+07:00)."
            ),
        )
        .with_details(serde_json::json!({ "field": field }))
    })
}

/// A year the calendar supports (1900–2199), or 422 `date_out_of_range`.
pub fn check_year(year: i32) -> Result<i32> {
    if (FIRST_SUPPORTED_DATE.year()..=LAST_SUPPORTED_DATE.year()).contains(&year) {
        Ok(year)
    } else {
        Err(calendar_error(&CalendarError::DateOutOfRange {
            what: format!("năm {year}"),
            first: FIRST_SUPPORTED_DATE,
            last: LAST_SUPPORTED_DATE,
        }))
    }
}

/// A date as stored and answered: `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `day_off` or `working_day`.
pub fn parse_kind(value: &str) -> Result<ExceptionKind> {
    match value.trim() {
        "day_off" => Ok(ExceptionKind::DayOff),
        "working_day" => Ok(ExceptionKind::WorkingDay),
        other => Err(Error::invalid(
            "exception_kind_invalid",
            format!(
                "Loại ngày \"{other}\" không hợp lệ: chỉ nhận day_off (ngày nghỉ) hoặc working_day (ngày làm việc)."
            ),
        )),
    }
}

/// The stored name of a kind.
pub fn kind_str(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::DayOff => "day_off",
        ExceptionKind::WorkingDay => "working_day",
    }
}

/// What a person typed to announce an exception.
#[derive(Debug, Clone, Default)]
pub struct ExceptionInput<'a> {
    pub date: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub legal_ref: Option<&'a str>,
    pub covers: Option<&'a str>,
}

/// Validates an announced exception: the date is in the supported range, the name is
/// present, and `covers` names a holiday rule whose days are chosen each year (only those
/// can be "announced"; a fixed holiday is moved by a day-off/working-day swap instead).
pub fn parse_exception(input: &ExceptionInput<'_>, rules: &HolidayRules) -> Result<Exception> {
    let date = parse_date("date", input.date)?;
    if date < FIRST_SUPPORTED_DATE || date > LAST_SUPPORTED_DATE {
        return Err(calendar_error(&CalendarError::DateOutOfRange {
            what: format!(
                "{:02}/{:02}/{}",
                date.day(),
                u8::from(date.month()),
                date.year()
            ),
            first: FIRST_SUPPORTED_DATE,
            last: LAST_SUPPORTED_DATE,
        }));
    }
    let kind = parse_kind(input.kind)?;
    let name = text::required("name", "Tên ngày", input.name, NAME_MAX)?;
    let legal_ref = text::optional("legal_ref", "Căn cứ", input.legal_ref, LEGAL_REF_MAX)?;
    let covers = match input.covers.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(key) => {
            let chosen: Vec<&str> = rules
                .holidays
                .iter()
                .filter(|r| r.date.chosen_each_year())
                .map(|r| r.key.as_str())
                .collect();
            if !chosen.contains(&key) {
                return Err(Error::invalid(
                    "exception_covers_invalid",
                    format!(
                        "\"{key}\" không phải ngày lễ được công bố hằng năm; chỉ nhận: {}.",
                        chosen.join(", ")
                    ),
                )
                .with_details(serde_json::json!({ "field": "covers", "allowed": chosen })));
            }
            Some(key.to_string())
        }
    };
    Ok(Exception {
        date,
        kind,
        name,
        legal_ref,
        covers,
    })
}

/// A working-time budget in minutes from exactly one of days, hours or minutes.
pub fn budget_minutes(
    days: Option<i64>,
    hours: Option<i64>,
    minutes: Option<i64>,
    minutes_per_day: i64,
) -> Result<i64> {
    let too_large = || {
        Error::invalid(
            "budget_too_large",
            "Thời hạn quá lớn, vượt quá phạm vi lịch hỗ trợ.",
        )
    };
    let minutes = match (days, hours, minutes) {
        (Some(d), None, None) => d.checked_mul(minutes_per_day).ok_or_else(too_large)?,
        (None, Some(h), None) => h.checked_mul(60).ok_or_else(too_large)?,
        (None, None, Some(m)) => m,
        _ => {
            return Err(Error::bad_request(
                "budget_invalid",
                "Cần đúng một trong ba: số ngày làm việc, số giờ làm việc hoặc số phút làm việc.",
            ));
        }
    };
    if minutes < 0 {
        return Err(calendar_error(&CalendarError::NegativeDuration { minutes }));
    }
    Ok(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input<'a>(date: &'a str, kind: &'a str, covers: Option<&'a str>) -> ExceptionInput<'a> {
        ExceptionInput {
            date,
            kind,
            name: "  Nghỉ   bù ",
            legal_ref: Some(""),
            covers,
        }
    }

    #[test]
    fn exceptions_are_validated() {
        let rules = HolidayRules::default();
        let e = parse_exception(
            &input("2027-02-08", "day_off", Some("tet_nguyen_dan")),
            &rules,
        )
        .unwrap();
        assert_eq!(e.date, date!(2027 - 02 - 08));
        assert_eq!(e.name, "Nghỉ bù");
        assert_eq!(e.legal_ref, None);
        assert_eq!(e.covers.as_deref(), Some("tet_nguyen_dan"));
        let code = |i| parse_exception(&i, &rules).unwrap_err().code;
        assert_eq!(code(input("8/2/2027", "day_off", None)), "invalid_date");
        assert_eq!(
            code(input("2300-01-01", "day_off", None)),
            "date_out_of_range"
        );
        assert_eq!(
            code(input("2027-02-08", "off", None)),
            "exception_kind_invalid"
        );
        assert_eq!(
            code(input("2027-02-08", "day_off", Some("quoc_khanh"))),
            "exception_covers_invalid"
        );
        let mut empty = input("2027-02-08", "day_off", None);
        empty.name = " ";
        assert_eq!(code(empty), "field_empty");
    }

    #[test]
    fn budgets_take_exactly_one_unit() {
        assert_eq!(budget_minutes(Some(5), None, None, 480).unwrap(), 2400);
        assert_eq!(budget_minutes(None, Some(3), None, 480).unwrap(), 180);
        assert_eq!(budget_minutes(None, None, Some(7), 480).unwrap(), 7);
        assert_eq!(
            budget_minutes(Some(1), Some(1), None, 480)
                .unwrap_err()
                .code,
            "budget_invalid"
        );
        assert_eq!(
            budget_minutes(None, None, None, 480).unwrap_err().code,
            "budget_invalid"
        );
        assert_eq!(
            budget_minutes(Some(-1), None, None, 480).unwrap_err().code,
            "negative_duration"
        );
        assert_eq!(
            budget_minutes(Some(i64::MAX), None, None, 480)
                .unwrap_err()
                .code,
            "budget_too_large"
        );
    }
}
