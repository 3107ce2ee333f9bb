//! `motcua report quarterly` against real databases, on SQLite and PostgreSQL: dossiers of
//! Q3/2022 registered through the store, e-government facts recorded, then the report as
//! Markdown and DOCX files; bad input exits 2.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::io::Read;
use std::process::{Command, Output};

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_domain::dossier::{ApplicantKind, Intake, NewApplicant, ReceivedDocument, RuleSet};
use motcua_domain::egov::NewFact;
use motcua_domain::procedure::{Channel, NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::json;
use time::macros::{date, datetime};

const ROOT: &str = "000.00.00.G00";
const A1: &str = "000.01.00.A01";
const A2: &str = "000.01.01.A02";
const A3: &str = "000.01.02.A03";
const B1: &str = "000.02.00.B01";

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

async fn seed(db: &TestDb) {
    let t0 = datetime!(2022-01-03 09:00 +07:00);
    let store = &db.store;
    for (code, name, short, level, parent) in [
        (ROOT, "Bộ Quốc phòng", Some("BQP"), 0, None),
        (A1, "Cục Quân y", None, 1, Some(ROOT)),
        (A2, "Phòng Điều trị", None, 2, Some(A1)),
        (A3, "Ban Hành chính", None, 3, Some(A2)),
        (B1, "Cục Cán bộ", None, 1, Some(ROOT)),
    ] {
        let u = NewUnit::parse(code, name, short, level, parent).unwrap();
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
    // Three dossiers on 4/7/2022 (two online), due five working days later: still open, and
    // overdue, at the end of the official Q3 (14/9/2022).
    let desk = store.scoped(Scope::All);
    for online in [true, true, false] {
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
        desk.register_dossier(
            "receiver",
            datetime!(2022-07-04 09:00 +07:00),
            intake,
            &cal,
            &RuleSet::default(),
        )
        .await
        .unwrap();
    }
    let fact = |unit: &str, kind: &str, value: i64| NewFact {
        unit_code: unit.into(),
        kind: kind.into(),
        value,
        valid_from: date!(2022 - 07 - 01),
        note: None,
    };
    store
        .record_facts(
            "admin",
            &[
                fact(A1, "data_network", 1),
                fact(B1, "data_network", 1),
                fact(A2, "data_network", 1),
                fact(A1, "email_accounts", 33_000),
                fact(B1, "email_accounts", 900),
            ],
        )
        .await
        .unwrap();
}

async fn markdown_and_docx_files(db: &TestDb) {
    seed(db).await;
    let dir = tempfile::tempdir().unwrap();
    let md_path = dir.path().join("q3.md");
    let out = motcua(
        db,
        &[
            "report",
            "quarterly",
            "--period",
            "2022-Q3",
            "--format",
            "md",
            "--out",
            md_path.to_str().unwrap(),
            "--number",
            "3163",
            "--date",
            "2022-09-20",
            "--signer-title",
            "KT. BỘ TRƯỞNG|THỨ TRƯỞNG",
            "--signer",
            "Nguyễn Văn Ký",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["period"], "2022-Q3");
    let md = std::fs::read_to_string(&md_path).unwrap();
    for needle in [
        "**BỘ QUỐC PHÒNG**  \nSố: 3163/BC-BQP",
        "*Hà Nội, ngày 20 tháng 9 năm 2022*",
        "**Kết quả công tác cải cách hành chính quý III năm 2022**",
        "Trong Quý đã tiếp nhận 3 hồ sơ, chưa có hồ sơ nào được giải quyết xong.",
        "2 hồ sơ được tiếp nhận trực tuyến (đạt tỷ lệ 66,7%), 1 hồ sơ tiếp nhận trực tiếp",
        "Số liệu tính từ ngày 15/6/2022 đến ngày 14/9/2022.",
        "Đến cuối kỳ báo cáo còn 3 hồ sơ đang giải quyết, trong đó 3 hồ sơ đã quá hạn.",
        "triển khai đường truyền số liệu đến 100% đầu mối cơ quan, đơn vị cấp Bộ, 100% cơ quan, đơn vị cấp II và 0% đơn vị cấp III",
        "Phần mềm Thư điện tử được triển khai với 33.900 tài khoản.",
        "NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2022",
        "**KT. BỘ TRƯỞNG**  \n**THỨ TRƯỞNG**",
        "- Lưu: VT, BQP.",
    ] {
        assert!(md.contains(needle), "{needle:?} not in:\n{md}");
    }

    // DOCX by default, named after the period and the unit, text read back from the zip.
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "report",
            "quarterly",
            "--period",
            "2022-Q3",
            "--database-url",
            &db.url,
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let docx = std::fs::read(dir.path().join("bao-cao-cchc-2022-Q3-BQP.docx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains("Trong Quý đã tiếp nhận 3 hồ sơ, chưa có hồ sơ nào được giải quyết xong.")
    );
    assert!(xml.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
}

async fn bad_input_exits_2(db: &TestDb) {
    seed(db).await;
    for args in [
        vec!["report", "quarterly", "--period", "2022-Q5"],
        vec![
            "report",
            "quarterly",
            "--period",
            "2022-Q3",
            "--format",
            "pdf",
        ],
        vec![
            "report",
            "quarterly",
            "--period",
            "2022-Q3",
            "--date",
            "20.9.2022",
        ],
        vec![
            "report",
            "quarterly",
            "--period",
            "2022-Q3",
            "--unit",
            "NO.SUCH",
        ],
    ] {
        let out = motcua(db, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("lỗi: "), "{}", stderr(&out));
    }
}

conformance!(markdown_and_docx_files, bad_input_exits_2);
