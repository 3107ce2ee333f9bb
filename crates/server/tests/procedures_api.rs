//! The procedure catalogue API on SQLite and on PostgreSQL: versioned saves, reads of older
//! versions, list filters, roles, scope of the implementing unit, and input that changes
//! nothing.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::Method;
use common::*;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

fn procedure(code: &str, name: &str, field: &str, unit: &str) -> Value {
    json!({
        "code": code,
        "name": name,
        "field": { "code": field, "name": format!("Lĩnh vực {field}") },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "postal", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0,
              "fee_note": "Cước bưu chính do người nộp trả." }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị (theo mẫu)", "copy_kind": "original", "count": 1, "optional": false },
            { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1, "optional": false }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "same_day_cutoff": "15:00",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 1080 }
        ]}
    })
}

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

async fn versions_and_reads(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let reform = h.token("reform").await;
    let before = h.audit_count().await;

    let body = procedure("1.009999", "Xác nhận thời gian công tác", "CS-QN", A1);
    let r = h.post("/api/v1/procedures", &reform, body.clone()).await;
    r.expect(201);
    let v1 = r.json();
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["same_day_cutoff"], "15:00");
    assert_eq!(v1["workflow"]["steps"][1]["budget_minutes"], 1200);

    let mut renamed = body.clone();
    renamed["name"] = json!("Xác nhận thời gian công tác trong quân đội");
    let r = h.post("/api/v1/procedures", &reform, renamed).await;
    r.expect(201);
    assert_eq!(r.json()["version"], 2);
    assert_eq!(h.audit_count().await, before + 2);

    // Everyone signed in reads the catalogue, whatever their unit: it is public information.
    let clerk_b = h.token("clerk.b").await;
    let latest = h.get("/api/v1/procedures/1.009999", &clerk_b).await;
    latest.expect(200);
    assert_eq!(latest.json()["version"], 2);
    assert_eq!(
        latest.json()["name"],
        "Xác nhận thời gian công tác trong quân đội"
    );
    let old = h
        .get("/api/v1/procedures/1.009999?version=1", &clerk_b)
        .await;
    old.expect(200);
    assert_eq!(old.json(), v1);
    h.get("/api/v1/procedures/1.009999?version=3", &clerk_b)
        .await
        .expect_error(404, "procedure_not_found");
    h.get("/api/v1/procedures/1.000001", &clerk_b)
        .await
        .expect_error(404, "procedure_not_found");
    h.get("/api/v1/procedures/1.009999?version=x", &clerk_b)
        .await
        .expect_error(400, "invalid_query");
    h.get("/api/v1/procedures/1.009999?versio=1", &clerk_b)
        .await
        .expect_error(400, "invalid_query");

    // The document round-trips: what was sent is what is answered, plus the version.
    let mut answered = latest.json();
    answered.as_object_mut().unwrap().remove("version");
    let mut sent = body;
    sent["name"] = json!("Xác nhận thời gian công tác trong quân đội");
    assert_eq!(answered, sent);
}

async fn list_filters_and_pages(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    for (code, name, field, unit) in [
        ("1.000010", "Xác nhận thời gian công tác", "CS-QN", A1),
        ("1.000011", "Giải quyết chế độ trợ cấp một lần", "CS-QN", A2),
        ("1.000012", "Đăng ký nghĩa vụ quân sự", "QL", B1),
        ("2.000013", "Cấp giấy phép", "QL", B2),
    ] {
        h.post(
            "/api/v1/procedures",
            &admin,
            procedure(code, name, field, unit),
        )
        .await
        .expect(201);
    }
    let leader = h.token("leader.a").await;
    let page = h.get("/api/v1/procedures?limit=3", &leader).await;
    page.expect(200);
    let page = page.json();
    assert_eq!(codes(&page), ["1.000010", "1.000011", "1.000012"]);
    assert_eq!(page["next"], "1.000012");
    assert_eq!(page["items"][0]["implementing_unit"], A1);
    assert_eq!(page["items"][0]["implementing_unit_name"], "Cục Quân y");
    assert_eq!(page["items"][0]["saved_by"], "admin");
    assert_eq!(page["items"][0]["saved_at"], "2026-11-02T09:00:00+07:00");
    let rest = h
        .get("/api/v1/procedures?limit=3&after=1.000012", &leader)
        .await
        .json();
    assert_eq!(codes(&rest), ["2.000013"]);
    assert!(rest["next"].is_null());

    let get = |q: String| {
        let h = &h;
        let leader = &leader;
        async move {
            let r = h.get(&format!("/api/v1/procedures?{q}"), leader).await;
            r.expect(200);
            codes(&r.json())
        }
    };
    assert_eq!(get("field=CS-QN".into()).await, ["1.000010", "1.000011"]);
    assert_eq!(get("q=tro%20cap".into()).await, ["1.000011"]);
    assert_eq!(get("q=NGH%C4%A8A%20V%E1%BB%A4".into()).await, ["1.000012"]); // "NGHĨA VỤ"
    assert_eq!(get(format!("unit={B2}")).await, ["2.000013"]);
    assert_eq!(get("field=QL&q=giay".into()).await, ["2.000013"]);
    assert!(get("field=KHONG-CO".into()).await.is_empty());
    h.get("/api/v1/procedures?limit=abc", &leader)
        .await
        .expect_error(400, "invalid_query");
    h.get("/api/v1/procedures?sort=name", &leader)
        .await
        .expect_error(400, "invalid_query");
}

