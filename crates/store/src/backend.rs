//! [`Store`]: opening either engine from a URL, migrations, and the unscoped operations used by
//! the CLI, sign-in and start-up. Request handlers use [`crate::ScopedStore`] instead.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

use motcua_domain::audit::{AuditEntry, ChainBreak, ChainVerifier};
use motcua_domain::import::ImportRow;
use motcua_domain::procedure::Procedure;
use motcua_domain::scope::Scope;
use motcua_domain::unit::{NewUnit, Unit, UnitChange};
use motcua_domain::user::{NewUser, Role, User};
use motcua_domain::{Error, Result};

use crate::scoped::{AuditFilter, ScopedStore};
use crate::{Engine, to_micros};

/// Runs `$body` with `$e` naming the engine module and `$pool` its pool for reading.
/// `$e in $m` names another SQL module of the engines instead (e.g. `procedures_sql`).
macro_rules! read_db {
    ($store:expr, $e:ident, $pool:ident => $body:expr) => {
        read_db!($store, $e in engine, $pool => $body)
    };
    ($store:expr, $e:ident in $m:ident, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { reader: $pool, .. } => {
                use crate::sqlite::$m as $e;
                $body
            }
            Backend::Postgres($pool) => {
                use crate::postgres::$m as $e;
                $body
            }
        }
    };
}

/// Runs `$body` inside an audited write transaction `$w` and commits it if the body succeeds.
/// `$e in $m` names another SQL module of the engines instead (e.g. `procedures_sql`).
macro_rules! write_tx {
    ($store:expr, $actor:expr, $now:expr, $e:ident, $w:ident => $body:expr) => {
        write_tx!($store, $actor, $now, $e in engine, $w => $body)
    };
    ($store:expr, $actor:expr, $now:expr, $e:ident in $m:ident, $w:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { group, .. } => {
                use crate::sqlite::$m as $e;
                let mut $w = crate::sqlite::engine::WriteTx::begin_grouped(group, $actor, to_micros($now)).await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                use crate::postgres::$m as $e;
                let mut $w = crate::postgres::engine::WriteTx::begin(pool, $actor, to_micros($now)).await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
        }
    };
}

#[derive(Clone)]
pub(crate) enum Backend {
    /// One writer connection (SQLite has one writer anyway; this avoids lock upgrades) and a
    /// few readers, all on one WAL database.
    Sqlite {
        writer: sqlx::SqlitePool,
        reader: sqlx::SqlitePool,
        /// The audited writes' own connection, shared by concurrent writes (group commit).
        group: std::sync::Arc<crate::group_commit::Group<sqlx::Sqlite>>,
        /// The session lookup's own connections, read on the caller's thread (point_reads.rs);
        /// `None` for an in-memory database.
        points: Option<std::sync::Arc<crate::point_reads::PointReaders>>,
    },
    Postgres(sqlx::PgPool),
}

/// The storage handle; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Where attachments live (`Store::with_blob_dir`); `None` until configured.
    pub(crate) blobs: Option<std::sync::Arc<crate::attachments::BlobConfig>>,
    /// Parsed procedure versions read from committed data (procedure_cache.rs).
    pub(crate) procedures: std::sync::Arc<crate::procedure_cache::ProcedureCache>,
}

/// A page of a keyset-paginated list; `next` is the cursor for the following page.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Filters for unit lists.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Code of the last unit of the previous page.
    pub after: Option<String>,
    pub level: Option<i32>,
    /// Words to find in code, name or short name, ignoring diacritics and case.
    pub query: Option<String>,
    pub active: Option<bool>,
}

/// Filters for the procedure catalogue (latest versions).
#[derive(Debug, Clone, Default)]
pub struct ProcedureFilter {
    /// Code of the last procedure of the previous page.
    pub after: Option<String>,
    /// Field (lĩnh vực) code.
    pub field: Option<String>,
    /// Words to find in code, name or field name, ignoring diacritics and case.
    pub query: Option<String>,
    /// Code of the implementing unit.
    pub unit: Option<String>,
}

/// One line of the procedure catalogue: the latest version of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureSummary {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub field_code: String,
    pub field_name: String,
    pub level: String,
    /// Code of the implementing unit.
    pub implementing_unit: String,
    pub implementing_unit_name: String,
    /// When this version was saved.
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    /// Who saved this version.
    pub saved_by: String,
}

