//! Concurrent audited writes on both engines (group commit on SQLite): many writes at once,
//! some failing and some abandoned half way, leave a valid audit chain, every successful write
//! persisted with its audit entry and nothing of a failed or abandoned one.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::collections::BTreeSet;
use std::time::Duration;

use motcua_domain::unit::NewUnit;
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, Store, conformance};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

fn unit(code: &str, level: i32, parent: Option<&str>) -> NewUnit {
    NewUnit::parse(code, &format!("Đơn vị {code}"), None, level, parent).unwrap()
}

/// Codes of the units that exist, and of the units with a `unit.create` audit entry.
async fn units_and_audited(store: &Store) -> (BTreeSet<String>, BTreeSet<String>) {
    let units = store
        .bench_raw_lines("SELECT code FROM units")
        .await
        .unwrap()
        .into_iter()
        .collect();
    let audited = store
        .bench_raw_lines("SELECT object_id FROM audit_log WHERE action = 'unit.create'")
        .await
        .unwrap()
        .into_iter()
        .collect();
    (units, audited)
}

async fn concurrent_writes_keep_the_chain_and_only_successes(db: &TestDb) {
    let store = &db.store;
    store
        .create_unit("admin", T0, &unit("BQP", 0, None))
        .await
        .unwrap();
    // 96 writes at once: a third create a new unit, a third repeat a code another write also
    // creates (exactly one of each pair wins), a third name a parent that does not exist.
    let mut tasks = Vec::new();
    for i in 0..96 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (code, parent) = match i % 3 {
                0 => (format!("U{i}"), "BQP".to_string()),
                1 => (format!("D{}", i / 6), "BQP".to_string()),
                _ => (format!("X{i}"), format!("KHONG{i}")),
            };
            let result = store
                .create_unit("admin", T0, &unit(&code, 1, Some(&parent)))
                .await;
            (code, result.is_ok())
        }));
    }
    let mut succeeded = BTreeSet::from(["BQP".to_string()]);
    let mut failed = BTreeSet::new();
    for t in tasks {
        let (code, ok) = t.await.unwrap();
        if ok {
            assert!(succeeded.insert(code), "a code was created twice");
        } else {
            failed.insert(code);
        }
    }
    // 32 new units, 16 pairs with one winner each, 32 missing parents.
    assert_eq!(succeeded.len(), 1 + 32 + 16);
    assert!(
        failed
            .iter()
            .all(|c| c.starts_with('X') || c.starts_with('D'))
    );
    assert_eq!(failed.iter().filter(|c| c.starts_with('X')).count(), 32);
    let (units, audited) = units_and_audited(store).await;
    assert_eq!(units, succeeded);
    assert_eq!(audited, succeeded);
    let entries = store.verify_audit().await.unwrap().unwrap();
    assert_eq!(entries, succeeded.len() as i64);
    // The scoped audit log shows the same entries.
    let page = store
        .scoped(motcua_domain::scope::Scope::All)
        .audit(&AuditFilter::default(), 500)
        .await
        .unwrap();
    assert_eq!(page.items.len(), succeeded.len());
}

async fn abandoned_writes_leave_no_trace(db: &TestDb) {
    let store = &db.store;
    store
        .create_unit("admin", T0, &unit("BQP", 0, None))
        .await
        .unwrap();
    // Writes whose callers stop waiting at various points (a request dropped by its client),
    // mixed with writes that run to the end.
    let mut tasks = Vec::new();
    for i in 0..64u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let new = unit(&format!("A{i}"), 1, Some("BQP"));
            let write = store.create_unit("admin", T0, &new);
            if i % 2 == 0 {
                let _ = tokio::time::timeout(Duration::from_micros(i * 37), write).await;
                None
            } else {
                Some(write.await.map(|_| ()).map_err(|e| format!("{e:?}")))
            }
        }));
    }
    let mut kept = 0;
    for t in tasks {
        if let Some(outcome) = t.await.unwrap() {
            assert_eq!(outcome, Ok(()), "a write that ran to the end failed");
            kept += 1;
        }
    }
    // A later write still works after the abandoned ones.
    store
        .create_unit("admin", T0, &unit("LAST", 1, Some("BQP")))
        .await
        .unwrap();
    let (units, audited) = units_and_audited(store).await;
    // An abandoned write is all there or not at all: its unit and its audit entry together.
    assert_eq!(units, audited);
    // The root, the writes that ran to the end and `LAST`, at least.
    assert!(units.len() >= kept + 2);
    assert!(units.contains("LAST"));
    let entries = store.verify_audit().await.unwrap().unwrap();
    assert_eq!(entries, units.len() as i64);
}

conformance!(
    concurrent_writes_keep_the_chain_and_only_successes,
    abandoned_writes_leave_no_trace
);
