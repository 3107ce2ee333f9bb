//! Conformance of the Biểu 06 counters (migration 0011; every test runs on SQLite and on
//! PostgreSQL): a random workload of real dossier actions through the store (intake online and
//! at the desk, workflow steps, pauses and resumes, withdrawals, stops, refusals, a receipt
//! backdated into a period already reported) gives the same Biểu 06 from the counters as from
//! the scan of the dossiers, for months, quarters and ranges, rows per field and per unit; and
//! the counters rebuilt at start-up for an older database give the same again.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_domain::dossier::{
    Action, Actor, ApplicantKind, Intake, NewApplicant, ReceivedDocument,
};
use motcua_domain::procedure::Channel;
use motcua_domain::report::{ReportPeriod, RowsBy};
use motcua_domain::scope::Scope;
use motcua_store::testing::TestDb;
use motcua_store::{Store, conformance};
use time::OffsetDateTime;
use time::macros::{date, datetime};

mod common;
use common::*;

/// Registers a dossier of the unit's procedure, received at `at`.
async fn register(
    store: &Store,
    unit: &str,
    at: OffsetDateTime,
    online: bool,
    received_at: Option<OffsetDateTime>,
) -> String {
    let procedure = if unit == B1 { "1.008888" } else { "1.009999" };
    let intake = Intake {
        procedure_code: procedure.into(),
        channel: if online {
            Channel::Online
        } else {
            Channel::InPerson
        },
        applicant: NewApplicant {
            kind: ApplicantKind::Person,
            name: "Nguyễn Văn An".into(),
            id_number: "001099012345".into(),
            phone: None,
            email: None,
            address: None,
        },
        documents: vec![ReceivedDocument {
            key: "don".into(),
            count: 1,
        }],
        received_at,
        summary: None,
        received_by: None,
    };
    scoped(store, unit)
        .await
        .register_dossier("receiver", at, intake, cal(), &rules())
        .await
        .unwrap()
        .dossier
        .code
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Tries an action; an action the dossier's state does not allow is refused by the domain
/// and writes nothing, which is fine for a random workload.
async fn try_act(store: &Store, who: &Actor, at: OffsetDateTime, code: &str, action: Action) {
    let version = store
        .scoped(Scope::All)
        .dossier(code)
        .await
        .unwrap()
        .dossier
        .version;
    let _ = scoped(store, &who.unit_code)
        .await
        .apply_action(who, at, code, version, &action, cal(), &rules())
        .await;
}

fn periods() -> Vec<ReportPeriod> {
    let mut out = Vec::new();
    for calendar in [false, true] {
        for spec in [
            "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-Q3", "2022-Q4",
        ] {
            out.push(ReportPeriod::parse(spec, calendar).unwrap());
        }
    }
    out.push(
        ReportPeriod::range(
            time::macros::date!(2022 - 07 - 03),
            time::macros::date!(2022 - 08 - 21),
        )
        .unwrap(),
    );
    out
}

/// Counters and scan agree for every period, unit and row kind.
async fn agree(store: &Store, when: &str) {
    for p in periods() {
        for unit in [ROOT, A1, B1] {
            for rows in [RowsBy::Field, RowsBy::Unit] {
                let counted = store.bieu06(&p, unit, rows).await.unwrap();
                let scanned = store.bieu06_scan(&p, unit, rows).await.unwrap();
                assert_eq!(counted, scanned, "{when}: {} {unit} {rows:?}", p.spec);
            }
        }
    }
}

/// `steps` random actions from `now` on (registrations and actions on `codes`).
async fn workload(
    store: &Store,
    rng: &mut Rng,
    codes: &mut Vec<(String, &'static str)>,
    now: &mut OffsetDateTime,
    steps: usize,
) {
    for _ in 0..steps {
        // Between a few minutes and two days later (nights and weekends included).
        *now += time::Duration::minutes(i64::try_from(rng.below(2 * 24 * 60)).unwrap() + 5);
        if codes.is_empty() || rng.below(3) == 0 {
            let unit = if rng.below(4) == 0 { B1 } else { A3 };
            let online = rng.below(2) == 0;
            codes.push((register(store, unit, *now, online, None).await, unit));
            continue;
        }
        let (code, unit) = codes[usize::try_from(rng.below(codes.len() as u64)).unwrap()].clone();
        let [r, s, l, c] = people(unit);
        let (who, action) = match rng.below(12) {
            0..=2 => (r, Action::CompleteStep { note: None }),
            3 | 4 => (s, Action::CompleteStep { note: None }),
            5 => (l, Action::Approve { note: None }),
            6 => (
                c,
                Action::IssueResult {
                    document_number: "12/GXN".into(),
                    note: None,
                },
            ),
            7 => (l, supplement()),
            8 => (r, Action::ReceiveSupplement { note: None }),
            9 => (
                r,
                Action::Withdraw {
                    reason: "Rút".into(),
                },
            ),
            10 => (
                l,
                Action::Stop {
                    reason: "Dừng".into(),
                },
            ),
            _ => (
                l,
                Action::Refuse {
                    reason: "Không đủ điều kiện".into(),
                },
            ),
        };
        try_act(store, &who, *now, &code, action).await;
    }
}

async fn counters_agree_with_the_scan(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut codes: Vec<(String, &str)> = Vec::new();
    let mut now = datetime!(2022-06-01 08:00 +7);
    workload(store, &mut rng, &mut codes, &mut now, 260).await;
    assert!(grid_days(store).await.is_empty(), "no grid before a report");
    agree(store, "workload").await;
    // The first reports chained the grid (1st and 15th of each month) up to their ends.
    let grid = grid_days(store).await;
    for d in [
        date!(2022 - 06 - 15),
        date!(2022 - 09 - 15),
        date!(2023 - 01 - 01),
    ] {
        assert!(grid.contains(&day(d)), "{d} in the grid {grid:?}");
    }
    assert!(grid.iter().all(|d| is_grid(*d)), "{grid:?}");
    // The workload reached every kind of column.
    let year = ReportPeriod::parse("2022-Y", true).unwrap();
    let t = store
        .bieu06(&year, ROOT, RowsBy::Field)
        .await
        .unwrap()
        .total;
    assert!(t.received_online > 0 && t.received_offline > 0, "{t:?}");
    assert!(t.resolved_total() > 0 && t.left_without_result > 0, "{t:?}");
    assert!(t.pending_total() > 0, "{t:?}");
    let paused = db.raw("UPDATE dossier_pauses SET seq = seq").await.unwrap();
    assert!(paused > 0, "some dossiers were paused");
    // A receipt backdated into Q3, already reported (its checkpoints cached): registered at
    // the desk after the period with the officer's earlier receiving instant.
    let q3 = ReportPeriod::parse("2022-Q3", false).unwrap();
    let before = store.bieu06(&q3, ROOT, RowsBy::Field).await.unwrap();
    let late = register(store, A3, now, false, Some(datetime!(2022-07-20 10:00 +7))).await;
    let after = store.bieu06(&q3, ROOT, RowsBy::Field).await.unwrap();
    assert_eq!(
        after.total.received_offline,
        before.total.received_offline + 1,
        "{late} counts in Q3"
    );
    agree(store, "backdated").await;
    // More backdated writes under existing grid checkpoints: a receipt in June at another
    // unit (new groups in every later checkpoint), then more actions on the open dossiers
    // and new ones, whose instants fall before the last grid days.
    register(store, B1, now, false, Some(datetime!(2022-06-03 10:00 +7))).await;
    register(store, A3, now, false, Some(datetime!(2022-06-14 23:59 +7))).await;
    register(store, A3, now, false, Some(datetime!(2022-06-15 00:00 +7))).await;
    agree(store, "backdated into June").await;
    // A report of 2023 chains the grid past the last delta (due instants ahead of `now`),
    // so the next actions write under existing checkpoints.
    let y2023 = ReportPeriod::parse("2023-Y", true).unwrap();
    store.bieu06(&y2023, ROOT, RowsBy::Field).await.unwrap();
    let last = *grid_days(store).await.last().unwrap();
    assert!(last > day(now.date()), "grid to {last}, now {now}");
    workload(store, &mut rng, &mut codes, &mut now, 60).await;
    agree(store, "workload under the grid").await;
    for rows in [RowsBy::Field, RowsBy::Unit] {
        let counted = store.bieu06(&y2023, ROOT, rows).await.unwrap();
        let scanned = store.bieu06_scan(&y2023, ROOT, rows).await.unwrap();
        assert_eq!(counted, scanned, "2023 {rows:?}");
    }
    // The lazy chain: checkpoints after 1/8/2022 missing, rebuilt from that one by the
    // next report.
    let cut = day(date!(2022 - 08 - 01));
    db.raw(&format!("DELETE FROM report_checkpoints WHERE day > {cut}"))
        .await
        .unwrap();
    db.raw(&format!(
        "DELETE FROM report_checkpoint_days WHERE day > {cut}"
    ))
    .await
    .unwrap();
    agree(store, "chained").await;
    let grid = grid_days(store).await;
    assert!(grid.contains(&day(date!(2022 - 09 - 15))), "{grid:?}");
    // A database older than migration 0011: the counters are rebuilt at start-up.
    db.raw("DELETE FROM report_deltas").await.unwrap();
    db.raw("DELETE FROM report_checkpoints").await.unwrap();
    db.raw("DELETE FROM report_checkpoint_days").await.unwrap();
    db.raw("UPDATE report_counters_backfill SET done = 0")
        .await
        .unwrap();
    store.migrate().await.unwrap();
    // The start-up backfill also built the grid, before any report.
    let grid = grid_days(store).await;
    assert!(grid.contains(&day(date!(2022 - 09 - 15))), "{grid:?}");
    agree(store, "rebuilt").await;
}

/// Grid checkpoints being built while backdated receipts are written: whichever commits
/// first, every checkpoint ends up with every delta before its day (SQLite: the chain holds
/// the write lock; PostgreSQL: the chain's SHARE lock on the deltas and the writers' probe
/// after their upsert).
async fn grid_built_during_backdated_writes(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut codes: Vec<(String, &str)> = Vec::new();
    let mut now = datetime!(2022-06-01 08:00 +7);
    workload(store, &mut rng, &mut codes, &mut now, 120).await;
    let q3 = ReportPeriod::parse("2022-Q3", false).unwrap();
    let q4 = ReportPeriod::parse("2022-Q4", true).unwrap();
    for round in 0..6i64 {
        db.raw("DELETE FROM report_checkpoints").await.unwrap();
        db.raw("DELETE FROM report_checkpoint_days").await.unwrap();
        let reports = async {
            for p in [&q4, &q3, &q4] {
                store.bieu06(p, ROOT, RowsBy::Unit).await.unwrap();
            }
        };
        let writes = async {
            for k in 0..4i64 {
                let at = datetime!(2022-06-10 10:00 +7) + time::Duration::days(17 * k + round);
                let unit = if k % 2 == 0 { A3 } else { B1 };
                register(store, unit, now, false, Some(at)).await;
            }
        };
        tokio::join!(reports, writes);
        for p in [&q3, &q4] {
            for rows in [RowsBy::Field, RowsBy::Unit] {
                let counted = store.bieu06(p, ROOT, rows).await.unwrap();
                let scanned = store.bieu06_scan(p, ROOT, rows).await.unwrap();
                assert_eq!(counted, scanned, "round {round}: {} {rows:?}", p.spec);
            }
        }
    }
    agree(store, "after the races").await;
}

/// The Vietnam date number of a date, as the counters key their days.
fn day(d: time::Date) -> i64 {
    i64::from(d.to_julian_day()) - 2_440_588
}

fn is_grid(day: i64) -> bool {
    let d = time::Date::from_julian_day(i32::try_from(day + 2_440_588).unwrap()).unwrap();
    d.day() == 1 || d.day() == 15
}

async fn grid_days(store: &Store) -> Vec<i64> {
    store
        .bench_raw_lines("SELECT day FROM report_checkpoint_days ORDER BY day")
        .await
        .unwrap()
        .iter()
        .map(|l| l.parse().unwrap())
        .collect()
}

conformance!(
    counters_agree_with_the_scan,
    grid_built_during_backdated_writes
);
