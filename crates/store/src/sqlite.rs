//! The SQLite engine: `engine.rs` compiled with SQLite's types.

pub(crate) type Db = sqlx::Sqlite;

// The same SQL compiled for each engine is the point of this module (see lib.rs).
#[allow(clippy::duplicate_mod)]
#[path = "engine.rs"]
pub(crate) mod engine;

#[allow(clippy::duplicate_mod)]
#[path = "procedures_sql.rs"]
pub(crate) mod procedures_sql;

#[allow(clippy::duplicate_mod)]
#[path = "dossiers_sql.rs"]
pub(crate) mod dossiers_sql;

#[allow(clippy::duplicate_mod)]
#[path = "attachments_sql.rs"]
pub(crate) mod attachments_sql;

#[allow(clippy::duplicate_mod)]
#[path = "reports_sql.rs"]
pub(crate) mod reports_sql;

#[allow(clippy::duplicate_mod)]
#[path = "report_counters_sql.rs"]
pub(crate) mod report_counters_sql;

#[allow(clippy::duplicate_mod)]
#[path = "facts_sql.rs"]
pub(crate) mod facts_sql;

#[allow(clippy::duplicate_mod)]
#[path = "bulk_sql.rs"]
pub(crate) mod bulk_sql;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
