//! Biểu 06 over HTTP and on its page, on SQLite and on PostgreSQL: three dossiers registered
//! through the API on 2/11/2026 (one resolved the same day, two left to run late), then the
//! form for 2026-Q4 (official period 15/9/2026 – 14/12/2026) as JSON per field and per unit,
//! as XLSX, on the page; bad input, roles and scope.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use std::io::Cursor;

use axum::http::{Method, header};
use calamine::{Data, Reader, Xlsx};
use common::*;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

const PROCEDURE: &str = "1.009997";

async fn scenario(db: &TestDb) -> Harness {
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
    let receiver = h.token("receiver.a").await;
    let mut codes = Vec::new();
    for name in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"] {
        let body = json!({
            "procedure_code": PROCEDURE,
            "channel": "in_person",
            "applicant": { "kind": "person", "name": name, "id_number": "001099012345" },
            "documents": [ { "key": "don_de_nghi" } ]
        });
        let d = h
            .post("/api/v1/dossiers", &receiver, body)
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
    ];
    for (version, (who, mut body)) in steps.into_iter().enumerate() {
        body["version"] = json!(version + 1);
        let token = h.token(who).await;
        h.post(
            &format!("/api/v1/dossiers/{}/actions", codes[0]),
            &token,
            body,
        )
        .await
        .expect(200);
    }
    h
}

fn col(v: &Value, name: &str) -> u64 {
    v[name].as_u64().unwrap()
}

