//! The dossier API over HTTP, on SQLite and on PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`): a receiver, a specialist, a leader and a clerk take a dossier from
//! intake to the returned result; supplement, payment, apology, return, assignment and refusal
//! with their rules; the procedure version a dossier keeps; the configured portal codes; bad
//! input; scope on every dossier route; public tracking.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::http::Method;
use common::*;
use motcua_domain::dossier::RuleSet;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_server::Config;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

const PROCEDURE: &str = "1.009999";

/// The seeded organisation and procedure 1.009999, owned by A3 (the one-stop desk's unit).
async fn harness(db: &TestDb) -> Harness {
    harness_with(db, Config::default()).await
}

async fn harness_with(db: &TestDb, config: Config) -> Harness {
    let h = Harness::with_config(&db.store, config).await;
    save_procedure(db, procedure_doc()).await;
    h
}

async fn save_procedure(db: &TestDb, doc: Value) {
    let new: NewProcedure = serde_json::from_value(doc).unwrap();
    let p = Procedure::parse(new, 480).unwrap();
    db.store.save_procedure("admin", T0, &p).await.unwrap();
}

/// Procedure 1.009999: five working days, four steps (receiver 120, specialist 1200, leader
/// 600, clerk 480 minutes).
fn procedure_doc() -> Value {
    json!({
        "code": PROCEDURE,
        "name": "Xác nhận thời gian công tác trong quân đội (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": A3,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận (theo mẫu)", "copy_kind": "original", "count": 1 },
            { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1 },
            { "key": "quyet_dinh", "name": "Quyết định nhập ngũ, xuất ngũ", "copy_kind": "certified_copy", "count": 1 }
        ],
        "results": ["Giấy xác nhận thời gian công tác"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định hồ sơ", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Vào số, đóng dấu, phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    })
}

fn intake() -> Value {
    json!({
        "procedure_code": PROCEDURE,
        "channel": "in_person",
        "applicant": { "kind": "person", "name": "Nguyễn Văn An", "id_number": "001099012345",
                       "phone": "0912 345 678", "address": "Số 1 Hoàng Diệu, Hà Nội" },
        "documents": [ { "key": "don_de_nghi" }, { "key": "cccd" }, { "key": "quyet_dinh", "count": 1 } ]
    })
}

/// The receiver registers the standard intake: their token, the dossier's code and answer.
async fn register(h: &Harness) -> (String, String, Value) {
    let receiver = h.token("receiver.a").await;
    let d = h
        .post("/api/v1/dossiers", &receiver, intake())
        .await
        .expect(201)
        .json();
    let code = d["code"].as_str().unwrap().to_string();
    (receiver, code, d)
}

async fn act(h: &Harness, token: &str, code: &str, mut body: Value, version: i64) -> Resp {
    body["version"] = json!(version);
    h.post(&format!("/api/v1/dossiers/{code}/actions"), token, body)
        .await
}

async fn lifecycle_by_four_people(db: &TestDb) {
    let h = harness(db).await;
    let receiver = h.token("receiver.a").await;
    let specialist = h.token("specialist.a").await;
    let leader = h.token("leader.a").await;
    let clerk = h.token("clerk.a").await;

    let r = h.post("/api/v1/dossiers", &receiver, intake()).await;
    let d = r.expect(201).json();
    let code = d["code"].as_str().unwrap().to_string();
    assert_eq!(code, format!("{A3}-261102-0001"));
    assert_eq!(d["status"], "received");
    assert_eq!(d["portal_status"], 2);
    assert_eq!(d["version"], 1);
    assert_eq!(d["due_at"], "2026-11-09T09:00:00+07:00");
    assert_eq!(d["assignee"], "receiver.a");
    assert_eq!(d["current_step_name"], "Tiếp nhận, chuyển hồ sơ");
    assert_eq!(d["applicant"]["phone"], "0912345678");
    let key = d["tracking_key"].as_str().unwrap().to_string();

    let d = act(&h, &receiver, &code, json!({"action": "complete_step"}), 1)
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            d["status"].as_str(),
            d["waiting_role"].as_str(),
            d["portal_status"].as_i64()
        ),
        (Some("processing"), Some("specialist"), Some(4))
    );
    // The specialist finds it in the inbox, with counters.
    let inbox = h.get("/api/v1/inbox", &specialist).await.expect(200).json();
    assert_eq!(inbox["items"][0]["code"], code.as_str());
    assert_eq!(inbox["items"][0]["applicant_name"], "Nguyễn Văn An");
    assert_eq!(inbox["counters"]["running"], 1);
    assert_eq!(inbox["counters"]["overdue"], 0);
    let found = h
        .get(
            "/api/v1/inbox?q=nguyen%20van%20an&status=processing",
            &specialist,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);

    h.clock.advance(time::Duration::hours(2));
    act(
        &h,
        &specialist,
        &code,
        json!({"action": "complete_step", "note": "Đủ điều kiện"}),
        2,
    )
    .await
    .expect(200);
    // Only a leader approves.
    act(&h, &specialist, &code, json!({"action": "approve"}), 3)
        .await
        .expect_error(403, "forbidden");
    act(&h, &leader, &code, json!({"action": "approve"}), 3)
        .await
        .expect(200);
    let d = act(
        &h,
        &clerk,
        &code,
        json!({"action": "issue_result", "document_number": "125/GXN-QY"}),
        4,
    )
    .await
    .expect(200)
    .json();
    assert_eq!(
        (d["status"].as_str(), d["portal_status"].as_i64()),
        (Some("result_ready"), Some(9))
    );
    assert_eq!(d["resolution_class"], "early");
    let d = act(
        &h,
        &receiver,
        &code,
        json!({"action": "return_result", "to": "Nguyễn Văn An"}),
        5,
    )
    .await
    .expect(200)
    .json();
    assert_eq!(
        (d["status"].as_str(), d["portal_status"].as_i64()),
        (Some("returned"), Some(10))
    );

    let d = h
        .get(&format!("/api/v1/dossiers/{code}"), &leader)
        .await
        .expect(200)
        .json();
    let history = d["history"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "register",
            "complete_step",
            "complete_step",
            "approve",
            "issue_result",
            "return_result"
        ]
    );
    assert_eq!(history[2]["actor"], "specialist.a");
    assert!(
        d.get("tracking_key").is_none(),
        "the key is shown once only"
    );
    let audit = h
        .get(
            &format!("/api/v1/audit?object_type=dossier&object_id={code}"),
            &h.token("admin").await,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 6);

    // The applicant follows it with the key: no person's data in the answer.
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/public/dossiers/{code}?key={key}"),
            None,
            None,
        )
        .await;
    let p = r.expect(200).json();
    assert_eq!(p["status"], "returned");
    assert_eq!(p["history"].as_array().unwrap().len(), 6);
    assert_eq!(p["history"][0]["label"], "Tiếp nhận hồ sơ");
    assert_eq!(p["can_rate"], true);
    for secret in [
        "receiver.a",
        "specialist.a",
        "001099012345",
        "Nguyễn Văn An",
        "0912345678",
    ] {
        assert!(!r.text().contains(secret), "public answer shows {secret}");
    }
    let rating = h
        .api(
            Method::POST,
            &format!("/api/v1/public/dossiers/{code}/rating"),
            None,
            Some(json!({"key": key, "rating": 5, "comment": "Nhanh, đúng hẹn"})),
        )
        .await;
    assert_eq!(rating.expect(201).json()["rating"], 5);
    h.api(
        Method::POST,
        &format!("/api/v1/public/dossiers/{code}/rating"),
        None,
        Some(json!({"key": key, "rating": 4})),
    )
    .await
    .expect_error(409, "rating_exists");
}

