//! `/api/v1/audit`: the hash-chained audit log (admin, inspector).

use axum::Json;
use motcua_domain::audit::AuditEntry;
use motcua_domain::user::Role;
use motcua_store::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DEFAULT_LIMIT, QueryParams, parse_instant, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

pub const CAN_READ_AUDIT: &[Role] = &[Role::Admin, Role::Inspector];

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub seq: i64,
    #[schema(example = "2026-11-27T09:15:00+07:00")]
    pub at: String,
    #[schema(example = "admin")]
    pub actor: String,
    #[schema(example = "unit.create")]
    pub action: String,
    #[schema(example = "unit")]
    pub object_type: String,
    #[schema(example = "000.00.01.H22")]
    pub object_id: String,
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditOut {
    fn from(e: AuditEntry) -> Self {
        AuditOut {
            seq: e.seq,
            at: vn_time(motcua_store::from_micros(e.at_micros)),
            summary: serde_json::from_str(&e.summary)
                .unwrap_or(serde_json::Value::String(e.summary)),
            actor: e.actor,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditOut>,
    /// Pass as `before` for older entries.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// e.g. `unit`, `user`
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub actor: Option<String>,
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// Entries older than this sequence number.
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn to_filter(&self) -> Result<AuditFilter, motcua_domain::Error> {
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(AuditFilter {
            object_type: non_empty(&self.object_type),
            object_id: non_empty(&self.object_id),
            actor: non_empty(&self.actor),
            from_us: non_empty(&self.from)
                .map(|v| parse_instant("from", &v))
                .transpose()?
                .map(motcua_store::to_micros),
            to_us: non_empty(&self.to)
                .map(|v| parse_instant("to", &v))
                .transpose()?
                .map(motcua_store::to_micros),
            before_seq: self.before,
        })
    }
}

/// Audit entries in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    ctx: Ctx,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    ctx.require(CAN_READ_AUDIT)?;
    let page = ctx
        .store
        .audit(&q.to_filter()?, q.limit.unwrap_or(DEFAULT_LIMIT))
        .await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditOut::from).collect(),
        next: page.next,
    }))
}
