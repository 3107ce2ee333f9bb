//! Biểu 06 queries, written once and compiled for each engine (see lib.rs), and the pause
//! rows (`dossier_pauses`, migration 0008) they read, kept in the dossier's write transaction.
//!
//! Each query groups by (owner unit id, field code); `reports.rs` rolls the groups up into
//! rows per field or per unit. Instants are microseconds; the period is `[start, end)`.

use sqlx::Row as _;

use motcua_domain::Result;
use motcua_domain::dossier::{Event, EventKind};

use super::Db;
use super::engine::{Param, Pool, WriteTx};
use crate::db_error;
use crate::to_micros;

type Row = <Db as sqlx::Database>::Row;

/// Dossiers living longer than this (µs, 30 days) between receipt and resolution, or not
/// resolved, are in the partial index `dossiers_report_long`; the literal in the queries
/// below must stay identical to the index predicate of migration 0008.
pub(crate) const LONG_LIVED_US: i64 = 2_592_000_000_000;

/// Keeps `dossier_pauses` in step with one recorded event (same transaction; called for every
/// event by `dossiers_sql::insert_event`, after the dossier row is written). A pause opens a
/// row whose `due_before` is the row's legal due instant (pausing does not move it); a resume
/// closes it with the event's exact `due_before`/`due_after` (so a row written in its final
/// state before its events, as a bulk writer may, ends up right too); an end while paused
/// closes it without a new due instant.
pub(crate) fn record_clock(w: &mut WriteTx, dossier_id: i64, event: &Event) {
    let was = event.from_status.is_some_and(|s| s.is_paused());
    let is = event.to_status.is_paused();
    if !was && is {
        w.defer(
            "INSERT INTO dossier_pauses (dossier_id, seq, started_at, due_before) \
             SELECT id, $2, $3, legal_due_at FROM dossiers WHERE id = $1",
            vec![
                Param::Int(Some(dossier_id)),
                Param::Int(Some(event.version)),
                Param::Int(Some(to_micros(event.at))),
            ],
        );
    } else if was && !is {
        let resumed = matches!(
            event.kind,
            EventKind::ReceiveSupplement | EventKind::PaymentReceived
        );
        let (before, after) = if resumed {
            (
                event.due_before.map(to_micros),
                event.due_after.map(to_micros),
            )
        } else {
            (None, None)
        };
        w.defer(
            "UPDATE dossier_pauses SET ended_at = $2, due_before = COALESCE($3, due_before), \
             due_after = $4 WHERE dossier_id = $1 AND ended_at IS NULL",
            vec![
                Param::Int(Some(dossier_id)),
                Param::Int(Some(to_micros(event.at))),
                Param::Int(before),
                Param::Int(after),
            ],
        );
    }
}

fn int(r: &Row, col: &str) -> Result<i64> {
    r.try_get::<Option<i64>, _>(col)
        .map(Option::unwrap_or_default)
        .map_err(db_error)
}

fn count(r: &Row, col: &str) -> Result<u64> {
    int(r, col).map(|n| u64::try_from(n).unwrap_or_default())
}

/// (owner unit id, field code) of a grouped row.
fn group(r: &Row) -> Result<(i64, String)> {
    Ok((
        r.try_get("unit_id").map_err(db_error)?,
        r.try_get("field_code").map_err(db_error)?,
    ))
}

/// Columns 4 and 5: received in `[start, end)`, online or not.
pub(crate) async fn received(
    pool: &Pool,
    start: i64,
    end: i64,
) -> Result<Vec<((i64, String), u64, u64)>> {
    let rows = sqlx::query(
        "SELECT d.unit_id, d.field_code, \
         SUM(CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END) AS online, \
         SUM(CASE WHEN d.channel = 'online' THEN 0 ELSE 1 END) AS offline \
         FROM dossiers d WHERE d.received_at >= $1 AND d.received_at < $2 \
         GROUP BY d.unit_id, d.field_code",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| Ok((group(r)?, count(r, "online")?, count(r, "offline")?)))
        .collect()
}