async fn bad_input_is_refused(db: &TestDb) {
    let h = harness(db).await;
    let receiver = h.token("receiver.a").await;
    let clerk = h.token("clerk.a").await;
    let audit_before = h.audit_count().await;

    let mut body = intake();
    body["procedure_code"] = json!("1.000001");
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(422, "procedure_unknown");
    let mut body = intake();
    body["applicant"]["id_number"] = json!("12345");
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(422, "citizen_id_invalid");
    let mut body = intake();
    body["applicant"] =
        json!({"kind": "organisation", "name": "Công ty TNHH Ví Dụ", "id_number": "0100109107"});
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(422, "tax_code_invalid");
    let mut body = intake();
    body["documents"] = json!([{ "key": "giay_khac" }]);
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(422, "checklist_unknown_document");
    let mut body = intake();
    body["channel"] = json!("postal");
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(422, "channel_not_offered");
    let mut body = intake();
    body["colour"] = json!("xanh");
    h.post("/api/v1/dossiers", &receiver, body)
        .await
        .expect_error(400, "invalid_json");
    h.post("/api/v1/dossiers", &clerk, intake())
        .await
        .expect_error(403, "forbidden");
    assert_eq!(
        h.audit_count().await,
        audit_before,
        "refused intakes wrote nothing"
    );

    // Incomplete: nothing registered, the request-to-complete slip recorded.
    let mut body = intake();
    body["documents"] = json!([{ "key": "don_de_nghi" }]);
    let r = h.post("/api/v1/dossiers", &receiver, body).await;
    r.expect_error(422, "checklist_incomplete");
    let details = r.json()["error"]["details"].clone();
    let missing: Vec<&str> = details["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(missing, vec!["cccd", "quyet_dinh"]);
    let slip = h
        .get(
            &format!("/api/v1/intake-slips/{}", details["slip_id"]),
            &receiver,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(slip["kind"], "request_to_complete");
    assert_eq!(slip["number"], 1);
    assert_eq!(slip["items"][0]["name"], "Căn cước công dân");
    // A refusal at intake needs a reason.
    let refusal = json!({"procedure_code": PROCEDURE, "channel": "in_person",
        "applicant": {"kind": "person", "name": "Trần Văn Bình", "id_number": "001099012346"},
        "reasons": ["  "]});
    h.post("/api/v1/intake-slips", &receiver, refusal.clone())
        .await
        .expect_error(422, "reason_required");
    let mut ok = refusal;
    ok["reasons"] = json!(["Không thuộc thẩm quyền giải quyết của Bộ"]);
    let slip = h
        .post("/api/v1/intake-slips", &receiver, ok)
        .await
        .expect(201)
        .json();
    assert_eq!(slip["kind"], "refusal");
    assert_eq!(
        slip["kind_label"],
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    );

    // The first registered dossier still gets 0001: refusals took no number.
    let (_, code, _) = register(&h).await;
    assert!(code.ends_with("-0001"), "{code}");
    // Online intake ignores the client's clock.
    let mut online = intake();
    online["channel"] = json!("online");
    online["received_at"] = json!("2026-10-01T08:00:00+07:00");
    let o = h
        .post("/api/v1/dossiers", &receiver, online)
        .await
        .expect(201)
        .json();
    assert_eq!(o["received_at"], "2026-11-02T09:00:00+07:00");

    // Actions: wrong state, stale version, unknown action, no version, missing reason.
    act(
        &h,
        &receiver,
        &code,
        json!({"action": "return_result", "to": "An"}),
        1,
    )
    .await
    .expect_error(409, "action_not_allowed_in_state");
    act(&h, &receiver, &code, json!({"action": "complete_step"}), 1)
        .await
        .expect(200);
    act(
        &h,
        &receiver,
        &code,
        json!({"action": "stop", "reason": "Dừng"}),
        1,
    )
    .await
    .expect_error(409, "version_conflict");
    act(&h, &receiver, &code, json!({"action": "fly"}), 2)
        .await
        .expect_error(400, "action_invalid");
    let r = act(
        &h,
        &receiver,
        &code,
        json!({"action": "apologise", "reason": "Chậm"}),
        2,
    )
    .await;
    r.expect_error(400, "action_invalid");
    assert!(r.message().contains("thiếu trường"), "{}", r.message());
    assert!(!r.message().contains("missing field"), "{}", r.message());
    h.post(
        &format!("/api/v1/dossiers/{code}/actions"),
        &receiver,
        json!({"action": "stop", "reason": "Dừng"}),
    )
    .await
    .expect_error(400, "version_required");
    act(
        &h,
        &receiver,
        &code,
        json!({"action": "stop", "reason": " "}),
        2,
    )
    .await
    .expect_error(422, "reason_required");
    let d = h
        .get(&format!("/api/v1/dossiers/{code}"), &receiver)
        .await
        .expect(200)
        .json();
    assert_eq!(
        (d["version"].as_i64(), d["status"].as_str()),
        (Some(2), Some("processing"))
    );
    h.get("/api/v1/inbox?status=flying", &receiver)
        .await
        .expect_error(400, "invalid_query");
    h.get("/api/v1/inbox?after=nonsense", &receiver)
        .await
        .expect_error(400, "cursor_invalid");
}

async fn out_of_scope_is_absent_on_every_dossier_route(db: &TestDb) {
    let h = harness(db).await;
    let (receiver, code, _) = register(&h).await;
    let mut body = intake();
    body["documents"] = json!([]);
    let r = h.post("/api/v1/dossiers", &receiver, body).await;
    let slip_id = r.json()["error"]["details"]["slip_id"].clone();
    let ghost = "000.09.09.Z09-261102-0001";
    for who in ["leader.b", "clerk.b"] {
        let t = h.token(who).await;
        for c in [code.as_str(), ghost] {
            let get = h.get(&format!("/api/v1/dossiers/{c}"), &t).await;
            get.expect_error(404, "dossier_not_found");
            let post = act(
                &h,
                &t,
                c,
                json!({"action": "stop", "reason": "Chiếm quyền"}),
                1,
            )
            .await;
            post.expect_error(404, "dossier_not_found");
            assert_eq!(get.json(), post.json());
        }
        h.get(&format!("/api/v1/intake-slips/{slip_id}"), &t)
            .await
            .expect_error(404, "intake_slip_not_found");
        let inbox = h.get("/api/v1/inbox", &t).await.expect(200).json();
        assert!(inbox["items"].as_array().unwrap().is_empty());
        assert!(!inbox.to_string().contains(&code));
    }
    let d = h
        .get(&format!("/api/v1/dossiers/{code}"), &receiver)
        .await
        .expect(200)
        .json();
    assert_eq!(d["version"], 1);
}

async fn public_tracking_with_right_and_wrong_key(db: &TestDb) {
    let h = harness(db).await;
    let (_, code, d) = register(&h).await;
    let key = d["tracking_key"].as_str().unwrap().to_string();
    let hr = &h;
    let get = |uri: String| async move { hr.api(Method::GET, &uri, None, None).await };
    let ok = get(format!(
        "/api/v1/public/dossiers/{code}?key={}",
        key.to_lowercase()
    ))
    .await;
    assert_eq!(ok.expect(200).json()["status"], "received");
    assert_eq!(ok.json()["can_rate"], false);
    let wrong = get(format!("/api/v1/public/dossiers/{code}?key=SAI")).await;
    let none = get(format!("/api/v1/public/dossiers/{code}")).await;
    let missing = get(format!(
        "/api/v1/public/dossiers/000.09.09.Z09-261102-0001?key={key}"
    ))
    .await;
    wrong.expect_error(404, "dossier_not_found");
    assert_eq!(wrong.json(), none.json());
    assert_eq!(wrong.json(), missing.json());
    let rate = h
        .api(
            Method::POST,
            &format!("/api/v1/public/dossiers/{code}/rating"),
            None,
            Some(json!({"key": key, "rating": 5})),
        )
        .await;
    rate.expect_error(409, "rating_not_open");

    // Rate limit: the burst, then 429 until the bucket refills.
    let mut limited = None;
    for i in 0..40 {
        let r = get(format!("/api/v1/public/dossiers/{code}?key={key}")).await;
        if r.status.as_u16() == 429 {
            limited = Some(i);
            break;
        }
    }
    let limited = limited.expect("rate limited within 40 calls");
    assert!(limited >= 10, "limited too early ({limited})");
    get(format!("/api/v1/public/dossiers/{code}?key={key}"))
        .await
        .expect_error(429, "rate_limited");
    h.clock.advance(time::Duration::seconds(10));
    get(format!("/api/v1/public/dossiers/{code}?key={key}"))
        .await
        .expect(200);
}

async fn idempotency_key_registers_once(db: &TestDb) {
    let h = harness(db).await;
    let receiver = h.token("receiver.a").await;
    let post = |key: &'static str, body: Value| {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/dossiers")
            .header("authorization", format!("Bearer {receiver}"))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        h.send(request)
    };
    let first = post("retry-1", intake()).await.expect(201).json();
    assert!(first["tracking_key"].is_string());
    let audit = h.audit_count().await;
    // A retry after a lost answer: the same dossier, no key again, nothing written.
    let again = post("retry-1", intake()).await.expect(201).json();
    assert_eq!(again["code"], first["code"]);
    assert!(again["tracking_key"].is_null());
    assert_eq!(h.audit_count().await, audit);
    // The same key with another body: 409, nothing written.
    let mut other = intake();
    other["applicant"]["name"] = json!("Trần Thị Bình");
    post("retry-1", other)
        .await
        .expect_error(409, "idempotency_key_reused");
    post("khóa có dấu", intake())
        .await
        .expect_error(400, "idempotency_key_invalid");
    assert_eq!(h.audit_count().await, audit);
}

/// What one step of a scripted sequence must answer.
enum Expect {
    /// 200, with these fields in the answer (the version moves on by one).
    Accepted(Value),
    /// This status and error code, nothing changed.
    Refused(u16, &'static str),
}

/// Runs `(username, action, expected)` steps on one dossier from `version`, checking each
/// answer; returns the version after the last step.
async fn script(
    h: &Harness,
    code: &str,
    mut version: i64,
    steps: Vec<(&str, Value, Expect)>,
) -> i64 {
    for (who, body, expected) in steps {
        let token = h.token(who).await;
        let r = act(h, &token, code, body.clone(), version).await;
        match expected {
            Expect::Refused(status, error) => r.expect_error(status, error),
            Expect::Accepted(fields) => {
                let d = r.expect(200).json();
                version += 1;
                assert_eq!(d["version"], version, "{who} {body}");
                for (field, value) in fields.as_object().unwrap() {
                    assert_eq!(&d[field], value, "{who} {body}: {field}");
                }
            }
        }
    }
    version
}

/// Every pausing and rescheduling action over HTTP, on both engines: a supplement request
/// pauses the clock and its receipt moves the due instant by exactly the paused working time
/// (one working day here), a second request is refused (one round per agency), a payment
/// request pauses and resumes, the apology moves the appointment once (not the legal due
/// instant), a step is returned and assigned, and a refusal after appraisal (the leader's)
/// ends it. The control slip lists every accepted action in order.
async fn pauses_apology_return_assign_and_refusal(db: &TestDb) {
    use Expect::{Accepted, Refused};
    let h = harness(db).await;
    let (_, code, d) = register(&h).await;
    assert_eq!(d["due_at"], "2026-11-09T09:00:00+07:00");
    let supplement = |reason: &str| json!({"action": "request_supplement", "reason": reason, "items": ["Bản sao quyết định xuất ngũ"]});
    let version = script(
        &h,
        &code,
        1,
        vec![
            (
                "receiver.a",
                json!({"action": "complete_step"}),
                Accepted(json!({"status": "processing"})),
            ),
            (
                "specialist.a",
                supplement(" "),
                Refused(422, "reason_required"),
            ),
            (
                "specialist.a",
                supplement("Thiếu quyết định xuất ngũ"),
                Accepted(json!({"status": "awaiting_supplement", "portal_status": 5})),
            ),
        ],
    )
    .await;
    // A working day later (Tuesday, same hour) the supplement arrives.
    h.clock.advance(time::Duration::days(1));
    let apologise = |date: &str| json!({"action": "apologise", "reason": "Chờ xác minh", "new_appointment": date});
    let payment = |amount: i64| json!({"action": "request_payment", "amount_vnd": amount, "reason": "Lệ phí"});
    let version = script(&h, &code, version, vec![
        // The due instant moves by exactly the paused working day.
        ("receiver.a", json!({"action": "receive_supplement", "note": "Đã nhận"}),
            Accepted(json!({"status": "processing", "due_at": "2026-11-10T09:00:00+07:00"}))),
        // One round per agency (rule set: supplement_rounds_per_agency = 1).
        ("specialist.a", supplement("Lần hai"), Refused(409, "supplement_rounds_exhausted")),
        ("specialist.a", payment(0), Refused(422, "amount_invalid")),
        ("specialist.a", payment(50_000), Accepted(json!({"status": "awaiting_payment", "portal_status": 6}))),
        // No working time passed: the due instant stays.
        ("receiver.a", json!({"action": "payment_received"}),
            Accepted(json!({"status": "processing", "due_at": "2026-11-10T09:00:00+07:00"}))),
        // The apology: a later date, once; the legal due instant stays.
        ("leader.a", apologise("2026-11-05T09:00:00+07:00"), Refused(422, "apology_date_not_later")),
        ("leader.a", apologise("2026-11-13T09:00:00+07:00"),
            Accepted(json!({"appointment_at": "2026-11-13T09:00:00+07:00", "due_at": "2026-11-10T09:00:00+07:00"}))),
        ("leader.a", apologise("2026-11-16T09:00:00+07:00"), Refused(409, "apology_already_used")),
        // Back to the desk and forward again; the leader hands it to a specialist.
        ("specialist.a", json!({"action": "return_to_step", "step": 0, "reason": "Kiểm tra lại"}),
            Accepted(json!({"current_step": 0, "waiting_role": "receiver"}))),
        ("receiver.a", json!({"action": "complete_step"}), Accepted(json!({"current_step": 1}))),
        ("leader.a", json!({"action": "assign", "to": "khong.co.ai"}), Refused(422, "assignee_invalid")),
        ("leader.a", json!({"action": "assign", "to": "specialist.a"}), Accepted(json!({"assignee": "specialist.a"}))),
        // Refusal after appraisal is the leader's and ends it (portal 10: the refusal letter
        // is the result).
        ("specialist.a", json!({"action": "refuse", "reason": "Không đủ điều kiện"}), Refused(403, "forbidden")),
        ("leader.a", json!({"action": "refuse", "reason": "Không đủ điều kiện"}),
            Accepted(json!({"status": "refused", "portal_status": 10}))),
        ("specialist.a", json!({"action": "complete_step"}), Refused(409, "action_not_allowed_in_state")),
    ])
    .await;
    assert_eq!(version, 11);

    // The control slip: every accepted action once, in order.
    let receiver = h.token("receiver.a").await;
    let full = h
        .get(&format!("/api/v1/dossiers/{code}"), &receiver)
        .await
        .expect(200)
        .json();
    let kinds: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "register",
            "complete_step",
            "request_supplement",
            "receive_supplement",
            "request_payment",
            "payment_received",
            "apologise",
            "return_to_step",
            "complete_step",
            "assign",
            "refuse"
        ]
    );
}