async fn json_per_field_and_unit_and_xlsx(db: &TestDb) {
    let h = scenario(db).await;
    let reform = h.token("reform").await;
    let v = h
        .get("/api/v1/reports/bieu-06?period=2026-Q4", &reform)
        .await
        .expect(200)
        .json();
    assert_eq!(v["period"]["label"], "Quý IV/2026");
    assert_eq!(v["period"]["from"], "2026-09-15");
    assert_eq!(v["period"]["to"], "2026-12-14");
    assert_eq!(v["unit_code"], ROOT);
    assert_eq!(v["receiving_unit"], "Văn phòng Chính phủ");
    let t = &v["total"];
    assert_eq!(col(t, "received_total"), 3);
    assert_eq!(col(t, "received_offline"), 3);
    assert_eq!(col(t, "resolved_total"), 1);
    assert_eq!(col(t, "resolved_early"), 1);
    assert_eq!(col(t, "pending_total"), 2);
    assert_eq!(col(t, "pending_overdue"), 2);
    assert_eq!(v["rows"][0]["key"], "CS-QN");
    assert_eq!(v["rows"][0]["label"], "Chính sách quân nhân");

    let v = h
        .get("/api/v1/reports/bieu-06?period=2026-Q4&rows=unit", &reform)
        .await
        .expect(200)
        .json();
    let keys: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec![A1, B1]);
    assert_eq!(col(&v["rows"][0], "received_total"), 3);

    // Calendar quarter (1/10 – 31/12) and a range give the same three dossiers.
    let v = h
        .get(
            "/api/v1/reports/bieu-06?period=2026-Q4&calendar=true",
            &reform,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(v["period"]["from"], "2026-10-01");
    assert_eq!(col(&v["total"], "received_total"), 3);
    let v = h
        .get(
            "/api/v1/reports/bieu-06?from=2026-11-01&to=2026-11-30",
            &reform,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(col(&v["total"], "received_total"), 3);

    let r = h
        .get(
            &format!("/api/v1/reports/bieu-06?period=2026-Q4&unit={A1}&format=xlsx"),
            &reform,
        )
        .await;
    r.expect(200);
    assert_eq!(
        r.headers[header::CONTENT_TYPE].to_str().unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        "attachment; filename=\"bieu-06_000-01-00-A01_2026-Q4.xlsx\""
    );
    assert!(r.body.starts_with(b"PK\x03\x04"), "a zip file");

    // The spreadsheet read back: its total row carries the JSON's figures, column by column
    // ((3) … (13) in columns C … M).
    let json = h
        .get(
            &format!("/api/v1/reports/bieu-06?period=2026-Q4&unit={A1}"),
            &reform,
        )
        .await
        .expect(200)
        .json();
    let mut book = Xlsx::new(Cursor::new(r.body.to_vec())).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let total = range
        .rows()
        .find(|row| matches!(row.get(1), Some(Data::String(s)) if s.starts_with("Tổng")))
        .expect("a total row");
    let columns = [
        "received_total",
        "received_online",
        "received_offline",
        "carried_over",
        "resolved_total",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "pending_total",
        "pending_within",
        "pending_overdue",
    ];
    for (i, name) in columns.iter().enumerate() {
        let cell = match total.get(2 + i) {
            Some(Data::Float(f)) => *f as u64,
            Some(Data::Int(n)) => *n as u64,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(cell, col(&json["total"], name), "{name}");
    }
    assert_eq!(col(&json["total"], "received_total"), 3);
}

async fn bad_input_roles_and_scope(db: &TestDb) {
    let h = scenario(db).await;
    let reform = h.token("reform").await;
    for (uri, status, code) in [
        (
            "/api/v1/reports/bieu-06?period=2026-Q9",
            422,
            "report_period_invalid",
        ),
        ("/api/v1/reports/bieu-06", 422, "report_period_invalid"),
        (
            "/api/v1/reports/bieu-06?period=2026-Q4&rows=x",
            422,
            "report_rows_invalid",
        ),
        (
            "/api/v1/reports/bieu-06?period=2026-Q4&format=pdf",
            400,
            "format_invalid",
        ),
        (
            "/api/v1/reports/bieu-06?from=2026-11-30&to=2026-11-01",
            422,
            "report_range_invalid",
        ),
        (
            "/api/v1/reports/bieu-06?from=2026-11-30",
            422,
            "report_range_invalid",
        ),
        (
            "/api/v1/reports/bieu-06?period=2026-Q4&unit=NO.SUCH",
            404,
            "unit_not_found",
        ),
    ] {
        h.get(uri, &reform).await.expect_error(status, code);
    }
    h.get(
        "/api/v1/reports/bieu-06?period=2026-Q4",
        &h.token("specialist.a").await,
    )
    .await
    .expect_error(403, "forbidden");
    // A leader of branch B sees only branch B: branch A looks absent.
    let leader_b = h.token("leader.b").await;
    h.get(
        &format!("/api/v1/reports/bieu-06?period=2026-Q4&unit={A1}"),
        &leader_b,
    )
    .await
    .expect_error(404, "unit_not_found");
    let v = h
        .get("/api/v1/reports/bieu-06?period=2026-Q4", &leader_b)
        .await
        .expect(200)
        .json();
    assert_eq!(v["unit_code"], B1);
    // Its form goes to the unit above it (the root), above the leader's own scope.
    let root_name = db.store.root_unit().await.unwrap().unwrap().name;
    assert_eq!(v["receiving_unit"], root_name.as_str());
    assert_eq!(col(&v["total"], "received_total"), 0);
    let r = h
        .api(
            Method::GET,
            "/api/v1/reports/bieu-06?period=2026-Q4",
            None,
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 401);
}

async fn page_shows_the_table_and_links_the_workbook(db: &TestDb) {
    let h = scenario(db).await;
    let session = h.web_login("reform", PASSWORD).await;
    let cookie = format!("{}={session}", motcua_server::auth::SESSION_COOKIE);
    let r = h.page(Method::GET, "/reports/bieu-06", &cookie, None).await;
    r.expect(200);
    let html = r.text();
    assert!(html.contains("href=\"/reports/bieu-06\""), "menu link");
    assert!(
        !html.contains("Tổng cộng"),
        "no table before a period is chosen"
    );
    let html = h
        .page(
            Method::GET,
            "/reports/bieu-06?period=2026-Q4&rows=unit",
            &cookie,
            None,
        )
        .await
        .expect(200)
        .text();
    for needle in [
        "Kỳ báo cáo: Quý IV/2026 (Từ ngày 15/09/2026 đến ngày 14/12/2026)",
        "Cục Quân y",
        "Cục Cán bộ",
        "Tổng cộng",
        "(13)",
        "/reports/bieu-06?unit=000.00.00.G00&#38;rows=unit&#38;period=2026-Q4&#38;format=xlsx",
    ] {
        assert!(html.contains(needle), "{needle:?} not in:\n{html}");
    }
    let r = h
        .page(
            Method::GET,
            "/reports/bieu-06?unit=000.00.00.G00&rows=unit&period=2026-Q4&format=xlsx",
            &cookie,
            None,
        )
        .await;
    r.expect(200);
    assert!(r.body.starts_with(b"PK\x03\x04"));
    let html = h
        .page(
            Method::GET,
            "/reports/bieu-06?period=2026-Q7",
            &cookie,
            None,
        )
        .await
        .expect(200)
        .text();
    assert!(html.contains("không hợp lệ. Dùng dạng 2022-Q3"), "{html}");
    // Not for people without a reporting role.
    let session = h.web_login("specialist.a", PASSWORD).await;
    let cookie = format!("{}={session}", motcua_server::auth::SESSION_COOKIE);
    let r = h.page(Method::GET, "/reports/bieu-06", &cookie, None).await;
    assert_eq!(r.status.as_u16(), 403);
}

conformance!(
    json_per_field_and_unit_and_xlsx,
    bad_input_roles_and_scope,
    page_shows_the_table_and_links_the_workbook
);
