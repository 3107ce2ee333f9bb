//! Attachments on the dossier page, on SQLite and on PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`): the upload form (multipart, CSRF), the list with Vietnamese sizes,
//! the download route with the API's headers, and a dossier outside the scope answering 404.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_server::Config;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
const BOUNDARY: &str = "----motcua-test-boundary";

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

fn multipart(csrf: &str, document: &str, file_name: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("document", document)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_upload(h: &Harness, cookies: &str, code: &str, body: Vec<u8>) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/dossiers/{code}/attachments"))
        .header(header::COOKIE, cookies)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    h.send(req).await
}

async fn session(h: &Harness, username: &str) -> String {
    let cookie = h.web_login(username, PASSWORD).await;
    format!("{}={cookie}", motcua_server::auth::SESSION_COOKIE)
}

async fn upload_list_download_on_the_page(db: &TestDb) {
    let (h, code, _dir) = setup(db).await;
    let cookies = session(&h, "receiver.a").await;
    let page = h
        .page(Method::GET, &format!("/dossiers/{code}"), &cookies, None)
        .await;
    page.expect(200);
    let html = page.text();
    assert!(html.contains("Hồ sơ chưa có tệp đính kèm."));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_field(&html);
    // a wrong CSRF token writes nothing
    let before = h.audit_count().await;
    let r = post_upload(&h, &cookies, &code, multipart("sai", "", "don.pdf", PDF)).await;
    assert_eq!(r.status.as_u16(), 403);
    assert_eq!(h.audit_count().await, before);
    // the real form
    let r = post_upload(
        &h,
        &cookies,
        &code,
        multipart(&csrf, "don_de_nghi", "Đơn đề nghị.pdf", PDF),
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        r.location().unwrap(),
        format!("/dossiers/{code}?ok=attachment_added")
    );
    let html = h
        .page(
            Method::GET,
            &format!("/dossiers/{code}?ok=attachment_added"),
            &cookies,
            None,
        )
        .await
        .text();
    assert!(html.contains("Đã tải tệp đính kèm lên hồ sơ."));
    assert!(html.contains("Đơn đề nghị.pdf"));
    assert!(html.contains("Tệp đính kèm (1)"));
    assert!(html.contains(&format!("{} byte", PDF.len())));
    assert!(html.contains("receiver.a"));
    let sha = motcua_store::blobs::sha256_hex(PDF);
    let link = format!("/dossiers/{code}/attachments/{sha}");
    assert!(html.contains(&link));
    // download through the page route
    let r = h.page(Method::GET, &link, &cookies, None).await;
    r.expect(200);
    assert_eq!(&r.body[..], PDF);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename*=UTF-8''")
    );
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // content that is not what it claims is shown as a rule on the dossier page
    let r = post_upload(
        &h,
        &cookies,
        &code,
        multipart(&csrf, "", "anh.pdf", b"<html><script>alert(1)</script>"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.is_html());
    assert!(r.text().contains("Tệp đính kèm (1)"));
}

async fn out_of_scope_is_absent_on_the_pages(db: &TestDb) {
    let (h, code, _dir) = setup(db).await;
    let cookies = session(&h, "receiver.a").await;
    let csrf = csrf_field(
        &h.page(Method::GET, &format!("/dossiers/{code}"), &cookies, None)
            .await
            .text(),
    );
    let r = post_upload(&h, &cookies, &code, multipart(&csrf, "", "a.pdf", PDF)).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let sha = motcua_store::blobs::sha256_hex(PDF);
    // leader.b works in another branch: the dossier, its files and its form are absent
    let other = session(&h, "leader.b").await;
    let other_csrf = csrf_field(&h.page(Method::GET, "/inbox", &other, None).await.text());
    let before = h.audit_count().await;
    let r = h
        .page(
            Method::GET,
            &format!("/dossiers/{code}/attachments/{sha}"),
            &other,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 404);
    assert_ne!(&r.body[..], PDF);
    let r = post_upload(
        &h,
        &other,
        &code,
        multipart(&other_csrf, "", "b.pdf", b"%PDF-1.4 khac"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 404);
    assert_eq!(h.audit_count().await, before, "refused calls wrote nothing");
    // and without a session the download sends to sign-in, never the file
    let r = h
        .page(
            Method::GET,
            &format!("/dossiers/{code}/attachments/{sha}"),
            "",
            None,
        )
        .await;
    assert_ne!(r.status.as_u16(), 200);
    assert_ne!(&r.body[..], PDF);
}

conformance!(
    upload_list_download_on_the_page,
    out_of_scope_is_absent_on_the_pages,
);
