//! Throw-away databases for tests, on either engine.
//!
//! PostgreSQL tests connect to `MOTCUA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and create one database per test. They fail,
//! loudly, when PostgreSQL is unreachable; set `MOTCUA_TEST_POSTGRES=skip` to skip them on a
//! machine without PostgreSQL (CI never does).

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection as _;

use crate::Store;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
static COUNTER: AtomicU32 = AtomicU32::new(0);
static CLEANED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// A migrated store on a fresh database, removed by [`TestDb::finish`].
pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (for tests that run the CLI against it).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn admin_url() -> String {
    std::env::var("MOTCUA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string())
}

/// Whether PostgreSQL tests were switched off for this run.
pub fn postgres_skipped() -> bool {
    std::env::var("MOTCUA_TEST_POSTGRES").is_ok_and(|v| v == "skip")
}

fn database_url(admin: &str, name: &str) -> String {
    match admin.rfind('/') {
        Some(slash) if slash > admin.find("://").map_or(0, |i| i + 2) => {
            let (base, rest) = admin.split_at(slash);
            let query = rest.find('?').map_or("", |q| &rest[q..]);
            format!("{base}/{name}{query}")
        }
        _ => format!("{admin}/{name}"),
    }
}

impl TestDb {
    /// A SQLite database in a temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite:{}", dir.path().join("motcua.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            pg_name: None,
        }
    }

    /// A new PostgreSQL database, or `None` when `MOTCUA_TEST_POSTGRES=skip`.
    /// Panics when PostgreSQL cannot be reached: in CI that half must run.
    pub async fn postgres() -> Option<TestDb> {
        if postgres_skipped() {
            eprintln!("PostgreSQL half skipped (MOTCUA_TEST_POSTGRES=skip)");
            return None;
        }
        let admin = admin_url();
        CLEANED
            .get_or_init(|| drop_stale_databases(admin.clone()))
            .await;
        let name = format!(
            "motcua_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let url = database_url(&admin, &name);
        let store = Store::open(&url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required for the conformance suite but {admin} is unreachable: {e}. \
                 Start it, or set MOTCUA_TEST_POSTGRES=skip to skip this half locally."
            )
        });
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg_name: Some(name),
        })
    }

    /// Closes the store and drops its PostgreSQL database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some(name) = self.pg_name
            && let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url()).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// Removes databases left by earlier test processes that died before cleaning up.
async fn drop_stale_databases(admin: String) {
    let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await else {
        return;
    };
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'motcua\\_t\\_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// Runs each named async test function `fn(&Store)` once per engine, as
/// `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::testing::TestDb::sqlite().await;
                    super::$name(&db).await;
                    db.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(db) = $crate::testing::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                    db.finish().await;
                }
            }
        )*
    };
}

impl TestDb {
    /// Runs SQL directly, bypassing the store (to simulate someone editing the database by hand).
    pub async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.store.backend {
            crate::backend::Backend::Sqlite { writer, .. } => sqlx::raw_sql(sql)
                .execute(writer)
                .await
                .map(|r| r.rows_affected()),
            crate::backend::Backend::Postgres(pool) => sqlx::raw_sql(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
    }
}

/// One open dossier for [`Store::bench_bulk_insert_dossiers`]: the columns the inbox reads.
#[derive(Debug, Clone)]
pub struct BenchDossier {
    pub code: String,
    pub procedure_code: String,
    pub field_code: String,
    /// Owner unit id.
    pub unit_id: i64,
    pub acting_unit_id: i64,
    /// `in_person`, `postal` or `online`.
    pub channel: &'static str,
    /// `received`, `processing`, `result_ready`, … (as stored).
    pub status: &'static str,
    pub current_step: i64,
    pub waiting_role: Option<&'static str>,
    pub assignee: Option<String>,
    pub applicant_name: String,
    /// Diacritic-free, lower-case "code name".
    pub applicant_key: String,
    pub received_at_us: i64,
    pub legal_due_at_us: i64,
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn sql_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_string(), sql_text)
}

