//! Direct calls on the SQLite group-commit connection's handle.
//!
//! sqlx runs every SQLite statement on a thread of its own: each call is a message to that
//! thread and a wake-up back, which on these 2-core machines costs far more than the
//! microseconds of SQL it carries (BENCHMARKS.md). The group commit's connection is used by
//! one write at a time (its turn), so the statements of a turn that need no lock wait and no
//! `fsync` — the savepoint, the reads a write starts with, its last statements, the release,
//! a rollback — run here, on the caller's thread, through a second view of the same handle.
//! `BEGIN IMMEDIATE` (which may wait for a lock) and `COMMIT` (which syncs) stay on sqlx's
//! thread, once per batch.
//!
//! Also here: [`Param`], a value bound to a statement built at run time, and [`Columns`],
//! reading a row by column name whether it came from sqlx (either engine) or from here.

use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use motcua_domain::{Error, Result};

/// A value bound to a statement built at run time (deferred statements, the commit's tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(Some(v)) => ToSqlOutput::Owned(Value::Integer(*v)),
            Param::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Param::Int(None) | Param::Text(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

/// A row read by a direct call, its values owned.
pub(crate) struct DirectRow {
    names: Arc<[String]>,
    values: Vec<Value>,
}

/// Reading a row's columns by name, whichever way it was read.
pub(crate) trait Columns {
    /// An integer column; `None` when NULL.
    fn int(&self, column: &str) -> Result<Option<i64>>;
    /// A text column; `None` when NULL.
    fn text(&self, column: &str) -> Result<Option<String>>;

    /// A boolean column (an integer on SQLite).
    fn flag(&self, column: &str) -> Result<bool>;

    /// A 32-bit integer column that is never NULL (PostgreSQL's `INTEGER`).
    fn small(&self, column: &str) -> Result<i32>;

    /// An integer column that is never NULL.
    fn req_int(&self, column: &str) -> Result<i64> {
        self.int(column)?.ok_or_else(|| null_column(column))
    }

    /// A text column that is never NULL.
    fn req_text(&self, column: &str) -> Result<String> {
        self.text(column)?.ok_or_else(|| null_column(column))
    }
}

fn null_column(column: &str) -> Error {
    tracing::error!(column, "unexpected NULL");
    Error::internal()
}

fn column_error(column: &str, found: &Value) -> Error {
    tracing::error!(column, ?found, "column missing or of another type");
    Error::internal()
}

impl DirectRow {
    fn value(&self, column: &str) -> Result<&Value> {
        self.names
            .iter()
            .position(|n| n == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| column_error(column, &Value::Null))
    }
}

impl Columns for DirectRow {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Integer(v) => Ok(Some(*v)),
            other => Err(column_error(column, other)),
        }
    }

    fn text(&self, column: &str) -> Result<Option<String>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            other => Err(column_error(column, other)),
        }
    }

    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.req_int(column)? != 0)
    }

    fn small(&self, column: &str) -> Result<i32> {
        let v = self.req_int(column)?;
        i32::try_from(v).map_err(|_| column_error(column, &Value::Integer(v)))
    }
}

macro_rules! sqlx_columns {
    ($row:ty) => {
        impl Columns for $row {
            fn int(&self, column: &str) -> Result<Option<i64>> {
                sqlx::Row::try_get(self, column).map_err(crate::db_error)
            }

            fn text(&self, column: &str) -> Result<Option<String>> {
                sqlx::Row::try_get(self, column).map_err(crate::db_error)
            }

            fn flag(&self, column: &str) -> Result<bool> {
                sqlx::Row::try_get(self, column).map_err(crate::db_error)
            }

            fn small(&self, column: &str) -> Result<i32> {
                sqlx::Row::try_get(self, column).map_err(crate::db_error)
            }
        }
    };
}
sqlx_columns!(sqlx::sqlite::SqliteRow);
sqlx_columns!(sqlx::postgres::PgRow);

/// The group commit connection's handle, seen directly (see the module comment).
pub(crate) struct DirectConn {
    conn: rusqlite::Connection,
    /// The connection's busy timeout (sqlx set it), restored after [`DirectConn::try_begin`].
    busy_timeout: std::time::Duration,
}

