//! The point read every request makes on SQLite — the session behind its token — served on
//! the caller's thread.
//!
//! Through sqlx each read is a message to a connection's thread and a wake-up back; on these
//! 2-core machines that hand-off costs more than the lookup itself (a primary-key probe of a
//! few microseconds), and every API call and page pays it once before doing anything else
//! (BENCHMARKS.md, "Sessions read on the caller's thread"). So the SQLite store keeps a couple
//! of connections of its own for it, each behind a lock, opened read-only on the same WAL
//! file: they read the latest committed state exactly as the pool's readers would — nothing
//! is cached, a signed-out token or a deactivated person is refused at once, on every
//! instance sharing the file.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use motcua_domain::Result;

use crate::backend::SessionInfo;
use crate::direct::{DirectConn, Param, direct_error};

/// One per Tokio worker of a 2-core machine; a third caller waits for the first lock.
const CONNECTIONS: usize = 2;

/// How long a read may block its thread for a lock before it goes through sqlx instead (a WAL
/// reader meets a busy database only while another connection recovers the log).
const BUSY: Duration = Duration::from_millis(20);

pub(crate) struct PointReaders {
    conns: Vec<Mutex<DirectConn>>,
}

impl PointReaders {
    /// Opens the readers on a database file; `None` for an in-memory database, which no
    /// other connection can see.
    pub(crate) fn open(path: &Path) -> Result<Option<PointReaders>> {
        // The store opens its file by path, never by URI, so `:memory:` is the only such name.
        if path == Path::new(":memory:") {
            return Ok(None);
        }
        let conns = (0..CONNECTIONS)
            .map(|_| DirectConn::open_reader(path, BUSY).map(Mutex::new))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(direct_error)?;
        Ok(Some(PointReaders { conns }))
    }

    /// A free connection, else the first one once it is free.
    fn conn(&self) -> MutexGuard<'_, DirectConn> {
        for conn in &self.conns {
            match conn.try_lock() {
                Ok(guard) => return guard,
                // A panic while holding it left no half-done state: each read is one statement.
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        self.conns[0]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The person behind an unexpired session (`Store::session`); `Ok(None)` inside `Some`
    /// when there is none. `None` when the database was busy: the caller reads through sqlx,
    /// whose thread may wait.
    pub(crate) fn session(
        &self,
        token_hash: &str,
        kind: &str,
        now_us: i64,
    ) -> Result<Option<Option<SessionInfo>>> {
        let params = [
            Param::Text(Some(token_hash.to_string())),
            Param::Text(Some(kind.to_string())),
            Param::Int(Some(now_us)),
            Param::Int(Some(1)),
        ];
        let rows = match self
            .conn()
            .query(crate::sqlite::engine::SESSION_SQL, &params)
        {
            Ok(rows) => rows,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(direct_error(e)),
        };
        let Some(row) = rows.first() else {
            return Ok(Some(None));
        };
        let (user, _) = crate::sqlite::engine::user_from_row(row)?;
        Ok(Some(Some(SessionInfo { user })))
    }
}
