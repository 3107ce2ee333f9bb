//! SQL of the bulk dossier writer (the demo ministry), compiled for each engine like
//! `engine.rs`. Every row goes through the same functions as intake and workflow actions
//! (`dossiers_sql::{next_sequence, insert_dossier, update_dossier, insert_event}`), so every
//! derived column and table is filled exactly as on the normal path; only the audit differs:
//! one entry per batch naming the count and the code range.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::Row as _;

use motcua_calendar::VIETNAM_OFFSET;
use motcua_domain::procedure::Procedure;
use motcua_domain::{Error, Result};
use serde_json::json;

use super::dossiers_sql::{insert_dossier, insert_event, next_sequence, unit_in, update_dossier};
pub(crate) use super::engine::{Pool, WriteTx};
use super::procedures_sql::procedure_version_in;
use crate::bulk::{BulkDossier, BulkWritten};
use crate::dossiers::hash_key;
use crate::{db_error, to_micros};

/// Procedures and unit ids read once per batch.
#[derive(Default)]
struct Cache {
    procedures: HashMap<(String, i64), Arc<Procedure>>,
    units: HashMap<String, i64>,
}

impl Cache {
    async fn procedure(
        &mut self,
        w: &mut WriteTx,
        code: &str,
        version: i64,
    ) -> Result<Arc<Procedure>> {
        let key = (code.to_string(), version);
        if let Some(p) = self.procedures.get(&key) {
            return Ok(p.clone());
        }
        let p = procedure_version_in(w, code, version)
            .await?
            .ok_or_else(|| bulk_invalid(format!("Không có thủ tục {code} phiên bản {version}.")))?;
        self.procedures.insert(key, p.clone());
        Ok(p)
    }

    async fn unit_id(&mut self, w: &mut WriteTx, code: &str) -> Result<i64> {
        if let Some(id) = self.units.get(code) {
            return Ok(*id);
        }
        let id = unit_in(w, code).await?.id;
        self.units.insert(code.to_string(), id);
        Ok(id)
    }
}

fn bulk_invalid(message: String) -> Error {
    Error::invalid("bulk_dossier_invalid", message)
}

/// Writes a batch: per dossier, the day's next sequence at the owner unit (which must be the
/// one the dossier was registered with), the row as registered, its first event, then one
/// event per transition, in order, and one compare-and-set update to the last state. One audit entry
/// `dossier.bulk_write` for the batch.
pub(crate) async fn write(w: &mut WriteTx, batch: &[BulkDossier]) -> Result<BulkWritten> {
    let mut cache = Cache::default();
    let mut events = 0usize;
    let mut ids = Vec::with_capacity(batch.len());
    for item in batch {
        let d0 = &item.registered;
        let owner_id = cache.unit_id(w, &d0.owner_unit).await?;
        let day = d0
            .received_at
            .checked_to_offset(VIETNAM_OFFSET)
            .map(|t| t.date().to_string())
            .unwrap_or_default();
        let sequence = next_sequence(w, owner_id, &day).await?;
        if sequence != i64::from(item.sequence) {
            return Err(bulk_invalid(format!(
                "Hồ sơ {} được đánh số {} nhưng số tiếp theo trong ngày của đơn vị là {sequence}.",
                d0.code, item.sequence
            )));
        }
        let procedure = cache
            .procedure(w, &d0.procedure_code, d0.procedure_version)
            .await?;
        let acting_id = cache.unit_id(w, d0.acting_unit(&procedure)).await?;
        let id = insert_dossier(
            w,
            d0,
            &procedure,
            owner_id,
            acting_id,
            &hash_key(&item.tracking_key),
            None,
            to_micros(item.register_event.at),
        )
        .await?;
        insert_event(w, id, &item.register_event).await?;
        ids.push(id);
        events += 1;
        // The events one by one, in order; the row once, from the registered version to the
        // last state. Every column is derived from the state, so one compare-and-set update
        // leaves the row exactly as one update per transition would (the intermediate rows
        // are never read), with a third of the statements.
        let mut version = d0.version;
        for t in &item.transitions {
            let d = &t.dossier;
            if d.code != d0.code || d.version != version + 1 || t.event.version != d.version {
                return Err(bulk_invalid(format!(
                    "Chuỗi trạng thái của hồ sơ {} không liền mạch (phiên bản {version}).",
                    d0.code
                )));
            }
            insert_event(w, id, &t.event).await?;
            events += 1;
            version = d.version;
        }
        if let Some(last) = item.transitions.last() {
            let d = &last.dossier;
            let acting_id = cache.unit_id(w, d.acting_unit(&procedure)).await?;
            if !update_dossier(
                w,
                id,
                d0.version,
                d,
                &procedure,
                acting_id,
                to_micros(last.event.at),
            )
            .await?
            {
                return Err(Error::version_conflict());
            }
        }
    }
    // Biểu 06 counters of the batch's dossiers, from their final rows and pause rows.
    // The events' pause rows are queued until the commit: write them before reading facts.
    w.flush().await?;
    super::report_counters_sql::record_new(w.conn(), &ids).await?;
    let written = BulkWritten {
        dossiers: batch.len(),
        events,
        first_code: batch.first().map(|b| b.registered.code.clone()),
        last_code: batch.last().map(|b| b.registered.code.clone()),
    };
    let object = match (&written.first_code, &written.last_code) {
        (Some(a), Some(b)) => format!("{a}..{b}"),
        _ => String::new(),
    };
    let audit = w.event(
        "dossier.bulk_write",
        "dossier",
        &object,
        json!({
            "count": written.dossiers,
            "events": written.events,
            "first": written.first_code,
            "last": written.last_code,
        }),
    );
    w.audit(audit, None).await?;
    Ok(written)
}

/// Records a marker in the audit chain (e.g. `demo.start`, `demo.create`) with a summary.
pub(crate) async fn mark(
    w: &mut WriteTx,
    action: &'static str,
    summary: serde_json::Value,
) -> Result<()> {
    let audit = w.event(action, "database", "", summary);
    w.audit(audit, None).await
}

/// How many audit entries carry this action.
pub(crate) async fn audit_action_count(pool: &Pool, action: &str) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}

/// Number of dossiers stored.
pub(crate) async fn dossier_count(pool: &Pool) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM dossiers")
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}
