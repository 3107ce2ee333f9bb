use proptest::prelude::*;
use time::macros::{date, datetime};

use super::*;

fn p(spec: &str) -> ReportPeriod {
    ReportPeriod::parse(spec, false).expect(spec)
}

fn cal(spec: &str) -> ReportPeriod {
    ReportPeriod::parse(spec, true).expect(spec)
}

#[test]
fn official_periods_run_from_the_15th_to_the_14th() {
    let q3 = p("2022-Q3");
    assert_eq!(
        (q3.from, q3.to),
        (date!(2022 - 06 - 15), date!(2022 - 09 - 14))
    );
    assert_eq!(q3.label, "Quý III/2022");
    assert_eq!(q3.spec, "2022-Q3");
    let q1 = p("2022-Q1");
    assert_eq!(
        (q1.from, q1.to),
        (date!(2021 - 12 - 15), date!(2022 - 03 - 14))
    );
    let h1 = p("2022-H1");
    assert_eq!(
        (h1.from, h1.to),
        (date!(2021 - 12 - 15), date!(2022 - 06 - 14))
    );
    assert_eq!(h1.label, "6 tháng đầu năm 2022");
    let h2 = p("2022-H2");
    assert_eq!(
        (h2.from, h2.to),
        (date!(2022 - 06 - 15), date!(2022 - 12 - 14))
    );
    let y = p("2022-Y");
    assert_eq!(
        (y.from, y.to),
        (date!(2021 - 12 - 15), date!(2022 - 12 - 14))
    );
    assert_eq!(y.label, "Năm 2022");
    let m = p("2022-09");
    assert_eq!(
        (m.from, m.to),
        (date!(2022 - 08 - 15), date!(2022 - 09 - 14))
    );
    assert_eq!(m.label, "Tháng 9/2022");
    let jan = p("2023-01");
    assert_eq!(
        (jan.from, jan.to),
        (date!(2022 - 12 - 15), date!(2023 - 01 - 14))
    );
    // Lower case and spaces are accepted.
    assert_eq!(p(" 2022-q3 "), q3);
}

#[test]
fn calendar_periods() {
    let q3 = cal("2022-Q3");
    assert_eq!(
        (q3.from, q3.to),
        (date!(2022 - 07 - 01), date!(2022 - 09 - 30))
    );
    let h1 = cal("2022-H1");
    assert_eq!(
        (h1.from, h1.to),
        (date!(2022 - 01 - 01), date!(2022 - 06 - 30))
    );
    let y = cal("2024-Y");
    assert_eq!(
        (y.from, y.to),
        (date!(2024 - 01 - 01), date!(2024 - 12 - 31))
    );
    let feb = cal("2024-02");
    assert_eq!(
        (feb.from, feb.to),
        (date!(2024 - 02 - 01), date!(2024 - 02 - 29))
    );
}

#[test]
fn instants_are_vietnam_midnights() {
    let q3 = p("2022-Q3");
    assert_eq!(q3.start(), datetime!(2022-06-15 00:00 +7));
    assert_eq!(q3.end(), datetime!(2022-09-15 00:00 +7));
    assert_eq!(q3.dates_line(), "Từ ngày 15/06/2022 đến ngày 14/09/2022");
}

#[test]
fn bad_specs_answer_a_stable_code_in_vietnamese() {
    for bad in [
        "", "2022", "2022-Q5", "2022-Q0", "2022-H3", "2022-13", "2022-00", "22-Q3", "2022-Q",
        "2022-9", "2022-X", "abcd-Q1", "2022-Q33", "2022-+1", "2022-Y1",
    ] {
        let e = ReportPeriod::parse(bad, false).expect_err(bad);
        assert_eq!(e.code, "report_period_invalid", "{bad}");
        assert!(e.message.contains("Kỳ báo cáo"), "{bad}: {}", e.message);
    }
    let e = ReportPeriod::range(date!(2022 - 09 - 02), date!(2022 - 09 - 01)).unwrap_err();
    assert_eq!(e.code, "report_range_invalid");
    assert_eq!(RowsBy::parse("x").unwrap_err().code, "report_rows_invalid");
    assert_eq!(RowsBy::parse("unit").unwrap(), RowsBy::Unit);
}

