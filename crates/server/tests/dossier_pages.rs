//! The one-stop web pages on SQLite and PostgreSQL: intake through the form (CSRF required),
//! the receipt with its QR code, the request-to-complete slip for an incomplete checklist,
//! the action forms with the version, the control slip, the printable notices, scope on every
//! dossier page and the public tracking page.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod common;

use axum::http::Method;
use common::*;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

const PROCEDURE: &str = "1.009999";

async fn harness(db: &TestDb) -> Harness {
    let h = Harness::new(&db.store).await;
    let doc = json!({
        "code": PROCEDURE,
        "name": "Xác nhận thời gian công tác trong quân đội (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": A3,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 50000 }
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
    });
    let new: NewProcedure = serde_json::from_value(doc).unwrap();
    let p = Procedure::parse(new, 480).unwrap();
    db.store.save_procedure("admin", T0, &p).await.unwrap();
    h
}

struct Web<'a> {
    h: &'a Harness,
    cookie: String,
}

impl Web<'_> {
    async fn get(&self, uri: &str) -> Resp {
        self.h.page(Method::GET, uri, &self.cookie, None).await
    }
    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        self.h
            .page(Method::POST, uri, &self.cookie, Some(&form(fields)))
            .await
    }
    async fn csrf(&self) -> String {
        csrf_field(&self.get("/inbox").await.text())
    }
}

async fn web<'a>(h: &'a Harness, user: &str) -> Web<'a> {
    let session = h.web_login(user, PASSWORD).await;
    Web {
        h,
        cookie: format!("{}={session}", motcua_server::auth::SESSION_COOKIE),
    }
}

fn intake_fields<'a>(csrf: &'a str, docs: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("procedure", PROCEDURE),
        ("channel", "in_person"),
        ("kind", "person"),
        ("name", "Nguyễn Văn An"),
        ("id_number", "001099012345"),
        ("phone", "0912345678"),
        ("address", "Số 1 Hoàng Diệu, Hà Nội"),
        ("intent", "register"),
    ];
    for key in ["don_de_nghi", "cccd", "quyet_dinh"] {
        f.push(("doc_key", key));
        f.push(("count", "1"));
    }
    for d in docs {
        f.push(("docs", d));
    }
    f
}

