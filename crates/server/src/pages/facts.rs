//! E-government pages (issue 5 item 2; docs/egov.md): "Chính phủ điện tử" (/egov) with the
//! coverage by level as of a date, and the facts section of each unit's page with the form to
//! record a value (POST /units/{code}/facts, CSRF, works without JavaScript).

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect};
use motcua_domain::calendar::iso_date;
use motcua_domain::egov::{ValueType, parse_fact_date, vn_date, vn_today};
use motcua_domain::{Error, ErrorKind};
use serde::Deserialize;
use serde_json::Value;

use super::{Nav, PageForm, PageParams, PageResult, render};
use crate::api::facts::{
    CAN_EDIT_FACTS, CoverageOut, coverage_out, new_fact, top_unit, unit_facts_out,
};
use crate::auth::PageCtx;

#[derive(Template)]
#[template(path = "egov.html")]
struct EgovPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    unit_name: String,
    as_of: String,
    as_of_vn: String,
    report: CoverageOut,
}

#[derive(Deserialize)]
pub struct EgovQuery {
    unit: Option<String>,
    as_of: Option<String>,
}

/// "Chính phủ điện tử": coverage by level of every boolean kind and totals of counts.
pub async fn page(ctx: PageCtx, PageParams(q): PageParams<EgovQuery>) -> PageResult {
    let date = match q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) => parse_fact_date(v)?,
        None => vn_today(ctx.now()),
    };
    let unit = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) => u.to_ascii_uppercase(),
        None => top_unit(&ctx.store).await?,
    };
    let unit_name = ctx.store.unit(&unit).await?.name;
    let report = coverage_out(&ctx.store, &unit, date).await?;
    Ok(render(&EgovPage {
        nav: Nav::new(&ctx, "egov"),
        flash: None,
        error: None,
        unit_name,
        as_of: iso_date(date),
        as_of_vn: vn_date(date),
        report,
    }))
}

/// One line of the "current values" table on a unit's page.
pub struct CurrentRow {
    pub name: String,
    pub value_text: String,
    pub valid_from: String,
    pub note: String,
}

/// One recorded value in the history table.
pub struct HistoryRow {
    pub name: String,
    pub value_text: String,
    pub valid_from: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The facts section of a unit's page (`templates/_unit_facts.html`).
pub struct FactsSection {
    pub as_of_vn: String,
    pub today: String,
    pub current: Vec<CurrentRow>,
    pub history: Vec<HistoryRow>,
    pub can_edit: bool,
    /// (code, name, is boolean) of the active kinds, for the form.
    pub kinds: Vec<(String, String, bool)>,
}

/// Builds the facts section for a unit inside the person's scope, as of today.
pub async fn section(ctx: &PageCtx, code: &str) -> Result<FactsSection, Error> {
    let today = vn_today(ctx.now());
    let out = unit_facts_out(&ctx.store, code, today).await?;
    let kinds = ctx.store.fact_kinds().await?;
    let name_of = |code: &str| {
        kinds
            .iter()
            .find(|k| k.code == code)
            .map_or_else(|| code.to_string(), |k| k.name.clone())
    };
    let date_vn = |iso: &str| {
        parse_fact_date(iso)
            .map(vn_date)
            .unwrap_or_else(|_| iso.to_string())
    };
    let current = kinds
        .iter()
        .filter(|k| k.active)
        .map(|k| match out.current.iter().find(|f| f.kind == k.code) {
            Some(f) => CurrentRow {
                name: k.name.clone(),
                value_text: f.value_text.clone(),
                valid_from: date_vn(&f.valid_from),
                note: f.note.clone().unwrap_or_default(),
            },
            None => CurrentRow {
                name: k.name.clone(),
                value_text: "Chưa có thông tin".into(),
                valid_from: String::new(),
                note: String::new(),
            },
        })
        .collect();
    let history = out
        .history
        .iter()
        .map(|f| HistoryRow {
            name: name_of(&f.kind),
            value_text: f.value_text.clone(),
            valid_from: date_vn(&f.valid_from),
            note: f.note.clone().unwrap_or_default(),
            recorded_by: f.recorded_by.clone(),
            recorded_at: f
                .recorded_at
                .get(..16)
                .map(|s| s.replace('T', " "))
                .unwrap_or_default(),
        })
        .collect();
    Ok(FactsSection {
        as_of_vn: vn_date(today),
        today: iso_date(today),
        current,
        history,
        can_edit: ctx.user.has_any(CAN_EDIT_FACTS),
        kinds: kinds
            .into_iter()
            .filter(|k| k.active)
            .map(|k| (k.code, k.name, k.value_type == ValueType::Boolean))
            .collect(),
    })
}

#[derive(Deserialize)]
pub struct FactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    valid_from: String,
    note: Option<String>,
}

/// Records a value from the unit page's form; rule breaks are shown on the unit page.
pub async fn record(
    ctx: PageCtx,
    Path(code): Path<String>,
    PageForm(form): PageForm<FactForm>,
) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(CAN_EDIT_FACTS)?;
    let code = code.trim().to_ascii_uppercase();
    let unit = ctx.store.unit(&code).await?;
    let outcome = async {
        let kinds = ctx.store.fact_kinds().await?;
        let fact = new_fact(
            &kinds,
            &unit.code,
            &form.kind,
            &Value::String(form.value.clone()),
            &form.valid_from,
            form.note.as_deref(),
            vn_today(ctx.now()),
        )?;
        ctx.store
            .record_facts(ctx.actor(), ctx.now(), std::slice::from_ref(&fact))
            .await
    }
    .await;
    match outcome {
        Ok(_) => {
            Ok(Redirect::to(&format!("/units/{}?ok=fact_recorded", unit.code)).into_response())
        }
        Err(e) if matches!(e.kind, ErrorKind::Unprocessable | ErrorKind::BadRequest) => {
            super::units::show_unit(&ctx, unit, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}
