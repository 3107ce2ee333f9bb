//! The quarterly reform report over HTTP and on its page, on SQLite and on PostgreSQL: three
//! dossiers registered through the API (one taken to the returned result, two left to run
//! late), e-government facts recorded for the seeded units, then the report for 2026-Q4
//! (official period 15/9/2026 – 14/12/2026) read back as Markdown and DOCX; roles and scope.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::http::{Method, header};
use common::*;
use motcua_domain::egov::NewFact;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};
use time::macros::date;

const PROCEDURE: &str = "1.009998";

async fn harness(db: &TestDb) -> Harness {
    let h = Harness::new(&db.store).await;
    let doc = json!({
        "code": PROCEDURE,
        "name": "Xác nhận thời gian công tác (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": A3,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận", "copy_kind": "original", "count": 1 }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    });
    let new: NewProcedure = serde_json::from_value(doc).unwrap();
    let p = Procedure::parse(new, 480).unwrap();
    db.store.save_procedure("admin", T0, &p).await.unwrap();
    h
}

fn intake(name: &str) -> Value {
    json!({
        "procedure_code": PROCEDURE,
        "channel": "in_person",
        "applicant": { "kind": "person", "name": name, "id_number": "001099012345",
                       "phone": "0912 345 678", "address": "Số 1 Hoàng Diệu, Hà Nội" },
        "documents": [ { "key": "don_de_nghi" } ]
    })
}

/// Three dossiers on 2/11/2026 (due 9/11), the first returned on time; facts as of 1/10/2026;
/// the clock then moves past the quarter's end (14/12/2026).
async fn scenario(db: &TestDb) -> Harness {
    let h = harness(db).await;
    let receiver = h.token("receiver.a").await;
    let mut codes = Vec::new();
    for name in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"] {
        let d = h
            .post("/api/v1/dossiers", &receiver, intake(name))
            .await
            .expect(201)
            .json();
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    let steps = [
        ("receiver.a", json!({"action": "complete_step"})),
        ("specialist.a", json!({"action": "complete_step"})),
        ("leader.a", json!({"action": "approve"})),
        (
            "clerk.a",
            json!({"action": "issue_result", "document_number": "7/GXN"}),
        ),
        (
            "receiver.a",
            json!({"action": "return_result", "to": "Nguyễn Văn An"}),
        ),
    ];
    for (version, (who, body)) in steps.into_iter().enumerate() {
        let token = h.token(who).await;
        let mut body = body;
        body["version"] = json!(version + 1);
        h.post(
            &format!("/api/v1/dossiers/{}/actions", codes[0]),
            &token,
            body,
        )
        .await
        .expect(200);
    }
    let fact = |unit: &str, kind: &str, value: i64| NewFact {
        unit_code: unit.to_string(),
        kind: kind.to_string(),
        value,
        valid_from: date!(2026 - 10 - 01),
        note: None,
    };
    db.store
        .record_facts_at(
            "admin",
            T0,
            &[
                fact(A1, "data_network", 1),
                fact(B1, "data_network", 1),
                fact(A2, "data_network", 1),
                fact(B2, "data_network", 0),
                fact(A1, "email_accounts", 1_250),
                fact(B1, "email_accounts", 2_650),
            ],
        )
        .await
        .unwrap();
    h.clock.advance(time::Duration::days(48)); // 20/12/2026
    h
}

const HEADLINE: &str =
    "Trong Quý đã tiếp nhận 3 hồ sơ, đã giải quyết 1 hồ sơ, 100% hồ sơ được giải quyết đúng hạn.";

async fn markdown_and_docx_from_data(db: &TestDb) {
    let h = scenario(db).await;
    let reform = h.token("reform").await;
    let r = h
        .get(
            "/api/v1/reports/quarterly?period=2026-Q4&format=md&number=12&date=2026-12-20&signer_name=Nguy%E1%BB%85n%20V%C4%83n%20K%C3%BD",
            &reform,
        )
        .await;
    r.expect(200);
    assert_eq!(
        r.headers[header::CONTENT_TYPE].to_str().unwrap(),
        "text/markdown; charset=utf-8"
    );
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("bao-cao-cchc-2026-Q4-")
    );
    let md = r.text();
    for needle in [
        HEADLINE,
        "0 hồ sơ được tiếp nhận trực tuyến (đạt tỷ lệ 0%), 3 hồ sơ tiếp nhận trực tiếp",
        "Số liệu tính từ ngày 15/9/2026 đến ngày 14/12/2026.",
        "Đến cuối kỳ báo cáo còn 2 hồ sơ đang giải quyết, trong đó 2 hồ sơ đã quá hạn.",
        "2 hồ sơ đang giải quyết đã quá hạn tại thời điểm cuối kỳ, tập trung tại Cục Quân y (2 hồ sơ)",
        "triển khai đường truyền số liệu đến 100% đầu mối cơ quan, đơn vị cấp Bộ, 50% cơ quan, đơn vị cấp II",
        "Phần mềm Thư điện tử được triển khai với 3.900 tài khoản.",
        "Kết quả công tác cải cách hành chính quý IV năm 2026",
        "NHIỆM VỤ TRỌNG TÂM QUÝ I NĂM 2027",
        "*Hà Nội, ngày 20 tháng 12 năm 2026*",
        "Số: 12/BC-",
        "**Nguyễn Văn Ký**",
    ] {
        assert!(md.contains(needle), "{needle:?} not in:\n{md}");
    }
    // Too few dossiers per unit for a ranking (threshold 30).
    assert!(!md.contains("Xếp theo tỷ lệ"), "{md}");

    let r = h
        .get("/api/v1/reports/quarterly?period=2026-Q4", &reform)
        .await;
    r.expect(200);
    assert_eq!(
        r.headers[header::CONTENT_TYPE].to_str().unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(r.body.starts_with(b"PK\x03\x04"), "a zip file");
    assert!(r.body.len() > 3000);

    // A unit's own report: only its subtree.
    let md = h
        .get(
            &format!("/api/v1/reports/quarterly?period=2026-Q4&format=md&unit={B1}"),
            &reform,
        )
        .await
        .expect(200)
        .text();
    assert!(
        md.contains(
            "Trong Quý không tiếp nhận hồ sơ mới và không có hồ sơ nào được giải quyết xong."
        ),
        "{md}"
    );
    assert!(md.contains("**CỤC CÁN BỘ**"), "{md}");
}

async fn bad_input_roles_and_scope(db: &TestDb) {
    let h = scenario(db).await;
    let reform = h.token("reform").await;
    h.get("/api/v1/reports/quarterly?period=2026-Q9", &reform)
        .await
        .expect_error(400, "quarter_invalid");
    h.get(
        "/api/v1/reports/quarterly?period=2026-Q4&format=pdf",
        &reform,
    )
    .await
    .expect_error(400, "format_invalid");
    h.get(
        "/api/v1/reports/quarterly?period=2026-Q4&date=20-12",
        &reform,
    )
    .await
    .expect_error(400, "date_invalid");
    h.get(
        "/api/v1/reports/quarterly?period=2026-Q4&unit=NO.SUCH",
        &reform,
    )
    .await
    .expect_error(404, "unit_not_found");
    h.get(
        "/api/v1/reports/quarterly?period=2026-Q4",
        &h.token("specialist.a").await,
    )
    .await
    .expect_error(403, "forbidden");
    // A leader of branch B sees only branch B: branch A looks absent.
    let leader_b = h.token("leader.b").await;
    h.get(
        &format!("/api/v1/reports/quarterly?period=2026-Q4&unit={A1}"),
        &leader_b,
    )
    .await
    .expect_error(404, "unit_not_found");
    let md = h
        .get(
            "/api/v1/reports/quarterly?period=2026-Q4&format=md",
            &leader_b,
        )
        .await
        .expect(200)
        .text();
    assert!(
        md.contains("**CỤC CÁN BỘ**"),
        "defaults to the top of the scope: {md}"
    );
    let r = h
        .api(
            Method::GET,
            "/api/v1/reports/quarterly?period=2026-Q4",
            None,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 401);
}

async fn page_edits_reach_the_file(db: &TestDb) {
    let h = scenario(db).await;
    let session = h.web_login("reform", PASSWORD).await;
    let cookie = format!("{}={session}", motcua_server::auth::SESSION_COOKIE);
    let r = h
        .page(Method::GET, "/reports/quarterly", &cookie, None)
        .await;
    r.expect(200);
    assert!(
        r.text().contains("value=\"2026-Q4\""),
        "default: the last closed quarter"
    );
    let page = h
        .page(
            Method::GET,
            "/reports/quarterly?period=2026-Q4",
            &cookie,
            None,
        )
        .await;
    page.expect(200);
    let html = page.text();
    assert!(html.contains(HEADLINE), "{html}");
    assert!(html.contains("name=\"draft.proposals\""), "{html}");
    assert!(html.contains("name=\"draft.limitations\""), "{html}");
    let csrf = csrf_field(&html);
    let post = |csrf: String| {
        form(&[
            ("csrf", &csrf),
            ("period", "2026-Q4"),
            ("unit", ""),
            ("number", "45"),
            ("place", "Hà Nội"),
            ("date", "2026-12-20"),
            ("signer_title", "KT. BỘ TRƯỞNG\r\nTHỨ TRƯỞNG"),
            ("signer_name", "Nguyễn Văn Ký"),
            (
                "draft.proposals",
                "Đề nghị bổ sung biên chế cho Bộ phận Một cửa.",
            ),
            ("format", "md"),
        ])
    };
    let r = h
        .page(
            Method::POST,
            "/reports/quarterly",
            &cookie,
            Some(&post(csrf.clone())),
        )
        .await;
    r.expect(200);
    let md = r.text();
    assert!(
        md.contains("Đề nghị bổ sung biên chế cho Bộ phận Một cửa."),
        "{md}"
    );
    assert!(!md.contains("Không có."), "the draft was replaced: {md}");
    assert!(md.contains(HEADLINE), "figures come from data: {md}");
    assert!(md.contains("**KT. BỘ TRƯỞNG**  \n**THỨ TRƯỞNG**"), "{md}");
    assert!(md.contains("Số: 45/BC-"), "{md}");
    // Without the CSRF token nothing is produced.
    let r = h
        .page(
            Method::POST,
            "/reports/quarterly",
            &cookie,
            Some(&post("wrong".into())),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    // A stale form naming a section that does not exist is refused.
    let bad = format!("{}&{}", post(csrf), form(&[("draft.nope", "x")]));
    let r = h
        .page(Method::POST, "/reports/quarterly", &cookie, Some(&bad))
        .await;
    assert_eq!(r.status.as_u16(), 400);
}

conformance!(
    markdown_and_docx_from_data,
    bad_input_roles_and_scope,
    page_edits_reach_the_file,
);
