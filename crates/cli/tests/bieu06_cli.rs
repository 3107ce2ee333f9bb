//! `motcua report bieu-06` against real databases, on SQLite and PostgreSQL: dossiers
//! registered through the store, then the form as JSON on standard output, per field and per
//! unit, for a range, as an XLSX file; bad input exits 2.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::process::{Command, Output};

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_domain::dossier::{ApplicantKind, Intake, NewApplicant, ReceivedDocument, RuleSet};
use motcua_domain::procedure::{Channel, NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const ROOT: &str = "000.00.00.G00";
const A1: &str = "000.01.00.A01";
const A3: &str = "000.01.02.A03";
const B1: &str = "000.02.00.B01";

fn motcua(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .args(["--database-url", &db.url])
        .output()
        .unwrap()
}

fn json_of(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

async fn seed(db: &TestDb) {
    let t0 = datetime!(2022-01-03 09:00 +07:00);
    let store = &db.store;
    for (code, name, level, parent) in [
        (ROOT, "Bộ Quốc phòng", 0, None),
        (A1, "Cục Quân y", 1, Some(ROOT)),
        (A3, "Ban Hành chính", 2, Some(A1)),
        (B1, "Cục Cán bộ", 1, Some(ROOT)),
    ] {
        let u = NewUnit::parse(code, name, None, level, parent).unwrap();
        store.create_unit("admin", t0, &u).await.unwrap();
    }
    let v = json!({
        "code": "1.009999",
        "name": "Thủ tục ví dụ",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": A3,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [ { "key": "don", "name": "Đơn đề nghị", "copy_kind": "original", "count": 1 } ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định", "role": "specialist", "unit": "owner", "budget_minutes": 2280 }
        ]}
    });
    let new: NewProcedure = serde_json::from_value(v).unwrap();
    store
        .save_procedure("admin", t0, &Procedure::parse(new, 480).unwrap())
        .await
        .unwrap();
    let cal = WorkingCalendar::for_years(
        &HolidayRules::default(),
        &shipped_exceptions(),
        OfficeHours::default(),
        2021,
        2024,
    )
    .unwrap();
    let desk = store.scoped(Scope::All);
    // One received on 10/6 (carried over into Q3), three on 4/7 (two online); none resolved,
    // all overdue at the end of Q3.
    let dossiers: [(OffsetDateTime, bool); 4] = [
        (datetime!(2022-06-10 09:00 +07:00), false),
        (datetime!(2022-07-04 09:00 +07:00), true),
        (datetime!(2022-07-04 09:00 +07:00), true),
        (datetime!(2022-07-04 09:00 +07:00), false),
    ];
    for (at, online) in dossiers {
        let intake = Intake {
            procedure_code: "1.009999".into(),
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
        desk.register_dossier("receiver", at, intake, &cal, &RuleSet::default())
            .await
            .unwrap();
    }
}

async fn bieu06_json_per_field_and_unit(db: &TestDb) {
    seed(db).await;
    let v = json_of(&motcua(db, &["report", "bieu-06", "--period", "2022-Q3"]));
    assert_eq!(v["unit_code"], ROOT);
    assert_eq!(v["receiving_unit"], "Văn phòng Chính phủ");
    assert_eq!(v["period"]["label"], "Quý III/2022");
    assert_eq!(v["period"]["from"], "2022-06-15");
    assert_eq!(v["period"]["to"], "2022-09-14");
    assert_eq!(v["rows_by"], "field");
    let t = &v["total"];
    assert_eq!(
        (
            &t["received_total"],
            &t["received_online"],
            &t["received_offline"],
            &t["carried_over"]
        ),
        (&json!(4), &json!(2), &json!(1), &json!(1))
    );
    assert_eq!(
        (&t["pending_total"], &t["pending_overdue"]),
        (&json!(4), &json!(4))
    );
    assert_eq!(v["rows"][0]["label"], "Chính sách quân nhân");

    let v = json_of(&motcua(
        db,
        &["report", "bieu-06", "--period", "2022-Q3", "--rows", "unit"],
    ));
    let keys: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec![A1, B1]);
    assert_eq!(v["rows"][0]["received_total"], 4);
    assert_eq!(v["rows"][1]["received_total"], 0);

    // A unit below the root reports to its parent; a range; the calendar quarter.
    let v = json_of(&motcua(
        db,
        &[
            "report",
            "bieu-06",
            "--from",
            "2022-07-01",
            "--to",
            "2022-07-31",
            "--unit",
            A3,
        ],
    ));
    assert_eq!(v["receiving_unit"], "Cục Quân y");
    assert_eq!(v["total"]["received_total"], 4);
    assert_eq!(v["total"]["carried_over"], 1);
    let v = json_of(&motcua(
        db,
        &["report", "bieu-06", "--period", "2022-Q3", "--calendar"],
    ));
    assert_eq!(v["period"]["from"], "2022-07-01");
    assert_eq!(v["total"]["carried_over"], 1);
}

async fn bieu06_xlsx_and_bad_input(db: &TestDb) {
    seed(db).await;
    let dir = std::env::temp_dir().join(format!(
        "motcua-bieu06-{}-{}",
        std::process::id(),
        db.url.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("q3.xlsx");
    let o = motcua(
        db,
        &[
            "report",
            "bieu-06",
            "--period",
            "2022-Q3",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK"), "not an XLSX package");
    let _ = std::fs::remove_dir_all(&dir);

    for (args, code) in [
        (
            vec!["report", "bieu-06", "--period", "2022-Q5"],
            "report_period_invalid",
        ),
        (vec!["report", "bieu-06"], "report_period_invalid"),
        (
            vec!["report", "bieu-06", "--period", "2022-Q3", "--rows", "x"],
            "report_rows_invalid",
        ),
        (
            vec![
                "report", "bieu-06", "--period", "2022-Q3", "--format", "pdf",
            ],
            "format_invalid",
        ),
        (
            vec![
                "report",
                "bieu-06",
                "--from",
                "2022-07-31",
                "--to",
                "2022-07-01",
            ],
            "report_range_invalid",
        ),
        (
            vec![
                "report",
                "bieu-06",
                "--period",
                "2022-Q3",
                "--unit",
                "000.09.99.Z99",
            ],
            "unit_not_found",
        ),
    ] {
        let o = motcua(db, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(code), "{args:?}: {err}");
    }
}

conformance!(bieu06_json_per_field_and_unit, bieu06_xlsx_and_bad_input);
