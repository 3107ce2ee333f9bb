//! All SQL of motcua, written once and compiled for each engine (`super::Db` is either
//! `sqlx::Sqlite` or `sqlx::Postgres`). Keep statements portable: `$n` placeholders, 64-bit
//! integers, no engine-specific functions, no `now()` (time comes from the caller's clock).

use std::borrow::Cow;

use sqlx::Row as _;

use motcua_calendar::Exception;
use motcua_domain::audit::{AuditEntry, AuditEvent, HashInput};
use motcua_domain::calendar;
use motcua_domain::import::{ImportRow, RowError, rejection};
use motcua_domain::unit::{self, NewUnit, Unit, UnitChange};
use motcua_domain::user::{NewUser, Role, User, roles_from_string, roles_to_string};
use motcua_domain::{Error, Result, text};

use super::Db;
use crate::backend::{Credentials, ExceptionSource, SessionInfo, StoredException, UnitFilter};
use crate::scoped::AuditFilter;
use crate::{db_error, is_unique_violation};

pub(crate) type Pool = sqlx::Pool<Db>;
type Row = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

// ---------------------------------------------------------------------------------------
// Write transactions and the audit chain
// ---------------------------------------------------------------------------------------

/// A write transaction that holds the audit chain's head. Every write goes through one, so no
/// write can skip its audit entry.
pub(crate) struct WriteTx {
    tx: TxConn,
    next_seq: i64,
    prev_hash: String,
    now_us: i64,
    actor: String,
    /// `Some` when the entries wait for the commit: the head is taken then (`begin_late`), or
    /// they go out with the commit's last call (`begin_grouped`).
    late: Option<Vec<(AuditEvent, Option<i64>)>>,
    /// The store's parsed procedure versions, looked up (never filled) inside the transaction
    /// (`procedures_sql::procedure_in`); `None` reads and parses every time.
    pub(crate) procedures: Option<std::sync::Arc<crate::procedure_cache::ProcedureCache>>,
    /// Statements whose answers the write does not need (see [`WriteTx::defer`]).
    deferred: Vec<(Cow<'static, str>, Vec<Param>)>,
    /// Biểu 06 counter deltas, applied at commit (see [`WriteTx::add_deltas`]).
    deltas: super::report_counters_sql::Agg,
    /// See [`WriteTx::take_prefetched`].
    prefetched: Option<Vec<DirectRow>>,
}

pub(crate) use crate::direct::Param;
use crate::direct::{Columns, DirectRow};

/// A row read inside a write transaction ([`WriteTx::query`]).
pub(crate) enum TxRow {
    Direct(DirectRow),
    Sqlx(Row),
}

impl TxRow {
    fn columns(&self) -> &dyn Columns {
        match self {
            TxRow::Direct(r) => r,
            TxRow::Sqlx(r) => r,
        }
    }
}

impl Columns for TxRow {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        self.columns().int(column)
    }

    fn text(&self, column: &str) -> Result<Option<String>> {
        self.columns().text(column)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        self.columns().flag(column)
    }

    fn small(&self, column: &str) -> Result<i32> {
        self.columns().small(column)
    }
}

/// One query of `sql` with `params` bound in order.
pub(crate) fn bound(
    sql: String,
    params: Vec<Param>,
) -> sqlx::query::Query<'static, Db, <Db as sqlx::Database>::Arguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
        };
    }
    q
}

/// Where a write transaction runs: a transaction of its own, or a savepoint in a group commit
/// (`crate::group_commit`; the SQLite engine's writes).
enum TxConn {
    Own(sqlx::Transaction<'static, Db>),
    // The PostgreSQL copy of this file never groups (see `write_tx!`).
    #[allow(dead_code)]
    Grouped(crate::group_commit::Turn<Db>),
}

impl TxConn {
    fn conn(&mut self) -> &mut Conn {
        match self {
            TxConn::Own(tx) => tx,
            TxConn::Grouped(turn) => turn.conn(),
        }
    }
}

impl WriteTx {
    #[allow(dead_code)] // the SQLite copy of this file groups every write (see `write_tx!`)
    pub(crate) async fn begin(pool: &Pool, actor: &str, now_us: i64) -> Result<WriteTx> {
        let tx = pool.begin().await.map_err(db_error)?;
        WriteTx::start(TxConn::Own(tx), actor, now_us).await
    }

    /// A write transaction as one savepoint of `group`'s shared transaction: `commit` returns
    /// once the shared transaction is durably committed.
    #[allow(dead_code)] // the PostgreSQL copy of this file never groups (see `write_tx!`)
    pub(crate) async fn begin_grouped(
        group: &crate::group_commit::Group<Db>,
        actor: &str,
        now_us: i64,
    ) -> Result<WriteTx> {
        WriteTx::begin_grouped_with(group, actor, now_us, None).await
    }

