//! `motcua calendar …` run as a real binary: exact JSON on stdout, exit 2 with a message on
//! stderr for bad input, and exceptions read from and written to a database on both engines
//! (`<test>::sqlite`, `<test>::postgres`; PostgreSQL must be reachable unless
//! `MOTCUA_TEST_POSTGRES=skip`).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::path::Path;
use std::process::Command;

use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, conformance};
use serde_json::{Value, json};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap()
    }
}

/// Runs the binary in `dir` with no configuration from the environment.
fn motcua_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .current_dir(dir)
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("USER", "tester")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn motcua_db(db: &TestDb, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["--database-url", db.url.as_str()];
    all.extend_from_slice(args);
    motcua_in(dir.path(), &all)
}

fn assert_bad_input(run: &Run, code: &str) {
    assert_eq!(run.code, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    assert!(run.stderr.contains(code), "{code} in {}", run.stderr);
}

fn schedule_2025() -> Value {
    let off = |date: &str, kind: &str, name: &str, provisional: bool| json!({ "date": date, "kind": kind, "name": name, "provisional": provisional });
    let tet = "Nghỉ Tết Âm lịch Ất Tỵ";
    json!({
        "year": 2025,
        "days_off": [
            off("2025-01-01", "holiday", "Tết Dương lịch", false),
            off("2025-01-27", "announced_off", tet, false),
            off("2025-01-28", "announced_off", tet, false),
            off("2025-01-29", "announced_off", tet, false),
            off("2025-01-30", "announced_off", tet, false),
            off("2025-01-31", "announced_off", tet, false),
            off("2025-04-07", "holiday", "Giỗ Tổ Hùng Vương", false),
            off("2025-04-30", "holiday", "Ngày Chiến thắng", false),
            off("2025-05-01", "holiday", "Ngày Quốc tế Lao động", false),
            off("2025-05-02", "announced_off", "Nghỉ hoán đổi dịp 30/4 - 1/5", false),
            off("2025-09-01", "holiday", "Quốc khánh (ngày liền kề)", true),
            off("2025-09-02", "holiday", "Quốc khánh", false),
        ],
        "extra_workdays": [{ "date": "2025-04-26", "name": "Làm bù cho ngày 2/5" }],
    })
}

const DEADLINE_5_DAYS: &[&str] = &[
    "calendar",
    "deadline",
    "--from",
    "2025-01-24T10:00:00+07:00",
    "--working-days",
    "5",
];

#[test]
fn lunar_and_solar_need_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = motcua_in(dir.path(), &["calendar", "lunar", "--solar", "1985-01-21"]);
    assert_eq!(
        run.stdout.trim(),
        r#"{"solar":"1985-01-21","lunar_year":1985,"lunar_month":1,"lunar_day":1,"leap_month":false,"year_name":"Ất Sửu"}"#
    );
    // The Chinese calendar (UTC+8) starts that month a day earlier: 1985-01-21 is still 12/1984.
    let run = motcua_in(
        dir.path(),
        &["calendar", "lunar", "--solar", "1985-01-21", "--tz", "8"],
    );
    assert_eq!(run.json()["lunar_month"], 12);
    let run = motcua_in(dir.path(), &["calendar", "solar", "--lunar", "2025-03-10"]);
    assert_eq!(run.stdout.trim(), r#"{"solar":"2025-04-07"}"#);
    // 2025 has a leap 6th month; 2024 has none.
    let run = motcua_in(
        dir.path(),
        &["calendar", "solar", "--lunar", "2025-06-01", "--leap"],
    );
    assert_eq!(run.stdout.trim(), r#"{"solar":"2025-07-25"}"#);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["calendar", "solar", "--lunar", "2024-06-01", "--leap"],
            "lunar_date_invalid",
        ),
        (
            &["calendar", "solar", "--lunar", "2025-02-30"],
            "lunar_date_invalid",
        ),
        (
            &["calendar", "solar", "--lunar", "2025/03/10"],
            "invalid_lunar_date",
        ),
        (
            &["calendar", "lunar", "--solar", "21/01/1985"],
            "invalid_date",
        ),
        (
            &["calendar", "lunar", "--solar", "2300-01-01"],
            "date_out_of_range",
        ),
        (
            &["calendar", "lunar", "--solar", "1985-01-21", "--tz", "20"],
            "invalid_time_zone",
        ),
        (&["calendar", "year", "--year", "1800"], "date_out_of_range"),
        (
            &[
                "calendar",
                "deadline",
                "--from",
                "24/01/2025 10:00",
                "--working-days",
                "5",
            ],
            "invalid_instant",
        ),
        (
            &[
                "calendar",
                "deadline",
                "--from",
                "2025-01-24T10:00:00+07:00",
                "--working-days",
                "-1",
            ],
            "negative_duration",
        ),
        (
            &[
                "calendar",
                "deadline",
                "--from",
                "2199-12-30T10:00:00+07:00",
                "--working-days",
                "5",
            ],
            "date_out_of_range",
        ),
    ];
    for (args, code) in cases {
        assert_bad_input(&motcua_in(dir.path(), args), code);
    }
    // Usage errors (clap) are bad input too.
    let run = motcua_in(
        dir.path(),
        &[
            "calendar",
            "deadline",
            "--from",
            "2025-01-24T10:00:00+07:00",
        ],
    );
    assert_eq!(run.code, 2);
    let run = motcua_in(
        dir.path(),
        &[
            "calendar",
            "deadline",
            "--from",
            "2025-01-24T10:00:00+07:00",
            "--working-days",
            "1",
            "--working-hours",
            "1",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn without_a_database_the_shipped_exceptions_apply_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let run = motcua_in(dir.path(), &["calendar", "year", "--year", "2025"]);
    assert_eq!(run.json(), schedule_2025());
    assert!(run.stderr.contains("kèm theo phần mềm"));
    let run = motcua_in(dir.path(), DEADLINE_5_DAYS);
    assert_eq!(
        run.stdout.trim(),
        r#"{"received_at":"2025-01-24T10:00:00+07:00","counted_from":"2025-01-24T10:00:00+07:00","due_at":"2025-02-07T10:00:00+07:00"}"#
    );
    let run = motcua_in(
        dir.path(),
        &["calendar", "exception", "list", "--year", "2026"],
    );
    assert_eq!(run.json()["items"].as_array().unwrap().len(), 5);
    assert!(!dir.path().join("motcua-data").exists());
}

#[test]
fn default_config_round_trips_with_the_calendar_section() {
    let dir = tempfile::tempdir().unwrap();
    let run = motcua_in(dir.path(), &["print-default-config"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("[[calendar.office_hours]]"));
    assert!(run.stdout.contains("[calendar.holiday_rules]"));
    assert!(run.stdout.contains("08:00"));
    // Shorter morning office hours.
    let custom = run.stdout.replacen("12:00", "11:30", 1);
    std::fs::write(dir.path().join("motcua.toml"), custom).unwrap();
    let run = motcua_in(
        dir.path(),
        &[
            "--config",
            "motcua.toml",
            "calendar",
            "deadline",
            "--from",
            "2025-03-03T08:00:00+07:00",
            "--working-hours",
            "4",
        ],
    );
    // 08:00–11:30 gives 3.5 hours, the last half hour runs from 13:00.
    assert_eq!(run.json()["due_at"], "2025-03-03T13:30:00+07:00");
    std::fs::write(
        dir.path().join("bad.toml"),
        "[calendar]\nofice_hours = []\n",
    )
    .unwrap();
    let run = motcua_in(
        dir.path(),
        &["--config", "bad.toml", "calendar", "year", "--year", "2025"],
    );
    assert_bad_input(&run, "config_invalid");
}

async fn year_and_deadline_follow_the_database(db: &TestDb) {
    // A fresh database holds the shipped exceptions.
    assert_eq!(
        motcua_db(db, &["calendar", "year", "--year", "2025"]).json(),
        schedule_2025()
    );
    assert_eq!(
        motcua_db(db, DEADLINE_5_DAYS).json()["due_at"],
        "2025-02-07T10:00:00+07:00"
    );

    // Monday 3/2/2025 announced off: the deadline moves one working day.
    let run = motcua_db(
        db,
        &[
            "calendar",
            "exception",
            "add",
            "--date",
            "2025-02-03",
            "--kind",
            "day_off",
            "--name",
            "Nghỉ thêm sau Tết (thử nghiệm)",
            "--legal-ref",
            "Thông báo thử nghiệm",
        ],
    );
    let added = run.json();
    assert_eq!(added["date"], "2025-02-03");
    assert_eq!(added["kind"], "day_off");
    assert_eq!(added["source"], "admin");
    assert_eq!(added["created_by"], "cli:tester");
    let year = motcua_db(db, &["calendar", "year", "--year", "2025"]).json();
    assert!(year["days_off"].as_array().unwrap().contains(&json!({
        "date": "2025-02-03", "kind": "announced_off",
        "name": "Nghỉ thêm sau Tết (thử nghiệm)", "provisional": false,
    })));
    assert_eq!(
        motcua_db(db, DEADLINE_5_DAYS).json()["due_at"],
        "2025-02-10T10:00:00+07:00"
    );

    // A second exception on the same date, a bad kind, a bad date: refused, nothing changes.
    let before = db.store.verify_audit().await.unwrap().unwrap();
    assert_bad_input(
        &motcua_db(
            db,
            &[
                "calendar",
                "exception",
                "add",
                "--date",
                "2025-02-03",
                "--kind",
                "working_day",
                "--name",
                "Làm bù",
            ],
        ),
        "calendar_exception_exists",
    );
    assert_eq!(
        motcua_db(
            db,
            &[
                "calendar",
                "exception",
                "add",
                "--date",
                "2025-02-04",
                "--kind",
                "off",
                "--name",
                "x"
            ],
        )
        .code,
        2
    );
    assert_bad_input(
        &motcua_db(
            db,
            &[
                "calendar",
                "exception",
                "add",
                "--date",
                "2025-02-30",
                "--kind",
                "day_off",
                "--name",
                "x",
            ],
        ),
        "invalid_date",
    );
    assert_bad_input(
        &motcua_db(
            db,
            &[
                "calendar",
                "exception",
                "add",
                "--date",
                "2025-02-04",
                "--kind",
                "day_off",
                "--name",
                "   ",
            ],
        ),
        "field_empty",
    );
    assert_eq!(db.store.verify_audit().await.unwrap().unwrap(), before);

    let run = motcua_db(
        db,
        &["calendar", "exception", "remove", "--date", "2025-02-03"],
    );
    assert_eq!(run.json()["name"], "Nghỉ thêm sau Tết (thử nghiệm)");
    assert_eq!(
        motcua_db(db, DEADLINE_5_DAYS).json()["due_at"],
        "2025-02-07T10:00:00+07:00"
    );
    assert_bad_input(
        &motcua_db(
            db,
            &["calendar", "exception", "remove", "--date", "2025-02-03"],
        ),
        "calendar_exception_not_found",
    );

    // Both changes are in the audit chain, by the command-line actor.
    let filter = AuditFilter {
        object_type: Some("calendar_exception".into()),
        ..Default::default()
    };
    let log = db
        .store
        .scoped(motcua_domain::scope::Scope::All)
        .audit(&filter, 10)
        .await
        .unwrap();
    let actions: Vec<_> = log
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("calendar.exception_remove", "cli:tester"),
            ("calendar.exception_add", "cli:tester"),
        ]
    );
}

async fn removing_a_shipped_swap_and_covering_tet(db: &TestDb) {
    // Remove the shipped 2/5 ↔ 26/4 swap of 2025.
    for date in ["2025-05-02", "2025-04-26"] {
        let run = motcua_db(db, &["calendar", "exception", "remove", "--date", date]);
        assert_eq!(run.json()["source"], "shipped");
    }
    let year = motcua_db(db, &["calendar", "year", "--year", "2025"]).json();
    assert_eq!(year["extra_workdays"], json!([]));
    assert!(
        !year["days_off"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2025-05-02")
    );

    // 2027 has no announcement yet: Tết days are provisional until one covers the rule.
    let provisional = |year: &Value| {
        year["days_off"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["provisional"] == true)
            .count()
    };
    let before = motcua_db(db, &["calendar", "year", "--year", "2027"]).json();
    assert!(provisional(&before) >= 5);
    let run = motcua_db(
        db,
        &[
            "calendar",
            "exception",
            "add",
            "--date",
            "2027-02-08",
            "--kind",
            "day_off",
            "--name",
            "Nghỉ Tết Âm lịch Đinh Mùi",
            "--covers",
            "tet_nguyen_dan",
        ],
    );
    assert_eq!(run.json()["covers"], "tet_nguyen_dan");
    let after = motcua_db(db, &["calendar", "year", "--year", "2027"]).json();
    assert!(provisional(&after) < provisional(&before));
    let list = motcua_db(db, &["calendar", "exception", "list", "--year", "2027"]).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

conformance!(
    year_and_deadline_follow_the_database,
    removing_a_shipped_swap_and_covering_tet,
);