/// Resolved in `[start, end)`: (early, on time, late, withdrawn or stopped). The classes are
/// the domain's `resolution_class` against the final legal due instant: late after it, early
/// on a Vietnam date (UTC+7, 25 200 000 000 µs) before its date, otherwise on time.
pub(crate) async fn resolved(
    pool: &Pool,
    start: i64,
    end: i64,
) -> Result<Vec<((i64, String), [u64; 4])>> {
    let rows = sqlx::query(
        "SELECT d.unit_id, d.field_code, \
         SUM(CASE WHEN d.status IN ('withdrawn', 'stopped') OR d.resolved_at > d.legal_due_at THEN 0 \
             WHEN (d.resolved_at + 25200000000) / 86400000000 < (d.legal_due_at + 25200000000) / 86400000000 \
             THEN 1 ELSE 0 END) AS early, \
         SUM(CASE WHEN d.status IN ('withdrawn', 'stopped') OR d.resolved_at > d.legal_due_at THEN 0 \
             WHEN (d.resolved_at + 25200000000) / 86400000000 < (d.legal_due_at + 25200000000) / 86400000000 \
             THEN 0 ELSE 1 END) AS on_time, \
         SUM(CASE WHEN d.status IN ('withdrawn', 'stopped') THEN 0 \
             WHEN d.resolved_at > d.legal_due_at THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN d.status IN ('withdrawn', 'stopped') THEN 1 ELSE 0 END) AS left_ \
         FROM dossiers d WHERE d.resolved_at >= $1 AND d.resolved_at < $2 \
         GROUP BY d.unit_id, d.field_code",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok((
                group(r)?,
                [
                    count(r, "early")?,
                    count(r, "on_time")?,
                    count(r, "late")?,
                    count(r, "left_")?,
                ],
            ))
        })
        .collect()
}

/// Open at instant `t` (received before `t`, not resolved before `t`): (total, overdue as the
/// dossier stood at `t`). Two disjoint halves so each uses an index: received in the last 30
/// days before `t`, and long-lived dossiers received earlier. The due instant at `t` is the
/// `due_before` of the first pause not over before `t` (pauses move it only when they end),
/// else the current one; a dossier paused at `t` compares the instant its pause started.
pub(crate) async fn open_at(pool: &Pool, t: i64) -> Result<Vec<((i64, String), u64, u64)>> {
    let rows = sqlx::query(
        "SELECT x.unit_id, x.field_code, COUNT(*) AS total, \
         SUM(CASE WHEN (CASE WHEN p.started_at IS NOT NULL AND p.started_at < $1 \
                             THEN p.started_at ELSE $1 END) > COALESCE(p.due_before, x.legal_due_at) \
             THEN 1 ELSE 0 END) AS overdue \
         FROM ( \
           SELECT d.id, d.unit_id, d.field_code, d.legal_due_at FROM dossiers d \
            WHERE d.received_at >= $2 AND d.received_at < $1 \
              AND (d.resolved_at IS NULL OR d.resolved_at >= $1) \
           UNION ALL \
           SELECT d.id, d.unit_id, d.field_code, d.legal_due_at FROM dossiers d \
            WHERE (d.resolved_at IS NULL OR d.resolved_at - d.received_at > 2592000000000) \
              AND d.received_at < $2 AND (d.resolved_at IS NULL OR d.resolved_at >= $1) \
         ) x \
         LEFT JOIN dossier_pauses p ON p.dossier_id = x.id AND p.seq = ( \
           SELECT MIN(q.seq) FROM dossier_pauses q \
            WHERE q.dossier_id = x.id AND (q.ended_at IS NULL OR q.ended_at >= $1)) \
         GROUP BY x.unit_id, x.field_code",
    )
    .bind(t)
    .bind(t - LONG_LIVED_US)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| Ok((group(r)?, count(r, "total")?, count(r, "overdue")?)))
        .collect()
}

/// Field (lĩnh vực) names from the catalogue, by code.
pub(crate) async fn field_names(pool: &Pool) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT field_code, MIN(field_name) AS field_name FROM procedures \
         WHERE latest = TRUE GROUP BY field_code",
    )
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("field_code").map_err(db_error)?,
                r.try_get("field_name").map_err(db_error)?,
            ))
        })
        .collect()
}