    /// [`WriteTx::begin_grouped`], with `prefetch` (a read the write starts with) run in the
    /// same call; its rows wait in [`WriteTx::take_prefetched`].
    #[allow(dead_code)] // the PostgreSQL copy of this file never groups (see `write_tx!`)
    pub(crate) async fn begin_grouped_with(
        group: &crate::group_commit::Group<Db>,
        actor: &str,
        now_us: i64,
        prefetch: Option<(&'static str, Vec<Param>)>,
    ) -> Result<WriteTx> {
        // The head is read as the savepoint opens: the group's connection is the only writer
        // and holds the write lock, so a plain read is enough.
        let mut reads = vec![(
            Cow::Borrowed("SELECT seq, hash FROM audit_head WHERE id = 1"),
            Vec::new(),
        )];
        let prefetching = prefetch.is_some();
        if let Some((sql, params)) = prefetch {
            reads.push((Cow::Borrowed(sql), params));
        }
        let (turn, mut rows) = group.turn(reads).await?;
        let Some(head) = rows.first().and_then(|r| r.first()) else {
            tracing::error!("audit head row is missing");
            return Err(Error::internal());
        };
        let seq = head.req_int("seq")?;
        let hash = head.req_text("hash")?;
        // Entries wait for the commit, where they go out with the write's last statements.
        let mut w = WriteTx::new(TxConn::Grouped(turn), actor, now_us, true);
        w.prev_hash = hash;
        w.next_seq = seq + 1;
        w.prefetched = prefetching.then(|| rows.pop().unwrap_or_default());
        Ok(w)
    }

    /// The rows of the read passed to [`WriteTx::begin_grouped_with`], once; `None` when
    /// none ran (the caller reads for itself).
    pub(crate) fn take_prefetched(&mut self) -> Option<Vec<DirectRow>> {
        self.prefetched.take()
    }

    /// Whether nothing else can write between this transaction's reads and its commit (the
    /// group commit's connection is SQLite's only writer and holds the write lock): a value
    /// read here is still current when the write's deferred statements run.
    pub(crate) fn serialized(&self) -> bool {
        matches!(self.tx, TxConn::Grouped(_))
    }

    /// A write transaction that takes the audit chain's head only at commit, so that
    /// concurrent writes overlap until then (PostgreSQL, where the head is a row lock held to
    /// the end of the transaction). Only for writes that are safe without serialising their
    /// reads: each changes rows by compare-and-set or atomic upsert (the dossier writes).
    #[allow(dead_code)] // the SQLite copy of this file groups instead (see `write_tx!`)
    pub(crate) async fn begin_late(pool: &Pool, actor: &str, now_us: i64) -> Result<WriteTx> {
        let tx = pool.begin().await.map_err(db_error)?;
        Ok(WriteTx::new(TxConn::Own(tx), actor, now_us, true))
    }

    /// A transaction that has not taken the head yet; `late`: its audit entries wait for the
    /// commit.
    fn new(tx: TxConn, actor: &str, now_us: i64, late: bool) -> WriteTx {
        WriteTx {
            tx,
            next_seq: 0,
            prev_hash: String::new(),
            now_us,
            actor: actor.to_string(),
            late: late.then(Vec::new),
            procedures: None,
            deferred: Vec::new(),
            deltas: Default::default(),
            prefetched: None,
        }
    }

    /// Takes the head: the chain's last entry, locked until this transaction ends.
    async fn take_head(&mut self) -> Result<()> {
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(self.tx.conn())
            .await
            .map_err(db_error)?;
        let seq: i64 = head.try_get("seq").map_err(db_error)?;
        self.prev_hash = head.try_get("hash").map_err(db_error)?;
        self.next_seq = seq + 1;
        Ok(())
    }

    async fn start(tx: TxConn, actor: &str, now_us: i64) -> Result<WriteTx> {
        let mut w = WriteTx::new(tx, actor, now_us, false);
        // Taking the head row first serialises writers (row lock on PostgreSQL, the write lock
        // on SQLite), so every read below sees the latest committed state. In a group commit
        // the head is read inside this write's savepoint: earlier writes of the batch have
        // moved it, and rolling the savepoint back restores it.
        w.take_head().await?;
        Ok(w)
    }

    pub(crate) fn conn(&mut self) -> &mut Conn {
        self.tx.conn()
    }

    /// Runs a read (or a write `RETURNING` rows) in this transaction: a direct call on
    /// SQLite's group commit (no hand-off to sqlx's thread, `crate::direct`), through sqlx
    /// otherwise. Statements queued with [`WriteTx::defer`] have not run yet.
    pub(crate) async fn query(
        &mut self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<Vec<TxRow>> {
        if let TxConn::Grouped(turn) = &mut self.tx {
            let rows = turn.query(sql, &params)?;
            return Ok(rows.into_iter().map(TxRow::Direct).collect());
        }
        let rows = bound(sql.to_string(), params)
            .fetch_all(self.tx.conn())
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(TxRow::Sqlx).collect())
    }

    pub(crate) fn now_us(&self) -> i64 {
        self.now_us
    }

    /// Appends one entry to the chain. `unit_id` is the unit the object belongs to (for scoped
    /// reading of the log).
    pub(crate) async fn audit(&mut self, event: AuditEvent, unit_id: Option<i64>) -> Result<()> {
        if let Some(pending) = &mut self.late {
            pending.push((event, unit_id));
            return Ok(());
        }
        self.append(event, unit_id).await
    }

    async fn append(&mut self, event: AuditEvent, unit_id: Option<i64>) -> Result<()> {
        let (sql, params) = self.entry(event, unit_id);
        bound(sql.to_string(), params)
            .execute(self.tx.conn())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// The next entry of the chain (hashed, the head moved past it) as a statement to run.
    fn entry(&mut self, event: AuditEvent, unit_id: Option<i64>) -> (&'static str, Vec<Param>) {
        let summary = event.summary.to_string();
        let actor = if event.actor.is_empty() {
            self.actor.clone()
        } else {
            event.actor
        };
        let seq = self.next_seq;
        let hash = HashInput {
            seq,
            at_micros: self.now_us,
            actor: &actor,
            action: event.action,
            object_type: event.object_type,
            object_id: &event.object_id,
            summary: &summary,
            prev_hash: &self.prev_hash,
        }
        .hash();
        let params = vec![
            Param::Int(Some(seq)),
            Param::Int(Some(self.now_us)),
            Param::Text(Some(actor)),
            Param::Text(Some(event.action.to_string())),
            Param::Text(Some(event.object_type.to_string())),
            Param::Text(Some(event.object_id)),
            Param::Int(unit_id),
            Param::Text(Some(summary)),
            Param::Text(Some(std::mem::replace(&mut self.prev_hash, hash.clone()))),
            Param::Text(Some(hash)),
        ];
        self.next_seq += 1;
        (
            "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, unit_id, summary, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params,
        )
    }

    /// Queues a statement whose answer (rows, count) the write does not need; queued
    /// statements run in order before the write's later reads that need them
    /// ([`WriteTx::flush`]) or at commit. On SQLite's group commit they go out with the
    /// commit's own statements as direct calls (`crate::direct`).
    pub(crate) fn defer(&mut self, sql: impl Into<Cow<'static, str>>, params: Vec<Param>) {
        self.deferred.push((sql.into(), params));
    }

    /// Runs the queued statements now (before a read that must see them).
    pub(crate) async fn flush(&mut self) -> Result<()> {
        if self.deferred.is_empty() {
            return Ok(());
        }
        let queued = std::mem::take(&mut self.deferred);
        if let TxConn::Grouped(turn) = &mut self.tx {
            turn.execute(queued)?;
        } else {
            for (sql, params) in queued {
                bound(sql.to_string(), params)
                    .execute(self.tx.conn())
                    .await
                    .map_err(db_error)?;
            }
        }
        Ok(())
    }

    /// Adds Biểu 06 counter deltas, applied at commit: after the audit head is taken, so
    /// that writers touching the same counter rows queue on the head instead of deadlocking
    /// on each other's rows (PostgreSQL's late head).
    pub(crate) fn add_deltas(&mut self, agg: super::report_counters_sql::Agg) {
        for (key, v) in agg {
            let e = self.deltas.entry(key).or_default();
            for (x, y) in e.iter_mut().zip(v) {
                *x += y;
            }
        }
    }

    /// An audit event by this transaction's actor.
    pub(crate) fn event(
        &self,
        action: &'static str,
        object_type: &'static str,
        object_id: &str,
        summary: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            actor: self.actor.clone(),
            action,
            object_type,
            object_id: object_id.to_string(),
            summary,
        }
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        if let TxConn::Grouped(_) = self.tx {
            return self.commit_grouped().await;
        }
        self.flush().await?;
        if let Some(pending) = self.late.take() {
            // The work is done; only now wait for the head, chain the entries and commit.
            self.take_head().await?;
            self.apply_deltas().await?;
            for (event, unit_id) in pending {
                self.append(event, unit_id).await?;
            }
        } else {
            self.apply_deltas().await?;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.next_seq - 1)
            .bind(&self.prev_hash)
            .execute(self.tx.conn())
            .await
            .map_err(db_error)?;
        match self.tx {
            TxConn::Own(tx) => tx.commit().await.map_err(db_error),
            TxConn::Grouped(_) => Err(Error::internal()),
        }
    }

    async fn apply_deltas(&mut self) -> Result<()> {
        if self.deltas.is_empty() {
            return Ok(());
        }
        let agg = std::mem::take(&mut self.deltas);
        super::report_counters_sql::apply(self.tx.conn(), agg).await
    }

    /// SQLite's group commit: the queued statements, the counters, the audit entries, the
    /// head and the savepoint's release as direct calls (`Turn::finish` runs them with no
    /// await in between, so that no dropped caller can cut them half way).
    async fn commit_grouped(mut self) -> Result<()> {
        let mut statements = std::mem::take(&mut self.deferred);
        statements.extend(
            super::report_counters_sql::apply_statements(std::mem::take(&mut self.deltas))
                .into_iter()
                .map(|(sql, p)| (Cow::Borrowed(sql), p)),
        );
        for (event, unit_id) in self.late.take().unwrap_or_default() {
            let (sql, p) = self.entry(event, unit_id);
            statements.push((Cow::Borrowed(sql), p));
        }
        statements.push((
            Cow::Borrowed("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"),
            vec![
                Param::Int(Some(self.next_seq - 1)),
                Param::Text(Some(self.prev_hash.clone())),
            ],
        ));
        match self.tx {
            TxConn::Grouped(turn) => turn.finish(statements).await,
            TxConn::Own(_) => Err(Error::internal()),
        }
    }
}

pub(crate) async fn audit_head_seq(pool: &Pool) -> Result<i64> {
    sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("seq"))
        .map_err(db_error)
}

macro_rules! audit_columns {
    () => {
        "a.seq, a.at, a.actor, a.action, a.object_type, a.object_id, a.summary, a.prev_hash, a.hash"
    };
}

fn audit_from_row(r: &Row) -> Result<AuditEntry> {
    (|| {
        Ok::<_, sqlx::Error>(AuditEntry {
            seq: r.try_get("seq")?,
            at_micros: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            object_type: r.try_get("object_type")?,
            object_id: r.try_get("object_id")?,
            summary: r.try_get("summary")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    })()
    .map_err(db_error)
}

/// Entries in chain order after `after_seq`, for verification.
pub(crate) async fn audit_batch(
    pool: &Pool,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(audit_from_row).collect()
}

/// Newest first, filtered, within a path range (None = the whole log, including entries that
/// belong to no unit). Unused filters are bound as NULL so the statement text stays fixed.
pub(crate) async fn audit_page(
    pool: &Pool,
    bounds: Option<(String, String)>,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let (lo, hi) = bounds.unzip();
    let rows = sqlx::query(concat!("SELECT ", audit_columns!(), " FROM audit_log a LEFT JOIN units u ON u.id = a.unit_id \
         WHERE ($1 IS NULL OR (u.path >= $1 AND u.path < $2)) \
         AND ($3 IS NULL OR a.object_type = $3) AND ($4 IS NULL OR a.object_id = $4) \
         AND ($5 IS NULL OR a.actor = $5) AND ($6 IS NULL OR a.at >= $6) AND ($7 IS NULL OR a.at < $7) \
         AND ($8 IS NULL OR a.seq < $8) ORDER BY a.seq DESC LIMIT $9"))
    .bind(lo)
    .bind(hi)
    .bind(filter.object_type.as_deref())
    .bind(filter.object_id.as_deref())
    .bind(filter.actor.as_deref())
    .bind(filter.from_us)
    .bind(filter.to_us)
    .bind(filter.before_seq)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(audit_from_row).collect()
}

// ---------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------

macro_rules! unit_select {
    () => {
        "SELECT u.id, u.code, u.name, u.short_name, u.level, p.code AS parent_code, \
     u.active, u.version, u.path FROM units u LEFT JOIN units p ON p.id = u.parent_id"
    };
}

fn unit_from_row(r: &impl Columns) -> Result<Unit> {
    let path = r.req_text("path")?;
    Ok(Unit {
        id: r.req_int("id")?,
        code: r.req_text("code")?,
        name: r.req_text("name")?,
        short_name: r.text("short_name")?,
        level: r.small("level")?,
        parent_code: r.text("parent_code")?,
        active: r.flag("active")?,
        version: r.req_int("version")?,
        depth: unit::depth_of(&path),
        path,
    })
}

/// The unit a code names, read inside a write transaction.
pub(crate) async fn unit_by_code_in(w: &mut WriteTx, code: &str) -> Result<Option<Unit>> {
    let rows = w
        .query(
            concat!(unit_select!(), " WHERE u.code = $1"),
            vec![Param::Text(Some(code.to_string()))],
        )
        .await?;
    rows.first().map(unit_from_row).transpose()
}

pub(crate) async fn unit_by_code<'c, E>(exec: E, code: &str) -> Result<Option<Unit>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row = sqlx::query(concat!(unit_select!(), " WHERE u.code = $1"))
        .bind(code)
        .fetch_optional(exec)
        .await
        .map_err(db_error)?;
    row.as_ref().map(unit_from_row).transpose()
}

pub(crate) async fn unit_count(pool: &Pool) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM units")
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}

pub(crate) async fn root_unit(pool: &Pool) -> Result<Option<Unit>> {
    let row = sqlx::query(concat!(
        unit_select!(),
        " WHERE u.parent_id IS NULL ORDER BY u.id LIMIT 1"
    ))
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    row.as_ref().map(unit_from_row).transpose()
}

/// Units within `[lo, hi)` of the path space, ordered by code, after a cursor.
pub(crate) async fn list_units(
    pool: &Pool,
    (lo, hi): (String, String),
    filter: &UnitFilter,
    limit: i64,
) -> Result<Vec<Unit>> {
    let search = filter
        .query
        .as_deref()
        .map(|q| format!("%{}%", escape_like(&text::search_key(q))));
    let rows = sqlx::query(concat!(
        unit_select!(),
        " WHERE u.path >= $1 AND u.path < $2 AND ($3 IS NULL OR u.code > $3) \
         AND ($4 IS NULL OR u.level = $4) AND ($5 IS NULL OR u.search_key LIKE $5 ESCAPE '\\') \
         AND ($6 IS NULL OR u.active = $6) ORDER BY u.code LIMIT $7"
    ))
    .bind(lo)
    .bind(hi)
    .bind(filter.after.as_deref())
    .bind(filter.level)
    .bind(search)
    .bind(filter.active)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(unit_from_row).collect()
}

/// A whole subtree in path order (depth-first), at most `limit` units.
pub(crate) async fn subtree(
    pool: &Pool,
    (lo, hi): (String, String),
    limit: i64,
) -> Result<Vec<Unit>> {
    let rows = sqlx::query(concat!(
        unit_select!(),
        " WHERE u.path >= $1 AND u.path < $2 ORDER BY u.path LIMIT $3"
    ))
    .bind(lo)
    .bind(hi)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(unit_from_row).collect()
}

/// Counts the units of a subtree (for benchmarks and reports).
pub(crate) async fn subtree_count(pool: &Pool, (lo, hi): (String, String)) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM units WHERE path >= $1 AND path < $2")
        .bind(lo)
        .bind(hi)
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}

