//! Bulk writing of dossiers built in memory through the domain rules (`dossier::register`
//! then `dossier::apply` per action), thousands per transaction: used by the demo ministry.
//! The rows, events and sequences are written by the same functions as the normal dossier
//! write path (see `bulk_sql.rs`); the audit chain gets one entry per batch.

use motcua_domain::dossier::{Dossier, Event, Transition};
use motcua_domain::{Error, Result};
use sqlx::migrate::MigrateDatabase;
use time::OffsetDateTime;

use crate::backend::{Backend, Store};
use crate::to_micros;

/// One dossier as the domain built it: registered with `sequence` (the day's number at its
/// owner unit), then every transition in order.
#[derive(Debug, Clone)]
pub struct BulkDossier {
    /// The day's sequence number the dossier was registered with; the store checks it is the
    /// next one it hands out (codes stay unique and gap-free).
    pub sequence: u32,
    /// The applicant's tracking key (only its hash is stored).
    pub tracking_key: String,
    /// The state `dossier::register` returned.
    pub registered: Dossier,
    /// The event `dossier::register` returned.
    pub register_event: Event,
    /// What `dossier::apply` returned for each action, in order.
    pub transitions: Vec<Transition>,
}

/// What a bulk write stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkWritten {
    pub dossiers: usize,
    pub events: usize,
    pub first_code: Option<String>,
    pub last_code: Option<String>,
}

impl Store {
    /// Writes a batch of dossiers in one audited transaction (all or none): per dossier the
    /// day's sequence (checked against [`BulkDossier::sequence`]), the row as registered
    /// (`created_at` = registration instant), its first event, the event of every transition,
    /// then one compare-and-set update to the last state (`updated_at` = the last event's
    /// instant) — the same functions as intake and actions. One audit entry `dossier.bulk_write` names the count
    /// and the code range. Errors: 422 `bulk_dossier_invalid` (unknown procedure version,
    /// sequence not the next one, broken chain of versions).
    pub async fn write_dossiers_bulk(
        &self,
        actor: &str,
        now: OffsetDateTime,
        batch: &[BulkDossier],
    ) -> Result<BulkWritten> {
        write_tx!(self, actor, now, e in bulk_sql, w => e::write(&mut w, batch).await?)
    }

    /// Appends a marker entry to the audit chain (object type `database`), e.g. `demo.start`.
    pub async fn record_marker(
        &self,
        actor: &str,
        now: OffsetDateTime,
        action: &'static str,
        summary: serde_json::Value,
    ) -> Result<()> {
        write_tx!(self, actor, now, e in bulk_sql, w => e::mark(&mut w, action, summary).await?)
    }

    /// How many audit entries carry `action` (e.g. whether a marker was ever recorded).
    pub async fn audit_action_count(&self, action: &str) -> Result<i64> {
        read_db!(self, e in bulk_sql, pool => e::audit_action_count(pool, action).await)
    }

    /// Number of stored dossiers.
    pub async fn dossier_count(&self) -> Result<i64> {
        read_db!(self, e in bulk_sql, pool => e::dossier_count(pool).await)
    }
}

/// Erases the database named by `url` (every table and row): the SQLite file with its
/// journal files is deleted, a PostgreSQL database dropped; [`Store::open`] creates it again.
/// No store may be open on it.
pub async fn erase_database(url: &str) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::new(
            motcua_domain::ErrorKind::Internal,
            "database_erase_failed",
            format!("Không xóa được cơ sở dữ liệu: {e}"),
        )
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if sqlx::Postgres::database_exists(url)
            .await
            .map_err(|e| failed(&e))?
        {
            sqlx::Postgres::force_drop_database(url)
                .await
                .map_err(|e| failed(&e))?;
        }
        return Ok(());
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| failed(&"phải bắt đầu bằng sqlite: hoặc postgres://"))?;
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(&e)),
        }
    }
    Ok(())
}
