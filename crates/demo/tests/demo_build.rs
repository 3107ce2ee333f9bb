//! A scaled-down demo (1% of the dossiers) built on SQLite and on PostgreSQL: the plan's Q3
//! figures, the organisation, catalogue and people, stored dossiers identical to what the
//! domain produced, an intact audit chain, and a second build refused.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_demo::dossiers::Generator;
use motcua_demo::{Existing, Options, Plan, Silent};
use motcua_domain::dossier::RuleSet;
use motcua_domain::report::{ReportPeriod, RowsBy};
use motcua_domain::scope::Scope;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use time::macros::{date, datetime};

const SCALE: f64 = 0.01;
const SEED: u64 = 11;
/// Any PHC string: the store keeps it as given.
const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVtb3NhbHQ$7pC3bpm2Q0Eg7VZbQ3m1dAZ5m0kqz9o1m6VZ1lC6tqY";

fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        &HolidayRules::default(),
        &shipped_exceptions(),
        OfficeHours::default(),
        2021,
        2024,
    )
    .unwrap()
}

async fn scaled_demo(db: &TestDb) {
    let store = &db.store;
    let cal = calendar();
    let rules = RuleSet::default();
    assert_eq!(motcua_demo::existing(store).await.unwrap(), Existing::Empty);
    let options = Options {
        seed: SEED,
        scale: SCALE,
        batch_size: 300,
    };
    let now = datetime!(2026-11-27 09:00 UTC);
    let summary = motcua_demo::build(
        store,
        "demo-test",
        now,
        &cal,
        &rules,
        HASH,
        &options,
        &Silent,
    )
    .await
    .unwrap();
    let plan = Plan::scaled(SCALE);
    assert_eq!(summary.figures.received, plan.received);
    assert_eq!(summary.figures.resolved, plan.resolved());
    assert_eq!(summary.figures.resolved_late, 0);
    assert_eq!(motcua_demo::existing(store).await.unwrap(), Existing::Demo);

    assert_eq!(store.unit_count().await.unwrap(), 1042);
    assert_eq!(
        store.user_count().await.unwrap() as usize,
        motcua_demo::people::users().len()
    );
    assert_eq!(
        store.latest_procedures(None).await.unwrap().len(),
        summary.procedures
    );
    assert_eq!(
        store.dossier_count().await.unwrap() as u64,
        summary.dossiers
    );
    assert!(store.verify_audit().await.unwrap().is_ok());

    // The Biểu 06 report itself: Q3/2022 of the whole ministry, official cut-offs.
    let period = ReportPeriod::parse("2022-Q3", false).unwrap();
    let bieu06 = store
        .bieu06(&period, motcua_demo::org::ROOT_CODE, RowsBy::Unit)
        .await
        .unwrap();
    // The counters kept by the bulk writer give the same form as the scan of the dossiers.
    let scanned = store
        .bieu06_scan(&period, motcua_demo::org::ROOT_CODE, RowsBy::Unit)
        .await
        .unwrap();
    assert_eq!(bieu06, scanned);
    let t = &bieu06.total;
    assert_eq!(t.received_online + t.received_offline, plan.received);
    assert_eq!(t.received_online, summary.figures.received_online);
    assert_eq!(
        t.resolved_early + t.resolved_on_time + t.resolved_late,
        plan.resolved()
    );
    assert_eq!(t.resolved_late, 0);
    assert_eq!(t.carried_over, plan.carried_in);

    // E-government coverage at the end of Q3 (14/9/2022) as in the source report, and later.
    let root = motcua_demo::org::ROOT_CODE;
    let percent = |c: &[motcua_store::LevelCoverage], level: i32| {
        c.iter()
            .find(|l| l.level == level)
            .and_then(|l| l.percent_text())
            .unwrap()
    };
    let q3 = store
        .fact_coverage(root, "data_network", date!(2022 - 09 - 14))
        .await
        .unwrap();
    assert_eq!(percent(&q3, 1), "100%");
    assert_eq!(percent(&q3, 2), "67,5%");
    assert_eq!(percent(&q3, 3), "24,3%");
    let q4 = store
        .fact_coverage(root, "data_network", date!(2022 - 12 - 14))
        .await
        .unwrap();
    assert_eq!(percent(&q4, 2), "72,5%");
    assert_eq!(
        store
            .fact_total(root, "email_accounts", date!(2022 - 09 - 14))
            .await
            .unwrap(),
        33_900
    );

    // The stored dossiers are exactly what the domain produced (same seed, same inputs).
    let procedures = motcua_demo::catalogue::procedures(rules.minutes_per_day).unwrap();
    let mut generator = Generator::new(
        cal.clone(),
        rules.clone(),
        procedures,
        motcua_demo::people::staff(),
        &plan,
        SEED,
    )
    .unwrap();
    let all = store.scoped(Scope::All);
    let batch = generator.next_batch(40).unwrap();
    for b in &batch {
        let last = b.transitions.last().map_or(&b.registered, |t| &t.dossier);
        let stored = all.dossier(&b.registered.code).await.unwrap();
        assert_eq!(&stored.dossier, last);
        let events = all.dossier_events(&b.registered.code).await.unwrap();
        assert_eq!(events.len(), 1 + b.transitions.len());
        assert_eq!(events[0], b.register_event);
    }

    // A second build on the same database is refused.
    let again = motcua_demo::build(
        store,
        "demo-test",
        now,
        &cal,
        &rules,
        HASH,
        &options,
        &Silent,
    )
    .await
    .unwrap_err();
    assert_eq!(again.code, "demo_database_not_empty");
}

conformance!(scaled_demo);
