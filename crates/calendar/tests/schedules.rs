//! Golden civil-service schedules 2022–2026 (domain brief table) and the holiday rules.

use motcua_calendar::{
    DayOffKind, Exception, HolidayDate, HolidayRule, HolidayRules, YearSchedule,
    shipped_exceptions, year_schedule,
};
use time::{Date, macros::date};

fn schedule(year: i32) -> YearSchedule {
    year_schedule(year, &HolidayRules::default(), &shipped_exceptions()).expect("valid year")
}

fn off(schedule: &YearSchedule) -> Vec<Date> {
    schedule.days_off.iter().map(|d| d.date).collect()
}

fn extra(schedule: &YearSchedule) -> Vec<Date> {
    schedule.extra_workdays.iter().map(|d| d.date).collect()
}

fn provisional(schedule: &YearSchedule) -> Vec<Date> {
    schedule
        .days_off
        .iter()
        .filter(|d| d.provisional)
        .map(|d| d.date)
        .collect()
}

#[test]
fn year_2022() {
    let s = schedule(2022);
    assert_eq!(
        off(&s),
        [
            date!(2022 - 01 - 03), // compensatory for Sat 1/1
            date!(2022 - 01 - 31),
            date!(2022 - 02 - 01),
            date!(2022 - 02 - 02),
            date!(2022 - 02 - 03),
            date!(2022 - 02 - 04),
            date!(2022 - 04 - 11), // compensatory for Giỗ Tổ on Sun 10/4
            date!(2022 - 05 - 02), // compensatory for Sat 30/4
            date!(2022 - 05 - 03), // compensatory for Sun 1/5
            date!(2022 - 09 - 01), // announced adjacent day
            date!(2022 - 09 - 02),
        ]
    );
    assert!(extra(&s).is_empty());
    assert!(provisional(&s).is_empty());
    assert_eq!(s.days_off[0].kind, DayOffKind::Compensatory);
    assert_eq!(s.days_off[0].name, "Nghỉ bù Tết Dương lịch");
}

#[test]
fn year_2023() {
    let s = schedule(2023);
    assert_eq!(
        off(&s),
        [
            date!(2023 - 01 - 02), // compensatory for Sun 1/1
            date!(2023 - 01 - 20),
            date!(2023 - 01 - 23),
            date!(2023 - 01 - 24),
            date!(2023 - 01 - 25),
            date!(2023 - 01 - 26),
            date!(2023 - 05 - 01),
            date!(2023 - 05 - 02), // compensatory for Giỗ Tổ on Sat 29/4
            date!(2023 - 05 - 03), // compensatory for Sun 30/4
            date!(2023 - 09 - 01), // default adjacent day (no announcement in the brief)
            date!(2023 - 09 - 04), // compensatory for Sat 2/9
        ]
    );
    assert_eq!(
        provisional(&s),
        [date!(2023 - 09 - 01)],
        "only the unannounced Quốc khánh adjacent day is provisional"
    );
}

#[test]
fn year_2024() {
    let s = schedule(2024);
    assert_eq!(
        off(&s),
        [
            date!(2024 - 01 - 01),
            date!(2024 - 02 - 08),
            date!(2024 - 02 - 09),
            date!(2024 - 02 - 12),
            date!(2024 - 02 - 13),
            date!(2024 - 02 - 14),
            date!(2024 - 04 - 18), // Giỗ Tổ
            date!(2024 - 04 - 29), // swap
            date!(2024 - 04 - 30),
            date!(2024 - 05 - 01),
            date!(2024 - 09 - 02),
            date!(2024 - 09 - 03), // announced adjacent day
        ]
    );
    assert_eq!(extra(&s), [date!(2024 - 05 - 04)]);
    assert!(provisional(&s).is_empty());
    let swap = s
        .days_off
        .iter()
        .find(|d| d.date == date!(2024 - 04 - 29))
        .expect("listed");
    assert_eq!(swap.kind, DayOffKind::AnnouncedOff);
}

#[test]
fn year_2025() {
    let s = schedule(2025);
    assert_eq!(
        off(&s),
        [
            date!(2025 - 01 - 01),
            date!(2025 - 01 - 27),
            date!(2025 - 01 - 28),
            date!(2025 - 01 - 29),
            date!(2025 - 01 - 30),
            date!(2025 - 01 - 31),
            date!(2025 - 04 - 07), // Giỗ Tổ
            date!(2025 - 04 - 30),
            date!(2025 - 05 - 01),
            date!(2025 - 05 - 02), // swap
            date!(2025 - 09 - 01), // default adjacent day
            date!(2025 - 09 - 02),
        ]
    );
    assert_eq!(extra(&s), [date!(2025 - 04 - 26)]);
    assert_eq!(provisional(&s), [date!(2025 - 09 - 01)]);
}

