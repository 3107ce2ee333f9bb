//! `motcua demo --no-serve` at 1% of the volume on SQLite and PostgreSQL: builds and prints the
//! sign-in table, run twice reports the existing demo, `--reset` rebuilds it; on a database
//! holding other data it refuses, and `--reset` without `--force` refuses too.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::process::{Command, Output};

use motcua_store::conformance;
use motcua_store::testing::TestDb;

fn motcua(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .args(["--database-url", url])
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const DEMO: [&str; 4] = ["demo", "--no-serve", "--scale", "0.01"];

async fn demo_twice_then_reset(db: &TestDb) {
    // The command works on its own connections; the test's pool must not hold the database.
    db.store.close().await;
    let first = motcua(&db.url, &DEMO);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("Đã dựng bộ dữ liệu mẫu"), "{out}");
    assert!(
        out.contains("tiepnhan.ccs") && out.contains("cchc") && out.contains("motcua-demo-2022")
    );
    assert!(out.contains("quá hạn 0."), "{out}");

    let second = motcua(&db.url, &DEMO);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(out.contains("Bộ dữ liệu mẫu đã có"), "{out}");
    assert!(!out.contains("Đã dựng"), "{out}");

    let reset = motcua(
        &db.url,
        &["demo", "--no-serve", "--scale", "0.01", "--reset"],
    );
    assert_eq!(reset.status.code(), Some(0), "{}", text(&reset));
    assert!(String::from_utf8_lossy(&reset.stdout).contains("Đã dựng bộ dữ liệu mẫu"));
}

const UNITS_CSV: &str = "code,name,short_name,level,parent_code\nBQP,Bộ Quốc phòng,BQP,0,\n";

async fn other_data_is_not_erased(db: &TestDb) {
    db.store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("units.csv");
    std::fs::write(&file, UNITS_CSV).unwrap();
    let import = motcua(&db.url, &["unit", "import", &file.display().to_string()]);
    assert_eq!(import.status.code(), Some(0), "{}", text(&import));

    let build = motcua(&db.url, &DEMO);
    assert_eq!(build.status.code(), Some(2), "{}", text(&build));
    assert!(text(&build).contains("demo_database_not_empty"));

    let reset = motcua(
        &db.url,
        &["demo", "--no-serve", "--scale", "0.01", "--reset"],
    );
    assert_eq!(reset.status.code(), Some(2), "{}", text(&reset));
    assert!(text(&reset).contains("demo_reset_not_demo"));
    // Still there: importing the same unit again clashes with it.
    let again = motcua(&db.url, &["unit", "import", &file.display().to_string()]);
    assert_ne!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("BQP"), "{}", text(&again));
}

conformance!(demo_twice_then_reset, other_data_is_not_erased);
