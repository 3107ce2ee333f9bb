//! Conformance of calendar exception storage: every test runs on SQLite and on PostgreSQL
//! (`<test>::sqlite`, `<test>::postgres`).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_calendar::{
    Exception, ExceptionKind, HolidayRules, TET_NGUYEN_DAN, shipped_exceptions, year_schedule,
};
use motcua_domain::scope::Scope;
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, ExceptionSource, Store, conformance};
use time::OffsetDateTime;
use time::macros::{date, datetime};

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

async fn all(store: &Store) -> Vec<Exception> {
    store
        .calendar_exceptions(None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.exception)
        .collect()
}

async fn audit_count(store: &Store) -> i64 {
    store.verify_audit().await.unwrap().unwrap()
}

fn tet_2027() -> Exception {
    Exception::day_off(
        date!(2027 - 02 - 08),
        "Nghỉ Tết Âm lịch Đinh Mùi",
        Some("Thông báo số 1/TB-BNV (thử nghiệm)"),
    )
    .covering(TET_NGUYEN_DAN)
}

async fn fresh_database_holds_the_shipped_exceptions(db: &TestDb) {
    let store = &db.store;
    let mut shipped = shipped_exceptions();
    shipped.sort_by_key(|e| e.date);
    assert_eq!(
        all(store).await,
        shipped,
        "migration seed and shipped data drifted"
    );
    let stored = store.calendar_exceptions(None).await.unwrap();
    assert!(stored.iter().all(|s| s.source == ExceptionSource::Shipped
        && s.created_by == "system"
        && s.created_at.is_none()));
    // Seeding by migration writes no audit entry.
    assert_eq!(audit_count(store).await, 0);
}

async fn exceptions_filter_by_year(db: &TestDb) {
    let store = &db.store;
    let y2025 = store.calendar_exceptions(Some(2025)).await.unwrap();
    assert_eq!(y2025.len(), 7);
    assert!(y2025.iter().all(|s| s.exception.date.year() == 2025));
    // Date order, whatever the engine's collation.
    let dates: Vec<_> = y2025.iter().map(|s| s.exception.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert!(
        store
            .calendar_exceptions(Some(2099))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.calendar_exceptions(Some(2026)).await.unwrap().len(),
        5
    );
}

async fn adding_and_removing_are_audited(db: &TestDb) {
    let store = &db.store;
    let added = store
        .add_calendar_exception("cli:tester", T0, &tet_2027())
        .await
        .unwrap();
    assert_eq!(added.exception, tet_2027());
    assert_eq!(added.source, ExceptionSource::Admin);
    assert_eq!(added.created_by, "cli:tester");
    assert_eq!(added.created_at, Some(T0));
    assert_eq!(
        store.calendar_exceptions(Some(2027)).await.unwrap(),
        vec![added.clone()]
    );
    assert_eq!(audit_count(store).await, 1);

    // One exception per date: a second one is a conflict and changes nothing.
    let twice = Exception::working_day(date!(2027 - 02 - 08), "Làm bù", None);
    let err = store
        .add_calendar_exception("cli:tester", T0, &twice)
        .await
        .unwrap_err();
    assert_eq!(err.code, "calendar_exception_exists");
    assert_eq!(err.kind, motcua_domain::ErrorKind::Conflict);
    assert_eq!(audit_count(store).await, 1);
    assert_eq!(
        store.calendar_exceptions(Some(2027)).await.unwrap(),
        vec![added.clone()]
    );

    let removed = store
        .remove_calendar_exception("admin", T0, date!(2027 - 02 - 08))
        .await
        .unwrap();
    assert_eq!(removed, added);
    assert!(
        store
            .calendar_exceptions(Some(2027))
            .await
            .unwrap()
            .is_empty()
    );
    let err = store
        .remove_calendar_exception("admin", T0, date!(2027 - 02 - 08))
        .await
        .unwrap_err();
    assert_eq!(err.code, "calendar_exception_not_found");
    assert_eq!(err.kind, motcua_domain::ErrorKind::NotFound);
    assert_eq!(audit_count(store).await, 2);

    let filter = AuditFilter {
        object_type: Some("calendar_exception".into()),
        ..Default::default()
    };
    let log = store.scoped(Scope::All).audit(&filter, 10).await.unwrap();
    let actions: Vec<_> = log
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str(), e.object_id.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("calendar.exception_remove", "admin", "2027-02-08"),
            ("calendar.exception_add", "cli:tester", "2027-02-08"),
        ]
    );
    assert!(log.items[1].summary.contains("Đinh Mùi"));
}

async fn removing_a_shipped_swap_changes_the_schedule(db: &TestDb) {
    let store = &db.store;
    let rules = HolidayRules::default();
    let before = year_schedule(2025, &rules, &all(store).await).unwrap();
    assert!(!before.is_working_day(date!(2025 - 05 - 02)));
    assert!(before.is_working_day(date!(2025 - 04 - 26)));
    for d in [date!(2025 - 05 - 02), date!(2025 - 04 - 26)] {
        let removed = store
            .remove_calendar_exception("admin", T0, d)
            .await
            .unwrap();
        assert_eq!(removed.source, ExceptionSource::Shipped);
    }
    let after = year_schedule(2025, &rules, &all(store).await).unwrap();
    assert!(after.is_working_day(date!(2025 - 05 - 02)));
    assert!(!after.is_working_day(date!(2025 - 04 - 26)));
    assert_eq!(after.extra_workdays, vec![]);
    // A removed shipped exception can be announced again, now by an administrator.
    let again = Exception::day_off(date!(2025 - 05 - 02), "Nghỉ hoán đổi dịp 30/4 - 1/5", None);
    let stored = store
        .add_calendar_exception("admin", T0, &again)
        .await
        .unwrap();
    assert_eq!(stored.source, ExceptionSource::Admin);
    assert_eq!(stored.exception.kind, ExceptionKind::DayOff);
    assert_eq!(stored.exception.legal_ref, None);
}

async fn only_ministry_wide_scope_changes_the_calendar(db: &TestDb) {
    let store = &db.store;
    let narrow = store.scoped(Scope::Subtree("/1/7/".into()));
    // Everyone reads the same calendar.
    assert_eq!(
        narrow.calendar_exceptions(Some(2025)).await.unwrap().len(),
        7
    );
    let err = narrow
        .add_calendar_exception("u", T0, &tet_2027())
        .await
        .unwrap_err();
    assert_eq!(err.code, "forbidden");
    let err = narrow
        .remove_calendar_exception("u", T0, date!(2025 - 05 - 02))
        .await
        .unwrap_err();
    assert_eq!(err.code, "forbidden");
    assert_eq!(audit_count(store).await, 0);
    assert_eq!(all(store).await.len(), shipped_exceptions().len());
    store
        .scoped(Scope::All)
        .add_calendar_exception("admin", T0, &tet_2027())
        .await
        .unwrap();
}

conformance!(
    fresh_database_holds_the_shipped_exceptions,
    exceptions_filter_by_year,
    adding_and_removing_are_audited,
    removing_a_shipped_swap_changes_the_schedule,
    only_ministry_wide_scope_changes_the_calendar,
);
