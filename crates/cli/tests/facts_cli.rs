//! `motcua unit facts import FILE.csv` against real databases (SQLite and PostgreSQL): a good
//! file is recorded whole, a file with one bad line records nothing and names the line.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::process::{Command, Output};

use motcua_store::conformance;
use motcua_store::testing::TestDb;
use time::macros::date;

fn motcua(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .args(["--database-url", &db.url])
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const UNITS_CSV: &str = "code,name,short_name,level,parent_code\n\
    BQP,Bộ Quốc phòng,BQP,0,\n\
    C1,Cục Một,,1,BQP\n\
    C1.A,Phòng A,,2,C1\n\
    C1.B,Phòng B,,2,C1\n";

async fn facts_import(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.csv");
    std::fs::write(&units, UNITS_CSV).unwrap();
    let out = motcua(db, &["unit", "import", &units.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "unit_code,kind,value,valid_from,note\n\
         C1,data_network,có,2022-09-30,\n\
         C1.A,data_network,có lẽ,2022-09-30,\n",
    )
    .unwrap();
    let out = motcua(db, &["unit", "facts", "import", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("dòng 3"), "{}", stderr(&out));
    let d = date!(2022 - 09 - 30);
    let cov = db
        .store
        .fact_coverage("BQP", "data_network", d)
        .await
        .unwrap();
    assert_eq!(cov.iter().map(|c| c.covered).sum::<u64>(), 0);

    let good = dir.path().join("facts.csv");
    std::fs::write(
        &good,
        "unit_code,kind,value,valid_from,note\n\
         C1,data_network,có,2022-09-30,\n\
         C1.A,data_network,1,30/09/2022,\n\
         C1.B,data_network,không,2022-09-30,\n\
         C1,email_accounts,33.900,2022-09-30,Thư điện tử quân sự\n",
    )
    .unwrap();
    let out = motcua(
        db,
        &["unit", "facts", "import", &good.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"imported":4}"#
    );
    let cov = db
        .store
        .fact_coverage("BQP", "data_network", d)
        .await
        .unwrap();
    let got: Vec<_> = cov.iter().map(|c| (c.level, c.units, c.covered)).collect();
    assert_eq!(got, [(0, 1, 0), (1, 1, 1), (2, 2, 1)]);
    assert_eq!(
        db.store
            .fact_total("BQP", "email_accounts", d)
            .await
            .unwrap(),
        33_900
    );
}

conformance!(facts_import);
