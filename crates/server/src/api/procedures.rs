//! `/api/v1/procedures`: the procedure catalogue (thủ tục hành chính) with its workflows.
//!
//! The catalogue is public information: every signed-in person reads all of it, whatever
//! their unit (docs/domain-decisions.md). Administrators and the reform office
//! (`admin`, `reform_office`) save procedures; each save is a new version and older versions
//! stay readable, because dossiers keep the version they were received under.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_domain::user::Role;
use motcua_store::{ProcedureFilter, ProcedureSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DEFAULT_LIMIT, JsonBody, QueryParams, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// Roles that may save procedures.
pub const EDITORS: [Role; 2] = [Role::Admin, Role::ReformOffice];

/// The example procedure of docs/one-stop.md, used in the OpenAPI document.
fn example_document() -> serde_json::Value {
    serde_json::json!({
        "code": "1.009999",
        "name": "Xác nhận thời gian công tác trong quân đội",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": "000.00.01.H22",
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "postal", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0,
              "fee_note": "Cước bưu chính do người nộp trả theo giá dịch vụ." }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận (theo mẫu)", "copy_kind": "original", "count": 1 },
            { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1 },
            { "key": "giay_uy_quyen", "name": "Giấy ủy quyền (nếu nộp thay)", "copy_kind": "original", "count": 1, "optional": true }
        ],
        "results": ["Giấy xác nhận thời gian công tác"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "same_day_cutoff": "15:00",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định hồ sơ", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Vào số, đóng dấu, phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    })
}

fn example_procedure() -> serde_json::Value {
    let mut v = example_document();
    v["version"] = serde_json::json!(2);
    v
}

/// A procedure as imported or typed: the JSON format of docs/one-stop.md. Unknown fields are
/// refused (400 `invalid_json`); every rule broken is listed at once in a 422
/// `procedure_invalid` (`details.errors: [{field, code, message}]`). This type documents the
/// body; the server reads it as `motcua_domain::procedure::NewProcedure`.
#[derive(ToSchema)]
#[schema(example = example_document)]
#[allow(dead_code)] // documentation only
pub struct ProcedureIn {
    /// National code (CSDLQG về TTHC), `^\d\.\d{6}(\.[A-Z0-9]+)?$`.
    #[schema(example = "1.009999")]
    pub code: String,
    #[schema(example = "Xác nhận thời gian công tác trong quân đội")]
    pub name: String,
    /// Field (lĩnh vực): `{code, name}`.
    #[schema(value_type = Object)]
    pub field: serde_json::Value,
    /// Level of government (cấp thực hiện), as published.
    #[schema(example = "Cấp Bộ")]
    pub level: String,
    /// Code of the implementing unit (cơ quan thực hiện); it must be in the caller's scope.
    #[schema(example = "000.00.01.H22")]
    pub implementing_unit: String,
    /// Per channel (`in_person`, `online`, `postal`): `{channel, limit: {amount, unit:
    /// working_days | working_hours | calendar_days}, fee_vnd, fee_note?}`.
    #[schema(value_type = Vec<Object>)]
    pub channels: Vec<serde_json::Value>,
    /// Dossier composition: `{key, name, copy_kind: original | copy | certified_copy |
    /// original_or_copy, count, optional?}`.
    #[schema(value_type = Option<Vec<Object>>)]
    pub documents: Option<Vec<serde_json::Value>>,
    /// Result documents (kết quả).
    pub results: Option<Vec<String>>,
    /// Legal basis (căn cứ pháp lý).
    pub legal_basis: Option<Vec<String>>,
    /// `fully_online`, `partial` or `none`.
    #[schema(example = "partial")]
    pub online_level: String,
    /// `HH:MM`; a dossier received after it counts from the next working day.
    #[schema(example = "15:00")]
    pub same_day_cutoff: Option<String>,
    /// `{steps: [{key, name, role, unit: "owner" | {"unit": code}, budget_minutes,
    /// channel_budgets?: {channel: minutes}}]}`; for each channel the step budgets (its own
    /// where given) add up to that channel's time limit.
    #[schema(value_type = Object)]
    pub workflow: serde_json::Value,
}

/// A stored procedure: the document of [`ProcedureIn`] and its version.
#[derive(ToSchema)]
#[schema(example = example_procedure)]
#[allow(dead_code)] // documentation only
pub struct ProcedureOut {
    #[schema(example = "1.009999")]
    pub code: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub field: serde_json::Value,
    pub level: String,
    pub implementing_unit: String,
    #[schema(value_type = Vec<Object>)]
    pub channels: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<serde_json::Value>,
    pub results: Vec<String>,
    pub legal_basis: Vec<String>,
    pub online_level: String,
    pub same_day_cutoff: Option<String>,
    #[schema(value_type = Object)]
    pub workflow: serde_json::Value,
    /// 1 for the first save; each save adds one.
    #[schema(example = 2)]
    pub version: i64,
}

/// One line of the catalogue: the latest version of a procedure.
#[derive(Serialize, ToSchema)]
pub struct ProcedureSummaryOut {
    #[schema(example = "1.009999")]
    pub code: String,
    #[schema(example = 2)]
    pub version: i64,
    #[schema(example = "Xác nhận thời gian công tác trong quân đội")]
    pub name: String,
    #[schema(example = "CS-QN")]
    pub field_code: String,
    #[schema(example = "Chính sách quân nhân")]
    pub field_name: String,
    #[schema(example = "Cấp Bộ")]
    pub level: String,
    #[schema(example = "000.00.01.H22")]
    pub implementing_unit: String,
    #[schema(example = "Cục Chính sách")]
    pub implementing_unit_name: String,
    /// When this version was saved (+07:00).
    #[schema(example = "2026-11-02T09:00:00+07:00")]
    pub saved_at: String,
    #[schema(example = "cchc.bo")]
    pub saved_by: String,
}

impl From<ProcedureSummary> for ProcedureSummaryOut {
    fn from(p: ProcedureSummary) -> Self {
        ProcedureSummaryOut {
            code: p.code,
            version: p.version,
            name: p.name,
            field_code: p.field_code,
            field_name: p.field_name,
            level: p.level,
            implementing_unit: p.implementing_unit,
            implementing_unit_name: p.implementing_unit_name,
            saved_at: vn_time(p.saved_at),
            saved_by: p.saved_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    pub items: Vec<ProcedureSummaryOut>,
    /// Cursor for the next page (`?after=`), absent on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProcedureQuery {
    /// Code of the last procedure of the previous page.
    pub after: Option<String>,
    /// At most 500.
    pub limit: Option<i64>,
    /// Field (lĩnh vực) code, e.g. `CS-QN`.
    pub field: Option<String>,
    /// Words in the code, name or field name; diacritics and case are ignored.
    pub q: Option<String>,
    /// Code of the implementing unit.
    pub unit: Option<String>,
}

/// The catalogue: latest versions, ordered by code. Every signed-in person reads all of it.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(ProcedureQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = ProcedurePage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn list_procedures(
    ctx: Ctx,
    QueryParams(q): QueryParams<ProcedureQuery>,
) -> ApiResult<Json<ProcedurePage>> {
    let nonblank = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = ProcedureFilter {
        after: nonblank(q.after),
        field: nonblank(q.field),
        query: nonblank(q.q),
        unit: nonblank(q.unit).map(|u| u.to_ascii_uppercase()),
    };
    let page = ctx
        .store
        .procedures(&filter, q.limit.unwrap_or(DEFAULT_LIMIT))
        .await?;
    Ok(Json(ProcedurePage {
        items: page.items.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// Saves a procedure (admin, reform office): version 1 for a new code, otherwise the next
/// version of it. The implementing unit and the units of the workflow steps must be in the
/// caller's scope (422 `unit_not_found`).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures", request_body = ProcedureIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = ProcedureOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_procedure(
    ctx: Ctx,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewProcedure>,
) -> ApiResult<(StatusCode, Json<Procedure>)> {
    ctx.require(&EDITORS)?;
    // Working days convert to minutes with the office hours of the calendar in effect.
    let minutes_per_day = state.calendar().await?.calendar().minutes_per_day();
    let procedure = Procedure::parse(body, minutes_per_day)?;
    let saved = ctx
        .store
        .save_procedure(ctx.actor(), ctx.now(), &procedure)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// An older version; the latest when absent.
    pub version: Option<i64>,
}

/// One procedure: the latest version, or `?version=n`.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "National procedure code", example = "1.009999"), VersionQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = ProcedureOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_procedure(
    ctx: Ctx,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<VersionQuery>,
) -> ApiResult<Json<Procedure>> {
    Ok(Json(
        ctx.store
            .procedure(&code.trim().to_ascii_uppercase(), q.version)
            .await?,
    ))
}
