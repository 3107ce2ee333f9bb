//! Group commit: concurrent audited writes share one database transaction and one durable
//! commit (one `fsync` on SQLite) instead of paying one each.
//!
//! One connection is dedicated to writing. A write waits for its *turn* (a fair, first come
//! first served lock on the connection), joins the open transaction (`BEGIN` if none is
//! open) and runs inside its own `SAVEPOINT`:
//!
//! - on success it releases the savepoint, registers to hear about the commit and wakes the
//!   committer, then hands the connection on; it is answered only once `COMMIT` has returned,
//!   so nothing is acknowledged before it is durable;
//! - on failure, or when its future is dropped half way, the turn is marked *dirty* and whoever
//!   holds the connection next first runs `ROLLBACK TO SAVEPOINT`, so none of its changes
//!   (rows, the audit chain's head) can reach the commit.
//!
//! A caller that stops waiting (a request dropped by its client) must not cut the statements
//! that move the connection between these states (`BEGIN`, `SAVEPOINT`, `RELEASE`, the
//! rollback of a dirty turn) off from the state that records them: `BEGIN` runs in a spawned
//! task, the others are direct calls with no await in between.
//!
//! The committer is a task that queues for the connection like any write, so every write that
//! was already waiting when a batch's first member finished joins that batch; then it commits
//! and answers them all. The audit chain stays valid because each write reads the head row
//! inside its savepoint and moves it before releasing (a rolled-back savepoint restores it).
//!
//! The turn's own statements (the savepoint, the reads it starts with, its last statements,
//! the release, a rollback) are direct calls on the handle (`crate::direct`), on the caller's
//! thread; `BEGIN` and `COMMIT` go through sqlx once per batch, and so does whatever the write
//! runs through [`Turn::conn`] in between.
//!
//! Generic over the engine; `Group::new` takes the engine's `BEGIN` statement.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use sqlx::{Database, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

use motcua_domain::{Error, Result};

use crate::direct::{DirectConn, DirectRow, Param, direct_error};

