//! Working-time arithmetic: examples, properties, and a naive day-by-day reference.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use motcua_calendar::{
    HolidayRules, OfficeHours, OfficePeriod, VIETNAM_OFFSET, WorkingCalendar, YearSchedule,
    shipped_exceptions, year_schedule,
};
use proptest::prelude::*;
use time::{Date, Duration, OffsetDateTime, Time, macros::datetime, macros::time};

fn calendar() -> &'static WorkingCalendar {
    static CALENDAR: OnceLock<WorkingCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| {
        WorkingCalendar::new(
            &HolidayRules::default(),
            &shipped_exceptions(),
            OfficeHours::default(),
        )
        .expect("valid settings")
    })
}

// ---- naive reference: walks day by day, in seconds, straight from the year schedules ----

const FIRST_YEAR: i32 = 2019;
const LAST_YEAR: i32 = 2036;

fn schedules() -> &'static BTreeMap<i32, YearSchedule> {
    static SCHEDULES: OnceLock<BTreeMap<i32, YearSchedule>> = OnceLock::new();
    SCHEDULES.get_or_init(|| {
        (FIRST_YEAR..=LAST_YEAR)
            .map(|y| {
                let s = year_schedule(y, &HolidayRules::default(), &shipped_exceptions());
                (y, s.expect("valid year"))
            })
            .collect()
    })
}

fn naive_is_working(date: Date) -> bool {
    schedules()[&date.year()].is_working_day(date)
}

/// Office periods in seconds since midnight.
const PERIODS: [(i64, i64); 2] = [(8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600)];

fn seconds_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

fn at(date: Date, seconds: i64) -> OffsetDateTime {
    date.midnight().assume_offset(VIETNAM_OFFSET) + Duration::seconds(seconds)
}

fn naive_counted_from(start: OffsetDateTime) -> OffsetDateTime {
    let local = start.to_offset(VIETNAM_OFFSET);
    let (mut date, mut t) = (local.date(), seconds_of_day(local.time()));
    loop {
        if naive_is_working(date) {
            for (s, e) in PERIODS {
                if t < e {
                    return at(date, s.max(t));
                }
            }
        }
        date = date.next_day().expect("in range");
        t = 0;
    }
}

fn naive_add(start: OffsetDateTime, minutes: i64) -> OffsetDateTime {
    if minutes == 0 {
        return naive_counted_from(start);
    }
    let local = start.to_offset(VIETNAM_OFFSET);
    let (mut date, mut t) = (local.date(), seconds_of_day(local.time()));
    let mut remaining = minutes * 60;
    loop {
        if naive_is_working(date) {
            for (s, e) in PERIODS {
                let from = s.max(t);
                if from < e {
                    if remaining <= e - from {
                        return at(date, from + remaining);
                    }
                    remaining -= e - from;
                }
            }
        }
        date = date.next_day().expect("in range");
        t = 0;
    }
}

fn naive_between(a: OffsetDateTime, b: OffsetDateTime) -> i64 {
    if b <= a {
        return 0;
    }
    let (a, b) = (a.to_offset(VIETNAM_OFFSET), b.to_offset(VIETNAM_OFFSET));
    let mut seconds = 0;
    let mut date = a.date();
    while date <= b.date() {
        if naive_is_working(date) {
            let lo = if date == a.date() {
                seconds_of_day(a.time())
            } else {
                0
            };
            let hi = if date == b.date() {
                seconds_of_day(b.time())
            } else {
                86_400
            };
            for (s, e) in PERIODS {
                seconds += (hi.min(e) - lo.max(s)).max(0);
            }
        }
        date = date.next_day().expect("in range");
    }
    seconds / 60
}

// ---- examples ----

#[test]
fn shareable_across_threads() {
    fn check<T: Send + Sync>() {}
    check::<WorkingCalendar>();
    check::<motcua_calendar::LunarTable>();
}