#[test]
fn previous_periods_touch_this_one() {
    for (spec, prev) in [
        ("2022-Q3", "2022-Q2"),
        ("2022-Q1", "2021-Q4"),
        ("2022-H1", "2021-H2"),
        ("2022-H2", "2022-H1"),
        ("2022-Y", "2021-Y"),
        ("2022-01", "2021-12"),
        ("2022-09", "2022-08"),
    ] {
        for calendar in [false, true] {
            let this = ReportPeriod::parse(spec, calendar).unwrap();
            let before = this.previous().unwrap();
            assert_eq!(before, ReportPeriod::parse(prev, calendar).unwrap());
            assert_eq!(before.end(), this.start(), "{spec} {calendar}");
        }
    }
    let r = ReportPeriod::range(date!(2022 - 07 - 01), date!(2022 - 07 - 10)).unwrap();
    let before = r.previous().unwrap();
    assert_eq!(
        (before.from, before.to),
        (date!(2022 - 06 - 21), date!(2022 - 06 - 30))
    );
    assert_eq!(before.end(), r.start());
    assert_eq!(r.label, "Từ ngày 01/07/2022 đến ngày 10/07/2022");
}

fn facts(received: OffsetDateTime, due: OffsetDateTime) -> DossierFacts {
    DossierFacts {
        received_at: received,
        online: false,
        resolved_at: None,
        without_result: false,
        legal_due_at: due,
        pauses: vec![],
    }
}

#[test]
fn overdue_as_the_dossier_stood_then() {
    let end = datetime!(2022-09-15 00:00 +7);
    // Due 13/09, paused from 10/09 (before due) to 20/09: at the end it was paused and not
    // overdue when the pause started, whatever its due became later.
    let mut f = facts(
        datetime!(2022-09-01 9:00 +7),
        datetime!(2022-09-23 17:00 +7),
    );
    f.pauses.push(Pause {
        started_at: datetime!(2022-09-10 9:00 +7),
        ended_at: Some(datetime!(2022-09-20 9:00 +7)),
        due_before: datetime!(2022-09-13 17:00 +7),
    });
    assert!(!overdue_at(&f, end));
    // Paused after the due instant: overdue.
    f.pauses[0].started_at = datetime!(2022-09-14 9:00 +7);
    assert!(overdue_at(&f, end));
    // A pause after the end: the due before it counts.
    f.pauses[0].started_at = datetime!(2022-09-16 9:00 +7);
    assert!(overdue_at(&f, end));
    f.pauses[0].due_before = datetime!(2022-09-16 17:00 +7);
    assert!(!overdue_at(&f, end));
    // A pause over before the end: the current due counts.
    f.pauses[0] = Pause {
        started_at: datetime!(2022-09-02 9:00 +7),
        ended_at: Some(datetime!(2022-09-05 9:00 +7)),
        due_before: datetime!(2022-09-10 17:00 +7),
    };
    f.legal_due_at = datetime!(2022-09-13 17:00 +7);
    assert!(overdue_at(&f, end));
    f.legal_due_at = datetime!(2022-09-15 17:00 +7);
    assert!(!overdue_at(&f, end));
}

