//! `/api/v1/reports/bieu-06`: Biểu số 06/VPCP/KSTT (issue 5, item 1) as JSON or XLSX, for a
//! period (official 15th → 14th cut-offs, calendar periods or any range) and a unit subtree
//! in the caller's scope. [`bieu06_for`] is shared by the API and the page.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::report::{Bieu06, Bieu06Row, ReportPeriod, RowsBy};
use motcua_domain::user::Role;
use motcua_domain::{Error, Result};
use motcua_store::ScopedStore;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::QueryParams;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

/// Who may read Biểu 06: the reform office compiles it, leaders sign it, inspectors and
/// administrators read everything in their scope (crates/domain/src/user.rs).
pub const CAN_READ_REPORTS: &[Role] = &[
    Role::ReformOffice,
    Role::Leader,
    Role::Inspector,
    Role::Admin,
];

/// Where a ministry's form goes (Thông tư 01/2020/TT-VPCP); a unit below reports to its parent.
pub const RECEIVING_BODY: &str = "Văn phòng Chính phủ";

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Bieu06Query {
    /// Kỳ báo cáo: `2022-Q3`, `2022-H1`, `2022-Y`, `2022-09` (bỏ trống khi dùng from/to).
    pub period: Option<String>,
    /// `true`: tháng/quý/năm theo lịch thay vì kỳ chốt số liệu 15 → 14.
    pub calendar: Option<bool>,
    /// Từ ngày `YYYY-MM-DD` (cùng với `to`, thay cho `period`).
    pub from: Option<String>,
    /// Đến ngày `YYYY-MM-DD`, tính cả ngày này.
    pub to: Option<String>,
    /// Mã đơn vị báo cáo (mặc định: đơn vị cao nhất trong phạm vi).
    pub unit: Option<String>,
    /// `field` (theo lĩnh vực, mặc định) hoặc `unit` (theo đơn vị trực thuộc).
    pub rows: Option<String>,
    /// `json` (mặc định) hoặc `xlsx`.
    pub format: Option<String>,
}

fn date(field: &'static str, value: &str) -> Result<Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let dmy = time::macros::format_description!("[day]/[month]/[year]");
    let v = value.trim();
    Date::parse(v, &iso)
        .or_else(|_| Date::parse(v, &dmy))
        .map_err(|_| {
            Error::invalid(
                "date_invalid",
                format!("Ngày không hợp lệ: \"{v}\" (ví dụ: 2022-09-14)."),
            )
            .with_details(serde_json::json!({ "field": field }))
        })
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Bieu06Query {
    /// The period: `from`/`to` when both are given, else `period` (422 `report_period_invalid`
    /// when neither).
    pub fn period(&self) -> Result<ReportPeriod> {
        match (non_empty(&self.from), non_empty(&self.to)) {
            (Some(from), Some(to)) => ReportPeriod::range(date("from", from)?, date("to", to)?),
            (None, None) => ReportPeriod::parse(
                non_empty(&self.period).unwrap_or_default(),
                self.calendar.unwrap_or(false),
            ),
            _ => Err(Error::invalid(
                "report_range_invalid",
                "Cần cả ngày bắt đầu (from) và ngày kết thúc (to).",
            )
            .with_details(serde_json::json!({ "field": "to" }))),
        }
    }

    pub fn rows(&self) -> Result<RowsBy> {
        non_empty(&self.rows).map_or(Ok(RowsBy::Field), RowsBy::parse)
    }

    /// Whether the workbook is asked for (400 `format_invalid` for anything but json/xlsx).
    pub fn xlsx(&self) -> Result<bool> {
        match non_empty(&self.format)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("json") => Ok(false),
            Some("xlsx") => Ok(true),
            Some(other) => Err(Error::bad_request(
                "format_invalid",
                format!("Định dạng không hợp lệ: \"{other}\" (json hoặc xlsx)."),
            )),
        }
    }
}

/// The form for the query within `store`'s scope, and the body it is sent to (the parent unit,
/// or Văn phòng Chính phủ for the ministry).
pub async fn bieu06_for(store: &ScopedStore, q: &Bieu06Query) -> Result<(Bieu06, String)> {
    let period = q.period()?;
    let b = store.bieu06(&period, non_empty(&q.unit), q.rows()?).await?;
    let receiving = store
        .report_receiver(&b.unit_code)
        .await?
        .unwrap_or_else(|| RECEIVING_BODY.to_string());
    Ok((b, receiving))
}

/// The workbook's bytes and its file name (`bieu-06_<unit>_<period>.xlsx`).
pub fn xlsx_file(b: &Bieu06, receiving: &str) -> Result<(Vec<u8>, String)> {
    let bytes = motcua_documents::bieu06_xlsx::bieu06_xlsx(b, receiving)?;
    Ok((bytes, motcua_documents::bieu06_xlsx::file_name(b)))
}

