//! The audit log page (admin, inspector).

use askama::Template;

use super::{Nav, PageParams, PageResult, render};
use crate::api::audit::{AuditOut, AuditQuery, CAN_READ_AUDIT};
use crate::auth::PageCtx;

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    entries: Vec<AuditRow>,
    next: Option<String>,
    actor: String,
    object_id: String,
}

pub async fn list(ctx: PageCtx, PageParams(q): PageParams<AuditQuery>) -> PageResult {
    ctx.require(CAN_READ_AUDIT)?;
    let page = ctx.store.audit(&q.to_filter()?, 100).await?;
    let entries = page
        .items
        .into_iter()
        .map(AuditOut::from)
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at.replace('T', " ").chars().take(19).collect(),
            actor: e.actor,
            action: e.action,
            object: format!("{} {}", e.object_type, e.object_id),
            summary: e.summary.to_string(),
        })
        .collect();
    Ok(render(&AuditPage {
        nav: Nav::new(&ctx, "audit"),
        flash: None,
        error: None,
        entries,
        next: page.next,
        actor: q.actor.unwrap_or_default(),
        object_id: q.object_id.unwrap_or_default(),
    }))
}
