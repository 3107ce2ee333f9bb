//! Unit e-government facts over HTTP and on the pages, on SQLite and on PostgreSQL
//! (`<test>::sqlite`, `<test>::postgres`): recording with stable error codes, history and
//! "as of", coverage by level, kinds, CSV import all-or-nothing, roles and scope (a unit
//! outside the caller's scope answers 404, as on every other route), and the unit page form.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::http::Method;
use common::*;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::json;

async fn record(h: &Harness, token: &str, unit: &str, body: serde_json::Value) -> Resp {
    h.post(&format!("/api/v1/units/{unit}/facts"), token, body)
        .await
}

async fn record_history_and_errors(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let reform = h.token("reform").await;
    let r = record(
        &h,
        &reform,
        A1,
        json!({ "kind": "data_network", "value": true, "valid_from": "2022-06-01" }),
    )
    .await;
    r.expect(201);
    assert_eq!(r.json()["value"], true);
    assert_eq!(r.json()["value_text"], "Có");
    record(
        &h,
        &reform,
        A1,
        json!({ "kind": "email_accounts", "value": "1.200", "valid_from": "30/06/2022" }),
    )
    .await
    .expect(201);
    record(
        &h,
        &reform,
        A1,
        json!({ "kind": "data_network", "value": "không", "valid_from": "2022-10-01", "note": "Đường truyền bị cắt" }),
    )
    .await
    .expect(201);
    // as of the third quarter's end, then today
    let r = h
        .get(
            &format!("/api/v1/units/{A1}/facts?as_of=2022-09-30"),
            &reform,
        )
        .await;
    r.expect(200);
    let current = r.json()["current"].clone();
    assert_eq!(current[0]["kind"], "data_network");
    assert_eq!(current[0]["value"], true);
    assert_eq!(current[1]["value"], 1200);
    assert_eq!(current[1]["value_text"], "1.200");
    assert_eq!(r.json()["history"].as_array().unwrap().len(), 3);
    let r = h.get(&format!("/api/v1/units/{A1}/facts"), &reform).await;
    assert_eq!(r.json()["current"][0]["value"], false);
    // stable codes
    let cases = [
        (
            json!({ "kind": "wifi", "value": true, "valid_from": "2022-06-01" }),
            422,
            "fact_kind_unknown",
        ),
        (
            json!({ "kind": "data_network", "value": 2, "valid_from": "2022-06-01" }),
            422,
            "fact_value_invalid",
        ),
        (
            json!({ "kind": "email_accounts", "value": true, "valid_from": "2022-06-01" }),
            422,
            "fact_value_invalid",
        ),
        (
            json!({ "kind": "email_accounts", "value": -3, "valid_from": "2022-06-01" }),
            422,
            "fact_value_invalid",
        ),
        (
            json!({ "kind": "data_network", "value": true, "valid_from": "2026-11-03" }),
            422,
            "fact_date_in_future",
        ),
        (
            json!({ "kind": "data_network", "value": true, "valid_from": "hôm qua" }),
            400,
            "invalid_date",
        ),
        (
            json!({ "kind": "data_network", "value": false, "valid_from": "2022-06-01" }),
            422,
            "fact_correction_reason_required",
        ),
        (
            json!({ "kind": "data_network", "valid_from": "2022-06-01" }),
            400,
            "invalid_json",
        ),
    ];
    for (body, status, code) in cases {
        record(&h, &reform, A1, body)
            .await
            .expect_error(status, code);
    }
    // a correction with a reason is accepted and kept next to the original
    record(
        &h,
        &reform,
        A1,
        json!({ "kind": "data_network", "value": false, "valid_from": "2022-06-01", "note": "Nhập nhầm" }),
    )
    .await
    .expect(201);
    let r = h
        .get(
            &format!("/api/v1/units/{A1}/facts?as_of=2022-09-30"),
            &reform,
        )
        .await;
    assert_eq!(r.json()["current"][0]["value"], false);
    assert_eq!(r.json()["history"].as_array().unwrap().len(), 4);
    h.get(&format!("/api/v1/units/{A1}/facts?as_of=30-09"), &reform)
        .await
        .expect_error(400, "invalid_date");
}