/// The workbook as a download.
pub fn xlsx_download(b: &Bieu06, receiving: &str) -> Result<Response> {
    let (bytes, name) = xlsx_file(b, receiving)?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The period as answered.
#[derive(Serialize, ToSchema)]
pub struct PeriodOut {
    /// "Quý III/2022".
    pub label: String,
    /// "2022-Q3" (a range: "2022-07-01..2022-09-30").
    pub spec: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive), `YYYY-MM-DD`.
    pub to: String,
    pub calendar: bool,
}

/// One row: the form's columns (number in the description) and the withdrawn/stopped count.
#[derive(Serialize, ToSchema)]
pub struct Bieu06RowOut {
    /// Field code or unit code ("" for the total).
    pub key: String,
    pub label: String,
    /// (3) = (4) + (5) + (6).
    pub received_total: u64,
    /// (4)
    pub received_online: u64,
    /// (5)
    pub received_offline: u64,
    /// (6)
    pub carried_over: u64,
    /// (7) = (8) + (9) + (10).
    pub resolved_total: u64,
    /// (8)
    pub resolved_early: u64,
    /// (9)
    pub resolved_on_time: u64,
    /// (10)
    pub resolved_late: u64,
    /// (11) = (12) + (13).
    pub pending_total: u64,
    /// (12)
    pub pending_within: u64,
    /// (13)
    pub pending_overdue: u64,
    /// Withdrawn or stopped in the period: (3) = (7) + (11) + this.
    pub left_without_result: u64,
}

impl From<&Bieu06Row> for Bieu06RowOut {
    fn from(r: &Bieu06Row) -> Self {
        Bieu06RowOut {
            key: r.key.clone(),
            label: r.label.clone(),
            received_total: r.received_total(),
            received_online: r.received_online,
            received_offline: r.received_offline,
            carried_over: r.carried_over,
            resolved_total: r.resolved_total(),
            resolved_early: r.resolved_early,
            resolved_on_time: r.resolved_on_time,
            resolved_late: r.resolved_late,
            pending_total: r.pending_total(),
            pending_within: r.pending_within,
            pending_overdue: r.pending_overdue,
            left_without_result: r.left_without_result,
        }
    }
}

/// Biểu 06 as JSON.
#[derive(Serialize, ToSchema)]
pub struct Bieu06Out {
    pub period: PeriodOut,
    pub unit_code: String,
    pub unit_name: String,
    /// Unit the form is sent to.
    pub receiving_unit: String,
    /// `field` or `unit`.
    pub rows_by: String,
    pub rows: Vec<Bieu06RowOut>,
    pub total: Bieu06RowOut,
}

impl Bieu06Out {
    pub fn new(b: &Bieu06, receiving: String) -> Self {
        Bieu06Out {
            period: PeriodOut {
                label: b.period.label.clone(),
                spec: b.period.spec.clone(),
                from: b.period.from.to_string(),
                to: b.period.to.to_string(),
                calendar: b.period.calendar,
            },
            unit_code: b.unit_code.clone(),
            unit_name: b.unit_name.clone(),
            receiving_unit: receiving,
            rows_by: b.rows_by.as_str().to_string(),
            rows: b.rows.iter().map(Bieu06RowOut::from).collect(),
            total: Bieu06RowOut::from(&b.total),
        }
    }
}

/// Biểu số 06/VPCP/KSTT: dossiers received, resolved (early, on time, late) and pending
/// (within, overdue) in the period, "as of" its end, per field or per unit directly under the
/// chosen one; `format=xlsx` answers the workbook in the official layout.
#[utoipa::path(get, path = "/api/v1/reports/bieu-06", tag = "reports", params(Bieu06Query),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = Bieu06Out,
               description = "JSON; với format=xlsx là tệp XLSX kèm Content-Disposition: attachment"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có đơn vị hoặc ngoài phạm vi"),
              (status = 422, body = ErrorBody, description = "Kỳ báo cáo, khoảng ngày hoặc cách chia dòng không hợp lệ")))]
pub async fn bieu06(ctx: Ctx, QueryParams(q): QueryParams<Bieu06Query>) -> ApiResult<Response> {
    ctx.require(CAN_READ_REPORTS)?;
    let xlsx = q.xlsx()?;
    let (b, receiving) = bieu06_for(&ctx.store, &q).await?;
    if xlsx {
        Ok(xlsx_download(&b, &receiving)?)
    } else {
        Ok(Json(Bieu06Out::new(&b, receiving)).into_response())
    }
}