/// A dossier keeps the procedure version it was received under (issue 4 item 1): a new version
/// that renames the steps and shortens the limit changes new dossiers only.
async fn dossier_keeps_its_procedure_version(db: &TestDb) {
    let h = harness(db).await;
    let (receiver, old_code, old) = register(&h).await;
    assert_eq!(old["procedure_version"], 1);
    let mut v2 = procedure_doc();
    v2["channels"][0]["limit"]["amount"] = json!(4);
    v2["channels"][1]["limit"]["amount"] = json!(4);
    v2["workflow"]["steps"][1]["name"] = json!("Thẩm định (phiên bản 2)");
    v2["workflow"]["steps"][1]["budget_minutes"] = json!(720);
    save_procedure(db, v2).await;

    let complete = json!({"action": "complete_step"});
    let d = act(&h, &receiver, &old_code, complete.clone(), 1).await;
    let d = d.expect(200).json();
    assert_eq!(d["procedure_version"], 1);
    assert_eq!(d["current_step_name"], "Thẩm định hồ sơ");
    assert_eq!(d["due_at"], "2026-11-09T09:00:00+07:00");

    let (_, new_code, new) = register(&h).await;
    assert_eq!(new["procedure_version"], 2);
    assert_eq!(new["due_at"], "2026-11-06T09:00:00+07:00");
    let d = act(&h, &receiver, &new_code, complete, 1).await;
    assert_eq!(
        d.expect(200).json()["current_step_name"],
        "Thẩm định (phiên bản 2)"
    );
}

