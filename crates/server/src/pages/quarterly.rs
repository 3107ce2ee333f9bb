//! The quarterly reform report page: choose the quarter and unit, read the figures generated
//! from data, edit the narrative drafts in text areas, and download the DOCX (or Markdown)
//! with the edited text. The POST rebuilds the figures from data and applies only the drafts,
//! so the figures in the file always match the data.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::response::Response;
use motcua_domain::Error;
use motcua_domain::quarterly::{Block, Quarter, QuarterlyReport};
use serde::Deserialize;

use super::{Nav, PageError, PageParams, PageResult, render};
use crate::api::quarterly::{
    CAN_READ_QUARTERLY, QuarterlyOptions, ReportFormat, build_report, download, parse_date,
};
use crate::auth::PageCtx;

/// Form field prefix of the draft text areas: `draft.<key>`.
const DRAFT_PREFIX: &str = "draft.";

pub struct BlockView {
    /// `section`, `subsection`, `figures` or `draft`.
    pub kind: &'static str,
    pub text: String,
    pub key: String,
    pub label: String,
    pub rows: usize,
}

impl BlockView {
    fn of(block: &Block) -> Self {
        let (kind, text, key, label) = match block {
            Block::Section { title } => ("section", title.clone(), String::new(), String::new()),
            Block::Subsection { title } => {
                ("subsection", title.clone(), String::new(), String::new())
            }
            Block::Figures { text } => ("figures", text.clone(), String::new(), String::new()),
            Block::Draft { key, label, text } => {
                ("draft", text.clone(), key.clone(), label.clone())
            }
        };
        let rows = (text.chars().count() / 90 + text.lines().count()).clamp(3, 20);
        BlockView {
            kind,
            text,
            key: format!("{DRAFT_PREFIX}{key}"),
            label,
            rows,
        }
    }
}

/// The heading fields, as typed.
#[derive(Default, Clone)]
pub struct HeadingFields {
    pub period: String,
    pub unit: String,
    pub calendar: bool,
    pub number: String,
    pub place: String,
    pub date: String,
    pub signer_title: String,
    pub signer_name: String,
}

impl HeadingFields {
    fn options(&self) -> Result<QuarterlyOptions, Error> {
        let some = |s: &str| Some(s.to_string()).filter(|v| !v.trim().is_empty());
        Ok(QuarterlyOptions {
            period: self.period.clone(),
            calendar: self.calendar,
            unit: some(&self.unit),
            number: some(&self.number),
            place: some(&self.place),
            date: some(&self.date)
                .map(|d| parse_date("date", &d))
                .transpose()?,
            signer_title: some(&self.signer_title),
            signer_name: some(&self.signer_name),
        })
    }
}

#[derive(Template)]
#[template(path = "quarterly.html")]
struct QuarterlyPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    f: HeadingFields,
    summary: String,
    number_line: String,
    blocks: Vec<BlockView>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    period: Option<String>,
    unit: Option<String>,
    calendar: Option<String>,
}

/// The last quarter that has ended by `today` under the official cut-off (its data is
/// complete): on 20/9/2022 that is Q3/2022 (cut-off 14/9), on 10/9/2022 Q2/2022.
fn default_quarter(today: time::Date) -> Quarter {
    let month = u8::from(today.month());
    let q = (month - 1) / 3 + 1;
    let last_month_of_q = q * 3;
    let current = Quarter {
        year: today.year(),
        quarter: q,
    };
    if month == last_month_of_q && today.day() > 14 {
        current
    } else if q == 1 {
        Quarter {
            year: today.year() - 1,
            quarter: 4,
        }
    } else {
        Quarter {
            year: today.year(),
            quarter: q - 1,
        }
    }
}

fn show(
    ctx: &PageCtx,
    f: HeadingFields,
    report: Option<&QuarterlyReport>,
    error: Option<String>,
) -> Response {
    render(&QuarterlyPage {
        nav: Nav::new(ctx, "reports"),
        flash: None,
        error,
        summary: report.map(|r| r.summary.clone()).unwrap_or_default(),
        number_line: report.map(|r| r.header.number_line()).unwrap_or_default(),
        blocks: report
            .map(|r| r.blocks.iter().map(BlockView::of).collect())
            .unwrap_or_default(),
        f,
    })
}

/// `GET /reports/quarterly[?period=2022-Q3&unit=…]`: the form, and the draft when a quarter is chosen.
pub async fn page(ctx: PageCtx, PageParams(q): PageParams<PageQuery>) -> PageResult {
    ctx.require(CAN_READ_QUARTERLY)?;
    let today = motcua_domain::egov::vn_today(ctx.now());
    let chosen = q.period.clone().filter(|p| !p.trim().is_empty());
    let f = HeadingFields {
        period: chosen
            .clone()
            .unwrap_or_else(|| default_quarter(today).spec()),
        unit: q.unit.unwrap_or_default(),
        calendar: q
            .calendar
            .as_deref()
            .is_some_and(|v| v == "true" || v == "on"),
        place: "Hà Nội".to_string(),
        ..HeadingFields::default()
    };
    if chosen.is_none() {
        return Ok(show(&ctx, f, None, None));
    }
    let built = match f.options() {
        Ok(opts) => build_report(&ctx.store, &opts).await,
        Err(e) => Err(e),
    };
    match built {
        Ok(report) => {
            let mut f = f;
            f.signer_title = report.header.signer_title.clone();
            Ok(show(&ctx, f, Some(&report), None))
        }
        // Bad input (quarter, unit) is shown on the form; failures get the error page.
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal => {
            Ok(show(&ctx, f, None, Some(e.message)))
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `POST /reports/quarterly`: the file with the edited drafts (`draft.<key>` fields).
pub async fn download_report(ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body).map_err(|e| {
        PageError(Error::bad_request(
            "form_invalid",
            format!("Biểu mẫu không hợp lệ: {e}"),
        ))
    })?;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut drafts: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in pairs {
        if let Some(key) = k.strip_prefix(DRAFT_PREFIX) {
            drafts.insert(key.to_string(), v);
        } else {
            fields.insert(k, v);
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    ctx.check_csrf(&get("csrf"))?;
    ctx.require(CAN_READ_QUARTERLY)?;
    let f = HeadingFields {
        period: get("period"),
        unit: get("unit"),
        calendar: matches!(get("calendar").as_str(), "true" | "on"),
        number: get("number"),
        place: get("place"),
        date: get("date"),
        signer_title: get("signer_title"),
        signer_name: get("signer_name"),
    };
    let format = ReportFormat::parse(&get("format"))?;
    let mut report = build_report(&ctx.store, &f.options()?).await?;
    report.apply_edits(&drafts)?;
    let (bytes, name) = crate::api::quarterly::render(&report, format)?;
    Ok(download(bytes, &name, format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn default_quarter_is_the_last_closed_one() {
        assert_eq!(default_quarter(date!(2022 - 09 - 20)).spec(), "2022-Q3");
        assert_eq!(default_quarter(date!(2022 - 09 - 14)).spec(), "2022-Q2");
        assert_eq!(default_quarter(date!(2022 - 10 - 01)).spec(), "2022-Q3");
        assert_eq!(default_quarter(date!(2023 - 02 - 01)).spec(), "2022-Q4");
    }
}
