//! Test harness for the server: a store on either engine, a seeded organisation, the real
//! router called in-process with `tower::ServiceExt::oneshot` (no network), and helpers for
//! tokens, JSON, cookie sessions and CSRF.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use motcua_domain::unit::NewUnit;
use motcua_domain::user::NewUser;
use motcua_server::{AppState, Config, ManualClock, bootstrap};
use motcua_store::Store;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt as _;

pub const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);
pub const ROOT: &str = "000.00.00.G00";
pub const ADMIN_PASSWORD: &str = "quan-tri-2026";
/// Every seeded person except `admin` has this password.
pub const PASSWORD: &str = "mat-khau-thu";

/// Branch A: `A1` (cấp I) > `A1.B` (cấp II) > `A1.B.C` (cấp III).
pub const A1: &str = "000.01.00.A01";
pub const A2: &str = "000.01.01.A02";
pub const A3: &str = "000.01.02.A03";
/// Branch B: `B1` (cấp I) > `B2` (cấp II) > `B3` (cấp III).
pub const B1: &str = "000.02.00.B01";
pub const B2: &str = "000.02.01.B02";
pub const B3: &str = "000.02.02.B03";
pub const B_CODES: [&str; 3] = [B1, B2, B3];

/// Units of the seeded tree below the root: (code, name, level, parent).
pub const UNITS: [(&str, &str, i32, &str); 6] = [
    (A1, "Cục Quân y", 1, ROOT),
    (A2, "Phòng Điều trị", 2, A1),
    (A3, "Ban Hành chính Điều trị", 3, A2),
    (B1, "Cục Cán bộ", 1, ROOT),
    (B2, "Phòng Chính sách", 2, B1),
    (B3, "Ban Chế độ", 3, B2),
];

/// People of the seeded tree: (username, full name, unit, roles).
pub const PEOPLE: [(&str, &str, &str, &[&str]); 10] = [
    ("inspector", "Trần Văn Thanh", ROOT, &["inspector"]),
    ("reform", "Lê Thị Cải", ROOT, &["reform_office"]),
    ("boss.a", "Nguyễn Văn An", A1, &["leader", "admin"]),
    ("leader.a", "Phạm Thị Lãnh", A1, &["leader"]),
    ("inspector.a", "Đỗ Văn Tra", A1, &["inspector"]),
    ("specialist.a", "Hoàng Thị Chuyên", A2, &["specialist"]),
    ("receiver.a", "Vũ Văn Nhận", A3, &["receiver"]),
    ("clerk.a", "Bùi Thị Thư", A3, &["clerk"]),
    ("leader.b", "Đặng Văn Bình", B1, &["leader"]),
    ("clerk.b", "Ngô Thị Bích", B2, &["clerk"]),
];
pub const B_PEOPLE: [&str; 2] = ["leader.b", "clerk.b"];