/// **Benchmark only.** The Biểu 06 deltas of bench dossiers, aggregated in memory
/// (`motcua_domain::report::deltas`, as the store computes them).
#[derive(Default)]
pub struct BenchCounters(crate::sqlite::report_counters_sql::Agg);

/// **Benchmark only.** One pause of a bench dossier (µs): started, ended, and the due
/// instant before it (the row's `legal_due_at` is the one after).
#[derive(Debug, Clone, Copy)]
pub struct BenchPause {
    pub started_us: i64,
    pub ended_us: i64,
    pub due_before_us: i64,
}

impl BenchCounters {
    /// Adds the deltas of one dossier as stored by [`Store::bench_bulk_insert_rows`] (and
    /// its pause row, if the caller writes one).
    pub fn add(&mut self, d: &BenchDossier, resolved: Option<i64>, pause: Option<BenchPause>) {
        let facts = motcua_domain::report::DossierFacts {
            received_at: crate::from_micros(d.received_at_us),
            online: d.channel == "online",
            resolved_at: resolved.map(crate::from_micros),
            without_result: crate::sqlite::report_counters_sql::stored_without_result(d.status),
            legal_due_at: crate::from_micros(d.legal_due_at_us),
            pauses: pause
                .map(|p| motcua_domain::report::Pause {
                    started_at: crate::from_micros(p.started_us),
                    ended_at: Some(crate::from_micros(p.ended_us)),
                    due_before: crate::from_micros(p.due_before_us),
                })
                .into_iter()
                .collect(),
        };
        crate::sqlite::report_counters_sql::add_facts(
            &mut self.0,
            d.unit_id,
            &d.field_code,
            &facts,
            1,
        );
    }

    /// How many (unit, field, day) keys it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Store {
    /// **Benchmark only.** Inserts dossier rows directly, in multi-row `INSERT`s of 500 rows
    /// inside one transaction per call, bypassing the domain, events and the audit chain.
    /// The `state` column holds a placeholder (`{}`): these rows are valid for the inbox and
    /// its counters but must never be acted on. Used to load a million open dossiers for the
    /// inbox latency benchmark without running a million intakes.
    pub async fn bench_bulk_insert_dossiers(&self, rows: &[BenchDossier]) -> crate::Result<()> {
        let rows: Vec<(&BenchDossier, Option<i64>)> = rows.iter().map(|d| (d, None)).collect();
        self.bench_bulk_insert_resolved(&rows).await
    }

    /// **Benchmark only.** [`Self::bench_bulk_insert_dossiers`] with a `resolved_at` per row
    /// (µs; `None` = still open), for the report benchmark's ended dossiers.
    pub async fn bench_bulk_insert_resolved(
        &self,
        rows: &[(&BenchDossier, Option<i64>)],
    ) -> crate::Result<()> {
        self.bench_bulk_insert_rows(rows, true).await
    }

