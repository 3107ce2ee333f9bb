//! The server's integration suite: the real router, called in-process, on SQLite and on
//! PostgreSQL (`<test>::sqlite`, `<test>::postgres`). Each test seeds the organisation of
//! `common` (root, branch A and branch B three levels deep, people of every role) and proves
//! one part of the Foundation issue: authentication, scope, roles, bad input, throttling, the
//! cookie flow, passwords, health and the audit API.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use motcua_server::Config;
use motcua_server::auth::{CSRF_HEADER, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use motcua_store::conformance;
use motcua_store::testing::TestDb;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// A path template with `{code}` replaced by `code` (and any other parameter by `X`).
fn fill(path: &str, code: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        out.push_str(if &rest[start + 1..end] == "code" {
            code
        } else {
            "X"
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn strings(v: &[Value], field: &str) -> Vec<String> {
    v.iter()
        .map(|i| i[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Operations anyone may call without credentials. A new route is either here or answers
/// 401 without credentials. The applicant's tracking routes are public by design: they need
/// the dossier's tracking key instead (a wrong key looks like a missing dossier).
const PUBLIC: [(&str, &str); 5] = [
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/public/dossiers/{code}"),
    ("POST", "/api/v1/public/dossiers/{code}/rating"),
];

// ---------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------

async fn every_route_needs_credentials(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let before = h.audit_count().await;
    for (method, path, op) in operations() {
        let uri = fill(&path, A1);
        let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
        assert_eq!(
            !needs_credentials(&op),
            public,
            "{method} {path}: the document's security does not match the public list"
        );
        if public {
            continue;
        }
        let r = h.api(method.clone(), &uri, None, sample_body(&op)).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{method} {uri}: {}",
            r.text()
        );
        assert_eq!(r.code(), "unauthenticated", "{method} {uri}");
        // A token nobody issued is no better.
        let r = h
            .api(method.clone(), &uri, Some("not-a-token"), sample_body(&op))
            .await;
        r.expect_error(401, "session_expired");
        // Nor is a session cookie nobody issued, on reads.
        if method == Method::GET {
            let r = h
                .page(
                    method.clone(),
                    &uri,
                    &format!("{SESSION_COOKIE}=forged"),
                    None,
                )
                .await;
            r.expect_error(401, "session_expired");
        }
    }
    assert_eq!(h.audit_count().await, before, "refused calls wrote nothing");
}

async fn expired_and_revoked_tokens_are_refused(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let r = h.sign_in("leader.a", PASSWORD).await;
    r.expect(200);
    let v = r.json();
    let token = v["token"].as_str().expect("token").to_string();
    // expires_at is in Vietnam time and token_minutes after sign-in.
    let expires_at = v["expires_at"].as_str().expect("expires_at");
    assert!(expires_at.ends_with("+07:00"), "{expires_at}");
    let expires = time::OffsetDateTime::parse(expires_at, &Rfc3339).expect("RFC 3339");
    assert_eq!(
        expires,
        T0 + time::Duration::minutes(h.config.auth.token_minutes)
    );
    h.get("/api/v1/me", &token).await.expect(200);

    // One minute before expiry it still works; one second after, it does not.
    h.clock
        .advance(time::Duration::minutes(h.config.auth.token_minutes - 1));
    let me = h.get("/api/v1/me", &token).await;
    me.expect(200);
    assert_eq!(me.json()["username"], "leader.a");
    h.clock.advance(time::Duration::seconds(61));
    h.get("/api/v1/me", &token)
        .await
        .expect_error(401, "session_expired");
    h.get("/api/v1/units", &token)
        .await
        .expect_error(401, "session_expired");

    // Revoking ends the token at once, and only that token.
    let t1 = h.token("leader.a").await;
    let t2 = h.token("leader.a").await;
    let r = h
        .api(Method::DELETE, "/api/v1/auth/token", Some(&t1), None)
        .await;
    r.expect(204);
    h.get("/api/v1/me", &t1)
        .await
        .expect_error(401, "session_expired");
    h.api(Method::DELETE, "/api/v1/auth/token", Some(&t1), None)
        .await
        .expect_error(401, "session_expired");
    h.get("/api/v1/me", &t2).await.expect(200);

    let admin = h.token("admin").await;
    let log = h
        .get("/api/v1/audit?object_id=leader.a&action=x", &admin)
        .await;
    log.expect_error(400, "invalid_query");
    let log = h.get("/api/v1/audit?object_id=leader.a", &admin).await;
    let actions = strings(&items(&log.expect(200).json()), "action");
    assert_eq!(
        actions,
        vec![
            "auth.logout",
            "auth.login",
            "auth.login",
            "auth.login",
            "user.create"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Scope: out of scope looks absent, on every route
// ---------------------------------------------------------------------------------------

/// Branch B's units as the administrator sees them.
async fn snapshot_b(h: &Harness, admin: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for code in B_CODES {
        out.push(h.get(&format!("/api/v1/units/{code}"), admin).await.json());
    }
    out
}

async fn out_of_scope_is_absent_on_every_route(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    // Leave traces of branch B in the log: a sign-in and a change.
    let leader_b = h.token("leader.b").await;
    h.get("/api/v1/me", &leader_b).await.expect(200);
    let b1 = h.get(&format!("/api/v1/units/{B1}"), &admin).await.json();
    h.patch(
        &format!("/api/v1/units/{B1}"),
        &admin,
        json!({ "version": b1["version"], "short_name": "CCB" }),
    )
    .await
    .expect(200);
    let b_before = snapshot_b(&h, &admin).await;

    let boss = h.token("boss.a").await; // leader + admin of branch A
    let leader = h.token("leader.a").await;
    let inspector_a = h.token("inspector.a").await;
    let units_before = h.unit_count().await;
    let audit_before = h.audit_count().await;

    // The explicit cases.
    for code in B_CODES {
        for token in [&boss, &leader, &inspector_a] {
            h.get(&format!("/api/v1/units/{code}"), token)
                .await
                .expect_error(404, "unit_not_found");
            h.get(&format!("/api/v1/units/{code}/children"), token)
                .await
                .expect_error(404, "unit_not_found");
        }
        h.patch(
            &format!("/api/v1/units/{code}"),
            &boss,
            json!({ "version": 1, "name": "Chiếm quyền" }),
        )
        .await
        .expect_error(404, "unit_not_found");
        h.patch(
            &format!("/api/v1/units/{code}"),
            &boss,
            json!({ "version": 2, "active": false }),
        )
        .await
        .expect_error(404, "unit_not_found");
        // Nothing may be created under B, nor anyone attached to it.
        h.post(
            "/api/v1/units",
            &boss,
            json!({ "code": "000.09.09.Z09", "name": "Đơn vị lạ", "level": 4, "parent_code": code }),
        )
        .await
        .expect_error(422, "unit_parent_missing");
        h.post(
            "/api/v1/users",
            &boss,
            json!({ "username": "ke.gian", "full_name": "Kẻ Gian", "unit_code": code,
                    "roles": ["clerk"], "password": "mat-khau-dai" }),
        )
        .await
        .expect_error(422, "unit_not_found");
    }
    // No way up either: nobody can be attached above branch A (a ministry-wide admin).
    h.post(
        "/api/v1/users",
        &boss,
        json!({ "username": "sieu.quyen", "full_name": "Siêu Quyền", "unit_code": ROOT,
                "roles": ["admin", "inspector"], "password": "mat-khau-dai" }),
    )
    .await
    .expect_error(422, "unit_not_found");
    // Nor may A's units be moved into B, nor B's units be used as a parent by code case tricks.
    let a2 = h.get(&format!("/api/v1/units/{A2}"), &boss).await.json();
    h.patch(
        &format!("/api/v1/units/{A2}"),
        &boss,
        json!({ "version": a2["version"], "parent_code": B1.to_lowercase() }),
    )
    .await
    .expect_error(422, "unit_parent_missing");
    // The root is above branch A, so it is out of scope too.
    h.get(&format!("/api/v1/units/{ROOT}"), &boss)
        .await
        .expect_error(404, "unit_not_found");
    h.post(
        "/api/v1/units",
        &boss,
        json!({ "code": "000.09.09.Z08", "name": "Cục mới", "level": 1, "parent_code": ROOT }),
    )
    .await
    .expect_error(422, "unit_parent_missing");
    h.post(
        "/api/v1/units",
        &boss,
        json!({ "code": "000.09.09.Z07", "name": "Bộ thứ hai", "level": 0 }),
    )
    .await
    .expect(403);

    // Every documented route with a {code}: a B code never answers success. The public
    // tracking routes have no scope (they need the dossier's key; without it they answer like
    // a missing dossier, and they are rate-limited): dossiers_api.rs checks them.
    for (method, path, op) in operations() {
        if !path.contains("{code}") || PUBLIC.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        for code in B_CODES
            .iter()
            .map(|c| c.to_string())
            .chain([B1.to_lowercase()])
        {
            let uri = fill(&path, &code);
            for token in [&boss, &leader, &inspector_a] {
                let r = h
                    .api(method.clone(), &uri, Some(token), sample_body(&op))
                    .await;
                assert!(
                    matches!(r.status.as_u16(), 403 | 404),
                    "{method} {uri} answered {}: {}",
                    r.status,
                    r.text()
                );
                // The answer is the same as for a code that does not exist at all.
                if r.status == StatusCode::NOT_FOUND {
                    let ghost = h
                        .api(
                            method.clone(),
                            &fill(&path, "999.99.99.Z99"),
                            Some(token),
                            sample_body(&op),
                        )
                        .await;
                    assert_eq!(
                        (ghost.status, ghost.json()),
                        (r.status, r.json()),
                        "{method} {uri} differs from a missing unit"
                    );
                }
            }
        }
    }

    // Every documented read without parameters: nothing of branch B shows through.
    let secrets: Vec<String> = B_CODES
        .iter()
        .map(|c| c.to_string())
        .chain(B_PEOPLE.iter().map(|p| format!("\"{p}\"")))
        .chain(B_PEOPLE.iter().map(|p| format!("anonymous:{p}")))
        .collect();
    for (method, path, _) in operations() {
        if method != Method::GET || path.contains('{') || path.ends_with("openapi.json") {
            continue;
        }
        for (who, token) in [
            ("boss.a", &boss),
            ("leader.a", &leader),
            ("inspector.a", &inspector_a),
        ] {
            for query in ["", "?limit=500"] {
                let r = h.get(&format!("{path}{query}"), token).await;
                let text = r.text();
                for s in &secrets {
                    assert!(
                        !text.contains(s.as_str()),
                        "GET {path}{query} as {who} shows {s}: {text}"
                    );
                }
            }
        }
        // The check has teeth: someone who sees everything does see branch B.
        if path == "/api/v1/units" || path == "/api/v1/audit" || path == "/api/v1/users" {
            let text = h.get(&format!("{path}?limit=500"), &admin).await.text();
            assert!(
                text.contains(B1) || text.contains("leader.b"),
                "{path}: {text}"
            );
        }
    }

    // Lists hold exactly branch A.
    let units = h.get("/api/v1/units?limit=500", &leader).await.json();
    assert_eq!(strings(&items(&units), "code"), vec![A1, A2, A3]);
    let users = h.get("/api/v1/users?limit=500", &boss).await.json();
    let mut usernames = strings(&items(&users), "username");
    usernames.sort();
    assert_eq!(
        usernames,
        vec![
            "boss.a",
            "clerk.a",
            "inspector.a",
            "leader.a",
            "receiver.a",
            "specialist.a"
        ]
    );
    let users_b = h
        .get(&format!("/api/v1/users?unit={B1}"), &boss)
        .await
        .json();
    assert!(items(&users_b).is_empty(), "{users_b}");
    let children = h
        .get(&format!("/api/v1/units/{A1}/children"), &leader)
        .await
        .json();
    assert_eq!(
        strings(children.as_array().expect("list"), "code"),
        vec![A2]
    );
    // The audit log of an inspector of A: only A's entries, even when asking for B's.
    for query in [
        "?limit=500".to_string(),
        format!("?object_id={B1}"),
        "?actor=leader.b".to_string(),
        "?object_id=leader.b".to_string(),
    ] {
        let log = h.get(&format!("/api/v1/audit{query}"), &inspector_a).await;
        let entries = items(&log.expect(200).json());
        for e in &entries {
            let id = e["object_id"].as_str().unwrap_or_default();
            assert!(
                [A1, A2, A3].contains(&id)
                    || PEOPLE
                        .iter()
                        .any(|(u, _, unit, _)| *u == id && [A1, A2, A3].contains(unit)),
                "inspector.a sees {e}"
            );
        }
        if query != "?limit=500" {
            assert!(entries.is_empty(), "{query}: {entries:?}");
        }
    }
    let all = h.get("/api/v1/audit?actor=leader.b", &admin).await.json();
    assert!(!items(&all).is_empty(), "the global view sees leader.b");

    // Nothing changed anywhere.
    assert_eq!(h.unit_count().await, units_before);
    assert_eq!(h.audit_count().await, audit_before);
    assert_eq!(snapshot_b(&h, &admin).await, b_before);
    let a2_after = h.get(&format!("/api/v1/units/{A2}"), &admin).await.json();
    assert_eq!(a2_after, a2);
}

async fn scoped_admin_works_inside_scope(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let boss = h.token("boss.a").await;
    let created = h
        .post(
            "/api/v1/units",
            &boss,
            json!({ "code": "000.01.03.a04", "name": "  Ban  Quân   nhu ", "level": 3, "parent_code": A2 }),
        )
        .await;
    created.expect(201);
    let unit = created.json();
    assert_eq!(unit["code"], "000.01.03.A04");
    assert_eq!(unit["name"], "Ban Quân nhu");
    assert_eq!(unit["parent_code"], A2);
    assert_eq!(unit["version"], 1);
    assert_eq!(unit["depth"], 3);
    let user = h
        .post(
            "/api/v1/users",
            &boss,
            json!({ "username": "Moi.A", "full_name": "Người Mới", "unit_code": "000.01.03.a04",
                    "roles": ["receiver", "clerk"], "password": "mat-khau-moi" }),
        )
        .await;
    user.expect(201);
    assert_eq!(user.json()["username"], "moi.a");
    assert_eq!(user.json()["unit_code"], "000.01.03.A04");
    // The new person signs in and acts within the new unit only.
    let moi = h.sign_in("moi.a", "mat-khau-moi").await;
    let moi = moi.expect(200).json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let units = h.get("/api/v1/units", &moi).await.json();
    assert_eq!(strings(&items(&units), "code"), vec!["000.01.03.A04"]);
    h.get(&format!("/api/v1/units/{A2}"), &moi)
        .await
        .expect_error(404, "unit_not_found");
    // The inspector of A sees the writes in the log, with the chain intact.
    let inspector_a = h.token("inspector.a").await;
    let log = h
        .get("/api/v1/audit?actor=boss.a", &inspector_a)
        .await
        .json();
    assert_eq!(
        strings(&items(&log), "action"),
        vec!["user.create", "unit.create", "auth.login"]
    );
    h.audit_count().await;
}

// ---------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------

async fn missing_roles_are_forbidden(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let mut tokens = std::collections::HashMap::new();
    for who in [
        "specialist.a",
        "receiver.a",
        "clerk.a",
        "leader.a",
        "inspector",
        "reform",
        "inspector.a",
    ] {
        tokens.insert(who, h.token(who).await);
    }
    let units_before = h.unit_count().await;
    let audit_before = h.audit_count().await;
    let new_unit =
        json!({ "code": "000.01.09.A09", "name": "Đơn vị thử", "level": 2, "parent_code": A1 });
    let new_user = json!({ "username": "thu.a", "full_name": "Người Thử", "unit_code": A1,
                           "roles": ["clerk"], "password": "mat-khau-thu" });
    for who in [
        "specialist.a",
        "receiver.a",
        "clerk.a",
        "leader.a",
        "inspector",
        "reform",
        "inspector.a",
    ] {
        let t = &tokens[who];
        h.post("/api/v1/units", t, new_unit.clone())
            .await
            .expect_error(403, "forbidden");
        h.post("/api/v1/users", t, new_user.clone())
            .await
            .expect_error(403, "forbidden");
        h.patch(
            &format!("/api/v1/units/{A2}"),
            t,
            json!({ "version": 1, "name": "Đổi tên" }),
        )
        .await
        .expect_error(403, "forbidden");
    }
    for who in [
        "specialist.a",
        "receiver.a",
        "clerk.a",
        "leader.a",
        "reform",
    ] {
        h.get("/api/v1/audit", &tokens[who])
            .await
            .expect_error(403, "forbidden");
    }
    for who in ["specialist.a", "receiver.a", "clerk.a"] {
        h.get("/api/v1/users", &tokens[who])
            .await
            .expect_error(403, "forbidden");
        // Everyone may read the units of their scope and themselves.
        h.get("/api/v1/units", &tokens[who]).await.expect(200);
        h.get("/api/v1/me", &tokens[who]).await.expect(200);
    }
    for who in ["leader.a", "inspector", "reform", "inspector.a"] {
        h.get("/api/v1/users", &tokens[who]).await.expect(200);
    }
    for who in ["inspector", "inspector.a"] {
        h.get("/api/v1/audit", &tokens[who]).await.expect(200);
    }
    // Ministry-wide roles at the root see everything; a leader at the root would not.
    let all = h
        .get("/api/v1/units?limit=500", &tokens["reform"])
        .await
        .json();
    assert_eq!(items(&all).len(), 7);
    assert_eq!(h.unit_count().await, units_before);
    assert_eq!(h.audit_count().await, audit_before);
}

// ---------------------------------------------------------------------------------------
// Bad input: a clear error and no change
// ---------------------------------------------------------------------------------------

async fn bad_input_changes_nothing(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let a1_before = h.get(&format!("/api/v1/units/{A1}"), &admin).await.json();
    let a2_before = h.get(&format!("/api/v1/units/{A2}"), &admin).await.json();
    let users_before = h.get("/api/v1/users?limit=500", &admin).await.json();
    let units_before = h.unit_count().await;
    let audit_before = h.audit_count().await;
    let version = a2_before["version"].clone();

    // Malformed JSON, unknown fields, wrong types, wrong content type.
    let r = h
        .raw(
            Method::POST,
            "/api/v1/units",
            &admin,
            "application/json",
            "{\"code\": \"X\", ",
        )
        .await;
    r.expect_error(400, "invalid_json");
    assert!(
        r.message().starts_with("Dữ liệu JSON không hợp lệ"),
        "{}",
        r.message()
    );
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Thừa trường", "level": 2, "parent_code": A1, "colour": "đỏ" }),
    )
    .await
    .expect_error(400, "invalid_json");
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Sai kiểu", "level": "hai", "parent_code": A1 }),
    )
    .await
    .expect_error(400, "invalid_json");
    let r = h
        .patch(
            &format!("/api/v1/units/{A2}"),
            &admin,
            json!({ "version": version, "nmae": "Gõ nhầm" }),
        )
        .await;
    r.expect_error(400, "invalid_json");
    // Named in Vietnamese; the parser's English text only in the details.
    assert!(
        r.message().contains("không có trường \"nmae\""),
        "{}",
        r.message()
    );
    assert!(!r.message().contains("unknown field"), "{}", r.message());
    assert_eq!(r.json()["error"]["details"]["field"], "nmae");
    let valid = json!({ "code": "000.01.09.A09", "name": "Đúng", "level": 2, "parent_code": A1 });
    h.raw(
        Method::POST,
        "/api/v1/units",
        &admin,
        "text/plain",
        valid.to_string(),
    )
    .await
    .expect_error(400, "content_type_invalid");
    h.raw(
        Method::POST,
        "/api/v1/units",
        &admin,
        "application/x-www-form-urlencoded",
        "code=000.01.09.A09&name=X&level=2",
    )
    .await
    .expect_error(400, "content_type_invalid");
    h.get("/api/v1/units?limit=nhiều", &admin)
        .await
        .expect_error(400, "invalid_query");
    h.get("/api/v1/units?colour=red", &admin)
        .await
        .expect_error(400, "invalid_query");

    // Names: empty, blank, over-long.
    let long = "Ư".repeat(256);
    for (name, code) in [
        ("", "field_empty"),
        ("   \t ", "field_empty"),
        (long.as_str(), "field_too_long"),
    ] {
        h.post(
            "/api/v1/units",
            &admin,
            json!({ "code": "000.01.09.A09", "name": name, "level": 2, "parent_code": A1 }),
        )
        .await
        .expect_error(422, code);
        h.patch(
            &format!("/api/v1/units/{A2}"),
            &admin,
            json!({ "version": version, "name": name }),
        )
        .await
        .expect_error(422, code);
        h.post(
            "/api/v1/users",
            &admin,
            json!({ "username": "ten.rong", "full_name": name, "unit_code": A1, "roles": ["clerk"], "password": "mat-khau-dai" }),
        )
        .await
        .expect_error(422, code);
    }
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Tên", "short_name": "V".repeat(65), "level": 2, "parent_code": A1 }),
    )
    .await
    .expect_error(422, "field_too_long");
    // Codes: taken (in any letter case), empty, invalid; levels.
    for code in [A3.to_string(), A3.to_lowercase(), format!("  {B2} ")] {
        h.post(
            "/api/v1/units",
            &admin,
            json!({ "code": code, "name": "Trùng mã", "level": 2, "parent_code": A1 }),
        )
        .await
        .expect_error(409, "unit_code_taken");
    }
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": " ", "name": "Không mã", "level": 2, "parent_code": A1 }),
    )
    .await
    .expect_error(422, "unit_code_empty");
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "Mã có dấu", "name": "Mã sai", "level": 2, "parent_code": A1 }),
    )
    .await
    .expect_error(422, "unit_code_invalid");
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Cấp sai", "level": 1, "parent_code": A1 }),
    )
    .await
    .expect_error(422, "unit_level_invalid");
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Cha không có", "level": 2, "parent_code": "999.99.99.Z99" }),
    )
    .await
    .expect_error(422, "unit_parent_missing");
    h.post(
        "/api/v1/units",
        &admin,
        json!({ "code": "000.01.09.A09", "name": "Bộ thứ hai", "level": 0 }),
    )
    .await
    .expect_error(422, "unit_root_exists");

    // Moves: under itself, under a descendant, the root; versions.
    let a1_version = a1_before["version"].clone();
    for target in [A1, A2, A3] {
        h.patch(
            &format!("/api/v1/units/{A1}"),
            &admin,
            json!({ "version": a1_version, "parent_code": target }),
        )
        .await
        .expect_error(422, "unit_move_into_descendant");
    }
    let root = h.get(&format!("/api/v1/units/{ROOT}"), &admin).await.json();
    h.patch(
        &format!("/api/v1/units/{ROOT}"),
        &admin,
        json!({ "version": root["version"], "parent_code": A1 }),
    )
    .await
    .expect_error(422, "unit_root_move");
    h.patch(
        &format!("/api/v1/units/{A2}"),
        &admin,
        json!({ "version": 99, "name": "Phiên bản cũ" }),
    )
    .await
    .expect_error(409, "version_conflict");
    h.patch(
        &format!("/api/v1/units/{A2}"),
        &admin,
        json!({ "version": version }),
    )
    .await
    .expect_error(422, "change_empty");
    h.patch(
        "/api/v1/units/999.99.99.Z99",
        &admin,
        json!({ "version": 1, "name": "Không có" }),
    )
    .await
    .expect_error(404, "unit_not_found");

    // People: missing unit, unknown role, no role, taken name, short password, bad username.
    let person = |unit: &str, roles: Value, username: &str, password: &str| json!({ "username": username, "full_name": "Người Thử", "unit_code": unit, "roles": roles, "password": password });
    let cases = [
        (
            person(
                "999.99.99.Z99",
                json!(["clerk"]),
                "nguoi.thu",
                "mat-khau-dai",
            ),
            422,
            "unit_not_found",
        ),
        (
            person(A1, json!(["clerk", "boss"]), "nguoi.thu", "mat-khau-dai"),
            422,
            "role_unknown",
        ),
        (
            person(A1, json!([]), "nguoi.thu", "mat-khau-dai"),
            422,
            "role_missing",
        ),
        (
            person(A1, json!(["clerk"]), "Leader.A", "mat-khau-dai"),
            409,
            "username_taken",
        ),
        (
            person(A1, json!(["clerk"]), "nguoi.thu", "ngan"),
            422,
            "password_too_short",
        ),
        (
            person(A1, json!(["clerk"]), "người thử", "mat-khau-dai"),
            422,
            "username_invalid",
        ),
    ];
    for (body, status, code) in cases {
        h.post("/api/v1/users", &admin, body)
            .await
            .expect_error(status, code);
    }

    // Nothing changed.
    assert_eq!(h.unit_count().await, units_before);
    assert_eq!(h.audit_count().await, audit_before);
    assert_eq!(
        h.get(&format!("/api/v1/units/{A1}"), &admin).await.json(),
        a1_before
    );
    assert_eq!(
        h.get(&format!("/api/v1/units/{A2}"), &admin).await.json(),
        a2_before
    );
    assert_eq!(
        h.get("/api/v1/users?limit=500", &admin).await.json(),
        users_before
    );
    h.get("/api/v1/units/000.01.09.A09", &admin)
        .await
        .expect_error(404, "unit_not_found");

    // A good change goes through once; replaying it is a version conflict.
    let change = json!({ "version": version, "name": "Phòng Điều trị và Phục hồi" });
    let r = h
        .patch(&format!("/api/v1/units/{A2}"), &admin, change.clone())
        .await;
    r.expect(200);
    assert_eq!(
        r.json()["version"],
        version.as_i64().unwrap_or_default() + 1
    );
    h.patch(&format!("/api/v1/units/{A2}"), &admin, change)
        .await
        .expect_error(409, "version_conflict");
    assert_eq!(h.audit_count().await, audit_before + 1);

    // A wrong password is refused and audited (and nothing else is written).
    h.sign_in("admin", "sai-mat-khau")
        .await
        .expect_error(401, "invalid_credentials");
    h.sign_in("khong.co.ai", "sai-mat-khau")
        .await
        .expect_error(401, "invalid_credentials");
    assert_eq!(h.audit_count().await, audit_before + 3);
    let log = h.get("/api/v1/audit?limit=2", &admin).await.json();
    assert_eq!(
        strings(&items(&log), "action"),
        vec!["auth.login_failed", "auth.login_failed"]
    );
    assert_eq!(
        strings(&items(&log), "actor"),
        vec!["anonymous:khong.co.ai", "anonymous:admin"]
    );
}

