//! The SQLite engine: `engine.rs` compiled with SQLite's types.

pub(crate) type Db = sqlx::Sqlite;

#[path = "engine.rs"]
pub(crate) mod engine;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