pub(crate) async fn children(pool: &Pool, parent_id: i64) -> Result<Vec<Unit>> {
    let rows = sqlx::query(concat!(
        unit_select!(),
        " WHERE u.parent_id = $1 ORDER BY u.code"
    ))
    .bind(parent_id)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(unit_from_row).collect()
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn unit_summary(u: &Unit) -> serde_json::Value {
    serde_json::json!({
        "code": u.code, "name": u.name, "short_name": u.short_name, "level": u.level,
        "parent_code": u.parent_code, "active": u.active,
    })
}

/// Creates a unit; the parent must exist and be active, and only one root may exist.
pub(crate) async fn create_unit(w: &mut WriteTx, new: &NewUnit) -> Result<Unit> {
    if unit_by_code(w.conn(), new.code.as_str()).await?.is_some() {
        return Err(Error::conflict(
            "unit_code_taken",
            format!("Mã đơn vị {} đã được dùng cho một đơn vị khác.", new.code),
        ));
    }
    let parent = match &new.parent {
        Some(code) => {
            let parent = unit_by_code(w.conn(), code.as_str())
                .await?
                .ok_or_else(|| {
                    Error::invalid(
                        "unit_parent_missing",
                        format!("Không tìm thấy đơn vị cấp trên {code}."),
                    )
                })?;
            if !parent.active {
                return Err(Error::invalid(
                    "unit_parent_inactive",
                    format!("Đơn vị cấp trên {code} đã ngừng hoạt động."),
                ));
            }
            unit::check_parent_level(parent.level, new.level)?;
            Some(parent)
        }
        None => {
            let has_root = sqlx::query("SELECT id FROM units WHERE parent_id IS NULL LIMIT 1")
                .fetch_optional(w.conn())
                .await
                .map_err(db_error)?
                .is_some();
            if has_root {
                return Err(Error::invalid(
                    "unit_root_exists",
                    "Đã có đơn vị gốc (Bộ). Đơn vị mới phải có đơn vị cấp trên.",
                ));
            }
            None
        }
    };
    let now = w.now_us();
    let inserted = sqlx::query(
        "INSERT INTO units (code, name, short_name, level, parent_id, path, search_key, active, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(new.code.as_str())
    .bind(&new.name)
    .bind(new.short_name.as_deref())
    .bind(new.level)
    .bind(parent.as_ref().map(|p| p.id))
    .bind(format!("#{}", new.code)) // replaced below once the id is known
    .bind(text::search_key(&format!("{} {} {}", new.code, new.name, new.short_name.as_deref().unwrap_or(""))))
    .bind(true)
    .bind(now)
    .fetch_one(w.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::conflict("unit_code_taken", format!("Mã đơn vị {} đã được dùng.", new.code))
        } else {
            db_error(e)
        }
    })?;
    let id: i64 = inserted.try_get("id").map_err(db_error)?;
    let path = unit::child_path(parent.as_ref().map(|p| p.path.as_str()), id);
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    let created = unit_by_code(w.conn(), new.code.as_str())
        .await?
        .ok_or_else(Error::internal)?;
    let event = w.event("unit.create", "unit", &created.code, unit_summary(&created));
    w.audit(event, Some(id)).await?;
    Ok(created)
}

