//! Conformance of attachment storage on SQLite and PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`): the durable content-addressed file, one file for identical content,
//! hashes verified on read, the audited metadata row, the domain's rules, and scope (a dossier
//! outside it looks absent on every call).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_domain::dossier::{ApplicantKind, Intake, NewApplicant, ReceivedDocument, RuleSet};
use motcua_domain::procedure::{Channel, NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, ScopedStore, Store, conformance};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

const ROOT: &str = "000.00.00.G00";
const A3: &str = "000.01.02.A03";
const B1: &str = "000.02.00.B01";
const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

fn procedure(unit: &str) -> Procedure {
    let new: NewProcedure = serde_json::from_value(json!({
        "code": "1.009999",
        "name": "Xác nhận thời gian công tác (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị", "copy_kind": "original", "count": 1 }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 2400 }
        ]}
    }))
    .unwrap();
    Procedure::parse(new, 480).unwrap()
}

/// Units A3 (owner of the procedure) and B1, one dossier at A3; the store keeps its blobs in
/// a fresh temporary folder. Returns the store, the dossier code and the folder.
async fn setup(db: &TestDb) -> (Store, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = db.store.clone().with_blob_dir(dir.path().join("blobs"));
    let root = NewUnit::parse(ROOT, "Bộ", None, 0, None).unwrap();
    store.create_unit("admin", T0, &root).await.unwrap();
    for (code, level) in [(A3, 1), (B1, 1)] {
        let u = NewUnit::parse(code, "Đơn vị", None, level, Some(ROOT)).unwrap();
        store.create_unit("admin", T0, &u).await.unwrap();
    }
    store
        .save_procedure("admin", T0, &procedure(A3))
        .await
        .unwrap();
    let cal = WorkingCalendar::for_years(
        &HolidayRules::default(),
        &shipped_exceptions(),
        OfficeHours::default(),
        2026,
        2027,
    )
    .unwrap();
    let intake = Intake {
        procedure_code: "1.009999".into(),
        channel: Channel::InPerson,
        applicant: NewApplicant {
            kind: ApplicantKind::Person,
            name: "Nguyễn Văn An".into(),
            id_number: "001099012345".into(),
            phone: None,
            email: None,
            address: None,
        },
        documents: vec![ReceivedDocument {
            key: "don_de_nghi".into(),
            count: 1,
        }],
        received_at: None,
        summary: None,
        received_by: None,
    };
    let code = scoped(&store, A3)
        .await
        .register_dossier("receiver.a", T0, intake, &cal, &RuleSet::default())
        .await
        .unwrap()
        .dossier
        .code;
    (store, code, dir)
}

async fn scoped(store: &Store, unit: &str) -> ScopedStore {
    let u = store.unit_by_code(unit).await.unwrap().unwrap();
    store.scoped(Scope::Subtree(u.path))
}

fn sha256_hex(bytes: &[u8]) -> String {
    motcua_store::blobs::sha256_hex(bytes)
}

