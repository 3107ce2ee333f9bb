//! `/api/v1/reports/quarterly`: the quarterly administrative-reform report (issue 5, item 3) as
//! DOCX or Markdown. [`build_report`] gathers the figures (Biểu 06 with rows per unit, the
//! e-government coverage as of the period's last day) and is shared by the API, the page and
//! `motcua report quarterly`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::quarterly::{
    EgovFigures, LevelShare, Quarter, QuarterlyFigures, QuarterlyReport, ReportHeader,
};
use motcua_domain::report::{ReportPeriod, RowsBy};
use motcua_domain::user::Role;
use motcua_domain::{Error, ErrorKind, Result, text};
use motcua_store::ScopedStore;
use serde::Deserialize;
use time::Date;
use utoipa::IntoParams;

use super::QueryParams;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

/// Who may produce the report: the reform office writes it, leaders sign it, inspectors and
/// administrators read everything in their scope.
pub const CAN_READ_QUARTERLY: &[Role] = &[
    Role::ReformOffice,
    Role::Leader,
    Role::Inspector,
    Role::Admin,
];

/// Boolean e-government facts quoted in section II.6, in the order the sentence names them.
pub const COVERAGE_KINDS: [&str; 4] = [
    "data_network",
    "digital_workspace",
    "online_meetings",
    "task_tracking",
];
/// The count fact quoted as "Phần mềm Thư điện tử … với N tài khoản".
pub const EMAIL_KIND: &str = "email_accounts";