/// Renames, moves, (de)activates a unit, checking the version the caller saw.
pub(crate) async fn change_unit(
    w: &mut WriteTx,
    code: &str,
    version: i64,
    change: &UnitChange,
) -> Result<Unit> {
    let before = unit_by_code(w.conn(), code)
        .await?
        .ok_or_else(unit_not_found)?;
    if before.version != version {
        return Err(Error::version_conflict());
    }
    if change.is_empty() {
        return Err(Error::invalid(
            "change_empty",
            "Không có thay đổi nào để lưu.",
        ));
    }
    if change.active == Some(false) && before.parent_code.is_none() {
        return Err(Error::invalid(
            "unit_root_deactivate",
            "Không thể ngừng hoạt động đơn vị gốc (Bộ).",
        ));
    }
    let now = w.now_us();
    if let Some(new_parent_code) = &change.parent {
        if before.parent_code.is_none() {
            return Err(Error::invalid(
                "unit_root_move",
                "Không thể chuyển đơn vị gốc (Bộ).",
            ));
        }
        let parent = unit_by_code(w.conn(), new_parent_code.as_str())
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "unit_parent_missing",
                    format!("Không tìm thấy đơn vị cấp trên {new_parent_code}."),
                )
            })?;
        unit::check_move(&before.path, &parent.path)?;
        unit::check_parent_level(parent.level, before.level)?;
        if !parent.active {
            return Err(Error::invalid(
                "unit_parent_inactive",
                format!("Đơn vị cấp trên {new_parent_code} đã ngừng hoạt động."),
            ));
        }
        let new_path = unit::child_path(Some(&parent.path), before.id);
        let (lo, hi) = unit::subtree_range(&before.path);
        // substr() takes a 32-bit position on PostgreSQL.
        let old_len = i32::try_from(before.path.len()).map_err(|_| Error::internal())?;
        // Paths are ASCII, so character and byte positions agree on both engines.
        sqlx::query(
            "UPDATE units SET path = $1 || substr(path, $2), updated_at = $3 WHERE path >= $4 AND path < $5",
        )
        .bind(&new_path)
        .bind(old_len + 1)
        .bind(now)
        .bind(lo)
        .bind(hi)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
        sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
            .bind(parent.id)
            .bind(before.id)
            .execute(w.conn())
            .await
            .map_err(db_error)?;
    }
    let name = change.name.clone().unwrap_or_else(|| before.name.clone());
    let short_name = change
        .short_name
        .clone()
        .unwrap_or_else(|| before.short_name.clone());
    let active = change.active.unwrap_or(before.active);
    sqlx::query(
        "UPDATE units SET name = $1, short_name = $2, active = $3, search_key = $4, version = version + 1, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(&name)
    .bind(short_name.as_deref())
    .bind(active)
    .bind(text::search_key(&format!("{} {} {}", before.code, name, short_name.as_deref().unwrap_or(""))))
    .bind(now)
    .bind(before.id)
    .execute(w.conn())
    .await
    .map_err(db_error)?;
    let after = unit_by_code(w.conn(), code)
        .await?
        .ok_or_else(Error::internal)?;
    let action = if change.parent.is_some() {
        "unit.move"
    } else if change.active.is_some_and(|a| a != before.active) {
        if active {
            "unit.activate"
        } else {
            "unit.deactivate"
        }
    } else {
        "unit.update"
    };
    let summary =
        serde_json::json!({ "before": unit_summary(&before), "after": unit_summary(&after) });
    let event = w.event(action, "unit", &after.code, summary);
    w.audit(event, Some(after.id)).await?;
    Ok(after)
}