async fn roles_and_scope(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let body = json!({ "kind": "data_network", "value": true, "valid_from": "2022-06-01" });
    // a leader may read but not write
    let leader_b = h.token("leader.b").await;
    record(&h, &leader_b, B1, body.clone())
        .await
        .expect_error(403, "forbidden");
    h.get(&format!("/api/v1/units/{B2}/facts"), &leader_b)
        .await
        .expect(200);
    // outside the scope: 404 on reading, writing and coverage
    h.get(&format!("/api/v1/units/{A1}/facts"), &leader_b)
        .await
        .expect_error(404, "unit_not_found");
    h.get(&format!("/api/v1/egov/coverage?unit={A1}"), &leader_b)
        .await
        .expect_error(404, "unit_not_found");
    // boss.a is admin at A1: may write inside A1's subtree, not in B's
    let boss = h.token("boss.a").await;
    record(&h, &boss, A2, body.clone()).await.expect(201);
    record(&h, &boss, B1, body.clone())
        .await
        .expect_error(404, "unit_not_found");
    // and an import naming a unit outside the scope changes nothing
    let csv = format!(
        "unit_code,kind,value,valid_from,note\n{A3},data_network,có,2022-06-01,\n{B3},data_network,có,2022-06-01,\n"
    );
    let r = h
        .raw(
            Method::POST,
            "/api/v1/egov/facts/import",
            &boss,
            "text/csv",
            csv,
        )
        .await;
    r.expect_error(422, "import_invalid");
    assert_eq!(r.json()["error"]["details"]["errors"][0]["line"], 3);
    assert_eq!(
        r.json()["error"]["details"]["errors"][0]["code"],
        "unit_not_found"
    );
    let r = h.get(&format!("/api/v1/units/{A3}/facts"), &boss).await;
    assert!(r.json()["history"].as_array().unwrap().is_empty());
    // boss.a's coverage defaults to A1's subtree
    let r = h.get("/api/v1/egov/coverage?as_of=2022-06-30", &boss).await;
    r.expect(200);
    assert_eq!(r.json()["unit"], A1);
    // kinds: everybody reads, only admins add
    let reform = h.token("reform").await;
    let kind = json!({ "code": "lgsp", "name": "Kết nối qua LGSP", "value_type": "boolean" });
    h.post("/api/v1/egov/fact-kinds", &reform, kind.clone())
        .await
        .expect_error(403, "forbidden");
    h.post("/api/v1/egov/fact-kinds", &boss, kind.clone())
        .await
        .expect(201);
    h.post("/api/v1/egov/fact-kinds", &boss, kind)
        .await
        .expect_error(409, "fact_kind_exists");
    h.post(
        "/api/v1/egov/fact-kinds",
        &boss,
        json!({ "code": "Bad Code", "name": "X", "value_type": "boolean" }),
    )
    .await
    .expect_error(422, "fact_kind_code_invalid");
    let r = h.get("/api/v1/egov/fact-kinds", &leader_b).await;
    r.expect(200);
    assert_eq!(r.json().as_array().unwrap().len(), 6);
    // the new kind can be recorded at once
    record(
        &h,
        &reform,
        B1,
        json!({ "kind": "lgsp", "value": "có", "valid_from": "2022-06-01" }),
    )
    .await
    .expect(201);
}

