//! Dossier attachments over HTTP, on SQLite and on PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`): upload, list and download with the right headers; the size limit;
//! content that is not what its name says; path-traversal names; scope on all three routes.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::http::{Method, header};
use common::*;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_server::Config;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

/// A data directory of its own, removed when dropped.
struct DataDir(std::path::PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The seeded organisation, procedure 1.009999 at A3, one dossier received there, and an
/// attachment limit of 1 KiB. Returns the harness, the dossier code and the data directory.
async fn setup(db: &TestDb) -> (Harness, String, DataDir) {
    let dir = std::env::temp_dir().join(format!(
        "motcua-att-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let mut config = Config {
        data_dir: dir.display().to_string(),
        ..Config::default()
    };
    config.limits.max_attachment_bytes = 1024;
    let h = Harness::with_config(&db.store, config).await;
    let new: NewProcedure = serde_json::from_value(json!({
        "code": "1.009999",
        "name": "Xác nhận thời gian công tác (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": A3,
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
    let p = Procedure::parse(new, 480).unwrap();
    db.store.save_procedure("admin", T0, &p).await.unwrap();
    let receiver = h.token("receiver.a").await;
    let d = h
        .post(
            "/api/v1/dossiers",
            &receiver,
            json!({
                "procedure_code": "1.009999",
                "channel": "in_person",
                "applicant": { "kind": "person", "name": "Nguyễn Văn An", "id_number": "001099012345" },
                "documents": [ { "key": "don_de_nghi" } ]
            }),
        )
        .await;
    let code = d.expect(201).json()["code"].as_str().unwrap().to_string();
    (h, code, DataDir(dir))
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    u64::from(nanos) * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

fn sha256_hex(bytes: &[u8]) -> String {
    motcua_store::blobs::sha256_hex(bytes)
}

async fn upload(h: &Harness, token: &str, code: &str, query: &str, body: &[u8]) -> Resp {
    h.raw(
        Method::POST,
        &format!("/api/v1/dossiers/{code}/attachments?{query}"),
        token,
        "application/octet-stream",
        body.to_vec(),
    )
    .await
}

async fn upload_list_download(db: &TestDb) {
    let (h, code, dir) = setup(db).await;
    let receiver = h.token("receiver.a").await;
    let r = upload(
        &h,
        &receiver,
        &code,
        &format!("name={}&document=don_de_nghi", enc("Đơn đề nghị.pdf")),
        PDF,
    )
    .await;
    let a = r.expect(201).json();
    let sha = sha256_hex(PDF);
    assert_eq!(a["sha256"], sha.as_str());
    assert_eq!(a["size"], PDF.len());
    assert_eq!(a["media_type"], "application/pdf");
    assert_eq!(a["file_name"], "Đơn đề nghị.pdf");
    assert_eq!(a["document_key"], "don_de_nghi");
    assert_eq!(a["uploaded_by"], "receiver.a");
    assert!(a["uploaded_at"].as_str().unwrap().ends_with("+07:00"));
    // Durable under <data_dir>/blobs/ab/cd/<sha256>.
    let file = dir
        .0
        .join("blobs")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(&sha);
    assert_eq!(std::fs::read(file).unwrap(), PDF);

    // The same content again answers 200 with the first upload.
    let again = upload(&h, &receiver, &code, "name=khac.pdf", PDF).await;
    assert_eq!(again.expect(200).json()["file_name"], "Đơn đề nghị.pdf");

    // Anyone who sees the dossier may list and read it (the inspector at the root).
    let inspector = h.token("inspector").await;
    let list = h
        .get(&format!("/api/v1/dossiers/{code}/attachments"), &inspector)
        .await;
    let items = list.expect(200).json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let url = items[0]["url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("/api/v1/dossiers/{code}/attachments/{sha}"));
    let r = h.get(&url, &inspector).await;
    r.expect(200);
    assert_eq!(r.body.as_ref(), PDF);
    let hv = |name: header::HeaderName| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(hv(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(hv(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        hv(header::CONTENT_DISPOSITION),
        "attachment; filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf"
    );
    // The inspector reads but may not upload.
    upload(&h, &inspector, &code, "name=a.pdf", b"%PDF-1.4 khac")
        .await
        .expect(403);
    // A specialist, a leader and a clerk of branch A may.
    for (who, body) in [
        ("specialist.a", &b"%PDF-1.4 chuyen vien"[..]),
        ("leader.a", b"%PDF-1.4 lanh dao"),
        ("clerk.a", b"%PDF-1.4 van thu"),
    ] {
        let t = h.token(who).await;
        upload(&h, &t, &code, "name=y-kien.pdf", body)
            .await
            .expect(201);
    }
}

async fn too_large_or_disguised_is_refused_and_nothing_stored(db: &TestDb) {
    let (h, code, dir) = setup(db).await;
    let receiver = h.token("receiver.a").await;
    let before = h.audit_count().await;
    let mut big = PDF.to_vec();
    big.resize(1025, b' ');
    upload(&h, &receiver, &code, "name=lon.pdf", &big)
        .await
        .expect_error(413, "attachment_too_large");
    // The limit is the attachment's, not the 1 MiB JSON limit, and exactly 1 KiB passes.
    big.truncate(1024);
    upload(&h, &receiver, &code, "name=vua.pdf", &big)
        .await
        .expect(201);
    std::fs::remove_dir_all(dir.0.join("blobs")).unwrap();
    let after_ok = h.audit_count().await;
    assert_eq!(after_ok, before + 1);

    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let r = upload(&h, &receiver, &code, "name=hoso.pdf", html).await;
    r.expect_error(422, "attachment_type_not_allowed");
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    upload(&h, &receiver, &code, "name=hoso.pdf", exe)
        .await
        .expect_error(422, "attachment_type_not_allowed");
    upload(&h, &receiver, &code, "name=a.pdf", b"")
        .await
        .expect_error(422, "attachment_empty");
    // The declared Content-Type does not help.
    let r = h
        .raw(
            Method::POST,
            &format!("/api/v1/dossiers/{code}/attachments?name=x.pdf"),
            &receiver,
            "application/pdf",
            html.to_vec(),
        )
        .await;
    r.expect_error(422, "attachment_type_not_allowed");
    assert_eq!(h.audit_count().await, after_ok, "nothing recorded");
    assert!(!dir.0.join("blobs").exists(), "nothing written");
    let list = h
        .get(&format!("/api/v1/dossiers/{code}/attachments"), &receiver)
        .await;
    assert_eq!(
        list.expect(200).json()["items"].as_array().unwrap().len(),
        1
    );
}

async fn path_traversal_names_are_sanitised(db: &TestDb) {
    let (h, code, dir) = setup(db).await;
    let receiver = h.token("receiver.a").await;
    let r = upload(
        &h,
        &receiver,
        &code,
        &format!("name={}", enc("../../etc/passwd")),
        PDF,
    )
    .await;
    assert_eq!(r.expect(201).json()["file_name"], "passwd.pdf");
    let r = upload(
        &h,
        &receiver,
        &code,
        &format!("name={}", enc("..\\..\\.bashrc\u{202E}fdp.png")),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .await;
    assert_eq!(r.expect(201).json()["file_name"], "bashrcfdp.png");
    // Nothing was written outside the blob folder.
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["blobs"]);
}

async fn out_of_scope_is_absent_on_all_three_routes(db: &TestDb) {
    let (h, code, _dir) = setup(db).await;
    let receiver = h.token("receiver.a").await;
    upload(&h, &receiver, &code, "name=a.pdf", PDF)
        .await
        .expect(201);
    let sha = sha256_hex(PDF);
    let ghost = format!("{A3}-261102-9999");
    // Signing in is audited: take the tokens before counting.
    let tokens = [h.token("leader.b").await, h.token("clerk.b").await];
    let before = h.audit_count().await;
    for t in &tokens {
        for c in [code.as_str(), ghost.as_str()] {
            upload(&h, t, c, "name=b.pdf", b"%PDF-1.4 ngoai pham vi")
                .await
                .expect_error(404, "dossier_not_found");
            h.get(&format!("/api/v1/dossiers/{c}/attachments"), t)
                .await
                .expect_error(404, "dossier_not_found");
            h.get(&format!("/api/v1/dossiers/{c}/attachments/{sha}"), t)
                .await
                .expect_error(404, "dossier_not_found");
        }
    }
    // Inside the scope, a name the dossier does not have is absent too.
    h.get(
        &format!(
            "/api/v1/dossiers/{code}/attachments/{}",
            sha256_hex(b"khac")
        ),
        &receiver,
    )
    .await
    .expect_error(404, "attachment_not_found");
    assert_eq!(h.audit_count().await, before, "refused calls wrote nothing");
}

conformance!(
    upload_list_download,
    too_large_or_disguised_is_refused_and_nothing_stored,
    path_traversal_names_are_sanitised,
    out_of_scope_is_absent_on_all_three_routes,
);
