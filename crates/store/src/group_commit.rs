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
//! The statements that move the connection between these states (`BEGIN`, `SAVEPOINT`,
//! `RELEASE`, the rollback of a dirty turn) run in spawned tasks: a caller that stops waiting
//! (a request dropped by its client) cannot cut them half way and leave the connection in a
//! state the next write does not expect.
//!
//! The committer is a task that queues for the connection like any write, so every write that
//! was already waiting when a batch's first member finished joins that batch; then it commits
//! and answers them all. The audit chain stays valid because each write reads the head row
//! inside its savepoint and moves it before releasing (a rolled-back savepoint restores it).
//!
//! Generic over the engine; `Group::new` takes the engine's `BEGIN` statement.

use std::sync::Arc;

use sqlx::{Database, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

use motcua_domain::{Error, Result};

/// The shared writer: its connection, the batch, and the committer's wake-up channel.
pub(crate) struct Group<DB: Database> {
    batch: Arc<Mutex<Batch<DB>>>,
    wake: mpsc::Sender<()>,
    begin: &'static str,
}

struct Batch<DB: Database> {
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

/// The statement that ends a write's turn successfully; a `tail` passed to
/// [`Turn::finish`] ends with it.
pub(crate) const RELEASE: &str = "RELEASE SAVEPOINT motcua_write";

fn write_failed(err: &sqlx::Error) -> Error {
    tracing::error!(error = %err, "group commit failed");
    Error::internal()
}

impl<DB> Group<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    <DB as Database>::Arguments: sqlx::IntoArguments<DB> + Send + 'static,
{
    /// Takes `conn` for writing and starts the committer (needs a Tokio runtime). The
    /// committer ends when the group is dropped.
    pub(crate) fn new(conn: DB::Connection, begin: &'static str) -> Group<DB> {
        let batch = Arc::new(Mutex::new(Batch {
            conn,
            open: false,
            dirty: false,
            done: Vec::new(),
        }));
        // One pending wake-up is enough: the committer commits everything released so far.
        let (wake, mut woken) = mpsc::channel::<()>(1);
        let weak = Arc::downgrade(&batch);
        tokio::spawn(async move {
            while woken.recv().await.is_some() {
                let Some(batch) = weak.upgrade() else { break };
                // Fair lock: the writes already queued run first and join this batch.
                let mut b = batch.lock().await;
                b.settle().await;
                if b.open {
                    let ok = match exec::<DB>(&mut b.conn, "COMMIT").await {
                        Ok(()) => true,
                        Err(e) => {
                            write_failed(&e);
                            let _ = exec::<DB>(&mut b.conn, "ROLLBACK").await;
                            false
                        }
                    };
                    b.open = false;
                    for tx in b.done.drain(..) {
                        let _ = tx.send(ok);
                    }
                }
            }
        });
        Group { batch, wake, begin }
    }

    /// Waits for the connection, joins the open transaction (or begins one), opens this
    /// write's savepoint and runs `first` inside it, all in one call to the database (one
    /// hand-off to the driver's thread instead of three). `bind` makes the call's query from
    /// its whole text (its parameters are those of `first`). Returns the turn and the rows of
    /// `first` (the audit chain's head and what the write reads first, for `WriteTx`).
    pub(crate) async fn turn<F>(&self, first: String, bind: F) -> Result<(Turn<DB>, Vec<DB::Row>)>
    where
        F: FnOnce(String) -> sqlx::query::Query<'static, DB, <DB as Database>::Arguments>
            + Send
            + 'static,
    {
        let batch = self.batch.clone();
        let begin = self.begin;
        let wake = self.wake.clone();
        // Spawned so that a dropped caller cannot interrupt it between the statement and the
        // state it records; a turn nobody takes is dropped, marked dirty, and rolled back.
        let opened = tokio::spawn(async move {
            let mut guard = batch.lock_owned().await;
            guard.settle().await;
            let began = !guard.open;
            let sql = if began {
                format!("{begin}; SAVEPOINT motcua_write; {first}")
            } else {
                format!("SAVEPOINT motcua_write; {first}")
            };
            match bind(sql).fetch_all(&mut guard.conn).await {
                Ok(rows) => {
                    guard.open = true;
                    Ok((
                        Turn {
                            guard: Some(guard),
                            wake,
                        },
                        rows,
                    ))
                }
                Err(e) => {
                    if began {
                        // Nothing else is pending in a transaction this call began.
                        guard.abort().await;
                    } else {
                        // Undo whatever ran of the savepoint (settle gives the transaction
                        // up if the savepoint itself never opened).
                        guard.dirty = true;
                        guard.settle().await;
                    }
                    Err(write_failed(&e))
                }
            }
        });
        opened.await.map_err(|e| {
            tracing::error!(error = %e, "group commit task failed");
            Error::internal()
        })?
    }

    /// Commits what is pending (on shutdown).
    pub(crate) async fn close(&self) {
        let mut b = self.batch.lock().await;
        b.settle().await;
        if b.open {
            let ok = exec::<DB>(&mut b.conn, "COMMIT").await.is_ok();
            b.open = false;
            for tx in b.done.drain(..) {
                let _ = tx.send(ok);
            }
        }
    }
}

impl<DB> Batch<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Rolls back the savepoint of a turn that did not finish.
    async fn settle(&mut self) {
        if !self.dirty {
            return;
        }
        // `dirty` is cleared only once both statements ran: interrupted, the next holder
        // repeats them (rolling back to a savepoint keeps it, so the first one repeats).
        let undone = exec::<DB>(&mut self.conn, "ROLLBACK TO SAVEPOINT motcua_write").await;
        let released = match undone {
            Ok(()) => exec::<DB>(&mut self.conn, RELEASE).await,
            Err(e) => Err(e),
        };
        match released {
            Ok(()) => self.dirty = false,
            Err(e) => {
                write_failed(&e);
                self.abort().await;
            }
        }
    }

    /// Gives up the whole transaction: every write waiting in it is told it failed.
    async fn abort(&mut self) {
        let _ = exec::<DB>(&mut self.conn, "ROLLBACK").await;
        self.open = false;
        self.dirty = false;
        for tx in self.done.drain(..) {
            let _ = tx.send(false);
        }
    }
}

impl<DB> Turn<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    <DB as Database>::Arguments: sqlx::IntoArguments<DB> + Send + 'static,
{
    pub(crate) fn conn(&mut self) -> &mut DB::Connection {
        // Only `finish` (which consumes the turn) and `drop` take the guard.
        &mut self
            .guard
            .as_mut()
            .expect("a turn holds the connection until it finishes")
            .conn
    }

    /// Runs `tail` (the write's last statements, ending with [`RELEASE`]; `None` runs only
    /// the release) as one call, hands the connection on and waits until the batch holding
    /// this write is committed: `Ok` means durable.
    pub(crate) async fn finish(
        mut self,
        tail: Option<sqlx::query::Query<'static, DB, <DB as Database>::Arguments>>,
    ) -> Result<()> {
        let Some(mut guard) = self.guard.take() else {
            return Err(Error::internal());
        };
        let wake = self.wake.clone();
        // Spawned (see the module comment): once the savepoint is released the write belongs
        // to the batch, whether or not its caller still waits for the answer.
        let released = tokio::spawn(async move {
            let done = match tail {
                Some(q) => q.execute(&mut guard.conn).await.map(|_| ()),
                None => exec::<DB>(&mut guard.conn, RELEASE).await,
            };
            if let Err(e) = done {
                // Stopped before its release (a multi-statement call stops at its first
                // error): roll the savepoint back.
                guard.dirty = true;
                guard.settle().await;
                return Err(write_failed(&e));
            }
            let (tx, rx) = oneshot::channel();
            guard.done.push(tx);
            drop(guard);
            let _ = wake.try_send(());
            Ok(rx)
        });
        let rx = released.await.map_err(|e| {
            tracing::error!(error = %e, "group commit task failed");
            Error::internal()
        })??;
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