#[test]
fn year_2026() {
    let s = schedule(2026);
    assert_eq!(
        off(&s),
        [
            date!(2026 - 01 - 01),
            date!(2026 - 02 - 16),
            date!(2026 - 02 - 17),
            date!(2026 - 02 - 18),
            date!(2026 - 02 - 19),
            date!(2026 - 02 - 20),
            date!(2026 - 04 - 27), // compensatory for Giỗ Tổ on Sun 26/4
            date!(2026 - 04 - 30),
            date!(2026 - 05 - 01),
            date!(2026 - 09 - 01), // default adjacent day
            date!(2026 - 09 - 02),
        ]
    );
    let tet = &s.days_off[1];
    assert_eq!(tet.kind, DayOffKind::AnnouncedOff);
    let exceptions = shipped_exceptions();
    let announced = exceptions
        .iter()
        .find(|e| e.date == date!(2026 - 02 - 16))
        .expect("shipped");
    assert_eq!(
        announced.legal_ref.as_deref(),
        Some("Thông báo 9441/TB-BNV")
    );
}

#[test]
fn unannounced_tet_uses_the_provisional_default() {
    // 2027: mùng 1 = Sat 6/2/2027; default days Fri 5/2 .. Tue 9/2, two on the weekend,
    // so compensatory Wed 10/2 and Thu 11/2.
    let s = schedule(2027);
    let tet: Vec<_> = s
        .days_off
        .iter()
        .filter(|d| d.date.month() == time::Month::February)
        .map(|d| (d.date, d.kind, d.provisional))
        .collect();
    assert_eq!(
        tet,
        [
            (date!(2027 - 02 - 05), DayOffKind::Holiday, true),
            (date!(2027 - 02 - 08), DayOffKind::Holiday, true),
            (date!(2027 - 02 - 09), DayOffKind::Holiday, true),
            (date!(2027 - 02 - 10), DayOffKind::Compensatory, true),
            (date!(2027 - 02 - 11), DayOffKind::Compensatory, true),
        ]
    );
}

#[test]
fn quoc_khanh_default_adjacent_day() {
    // 2/9 on Monday (2030) → Tuesday 3/9; on Thursday (2027) → Friday 3/9.
    for (year, expected) in [(2030, date!(2030 - 09 - 03)), (2027, date!(2027 - 09 - 03))] {
        let s = schedule(year);
        let adjacent = s
            .days_off
            .iter()
            .find(|d| d.date == expected)
            .expect("adjacent day listed");
        assert!(adjacent.provisional);
    }
}

#[test]
fn rules_are_data() {
    // An administrator adds Ngày Văn hóa Việt Nam (24/11) from 2026.
    let mut rules = HolidayRules::default();
    rules.holidays.push(HolidayRule {
        key: "van_hoa_viet_nam".into(),
        name: "Ngày Văn hóa Việt Nam".into(),
        date: HolidayDate::Solar { month: 11, day: 24 },
        from_year: Some(2026),
        until_year: None,
        legal_ref: None,
    });
    let s = year_schedule(2026, &rules, &shipped_exceptions()).expect("valid");
    assert!(s.days_off.iter().any(|d| d.date == date!(2026 - 11 - 24)));
    let s = year_schedule(2025, &rules, &shipped_exceptions()).expect("valid");
    assert!(!s.days_off.iter().any(|d| d.date == date!(2025 - 11 - 24)));

    // Round trip through JSON.
    let json = serde_json::to_string(&rules).expect("serialise");
    let back: HolidayRules = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, rules);
    assert!(json.contains(r#""type":"lunar_new_year""#));
}

#[test]
fn serde_names() {
    let s = schedule(2025);
    let json = serde_json::to_value(&s).expect("serialise");
    assert_eq!(json["days_off"][0]["date"], "2025-01-01");
    assert_eq!(json["days_off"][0]["kind"], "holiday");
    assert_eq!(json["days_off"][1]["kind"], "announced_off");
    assert_eq!(json["extra_workdays"][0]["date"], "2025-04-26");
    let s = schedule(2022);
    let json = serde_json::to_value(&s).expect("serialise");
    assert_eq!(json["days_off"][0]["kind"], "compensatory");

    let e: Exception = serde_json::from_str(
        r#"{"date":"2027-02-05","kind":"day_off","name":"Nghỉ Tết","covers":"tet_nguyen_dan"}"#,
    )
    .expect("deserialise");
    assert_eq!(e.date, date!(2027 - 02 - 05));
    assert_eq!(e.legal_ref, None);
}

#[test]
fn errors() {
    let rules = HolidayRules::default();
    assert_eq!(
        year_schedule(2200, &rules, &[]).map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    let conflict = [
        Exception::day_off(date!(2027 - 03 - 01), "Nghỉ", None),
        Exception::working_day(date!(2027 - 03 - 01), "Làm", None),
    ];
    assert_eq!(
        year_schedule(2027, &rules, &conflict).map_err(|e| e.code()),
        Err("conflicting_exceptions")
    );
    let mut bad = HolidayRules::default();
    bad.holidays[0].date = HolidayDate::Solar { month: 2, day: 30 };
    assert_eq!(
        year_schedule(2027, &bad, &[]).map_err(|e| e.code()),
        Err("invalid_holiday_rule")
    );
}

#[test]
fn every_supported_year_builds() {
    let rules = HolidayRules::default();
    let exceptions = shipped_exceptions();
    for year in 1900..=2199 {
        let s = year_schedule(year, &rules, &exceptions).expect("valid year");
        // Statutory: 11 holiday days; weekend ones are compensated, so a year has 11
        // weekdays off, or 10 when Giỗ Tổ falls on 30/4 (as in 1947): a day that is two
        // holidays counts once.
        assert!(s.days_off.len() >= 10, "{year}: {}", s.days_off.len());
    }
}