async fn stored_durably_once_and_audited(db: &TestDb) {
    let (store, code, dir) = setup(db).await;
    let desk = scoped(&store, A3).await;
    let added = desk
        .add_attachment(
            "receiver.a",
            T0,
            &code,
            "../../Đơn đề nghị.pdf",
            PDF,
            Some("don_de_nghi"),
        )
        .await
        .unwrap();
    assert!(added.created);
    let a = &added.attachment;
    let sha = sha256_hex(PDF);
    assert_eq!(a.sha256, sha);
    assert_eq!(a.size, PDF.len() as i64);
    assert_eq!(a.media_type, "application/pdf");
    assert_eq!(a.file_name, "Đơn đề nghị.pdf");
    assert_eq!(a.document_key.as_deref(), Some("don_de_nghi"));
    assert_eq!(a.uploaded_by, "receiver.a");

    // The file is at <data_dir>/blobs/ab/cd/<sha256>, complete.
    let path = dir
        .path()
        .join("blobs")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(&sha);
    assert_eq!(std::fs::read(&path).unwrap(), PDF);

    // The same content again (another name) keeps the first row; one file.
    let again = desk
        .add_attachment("receiver.a", T0, &code, "ban-sao.pdf", PDF, None)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.attachment.file_name, "Đơn đề nghị.pdf");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR anh chup";
    desk.add_attachment("receiver.a", T0, &code, "ảnh chụp", png, None)
        .await
        .unwrap();
    let list = desk.attachments(&code).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|a| a.file_name.as_str())
            .collect::<Vec<_>>(),
        ["Đơn đề nghị.pdf", "ảnh chụp.png"]
    );
    let (meta, bytes) = desk.attachment(&code, &sha.to_uppercase()).await.unwrap();
    assert_eq!(
        (meta.sha256.as_str(), bytes.as_slice()),
        (sha.as_str(), PDF)
    );

    // Two uploads that added something, two audit entries.
    let filter = AuditFilter {
        object_id: Some(code.clone()),
        ..Default::default()
    };
    let actions: Vec<String> = store
        .scoped(Scope::All)
        .audit(&filter, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("attachment."))
        .collect();
    assert_eq!(actions, ["attachment.add", "attachment.add"]);
    assert!(store.verify_audit().await.unwrap().is_ok(), "chain intact");

    // A file damaged on disk is refused, never served.
    std::fs::write(&path, b"%PDF-1.7 da bi sua").unwrap();
    assert_eq!(
        desk.attachment(&code, &sha).await.unwrap_err().code,
        "attachment_corrupt"
    );
}

async fn rules_refuse_before_anything_is_stored(db: &TestDb) {
    let (store, code, dir) = setup(db).await;
    let desk = scoped(&store, A3).await;
    let html = b"<!DOCTYPE html><script>alert(1)</script>";
    let e = desk
        .add_attachment("receiver.a", T0, &code, "hoso.pdf", html, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "attachment_type_not_allowed");
    let e = desk
        .add_attachment("receiver.a", T0, &code, "a.pdf", b"", None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "attachment_empty");
    let small = store.clone().with_attachment_limit(16);
    let e = scoped(&small, A3)
        .await
        .add_attachment("receiver.a", T0, &code, "a.pdf", PDF, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "attachment_too_large");
    let e = desk
        .add_attachment("receiver.a", T0, &code, "a.pdf", PDF, Some("khong_co"))
        .await
        .unwrap_err();
    assert_eq!(e.code, "attachment_document_unknown");
    assert!(desk.attachments(&code).await.unwrap().is_empty());
    assert!(!dir.path().join("blobs").exists(), "no file was written");
}

async fn out_of_scope_looks_absent(db: &TestDb) {
    let (store, code, _dir) = setup(db).await;
    let desk = scoped(&store, A3).await;
    desk.add_attachment("receiver.a", T0, &code, "a.pdf", PDF, None)
        .await
        .unwrap();
    let sha = sha256_hex(PDF);
    let other = scoped(&store, B1).await;
    for c in [code.as_str(), "000.01.02.A03-261102-9999"] {
        assert_eq!(
            other.attachments(c).await.unwrap_err().code,
            "dossier_not_found"
        );
        assert_eq!(
            other.attachment(c, &sha).await.unwrap_err().code,
            "dossier_not_found"
        );
        let e = other
            .add_attachment("leader.b", T0, c, "b.pdf", b"%PDF-1.4 khac", None)
            .await
            .unwrap_err();
        assert_eq!(e.code, "dossier_not_found");
    }
    // Content another dossier has is not reachable through a dossier that lacks it.
    assert_eq!(
        desk.attachment(&code, &sha256_hex(b"%PDF-1.4 khac"))
            .await
            .unwrap_err()
            .code,
        "attachment_not_found"
    );
    assert_eq!(
        desk.attachment(&code, "../../etc/passwd")
            .await
            .unwrap_err()
            .code,
        "attachment_not_found"
    );
    assert_eq!(desk.attachments(&code).await.unwrap().len(), 1);
}

conformance!(
    stored_durably_once_and_audited,
    rules_refuse_before_anything_is_stored,
    out_of_scope_looks_absent,
);
