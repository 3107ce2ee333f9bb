//! Golden cases from the domain brief (docs: shared/domain/calendar.md).

use motcua_calendar::{CalendarError, LunarDate, LunarTable, lunar_to_solar, solar_to_lunar};
use time::{Date, macros::date};

fn tet(table: &LunarTable, year: i32) -> Date {
    table.new_year(year).expect("year in range")
}

fn gio_to(table: &LunarTable, year: i32) -> Date {
    table
        .to_solar(LunarDate::new(year, 3, 10, false))
        .expect("year in range")
}

#[test]
fn vietnam_and_china_differ_as_documented() {
    let vn = LunarTable::vietnam();
    let cn = LunarTable::china();
    let cases = [
        (1968, date!(1968 - 01 - 29), date!(1968 - 01 - 30)),
        (1985, date!(1985 - 01 - 21), date!(1985 - 02 - 20)),
        (2007, date!(2007 - 02 - 17), date!(2007 - 02 - 18)),
        (2030, date!(2030 - 02 - 02), date!(2030 - 02 - 03)),
        (2053, date!(2053 - 02 - 18), date!(2053 - 02 - 19)),
    ];
    for (year, vietnam, china) in cases {
        assert_eq!(tet(vn, year), vietnam, "Tết {year} UTC+7");
        assert_eq!(tet(cn, year), china, "Tết {year} UTC+8");
    }
    assert_eq!(gio_to(vn, 2009), date!(2009 - 04 - 04));
    assert_eq!(gio_to(cn, 2009), date!(2009 - 04 - 05));
}

#[test]
fn recent_tet_and_gio_to() {
    let vn = LunarTable::vietnam();
    let tets = [
        (2023, date!(2023 - 01 - 22)),
        (2024, date!(2024 - 02 - 10)),
        (2025, date!(2025 - 01 - 29)),
        (2026, date!(2026 - 02 - 17)),
    ];
    for (year, expected) in tets {
        assert_eq!(tet(vn, year), expected, "Tết {year}");
    }
    let gio = [
        (2023, date!(2023 - 04 - 29)),
        (2024, date!(2024 - 04 - 18)),
        (2025, date!(2025 - 04 - 07)),
        (2026, date!(2026 - 04 - 26)),
    ];
    for (year, expected) in gio {
        assert_eq!(gio_to(vn, year), expected, "Giỗ Tổ {year}");
    }
}

#[test]
fn tet_1985_in_vietnam() {
    let lunar = solar_to_lunar(date!(1985 - 01 - 21)).expect("in range");
    assert_eq!(lunar, LunarDate::new(1985, 1, 1, false));
    assert_eq!(lunar.year_name(), "Ất Sửu");
    // The day before is the last day of month 12 of 1984 (Giáp Tý).
    let eve = solar_to_lunar(date!(1985 - 01 - 20)).expect("in range");
    assert_eq!((eve.year, eve.month, eve.leap), (1984, 12, false));
    assert_eq!(eve.year_name(), "Giáp Tý");
}

#[test]
fn gio_to_2025() {
    assert_eq!(
        lunar_to_solar(LunarDate::new(2025, 3, 10, false)),
        Ok(date!(2025 - 04 - 07))
    );
    assert_eq!(motcua_calendar::can_chi_year(2025), "Ất Tỵ");
}

#[test]
fn leap_months() {
    let vn = LunarTable::vietnam();
    assert_eq!(vn.leap_month(2023), Ok(Some(2)));
    assert_eq!(vn.leap_month(2025), Ok(Some(6)));
    assert_eq!(vn.leap_month(2024), Ok(None));
    // 2025-07-25 is mùng 1 of the leap 6th month.
    assert_eq!(
        solar_to_lunar(date!(2025 - 07 - 25)),
        Ok(LunarDate::new(2025, 6, 1, true))
    );
}

#[test]
fn invalid_lunar_dates() {
    // 2024 has no leap month.
    let err = lunar_to_solar(LunarDate::new(2024, 4, 1, true)).expect_err("no leap month");
    assert_eq!(err.code(), "lunar_date_invalid");
    // The message names the date that was asked for, not the month's first day.
    let err = lunar_to_solar(LunarDate::new(2025, 3, 10, true)).expect_err("2025 leaps month 6");
    assert_eq!(err.message(), "Ngày âm lịch 10/3 nhuận/2025 không tồn tại.");
    // Find a 29-day month and ask for its day 30.
    let vn = LunarTable::vietnam();
    let short = (1..=12)
        .find(|&m| vn.month_length(2025, m, false) == Ok(29))
        .expect("some month has 29 days");
    let err = lunar_to_solar(LunarDate::new(2025, short, 30, false)).expect_err("day 30");
    assert_eq!(err.code(), "lunar_date_invalid");
    assert!(err.message().contains("không tồn tại"));
    for bad in [
        LunarDate::new(2025, 0, 1, false),
        LunarDate::new(2025, 13, 1, false),
        LunarDate::new(2025, 1, 0, false),
        LunarDate::new(2025, 1, 31, false),
    ] {
        assert_eq!(
            lunar_to_solar(bad).map_err(|e| e.code()),
            Err("lunar_date_invalid")
        );
    }
}

#[test]
fn out_of_range() {
    for date in [date!(1899 - 12 - 31), date!(2200 - 01 - 01)] {
        let err = solar_to_lunar(date).expect_err("out of range");
        assert_eq!(err.code(), "date_out_of_range");
        assert!(err.message().contains("phạm vi"));
    }
    assert_eq!(
        lunar_to_solar(LunarDate::new(2300, 1, 1, false)).map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    assert_eq!(
        lunar_to_solar(LunarDate::new(2200, 1, 1, false)).map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    assert!(matches!(
        LunarTable::new(15),
        Err(CalendarError::InvalidTimeZone { hours: 15 })
    ));
}

#[test]
fn round_trip_every_day_of_the_range() {
    for tz in [7, 8] {
        let table = LunarTable::new(tz).expect("valid tz");
        let mut day = motcua_calendar::FIRST_SUPPORTED_DATE;
        let mut previous: Option<LunarDate> = None;
        loop {
            let lunar = table.to_lunar(day).expect("in range");
            assert_eq!(table.to_solar(lunar), Ok(day), "{day} tz {tz}");
            if let Some(prev) = previous {
                // Consecutive days: next day of month, or day 1 of a new month.
                if lunar.day != 1 {
                    assert_eq!(lunar.day, prev.day + 1, "{day}");
                } else {
                    assert!(prev.day == 29 || prev.day == 30, "{day}");
                }
            }
            previous = Some(lunar);
            match day.next_day() {
                Some(next) if next <= motcua_calendar::LAST_SUPPORTED_DATE => day = next,
                _ => break,
            }
        }
    }
}