impl DirectConn {
    /// A second view of `conn`'s handle. It must be used only while nothing runs on `conn`
    /// through sqlx, and dropped before `conn` (the group commit's `Batch` guarantees both).
    pub(crate) async fn alias(conn: &mut sqlx::SqliteConnection) -> Result<DirectConn> {
        let handle = {
            let mut locked = conn.lock_handle().await.map_err(crate::db_error)?;
            locked.as_raw_handle().as_ptr()
        };
        // SAFETY: `handle` is the open connection that `conn` owns; the view does not close it
        // (`from_handle`, not `from_handle_owned`). SQLite allows one connection to be used
        // from several threads one call at a time (sqlx opens it without its own mutex): every
        // use of this view happens while its owner holds the group's lock, and every sqlx call
        // on `conn` either is awaited to its end under the same lock or, cut off by a dropped
        // turn, is waited for (a round trip through sqlx's queue) before the next direct call,
        // so the two never overlap. The
        // group keeps the view in a field dropped before `conn` (its cached statements are
        // finalised before sqlx closes the handle).
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(handle) }.map_err(direct_error)?;
        // The commit's statements come in a few dozen shapes (the changed columns vary).
        conn.set_prepared_statement_cache_capacity(128);
        let busy_ms: i64 = conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .map_err(direct_error)?;
        Ok(DirectConn {
            conn,
            busy_timeout: std::time::Duration::from_millis(u64::try_from(busy_ms).unwrap_or(0)),
        })
    }

    /// A connection of its own on the database file, for reads only (`query_only`): the
    /// point reads of [`crate::point_reads`]. `busy` bounds how long a call may block its
    /// thread (a WAL reader waits only while another connection recovers the log).
    pub(crate) fn open_reader(
        path: &std::path::Path,
        busy: std::time::Duration,
    ) -> rusqlite::Result<DirectConn> {
        use rusqlite::OpenFlags;
        // No SQLite mutex: the caller's own lock serialises the connection's use.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.busy_timeout(busy)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(DirectConn {
            conn,
            busy_timeout: busy,
        })
    }

    /// Runs `begin` (`BEGIN IMMEDIATE`) unless it would have to wait for another connection's
    /// write lock: false then, and the caller begins through sqlx, whose thread may wait (a
    /// direct call must not block the caller's thread for the busy timeout).
    pub(crate) fn try_begin(&self, begin: &str) -> rusqlite::Result<bool> {
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let began = self.conn.execute_batch(begin);
        self.conn.busy_timeout(self.busy_timeout)?;
        match began {
            Ok(()) => Ok(true),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn prepare(
        &self,
        sql: &str,
        params: &[Param],
    ) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        // Our statements number their parameters `$n` (the engines' common syntax); SQLite
        // names them "$n" and numbers them in order of appearance, so bind by name.
        for index in 1..=statement.parameter_count() {
            let n = statement
                .parameter_name(index)
                .and_then(|name| name.strip_prefix('$'))
                .and_then(|digits| digits.parse::<usize>().ok())
                .unwrap_or(index);
            let value = n
                .checked_sub(1)
                .and_then(|i| params.get(i))
                .ok_or(rusqlite::Error::InvalidParameterCount(n, params.len()))?;
            statement.raw_bind_parameter(index, value)?;
        }
        Ok(statement)
    }

    /// Runs one statement; returns the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Param]) -> rusqlite::Result<usize> {
        self.prepare(sql, params)?.raw_execute()
    }

    /// Runs a statement without parameters (savepoints, rollbacks).
    pub(crate) fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.execute_batch(sql)
    }

    /// Runs one query and returns all its rows.
    pub(crate) fn query(&self, sql: &str, params: &[Param]) -> rusqlite::Result<Vec<DirectRow>> {
        let mut statement = self.prepare(sql, params)?;
        let names: Arc<[String]> = statement
            .column_names()
            .into_iter()
            .map(str::to_string)
            .collect();
        let width = names.len();
        let mut rows = statement.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(Value::try_from(row.get_ref(i)?)?);
            }
            out.push(DirectRow {
                names: names.clone(),
                values,
            });
        }
        Ok(out)
    }
}

/// A failed direct call: logged, answered as an internal error.
pub(crate) fn direct_error(err: rusqlite::Error) -> Error {
    tracing::error!(error = %err, "direct database call failed");
    Error::internal()
}