    /// **Benchmark only.** [`Self::bench_bulk_insert_resolved`], with the Biểu 06 counters
    /// kept (`counters`) or left to the caller ([`BenchCounters`] and
    /// [`Self::bench_write_report_deltas`], one write for a whole load).
    pub async fn bench_bulk_insert_rows(
        &self,
        rows: &[(&BenchDossier, Option<i64>)],
        counters: bool,
    ) -> crate::Result<()> {
        let mut statements = String::new();
        for chunk in rows.chunks(500) {
            statements.push_str(
                "INSERT INTO dossiers (code, procedure_code, procedure_version, field_code, \
                 unit_id, acting_unit_id, channel, status, current_step, waiting_role, assignee, \
                 applicant_name, applicant_key, applicant_id_number, received_at, counted_from, \
                 legal_due_at, appointment_at, resolved_at, tracking_key_hash, state, version, \
                 created_at, updated_at) VALUES ",
            );
            for (i, (d, resolved)) in chunk.iter().enumerate() {
                if i > 0 {
                    statements.push(',');
                }
                let resolved = resolved.map_or_else(|| "NULL".to_string(), |r| r.to_string());
                statements.push_str(&format!(
                    "({}, {}, 1, {}, {}, {}, '{}', '{}', {}, {}, {}, {}, {}, '001099012345', \
                     {r}, {r}, {due}, {due}, {resolved}, 'bench', '{{}}', 1, {r}, {r})",
                    sql_text(&d.code),
                    sql_text(&d.procedure_code),
                    sql_text(&d.field_code),
                    d.unit_id,
                    d.acting_unit_id,
                    d.channel,
                    d.status,
                    d.current_step,
                    sql_opt(d.waiting_role),
                    sql_opt(d.assignee.as_deref()),
                    sql_text(&d.applicant_name),
                    sql_text(&d.applicant_key),
                    r = d.received_at_us,
                    due = d.legal_due_at_us,
                ));
            }
            statements.push_str(";\n");
        }
        let sql = sqlx::AssertSqlSafe(statements);
        // The Biểu 06 counters of the rows, aggregated in memory (no pauses here).
        let mut agg = BenchCounters::default();
        if counters {
            for (d, resolved) in rows {
                agg.add(d, *resolved, None);
            }
        }
        let agg = agg.0;
        match &self.backend {
            crate::backend::Backend::Sqlite { writer, .. } => {
                let mut tx = writer.begin().await.map_err(crate::db_error)?;
                sqlx::raw_sql(sql)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db_error)?;
                crate::sqlite::report_counters_sql::apply(&mut tx, agg).await?;
                tx.commit().await.map_err(crate::db_error)
            }
            crate::backend::Backend::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(crate::db_error)?;
                sqlx::raw_sql(sql)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db_error)?;
                crate::postgres::report_counters_sql::apply(&mut tx, agg).await?;
                tx.commit().await.map_err(crate::db_error)
            }
        }
    }

    /// **Benchmark only.** Writes the deltas aggregated in `counters` (added to those stored)
    /// in large literal statements, sorted by key, and drops the cached checkpoints (the
    /// caller builds the grid again, as the start-up does).
    pub async fn bench_write_report_deltas(&self, counters: BenchCounters) -> crate::Result<()> {
        let mut rows: Vec<_> = counters
            .0
            .into_iter()
            .filter(|(_, v)| v.iter().any(|x| *x != 0))
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut statements: Vec<String> = rows.chunks(200_000).map(|_| String::new()).collect();
        statements
            .push("DELETE FROM report_checkpoints; DELETE FROM report_checkpoint_days;".into());
        for (k, sql) in statements.iter_mut().enumerate() {
            // Built one transaction at a time (the whole text would be gigabytes at 10M).
            let tx_rows = rows.get(k * 200_000..((k + 1) * 200_000).min(rows.len()));
            for chunk in tx_rows.unwrap_or_default().chunks(1_000) {
                sql.push_str(
                    "INSERT INTO report_deltas (unit_id, field_code, day, c_online, c_offline, \
                     c_early, c_on_time, c_late, c_left, c_open, c_overdue) VALUES ",
                );
                for (i, ((unit, field, day), v)) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(',');
                    }
                    let v: Vec<String> = v.iter().map(i64::to_string).collect();
                    sql.push_str(&format!(
                        "({unit}, {}, {day}, {})",
                        sql_text(field),
                        v.join(", ")
                    ));
                }
                sql.push_str(concat!(
                    " ON CONFLICT (unit_id, field_code, day) DO UPDATE SET ",
                    add_excluded_counters!("report_deltas"),
                    ";\n"
                ));
            }
            let sql = sqlx::AssertSqlSafe(std::mem::take(sql));
            match &self.backend {
                crate::backend::Backend::Sqlite { writer, .. } => {
                    let mut tx = writer.begin().await.map_err(crate::db_error)?;
                    sqlx::raw_sql(sql)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db_error)?;
                    tx.commit().await.map_err(crate::db_error)?;
                }
                crate::backend::Backend::Postgres(pool) => {
                    let mut tx = pool.begin().await.map_err(crate::db_error)?;
                    sqlx::raw_sql(sql)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db_error)?;
                    tx.commit().await.map_err(crate::db_error)?;
                }
            }
        }
        Ok(())
    }

    /// **Benchmark only.** Drops the secondary indexes of `table` that are not constraints
    /// (faster bulk loading) and returns the statements that create them again, for
    /// [`Self::bench_create_indexes`].
    pub async fn bench_drop_indexes(&self, table: &str) -> crate::Result<Vec<String>> {
        let t = sql_text(table);
        let list = match self.engine() {
            crate::Engine::Sqlite => format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = {t} \
                 AND sql IS NOT NULL"
            ),
            crate::Engine::Postgres => format!(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = {t} \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ),
        };
        let mut creates = Vec::new();
        for line in self.bench_raw_lines(&list).await? {
            let Some((name, create)) = line.split_once(" | ") else {
                continue;
            };
            self.bench_raw_lines(&format!("DROP INDEX \"{name}\""))
                .await?;
            creates.push(create.to_string());
        }
        Ok(creates)
    }

    /// **Benchmark only.** Runs the statements of [`Self::bench_drop_indexes`] (PostgreSQL:
    /// with 1 GB of `maintenance_work_mem` for this session).
    pub async fn bench_create_indexes(&self, creates: &[String]) -> crate::Result<()> {
        let mut sql = String::new();
        if self.engine() == crate::Engine::Postgres {
            sql.push_str("SET maintenance_work_mem = '1GB';\n");
        }
        for c in creates {
            sql.push_str(c);
            sql.push_str(";\n");
        }
        let sql = sqlx::AssertSqlSafe(sql);
        match &self.backend {
            crate::backend::Backend::Sqlite { writer, .. } => {
                sqlx::raw_sql(sql).execute(writer).await.map(|_| ())
            }
            crate::backend::Backend::Postgres(pool) => {
                let mut conn = pool.acquire().await.map_err(crate::db_error)?;
                sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ())
            }
        }
        .map_err(crate::db_error)
    }

    /// **Benchmark only.** Runs SQL directly (`ANALYZE`, `EXPLAIN`, baseline statements) and
    /// returns the rows' first columns as text, one line per row.
    pub async fn bench_raw_lines(&self, sql: &str) -> crate::Result<Vec<String>> {
        use sqlx::Row as _;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        let col = |r: &dyn Fn(usize) -> Option<String>, n: usize| {
            (0..n).filter_map(r).collect::<Vec<_>>().join(" | ")
        };
        match &self.backend {
            crate::backend::Backend::Sqlite { writer, .. } => {
                let rows = sqlx::query(sql)
                    .fetch_all(writer)
                    .await
                    .map_err(crate::db_error)?;
                Ok(rows
                    .iter()
                    .map(|row| {
                        col(
                            &|i| {
                                row.try_get::<String, _>(i).ok().or_else(|| {
                                    row.try_get::<i64, _>(i).ok().map(|v| v.to_string())
                                })
                            },
                            row.len(),
                        )
                    })
                    .collect())
            }
            crate::backend::Backend::Postgres(pool) => {
                let rows = sqlx::query(sql)
                    .fetch_all(pool)
                    .await
                    .map_err(crate::db_error)?;
                Ok(rows
                    .iter()
                    .map(|row| {
                        col(
                            &|i| {
                                row.try_get::<String, _>(i).ok().or_else(|| {
                                    row.try_get::<i64, _>(i).ok().map(|v| v.to_string())
                                })
                            },
                            row.len(),
                        )
                    })
                    .collect())
            }
        }
    }
}