#[test]
fn five_days_across_tet_2025() {
    let received = datetime!(2025-01-24 10:00 +7);
    let d = calendar().deadline(received, 5 * 480).expect("in range");
    assert_eq!(d.counted_from, received);
    assert_eq!(d.due_at, datetime!(2025-02-07 10:00 +7));
    assert_eq!(
        calendar().add_working_days(received, 5),
        Ok(datetime!(2025-02-07 10:00 +7))
    );
}

#[test]
fn budgets_end_at_the_earliest_instant() {
    let cal = calendar();
    // Monday 2025-03-03.
    let monday_8 = datetime!(2025-03-03 08:00 +7);
    assert_eq!(
        cal.add_working_minutes(monday_8, 480),
        Ok(datetime!(2025-03-03 17:00 +7))
    );
    assert_eq!(
        cal.add_working_minutes(monday_8, 240),
        Ok(datetime!(2025-03-03 12:00 +7))
    );
    assert_eq!(
        cal.add_working_minutes(monday_8, 241),
        Ok(datetime!(2025-03-03 13:01 +7))
    );
    assert_eq!(
        cal.add_working_minutes(monday_8, 481),
        Ok(datetime!(2025-03-04 08:01 +7))
    );
    // Friday 16:00 + 2 h → Monday 09:00.
    assert_eq!(
        cal.add_working_minutes(datetime!(2025-03-07 16:00 +7), 120),
        Ok(datetime!(2025-03-10 09:00 +7))
    );
    // Received in the lunch break or at night: counting starts at the next period.
    assert_eq!(
        cal.counted_from(datetime!(2025-03-03 12:30 +7)),
        Ok(datetime!(2025-03-03 13:00 +7))
    );
    assert_eq!(
        cal.counted_from(datetime!(2025-03-03 17:00 +7)),
        Ok(datetime!(2025-03-04 08:00 +7))
    );
    assert_eq!(
        cal.add_working_minutes(datetime!(2025-03-03 12:00 +7), 0),
        Ok(datetime!(2025-03-03 13:00 +7))
    );
    // Sat 26/4/2025 is a worked Saturday; Fri 2/5/2025 is off.
    assert_eq!(
        cal.is_working_day(time::macros::date!(2025 - 04 - 26)),
        Ok(true)
    );
    assert_eq!(
        cal.is_working_day(time::macros::date!(2025 - 05 - 02)),
        Ok(false)
    );
    assert_eq!(
        cal.counted_from(datetime!(2025-04-25 18:00 +7)),
        Ok(datetime!(2025-04-26 08:00 +7))
    );
}

#[test]
fn other_offsets_are_converted_and_answers_are_in_vietnam_time() {
    let cal = calendar();
    let utc = datetime!(2025-03-03 01:00 UTC); // 08:00 in Vietnam
    let due = cal.add_working_minutes(utc, 60).expect("in range");
    assert_eq!(due, datetime!(2025-03-03 09:00 +7));
    assert_eq!(due.offset(), VIETNAM_OFFSET);
    assert_eq!(
        cal.working_minutes_between(utc, datetime!(2025-03-04 09:30 +7)),
        Ok(480 + 90)
    );
    assert_eq!(
        cal.working_minutes_between(datetime!(2025-03-04 09:30 +7), utc),
        Ok(0)
    );
}

