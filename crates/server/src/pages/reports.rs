//! The Biểu 06 page: choose the period (official, calendar or a range), the unit and the rows,
//! read the table in Vietnamese number format, and download the XLSX (the same query with
//! `format=xlsx`, served by this page so a browser session suffices).

use askama::Template;
use motcua_domain::text::vn_number;

use super::{Nav, PageError, PageParams, PageResult, render};
use crate::api::reports::{Bieu06Query, CAN_READ_REPORTS, bieu06_for, xlsx_download};
use crate::auth::PageCtx;

/// One table row as shown: STT, label and the figures as Vietnamese numbers.
pub struct RowView {
    pub stt: String,
    pub label: String,
    pub cells: Vec<String>,
}

fn view(stt: String, r: &motcua_domain::report::Bieu06Row) -> RowView {
    RowView {
        stt,
        label: r.label.clone(),
        cells: r
            .numbers()
            .iter()
            .map(|n| vn_number(i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "bieu06.html")]
struct Bieu06Page {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    period: String,
    from: String,
    to: String,
    unit: String,
    rows_by_unit: bool,
    calendar: bool,
    /// Shown once a report was computed.
    title: String,
    period_line: String,
    unit_name: String,
    receiving: String,
    label_head: String,
    rows: Vec<RowView>,
    total: Option<RowView>,
    /// Query string of the XLSX link.
    xlsx_query: String,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /reports/bieu-06[?period=2022-Q3&unit=…&rows=unit&calendar=true&from=&to=][&format=xlsx]`.
pub async fn page(ctx: PageCtx, PageParams(q): PageParams<Bieu06Query>) -> PageResult {
    ctx.require(CAN_READ_REPORTS)?;
    let chosen = [&q.period, &q.from, &q.to]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let mut p = Bieu06Page {
        nav: Nav::new(&ctx, "bieu06"),
        flash: None,
        error: None,
        period: q.period.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        unit: q.unit.clone().unwrap_or_default(),
        rows_by_unit: q.rows.as_deref() == Some("unit"),
        calendar: q.calendar.unwrap_or(false),
        title: String::new(),
        period_line: String::new(),
        unit_name: String::new(),
        receiving: String::new(),
        label_head: String::new(),
        rows: vec![],
        total: None,
        xlsx_query: String::new(),
    };
    if !chosen {
        return Ok(render(&p));
    }
    let xlsx = q.xlsx().map_err(PageError)?;
    match bieu06_for(&ctx.store, &q).await {
        Ok((b, receiving)) if xlsx => Ok(xlsx_download(&b, &receiving).map_err(PageError)?),
        Ok((b, receiving)) => {
            p.title = motcua_domain::report::BIEU06_NAME.to_string();
            p.period_line = format!("Kỳ báo cáo: {} ({})", b.period.label, b.period.dates_line());
            p.unit_name = b.unit_name.clone();
            p.receiving = receiving;
            p.label_head = match b.rows_by {
                motcua_domain::report::RowsBy::Field => "Lĩnh vực, công việc giải quyết theo cấp",
                motcua_domain::report::RowsBy::Unit => "Đơn vị giải quyết",
            }
            .to_string();
            p.rows = b
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| view((i + 1).to_string(), r))
                .collect();
            p.total = Some(view(String::new(), &b.total));
            let mut qs = vec![
                ("unit", b.unit_code.clone()),
                ("rows", b.rows_by.as_str().to_string()),
            ];
            if b.period.kind == motcua_domain::report::PeriodKind::Range {
                qs.push(("from", b.period.from.to_string()));
                qs.push(("to", b.period.to.to_string()));
            } else {
                qs.push(("period", b.period.spec.clone()));
                if b.period.calendar {
                    qs.push(("calendar", "true".to_string()));
                }
            }
            qs.push(("format", "xlsx".to_string()));
            p.xlsx_query = qs
                .iter()
                .map(|(k, v)| format!("{k}={}", enc(v)))
                .collect::<Vec<_>>()
                .join("&");
            Ok(render(&p))
        }
        // Bad input (period, unit, rows) is shown on the form; failures get the error page.
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal => {
            p.error = Some(e.message);
            Ok(render(&p))
        }
        Err(e) => Err(PageError(e)),
    }
}