/// Where a stored calendar exception came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionSource {
    /// Shipped with the product and inserted by a migration.
    Shipped,
    /// Added later by an administrator (API, web page or CLI).
    Admin,
}

impl ExceptionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionSource::Shipped => "shipped",
            ExceptionSource::Admin => "admin",
        }
    }
}

/// An announced calendar exception as stored, with who added it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredException {
    pub exception: motcua_calendar::Exception,
    pub source: ExceptionSource,
    /// `None` for exceptions shipped with the product.
    pub created_at: Option<OffsetDateTime>,
    /// `system` for shipped exceptions, otherwise the audit actor.
    pub created_by: String,
}

/// A person and their password hash (only for sign-in).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// What a valid session token resolves to.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
}

impl Store {
    /// Opens the database named by `url`: `sqlite:PATH` (created with its folder if missing)
    /// or `postgres://…` (the database is created if it does not exist).
    pub async fn open(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options =
                PgConnectOptions::from_str(url).map_err(|e| url_error(url, &e.to_string()))?;
            if !sqlx::Postgres::database_exists(url)
                .await
                .map_err(|e| unreachable(url, &e))?
            {
                sqlx::Postgres::create_database(url)
                    .await
                    .map_err(|e| unreachable(url, &e))?;
            }
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| unreachable(url, &e))?;
            return Ok(Store {
                backend: Backend::Postgres(pool),
                blobs: None,
                procedures: Default::default(),
            });
        }
        let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        else {
            return Err(url_error(url, "phải bắt đầu bằng sqlite: hoặc postgres://"));
        };
        let path = Path::new(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| url_error(url, &e.to_string()))?;
        }
        // Acknowledged means durable: WAL with synchronous=FULL (architecture.md, Storage).
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(|e| unreachable(url, &e))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
            .map_err(|e| unreachable(url, &e))?;
        // Audited writes share one transaction and one durable commit per batch
        // (group_commit.rs); `writer` serves migrations and maintenance.
        // Its savepoints keep the pages they change in a sub-journal, which SQLite spills to
        // a temporary file past 64 KiB: a batch's writes would each pay file writes for it.
        // Its `COMMIT` writes the log without syncing it: the group commit syncs the log
        // itself before it answers, while the next batch already runs (group_commit.rs).
        let group_options = options
            .clone()
            .pragma("temp_store", "memory")
            .synchronous(SqliteSynchronous::Normal);
        let mut group_conn = sqlx::ConnectOptions::connect(&group_options)
            .await
            .map_err(|e| unreachable(url, &e))?;
        let wal = write_ahead_log(&mut group_conn, path)
            .await
            .map_err(|e| unreachable(url, &e))?;
        let direct = crate::direct::DirectConn::alias(&mut group_conn).await?;
        let group = std::sync::Arc::new(crate::group_commit::Group::new(
            group_conn,
            direct,
            "BEGIN IMMEDIATE",
            wal,
        ));
        let points = crate::point_reads::PointReaders::open(path)?.map(std::sync::Arc::new);
        Ok(Store {
            backend: Backend::Sqlite {
                writer,
                reader,
                group,
                points,
            },
            blobs: None,
            procedures: Default::default(),
        })
    }

    pub fn engine(&self) -> Engine {
        match self.backend {
            Backend::Sqlite { .. } => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies pending migrations (safe to run from several instances at once on PostgreSQL,
    /// which takes an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        let result = match &self.backend {
            Backend::Sqlite { writer, .. } => crate::sqlite::MIGRATOR.run(writer).await,
            Backend::Postgres(pool) => crate::postgres::MIGRATOR.run(pool).await,
        };
        result.map_err(|e| {
            tracing::error!(error = %e, "migration failed");
            Error::new(
                motcua_domain::ErrorKind::Internal,
                "migration_failed",
                format!("Không nâng cấp được cơ sở dữ liệu: {e}"),
            )
        })?;
        // Pause rows of migration 0008 for dossiers paused before it (once).
        self.backfill_report_pauses().await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite {
                writer,
                reader,
                group,
                ..
            } => {
                group.close().await;
                reader.close().await;
                writer.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Checks that the database answers (for /healthz).
    pub async fn ping(&self) -> Result<()> {
        read_db!(self, e, pool => e::ping(pool).await)
    }

    /// The view of the data a person with `scope` may see and change.
    pub fn scoped(&self, scope: Scope) -> ScopedStore {
        ScopedStore::new(self.clone(), scope)
    }

    // --- units ------------------------------------------------------------------------

    pub async fn unit_count(&self) -> Result<i64> {
        read_db!(self, e, pool => e::unit_count(pool).await)
    }

    pub async fn root_unit(&self) -> Result<Option<Unit>> {
        read_db!(self, e, pool => e::root_unit(pool).await)
    }

    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        read_db!(self, e, pool => e::unit_by_code(pool, code).await)
    }

    pub async fn create_unit(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewUnit,
    ) -> Result<Unit> {
        write_tx!(self, actor, now, e, w => e::create_unit(&mut w, new).await?)
    }

    pub(crate) async fn change_unit(
        &self,
        actor: &str,
        now: OffsetDateTime,
        code: &str,
        version: i64,
        change: &UnitChange,
    ) -> Result<Unit> {
        write_tx!(self, actor, now, e, w => e::change_unit(&mut w, code, version, change).await?)
    }

    /// Imports a parsed file in one transaction: all rows or none.
    pub async fn import_units(
        &self,
        actor: &str,
        now: OffsetDateTime,
        rows: &[ImportRow],
    ) -> Result<usize> {
        write_tx!(self, actor, now, e, w => e::import_units(&mut w, rows).await?)
    }

    pub(crate) async fn list_units_in(
        &self,
        bounds: (String, String),
        filter: &crate::UnitFilter,
        limit: i64,
    ) -> Result<Vec<Unit>> {
        read_db!(self, e, pool => e::list_units(pool, bounds, filter, limit).await)
    }

    pub(crate) async fn subtree_in(
        &self,
        bounds: (String, String),
        limit: i64,
    ) -> Result<Vec<Unit>> {
        read_db!(self, e, pool => e::subtree(pool, bounds, limit).await)
    }

    /// Number of units under (and including) the unit with this path; the benchmarked query.
    pub async fn subtree_count(&self, path: &str) -> Result<i64> {
        let bounds = motcua_domain::unit::subtree_range(path);
        read_db!(self, e, pool => e::subtree_count(pool, bounds).await)
    }

    /// The subtree count by a recursive walk of parent links: the benchmarks' baseline.
    pub async fn subtree_count_by_parent_links(&self, unit_id: i64) -> Result<i64> {
        read_db!(self, e, pool => e::subtree_count_by_parent_links(pool, unit_id).await)
    }

    pub(crate) async fn children_of(&self, parent_id: i64) -> Result<Vec<Unit>> {
        read_db!(self, e, pool => e::children(pool, parent_id).await)
    }

    // --- people -----------------------------------------------------------------------

    pub async fn user_count(&self) -> Result<i64> {
        read_db!(self, e, pool => e::user_count(pool).await)
    }

    /// A person and their password hash, for sign-in.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        read_db!(self, e, pool => e::user_by_username(pool, username).await)
    }

    pub async fn create_user(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewUser,
        password_hash: &str,
    ) -> Result<User> {
        write_tx!(self, actor, now, e, w => e::create_user(&mut w, new, password_hash).await?)
    }

    /// Sets a new password and ends the person's sessions.
    pub async fn set_password(
        &self,
        actor: &str,
        now: OffsetDateTime,
        username: &str,
        password_hash: &str,
    ) -> Result<()> {
        write_tx!(self, actor, now, e, w => e::set_password(&mut w, username, password_hash).await?)
    }

    /// Whether some active person at the root unit holds `role` (start-up checks).
    pub async fn role_exists_at_root(&self, role: Role) -> Result<bool> {
        read_db!(self, e, pool => e::user_has_role_at_root(pool, role).await)
    }

    pub(crate) async fn list_users_in(
        &self,
        bounds: (String, String),
        after: Option<&str>,
        unit_code: Option<&str>,
        limit: i64,
    ) -> Result<Vec<User>> {
        read_db!(self, e, pool => e::list_users(pool, bounds, after, unit_code, limit).await)
    }

    // --- sessions and sign-in ---------------------------------------------------------

    /// Stores a session or API token (only its hash) and audits the sign-in.
    pub async fn create_session(
        &self,
        now: OffsetDateTime,
        user: &User,
        token_hash: &str,
        kind: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        write_tx!(self, &user.username, now, e, w => e::insert_session(&mut w, user, token_hash, kind, to_micros(expires_at)).await?)
    }

    /// The person behind a token hash, if the session exists and has not expired.
    /// `kind` is `web` (cookie sessions) or `api` (bearer tokens); one never passes as the other.
    pub async fn session(
        &self,
        token_hash: &str,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Option<SessionInfo>> {
        if let Backend::Sqlite {
            points: Some(points),
            ..
        } = &self.backend
            && let Some(found) = points.session(token_hash, kind, to_micros(now))?
        {
            return Ok(found);
        }
        read_db!(self, e, pool => e::session(pool, token_hash, kind, to_micros(now)).await)
    }

    pub async fn delete_session(
        &self,
        now: OffsetDateTime,
        user: &User,
        token_hash: &str,
    ) -> Result<()> {
        write_tx!(self, &user.username, now, e, w => e::delete_session(&mut w, user, token_hash).await?)
    }

    pub async fn login_failures_since(&self, username: &str, since: OffsetDateTime) -> Result<i64> {
        read_db!(self, e, pool => e::login_failures_since(pool, username, to_micros(since)).await)
    }

    /// Audits a failed sign-in; `counts` adds it to the throttling window.
    pub async fn record_login_failure(
        &self,
        now: OffsetDateTime,
        username: &str,
        reason: &str,
        counts: bool,
    ) -> Result<()> {
        write_tx!(self, "", now, e, w => e::record_login_failure(&mut w, username, reason, counts).await?)
    }

    /// Removes expired sessions and sign-in failures older than `keep_failures_since`.
    pub async fn prune(
        &self,
        now: OffsetDateTime,
        keep_failures_since: OffsetDateTime,
    ) -> Result<u64> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                crate::sqlite::engine::prune(writer, to_micros(now), to_micros(keep_failures_since))
                    .await
            }
            Backend::Postgres(pool) => {
                crate::postgres::engine::prune(pool, to_micros(now), to_micros(keep_failures_since))
                    .await
            }
        }
    }

    // --- calendar ---------------------------------------------------------------------

    /// Announced calendar exceptions in date order: all of them (`None`) or one year's. This
    /// is the effective exception set of the working calendar.
    pub async fn calendar_exceptions(&self, year: Option<i32>) -> Result<Vec<StoredException>> {
        let range = year.map(|y| (format!("{y:04}-01-01"), format!("{:04}-01-01", y + 1)));
        read_db!(self, e, pool => e::calendar_exceptions(pool, range).await)
    }

    /// Announces an exception (audited `calendar.exception_add`); `calendar_exception_exists`
    /// (409) when the date already has one. The caller validates the exception first
    /// (`motcua_domain::calendar::parse_exception`).
    pub async fn add_calendar_exception(
        &self,
        actor: &str,
        now: OffsetDateTime,
        exception: &motcua_calendar::Exception,
    ) -> Result<StoredException> {
        write_tx!(self, actor, now, e, w => e::add_calendar_exception(&mut w, exception).await?)
    }

    /// Removes the exception of a date (audited `calendar.exception_remove`);
    /// `calendar_exception_not_found` (404) when there is none.
    pub async fn remove_calendar_exception(
        &self,
        actor: &str,
        now: OffsetDateTime,
        date: time::Date,
    ) -> Result<StoredException> {
        let date = motcua_domain::calendar::iso_date(date);
        write_tx!(self, actor, now, e, w => e::remove_calendar_exception(&mut w, &date).await?)
    }

    // --- procedures -------------------------------------------------------------------
    // SQL in procedures_sql.rs. Inside a write transaction, engine code reads a procedure with
    // `super::procedures_sql::procedure_in(w, code)` / `procedure_version_in(w, code, version)`.

    /// The current (latest) version of a procedure.
    pub async fn procedure(&self, code: &str) -> Result<Option<Procedure>> {
        let found = read_db!(self, e in procedures_sql, pool => e::procedure(pool, code).await)?;
        if let Some(p) = &found {
            // Read outside a write transaction: committed, so it may be cached.
            self.procedures.put(&std::sync::Arc::new(p.clone()));
        }
        Ok(found)
    }

    /// One version of a procedure (dossiers keep the version they were received under), from
    /// the cache of committed versions when it holds it (a stored version never changes).
    pub async fn procedure_version(&self, code: &str, version: i64) -> Result<Option<Procedure>> {
        if let Some(p) = self.procedures.get(code, version) {
            return Ok(Some((*p).clone()));
        }
        let found = read_db!(self, e in procedures_sql, pool => e::procedure_version(pool, code, version).await)?;
        if let Some(p) = &found {
            self.procedures.put(&std::sync::Arc::new(p.clone()));
        }
        Ok(found)
    }

    /// Saves a procedure checked by `Procedure::parse` as version 1 or the next version of its
    /// code (audited). Its units must exist: 422 `unit_not_found` otherwise.
    pub async fn save_procedure(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &Procedure,
    ) -> Result<Procedure> {
        write_tx!(self, actor, now, e in procedures_sql, w => e::save_procedure(&mut w, new).await?)
    }

    /// Saves several procedures in one transaction: all or none. An error carries the failing
    /// item's index and code in `details.index` / `details.procedure`.
    pub async fn save_procedures(
        &self,
        actor: &str,
        now: OffsetDateTime,
        items: &[Procedure],
    ) -> Result<Vec<Procedure>> {
        write_tx!(self, actor, now, e in procedures_sql, w => e::save_procedures(&mut w, items).await?)
    }

    /// The latest version of every procedure (or of `code` only), in code order.
    pub async fn latest_procedures(&self, code: Option<&str>) -> Result<Vec<Procedure>> {
        read_db!(self, e in procedures_sql, pool => e::latest_procedures(pool, code).await)
    }

    pub(crate) async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        limit: i64,
    ) -> Result<Vec<ProcedureSummary>> {
        read_db!(self, e in procedures_sql, pool => e::list_procedures(pool, filter, limit).await)
    }

    // --- audit ------------------------------------------------------------------------

    /// Recomputes the whole chain in batches. `Ok(Ok(n))`: n entries, all intact.
    pub async fn verify_audit(&self) -> Result<std::result::Result<i64, ChainBreak>> {
        const BATCH: i64 = 5_000;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = read_db!(self, e, pool => e::audit_batch(pool, after, BATCH).await)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for entry in &batch {
                if let Err(broken) = verifier.push(entry) {
                    return Ok(Err(broken));
                }
            }
        }
        let head = read_db!(self, e, pool => e::audit_head_seq(pool).await)?;
        Ok(verifier.finish(head))
    }

    pub(crate) async fn audit_page_in(
        &self,
        bounds: Option<(String, String)>,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        read_db!(self, e, pool => e::audit_page(pool, bounds, filter, limit).await)
    }
}

