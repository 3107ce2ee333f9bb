//! Conformance of Biểu 06 (every test runs on SQLite and on PostgreSQL): a hand-built set of
//! dossiers with a known answer for every column of Q3/2022 (15/6 – 14/9/2022), dossiers
//! straddling both ends, pauses across the end, withdrawals, refusals, a stop while paused,
//! late ones; column 6 equals the previous period's column 11; (3) = (7) + (11) + left;
//! a past period does not change when later work happens; rows per field and per unit; scope;
//! the pause rows rebuilt from the events give the same figures.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_domain::dossier::{
    Action, Actor, ApplicantKind, Intake, NewApplicant, ReceivedDocument,
};
use motcua_domain::procedure::Channel;
use motcua_domain::report::{Bieu06, Bieu06Row, ReportPeriod, RowsBy};
use motcua_domain::scope::Scope;
use motcua_store::testing::TestDb;
use motcua_store::{Store, conformance};
use time::OffsetDateTime;
use time::macros::datetime;

mod common;
use common::*;

/// Registers a dossier of the unit's procedure, received at `at`.
async fn register(store: &Store, unit: &str, at: OffsetDateTime, online: bool) -> String {
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
        received_at: None,
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

async fn act(store: &Store, who: &Actor, at: OffsetDateTime, code: &str, action: Action) {
    let version = store
        .scoped(Scope::All)
        .dossier(code)
        .await
        .unwrap()
        .dossier
        .version;
    scoped(store, &who.unit_code)
        .await
        .apply_action(who, at, code, version, &action, cal(), &rules())
        .await
        .unwrap();
}

/// Runs the whole workflow; the result is issued at `at` (the other steps a minute before).
async fn resolve(store: &Store, unit: &str, code: &str, at: OffsetDateTime) {
    let [r, s, l, c] = people(unit);
    let before = at - time::Duration::minutes(3);
    act(store, &r, before, code, Action::CompleteStep { note: None }).await;
    act(store, &s, before, code, Action::CompleteStep { note: None }).await;
    act(store, &l, before, code, Action::Approve { note: None }).await;
    let issue = Action::IssueResult {
        document_number: "12/GXN".into(),
        note: None,
    };
    act(store, &c, at, code, issue).await;
}

fn q3() -> ReportPeriod {
    ReportPeriod::parse("2022-Q3", false).unwrap()
}

/// The dossiers of the scenario (see the expected figures in `known_answers`). Returns
/// (D4, D5, D6, D7) for the later work.
async fn scenario(store: &Store) -> [String; 4] {
    let [_, _, leader, _] = people(A3);
    let receiver = &people(A3)[0];
    // D1: received before Q3 (Mon 13/6, due Mon 20/6 09:00), resolved late in Q3.
    let d1 = register(store, A3, datetime!(2022-06-13 09:00 +7), false).await;
    resolve(store, A3, &d1, datetime!(2022-06-20 10:00 +7)).await;
    // D14: received on Q3's first day (Wed 08:00, due Tue 21/6 17:00), resolved exactly at the
    // due instant: on time.
    let d14 = register(store, A3, datetime!(2022-06-15 08:00 +7), false).await;
    resolve(store, A3, &d14, datetime!(2022-06-21 17:00 +7)).await;
    // D2: online, resolved two working days early. D3: resolved on the due date.
    let d2 = register(store, A3, datetime!(2022-07-04 09:00 +7), true).await;
    resolve(store, A3, &d2, datetime!(2022-07-06 10:00 +7)).await;
    let d3 = register(store, A3, datetime!(2022-07-04 09:00 +7), false).await;
    resolve(store, A3, &d3, datetime!(2022-07-11 08:30 +7)).await;
    // D9: withdrawn. D10: refused after appraisal (a result, early). D11: stopped while paused.
    let d9 = register(store, A3, datetime!(2022-07-18 09:00 +7), false).await;
    let withdraw = Action::Withdraw {
        reason: "Công dân rút hồ sơ".into(),
    };
    act(
        store,
        receiver,
        datetime!(2022-07-19 10:00 +7),
        &d9,
        withdraw,
    )
    .await;
    let d10 = register(store, A3, datetime!(2022-07-18 09:00 +7), false).await;
    let step = Action::CompleteStep { note: None };
    act(store, receiver, datetime!(2022-07-18 10:00 +7), &d10, step).await;
    let refuse = Action::Refuse {
        reason: "Không đủ điều kiện".into(),
    };
    act(store, &leader, datetime!(2022-07-20 10:00 +7), &d10, refuse).await;
    let d11 = register(store, A3, datetime!(2022-07-25 09:00 +7), false).await;
    act(
        store,
        &leader,
        datetime!(2022-07-26 10:00 +7),
        &d11,
        supplement(),
    )
    .await;
    let stop = Action::Stop {
        reason: "Dừng xử lý".into(),
    };
    act(store, &leader, datetime!(2022-08-01 10:00 +7), &d11, stop).await;
    // D8: paused and resumed before the end (due 22/8 → 24/8), overdue at the end.
    let d8 = register(store, A3, datetime!(2022-08-15 09:00 +7), false).await;
    act(
        store,
        &leader,
        datetime!(2022-08-16 10:00 +7),
        &d8,
        supplement(),
    )
    .await;
    let resume = Action::ReceiveSupplement { note: None };
    act(store, receiver, datetime!(2022-08-18 10:00 +7), &d8, resume).await;
    // D6: due 15/8 09:00, paused after it (16/8) and still paused at the end: overdue.
    let d6 = register(store, A3, datetime!(2022-08-08 09:00 +7), false).await;
    act(
        store,
        &leader,
        datetime!(2022-08-16 10:00 +7),
        &d6,
        supplement(),
    )
    .await;
    // D5: due 29/8, nothing done: overdue at the end.
    let d5 = register(store, A3, datetime!(2022-08-22 09:00 +7), false).await;
    // D7: due 12/9 09:00, paused on 7/9 (within) and still paused at the end: within,
    // although its due instant as it stands is already past.
    let d7 = register(store, A3, datetime!(2022-09-05 09:00 +7), false).await;
    act(
        store,
        &leader,
        datetime!(2022-09-07 10:00 +7),
        &d7,
        supplement(),
    )
    .await;
    // D4: received 12/9, due 19/9: within at the end.
    let d4 = register(store, A3, datetime!(2022-09-12 09:00 +7), false).await;
    // D13: another unit and field, online, due 20/9: within at the end.
    register(store, B1, datetime!(2022-09-13 09:00 +7), true).await;
    // D12: received after Q3.
    register(store, A3, datetime!(2022-09-15 08:00 +7), false).await;
    [d4, d5, d6, d7]
}

fn row(
    received: (u64, u64, u64),
    resolved: (u64, u64, u64),
    pending: (u64, u64),
    left: u64,
) -> Bieu06Row {
    Bieu06Row {
        received_online: received.0,
        received_offline: received.1,
        carried_over: received.2,
        resolved_early: resolved.0,
        resolved_on_time: resolved.1,
        resolved_late: resolved.2,
        pending_within: pending.0,
        pending_overdue: pending.1,
        left_without_result: left,
        ..Bieu06Row::default()
    }
}

fn counts(r: &Bieu06Row) -> Bieu06Row {
    Bieu06Row {
        key: String::new(),
        label: String::new(),
        ..r.clone()
    }
}

fn invariants(b: &Bieu06) {
    for r in b.rows.iter().chain([&b.total]) {
        assert_eq!(
            r.received_total(),
            r.resolved_total() + r.pending_total() + r.left_without_result,
            "{r:?}"
        );
    }
}

async fn known_answers(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    scenario(store).await;
    let all = store.scoped(Scope::All);
    let b = all.bieu06(&q3(), None, RowsBy::Field).await.unwrap();
    assert_eq!(b.unit_code, ROOT);
    assert_eq!(b.period.from, time::macros::date!(2022 - 06 - 15));
    assert_eq!(
        counts(&b.total),
        row((2, 10, 1), (2, 2, 1), (3, 3), 2),
        "{:#?}",
        b.total
    );
    assert_eq!(b.total.received_total(), 13);
    assert_eq!(b.total.resolved_total(), 5);
    assert_eq!(b.total.pending_total(), 6);
    invariants(&b);
    // Rows per field, with the catalogue's names.
    assert_eq!(b.rows.len(), 2);
    assert_eq!(
        (b.rows[0].key.as_str(), b.rows[0].label.as_str()),
        ("CS-QN", "Chính sách quân nhân")
    );
    assert_eq!(counts(&b.rows[0]), row((1, 10, 1), (2, 2, 1), (2, 3), 2));
    assert_eq!(b.rows[1].key, "TC-CB");
    assert_eq!(counts(&b.rows[1]), row((1, 0, 0), (0, 0, 0), (1, 0), 0));
    // Rows per unit directly under the root, each summing its subtree.
    let u = store.bieu06(&q3(), ROOT, RowsBy::Unit).await.unwrap();
    assert_eq!(
        u.rows
            .iter()
            .map(|r| (r.key.as_str(), r.label.as_str()))
            .collect::<Vec<_>>(),
        vec![(A1, "Cục Quân y"), (B1, "Cục Cán bộ")]
    );
    assert_eq!(counts(&u.rows[0]), counts(&b.rows[0]));
    assert_eq!(counts(&u.rows[1]), counts(&b.rows[1]));
    assert_eq!(u.total, b.total);
    // Per unit under A3 itself: no children, its own dossiers get a row.
    let own = store.bieu06(&q3(), A3, RowsBy::Unit).await.unwrap();
    assert_eq!(own.rows.len(), 1);
    assert_eq!(own.rows[0].key, A3);
    assert_eq!(counts(&own.total), counts(&b.rows[0]));
    // Column 6 = the previous period's column 11 (Q2/2022: D1 received, pending within).
    let q2 = q3().previous().unwrap();
    let before = all.bieu06(&q2, None, RowsBy::Field).await.unwrap();
    assert_eq!(counts(&before.total), row((0, 1, 0), (0, 0, 0), (1, 0), 0));
    assert_eq!(b.total.carried_over, before.total.pending_total());
    // Q4's carried over is Q3's pending.
    let q4 = ReportPeriod::parse("2022-Q4", false).unwrap();
    let after = all.bieu06(&q4, None, RowsBy::Field).await.unwrap();
    assert_eq!(after.total.carried_over, b.total.pending_total());
    invariants(&after);
    // Calendar Q3 (1/7 – 30/9): D1, D14 resolved in June drop out; D4 … D13 and D12 in.
    let cal_q3 = ReportPeriod::parse("2022-Q3", true).unwrap();
    let c = all.bieu06(&cal_q3, None, RowsBy::Field).await.unwrap();
    invariants(&c);
    assert_eq!(c.total.carried_over, 0);
    assert_eq!(c.total.received_total(), 12);
}

async fn past_period_does_not_change(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let [d4, d5, d6, d7] = scenario(store).await;
    let all = store.scoped(Scope::All);
    let first = all.bieu06(&q3(), None, RowsBy::Unit).await.unwrap();
    let [receiver, _, leader, _] = people(A3);
    // Later work: D4 resolved, D5 stopped, D6 and D7 resumed (their due instants move
    // later, D6's past today's date), a new dossier.
    resolve(store, A3, &d4, datetime!(2022-09-16 10:00 +7)).await;
    let stop = Action::Stop {
        reason: "Dừng".into(),
    };
    act(store, &leader, datetime!(2022-09-20 10:00 +7), &d5, stop).await;
    let resume = Action::ReceiveSupplement { note: None };
    act(
        store,
        &receiver,
        datetime!(2022-10-03 10:00 +7),
        &d6,
        resume.clone(),
    )
    .await;
    act(
        store,
        &receiver,
        datetime!(2022-09-20 10:00 +7),
        &d7,
        resume,
    )
    .await;
    act(
        store,
        &leader,
        datetime!(2022-09-21 10:00 +7),
        &d7,
        Action::RequestPayment {
            amount_vnd: 50_000,
            reason: "Phí thẩm định".into(),
        },
    )
    .await;
    register(store, A3, datetime!(2022-09-16 09:00 +7), true).await;
    let again = all.bieu06(&q3(), None, RowsBy::Unit).await.unwrap();
    assert_eq!(again, first);
    // Q4 sees the later work: D4 resolved early, D5 left.
    let q4 = ReportPeriod::parse("2022-Q4", false).unwrap();
    let after = all.bieu06(&q4, None, RowsBy::Field).await.unwrap();
    invariants(&after);
    assert_eq!(after.total.carried_over, first.total.pending_total());
    assert_eq!(after.total.left_without_result, 1);
    // Rebuilding the pause rows from the events (a database older than migration 0008)
    // gives the same figures.
    // (The scan reads the pause rows; the counters, migration 0011, were kept from them.)
    db.raw("DELETE FROM dossier_pauses").await.unwrap();
    let wrong = store.bieu06_scan(&q3(), ROOT, RowsBy::Unit).await.unwrap();
    assert_ne!(wrong, first, "without pause rows D7 would count as overdue");
    db.raw("UPDATE report_backfill SET pauses_done = 0")
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let rebuilt = store.bieu06_scan(&q3(), ROOT, RowsBy::Unit).await.unwrap();
    assert_eq!(rebuilt, first);
    let rebuilt = all.bieu06(&q3(), None, RowsBy::Unit).await.unwrap();
    assert_eq!(rebuilt, first);
}

async fn scope_and_errors(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    scenario(store).await;
    let b1 = scoped(store, B1).await;
    // Default unit: the top of the scope; another branch looks missing.
    let b = b1.bieu06(&q3(), None, RowsBy::Field).await.unwrap();
    assert_eq!(b.unit_code, B1);
    assert_eq!(b.total.received_total(), 1);
    let e = b1.bieu06(&q3(), Some(A1), RowsBy::Field).await.unwrap_err();
    assert_eq!(e.code, "unit_not_found");
    let e = store
        .bieu06(&q3(), "000.09.99.Z99", RowsBy::Unit)
        .await
        .unwrap_err();
    assert_eq!(e.code, "unit_not_found");
    // A range works too and sums the same way.
    let range = ReportPeriod::range(
        time::macros::date!(2022 - 06 - 15),
        time::macros::date!(2022 - 09 - 14),
    )
    .unwrap();
    let r = store.bieu06(&range, ROOT, RowsBy::Field).await.unwrap();
    let q = store.bieu06(&q3(), ROOT, RowsBy::Field).await.unwrap();
    assert_eq!(r.rows, q.rows);
}

conformance!(known_answers, past_period_does_not_change, scope_and_errors);
