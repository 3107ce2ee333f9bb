//! The procedure catalogue pages: the list with search, and one procedure with its channels,
//! fees, workflow and required documents (read-only; editing is `motcua procedure import`).

use askama::Template;
use axum::extract::{Path, State};
use motcua_domain::procedure::{OnlineLevel, Procedure, StepUnit};
use motcua_domain::user::Role;
use motcua_store::{ProcedureFilter, ProcedureSummary};
use serde::Deserialize;

use super::dossiers::budget_label;
use super::units::vn_number;
use super::{Nav, PageParams, PageResult, render, url_encode};
use crate::AppState;
use crate::auth::PageCtx;

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    q: String,
    items: Vec<ProcedureSummary>,
    next_link: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

pub async fn list(ctx: PageCtx, PageParams(q): PageParams<ListQuery>) -> PageResult {
    let text = q.q.unwrap_or_default();
    let filter = ProcedureFilter {
        after: q.after.filter(|a| !a.trim().is_empty()),
        query: Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        ..Default::default()
    };
    let page = ctx.store.procedures(&filter, 50).await?;
    Ok(render(&ProceduresPage {
        nav: Nav::new(&ctx, "procedures"),
        flash: None,
        error: None,
        next_link: page.next.map(|n| {
            format!(
                "/procedures?q={}&after={}",
                url_encode(&text),
                url_encode(&n)
            )
        }),
        q: text,
        items: page.items,
    }))
}

pub struct ChannelRow {
    pub label: String,
    pub limit: String,
    pub fee: String,
    pub fee_note: String,
}

pub struct StepRow {
    pub name: String,
    pub role: String,
    pub unit: String,
    pub budget: String,
}

pub struct DocumentRow {
    pub name: String,
    pub copy_kind: String,
    pub count: u32,
    pub optional: bool,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    p: Procedure,
    online_level: String,
    cutoff: String,
    channels: Vec<ChannelRow>,
    steps: Vec<StepRow>,
    total: String,
    documents: Vec<DocumentRow>,
    can_intake: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> PageResult {
    let p = ctx.store.procedure(code.trim(), None).await?;
    let per_day = state.rules_at(ctx.now()).minutes_per_day;
    let channels = p
        .channels
        .iter()
        .map(|c| ChannelRow {
            label: c.channel.label().into(),
            limit: c.limit.label(),
            fee: if c.fee_vnd > 0 {
                format!("{} đ", vn_number(c.fee_vnd))
            } else {
                "Không thu phí".into()
            },
            fee_note: c.fee_note.clone().unwrap_or_default(),
        })
        .collect();
    let steps = p
        .workflow
        .steps
        .iter()
        .map(|s| StepRow {
            name: s.name.clone(),
            role: s.role.label().into(),
            unit: match &s.unit {
                StepUnit::Owner => "Đơn vị giải quyết".into(),
                StepUnit::Unit(code) => code.clone(),
            },
            budget: step_budget_label(s, per_day),
        })
        .collect();
    let documents = p
        .documents
        .iter()
        .map(|d| DocumentRow {
            name: d.name.clone(),
            copy_kind: d.copy_kind.label().into(),
            count: d.count,
            optional: d.optional,
        })
        .collect();
    Ok(render(&ProcedurePage {
        nav: Nav::new(&ctx, "procedures"),
        flash: None,
        error: None,
        online_level: match p.online_level {
            OnlineLevel::FullyOnline => "Toàn trình",
            OnlineLevel::Partial => "Một phần",
            OnlineLevel::None => "Không cung cấp trực tuyến",
        }
        .into(),
        cutoff: p
            .same_day_cutoff
            .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
            .unwrap_or_default(),
        total: total_label(&p, per_day),
        channels,
        steps,
        documents,
        can_intake: ctx.user.has_role(Role::Receiver),
        p,
    }))
}

/// A step's budget, with its per-channel budgets after it: "20 giờ làm việc (trực tuyến: 16 giờ
/// làm việc)".
fn step_budget_label(s: &motcua_domain::procedure::Step, per_day: i64) -> String {
    let mut label = budget_label(s.budget_minutes, per_day);
    if !s.channel_budgets.is_empty() {
        let others: Vec<String> = s
            .channel_budgets
            .iter()
            .map(|(c, m)| {
                format!(
                    "{}: {}",
                    c.label().to_lowercase(),
                    budget_label(*m, per_day)
                )
            })
            .collect();
        label.push_str(&format!(" ({})", others.join("; ")));
    }
    label
}

/// The workflow's total per channel when the channels' limits differ, else the one total.
fn total_label(p: &Procedure, per_day: i64) -> String {
    let totals: Vec<(motcua_domain::procedure::Channel, i64)> = p
        .channels
        .iter()
        .map(|t| (t.channel, p.workflow.total_for(t.channel)))
        .collect();
    if totals.windows(2).all(|w| w[0].1 == w[1].1) {
        let total = totals.first().map_or(p.workflow.total_minutes(), |t| t.1);
        return budget_label(total, per_day);
    }
    totals
        .iter()
        .map(|(c, m)| format!("{}: {}", c.label(), budget_label(*m, per_day)))
        .collect::<Vec<_>>()
        .join("; ")
}