/// What the user chooses: the quarter, the unit and the heading details.
#[derive(Debug, Clone, Default)]
pub struct QuarterlyOptions {
    /// `2022-Q3`.
    pub period: String,
    /// Calendar quarter instead of the official cut-off (15th → 14th, Nghị định 09/2019/NĐ-CP).
    pub calendar: bool,
    /// The issuing unit (default: the top of the caller's scope).
    pub unit: Option<String>,
    pub number: Option<String>,
    pub place: Option<String>,
    pub date: Option<Date>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Docx,
    Markdown,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "docx" => Ok(ReportFormat::Docx),
            "md" | "markdown" => Ok(ReportFormat::Markdown),
            _ => Err(Error::bad_request(
                "format_invalid",
                format!("Định dạng không hợp lệ: \"{s}\" (docx hoặc md)."),
            )),
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Docx => "docx",
            ReportFormat::Markdown => "md",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ReportFormat::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

/// `2022-09-20` or `20/09/2022`.
pub fn parse_date(field: &'static str, value: &str) -> Result<Date> {
    let bad = || {
        Error::bad_request(
            "date_invalid",
            format!("Ngày không hợp lệ: \"{value}\" (ví dụ: 2022-09-20)."),
        )
        .with_details(serde_json::json!({ "field": field }))
    };
    let v = value.trim();
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let dmy = time::macros::format_description!("[day]/[month]/[year]");
    Date::parse(v, &iso)
        .or_else(|_| Date::parse(v, &dmy))
        .map_err(|_| bad())
}

/// Optional heading text: cleaned, bounded, `None` when empty.
fn heading_text(field: &'static str, label: &str, v: Option<&str>) -> Result<Option<String>> {
    text::optional(field, label, v, 255)
}

/// A fact kind that this installation does not keep (the list is configurable) or of the
/// other value type is simply left out of the report.
fn kind_missing(e: &Error) -> bool {
    e.kind != ErrorKind::Internal && e.code.starts_with("fact_kind_")
}

/// Gathers the figures and builds the report with its drafts, within `store`'s scope.
pub async fn build_report(store: &ScopedStore, opts: &QuarterlyOptions) -> Result<QuarterlyReport> {
    let quarter = Quarter::parse(&opts.period)?;
    let period = ReportPeriod::parse(&quarter.spec(), opts.calendar)?;
    let bieu06 = store
        .bieu06(&period, opts.unit.as_deref(), RowsBy::Unit)
        .await?;
    let top = store.unit(&bieu06.unit_code).await?;
    // The parent body ("cơ quan chủ quản") is shown when the caller may see it.
    let parent = match &top.parent_code {
        Some(code) => store.unit(code).await.ok().map(|u| u.name),
        None => None,
    };

    let as_of = period.to;
    let mut egov = EgovFigures::default();
    for kind in COVERAGE_KINDS {
        match store.fact_coverage(&top.code, kind, as_of).await {
            Ok(levels) => {
                egov.coverage.insert(
                    kind.to_string(),
                    levels.iter().map(LevelShare::from).collect(),
                );
            }
            Err(e) if kind_missing(&e) => {}
            Err(e) => return Err(e),
        }
    }
    match store.fact_total(&top.code, EMAIL_KIND, as_of).await {
        Ok(n) => egov.email_accounts = Some(n),
        Err(e) if kind_missing(&e) => {}
        Err(e) => return Err(e),
    }

    let figures = QuarterlyFigures::from_bieu06(quarter, &bieu06, egov);
    let mut header =
        ReportHeader::for_unit(&top.name, top.short_name.as_deref(), parent.as_deref());
    header.number = heading_text("number", "Số văn bản", opts.number.as_deref())?;
    if let Some(place) = heading_text("place", "Địa danh", opts.place.as_deref())? {
        header.place = place;
    }
    header.date = opts.date;
    if let Some(title) = opts.signer_title.as_deref() {
        // Lines are kept ("KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG").
        let lines: Vec<String> = title
            .lines()
            .map(text::clean)
            .filter(|l| !l.is_empty())
            .collect();
        if !lines.is_empty() {
            header.signer_title = lines.join("\n");
        }
    }
    header.signer_name = heading_text("signer_name", "Người ký", opts.signer_name.as_deref())?;
    Ok(QuarterlyReport::build(header, &figures))
}

/// The report's bytes and file name (`bao-cao-cchc-2022-Q3-<unit>.docx`).
pub fn render(report: &QuarterlyReport, format: ReportFormat) -> Result<(Vec<u8>, String)> {
    let bytes = match format {
        ReportFormat::Docx => motcua_documents::quarterly::quarterly_docx(report)?,
        ReportFormat::Markdown => {
            motcua_documents::quarterly::quarterly_markdown(report).into_bytes()
        }
    };
    let abbrev: String = report
        .header
        .issuer_abbrev
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let name = format!(
        "bao-cao-cchc-{}-{}.{}",
        report.quarter.spec(),
        if abbrev.is_empty() { "don-vi" } else { &abbrev },
        format.extension()
    );
    Ok((bytes, name))
}

/// A rendered report as a download.
pub fn download(bytes: Vec<u8>, file_name: &str, format: ReportFormat) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
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
        .into_response()
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuarterlyQuery {
    /// Quý báo cáo, ví dụ `2022-Q3`.
    pub period: String,
    /// Mã đơn vị báo cáo (mặc định: đơn vị cao nhất trong phạm vi).
    pub unit: Option<String>,
    /// `docx` (mặc định) hoặc `md`.
    pub format: Option<String>,
    /// `true`: quý theo lịch thay vì kỳ chốt số liệu 15 → 14.
    pub calendar: Option<bool>,
    /// Số văn bản, ví dụ `3163`.
    pub number: Option<String>,
    /// Địa danh (mặc định Hà Nội).
    pub place: Option<String>,
    /// Ngày ký `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Thẩm quyền ký, nhiều dòng phân cách bằng xuống dòng.
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

impl QuarterlyQuery {
    pub fn options(&self) -> Result<QuarterlyOptions> {
        Ok(QuarterlyOptions {
            period: self.period.clone(),
            calendar: self.calendar.unwrap_or(false),
            unit: self.unit.clone().filter(|u| !u.trim().is_empty()),
            number: self.number.clone(),
            place: self.place.clone(),
            date: self
                .date
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| parse_date("date", d))
                .transpose()?,
            signer_title: self.signer_title.clone(),
            signer_name: self.signer_name.clone(),
        })
    }
}

/// The quarterly reform report of a unit subtree (Nghị định 30/2020/NĐ-CP layout), figures
/// from Biểu 06 and the unit e-government facts, narrative sections as drafts.
#[utoipa::path(get, path = "/api/v1/reports/quarterly", tag = "reports", params(QuarterlyQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = String,
               description = "Tệp DOCX (hoặc Markdown với format=md); Content-Disposition: attachment"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có đơn vị hoặc ngoài phạm vi")))]
pub async fn quarterly_report(
    ctx: Ctx,
    QueryParams(q): QueryParams<QuarterlyQuery>,
) -> ApiResult<Response> {
    ctx.require(CAN_READ_QUARTERLY)?;
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or(""))?;
    let report = build_report(&ctx.store, &q.options()?).await?;
    let (bytes, name) = render(&report, format)?;
    Ok(download(bytes, &name, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_dates() {
        assert_eq!(ReportFormat::parse("").unwrap(), ReportFormat::Docx);
        assert_eq!(ReportFormat::parse("MD").unwrap(), ReportFormat::Markdown);
        assert_eq!(
            ReportFormat::parse("pdf").unwrap_err().code,
            "format_invalid"
        );
        assert_eq!(
            parse_date("date", "20/09/2022").unwrap(),
            time::macros::date!(2022 - 09 - 20)
        );
        assert_eq!(
            parse_date("date", "2022-09-20").unwrap(),
            time::macros::date!(2022 - 09 - 20)
        );
        assert_eq!(
            parse_date("date", "2022-13-01").unwrap_err().code,
            "date_invalid"
        );
    }
}
