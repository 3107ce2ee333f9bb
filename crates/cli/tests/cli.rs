//! The `motcua` binary against real databases: imports, people, the audit chain, bad input.
//! Every test runs on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::io::Write;
use std::process::{Command, Output, Stdio};

use motcua_store::conformance;
use motcua_store::testing::TestDb;

fn motcua(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .args(["--database-url", &db.url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write_file(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

const UNITS_CSV: &str = "code,name,short_name,level,parent_code\n\
    BQP,Bộ Quốc phòng,BQP,0,\n\
    C1,Cục Một,,1,BQP\n\
    C1.A,Phòng A,,2,C1\n";

async fn import_then_people(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(&dir, "units.csv", UNITS_CSV);
    let out = motcua(db, &["unit", "import", &file], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"imported":3}"#
    );

    // A file with one bad row imports nothing and names the line.
    let bad = write_file(
        &dir,
        "bad.json",
        r#"[{"code":"C2","name":"Cục Hai","level":1,"parent_code":"BQP"},
{"code":"C1","name":"Trùng","level":1,"parent_code":"BQP"}]"#,
    );
    let out = motcua(db, &["unit", "import", &bad], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("dòng 2"), "{}", stderr(&out));
    assert!(db.store.unit_by_code("C2").await.unwrap().is_none());

    let out = motcua(
        db,
        &[
            "user",
            "add",
            "--username",
            "lan",
            "--full-name",
            "Nguyễn Thị Lan",
            "--unit",
            "C1.A",
            "--role",
            "receiver",
            "--role",
            "specialist",
            "--password-stdin",
        ],
        Some("mat-khau-dai\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["roles"], serde_json::json!(["specialist", "receiver"]));

    // Bad input: exit 2, a Vietnamese message, nothing written.
    for (args, code) in [
        (
            vec![
                "user",
                "add",
                "--username",
                "mai",
                "--full-name",
                "Mai",
                "--unit",
                "NOPE",
                "--role",
                "leader",
                "--password-stdin",
            ],
            "unit_not_found",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "mai",
                "--full-name",
                "Mai",
                "--unit",
                "C1",
                "--role",
                "boss",
                "--password-stdin",
            ],
            "role_unknown",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "lan",
                "--full-name",
                "Lan",
                "--unit",
                "C1",
                "--role",
                "leader",
                "--password-stdin",
            ],
            "username_taken",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "mai",
                "--full-name",
                "Mai",
                "--unit",
                "C1",
                "--role",
                "leader",
            ],
            "password_stdin_required",
        ),
    ] {
        let out = motcua(db, &args, Some("mat-khau-dai\n"));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(code), "{args:?}: {}", stderr(&out));
    }
    let out = motcua(
        db,
        &[
            "user",
            "add",
            "--username",
            "mai",
            "--full-name",
            "Mai",
            "--unit",
            "C1",
            "--role",
            "leader",
            "--password-stdin",
        ],
        Some("ngan\n"),
    );
    assert!(stderr(&out).contains("password_too_short"));
    assert!(db.store.credentials("mai").await.unwrap().is_none());

    let out = motcua(
        db,
        &["user", "passwd", "--username", "lan", "--password-stdin"],
        Some("mat-khau-moi-dai\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = motcua(
        db,
        &[
            "user",
            "passwd",
            "--username",
            "khong-co",
            "--password-stdin",
        ],
        Some("mat-khau-moi-dai\n"),
    );
    assert_eq!(out.status.code(), Some(2));
}

async fn audit_verify_catches_a_hand_edit(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(&dir, "units.csv", UNITS_CSV);
    assert_eq!(
        motcua(db, &["unit", "import", &file], None).status.code(),
        Some(0)
    );
    let out = motcua(db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"entries":3,"status":"ok"}"#
    );

    let unguard = match db.store.engine() {
        motcua_store::Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
        motcua_store::Engine::Postgres => {
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"
        }
    };
    db.raw(unguard).await.unwrap();
    db.raw("UPDATE audit_log SET summary = '{\"name\":\"sửa tay\"}' WHERE seq = 2")
        .await
        .unwrap();
    let out = motcua(db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "broken");
    assert_eq!(report["first_bad_entry"], 2);
    assert!(stderr(&out).contains("số 2"), "{}", stderr(&out));
}

async fn migrate_and_usage_errors(db: &TestDb) {
    let out = motcua(db, &["db", "migrate"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = motcua(db, &["unit", "import", "/nonexistent/units.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("file_unreadable"));
    let out = motcua(db, &["unit", "import", "units.xlsx"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = motcua(db, &["no-such-command"], None);
    assert_eq!(out.status.code(), Some(2));
}

conformance!(
    import_then_people,
    audit_verify_catches_a_hand_edit,
    migrate_and_usage_errors
);

#[test]
fn default_config_round_trips() {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("print-default-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("database_url = \"sqlite:motcua-data/motcua.db\""));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("motcua.toml");
    std::fs::write(&path, &text).unwrap();
    // The printed file is accepted back; a typo in it is refused with exit 2.
    let ok = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--config", path.to_str().unwrap(), "print-default-config"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    std::fs::write(&path, format!("listen_typo = 1\n{text}")).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--config", path.to_str().unwrap(), "print-default-config"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("config_invalid"));
    // The portal status map is a section of the file (issue 4 item 7); a code outside the
    // portal's 1–10 is refused before anything starts.
    assert!(text.contains("[portal_status]"));
    let remapped = text.replace("refused = 10", "refused = 3");
    assert_ne!(remapped, text);
    std::fs::write(&path, &remapped).unwrap();
    let ok = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--config", path.to_str().unwrap(), "print-default-config"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    std::fs::write(&path, text.replace("refused = 10", "refused = 11")).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--config", path.to_str().unwrap(), "print-default-config"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("portal_status_invalid"), "{stderr}");
    // Dated rule sets: accepted when valid, refused when two share a name.
    assert!(text.contains("rule_sets = []"));
    let dated = "[[rule_sets]]\nname = \"tt03-2025\"\neffective_from = \"2025-07-01\"\nsupplement_rounds_per_agency = 2\n";
    let with_set = format!("{}\n{dated}", text.replace("rule_sets = []\n", ""));
    let run = |contents: &str| {
        std::fs::write(&path, contents).unwrap();
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--config", path.to_str().unwrap(), "print-default-config"])
            .output()
            .unwrap()
    };
    let ok = run(&with_set);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = run(&format!("{with_set}\n{dated}"));
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("rule_set_duplicate"), "{stderr}");
}
