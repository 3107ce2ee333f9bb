//! How SQLite's group commit meets the rest of the database file: it waits for another
//! connection's write lock instead of failing, and what it acknowledged is in the file for the
//! next process (the write-ahead log it syncs itself is the one SQLite writes).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::time::Duration;

use motcua_domain::unit::NewUnit;
use motcua_store::Store;
use motcua_store::testing::TestDb;
use sqlx::Connection;
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

fn unit(code: &str, level: i32, parent: Option<&str>) -> NewUnit {
    NewUnit::parse(code, &format!("Đơn vị {code}"), None, level, parent).unwrap()
}

/// A SQLite database with the ministry root `BQP` (one audited write).
async fn with_root() -> TestDb {
    let db = TestDb::sqlite().await;
    db.store
        .create_unit("admin", T0, &unit("BQP", 0, None))
        .await
        .unwrap();
    db
}

#[tokio::test]
async fn a_write_waits_for_another_connections_write_lock() {
    let db = with_root().await;
    // Maintenance on another connection holds the write lock.
    let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let store = db.store.clone();
    let write = tokio::spawn(async move {
        store
            .create_unit("admin", T0, &unit("A1", 1, Some("BQP")))
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !write.is_finished(),
        "the write went past a held write lock"
    );
    sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
    write.await.unwrap().unwrap();
    // The group commit works on after the wait.
    db.store
        .create_unit("admin", T0, &unit("A2", 1, Some("BQP")))
        .await
        .unwrap();
    db.finish().await;
}

#[tokio::test]
async fn acknowledged_writes_are_in_the_file_for_the_next_process() {
    let db = with_root().await;
    let path = db.url.strip_prefix("sqlite:").unwrap().to_string();
    // The log the group commit syncs before it answers is the one SQLite writes.
    assert!(std::path::Path::new(&format!("{path}-wal")).exists());
    for i in 0..20 {
        db.store
            .create_unit("admin", T0, &unit(&format!("A{i}"), 1, Some("BQP")))
            .await
            .unwrap();
    }
    // Another store on the same file (another process would see the same) reads them all.
    let again = Store::open(&db.url).await.unwrap();
    assert_eq!(again.unit_count().await.unwrap(), 21);
    assert_eq!(again.verify_audit().await.unwrap(), Ok(21));
    again.close().await;
    db.finish().await;
}
