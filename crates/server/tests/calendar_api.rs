//! The calendar API on both engines (`<test>::sqlite`, `<test>::postgres`): the year's
//! schedule, announced exceptions (admin only, audited, one per date), and deadlines that
//! follow an exception change made through the API.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

const TET_2025_DEADLINE: &str = "2025-02-07T10:00:00+07:00";

fn deadline_body() -> Value {
    json!({ "from": "2025-01-24T10:00:00+07:00", "working_days": 5 })
}

fn dates(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| d["date"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn year_schedule_for_anyone_signed_in(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let clerk = h.token("clerk.b").await;
    let r = h.get("/api/v1/calendar/2025", &clerk).await;
    r.expect(200);
    let year = r.json();
    assert_eq!(year["year"], 2025);
    assert_eq!(
        year["days_off"][1],
        json!({ "date": "2025-01-27", "kind": "announced_off", "name": "Nghỉ Tết Âm lịch Ất Tỵ", "provisional": false })
    );
    assert_eq!(
        year["extra_workdays"],
        json!([{ "date": "2025-04-26", "name": "Làm bù cho ngày 2/5" }])
    );
    assert_eq!(dates(&year, "days_off").len(), 12);

    // Bad years: not a number (400), outside the supported range (422).
    h.get("/api/v1/calendar/hai-nghin", &clerk)
        .await
        .expect_error(400, "invalid_year");
    h.get("/api/v1/calendar/2300", &clerk)
        .await
        .expect_error(422, "date_out_of_range");
    // Not signed in.
    let r = h
        .api(Method::GET, "/api/v1/calendar/2025", None, None)
        .await;
    r.expect_error(401, "unauthenticated");

    // Exceptions list, per year.
    let r = h.get("/api/v1/calendar/exceptions?year=2026", &clerk).await;
    r.expect(200);
    let items = r.json()["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["source"], "shipped");
    assert_eq!(items[0]["covers"], "tet_nguyen_dan");
    assert_eq!(items[0]["legal_ref"], "Thông báo 9441/TB-BNV");
    h.get("/api/v1/calendar/exceptions?nam=2026", &clerk)
        .await
        .expect_error(400, "invalid_query");
    let r = h.get("/api/v1/calendar/exceptions", &clerk).await;
    assert_eq!(
        r.json()["items"].as_array().map(Vec::len),
        Some(motcua_calendar::shipped_exceptions().len())
    );
}

async fn deadlines_follow_exceptions_added_through_the_api(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let clerk = h.token("clerk.b").await;
    let r = h
        .post("/api/v1/calendar/deadline", &clerk, deadline_body())
        .await;
    r.expect(200);
    assert_eq!(
        r.json(),
        json!({
            "received_at": "2025-01-24T10:00:00+07:00",
            "counted_from": "2025-01-24T10:00:00+07:00",
            "due_at": TET_2025_DEADLINE,
        })
    );
    // An issued deadline is a stored value: keep it and check it does not move below.
    let issued = r.json()["due_at"].clone();

    let before = h.audit_count().await;
    let r = h
        .post(
            "/api/v1/calendar/exceptions",
            &admin,
            json!({
                "date": "2025-02-03", "kind": "day_off", "name": "Nghỉ thêm sau Tết (thử nghiệm)",
                "legal_ref": "Thông báo thử nghiệm",
            }),
        )
        .await;
    r.expect(201);
    let added = r.json();
    assert_eq!(added["date"], "2025-02-03");
    assert_eq!(added["source"], "admin");
    assert_eq!(added["created_by"], "admin");
    assert_eq!(added["created_at"], "2026-11-02T09:00:00+07:00");
    assert_eq!(h.audit_count().await, before + 1);

    // The year and the next deadline use it at once.
    let year = h.get("/api/v1/calendar/2025", &clerk).await.json();
    assert!(dates(&year, "days_off").contains(&"2025-02-03".to_string()));
    let r = h
        .post("/api/v1/calendar/deadline", &clerk, deadline_body())
        .await;
    assert_eq!(r.json()["due_at"], "2025-02-10T10:00:00+07:00");
    assert_eq!(issued, TET_2025_DEADLINE);

    // One per date.
    h.post(
        "/api/v1/calendar/exceptions",
        &admin,
        json!({ "date": "2025-02-03", "kind": "working_day", "name": "Làm bù" }),
    )
    .await
    .expect_error(409, "calendar_exception_exists");

    // A worked Saturday shortens it again: 5 days from Friday 24/1 now ends Saturday 8/2.
    h.post(
        "/api/v1/calendar/exceptions",
        &admin,
        json!({ "date": "2025-02-08", "kind": "working_day", "name": "Làm bù cho ngày 3/2" }),
    )
    .await
    .expect(201);
    let r = h
        .post("/api/v1/calendar/deadline", &clerk, deadline_body())
        .await;
    assert_eq!(r.json()["due_at"], "2025-02-08T10:00:00+07:00");

    // Removing both brings the shipped calendar back.
    for date in ["2025-02-03", "2025-02-08"] {
        let r = h
            .api(
                Method::DELETE,
                &format!("/api/v1/calendar/exceptions/{date}"),
                Some(&admin),
                None,
            )
            .await;
        r.expect(200);
        assert_eq!(r.json()["date"], date);
    }
    let r = h
        .post("/api/v1/calendar/deadline", &clerk, deadline_body())
        .await;
    assert_eq!(r.json()["due_at"], TET_2025_DEADLINE);
    h.api(
        Method::DELETE,
        "/api/v1/calendar/exceptions/2025-02-03",
        Some(&admin),
        None,
    )
    .await
    .expect_error(404, "calendar_exception_not_found");
    assert_eq!(h.audit_count().await, before + 4);

    // The other budgets: hours and minutes; the answer is in Vietnam time whatever came in.
    let r = h
        .post(
            "/api/v1/calendar/deadline",
            &clerk,
            json!({ "from": "2025-03-03T01:30:00Z", "working_hours": 4 }),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({
            "received_at": "2025-03-03T08:30:00+07:00",
            "counted_from": "2025-03-03T08:30:00+07:00",
            "due_at": "2025-03-03T13:30:00+07:00",
        })
    );
    let r = h
        .post(
            "/api/v1/calendar/deadline",
            &clerk,
            json!({ "from": "2025-03-03T17:30:00+07:00", "working_minutes": 30 }),
        )
        .await;
    assert_eq!(r.json()["counted_from"], "2025-03-04T08:00:00+07:00");
    assert_eq!(r.json()["due_at"], "2025-03-04T08:30:00+07:00");
}

async fn only_admins_change_the_calendar(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let before = h.audit_count().await;
    let body = json!({ "date": "2025-02-03", "kind": "day_off", "name": "Nghỉ" });
    // boss.a is an administrator of one branch: the calendar binds the whole ministry, so
    // only an administrator at the root may change it.
    for who in ["clerk.b", "leader.b", "boss.a"] {
        let token = h.token(who).await;
        let before = h.audit_count().await;
        h.post("/api/v1/calendar/exceptions", &token, body.clone())
            .await
            .expect_error(403, "forbidden");
        h.api(
            Method::DELETE,
            "/api/v1/calendar/exceptions/2025-05-02",
            Some(&token),
            None,
        )
        .await
        .expect_error(403, "forbidden");
        assert_eq!(h.audit_count().await, before);
    }
    // Sign-ins are audited; nothing else happened.
    assert_eq!(h.audit_count().await, before + 3);
    let admin = h.token("admin").await;
    let r = h.get("/api/v1/calendar/exceptions?year=2025", &admin).await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(7));
}

async fn bad_input_changes_nothing(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let before = h.audit_count().await;
    let add = |body: Value| {
        let h = &h;
        let admin = admin.clone();
        async move { h.post("/api/v1/calendar/exceptions", &admin, body).await }
    };
    add(json!({ "date": "03/02/2025", "kind": "day_off", "name": "x" }))
        .await
        .expect_error(400, "invalid_date");
    add(json!({ "date": "2025-02-03", "kind": "nghi", "name": "x" }))
        .await
        .expect_error(422, "exception_kind_invalid");
    add(json!({ "date": "2025-02-03", "kind": "day_off", "name": "  " }))
        .await
        .expect_error(422, "field_empty");
    add(json!({ "date": "2025-02-03", "kind": "day_off", "name": "x", "covers": "quoc_khanh" }))
        .await
        .expect_error(422, "exception_covers_invalid");
    add(json!({ "date": "2300-02-03", "kind": "day_off", "name": "x" }))
        .await
        .expect_error(422, "date_out_of_range");
    add(json!({ "date": "2025-02-03", "kind": "day_off", "name": "x", "ly_do": "?" }))
        .await
        .expect_error(400, "invalid_json");
    h.api(
        Method::DELETE,
        "/api/v1/calendar/exceptions/ngay-mai",
        Some(&admin),
        None,
    )
    .await
    .expect_error(400, "invalid_date");

    let deadline = |body: Value| {
        let h = &h;
        let admin = admin.clone();
        async move { h.post("/api/v1/calendar/deadline", &admin, body).await }
    };
    deadline(json!({ "from": "2025-01-24T10:00:00+07:00" }))
        .await
        .expect_error(400, "budget_invalid");
    deadline(json!({ "from": "2025-01-24T10:00:00+07:00", "working_days": 1, "working_hours": 2 }))
        .await
        .expect_error(400, "budget_invalid");
    deadline(json!({ "from": "24/01/2025", "working_days": 1 }))
        .await
        .expect_error(400, "invalid_instant");
    deadline(json!({ "from": "2025-01-24T10:00:00+07:00", "working_days": -1 }))
        .await
        .expect_error(422, "negative_duration");
    deadline(json!({ "from": "2199-12-31T10:00:00+07:00", "working_days": 2 }))
        .await
        .expect_error(422, "date_out_of_range");
    deadline(json!({ "from": "2025-01-24T10:00:00+07:00", "working_days": 1, "unit": "x" }))
        .await
        .expect_error(400, "invalid_json");
    let r = h
        .raw(
            Method::POST,
            "/api/v1/calendar/deadline",
            &admin,
            "text/plain",
            "{}",
        )
        .await;
    r.expect_error(400, "content_type_invalid");
    assert!(!r.message().is_empty());

    assert_eq!(h.audit_count().await, before);
    assert_eq!(
        h.get("/api/v1/calendar/exceptions?year=2025", &admin)
            .await
            .json()["items"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
}

async fn browser_sessions_need_the_csrf_header(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let session = h.web_login("admin", ADMIN_PASSWORD).await;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/calendar/exceptions")
        .header(
            axum::http::header::COOKIE,
            format!("{}={session}", motcua_server::auth::SESSION_COOKIE),
        )
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            json!({ "date": "2025-02-03", "kind": "day_off", "name": "x" }).to_string(),
        ))
        .expect("request");
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "csrf_invalid");
}

// ---------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------

fn session(cookie: &str) -> String {
    format!("{}={cookie}", motcua_server::auth::SESSION_COOKIE)
}

async fn the_page_shows_the_year(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let clerk = session(&h.web_login("clerk.b", PASSWORD).await);
    let r = h
        .page(Method::GET, "/calendar?year=2025", &clerk, None)
        .await;
    r.expect(200);
    assert!(r.is_html());
    let html = r.text();
    for needle in [
        "Lịch làm việc năm 2025",
        "Ất Tỵ",
        "Tháng 1",
        "Tháng 12",
        "<th scope=\"col\">T2</th>",
        "<th scope=\"col\">CN</th>",
        // Tết Ất Tỵ, mùng 1 = Wednesday 29/1/2025: a day off, lunar "1/1".
        "title=\"Thứ Tư, 29/01/2025: Nghỉ Tết Âm lịch Ất Tỵ\"><span class=\"d\">29</span><span class=\"l\">1/1</span>",
        // The worked Saturday.
        "class=\"weekend extra\" title=\"Thứ Bảy, 26/04/2025: Làm bù cho ngày 2/5\"",
        "Nghỉ hoán đổi dịp 30/4 - 1/5",
        "dự kiến",
        "href=\"/calendar\" aria-current=\"page\">Lịch làm việc</a>",
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    // No forms for people who cannot change the calendar.
    assert!(!html.contains("Thêm công bố"));
    assert!(!html.contains("name=\"action\" value=\"remove\""));

    // The default year is the clock's (2026 in Vietnam time); bad years get the error page.
    let r = h.page(Method::GET, "/calendar", &clerk, None).await;
    assert!(r.text().contains("Lịch làm việc năm 2026"));
    let r = h
        .page(Method::GET, "/calendar?year=hai-nghin", &clerk, None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.is_html());
    let r = h
        .page(Method::GET, "/calendar?year=2300", &clerk, None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Posting anyway is refused.
    let csrf = csrf_field(&html);
    let r = h
        .page(
            Method::POST,
            "/calendar",
            &clerk,
            Some(&form(&[
                ("csrf", &csrf),
                ("action", "remove"),
                ("year", "2025"),
                ("date", "2025-05-02"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Not signed in: to the sign-in page.
    let r = h.page(Method::GET, "/calendar?year=2025", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn admins_announce_and_remove_on_the_page(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = session(&h.web_login("admin", ADMIN_PASSWORD).await);
    let html = h
        .page(Method::GET, "/calendar?year=2027", &admin, None)
        .await
        .text();
    assert!(html.contains("Thêm công bố"));
    assert!(html.contains("Năm 2027 chưa có công bố nào."));
    let csrf = csrf_field(&html);
    let before = h.audit_count().await;
    let add = |fields: Vec<(&'static str, String)>| {
        let h = &h;
        let admin = admin.clone();
        let csrf = csrf.clone();
        async move {
            let mut all = vec![
                ("csrf", csrf),
                ("action", "add".to_string()),
                ("year", "2027".to_string()),
            ];
            all.extend(fields);
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            h.page(Method::POST, "/calendar", &admin, Some(&form(&refs)))
                .await
        }
    };

    // A refused form shows the reason on the page and keeps what was typed.
    let r = add(vec![
        ("date", "2027-02-30".into()),
        ("kind", "day_off".into()),
        ("name", "Nghỉ Tết Đinh Mùi".into()),
        ("legal_ref", "".into()),
        ("covers", "tet_nguyen_dan".into()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(page.contains("role=\"alert\""));
    assert!(page.contains("không đúng định dạng"));
    assert!(page.contains("value=\"Nghỉ Tết Đinh Mùi\""));
    assert!(page.contains("value=\"tet_nguyen_dan\" selected"));
    assert_eq!(h.audit_count().await, before);

    // Without the CSRF token: refused.
    let r = h
        .page(
            Method::POST,
            "/calendar",
            &admin,
            Some(&form(&[("action", "remove"), ("date", "2025-05-02")])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Post/redirect/get.
    let r = add(vec![
        ("date", "2027-02-08".into()),
        ("kind", "day_off".into()),
        ("name", "Nghỉ Tết Âm lịch Đinh Mùi".into()),
        ("legal_ref", "Thông báo thử nghiệm".into()),
        ("covers", "tet_nguyen_dan".into()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.location().as_deref(),
        Some("/calendar?year=2027&ok=added")
    );
    let html = h
        .page(Method::GET, "/calendar?year=2027&ok=added", &admin, None)
        .await
        .text();
    assert!(html.contains("Đã thêm công bố"));
    assert!(html.contains("Thêm bởi admin"));
    assert!(html.contains("title=\"Thứ Hai, 08/02/2027: Nghỉ Tết Âm lịch Đinh Mùi\""));
    // The same date again: the conflict is shown on the page.
    let r = add(vec![
        ("date", "2027-02-08".into()),
        ("kind", "working_day".into()),
        ("name", "Làm bù".into()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("đã có công bố"));

    // The API sees the page's change at once.
    let token = h.token("admin").await;
    let year = h.get("/api/v1/calendar/2027", &token).await.json();
    assert!(dates(&year, "days_off").contains(&"2027-02-08".to_string()));

    let r = h
        .page(
            Method::POST,
            "/calendar",
            &admin,
            Some(&form(&[
                ("csrf", &csrf),
                ("action", "remove"),
                ("year", "2027"),
                ("date", "2027-02-08"),
            ])),
        )
        .await;
    assert_eq!(
        r.location().as_deref(),
        Some("/calendar?year=2027&ok=removed")
    );
    // Without an announcement 2027's Tết is the provisional default again (8/2 is mùng 3).
    let year = h.get("/api/v1/calendar/2027", &token).await.json();
    let feb8 = year["days_off"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["date"] == "2027-02-08").cloned());
    assert_eq!(feb8.map(|d| d["provisional"].clone()), Some(json!(true)));
    // Two changes audited (and the API sign-in).
    assert_eq!(h.audit_count().await, before + 3);
}

conformance!(
    the_page_shows_the_year,
    admins_announce_and_remove_on_the_page,
    year_schedule_for_anyone_signed_in,
    deadlines_follow_exceptions_added_through_the_api,
    only_admins_change_the_calendar,
    bad_input_changes_nothing,
    browser_sessions_need_the_csrf_header,
);