#[test]
fn contributions_per_column() {
    let q3 = p("2022-Q3");
    // Received in Q2's last days, resolved late in Q3.
    let mut f = facts(
        datetime!(2022-06-10 9:00 +7),
        datetime!(2022-06-20 17:00 +7),
    );
    f.resolved_at = Some(datetime!(2022-06-21 9:00 +7));
    let r = contribution(&f, &q3);
    assert_eq!(
        (r.carried_over, r.resolved_late, r.received_total()),
        (1, 1, 1)
    );
    // Received online in Q3, resolved early.
    let mut f = facts(
        datetime!(2022-07-01 9:00 +7),
        datetime!(2022-07-08 17:00 +7),
    );
    f.online = true;
    f.resolved_at = Some(datetime!(2022-07-05 9:00 +7));
    let r = contribution(&f, &q3);
    assert_eq!((r.received_online, r.resolved_early), (1, 1));
    // On the due date: on time.
    f.resolved_at = Some(datetime!(2022-07-08 16:00 +7));
    assert_eq!(contribution(&f, &q3).resolved_on_time, 1);
    // Withdrawn: left without a result.
    f.without_result = true;
    let r = contribution(&f, &q3);
    assert_eq!((r.left_without_result, r.resolved_total()), (1, 0));
    // Received on the last day, pending at the end, within the deadline.
    let f = facts(
        datetime!(2022-09-14 23:59 +7),
        datetime!(2022-09-20 17:00 +7),
    );
    let r = contribution(&f, &q3);
    assert_eq!((r.received_offline, r.pending_within), (1, 1));
    // Received the next day: not in Q3 at all.
    let f = facts(
        datetime!(2022-09-15 00:00 +7),
        datetime!(2022-09-20 17:00 +7),
    );
    assert!(contribution(&f, &q3).is_empty());
}

fn arb_instant() -> impl Strategy<Value = OffsetDateTime> {
    // 2022-04-01 .. 2022-12-31, in minutes.
    (0i64..(275 * 24 * 60))
        .prop_map(|m| datetime!(2022-04-01 00:00 +7) + time::Duration::minutes(m))
}

fn arb_facts() -> impl Strategy<Value = DossierFacts> {
    (
        arb_instant(),
        any::<bool>(),
        proptest::option::of(1i64..(120 * 24 * 60)),
        any::<bool>(),
        1i64..(30 * 24 * 60),
        proptest::option::of((
            0i64..(20 * 24 * 60),
            proptest::option::of(1i64..(20 * 24 * 60)),
        )),
    )
        .prop_map(|(received, online, life, without, due_in, pause)| {
            let resolved_at = life.map(|m| received + time::Duration::minutes(m));
            let mut due = received + time::Duration::minutes(due_in);
            let mut pauses = vec![];
            if let Some((after, length)) = pause {
                let started = received + time::Duration::minutes(after);
                if resolved_at.is_none_or(|r| started < r) {
                    let ended = length
                        .map(|l| started + time::Duration::minutes(l))
                        .map(|e| resolved_at.map_or(e, |r| e.min(r)));
                    pauses.push(Pause {
                        started_at: started,
                        ended_at: ended,
                        due_before: due,
                    });
                    if let Some(e) = ended {
                        due += e - started;
                    }
                }
            }
            DossierFacts {
                received_at: received,
                online,
                resolved_at,
                without_result: without,
                legal_due_at: due,
                pauses,
            }
        })
}

proptest! {
    /// (3) = (7) + (11) + left, and (6) of a period = (11) of the one before, for any mix.
    #[test]
    fn column_sums_hold_exactly(dossiers in proptest::collection::vec(arb_facts(), 0..60),
                                month in 5u8..=12, calendar in any::<bool>()) {
        let this = ReportPeriod::parse(&format!("2022-{month:02}"), calendar).unwrap();
        let before = this.previous().unwrap();
        let mut now = Bieu06Row::default();
        let mut prev = Bieu06Row::default();
        for f in &dossiers {
            now.add(&contribution(f, &this));
            prev.add(&contribution(f, &before));
        }
        prop_assert_eq!(now.received_total(), now.resolved_total() + now.pending_total() + now.left_without_result);
        prop_assert_eq!(now.carried_over, prev.pending_total());
    }
}