/// A statement built at run time and its parameters.
pub(crate) type Statement = (Cow<'static, str>, Vec<Param>);

/// The shared writer: its connection, the batch, and the committer's wake-up channel.
pub(crate) struct Group<DB: Database> {
    batch: Arc<Mutex<Batch<DB>>>,
    wake: mpsc::Sender<()>,
    begin: &'static str,
    /// See [`Group::new`].
    wal: Option<PathBuf>,
}

struct Batch<DB: Database> {
    /// The direct view of `conn`'s handle; declared first so that it is dropped first.
    direct: Option<DirectConn>,
    conn: DB::Connection,
    /// A transaction is open on `conn`.
    open: bool,
    /// The last turn ended inside its savepoint without releasing it.
    dirty: bool,
    /// Writes whose savepoint was released, waiting for the commit.
    done: Vec<oneshot::Sender<bool>>,
}

/// One write's exclusive use of the connection, inside its savepoint.
pub(crate) struct Turn<DB: Database> {
    /// `None` once `finish` handed it on.
    guard: Option<OwnedMutexGuard<Batch<DB>>>,
    wake: mpsc::Sender<()>,
}

async fn exec<DB>(
    conn: &mut DB::Connection,
    sql: &'static str,
) -> std::result::Result<(), sqlx::Error>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

const SAVEPOINT: &str = "SAVEPOINT motcua_write";
const RELEASE: &str = "RELEASE SAVEPOINT motcua_write";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT motcua_write";

fn write_failed(err: &sqlx::Error) -> Error {
    tracing::error!(error = %err, "group commit failed");
    Error::internal()
}

impl<DB> Group<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Takes `conn` (and `direct`, the direct view of its handle) for writing and starts the
    /// committer (needs a Tokio runtime). The committer ends when the group is dropped.
    ///
    /// `wal`: the write-ahead log file when `conn`'s `COMMIT` does not sync it (SQLite's WAL
    /// with `synchronous=NORMAL`). The committer then hands the connection on as soon as
    /// `COMMIT` has written the batch, and a syncer answers the batch's writes once an
    /// `fdatasync` of the log that started after that `COMMIT` returned: the next batch runs
    /// while the disk syncs, one sync can cover several batches, and still nothing is
    /// acknowledged before it is durable. `None`: `COMMIT` syncs (and answers at once).
    pub(crate) fn new(
        conn: DB::Connection,
        direct: DirectConn,
        begin: &'static str,
        wal: Option<PathBuf>,
    ) -> Group<DB> {
        let batch = Arc::new(Mutex::new(Batch {
            direct: Some(direct),
            conn,
            open: false,
            dirty: false,
            done: Vec::new(),
        }));
        let syncer = wal.clone().map(start_syncer);
        // One pending wake-up is enough: the committer commits everything released so far.
        let (wake, mut woken) = mpsc::channel::<()>(1);
        let weak = Arc::downgrade(&batch);
        tokio::spawn(async move {
            while woken.recv().await.is_some() {
                let Some(batch) = weak.upgrade() else { break };
                // Fair lock: the writes already queued run first and join this batch.
                let mut b = batch.lock().await;
                let Some((done, ok)) = b.commit().await else {
                    continue;
                };
                drop(b);
                match &syncer {
                    Some(syncer) if ok => {
                        if let Err(unsent) = syncer.send(done) {
                            answer(unsent.0, false);
                        }
                    }
                    _ => answer(done, ok),
                }
            }
        });
        Group {
            batch,
            wake,
            begin,
            wal,
        }
    }

    /// Waits for the connection, joins the open transaction (or begins one), opens this
    /// write's savepoint and runs `reads` inside it. Returns the turn and each read's rows
    /// (the audit chain's head and what the write reads first, for `WriteTx`).
    pub(crate) async fn turn(
        &self,
        reads: Vec<Statement>,
    ) -> Result<(Turn<DB>, Vec<Vec<DirectRow>>)> {
        // Waiting for the lock can be cut off by a dropped caller without harm.
        let mut guard = self.batch.clone().lock_owned().await;
        guard.settle().await;
        if !guard.open {
            guard.open = guard
                .direct()
                .and_then(|d| d.try_begin(self.begin).map_err(direct_error))?;
        }
        if !guard.open {
            // Another connection holds the write lock (maintenance, migrations): wait for it
            // on sqlx's thread, in a spawned task so that a dropped caller cannot cut the
            // `BEGIN` off from the state that records it.
            let begin = self.begin;
            guard = tokio::spawn(async move {
                let began = exec::<DB>(&mut guard.conn, begin).await;
                began.map(|()| {
                    guard.open = true;
                    guard
                })
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "group commit task failed");
                Error::internal()
            })?
            .map_err(|e| write_failed(&e))?;
        }
        // From here to the end of the turn's last direct call nothing awaits: a dropped
        // caller cannot interrupt them.
        let opened = guard
            .direct()
            .and_then(|d| d.batch(SAVEPOINT).map_err(direct_error));
        if let Err(e) = opened {
            // Nothing of this write ran; a failed savepoint leaves the transaction suspect.
            guard.abort();
            return Err(e);
        }
        let read = guard.direct().and_then(|d| {
            reads
                .iter()
                .map(|(sql, params)| d.query(sql, params).map_err(direct_error))
                .collect::<Result<Vec<_>>>()
        });
        let rows = match read {
            Ok(rows) => rows,
            Err(e) => {
                guard.dirty = true;
                guard.undo();
                return Err(e);
            }
        };
        Ok((
            Turn {
                guard: Some(guard),
                wake: self.wake.clone(),
            },
            rows,
        ))
    }

    /// Commits what is pending and answers it (on shutdown).
    pub(crate) async fn close(&self) {
        let mut b = self.batch.lock().await;
        let Some((done, mut ok)) = b.commit().await else {
            return;
        };
        drop(b);
        if ok && let Some(wal) = self.wal.clone() {
            ok = sync_log(wal).await;
        }
        answer(done, ok);
    }
}

/// `fdatasync` of the write-ahead log (on a blocking thread); false, logged, when it fails.
async fn sync_log(wal: PathBuf) -> bool {
    let path = wal.clone();
    let synced =
        tokio::task::spawn_blocking(move || std::fs::File::open(&path).and_then(|f| f.sync_data()))
            .await;
    match synced {
        Ok(Ok(())) => true,
        // SQLite removes the log only when its last connection closes (at shutdown), after
        // checkpointing it into the database file and syncing that: the batch is durable.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, wal = %wal.display(), "syncing the write-ahead log failed");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "log sync task failed");
            false
        }
    }
}

/// Answers the writes of a batch.
fn answer(done: Vec<oneshot::Sender<bool>>, ok: bool) {
    for tx in done {
        let _ = tx.send(ok);
    }
}

/// The syncer of [`Group::new`]: receives committed batches, syncs the log once for all the
/// batches waiting, then answers them. Ends when the committer drops its sender.
fn start_syncer(wal: PathBuf) -> mpsc::UnboundedSender<Vec<oneshot::Sender<bool>>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<oneshot::Sender<bool>>>();
    tokio::spawn(async move {
        while let Some(mut waiting) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                waiting.extend(more);
            }
            let ok = sync_log(wal.clone()).await;
            answer(waiting, ok);
        }
    });
    tx
}