async fn roles_and_scope(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let mut tokens = Vec::new();
    for who in [
        "specialist.a",
        "leader.a",
        "receiver.a",
        "clerk.a",
        "inspector",
    ] {
        tokens.push(h.token(who).await);
    }
    let boss = h.token("boss.a").await;
    let reform = h.token("reform").await;
    let before = h.audit_count().await;
    for t in tokens {
        h.post(
            "/api/v1/procedures",
            &t,
            procedure("1.000020", "Thủ tục thử", "QL", A1),
        )
        .await
        .expect_error(403, "forbidden");
    }
    assert_eq!(h.audit_count().await, before);

    // boss.a administers branch A only: branch B's units are not theirs to name.
    let r = h
        .post(
            "/api/v1/procedures",
            &boss,
            procedure("1.000021", "Thủ tục thử", "QL", B1),
        )
        .await;
    r.expect_error(422, "unit_not_found");
    assert_eq!(r.json()["error"]["details"]["field"], "implementing_unit");
    let mut elsewhere = procedure("1.000022", "Thủ tục liên thông", "QL", A1);
    elsewhere["workflow"]["steps"][1]["unit"] = json!({ "unit": B2 });
    let r = h.post("/api/v1/procedures", &boss, elsewhere.clone()).await;
    r.expect_error(422, "unit_not_found");
    assert_eq!(
        r.json()["error"]["details"]["field"],
        "workflow.steps[1].unit"
    );
    // A unit that does not exist answers the same.
    let ghost = h
        .post(
            "/api/v1/procedures",
            &boss,
            procedure("1.000021", "Thủ tục thử", "QL", "999.99.99.Z99"),
        )
        .await;
    ghost.expect_error(422, "unit_not_found");
    assert_eq!(h.audit_count().await, before);

    // Inside the scope it works; the ministry-wide reform office may route across branches.
    h.post(
        "/api/v1/procedures",
        &boss,
        procedure("1.000023", "Thủ tục của Phòng", "QL", A2),
    )
    .await
    .expect(201);
    h.post("/api/v1/procedures", &reform, elsewhere)
        .await
        .expect(201);
    assert_eq!(h.audit_count().await, before + 2);
}

async fn bad_input_changes_nothing(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let reform = h.token("reform").await;
    let before = h.audit_count().await;

    // Several mistakes at once: all are listed.
    let mut bad = procedure("1.00099", "  ", "QL", A1);
    bad["workflow"]["steps"][2]["budget_minutes"] = json!(60);
    bad["documents"][1]["key"] = json!("Căn cước");
    let r = h.post("/api/v1/procedures", &reform, bad).await;
    r.expect_error(422, "procedure_invalid");
    let errors = r.json()["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .clone();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"code"), "{fields:?}");
    assert!(fields.contains(&"name"), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.starts_with("documents[1]")),
        "{fields:?}"
    );
    // Budgets that no longer add up to the time limit are reported on the limits.
    assert!(
        fields.iter().any(|f| f.starts_with("channels[0]")),
        "{fields:?}"
    );
    for e in &errors {
        assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // Unknown fields are refused before any check.
    let mut typo = procedure("1.000030", "Thủ tục thử", "QL", A1);
    typo["legal_basiss"] = json!(["Luật"]);
    h.post("/api/v1/procedures", &reform, typo)
        .await
        .expect_error(400, "invalid_json");
    let mut nested = procedure("1.000030", "Thủ tục thử", "QL", A1);
    nested["channels"][0]["limit"]["days"] = json!(5);
    h.post("/api/v1/procedures", &reform, nested)
        .await
        .expect_error(400, "invalid_json");
    h.api(
        Method::POST,
        "/api/v1/procedures",
        Some(&reform),
        Some(json!([1, 2])),
    )
    .await
    .expect_error(400, "invalid_json");

    assert_eq!(h.audit_count().await, before);
    let list = h.get("/api/v1/procedures", &reform).await.json();
    assert!(codes(&list).is_empty());
    h.get("/api/v1/procedures/1.000030", &reform)
        .await
        .expect_error(404, "procedure_not_found");
}

/// A postal limit a day longer than the counter's: the appraisal step carries its postal
/// budget (`channel_budgets`), the document round-trips through the database, and the
/// procedure page shows both the step's budgets and the totals per channel.
async fn per_channel_step_budgets(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let reform = h.token("reform").await;
    let mut body = procedure("1.009998", "Cấp bản sao giấy xác nhận", "CS-QN", A1);
    body["channels"][1]["limit"]["amount"] = json!(6);
    h.post("/api/v1/procedures", &reform, body.clone())
        .await
        .expect_error(422, "procedure_invalid");
    body["workflow"]["steps"][1]["channel_budgets"] = json!({ "postal": 1680 });
    let r = h.post("/api/v1/procedures", &reform, body.clone()).await;
    r.expect(201);
    let mut answered = r.json();
    answered.as_object_mut().unwrap().remove("version");
    assert_eq!(answered, body);
    let cookie = h.web_login("reform", PASSWORD).await;
    let page = h
        .page(
            axum::http::Method::GET,
            "/procedures/1.009998",
            &format!("{}={cookie}", motcua_server::auth::SESSION_COOKIE),
            None,
        )
        .await;
    page.expect(200);
    let text = page.text();
    assert!(
        text.contains("20 giờ làm việc (dịch vụ bưu chính công ích: 28 giờ làm việc)"),
        "{text}"
    );
    assert!(
        text.contains("Trực tiếp: 5 ngày làm việc; Dịch vụ bưu chính công ích: 6 ngày làm việc"),
        "{text}"
    );
}

conformance!(
    versions_and_reads,
    per_channel_step_budgets,
    list_filters_and_pages,
    roles_and_scope,
    bad_input_changes_nothing,
);
