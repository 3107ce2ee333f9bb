//! motcua storage. One API ([`Store`]), two engines: SQLite (the zero-set-up default) and
//! PostgreSQL (production), chosen from the database URL. The SQL for both lives once, in
//! `engine.rs`, which is compiled twice with the engine's concrete types (see `sqlite.rs`,
//! `postgres.rs`); only migrations differ. Handlers reach data through [`ScopedStore`], which
//! applies the caller's unit scope to every query.
//!
//! Every write runs in a [`engine`] write transaction that first takes the audit chain's head
//! row (serialising writers on both engines), appends one audit entry per change, and moves the
//! head on commit. Instants are stored as microseconds since the Unix epoch (UTC).

/// The `SET` list of an upsert into a Biểu 06 counters table (`report_deltas`,
/// `report_checkpoints`) that adds the new row's eight counters to the stored ones.
macro_rules! add_excluded_counters {
    ($table:literal) => {
        concat!(
            "c_online = ",
            $table,
            ".c_online + excluded.c_online, ",
            "c_offline = ",
            $table,
            ".c_offline + excluded.c_offline, ",
            "c_early = ",
            $table,
            ".c_early + excluded.c_early, ",
            "c_on_time = ",
            $table,
            ".c_on_time + excluded.c_on_time, ",
            "c_late = ",
            $table,
            ".c_late + excluded.c_late, ",
            "c_left = ",
            $table,
            ".c_left + excluded.c_left, ",
            "c_open = ",
            $table,
            ".c_open + excluded.c_open, ",
            "c_overdue = ",
            $table,
            ".c_overdue + excluded.c_overdue"
        )
    };
}

// First, so its `read_db!`/`write_tx!` macros are visible in every module below.
#[macro_use]
mod backend;
mod attachments;
pub mod blobs;
mod bulk;
mod direct;
mod dossiers;
mod facts;
mod group_commit;
mod point_reads;
mod postgres;
mod procedure_cache;
mod reports;
mod scoped;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use attachments::{Added, Attachment};
pub use backend::{
    Credentials, ExceptionSource, Page, ProcedureFilter, ProcedureSummary, SessionInfo, Store,
    StoredException, UnitFilter,
};
pub use bulk::{BulkDossier, BulkWritten, erase_database};
pub use dossiers::{
    DossierRecord, InboxCounters, InboxFilter, InboxItem, IntakeSlip, NewIntakeSlip, Rating,
    Registered, SlipKind,
};
pub use facts::UnitFacts;
pub use motcua_domain::egov::{LevelCoverage, NewFact};
pub use motcua_domain::{Error, ErrorKind, Result};
pub use scoped::{AuditFilter, ScopedStore};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Microseconds since the Unix epoch, as stored.
pub fn to_micros(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The stored form back to an instant (UTC).
pub fn from_micros(us: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn db_error(err: sqlx::Error) -> Error {
    tracing::error!(error = %err, "database error");
    Error::internal()
}

pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}