async fn bodies_over_the_limit_are_refused(db: &TestDb) {
    let config = Config {
        limits: motcua_server::config::LimitsConfig {
            max_body_bytes: 512,
            ..Default::default()
        },
        ..Config::default()
    };
    let h = Harness::with_config(&db.store, config).await;
    let admin = h.token("admin").await;
    let units_before = h.unit_count().await;
    let audit_before = h.audit_count().await;
    let big =
        json!({ "code": "000.01.09.A09", "name": "Đ".repeat(300), "level": 2, "parent_code": A1 });
    assert!(big.to_string().len() > 512);
    let r = h.post("/api/v1/units", &admin, big).await;
    r.expect_error(413, "body_too_large");
    h.api(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({ "username": "admin", "password": "x".repeat(600) })),
    )
    .await
    .expect_error(413, "body_too_large");
    // Just under the limit is fine.
    let small =
        json!({ "code": "000.01.09.A09", "name": "Đ".repeat(100), "level": 2, "parent_code": A1 });
    assert!(small.to_string().len() < 512);
    h.post("/api/v1/units", &admin, small).await.expect(201);
    assert_eq!(h.unit_count().await, units_before + 1);
    // Forms too: the friendly page, nothing created.
    let session = h.web_login("admin", ADMIN_PASSWORD).await;
    let cookies = format!("{SESSION_COOKIE}={session}");
    let home = h.page(Method::GET, "/", &cookies, None).await;
    let csrf = csrf_field(&home.text());
    let body = form(&[
        ("csrf", &csrf),
        ("code", "000.01.09.A10"),
        ("name", &"Đ".repeat(300)),
        ("level", "2"),
        ("parent_code", A1),
    ]);
    let r = h.page(Method::POST, "/units", &cookies, Some(&body)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert!(r.is_html() && r.text().contains("Dữ liệu gửi lên quá lớn"));
    assert_eq!(h.unit_count().await, units_before + 1);
    // One unit.create and one web sign-in.
    assert_eq!(h.audit_count().await, audit_before + 2);
}

