//! The PostgreSQL engine: `engine.rs` compiled with PostgreSQL's types.

pub(crate) type Db = sqlx::Postgres;

#[path = "engine.rs"]
pub(crate) mod engine;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