/// An answer, with its body read.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("answer {} is not JSON ({e}): {}", self.status, self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `error.code` of a JSON error answer (checks the error shape on the way).
    pub fn code(&self) -> String {
        let v = self.json();
        let error = v
            .get("error")
            .unwrap_or_else(|| panic!("no error object in {v}"));
        let message = error["message"].as_str().unwrap_or("");
        assert!(!message.is_empty(), "error without a message: {v}");
        error["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {v}"))
            .to_string()
    }

    pub fn message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Asserts the status and the error code together, showing the body when they differ.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code().as_str()),
            (status, code),
            "body: {}",
            self.text()
        );
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        self
    }

    /// Values of every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// The `Set-Cookie` line that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value set for cookie `name`.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.set_cookie(name).map(|c| {
            c[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_string()
        })
    }

    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn is_html(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html"))
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in page: {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Percent-encodes a form or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The application on a test database, with a clock the test moves.
pub struct Harness {
    pub app: Router,
    pub clock: ManualClock,
    pub store: Store,
    pub config: Config,
}

impl Harness {
    /// Root and `admin` (password [`ADMIN_PASSWORD`]) only.
    pub async fn bare(store: &Store, config: Config) -> Harness {
        bootstrap::ensure_initial_data(
            store,
            &config.organisation,
            Some(ADMIN_PASSWORD.to_string()),
            T0,
        )
        .await
        .expect("bootstrap");
        let clock = ManualClock::new(T0);
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), config.clone());
        Harness {
            app: motcua_server::app(state),
            clock,
            store: store.clone(),
            config,
        }
    }

    /// The seeded organisation ([`UNITS`], [`PEOPLE`]) with the default configuration.
    pub async fn new(store: &Store) -> Harness {
        Harness::with_config(store, Config::default()).await
    }

    pub async fn with_config(store: &Store, config: Config) -> Harness {
        let h = Harness::bare(store, config).await;
        for (code, name, level, parent) in UNITS {
            let unit = NewUnit::parse(code, name, None, level, Some(parent)).expect("unit");
            store
                .create_unit("admin", T0, &unit)
                .await
                .expect("seed unit");
        }
        // One hash for everybody keeps seeding fast; each person still signs in for real.
        let hash = motcua_server::password::hash(PASSWORD).expect("hash");
        for (username, full_name, unit, roles) in PEOPLE {
            let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
            let user = NewUser::parse(username, full_name, unit, &roles).expect("user");
            store
                .create_user("admin", T0, &user, &hash)
                .await
                .expect("seed user");
        }
        h
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let response = self
            .app
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("read body");
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// A JSON API call; `token` goes in `Authorization: Bearer`.
    pub async fn api(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.api(Method::GET, uri, Some(token), None).await
    }

    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.api(Method::POST, uri, Some(token), Some(body)).await
    }

    pub async fn patch(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.api(Method::PATCH, uri, Some(token), Some(body)).await
    }

    /// A raw body with a chosen content type.
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .expect("request");
        self.send(req).await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Resp {
        self.api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({ "username": username, "password": password })),
        )
        .await
    }

    /// An API token for a seeded person.
    pub async fn token(&self, username: &str) -> String {
        let password = if username == "admin" {
            ADMIN_PASSWORD
        } else {
            PASSWORD
        };
        let r = self.sign_in(username, password).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "sign-in of {username}: {}",
            r.text()
        );
        r.json()["token"].as_str().expect("token").to_string()
    }

    /// A page request with cookies (`name=value; …`).
    pub async fn page(&self, method: Method, uri: &str, cookies: &str, form: Option<&str>) -> Resp {
        let mut b = Request::builder().method(method).uri(uri);
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies);
        }
        let req = match form {
            Some(f) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(f.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    /// Signs in through the login page; returns the session cookie value.
    pub async fn web_login(&self, username: &str, password: &str) -> String {
        let login = self.page(Method::GET, "/login", "", None).await;
        login.expect(200);
        let csrf_cookie = login
            .cookie_value(motcua_server::auth::LOGIN_CSRF_COOKIE)
            .expect("login csrf cookie");
        let token = csrf_field(&login.text());
        let r = self
            .page(
                Method::POST,
                "/login",
                &format!("{}={csrf_cookie}", motcua_server::auth::LOGIN_CSRF_COOKIE),
                Some(&form(&[
                    ("csrf", &token),
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ])),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "web sign-in: {}", r.text());
        r.cookie_value(motcua_server::auth::SESSION_COOKIE)
            .expect("session cookie")
    }

    /// Number of entries in the audit chain (verifying it on the way).
    pub async fn audit_count(&self) -> i64 {
        self.store
            .verify_audit()
            .await
            .expect("verify")
            .expect("audit chain intact")
    }

    pub async fn unit_count(&self) -> i64 {
        self.store.unit_count().await.expect("count")
    }
}

/// Every operation of the OpenAPI document: (method, path template, operation).
pub fn operations() -> Vec<(Method, String, Value)> {
    let (_, doc) = motcua_server::api::routes().split_for_parts();
    let doc = serde_json::to_value(&doc).expect("document as JSON");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                "head" => Method::HEAD,
                "options" => Method::OPTIONS,
                _ => continue,
            };
            out.push((method, path.clone(), op.clone()));
        }
    }
    assert!(!out.is_empty(), "the document lists no operations");
    out
}

/// Whether an operation declares that it needs credentials.
pub fn needs_credentials(op: &Value) -> bool {
    op.get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty())
}

/// A request body that is valid JSON for any operation that takes one (field names may be
/// wrong; the point is to reach the handler's checks).
pub fn sample_body(op: &Value) -> Option<Value> {
    op.get("requestBody")
        .map(|_| json!({ "version": 1, "name": "Đổi tên trái phép" }))
}
