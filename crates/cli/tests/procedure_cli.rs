//! `motcua procedure import|export` against real databases, on SQLite and PostgreSQL: files
//! of several procedures, round trips, and files with one bad procedure that import nothing.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::process::{Command, Output};

use motcua_domain::procedure::NewProcedure;
use motcua_domain::unit::NewUnit;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

const ROOT: &str = "000.00.00.G00";

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write_file(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

/// The ministry and the units of the sample file (examples/units.csv).
async fn seed(db: &TestDb) {
    let now = time::OffsetDateTime::now_utc();
    for (code, name, level, parent) in [
        (ROOT, "Bộ Quốc phòng", 0, None),
        ("000.00.01.H22", "Cục Chính sách", 1, Some(ROOT)),
        (
            "000.00.21.H22",
            "Phòng Chế độ chính sách",
            2,
            Some("000.00.01.H22"),
        ),
        ("000.00.02.H22", "Cục Quân y", 1, Some(ROOT)),
    ] {
        let unit = NewUnit::parse(code, name, None, level, parent).unwrap();
        db.store.create_unit("admin", now, &unit).await.unwrap();
    }
}

fn procedure(code: &str, name: &str, unit: &str) -> Value {
    json!({
        "code": code,
        "name": name,
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị (theo mẫu)", "copy_kind": "original", "count": 1 }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "none",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 480 },
            { "key": "xu_ly", "name": "Xử lý, trình ký", "role": "specialist", "unit": "owner", "budget_minutes": 1920 }
        ]}
    })
}

fn documents(v: &Value) -> Vec<NewProcedure> {
    serde_json::from_value(v.clone()).unwrap()
}

async fn audit_count(db: &TestDb) -> i64 {
    db.store.verify_audit().await.unwrap().unwrap()
}

async fn import_and_export_round_trip(db: &TestDb) {
    seed(db).await;
    let dir = tempfile::tempdir().unwrap();
    let two = json!([
        procedure("1.000101", "Xác nhận thời gian công tác", "000.00.01.H22"),
        procedure("1.000102", "Xác nhận phục viên", "000.00.02.H22"),
    ]);
    let file = write_file(&dir, "two.json", &two.to_string());
    let out = motcua(db, &["procedure", "import", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["imported"], 2);
    assert_eq!(
        report["procedures"][1],
        json!({ "code": "1.000102", "version": 1 })
    );

    // Export gives back what was imported, in code order.
    let out = motcua(db, &["procedure", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let exported: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(documents(&exported), documents(&two));

    // One code, to a file; importing it again makes version 2 of that code only.
    let path = dir.path().join("one.json");
    let out = motcua(
        db,
        &[
            "procedure",
            "export",
            "--code",
            "1.000102",
            "--out",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let one: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1);
    let out = motcua(db, &["procedure", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        db.store
            .procedure("1.000102")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    assert_eq!(
        db.store
            .procedure("1.000101")
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );

    // A single object is a file of one.
    let single = write_file(
        &dir,
        "single.json",
        &procedure("1.000103", "Cấp giấy giới thiệu", "000.00.01.H22").to_string(),
    );
    let out = motcua(db, &["procedure", "import", &single]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = motcua(db, &["procedure", "export", "--code", "9.999999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("procedure_not_found"),
        "{}",
        stderr(&out)
    );
}

async fn bad_files_import_nothing(db: &TestDb) {
    seed(db).await;
    let dir = tempfile::tempdir().unwrap();
    let before = audit_count(db).await;

    // The second procedure's budgets do not add up and the third has an empty name: both are
    // reported with their position and code, and nothing is imported.
    let mut short = procedure("1.000202", "Thủ tục thiếu thời gian", "000.00.01.H22");
    short["workflow"]["steps"][1]["budget_minutes"] = json!(60);
    let mut unnamed = procedure("1.000203", " ", "000.00.01.H22");
    unnamed["documents"][0]["count"] = json!(0);
    let file = write_file(
        &dir,
        "bad.json",
        &json!([
            procedure("1.000201", "Thủ tục tốt", "000.00.01.H22"),
            short,
            unnamed
        ])
        .to_string(),
    );
    let out = motcua(db, &["procedure", "import", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("procedure_invalid"), "{err}");
    assert!(err.contains("mục 2 (thủ tục 1.000202)"), "{err}");
    assert!(err.contains("mục 3 (thủ tục 1.000203): name"), "{err}");
    assert!(!err.contains("mục 1 "), "{err}");

    // A unit that does not exist is found in the transaction: still nothing is imported.
    let file = write_file(
        &dir,
        "unit.json",
        &json!([
            procedure("1.000201", "Thủ tục tốt", "000.00.01.H22"),
            procedure("1.000204", "Thủ tục của đơn vị lạ", "000.00.99.H22"),
        ])
        .to_string(),
    );
    let out = motcua(db, &["procedure", "import", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Mục 2 (thủ tục 1.000204)"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("unit_not_found"), "{}", stderr(&out));

    // Unknown fields, the same code twice, not JSON, an empty list.
    let mut typo = procedure("1.000205", "Thủ tục gõ nhầm", "000.00.01.H22");
    typo["legal_basiss"] = json!([]);
    let dup = procedure("1.000206", "Thủ tục lặp", "000.00.01.H22");
    for (name, content, code) in [
        ("typo.json", json!([typo]).to_string(), "invalid_json"),
        (
            "dup.json",
            json!([dup, dup]).to_string(),
            "procedure_duplicate",
        ),
        ("text.json", "không phải JSON".to_string(), "invalid_json"),
        ("empty.json", "[]".to_string(), "procedure_file_empty"),
        ("number.json", "42".to_string(), "procedure_file_invalid"),
    ] {
        let file = write_file(&dir, name, &content);
        let out = motcua(db, &["procedure", "import", &file]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(code), "{name}: {}", stderr(&out));
    }
    let out = motcua(db, &["procedure", "import", "/khong/co/tep.json"]);
    assert_eq!(out.status.code(), Some(2));

    assert!(db.store.latest_procedures(None).await.unwrap().is_empty());
    assert_eq!(audit_count(db).await, before);
}

async fn sample_file_imports(db: &TestDb) {
    seed(db).await;
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/procedures.json"
    );
    let out = motcua(db, &["procedure", "import", sample]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved = db.store.latest_procedures(None).await.unwrap();
    assert_eq!(saved.len(), 3);
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(sample).unwrap()).unwrap();
    let mut expected = documents(&sample);
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    let stored: Vec<NewProcedure> = saved.iter().map(|p| p.to_new()).collect();
    assert_eq!(stored, expected);
}

conformance!(
    import_and_export_round_trip,
    bad_files_import_nothing,
    sample_file_imports,
);