/// The write-ahead log of the database at `path` when `conn` runs in WAL mode; otherwise
/// (a file system without WAL support) `None`, and `conn` goes back to syncing at `COMMIT`.
async fn write_ahead_log(
    conn: &mut sqlx::SqliteConnection,
    path: &Path,
) -> std::result::Result<Option<std::path::PathBuf>, sqlx::Error> {
    use sqlx::Row as _;
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if mode.eq_ignore_ascii_case("wal") {
        let mut log = std::path::absolute(path)?.into_os_string();
        log.push("-wal");
        return Ok(Some(log.into()));
    }
    sqlx::raw_sql("PRAGMA synchronous = FULL")
        .execute(&mut *conn)
        .await?;
    Ok(None)
}

fn url_error(url: &str, why: &str) -> Error {
    Error::bad_request(
        "database_url_invalid",
        format!(
            "Địa chỉ cơ sở dữ liệu \"{}\" không hợp lệ: {why}",
            redact(url)
        ),
    )
}

fn unreachable(url: &str, err: &sqlx::Error) -> Error {
    tracing::error!(error = %err, url = %redact(url), "cannot open database");
    Error::new(
        motcua_domain::ErrorKind::Internal,
        "database_unreachable",
        format!("Không kết nối được cơ sở dữ liệu {}: {err}", redact(url)),
    )
}

/// Hides a password in a URL before it is logged or shown.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