// ---------------------------------------------------------------------------------------
// Sign-in throttling
// ---------------------------------------------------------------------------------------

async fn sign_in_is_throttled(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    for _ in 0..5 {
        h.sign_in("specialist.a", "doan-bua-bai")
            .await
            .expect_error(401, "invalid_credentials");
    }
    // The sixth try is refused even with the right password, in Vietnamese, with Retry-After.
    let r = h.sign_in("specialist.a", PASSWORD).await;
    r.expect_error(429, "too_many_attempts");
    let message = r.message();
    assert!(
        message.contains("đăng nhập sai 5 lần") && message.contains("Vui lòng chờ 15 phút"),
        "{message}"
    );
    assert!(r.headers.contains_key("retry-after"));
    // The login page says the same and opens no session; the name is matched case-blind.
    let login = h.page(Method::GET, "/login", "", None).await;
    let csrf = login.cookie_value(LOGIN_CSRF_COOKIE).expect("csrf cookie");
    let r = h
        .page(
            Method::POST,
            "/login",
            &format!("{LOGIN_CSRF_COOKIE}={csrf}"),
            Some(&form(&[
                ("csrf", &csrf),
                ("username", " Specialist.A "),
                ("password", PASSWORD),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.text().contains("Vui lòng chờ 15 phút"));
    assert!(r.set_cookie(SESSION_COOKIE).is_none());
    // Other people are not affected.
    h.token("receiver.a").await;

    // Still refused just before the window passes; allowed after.
    h.clock.advance(time::Duration::minutes(14));
    h.sign_in("specialist.a", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    h.clock
        .advance(time::Duration::minutes(1) + time::Duration::seconds(1));
    let token = h.token("specialist.a").await;
    h.get("/api/v1/me", &token).await.expect(200);

    // Every try is in the log: 5 wrong passwords, 3 refusals, then the sign-in.
    let log = h
        .get("/api/v1/audit?object_id=specialist.a", &admin)
        .await
        .json();
    let entries = items(&log);
    let actions = strings(&entries, "action");
    let mut expected = vec!["auth.login"];
    expected.extend(["auth.login_failed"; 8]);
    expected.push("user.create");
    assert_eq!(actions, expected);
    let reasons: Vec<String> = entries[1..9]
        .iter()
        .map(|e| {
            e["summary"]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut expected = vec!["throttled"; 3];
    expected.extend(["wrong_password"; 5]);
    assert_eq!(reasons, expected);
    assert!(
        entries[1..9]
            .iter()
            .all(|e| e["actor"] == "anonymous:specialist.a")
    );
}

// ---------------------------------------------------------------------------------------
// The web flow with cookies and CSRF
// ---------------------------------------------------------------------------------------

async fn web_flow_with_cookies(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let audit_start = h.audit_count().await;
    // The login page sets its CSRF cookie and puts the same token in the form.
    let login = h.page(Method::GET, "/login", "", None).await;
    login.expect(200);
    assert!(login.is_html());
    let line = login
        .set_cookie(LOGIN_CSRF_COOKIE)
        .expect("login csrf cookie");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
    assert!(!line.contains("Secure"), "{line}");
    let login_csrf = login.cookie_value(LOGIN_CSRF_COOKIE).expect("value");
    assert_eq!(csrf_field(&login.text()), login_csrf);
    let login_cookie = format!("{LOGIN_CSRF_COOKIE}={login_csrf}");

    // Without the csrf field, or with another one: 403 page, no session.
    for fields in [
        vec![("username", "boss.a"), ("password", PASSWORD)],
        vec![
            ("csrf", "deadbeef"),
            ("username", "boss.a"),
            ("password", PASSWORD),
        ],
    ] {
        let r = h
            .page(Method::POST, "/login", &login_cookie, Some(&form(&fields)))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.is_html());
        assert!(r.set_cookie(SESSION_COOKIE).is_none());
    }
    // The form's token without the cookie is refused too.
    let r = h
        .page(
            Method::POST,
            "/login",
            "",
            Some(&form(&[
                ("csrf", &login_csrf),
                ("username", "boss.a"),
                ("password", PASSWORD),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.audit_count().await,
        audit_start,
        "refused forms sign nobody in"
    );

    // A wrong password shows the page again with the message.
    let r = h
        .page(
            Method::POST,
            "/login",
            &login_cookie,
            Some(&form(&[
                ("csrf", &login_csrf),
                ("username", "boss.a"),
                ("password", "sai"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    assert!(r.set_cookie(SESSION_COOKIE).is_none());

    // With it: 303 and a hardened session cookie; an off-site `next` is ignored.
    let r = h
        .page(
            Method::POST,
            "/login",
            &login_cookie,
            Some(&form(&[
                ("csrf", &login_csrf),
                ("username", "boss.a"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location().as_deref(), Some("/"));
    let line = r.set_cookie(SESSION_COOKIE).expect("session cookie");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
    assert!(!line.contains("Secure"), "{line}");
    let session = r.cookie_value(SESSION_COOKIE).expect("value");
    let cookies = format!("{SESSION_COOKIE}={session}");

    // The home page greets the person; without the cookie it sends to sign-in.
    let home = h.page(Method::GET, "/", &cookies, None).await;
    home.expect(200);
    assert!(home.text().contains("Nguyễn Văn An"), "{}", home.text());
    let csrf = csrf_field(&home.text());
    let r = h.page(Method::GET, "/", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location().as_deref(), Some("/login?next=/"));
    for path in [
        "/units",
        &format!("/units/{A2}"),
        "/users",
        "/audit",
        "/password",
    ] {
        h.page(Method::GET, path, &cookies, None).await.expect(200);
    }
    // Branch B is absent from the pages too.
    let r = h
        .page(Method::GET, &format!("/units/{B1}"), &cookies, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for path in [
        "/units",
        "/users",
        "/audit",
        &format!("/units?q={}", enc("Cục")),
    ] {
        let text = h.page(Method::GET, path, &cookies, None).await.text();
        assert!(
            !text.contains(B1) && !text.contains("leader.b"),
            "{path}: {text}"
        );
    }

    // A form posted without CSRF: 403, nothing created.
    let units_before = h.unit_count().await;
    let audit_before = h.audit_count().await;
    let new_unit = [
        ("code", "000.01.05.A05"),
        ("name", "Ban Dược"),
        ("level", "2"),
        ("parent_code", A1),
    ];
    let r = h
        .page(Method::POST, "/units", &cookies, Some(&form(&new_unit)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.is_html() && r.text().contains("csrf_invalid"));
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(new_unit);
    let mut wrong_csrf = with_csrf.clone();
    wrong_csrf[0].1 = "0123456789abcdef0123456789abcdef";
    let r = h
        .page(Method::POST, "/units", &cookies, Some(&form(&wrong_csrf)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(h.unit_count().await, units_before);
    assert_eq!(h.audit_count().await, audit_before);

    // Posted twice: one unit, and a friendly page the second time.
    let r = h
        .page(Method::POST, "/units", &cookies, Some(&form(&with_csrf)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        r.location().as_deref(),
        Some("/units/000.01.05.A05?ok=created")
    );
    let r = h
        .page(Method::POST, "/units", &cookies, Some(&form(&with_csrf)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.is_html());
    assert!(r.text().contains("đã được dùng"), "{}", r.text());
    assert_eq!(h.unit_count().await, units_before + 1);
    assert_eq!(h.audit_count().await, audit_before + 1);
    let page = h
        .page(
            Method::GET,
            "/units/000.01.05.A05?ok=created",
            &cookies,
            None,
        )
        .await;
    assert!(page.text().contains("Đã thêm đơn vị."));
    // A page form aimed at branch B fails like a missing unit.
    let mut into_b = with_csrf.clone();
    into_b[1].1 = "000.01.06.A06";
    into_b[4].1 = B1;
    let r = h
        .page(Method::POST, "/units", &cookies, Some(&form(&into_b)))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let unit_b = h
        .page(
            Method::POST,
            &format!("/units/{B1}"),
            &cookies,
            Some(&form(&[
                ("csrf", &csrf),
                ("action", "deactivate"),
                ("version", "1"),
            ])),
        )
        .await;
    assert_eq!(unit_b.status, StatusCode::NOT_FOUND, "{}", unit_b.text());
    assert_eq!(h.unit_count().await, units_before + 1);
    assert_eq!(h.audit_count().await, audit_before + 1);

    // The API with the cookie: reads work, writes need X-CSRF-Token.
    let me = h.page(Method::GET, "/api/v1/me", &cookies, None).await;
    assert_eq!(me.json()["username"], "boss.a");
    let body =
        json!({ "code": "000.01.07.A07", "name": "Ban Kỹ thuật", "level": 2, "parent_code": A1 });
    let api_post = |csrf_header: Option<String>| {
        let mut b = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/units")
            .header("cookie", cookies.clone())
            .header("content-type", "application/json");
        if let Some(v) = csrf_header {
            b = b.header(CSRF_HEADER, v);
        }
        b.body(axum::body::Body::from(body.to_string()))
            .expect("request")
    };
    h.send(api_post(None))
        .await
        .expect_error(403, "csrf_invalid");
    h.send(api_post(Some("f".repeat(32))))
        .await
        .expect_error(403, "csrf_invalid");
    assert_eq!(h.unit_count().await, units_before + 1);
    h.send(api_post(Some(csrf.clone()))).await.expect(201);
    assert_eq!(h.unit_count().await, units_before + 2);

    // Logout needs the form token, ends the session, and clears the cookie.
    let r = h.page(Method::POST, "/logout", &cookies, Some("")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    h.page(Method::GET, "/", &cookies, None).await.expect(200);
    let r = h
        .page(
            Method::POST,
            "/logout",
            &cookies,
            Some(&form(&[("csrf", &csrf)])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location().as_deref(), Some("/login"));
    let cleared = r.set_cookie(SESSION_COOKIE).expect("cleared cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let r = h.page(Method::GET, "/", &cookies, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().unwrap_or_default().starts_with("/login"));
    h.page(Method::GET, "/api/v1/me", &cookies, None)
        .await
        .expect_error(401, "session_expired");

    // A web session ends on its own after `auth.session_minutes`.
    let session = h.web_login("boss.a", PASSWORD).await;
    let cookies = format!("{SESSION_COOKIE}={session}");
    h.clock
        .advance(time::Duration::minutes(h.config.auth.session_minutes - 1));
    h.page(Method::GET, "/", &cookies, None).await.expect(200);
    h.clock.advance(time::Duration::seconds(61));
    let r = h.page(Method::GET, "/units", &cookies, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location().as_deref(), Some("/login?next=/units"));
    h.page(Method::GET, "/api/v1/me", &cookies, None)
        .await
        .expect_error(401, "session_expired");

    // The session cookie is not an API token, nor the reverse.
    let token = h.token("boss.a").await;
    h.page(
        Method::GET,
        "/api/v1/me",
        &format!("{SESSION_COOKIE}={token}"),
        None,
    )
    .await
    .expect_error(401, "session_expired");
    let r = h
        .page(Method::GET, "/", &format!("{SESSION_COOKIE}={token}"), None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let admin = h.token("admin").await;
    let log = h.get("/api/v1/audit?actor=boss.a", &admin).await.json();
    assert_eq!(
        strings(&items(&log), "action"),
        vec![
            "auth.login",
            "auth.login",
            "auth.logout",
            "unit.create",
            "unit.create",
            "auth.login"
        ]
    );
}

async fn user_form_posted_twice(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let session = h.web_login("boss.a", PASSWORD).await;
    let cookies = format!("{SESSION_COOKIE}={session}");
    let page = h.page(Method::GET, "/users", &cookies, None).await;
    page.expect(200);
    let csrf = csrf_field(&page.text());
    let fields = [
        ("username", "tiep.nhan2"),
        ("full_name", "Lý Thị Tiếp"),
        ("unit_code", A3),
        ("roles", "receiver"),
        ("roles", "clerk"),
        ("password", "mat-khau-ban-dau"),
    ];
    let audit_before = h.audit_count().await;
    let r = h
        .page(Method::POST, "/users", &cookies, Some(&form(&fields)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let mut with_csrf = vec![("csrf", csrf.as_str())];
    with_csrf.extend(fields);
    let r = h
        .page(Method::POST, "/users", &cookies, Some(&form(&with_csrf)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location().as_deref(), Some("/users?ok=user_created"));
    let r = h
        .page(Method::POST, "/users", &cookies, Some(&form(&with_csrf)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("đã có người dùng"), "{}", r.text());
    // A person for branch B is refused like a missing unit.
    let mut into_b = with_csrf.clone();
    into_b[1].1 = "nguoi.b";
    into_b[3].1 = B2;
    let r = h
        .page(Method::POST, "/users", &cookies, Some(&form(&into_b)))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("Không tìm thấy đơn vị"), "{}", r.text());
    assert_eq!(h.audit_count().await, audit_before + 1);
    let admin = h.token("admin").await;
    let user = h
        .get("/api/v1/users?unit=000.01.02.a03", &admin)
        .await
        .json();
    let created: Vec<Value> = items(&user)
        .into_iter()
        .filter(|u| u["username"] == "tiep.nhan2")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["roles"], json!(["receiver", "clerk"]));
    h.sign_in("tiep.nhan2", "mat-khau-ban-dau")
        .await
        .expect(200);
}

async fn lists_page_with_keyset_cursors(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let all = items(&h.get("/api/v1/units?limit=500", &admin).await.json());
    assert_eq!(all.len(), 7);
    let mut walked = Vec::new();
    let mut uri = "/api/v1/units?limit=3".to_string();
    loop {
        let page = h.get(&uri, &admin).await.json();
        let got = items(&page);
        assert!(got.len() <= 3);
        walked.extend(strings(&got, "code"));
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/units?limit=3&after={}", enc(next)),
            None => break,
        }
    }
    assert_eq!(walked, strings(&all, "code"));
    let mut people = Vec::new();
    let mut uri = "/api/v1/users?limit=4".to_string();
    loop {
        let page = h.get(&uri, &admin).await.json();
        people.extend(strings(&items(&page), "username"));
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/users?limit=4&after={}", enc(next)),
            None => break,
        }
    }
    let mut expected: Vec<String> = PEOPLE.iter().map(|p| p.0.to_string()).collect();
    expected.push("admin".into());
    expected.sort();
    assert_eq!(people, expected);
    // Filters: level, search without diacritics, one unit's people.
    let level2 = items(&h.get("/api/v1/units?level=2", &admin).await.json());
    assert_eq!(strings(&level2, "code"), vec![A2, B2]);
    let found = items(
        &h.get(
            &format!("/api/v1/units?q={}", enc("phong dieu TRI")),
            &admin,
        )
        .await
        .json(),
    );
    assert_eq!(strings(&found, "code"), vec![A2]);
    let in_a3 = items(
        &h.get(&format!("/api/v1/users?unit={A3}"), &admin)
            .await
            .json(),
    );
    assert_eq!(strings(&in_a3, "username"), vec!["clerk.a", "receiver.a"]);
}

/// A double click, or two people at once: the same create or the same versioned change sent
/// concurrently goes through once; the others get a clear conflict, never a 500.
async fn concurrent_writes_conflict_cleanly(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let audit_before = h.audit_count().await;
    let body =
        json!({ "code": "000.01.08.A08", "name": "Ban Trùng", "level": 2, "parent_code": A1 });
    let answers = futures_join(
        (0..6)
            .map(|_| h.post("/api/v1/units", &admin, body.clone()))
            .collect(),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409], "{answers:?}");
    for r in answers.iter().filter(|r| r.status == StatusCode::CONFLICT) {
        assert_eq!(r.code(), "unit_code_taken");
    }
    let a2_uri = format!("/api/v1/units/{A2}");
    let a2 = h.get(&a2_uri, &admin).await.json();
    let answers = futures_join(
        (0..6)
            .map(|i| {
                h.patch(
                    &a2_uri,
                    &admin,
                    json!({ "version": a2["version"], "name": format!("Phòng {i}") }),
                )
            })
            .collect(),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![200, 409, 409, 409, 409, 409], "{answers:?}");
    for r in answers.iter().filter(|r| r.status == StatusCode::CONFLICT) {
        assert_eq!(r.code(), "version_conflict");
    }
    assert_eq!(h.audit_count().await, audit_before + 2);
}

/// Runs the futures concurrently on the test's runtime and collects their answers in order.
async fn futures_join<F>(futures: Vec<F>) -> Vec<Resp>
where
    F: std::future::Future<Output = Resp>,
{
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<Resp>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => out[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

async fn cookies_are_secure_over_tls(db: &TestDb) {
    let config = Config {
        public_url: Some("https://motcua.example.gov.vn".into()),
        ..Config::default()
    };
    let h = Harness::bare(&db.store, config).await;
    let login = h.page(Method::GET, "/login", "", None).await;
    let line = login.set_cookie(LOGIN_CSRF_COOKIE).expect("cookie");
    assert!(line.ends_with("; Secure"), "{line}");
    let csrf = login.cookie_value(LOGIN_CSRF_COOKIE).expect("value");
    let r = h
        .page(
            Method::POST,
            "/login",
            &format!("{LOGIN_CSRF_COOKIE}={csrf}"),
            Some(&form(&[
                ("csrf", &csrf),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let line = r.set_cookie(SESSION_COOKIE).expect("session");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax") && line.ends_with("; Secure"),
        "{line}"
    );
    // Behind a trusted TLS proxy, the forwarded protocol decides.
    let config = Config {
        trust_forwarded_proto: true,
        ..Config::default()
    };
    let state = motcua_server::AppState::new(
        db.store.clone(),
        std::sync::Arc::new(h.clock.clone()),
        config,
    );
    let app = motcua_server::app(state);
    use tower::ServiceExt as _;
    for (proto, secure) in [("https", true), ("http", false)] {
        let req = axum::http::Request::builder()
            .uri("/login")
            .header("x-forwarded-proto", proto)
            .body(axum::body::Body::empty())
            .expect("request");
        let r = app.clone().oneshot(req).await.expect("answer");
        let line = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(line.contains("Secure"), secure, "{proto}: {line}");
    }
}

// ---------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------

async fn change_password_via_api(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let t1 = h.token("receiver.a").await;
    let t2 = h.token("receiver.a").await;
    let session = h.web_login("receiver.a", PASSWORD).await;
    let other = h.token("clerk.a").await;
    let audit_before = h.audit_count().await;
    h.post(
        "/api/v1/auth/password",
        &t1,
        json!({ "current_password": "khong-dung-dau", "new_password": "mat-khau-moi-2026" }),
    )
    .await
    .expect_error(422, "current_password_wrong");
    h.post(
        "/api/v1/auth/password",
        &t1,
        json!({ "current_password": PASSWORD, "new_password": "ngan" }),
    )
    .await
    .expect_error(422, "password_too_short");
    h.post(
        "/api/v1/auth/password",
        &t1,
        json!({ "current_password": PASSWORD }),
    )
    .await
    .expect_error(400, "invalid_json");
    assert_eq!(h.audit_count().await, audit_before);
    h.get("/api/v1/me", &t1).await.expect(200);

    let r = h
        .post(
            "/api/v1/auth/password",
            &t1,
            json!({ "current_password": PASSWORD, "new_password": "mat-khau-moi-2026" }),
        )
        .await;
    r.expect(204);
    // Every token and session of the person ends; others' do not.
    h.get("/api/v1/me", &t1)
        .await
        .expect_error(401, "session_expired");
    h.get("/api/v1/me", &t2)
        .await
        .expect_error(401, "session_expired");
    let r = h
        .page(
            Method::GET,
            "/",
            &format!("{SESSION_COOKIE}={session}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    h.get("/api/v1/me", &other).await.expect(200);
    h.sign_in("receiver.a", PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
    let r = h.sign_in("receiver.a", "mat-khau-moi-2026").await;
    let t3 = r.expect(200).json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    h.get("/api/v1/me", &t3).await.expect(200);

    let admin = h.token("admin").await;
    let log = h
        .get("/api/v1/audit?object_id=receiver.a&limit=3", &admin)
        .await
        .json();
    assert_eq!(
        strings(&items(&log), "action"),
        vec!["auth.login", "auth.login_failed", "user.password_change"]
    );
}

async fn change_password_via_page(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let session = h.web_login("clerk.a", PASSWORD).await;
    let cookies = format!("{SESSION_COOKIE}={session}");
    let page = h.page(Method::GET, "/password", &cookies, None).await;
    let csrf = csrf_field(&page.text());
    let r = h
        .page(
            Method::POST,
            "/password",
            &cookies,
            Some(&form(&[
                ("current_password", PASSWORD),
                ("new_password", "mat-khau-moi-2026"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .page(
            Method::POST,
            "/password",
            &cookies,
            Some(&form(&[
                ("csrf", &csrf),
                ("current_password", "sai-roi-nhe"),
                ("new_password", "mat-khau-moi-2026"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Mật khẩu hiện tại không đúng."));
    let r = h
        .page(
            Method::POST,
            "/password",
            &cookies,
            Some(&form(&[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "mat-khau-moi-2026"),
            ])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location().as_deref(), Some("/login?ok=password_changed"));
    let r = h.page(Method::GET, "/", &cookies, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    h.web_login("clerk.a", "mat-khau-moi-2026").await;
}

// ---------------------------------------------------------------------------------------
// Health, fallbacks, the document
// ---------------------------------------------------------------------------------------

async fn health_and_fallbacks(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let r = h.api(Method::GET, "/healthz", None, None).await;
    r.expect(200);
    assert_eq!(
        r.json(),
        json!({ "status": "ok", "database": db.store.engine().name() })
    );
    assert_eq!(
        r.json()["database"],
        if db.url.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    );
    let admin = h.token("admin").await;
    for path in ["/api/v1/khong-co", "/api/v2/units", "/api/v1/units/A/B/C"] {
        h.api(Method::GET, path, None, None)
            .await
            .expect_error(404, "route_not_found");
        h.get(path, &admin)
            .await
            .expect_error(404, "route_not_found");
    }
    let r = h.page(Method::GET, "/trang-khong-co", "", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.is_html());
    assert!(r.text().contains("Trang bạn tìm không tồn tại."));
    // A known address with a method it does not take: 405 with `Allow` and our error body,
    // JSON under /api/, the error page elsewhere.
    let r = h
        .api(Method::DELETE, "/api/v1/units", Some(&admin), None)
        .await;
    r.expect_error(405, "method_not_allowed");
    assert!(r.message().contains("DELETE"), "{}", r.message());
    let allow = r.headers["allow"].to_str().unwrap_or_default().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let r = h.page(Method::PUT, "/login", "", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.is_html());
    assert!(r.text().contains("không nhận yêu cầu PUT"));
    // A path segment that is not UTF-8, and a page's malformed query string: our error format
    // in Vietnamese, never axum's English plain text.
    let r = h.get("/api/v1/dossiers/%FF%FE", &admin).await;
    r.expect_error(400, "request_invalid");
    assert!(r.json()["error"]["details"]["parser"].is_string());
    let r = h.page(Method::GET, "/tra-cuu/%FF%FE", "", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.is_html());
    assert!(r.text().contains("Yêu cầu không hợp lệ"), "{}", r.text());
    let r = h
        .page(Method::GET, "/login?next=%2F&next=%2Finbox", "", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.is_html());
    assert!(r.text().contains("tham số không hợp lệ"), "{}", r.text());
    assert!(!r.text().contains("duplicate field"), "{}", r.text());
    // The document is served as generated.
    let r = h.api(Method::GET, "/api/v1/openapi.json", None, None).await;
    r.expect(200);
    let (_, doc) = motcua_server::api::routes().split_for_parts();
    assert_eq!(r.json(), serde_json::to_value(&doc).expect("doc"));
    // Security headers on every answer.
    for path in ["/login", "/healthz", "/api/v1/khong-co"] {
        let r = h.page(Method::GET, path, "", None).await;
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(r.headers["x-frame-options"], "DENY", "{path}");
        assert!(r.headers.contains_key("content-security-policy"), "{path}");
    }
}

// ---------------------------------------------------------------------------------------
// The audit API
// ---------------------------------------------------------------------------------------

async fn audit_filters_and_keyset(db: &TestDb) {
    let h = Harness::new(&db.store).await;
    let admin = h.token("admin").await;
    let boss = h.token("boss.a").await;
    // T0+1h: boss.a creates a unit; T0+2h: admin renames it.
    h.clock.advance(time::Duration::hours(1));
    let code = "000.01.04.A04";
    h.post(
        "/api/v1/units",
        &boss,
        json!({ "code": code, "name": "Ban Vật tư", "level": 2, "parent_code": A1 }),
    )
    .await
    .expect(201);
    h.clock.advance(time::Duration::hours(1));
    h.patch(
        &format!("/api/v1/units/{code}"),
        &admin,
        json!({ "version": 1, "name": "Ban Vật tư Y tế" }),
    )
    .await
    .expect(200);

    let get = |q: String| {
        let admin = admin.clone();
        let h = &h;
        async move {
            let r = h.get(&format!("/api/v1/audit{q}"), &admin).await;
            r.expect(200);
            items(&r.json())
        }
    };
    let by_object = get(format!("?object_id={code}")).await;
    assert_eq!(
        strings(&by_object, "action"),
        vec!["unit.update", "unit.create"]
    );
    assert_eq!(strings(&by_object, "actor"), vec!["admin", "boss.a"]);
    assert_eq!(by_object[0]["at"], "2026-11-02T11:00:00+07:00");
    assert_eq!(by_object[1]["at"], "2026-11-02T10:00:00+07:00");
    assert_eq!(by_object[0]["summary"]["after"]["name"], "Ban Vật tư Y tế");
    assert_eq!(by_object[0]["summary"]["before"]["name"], "Ban Vật tư");
    assert_eq!(by_object[0]["prev_hash"], by_object[1]["hash"]);
    let by_type = get(format!("?object_type=unit&object_id={code}")).await;
    assert_eq!(by_type.len(), 2);
    assert!(
        get(format!("?object_type=user&object_id={code}"))
            .await
            .is_empty()
    );

    let by_actor = get("?actor=boss.a".to_string()).await;
    assert_eq!(
        strings(&by_actor, "action"),
        vec!["unit.create", "auth.login"]
    );
    assert!(get("?actor=khong.ai".to_string()).await.is_empty());

    // Time windows: `from` inclusive, `to` exclusive, any offset.
    let mid = "2026-11-02T10:30:00+07:00";
    let after = get(format!("?object_id={code}&from={}", enc(mid))).await;
    assert_eq!(strings(&after, "action"), vec!["unit.update"]);
    let before = get(format!("?object_id={code}&to={}", enc(mid))).await;
    assert_eq!(strings(&before, "action"), vec!["unit.create"]);
    let utc = get(format!(
        "?object_id={code}&from=2026-11-02T03:00:00Z&to=2026-11-02T04:00:00Z"
    ))
    .await;
    assert_eq!(strings(&utc, "action"), vec!["unit.create"]);
    let exact = get(format!(
        "?object_id={code}&from={}",
        enc("2026-11-02T10:00:00+07:00")
    ))
    .await;
    assert_eq!(exact.len(), 2);
    let exact = get(format!(
        "?object_id={code}&to={}",
        enc("2026-11-02T10:00:00+07:00")
    ))
    .await;
    assert!(exact.is_empty());
    // Typed into an address bar, `+` arrives as a space; the instant is still understood.
    let typed = get(format!("?object_id={code}&from={mid}")).await;
    assert_eq!(strings(&typed, "action"), vec!["unit.update"]);
    for bad in [
        "from=hom-qua",
        "to=2026-13-01T00:00:00Z",
        "from=2026-11-02",
        "to=10:00",
    ] {
        h.get(&format!("/api/v1/audit?{bad}"), &admin)
            .await
            .expect_error(400, "invalid_instant");
    }
    h.get("/api/v1/audit?before=abc", &admin)
        .await
        .expect_error(400, "invalid_query");

    // Keyset pages: newest first, `next` continues exactly where the page stopped.
    let all = get("?limit=500".to_string()).await;
    let total = h.audit_count().await;
    assert_eq!(all.len() as i64, total);
    let seqs: Vec<i64> = all
        .iter()
        .map(|e| e["seq"].as_i64().unwrap_or_default())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
    let mut walked = Vec::new();
    let mut query = "?limit=4".to_string();
    loop {
        let r = h.get(&format!("/api/v1/audit{query}"), &admin).await.json();
        walked.extend(
            items(&r)
                .iter()
                .map(|e| e["seq"].as_i64().unwrap_or_default()),
        );
        match r["next"].as_str() {
            Some(next) => query = format!("?limit=4&before={next}"),
            None => break,
        }
        assert!(walked.len() <= seqs.len(), "pagination does not end");
    }
    assert_eq!(walked, seqs);
    let older = get(format!("?before={}&limit=500", seqs[2])).await;
    assert_eq!(older.len(), seqs.len() - 3);
    assert!(get("?before=1".to_string()).await.is_empty());
}

conformance!(
    every_route_needs_credentials,
    expired_and_revoked_tokens_are_refused,
    out_of_scope_is_absent_on_every_route,
    scoped_admin_works_inside_scope,
    missing_roles_are_forbidden,
    bad_input_changes_nothing,
    bodies_over_the_limit_are_refused,
    sign_in_is_throttled,
    web_flow_with_cookies,
    user_form_posted_twice,
    lists_page_with_keyset_cursors,
    concurrent_writes_conflict_cleanly,
    cookies_are_secure_over_tls,
    change_password_via_api,
    change_password_via_page,
    health_and_fallbacks,
    audit_filters_and_keyset,
);
