//! The JSON API under `/api/v1`. Routes and the OpenAPI document come from one list
//! ([`routes`]), so the two cannot drift; `tests/openapi.rs` snapshots the document.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod dossiers;
pub mod facts;
pub(crate) mod input_error;
pub mod procedures;
pub mod quarterly;
pub mod reports;
pub mod system;
pub mod units;
pub mod users;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use motcua_domain::Error;
use serde::de::DeserializeOwned;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, body_too_large};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "API của motcua: đơn vị, người dùng, đăng nhập, nhật ký kiểm tra. \
                       Lỗi trả về dạng {\"error\":{\"code\",\"message\"}} với thông điệp tiếng Việt.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "units", description = "Cơ cấu tổ chức: các đơn vị"),
        (name = "users", description = "Người dùng và vai trò"),
        (name = "auth", description = "Đăng nhập, mã truy cập"),
        (name = "audit", description = "Nhật ký kiểm tra (chuỗi băm)"),
        (name = "calendar", description = "Lịch làm việc: ngày nghỉ, ngày làm bù, tính thời hạn"),
        (name = "dossiers", description = "Hồ sơ: tiếp nhận, xử lý theo quy trình, hộp việc"),
        (name = "public", description = "Tra cứu hồ sơ và đánh giá dành cho người nộp (không cần đăng nhập)"),
        (name = "egov", description = "Chính phủ điện tử: thông tin theo đơn vị, tỷ lệ theo cấp"),
        (name = "procedures", description = "Danh mục thủ tục hành chính và quy trình xử lý"),
        (name = "reports", description = "Báo cáo: Biểu 06, báo cáo kết quả cải cách hành chính hằng quý"),
        (name = "system", description = "Tình trạng dịch vụ")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Phiên đăng nhập web; lệnh ghi cần thêm tiêu đề X-CSRF-Token.",
            ))),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(units::list_units, units::create_unit))
        .routes(routes!(units::get_unit, units::patch_unit))
        .routes(routes!(units::unit_children))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::me))
        .routes(routes!(auth::create_token, auth::revoke_token))
        .routes(routes!(auth::change_password))
        .routes(routes!(audit::list_audit))
        .routes(routes!(calendar::get_year))
        .routes(routes!(calendar::list_exceptions, calendar::add_exception))
        .routes(routes!(calendar::remove_exception))
        .routes(routes!(calendar::deadline))
        .routes(routes!(dossiers::create_dossier))
        .routes(routes!(dossiers::get_dossier))
        .routes(routes!(dossiers::act))
        .routes(routes!(dossiers::create_refusal))
        .routes(routes!(dossiers::get_intake_slip))
        .routes(routes!(dossiers::inbox))
        .routes(routes!(dossiers::public_dossier))
        .routes(routes!(dossiers::rate_dossier))
        .routes(routes!(
            attachments::upload_attachment,
            attachments::list_attachments
        ))
        .routes(routes!(attachments::download_attachment))
        .routes(routes!(
            procedures::list_procedures,
            procedures::create_procedure
        ))
        .routes(routes!(procedures::get_procedure))
        .routes(routes!(facts::unit_facts, facts::record_fact))
        .routes(routes!(facts::coverage))
        .routes(routes!(facts::list_kinds, facts::create_kind))
        .routes(routes!(facts::import_facts))
        .routes(routes!(quarterly::quarterly_report))
        .routes(routes!(reports::bieu06))
        .routes(routes!(system::healthz))
        .routes(routes!(system::openapi_json))
}

/// JSON body whose rejections use our error format (400 malformed or unknown fields, 413).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(ApiError(json_rejection(&rejection))),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> Error {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::bad_request(
            "content_type_invalid",
            "Dữ liệu phải gửi dạng JSON (Content-Type: application/json).",
        ),
        _ => {
            let (why, details) = input_error::describe(&rejection.body_text());
            Error::bad_request("invalid_json", format!("Dữ liệu JSON không hợp lệ: {why}"))
                .with_details(details)
        }
    }
}

/// Query string whose rejections use our error format.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryParams(v)),
            Err(rejection) => Err(ApiError(query_rejection(&rejection))),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> Error {
    let (why, details) = input_error::describe(&rejection.body_text());
    Error::bad_request(
        "invalid_query",
        format!("Tham số truy vấn không hợp lệ: {why}"),
    )
    .with_details(details)
}

/// A workflow action's body the action types refuse (`action_invalid`, 400).
pub(crate) fn action_invalid(parser_text: &str) -> Error {
    let (why, details) = input_error::describe(parser_text);
    Error::bad_request("action_invalid", format!("Thao tác không hợp lệ: {why}"))
        .with_details(details)
}

/// Vietnam time (UTC+07:00, no daylight saving) in RFC 3339, as the API answers.
pub fn vn_time(t: OffsetDateTime) -> String {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    t.to_offset(offset).format(&Rfc3339).unwrap_or_default()
}

/// Parses an RFC 3339 instant from the API (any offset).
pub fn parse_instant(field: &'static str, value: &str) -> Result<OffsetDateTime, Error> {
    // In a query string an unencoded `+` (as in `+07:00`, typed into an address bar) arrives
    // as a space; a space is never valid in RFC 3339, so it can only have been the `+`.
    let repaired = value.trim().replace(' ', "+");
    OffsetDateTime::parse(&repaired, &Rfc3339).map_err(|_| {
        Error::bad_request(
            "invalid_instant",
            format!("Thời điểm \"{value}\" ở trường {field} không đúng định dạng RFC 3339 (ví dụ 2026-11-27T08:00:00+07:00)."),
        )
    })
}

pub const DEFAULT_LIMIT: i64 = 50;
