//! Sign-in, sessions, tokens and CSRF, and the extractors that turn a request into a signed-in
//! person with a scoped store. A handler that needs data takes [`Ctx`] (API) or
//! [`PageCtx`] (web pages); neither offers an unscoped store.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::scope::Scope;
use motcua_domain::unit::depth_of;
use motcua_domain::user::{Role, User, parse_username};
use motcua_domain::{Error, ErrorKind, Result};
use motcua_store::ScopedStore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::password;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "motcua_session";
pub const LOGIN_CSRF_COOKIE: &str = "motcua_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// 256 random bits, hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What is stored for a token: only its SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a web session, derived from the session token so nothing more is stored.
pub fn csrf_for(session_token: &str) -> String {
    let digest = Sha256::digest(format!("motcua-csrf:{session_token}").as_bytes());
    hex::encode(&digest[..16])
}

/// Constant-time comparison for secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn too_many_attempts(state: &AppState) -> Error {
    Error::new(
        ErrorKind::TooManyRequests,
        "too_many_attempts",
        format!(
            "Tài khoản này đã đăng nhập sai {} lần trong {} phút. Vui lòng chờ {} phút rồi thử lại.",
            state.config().auth.max_failures,
            state.config().auth.failure_window_minutes,
            state.config().auth.failure_window_minutes
        ),
    )
}

fn invalid_credentials() -> Error {
    Error::new(
        ErrorKind::Unauthenticated,
        "invalid_credentials",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
    )
}

/// Checks a password with throttling, and opens a session (`web`) or API token (`api`).
/// Every try is audited, failed or not.
pub async fn sign_in(
    state: &AppState,
    username_input: &str,
    password_input: &str,
    kind: &str,
) -> Result<(String, OffsetDateTime, User)> {
    let store = state.unscoped_store();
    let now = state.now();
    // Throttle on what was typed (bounded), so unknown names are throttled too.
    let username = parse_username(username_input).unwrap_or_else(|_| {
        username_input
            .trim()
            .to_lowercase()
            .chars()
            .take(64)
            .collect()
    });
    let window = time::Duration::minutes(state.config().auth.failure_window_minutes);
    let failures = store.login_failures_since(&username, now - window).await?;
    if failures >= state.config().auth.max_failures {
        store
            .record_login_failure(now, &username, "throttled", false)
            .await?;
        return Err(too_many_attempts(state));
    }
    let credentials = store.credentials(&username).await?;
    let stored = credentials.as_ref().map_or_else(
        || state.dummy_hash().to_string(),
        |c| c.password_hash.clone(),
    );
    let matches = password::verify_async(password_input.to_string(), stored).await;
    let user = match credentials {
        Some(c) if matches && c.user.active => c.user,
        Some(c) if matches => {
            store
                .record_login_failure(now, &username, "inactive", true)
                .await?;
            drop(c);
            return Err(invalid_credentials());
        }
        Some(_) => {
            store
                .record_login_failure(now, &username, "wrong_password", true)
                .await?;
            return Err(invalid_credentials());
        }
        None => {
            store
                .record_login_failure(now, &username, "unknown_user", true)
                .await?;
            return Err(invalid_credentials());
        }
    };
    let minutes = if kind == "web" {
        state.config().auth.session_minutes
    } else {
        state.config().auth.token_minutes
    };
    let expires_at = now + time::Duration::minutes(minutes);
    let token = new_token();
    store
        .create_session(now, &user, &token_hash(&token), kind, expires_at)
        .await?;
    Ok((token, expires_at, user))
}

fn scope_of(user: &User) -> Scope {
    Scope::of(user, depth_of(&user.unit_path) == 0)
}

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Bearer,
    Cookie,
}

/// A signed-in person and the view of the store they may use (API).
pub struct Ctx {
    pub user: User,
    pub store: ScopedStore,
    pub token_hash: String,
    pub via: Credential,
    now: OffsetDateTime,
}

impl Ctx {
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// 403 unless the person holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.user.has_any(roles) {
            Ok(())
        } else {
            Err(ApiError(Error::forbidden()))
        }
    }

    pub fn actor(&self) -> &str {
        &self.user.username
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = state.now();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let (token, kind, via) = match (bearer, cookie(&parts.headers, SESSION_COOKIE)) {
            (Some(t), _) => (t.to_string(), "api", Credential::Bearer),
            (None, Some(c)) => (c.to_string(), "web", Credential::Cookie),
            (None, None) => return Err(ApiError(Error::unauthenticated())),
        };
        // A browser session calling the API must prove the call came from our own pages.
        if via == Credential::Cookie
            && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
        {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, &csrf_for(&token)) {
                return Err(ApiError(csrf_error()));
            }
        }
        let hash = token_hash(&token);
        let session = state.unscoped_store().session(&hash, kind, now).await?;
        let Some(session) = session else {
            return Err(ApiError(Error::new(
                ErrorKind::Unauthenticated,
                "session_expired",
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.",
            )));
        };
        let store = state.scoped_store(scope_of(&session.user));
        Ok(Ctx {
            user: session.user,
            store,
            token_hash: hash,
            via,
            now,
        })
    }
}

pub fn csrf_error() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "csrf_invalid",
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
    )
}

/// A signed-in person on a web page. Without a valid session the page redirects to sign-in.
pub struct PageCtx {
    pub user: User,
    pub store: ScopedStore,
    pub csrf: String,
    pub token_hash: String,
    now: OffsetDateTime,
}

impl PageCtx {
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    pub fn actor(&self) -> &str {
        &self.user.username
    }

    /// Every form carries the session's CSRF token.
    pub fn check_csrf(&self, sent: &str) -> Result<()> {
        if same_secret(sent, &self.csrf) {
            Ok(())
        } else {
            Err(csrf_error())
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if self.user.has_any(roles) {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = state.now();
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if next.starts_with('/') && !next.starts_with("//") {
                next
            } else {
                "/"
            };
            Redirect::to(&format!("/login?next={}", crate::pages::url_encode(next))).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(to_login());
        };
        let hash = token_hash(&token);
        match state.unscoped_store().session(&hash, "web", now).await {
            Ok(Some(session)) => {
                let store = state.scoped_store(scope_of(&session.user));
                Ok(PageCtx {
                    user: session.user,
                    store,
                    csrf: csrf_for(&token),
                    token_hash: hash,
                    now,
                })
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::pages::error_page(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_csrf() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(csrf_for("abc"), csrf_for("abc"));
        assert_ne!(csrf_for("abc"), csrf_for("abd"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }

    #[test]
    fn cookies_are_hardened() {
        let c = set_cookie("s", "v", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"));
        assert!(!set_cookie("s", "v", 60, false).contains("Secure"));
    }
}