fn unit_not_found() -> Error {
    Error::not_found("unit_not_found", "Không tìm thấy đơn vị.")
}

/// Imports rows (parents first); any bad row rejects the whole file with line numbers.
pub(crate) async fn import_units(w: &mut WriteTx, rows: &[ImportRow]) -> Result<usize> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut failed: std::collections::HashSet<String> = std::collections::HashSet::new();
    for row in rows {
        if let Some(parent) = &row.unit.parent
            && failed.contains(parent.as_str())
        {
            failed.insert(row.unit.code.as_str().to_string());
            errors.push(RowError {
                line: row.line,
                code: "unit_parent_invalid",
                message: format!("đơn vị cấp trên {parent} có lỗi nên đơn vị này không nhập được"),
            });
            continue;
        }
        if let Err(e) = create_unit(w, &row.unit).await {
            if e.kind == motcua_domain::ErrorKind::Internal {
                return Err(e);
            }
            failed.insert(row.unit.code.as_str().to_string());
            errors.push(RowError {
                line: row.line,
                code: e.code,
                message: e.message,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows.len())
    } else {
        errors.sort_by_key(|e| e.line);
        Err(rejection(errors))
    }
}

// ---------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------

macro_rules! user_select {
    () => {
        "SELECT s.id, s.username, s.full_name, s.roles, s.active, s.version, s.password_hash, \
     u.code AS unit_code, u.path AS unit_path, u.level AS unit_level FROM users s JOIN units u ON u.id = s.unit_id"
    };
}

pub(crate) fn user_from_row(r: &impl Columns) -> Result<(User, String)> {
    let roles = r.req_text("roles")?;
    let user = User {
        id: r.req_int("id")?,
        username: r.req_text("username")?,
        full_name: r.req_text("full_name")?,
        unit_code: r.req_text("unit_code")?,
        roles: Vec::new(),
        active: r.flag("active")?,
        version: r.req_int("version")?,
        unit_path: r.req_text("unit_path")?,
        unit_level: r.small("unit_level")?,
    };
    let hash = r.req_text("password_hash")?;
    let roles = roles_from_string(&roles).map_err(|_| Error::internal())?;
    Ok((User { roles, ..user }, hash))
}

pub(crate) async fn user_by_username<'c, E>(exec: E, username: &str) -> Result<Option<Credentials>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row = sqlx::query(concat!(user_select!(), " WHERE s.username = $1"))
        .bind(username)
        .fetch_optional(exec)
        .await
        .map_err(db_error)?;
    row.as_ref()
        .map(|r| {
            user_from_row(r).map(|(user, password_hash)| Credentials {
                user,
                password_hash,
            })
        })
        .transpose()
}