#[test]
fn errors() {
    let cal = calendar();
    let err = cal
        .add_working_minutes(datetime!(2025-03-03 08:00 +7), -1)
        .expect_err("negative");
    assert_eq!(err.code(), "negative_duration");
    let err = cal
        .add_working_minutes(datetime!(2199-12-31 16:00 +7), 120)
        .expect_err("beyond range");
    assert_eq!(err.code(), "date_out_of_range");
    assert_eq!(
        cal.counted_from(datetime!(1899-12-31 16:59 UTC))
            .map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    assert_eq!(
        cal.add_working_minutes(datetime!(2025-03-03 08:00 +7), i64::MAX)
            .map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    // Instants whose Vietnam time would overflow the `time` crate are errors, not panics.
    assert_eq!(
        cal.deadline(datetime!(9999-12-31 23:00 -5), 60)
            .map_err(|e| e.code()),
        Err("date_out_of_range")
    );
    let bad = OfficeHours::new(vec![OfficePeriod {
        start: time!(13:00),
        end: time!(12:00),
    }]);
    assert_eq!(bad.map_err(|e| e.code()), Err("invalid_office_hours"));
    let overlapping = OfficeHours::new(vec![
        OfficePeriod {
            start: time!(08:00),
            end: time!(12:00),
        },
        OfficePeriod {
            start: time!(11:00),
            end: time!(17:00),
        },
    ]);
    assert_eq!(
        overlapping.map_err(|e| e.code()),
        Err("invalid_office_hours")
    );
    assert_eq!(
        OfficeHours::new(vec![]).map_err(|e| e.code()),
        Err("invalid_office_hours")
    );
    assert_eq!(OfficeHours::default().minutes_per_day(), 480);
}

#[test]
fn office_hours_serde() {
    let json = serde_json::to_string(&OfficeHours::default()).expect("serialise");
    assert_eq!(
        json,
        r#"{"periods":[{"start":"08:00","end":"12:00"},{"start":"13:00","end":"17:00"}]}"#
    );
    let back: OfficeHours = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, OfficeHours::default());
}

// ---- properties ----

/// Instants 2020-01-01 .. 2034-12-31 in Vietnam time, on whole seconds.
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..15 * 365 * 86_400).prop_map(|s| datetime!(2020-01-01 00:00 +7) + Duration::seconds(s))
}

/// Budgets up to 60 working days.
fn budget() -> impl Strategy<Value = i64> {
    0i64..=60 * 480
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn matches_the_naive_reference(start in instant(), minutes in budget()) {
        let cal = calendar();
        prop_assert_eq!(cal.add_working_minutes(start, minutes)?, naive_add(start, minutes));
        prop_assert_eq!(cal.counted_from(start)?, naive_counted_from(start));
    }

    #[test]
    fn between_matches_the_naive_reference(a in instant(), span in 0i64..90 * 86_400) {
        let b = a + Duration::seconds(span);
        prop_assert_eq!(calendar().working_minutes_between(a, b)?, naive_between(a, b));
    }

    #[test]
    fn due_is_not_before_start(start in instant(), minutes in budget()) {
        prop_assert!(calendar().add_working_minutes(start, minutes)? >= start);
    }

    #[test]
    fn budgets_add_up(start in instant(), a in 1i64..=30 * 480, b in 1i64..=30 * 480) {
        let cal = calendar();
        let whole = cal.add_working_minutes(start, a + b)?;
        // In general, and from a start normalised with counted_from.
        prop_assert_eq!(cal.add_working_minutes(cal.add_working_minutes(start, a)?, b)?, whole);
        let normalised = cal.counted_from(start)?;
        prop_assert_eq!(
            cal.add_working_minutes(cal.add_working_minutes(normalised, a)?, b)?,
            whole
        );
        prop_assert_eq!(cal.add_working_minutes(normalised, a + b)?, whole);
    }

    #[test]
    fn between_inverts_add(start in instant(), minutes in budget()) {
        let cal = calendar();
        let due = cal.add_working_minutes(start, minutes)?;
        prop_assert_eq!(cal.working_minutes_between(start, due)?, minutes);
    }

    #[test]
    fn later_receipt_never_due_earlier(a in instant(), later in 0i64..30 * 86_400, minutes in budget()) {
        let cal = calendar();
        let b = a + Duration::seconds(later);
        prop_assert!(cal.add_working_minutes(b, minutes)? >= cal.add_working_minutes(a, minutes)?);
        prop_assert!(cal.counted_from(b)? >= cal.counted_from(a)?);
    }
}