/// Dated rule sets from the configuration: a set allowing two supplement rounds takes effect
/// on Tuesday 03/11. Monday's dossier stays under the built-in set (one round), Tuesday's is
/// stamped with the new set and gets two.
async fn dossiers_keep_the_rule_set_they_were_received_under(db: &TestDb) {
    use Expect::{Accepted, Refused};
    let two_rounds = RuleSet {
        name: "hai-vong-bo-sung".into(),
        effective_from: time::macros::date!(2026 - 11 - 03),
        supplement_rounds_per_agency: 2,
        ..RuleSet::default()
    };
    let config = Config {
        rule_sets: vec![two_rounds],
        ..Config::default()
    };
    let h = harness_with(db, config).await;
    let (_, monday, _) = register(&h).await;
    h.clock.advance(time::Duration::days(1));
    let (_, tuesday, _) = register(&h).await;
    let supplement =
        || json!({"action": "request_supplement", "reason": "Thiếu giấy tờ", "items": ["Bản sao"]});
    let resume = || json!({"action": "receive_supplement"});
    let first_round = || {
        vec![
            (
                "receiver.a",
                json!({"action": "complete_step"}),
                Accepted(json!({})),
            ),
            (
                "specialist.a",
                supplement(),
                Accepted(json!({"status": "awaiting_supplement"})),
            ),
            (
                "receiver.a",
                resume(),
                Accepted(json!({"status": "processing"})),
            ),
        ]
    };
    let mut steps = first_round();
    steps.push((
        "specialist.a",
        supplement(),
        Refused(409, "supplement_rounds_exhausted"),
    ));
    script(&h, &monday, 1, steps).await;
    let mut steps = first_round();
    steps.push((
        "specialist.a",
        supplement(),
        Accepted(json!({"status": "awaiting_supplement"})),
    ));
    script(&h, &tuesday, 1, steps).await;
}