pub(crate) async fn user_count(pool: &Pool) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}

pub(crate) async fn list_users(
    pool: &Pool,
    (lo, hi): (String, String),
    after: Option<&str>,
    unit_code: Option<&str>,
    limit: i64,
) -> Result<Vec<User>> {
    let rows = sqlx::query(concat!(
        user_select!(),
        " WHERE u.path >= $1 AND u.path < $2 AND ($3 IS NULL OR s.username > $3) \
         AND ($4 IS NULL OR u.code = $4) ORDER BY s.username LIMIT $5"
    ))
    .bind(lo)
    .bind(hi)
    .bind(after)
    .bind(unit_code)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| user_from_row(r).map(|(u, _)| u))
        .collect()
}

fn user_summary(u: &User) -> serde_json::Value {
    serde_json::json!({
        "username": u.username, "full_name": u.full_name, "unit_code": u.unit_code,
        "roles": roles_to_string(&u.roles), "active": u.active,
    })
}

/// Creates a person attached to an existing, active unit.
pub(crate) async fn create_user(
    w: &mut WriteTx,
    new: &NewUser,
    password_hash: &str,
) -> Result<User> {
    let unit = unit_by_code(w.conn(), &new.unit_code)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "unit_not_found",
                format!("Không tìm thấy đơn vị {}.", new.unit_code),
            )
        })?;
    if !unit.active {
        return Err(Error::invalid(
            "unit_inactive",
            format!("Đơn vị {} đã ngừng hoạt động.", unit.code),
        ));
    }
    if user_by_username(w.conn(), &new.username).await?.is_some() {
        return Err(Error::conflict(
            "username_taken",
            format!("Tên đăng nhập {} đã có người dùng.", new.username),
        ));
    }
    let now = w.now_us();
    sqlx::query(
        "INSERT INTO users (username, full_name, search_key, unit_id, roles, password_hash, active, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
    )
    .bind(&new.username)
    .bind(&new.full_name)
    .bind(text::search_key(&format!("{} {}", new.username, new.full_name)))
    .bind(unit.id)
    .bind(roles_to_string(&new.roles))
    .bind(password_hash)
    .bind(true)
    .bind(now)
    .execute(w.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::conflict("username_taken", format!("Tên đăng nhập {} đã có người dùng.", new.username))
        } else {
            db_error(e)
        }
    })?;
    let created = user_by_username(w.conn(), &new.username)
        .await?
        .ok_or_else(Error::internal)?
        .user;
    let event = w.event(
        "user.create",
        "user",
        &created.username,
        user_summary(&created),
    );
    w.audit(event, Some(unit.id)).await?;
    Ok(created)
}

