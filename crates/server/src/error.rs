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
