//! Server-rendered Vietnamese pages (askama). They work without JavaScript: forms post,
//! the server redirects (post/redirect/get), trees fold with `<details>`.

pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod dossiers;
pub mod facts;
pub mod procedures;
pub mod quarterly;
pub mod reports;
pub mod session;
pub mod units;
pub mod users;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use motcua_domain::user::Role;
use motcua_domain::{Error, ErrorKind};
use serde::de::DeserializeOwned;

use crate::auth::PageCtx;
use crate::error::status_of;

/// What the layout needs to draw the navigation for a signed-in person.
pub struct Nav {
    pub full_name: String,
    pub unit_code: String,
    pub csrf: String,
    pub active: &'static str,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_intake: bool,
    pub can_reports: bool,
}

impl Nav {
    pub fn new(ctx: &PageCtx, active: &'static str) -> Option<Nav> {
        Some(Nav {
            full_name: ctx.user.full_name.clone(),
            unit_code: ctx.user.unit_code.clone(),
            csrf: ctx.csrf.clone(),
            active,
            can_users: ctx.user.has_any(crate::api::users::CAN_LIST_USERS),
            can_audit: ctx.user.has_any(crate::api::audit::CAN_READ_AUDIT),
            can_intake: ctx.user.has_role(Role::Receiver),
            can_reports: ctx.user.has_any(crate::api::quarterly::CAN_READ_QUARTERLY),
        })
    }
}

/// Renders a template, or a plain 500 if the template itself fails.
pub fn render(template: &impl Template) -> Response {
    render_with(StatusCode::OK, template)
}

pub fn render_with(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Lỗi hiển thị trang.").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    heading: String,
    message: String,
    code: String,
}

/// The friendly page for an error.
pub fn error_page(e: &Error) -> Response {
    let heading = match e.kind {
        ErrorKind::NotFound => "Không tìm thấy",
        ErrorKind::Forbidden => "Không có quyền",
        ErrorKind::Unauthenticated => "Cần đăng nhập",
        ErrorKind::Conflict => "Dữ liệu đã thay đổi",
        ErrorKind::TooManyRequests => "Thử lại sau",
        ErrorKind::TooLarge => "Dữ liệu quá lớn",
        ErrorKind::Internal => "Hệ thống gặp lỗi",
        ErrorKind::BadRequest | ErrorKind::Unprocessable => "Dữ liệu chưa hợp lệ",
    };
    render_with(
        status_of(e.kind),
        &ErrorPage {
            nav: None,
            flash: None,
            error: None,
            heading: heading.into(),
            message: e.message.clone(),
            code: e.code.into(),
        },
    )
}

/// A page handler's result: the page, or the friendly error page.
pub struct PageError(pub Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

pub type PageResult = Result<Response, PageError>;

/// A posted HTML form (repeated keys such as checkboxes become lists); bad bodies get the
/// friendly error page.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                PageError(crate::error::body_too_large())
            } else {
                PageError(Error::bad_request(
                    "form_invalid",
                    "Không đọc được biểu mẫu.",
                ))
            }
        })?;
        serde_html_form::from_bytes(&bytes)
            .map(PageForm)
            .map_err(|e| {
                let (why, details) = crate::api::input_error::describe(&e.to_string());
                PageError(
                    Error::bad_request("form_invalid", format!("Biểu mẫu không hợp lệ: {why}"))
                        .with_details(details),
                )
            })
    }
}

/// A page's query string; a malformed one gets the error page, in Vietnamese, like a bad form.
pub struct PageParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageParams<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(PageParams(v)),
            Err(rejection) => {
                let (why, details) = crate::api::input_error::describe(&rejection.body_text());
                Err(PageError(
                    Error::bad_request(
                        "invalid_query",
                        format!("Địa chỉ trang có tham số không hợp lệ: {why}"),
                    )
                    .with_details(details),
                ))
            }
        }
    }
}

/// Messages shown after a successful form, chosen by a fixed key in the redirect.
pub fn flash_message(key: Option<&str>) -> Option<String> {
    let text = match key? {
        "created" => "Đã thêm đơn vị.",
        "saved" => "Đã lưu thay đổi.",
        "moved" => "Đã chuyển đơn vị cùng các đơn vị cấp dưới.",
        "deactivated" => "Đơn vị đã ngừng hoạt động.",
        "activated" => "Đơn vị đã hoạt động trở lại.",
        "user_created" => "Đã thêm người dùng.",
        "password_changed" => "Đã đổi mật khẩu. Vui lòng đăng nhập lại.",
        "dossier_updated" => "Đã cập nhật hồ sơ.",
        "fact_recorded" => "Đã ghi nhận thông tin chính phủ điện tử.",
        "attachment_added" => "Đã tải tệp đính kèm lên hồ sơ.",
        "incomplete" => {
            "Hồ sơ chưa đầy đủ: chưa tiếp nhận. Hãy in phiếu yêu cầu bổ sung, hoàn thiện hồ sơ cho người nộp."
        }
        _ => return None,
    };
    Some(text.to_string())
}

/// Escapes text for HTML built outside templates.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Role names for people, joined.
pub fn role_labels(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn not_found() -> Response {
    error_page(&Error::not_found(
        "page_not_found",
        "Trang bạn tìm không tồn tại.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_encoding() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(url_encode("/units?q=Cục 1"), "/units%3Fq%3DC%E1%BB%A5c%201");
    }
}