impl<DB> Batch<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Settles the last turn and commits the open transaction (rolled back if `COMMIT`
    /// fails). Returns the batch's writes and whether it committed; `None` when nothing was
    /// open.
    async fn commit(&mut self) -> Option<(Vec<oneshot::Sender<bool>>, bool)> {
        self.settle().await;
        if !self.open {
            return None;
        }
        let committed = exec::<DB>(&mut self.conn, "COMMIT").await;
        self.open = false;
        let done = std::mem::take(&mut self.done);
        if let Err(e) = &committed {
            write_failed(e);
            let _ = exec::<DB>(&mut self.conn, "ROLLBACK").await;
        }
        Some((done, committed.is_ok()))
    }
}

impl<DB: Database> Batch<DB> {
    fn direct(&self) -> Result<&DirectConn> {
        self.direct.as_ref().ok_or_else(|| {
            tracing::error!("group commit connection has no direct view");
            Error::internal()
        })
    }

    /// Rolls back the savepoint of a turn that did not finish (dropped by its caller).
    async fn settle(&mut self) {
        if !self.dirty {
            return;
        }
        // A turn dropped half way may have left a call running on sqlx's thread (its future
        // was dropped, the statement was not): a round trip through the same queue waits for
        // it, so that no direct call overlaps it (`DirectConn::alias`).
        if let Err(e) = sqlx::Connection::ping(&mut self.conn).await {
            write_failed(&e);
        }
        self.undo();
    }

    /// Rolls back the savepoint of the current turn, which has no call running elsewhere.
    fn undo(&mut self) {
        if !self.dirty {
            return;
        }
        let undone = self.direct().and_then(|d| {
            d.batch(ROLLBACK_TO)
                .and_then(|()| d.batch(RELEASE))
                .map_err(direct_error)
        });
        match undone {
            Ok(()) => self.dirty = false,
            Err(_) => self.abort(),
        }
    }

    /// Gives up the whole transaction: every write waiting in it is told it failed.
    fn abort(&mut self) {
        if let Ok(d) = self.direct() {
            // Fails harmlessly when no transaction is open.
            let _ = d.batch("ROLLBACK");
        }
        self.open = false;
        self.dirty = false;
        for tx in self.done.drain(..) {
            let _ = tx.send(false);
        }
    }
}

impl<DB: Database> Turn<DB> {
    fn guard(&mut self) -> &mut Batch<DB> {
        // Only `finish` (which consumes the turn) and `drop` take the guard.
        self.guard
            .as_mut()
            .expect("a turn holds the connection until it finishes")
    }

    /// The connection, for statements that go through sqlx.
    pub(crate) fn conn(&mut self) -> &mut DB::Connection {
        &mut self.guard().conn
    }

    /// Runs one read now, as a direct call.
    pub(crate) fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<DirectRow>> {
        self.guard()
            .direct()?
            .query(sql, params)
            .map_err(direct_error)
    }

    /// Runs `statements` now, as direct calls, in order. On failure the turn is left to be
    /// rolled back (its caller returns the error and drops it).
    pub(crate) fn execute(&mut self, statements: Vec<Statement>) -> Result<()> {
        let direct = self.guard().direct()?;
        for (sql, params) in &statements {
            direct.execute(sql, params).map_err(direct_error)?;
        }
        Ok(())
    }

    /// Runs `tail` (the write's last statements) and releases the savepoint, hands the
    /// connection on and waits until the batch holding this write is committed: `Ok` means
    /// durable.
    pub(crate) async fn finish(mut self, tail: Vec<Statement>) -> Result<()> {
        let Some(mut guard) = self.guard.take() else {
            return Err(Error::internal());
        };
        // No await until the guard is handed on: the release cannot be cut half way.
        let released = guard.direct().and_then(|direct| {
            for (sql, params) in &tail {
                direct.execute(sql, params).map_err(direct_error)?;
            }
            direct.batch(RELEASE).map_err(direct_error)
        });
        if let Err(e) = released {
            guard.dirty = true;
            guard.undo();
            return Err(e);
        }
        let (tx, rx) = oneshot::channel();
        guard.done.push(tx);
        drop(guard);
        let _ = self.wake.try_send(());
        match rx.await {
            Ok(true) => Ok(()),
            _ => Err(Error::internal()),
        }
    }
}

impl<DB: Database> Drop for Turn<DB> {
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            // Ended inside its savepoint (an error or a dropped request): the next holder rolls
            // it back; wake the committer so the batch is settled even if nobody else comes.
            guard.dirty = true;
            drop(guard);
            let _ = self.wake.try_send(());
        }
    }
}