pub(crate) async fn set_password(
    w: &mut WriteTx,
    username: &str,
    password_hash: &str,
) -> Result<()> {
    let user = user_by_username(w.conn(), username)
        .await?
        .ok_or_else(|| {
            Error::not_found(
                "user_not_found",
                format!("Không tìm thấy người dùng {username}."),
            )
        })?
        .user;
    let now = w.now_us();
    sqlx::query(
        "UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(password_hash)
    .bind(now)
    .bind(user.id)
    .execute(w.conn())
    .await
    .map_err(db_error)?;
    // A new password ends every other session of this person.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    let unit_id = unit_by_code(w.conn(), &user.unit_code).await?.map(|u| u.id);
    let event = w.event(
        "user.password_change",
        "user",
        &user.username,
        serde_json::json!({}),
    );
    w.audit(event, unit_id).await
}

pub(crate) async fn user_has_role_at_root(pool: &Pool, role: Role) -> Result<bool> {
    let rows = sqlx::query(
        "SELECT s.roles FROM users s JOIN units u ON u.id = s.unit_id WHERE u.parent_id IS NULL AND s.active = $1",
    )
    .bind(true)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    Ok(rows.iter().any(|r| {
        r.try_get::<String, _>("roles")
            .ok()
            .and_then(|s| roles_from_string(&s).ok())
            .is_some_and(|roles| roles.contains(&role))
    }))
}

// ---------------------------------------------------------------------------------------
// Sessions and sign-in throttling
// ---------------------------------------------------------------------------------------

pub(crate) async fn insert_session(
    w: &mut WriteTx,
    user: &User,
    token_hash: &str,
    kind: &str,
    expires_us: i64,
) -> Result<()> {
    let now = w.now_us();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(user.id)
        .bind(kind)
        .bind(now)
        .bind(expires_us)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    let unit_id = unit_by_code(w.conn(), &user.unit_code).await?.map(|u| u.id);
    let event = w.event(
        "auth.login",
        "user",
        &user.username,
        serde_json::json!({ "kind": kind }),
    );
    w.audit(event, unit_id).await
}

/// The person behind an unexpired session of a kind: `$1` token hash, `$2` kind, `$3` now
/// (µs), `$4` true (only active people).
pub(crate) const SESSION_SQL: &str = concat!(
    user_select!(),
    " JOIN sessions x ON x.user_id = s.id WHERE x.token_hash = $1 AND x.kind = $2 AND x.expires_at > $3 AND s.active = $4"
);

pub(crate) async fn session(
    pool: &Pool,
    token_hash: &str,
    kind: &str,
    now_us: i64,
) -> Result<Option<SessionInfo>> {
    let row = sqlx::query(SESSION_SQL)
        .bind(token_hash)
        .bind(kind)
        .bind(now_us)
        .bind(true)
        .fetch_optional(pool)
        .await
        .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    let (user, _) = user_from_row(&row)?;
    Ok(Some(SessionInfo { user }))
}

pub(crate) async fn delete_session(w: &mut WriteTx, user: &User, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    let unit_id = unit_by_code(w.conn(), &user.unit_code).await?.map(|u| u.id);
    let event = w.event("auth.logout", "user", &user.username, serde_json::json!({}));
    w.audit(event, unit_id).await
}

/// Housekeeping, not a business write: expired sessions and old sign-in failures go.
pub(crate) async fn prune(pool: &Pool, now_us: i64, failures_before_us: i64) -> Result<u64> {
    let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_us)
        .execute(pool)
        .await
        .map_err(db_error)?;
    let b = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(failures_before_us)
        .execute(pool)
        .await
        .map_err(db_error)?;
    Ok(a.rows_affected() + b.rows_affected())
}

pub(crate) async fn login_failures_since(
    pool: &Pool,
    username: &str,
    since_us: i64,
) -> Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE username = $1 AND at >= $2")
        .bind(username)
        .bind(since_us)
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)
}

/// Audits a failed sign-in; `counts` says whether it counts towards throttling (a refusal
/// because of throttling does not, so the window is not extended by further tries).
pub(crate) async fn record_login_failure(
    w: &mut WriteTx,
    username: &str,
    reason: &str,
    counts: bool,
) -> Result<()> {
    let now = w.now_us();
    if counts {
        sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
            .bind(username)
            .bind(now)
            .execute(w.conn())
            .await
            .map_err(db_error)?;
    }
    let unit_id = match user_by_username(w.conn(), username).await? {
        Some(c) => unit_by_code(w.conn(), &c.user.unit_code)
            .await?
            .map(|u| u.id),
        None => None,
    };
    let mut event = w.event(
        "auth.login_failed",
        "user",
        username,
        serde_json::json!({ "reason": reason }),
    );
    // A failed sign-in has no authenticated actor; record the name that was tried.
    event.actor = format!("anonymous:{username}");
    w.audit(event, unit_id).await
}

/// Baseline for the benchmarks: the same count found by walking parent links recursively,
/// which is what the materialised path saves us from.
pub(crate) async fn subtree_count_by_parent_links(pool: &Pool, unit_id: i64) -> Result<i64> {
    sqlx::query(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = $1 \
         UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
         SELECT COUNT(*) AS n FROM sub",
    )
    .bind(unit_id)
    .fetch_one(pool)
    .await
    .and_then(|r| r.try_get::<i64, _>("n"))
    .map_err(db_error)
}

