//! Errors as HTTP answers: JSON `{"error":{"code","message","details"}}` for the API
//! (conventions.md), a friendly Vietnamese page for the UI.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::{Error, ErrorKind};
use serde::Serialize;

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

/// The error body, as documented in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `version_conflict`.
    #[schema(example = "version_conflict")]
    pub code: String,
    /// Vietnamese message for people.
    #[schema(example = "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại và thử lại.")]
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind);
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: ErrorDetail {
                    code: e.code.to_string(),
                    message: e.message,
                    details: e.details,
                },
            }),
        )
            .into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("900"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub fn body_too_large() -> Error {
    Error::new(
        ErrorKind::TooLarge,
        "body_too_large",
        "Dữ liệu gửi lên quá lớn.",
    )
}

/// An error in the caller's format: JSON under `/api/`, the error page elsewhere, with
/// `status` instead of the one its kind gives.
pub fn answer_at(path: &str, e: Error, status: StatusCode) -> Response {
    let mut response = if path.starts_with("/api/") {
        ApiError(e).into_response()
    } else {
        crate::pages::error_page(&e)
    };
    *response.status_mut() = status;
    response
}

/// Safety net for rejections of axum's own extractors that no handler words (a path segment
/// that is not valid percent-encoded UTF-8, for one): a client error answered as plain text is
/// rewritten into our error format, JSON under `/api/` and the error page elsewhere, keeping
/// its status. Our own answers are never plain text, so nothing else is touched.
pub async fn plain_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let parser = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let e = Error::bad_request(
        "request_invalid",
        "Yêu cầu không hợp lệ: địa chỉ hoặc tham số không đúng định dạng.",
    )
    .with_details(serde_json::json!({ "parser": parser }));
    answer_at(&path, e, status)
}