async fn coverage_and_import(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let reform = h.token("reform").await;
    let csv = format!(
        "\u{feff}unit_code,kind,value,valid_from,note\n\
         {A1},data_network,có,2022-09-01,\n\
         {B1},data_network,có,2022-09-01,\n\
         {A2},data_network,1,01/09/2022,\n\
         {B2},data_network,không,2022-09-01,\n\
         {A3},data_network,true,2022-09-01,\n\
         {A1},email_accounts,33.000,2022-09-01,\n\
         {B1},email_accounts,900,2022-09-01,Thư điện tử quân sự\n"
    );
    let before = h.audit_count().await;
    let r = h
        .raw(
            Method::POST,
            "/api/v1/egov/facts/import",
            &reform,
            "text/csv",
            csv,
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["imported"], 7);
    assert_eq!(h.audit_count().await, before + 1);
    let r = h
        .get("/api/v1/egov/coverage?as_of=2022-09-30", &reform)
        .await;
    r.expect(200);
    let body = r.json();
    assert_eq!(body["unit"], ROOT);
    let network = &body["coverage"][0];
    assert_eq!(network["kind"], "data_network");
    let levels: Vec<_> = network["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_i64().unwrap(),
                l["units"].as_u64().unwrap(),
                l["covered"].as_u64().unwrap(),
                l["percent"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            (0, 1, 0, "0%".to_string()),
            (1, 2, 2, "100%".to_string()),
            (2, 2, 1, "50%".to_string()),
            (3, 2, 1, "50%".to_string()),
        ]
    );
    assert_eq!(body["totals"][0]["kind"], "email_accounts");
    assert_eq!(body["totals"][0]["total"], 33_900);
    assert_eq!(body["totals"][0]["total_text"], "33.900");
    // before the facts' date nothing is covered
    let r = h
        .get("/api/v1/egov/coverage?as_of=2022-08-31", &reform)
        .await;
    assert_eq!(r.json()["coverage"][0]["levels"][1]["covered"], 0);
    // a file with bad lines changes nothing, and every bad line is listed
    let before = h.audit_count().await;
    let bad = format!(
        "unit_code,kind,value,valid_from,note\n\
         {B2},data_network,có,2022-09-15,\n\
         {B3},data_network,có,2099-01-01,\n\
         {B3},wifi,có,2022-09-15,\n\
         {B3},email_accounts,nhiều,2022-09-15,\n"
    );
    let r = h
        .raw(
            Method::POST,
            "/api/v1/egov/facts/import",
            &reform,
            "text/csv",
            bad,
        )
        .await;
    r.expect_error(422, "import_invalid");
    let lines: Vec<_> = r.json()["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5]);
    assert_eq!(h.audit_count().await, before);
    let r = h
        .get("/api/v1/egov/coverage?as_of=2022-09-30", &reform)
        .await;
    assert_eq!(r.json()["coverage"][0]["levels"][2]["covered"], 1);
    h.raw(
        Method::POST,
        "/api/v1/egov/facts/import",
        &reform,
        "text/csv",
        "a,b\n1,2\n",
    )
    .await
    .expect_error(400, "import_malformed");
    h.raw(
        Method::POST,
        "/api/v1/egov/facts/import",
        &reform,
        "text/csv",
        vec![0xffu8, 0xfe],
    )
    .await
    .expect_error(400, "body_not_utf8");
    let leader = h.token("leader.a").await;
    h.raw(
        Method::POST,
        "/api/v1/egov/facts/import",
        &leader,
        "text/csv",
        "x",
    )
    .await
    .expect_error(403, "forbidden");
}

async fn pages_show_and_record(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let cookie = h.web_login("reform", PASSWORD).await;
    let cookies = format!("{}={cookie}", motcua_server::auth::SESSION_COOKIE);
    let page = h
        .page(Method::GET, &format!("/units/{A2}"), &cookies, None)
        .await;
    page.expect(200);
    let html = page.text();
    assert!(html.contains("Chính phủ điện tử"));
    assert!(html.contains("Chưa có thông tin"));
    let csrf = csrf_field(&html);
    // without the CSRF token nothing is written
    let r = h
        .page(
            Method::POST,
            &format!("/units/{A2}/facts"),
            &cookies,
            Some(&form(&[
                ("csrf", "sai"),
                ("kind", "data_network"),
                ("value", "có"),
                ("valid_from", "2022-06-01"),
            ])),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);
    let r = h
        .page(
            Method::POST,
            &format!("/units/{A2}/facts"),
            &cookies,
            Some(&form(&[
                ("csrf", &csrf),
                ("kind", "email_accounts"),
                ("value", "1.234"),
                ("valid_from", "2022-06-01"),
                ("note", ""),
            ])),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        r.location().unwrap(),
        format!("/units/{A2}?ok=fact_recorded")
    );
    let html = h
        .page(
            Method::GET,
            &format!("/units/{A2}?ok=fact_recorded"),
            &cookies,
            None,
        )
        .await
        .text();
    assert!(html.contains("1.234"));
    assert!(html.contains("01/06/2022"));
    // a broken rule comes back on the unit page
    let r = h
        .page(
            Method::POST,
            &format!("/units/{A2}/facts"),
            &cookies,
            Some(&form(&[
                ("csrf", &csrf),
                ("kind", "data_network"),
                ("value", "có lẽ"),
                ("valid_from", "2022-06-01"),
            ])),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.text().contains("không hợp lệ"));
    // the coverage page
    let r = h
        .page(Method::GET, "/egov?as_of=2022-06-30", &cookies, None)
        .await;
    r.expect(200);
    let html = r.text();
    assert!(html.contains("Tỷ lệ đơn vị theo cấp"));
    assert!(html.contains("1.234"));
    assert!(html.contains("30/06/2022"));
    // a leader sees the section but no form, and another branch's unit is absent
    let cookie = h.web_login("leader.b", PASSWORD).await;
    let cookies = format!("{}={cookie}", motcua_server::auth::SESSION_COOKIE);
    let html = h
        .page(Method::GET, &format!("/units/{B1}"), &cookies, None)
        .await
        .text();
    assert!(html.contains("Chính phủ điện tử"));
    assert!(!html.contains(&format!("action=\"/units/{B1}/facts\"")));
    let r = h
        .page(Method::GET, &format!("/egov?unit={A1}"), &cookies, None)
        .await;
    assert_eq!(r.status.as_u16(), 404);
}

conformance!(
    record_history_and_errors,
    roles_and_scope,
    coverage_and_import,
    pages_show_and_record,
);