/// The portal codes come from the configured map (issue 4 item 7: "by data, not code"): an
/// operator who maps `received` to 1 and `processing` to 3 sees those codes on the dossier,
/// in the inbox and on the public tracking answer.
async fn portal_status_follows_the_configured_map(db: &TestDb) {
    let config = Config {
        portal_status: serde_json::from_value(json!({ "received": 1, "processing": 3 })).unwrap(),
        ..Config::default()
    };
    let h = harness_with(db, config).await;
    let (receiver, code, d) = register(&h).await;
    let code = code.as_str();
    assert_eq!(d["status"], "received");
    assert_eq!(d["portal_status"], 1);
    let key = d["tracking_key"].as_str().unwrap();
    let public = h
        .get(&format!("/api/v1/public/dossiers/{code}?key={key}"), "")
        .await
        .expect(200)
        .json();
    assert_eq!(public["portal_status"], 1);
    let d = act(&h, &receiver, code, json!({"action": "complete_step"}), 1)
        .await
        .expect(200)
        .json();
    assert_eq!(d["status"], "processing");
    assert_eq!(d["portal_status"], 3);
    let specialist = h.token("specialist.a").await;
    let inbox = h.get("/api/v1/inbox", &specialist).await.expect(200).json();
    let item = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap();
    assert_eq!(item["portal_status"], 3);
    // Keys left out keep their defaults.
    let leader = h.token("leader.a").await;
    let stopped = act(
        &h,
        &leader,
        code,
        json!({"action": "stop", "reason": "Thử"}),
        2,
    )
    .await
    .expect(200)
    .json();
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["portal_status"], 8);
}

conformance!(
    pauses_apology_return_assign_and_refusal,
    dossiers_keep_the_rule_set_they_were_received_under,
    dossier_keeps_its_procedure_version,
    portal_status_follows_the_configured_map,
    lifecycle_by_four_people,
    bad_input_is_refused,
    out_of_scope_is_absent_on_every_dossier_route,
    public_tracking_with_right_and_wrong_key,
    idempotency_key_registers_once,
);