pub(crate) async fn ping(pool: &Pool) -> Result<()> {
    sqlx::query("SELECT 1")
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(db_error)
}

// ---------------------------------------------------------------------------------------
// Calendar exceptions
// ---------------------------------------------------------------------------------------

macro_rules! exception_select {
    () => {
        "SELECT date, kind, name, legal_ref, covers, source, created_at, created_by FROM calendar_exceptions"
    };
}

fn exception_from_row(r: &Row) -> Result<StoredException> {
    let (date, kind, source, name, legal_ref, covers, created_at, created_by) = (|| {
        Ok::<_, sqlx::Error>((
            r.try_get::<String, _>("date")?,
            r.try_get::<String, _>("kind")?,
            r.try_get::<String, _>("source")?,
            r.try_get::<String, _>("name")?,
            r.try_get::<Option<String>, _>("legal_ref")?,
            r.try_get::<Option<String>, _>("covers")?,
            r.try_get::<Option<i64>, _>("created_at")?,
            r.try_get::<String, _>("created_by")?,
        ))
    })()
    .map_err(db_error)?;
    // The CHECK constraints keep these valid; anything else is a corrupted row.
    let date = calendar::parse_date("date", &date).map_err(|_| Error::internal())?;
    let kind = calendar::parse_kind(&kind).map_err(|_| Error::internal())?;
    let source = match source.as_str() {
        "shipped" => ExceptionSource::Shipped,
        "admin" => ExceptionSource::Admin,
        _ => return Err(Error::internal()),
    };
    Ok(StoredException {
        exception: Exception {
            date,
            kind,
            name,
            legal_ref,
            covers,
        },
        source,
        created_at: created_at.map(crate::from_micros),
        created_by,
    })
}

/// Exceptions in date order, all of them or those with `lo <= date < hi`.
pub(crate) async fn calendar_exceptions(
    pool: &Pool,
    range: Option<(String, String)>,
) -> Result<Vec<StoredException>> {
    let (lo, hi) = range.unzip();
    let rows = sqlx::query(concat!(
        exception_select!(),
        " WHERE ($1 IS NULL OR (date >= $1 AND date < $2)) ORDER BY date"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(exception_from_row).collect()
}

async fn calendar_exception_on(w: &mut WriteTx, date: &str) -> Result<Option<StoredException>> {
    let row = sqlx::query(concat!(exception_select!(), " WHERE date = $1"))
        .bind(date)
        .fetch_optional(w.conn())
        .await
        .map_err(db_error)?;
    row.as_ref().map(exception_from_row).transpose()
}

fn exception_exists(date: &str) -> Error {
    Error::conflict(
        "calendar_exception_exists",
        format!(
            "Ngày {} đã có công bố ngày nghỉ hoặc ngày làm việc. Hãy xoá công bố đó trước khi thêm công bố mới.",
            vn_date(date)
        ),
    )
    .with_details(serde_json::json!({ "date": date }))
}

/// dd/mm/yyyy from a stored YYYY-MM-DD.
fn vn_date(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

fn exception_summary(e: &Exception) -> serde_json::Value {
    serde_json::json!({
        "date": calendar::iso_date(e.date), "kind": calendar::kind_str(e.kind), "name": e.name,
        "legal_ref": e.legal_ref, "covers": e.covers,
    })
}

/// Adds an announced exception; a date holds at most one.
pub(crate) async fn add_calendar_exception(
    w: &mut WriteTx,
    e: &Exception,
) -> Result<StoredException> {
    let date = calendar::iso_date(e.date);
    if calendar_exception_on(w, &date).await?.is_some() {
        return Err(exception_exists(&date));
    }
    let now = w.now_us();
    let actor = w.actor.clone();
    sqlx::query(
        "INSERT INTO calendar_exceptions (date, kind, name, legal_ref, covers, source, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&date)
    .bind(calendar::kind_str(e.kind))
    .bind(&e.name)
    .bind(e.legal_ref.as_deref())
    .bind(e.covers.as_deref())
    .bind("admin")
    .bind(now)
    .bind(&actor)
    .execute(w.conn())
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            exception_exists(&date)
        } else {
            db_error(err)
        }
    })?;
    let event = w.event(
        "calendar.exception_add",
        "calendar_exception",
        &date,
        exception_summary(e),
    );
    w.audit(event, None).await?;
    calendar_exception_on(w, &date)
        .await?
        .ok_or_else(Error::internal)
}

/// Removes the exception announced for a date (shipped or added later).
pub(crate) async fn remove_calendar_exception(
    w: &mut WriteTx,
    date: &str,
) -> Result<StoredException> {
    let Some(removed) = calendar_exception_on(w, date).await? else {
        return Err(Error::not_found(
            "calendar_exception_not_found",
            format!("Ngày {} không có công bố nào để xoá.", vn_date(date)),
        )
        .with_details(serde_json::json!({ "date": date })));
    };
    sqlx::query("DELETE FROM calendar_exceptions WHERE date = $1")
        .bind(date)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    let mut summary = exception_summary(&removed.exception);
    if let Some(map) = summary.as_object_mut() {
        map.insert("source".into(), serde_json::json!(removed.source.as_str()));
    }
    let event = w.event(
        "calendar.exception_remove",
        "calendar_exception",
        date,
        summary,
    );
    w.audit(event, None).await?;
    Ok(removed)
}