/// Instants over 40 days from 2022-06-10, by the minute, a third of them exactly on a
/// Vietnam midnight (the report boundaries).
fn arb_edge_instant() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..40, 0i64..(24 * 60), 0u8..3).prop_map(|(day, minute, snap)| {
        let midnight = datetime!(2022-06-10 00:00 +7) + time::Duration::days(day);
        if snap == 0 {
            midnight
        } else {
            midnight + time::Duration::minutes(minute)
        }
    })
}

/// Any dossier: resolved or not, with or without a result, up to three pauses in order (the
/// last possibly open), each remembering a due instant before or after its start.
fn arb_counter_facts() -> impl Strategy<Value = DossierFacts> {
    (
        proptest::collection::vec(arb_edge_instant(), 8),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..=3,
        any::<bool>(),
        proptest::collection::vec(arb_edge_instant(), 4),
    )
        .prop_map(
            |(mut times, online, resolved, without, n_pauses, last_open, dues)| {
                times.sort();
                let received_at = times[0];
                let resolved_at = resolved.then_some(times[7]);
                let mut pauses = Vec::new();
                for i in 0..n_pauses {
                    let started_at = times[1 + 2 * i];
                    let open = i + 1 == n_pauses && last_open && !resolved;
                    pauses.push(Pause {
                        started_at,
                        ended_at: (!open).then_some(times[2 + 2 * i]),
                        due_before: dues[i],
                    });
                }
                DossierFacts {
                    received_at,
                    online,
                    resolved_at,
                    without_result: without,
                    legal_due_at: dues[3],
                    pauses,
                }
            },
        )
}

fn cum(ds: &[(OffsetDateTime, [i64; COUNTERS])], t: OffsetDateTime) -> [i64; COUNTERS] {
    let mut c = [0i64; COUNTERS];
    for (at, d) in ds {
        if *at < t {
            for (x, y) in c.iter_mut().zip(d) {
                *x += y;
            }
        }
    }
    c
}

proptest! {
    /// The counters' prefix sums give exactly the dossier's contribution to any period.
    #[test]
    fn counters_give_the_contribution(f in arb_counter_facts(), from in 0i64..42, len in 0i64..20) {
        let from_date = date!(2022-06-09) + time::Duration::days(from);
        let period = ReportPeriod::range(from_date, from_date + time::Duration::days(len)).unwrap();
        let ds = deltas(&f);
        let (s, e) = (cum(&ds, period.start()), cum(&ds, period.end()));
        let flow = |k: usize| u64::try_from(e[k] - s[k]).unwrap();
        let got = Bieu06Row {
            received_online: flow(C_RECEIVED_ONLINE),
            received_offline: flow(C_RECEIVED_OFFLINE),
            carried_over: u64::try_from(s[C_OPEN]).unwrap(),
            resolved_early: flow(C_EARLY),
            resolved_on_time: flow(C_ON_TIME),
            resolved_late: flow(C_LATE),
            pending_within: u64::try_from(e[C_OPEN] - e[C_OVERDUE]).unwrap(),
            pending_overdue: u64::try_from(e[C_OVERDUE]).unwrap(),
            left_without_result: flow(C_LEFT),
            ..Bieu06Row::default()
        };
        prop_assert_eq!(got, contribution(&f, &period), "{:?}", f);
    }

    /// Instants inside a day count on that day: the prefix sum at any instant, not only
    /// midnights, is pending/overdue as `pending_at`/`overdue_at` say.
    #[test]
    fn counters_hold_at_any_instant(f in arb_counter_facts(), t in arb_edge_instant()) {
        let c = cum(&deltas(&f), t);
        prop_assert_eq!(c[C_OPEN], i64::from(pending_at(&f, t)));
        prop_assert_eq!(c[C_OVERDUE], i64::from(pending_at(&f, t) && overdue_at(&f, t)));
    }
}