/// The straightforward form of the same report, for the benchmark's baseline: one GROUP BY
/// over every dossier, classifying overdue against the current due instant (so it is not
/// an "as of" figure).
pub(crate) async fn baseline(pool: &Pool, start: i64, end: i64) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT d.unit_id, d.field_code, \
         SUM(CASE WHEN d.received_at >= $1 AND d.received_at < $2 THEN 1 ELSE 0 END) AS received, \
         SUM(CASE WHEN d.received_at < $1 AND (d.resolved_at IS NULL OR d.resolved_at >= $1) THEN 1 ELSE 0 END) AS carried, \
         SUM(CASE WHEN d.resolved_at >= $1 AND d.resolved_at < $2 AND d.resolved_at <= d.legal_due_at THEN 1 ELSE 0 END) AS in_time, \
         SUM(CASE WHEN d.resolved_at >= $1 AND d.resolved_at < $2 AND d.resolved_at > d.legal_due_at THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN d.received_at < $2 AND (d.resolved_at IS NULL OR d.resolved_at >= $2) AND d.legal_due_at < $2 THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN d.received_at < $2 AND (d.resolved_at IS NULL OR d.resolved_at >= $2) THEN 1 ELSE 0 END) AS pending \
         FROM dossiers d GROUP BY d.unit_id, d.field_code",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    let mut n = 0;
    for r in &rows {
        n += count(r, "received")? + count(r, "carried")?;
    }
    Ok(n)
}

/// Whether pause rows still have to be rebuilt from the events (a database that had dossier
/// pauses before migration 0008).
pub(crate) async fn backfill_pending(pool: &Pool) -> Result<bool> {
    let row = sqlx::query("SELECT pauses_done FROM report_backfill WHERE id = 1")
        .fetch_optional(pool)
        .await
        .map_err(db_error)?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("pauses_done").map_err(db_error)? == 0,
        None => false,
    })
}

/// Rebuilds `dossier_pauses` from the stored events (exact instants from their JSON), once.
pub(crate) async fn backfill_pauses(pool: &Pool) -> Result<u64> {
    let mut tx = pool.begin().await.map_err(db_error)?;
    // Claim the work first: the row lock makes a second instance wait, then find it done.
    let claimed =
        sqlx::query("UPDATE report_backfill SET pauses_done = 1 WHERE id = 1 AND pauses_done = 0")
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
    if claimed.rows_affected() == 0 {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT e.dossier_id, e.seq, e.event, d.legal_due_at FROM dossier_events e \
         JOIN dossiers d ON d.id = e.dossier_id \
         WHERE e.kind IN ('request_supplement', 'request_payment', 'receive_supplement', \
                          'payment_received', 'withdraw', 'stop', 'refuse') \
         ORDER BY e.dossier_id, e.seq",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_error)?;
    sqlx::query("DELETE FROM dossier_pauses")
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    // (dossier, seq, started_at, the dossier's current due) of the pause still open.
    let mut open: Option<(i64, i64, i64, i64)> = None;
    let mut written = 0;
    for r in &rows {
        let id: i64 = r.try_get("dossier_id").map_err(db_error)?;
        let seq: i64 = r.try_get("seq").map_err(db_error)?;
        let current_due: i64 = r.try_get("legal_due_at").map_err(db_error)?;
        let body: String = r.try_get("event").map_err(db_error)?;
        let ev: Event = serde_json::from_str(&body).map_err(|e| {
            tracing::error!(error = %e, "stored event does not parse");
            motcua_domain::Error::internal()
        })?;
        if let Some((oid, oseq, started, due)) = open
            && oid != id
        {
            // Still open at the dossier's last event: the due has not moved since.
            insert_pause(&mut tx, oid, oseq, started, None, due, None).await?;
            written += 1;
            open = None;
        }
        match ev.kind {
            EventKind::RequestSupplement | EventKind::RequestPayment => {
                open = Some((id, seq, to_micros(ev.at), current_due));
            }
            kind => {
                if let Some((oid, oseq, started, due)) = open.take() {
                    let resumed = matches!(
                        kind,
                        EventKind::ReceiveSupplement | EventKind::PaymentReceived
                    );
                    // A resume records the due before it; an end while paused left it alone.
                    let due_before = ev.due_before.map_or(due, to_micros);
                    let due_after = if resumed {
                        ev.due_after.map(to_micros)
                    } else {
                        None
                    };
                    let ended = Some(to_micros(ev.at));
                    insert_pause(&mut tx, oid, oseq, started, ended, due_before, due_after).await?;
                    written += 1;
                }
            }
        }
    }
    if let Some((oid, oseq, started, due)) = open {
        insert_pause(&mut tx, oid, oseq, started, None, due, None).await?;
        written += 1;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
async fn insert_pause(
    tx: &mut sqlx::Transaction<'static, Db>,
    id: i64,
    seq: i64,
    started: i64,
    ended: Option<i64>,
    due_before: i64,
    due_after: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO dossier_pauses (dossier_id, seq, started_at, ended_at, due_before, due_after) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(seq)
    .bind(started)
    .bind(ended)
    .bind(due_before)
    .bind(due_after)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}