/// The dossier code on a receipt.
fn code_of(html: &str) -> String {
    let marker = "id=\"dossier-code\">";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

fn version_of(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn key_of(html: &str) -> String {
    let marker = "id=\"tracking-key\">";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

async fn intake_receipt_and_slips(db: &TestDb) {
    let h = harness(db).await;
    let receiver = web(&h, "receiver.a").await;
    let page = receiver
        .get(&format!("/dossiers/new?procedure={PROCEDURE}"))
        .await;
    page.expect(200);
    assert!(page.text().contains("Căn cước công dân"));
    assert!(page.text().contains("50.000 đ"));
    let csrf = csrf_field(&page.text());

    // Without the CSRF token nothing happens.
    let r = receiver
        .post(
            "/dossiers/new",
            &intake_fields("sai", &["don_de_nghi", "cccd", "quyet_dinh"]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.text());

    // An incomplete checklist: the request-to-complete slip, nothing registered.
    let r = receiver
        .post("/dossiers/new", &intake_fields(&csrf, &["don_de_nghi"]))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let slip = receiver.get(&r.location().unwrap()).await;
    slip.expect(200);
    let text = slip.text();
    assert!(
        text.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "{text}"
    );
    assert!(text.contains("Căn cước công dân") && text.contains("Quyết định nhập ngũ, xuất ngũ"));
    assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    let inbox = receiver.get("/inbox").await;
    assert!(
        !inbox.text().contains(&format!("{A3}-261102-")),
        "nothing registered"
    );

    // A refusal with reasons.
    let mut fields = intake_fields(&csrf, &[]);
    fields.retain(|(k, _)| *k != "intent");
    fields.push(("intent", "refuse"));
    fields.push(("reasons", "Không thuộc thẩm quyền giải quyết của Bộ."));
    let r = receiver.post("/dossiers/new", &fields).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let slip = receiver.get(&r.location().unwrap()).await;
    assert!(
        slip.text()
            .contains("Không thuộc thẩm quyền giải quyết của Bộ.")
    );

    // A bad ID number is shown on the form, in Vietnamese.
    let mut fields = intake_fields(&csrf, &["don_de_nghi", "cccd", "quyet_dinh"]);
    for f in fields.iter_mut() {
        if f.0 == "id_number" {
            f.1 = "123";
        }
    }
    let r = receiver.post("/dossiers/new", &fields).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(
        r.text().contains("Nguyễn Văn An"),
        "the form keeps what was typed"
    );

    // Complete: the receipt with the code, the key and the QR code.
    let r = receiver
        .post(
            "/dossiers/new",
            &intake_fields(&csrf, &["don_de_nghi", "cccd", "quyet_dinh"]),
        )
        .await;
    r.expect(200);
    let html = r.text();
    let code = code_of(&html);
    assert_eq!(code, format!("{A3}-261102-0001"));
    assert!(html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    assert!(html.contains("<svg"), "QR code as inline SVG");
    assert!(html.contains("09 giờ 00 phút, ngày 02/11/2026"), "{html}");
    let key = key_of(&html);
    assert_eq!(key.len(), 32);
    // The reprint has no key.
    let again = receiver.get(&format!("/dossiers/{code}/receipt")).await;
    again.expect(200);
    assert!(again.text().contains("<svg") && !again.text().contains(&key));

    // The form carries a one-time key: posted twice (a reload, a double click), it registers
    // one dossier and the second answer reprints that dossier's receipt without the key.
    let form_page = receiver
        .get(&format!("/dossiers/new?procedure={PROCEDURE}"))
        .await
        .text();
    let marker = "name=\"intake_key\" value=\"";
    let start = form_page.find(marker).unwrap() + marker.len();
    let once = form_page[start..].split('"').next().unwrap().to_string();
    assert_eq!(once.len(), 64);
    let mut fields = intake_fields(&csrf, &["don_de_nghi", "cccd", "quyet_dinh"]);
    fields.push(("intake_key", &once));
    let first = receiver.post("/dossiers/new", &fields).await;
    first.expect(200);
    let second = receiver.post("/dossiers/new", &fields).await;
    second.expect(200);
    assert_eq!(code_of(&second.text()), code_of(&first.text()));
    assert_eq!(code_of(&first.text()), format!("{A3}-261102-0002"));
    assert!(!second.text().contains(&key_of(&first.text())));

    // The inbox shows it; the catalogue pages answer.
    let inbox = receiver.get("/inbox?q=nguyen+van").await;
    assert!(inbox.text().contains(&code), "diacritics ignored");
    // The field filter (lĩnh vực): the procedure's field finds it, another does not.
    let inbox = receiver.get("/inbox?field=CS-QN").await;
    assert!(inbox.text().contains(&code), "field CS-QN");
    assert!(
        inbox.text().contains("value=\"CS-QN\""),
        "the filter is kept in the form"
    );
    let inbox = receiver.get("/inbox?field=KHAC").await;
    assert!(!inbox.text().contains(&code), "another field");
    receiver.get("/procedures").await.expect(200);
    let p = receiver.get(&format!("/procedures/{PROCEDURE}")).await;
    p.expect(200);
    assert!(p.text().contains("Thẩm định hồ sơ") && p.text().contains("20 giờ làm việc"));
}

async fn actions_move_the_dossier(db: &TestDb) {
    let h = harness(db).await;
    let receiver = web(&h, "receiver.a").await;
    let csrf = receiver.csrf().await;
    let r = receiver
        .post(
            "/dossiers/new",
            &intake_fields(&csrf, &["don_de_nghi", "cccd", "quyet_dinh"]),
        )
        .await;
    let html = r.expect(200).text();
    let code = code_of(&html);
    let key = key_of(&html);
    let url = format!("/dossiers/{code}");
    let act = format!("/dossiers/{code}/actions");

    let page = receiver.get(&url).await;
    let v = version_of(&page.text());
    let r = receiver
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("action", "complete_step"),
                ("note", "Chuyển thẩm định"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    // A stale version: the Vietnamese conflict message, nothing changes.
    let r = receiver
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("action", "stop"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(
        r.text().contains("Dữ liệu đã được người khác thay đổi"),
        "{}",
        r.text()
    );
    // Without CSRF: refused.
    let r = receiver
        .post(
            &act,
            &[("version", "2"), ("action", "stop"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 403);

    for (user, action, extra) in [
        ("specialist.a", "complete_step", ("note", "Đủ điều kiện")),
        ("leader.a", "approve", ("note", "Đồng ý")),
        ("clerk.a", "issue_result", ("document_number", "123/GXN")),
        ("receiver.a", "return_result", ("to", "Nguyễn Văn An")),
    ] {
        let w = web(&h, user).await;
        let inbox = w.get("/inbox").await;
        assert!(inbox.text().contains(&code), "{user} sees it in the inbox");
        let page = w.get(&url).await;
        let text = page.text();
        assert!(
            text.contains(&format!("id=\"form-{action}\"")),
            "{user}: {text}"
        );
        let csrf = csrf_field(&text);
        let v = version_of(&text);
        let r = w
            .post(
                &act,
                &[("csrf", &csrf), ("version", &v), ("action", action), extra],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "{user} {action}: {}", r.text());
        assert!(
            w.get(&r.location().unwrap())
                .await
                .text()
                .contains("Đã cập nhật hồ sơ.")
        );
    }

    // Read by the leader, whose scope holds everyone's names (others see usernames).
    let leader = web(&h, "leader.a").await;
    let slip = leader.get(&format!("/dossiers/{code}/control-slip")).await;
    slip.expect(200);
    let text = slip.text();
    assert!(text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"));
    for who in [
        "Vũ Văn Nhận",
        "Hoàng Thị Chuyên",
        "Phạm Thị Lãnh",
        "Bùi Thị Thư",
    ] {
        assert!(text.contains(who), "{who} on the control slip");
    }
    assert!(text.contains("Trước hạn") || text.contains("Đúng hạn"));

    // Public tracking: no sign-in; a wrong key looks like a missing dossier.
    let public = h
        .page(Method::GET, &format!("/tra-cuu/{code}?key={key}"), "", None)
        .await;
    public.expect(200);
    assert!(public.text().contains("Đã trả kết quả"));
    assert!(!public.text().contains("Vũ Văn Nhận") && !public.text().contains("receiver.a"));
    let wrong = h
        .page(Method::GET, &format!("/tra-cuu/{code}?key=SAI"), "", None)
        .await;
    let missing = h
        .page(
            Method::GET,
            &format!("/tra-cuu/{A3}-261102-0099?key={key}"),
            "",
            None,
        )
        .await;
    assert_eq!(wrong.status.as_u16(), 404);
    assert_eq!(missing.status.as_u16(), 404);
    assert!(wrong.text().contains("Không tìm thấy hồ sơ"));
    // The rating, once.
    let r = h
        .page(
            Method::POST,
            &format!("/tra-cuu/{code}"),
            "",
            Some(&form(&[("key", &key), ("rating", "5"), ("comment", "Tốt")])),
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let after = h.page(Method::GET, &r.location().unwrap(), "", None).await;
    assert!(after.text().contains("5/5") && !after.text().contains("id=\"rating\""));
}

/// The printable notices (supplement request, apology) and scope on every dossier page: a
/// person of another branch gets the same 404 page as for a dossier that does not exist, on
/// the dossier page, its receipt, control slip, notices and actions.
async fn notices_and_scope_of_every_page(db: &TestDb) {
    let h = harness(db).await;
    let receiver = h.token("receiver.a").await;
    let body = json!({
        "procedure_code": PROCEDURE,
        "channel": "in_person",
        "applicant": { "kind": "person", "name": "Nguyễn Văn An", "id_number": "001099012345",
                       "phone": "0912 345 678", "address": "Số 1 Hoàng Diệu, Hà Nội" },
        "documents": [ { "key": "don_de_nghi" }, { "key": "cccd" }, { "key": "quyet_dinh" } ]
    });
    let d = h
        .post("/api/v1/dossiers", &receiver, body)
        .await
        .expect(201)
        .json();
    let code = d["code"].as_str().unwrap().to_string();
    let action = |token: String, mut body: Value, version: i64| {
        let url = format!("/api/v1/dossiers/{code}/actions");
        let h = &h;
        async move {
            body["version"] = json!(version);
            h.post(&url, &token, body).await.expect(200);
        }
    };
    action(receiver.clone(), json!({"action": "complete_step"}), 1).await;
    let specialist = h.token("specialist.a").await;
    action(
        specialist,
        json!({"action": "request_supplement", "reason": "Thiếu quyết định xuất ngũ",
               "items": ["Bản sao chứng thực quyết định xuất ngũ"]}),
        2,
    )
    .await;
    let leader = h.token("leader.a").await;
    action(
        leader,
        json!({"action": "apologise", "reason": "Chờ hồ sơ bổ sung",
               "new_appointment": "2026-11-13T09:00:00+07:00"}),
        3,
    )
    .await;

    let web_receiver = web(&h, "receiver.a").await;
    let page = web_receiver.get(&format!("/dossiers/{code}")).await;
    page.expect(200);
    for version in [3, 4] {
        assert!(
            page.text()
                .contains(&format!("/dossiers/{code}/notices/{version}")),
            "the dossier page links notice {version}"
        );
    }
    let supplement = web_receiver
        .get(&format!("/dossiers/{code}/notices/3"))
        .await;
    supplement.expect(200);
    let text = supplement.text();
    assert!(text.contains("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
    assert!(text.contains("Thiếu quyết định xuất ngũ"));
    assert!(text.contains("Bản sao chứng thực quyết định xuất ngũ"));
    assert!(text.contains("Nguyễn Văn An") && text.contains(&code));
    let apology = web_receiver
        .get(&format!("/dossiers/{code}/notices/4"))
        .await;
    apology.expect(200);
    let text = apology.text();
    assert!(text.contains("Phiếu xin lỗi và hẹn lại ngày trả kết quả"));
    assert!(text.contains("Ngày hẹn trả kết quả mới"), "{text}");
    // A version that is not a notice, or not a number: not found.
    for version in ["2", "abc", "99"] {
        let r = web_receiver
            .get(&format!("/dossiers/{code}/notices/{version}"))
            .await;
        assert_eq!(r.status.as_u16(), 404, "notice {version}");
    }

    // Another branch: every page of the dossier answers like a dossier that does not exist.
    let missing = format!("{A3}-261102-0099");
    for user in B_PEOPLE {
        let other = web(&h, user).await;
        let csrf = other.csrf().await;
        for target in [&code, &missing] {
            for path in [
                format!("/dossiers/{target}"),
                format!("/dossiers/{target}/receipt"),
                format!("/dossiers/{target}/control-slip"),
                format!("/dossiers/{target}/notices/3"),
            ] {
                let r = other.get(&path).await;
                assert_eq!(r.status.as_u16(), 404, "{user} GET {path}");
                assert!(r.is_html());
                assert!(!r.text().contains("Nguyễn Văn An"), "{user} GET {path}");
            }
            let r = other
                .post(
                    &format!("/dossiers/{target}/actions"),
                    &[
                        ("csrf", &csrf),
                        ("version", "4"),
                        ("action", "stop"),
                        ("reason", "x"),
                    ],
                )
                .await;
            assert_eq!(r.status.as_u16(), 404, "{user} POST actions on {target}");
        }
    }
    // Nothing changed for the owner.
    let d = h
        .get(&format!("/api/v1/dossiers/{code}"), &receiver)
        .await
        .expect(200)
        .json();
    assert_eq!(
        (d["version"].as_i64(), d["status"].as_str()),
        (Some(4), Some("awaiting_supplement"))
    );
}

conformance!(
    intake_receipt_and_slips,
    actions_move_the_dossier,
    notices_and_scope_of_every_page
);
