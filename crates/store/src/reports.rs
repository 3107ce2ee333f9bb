//! Biểu 06 (Thông tư 01/2020/TT-VPCP): the figures of a period for a unit subtree, with rows
//! per field (lĩnh vực) or per unit directly under the chosen one. The SQL is in
//! `reports_sql.rs` (compiled for both engines); the rules it encodes are the domain's
//! (`motcua_domain::report::contribution`). See docs/reports.md.

use std::collections::{BTreeMap, HashMap};

use motcua_domain::report::{
    Bieu06, Bieu06Row, C_EARLY, C_LATE, C_LEFT, C_ON_TIME, C_OPEN, C_OVERDUE, C_RECEIVED_OFFLINE,
    C_RECEIVED_ONLINE, COUNTERS, ReportPeriod, RowsBy,
};
use motcua_domain::unit::{Unit, subtree_range};
use motcua_domain::{Error, Result};

use crate::backend::{Backend, Store};
use crate::scoped::ScopedStore;
use crate::to_micros;

fn unit_not_found() -> Error {
    Error::not_found("unit_not_found", "Không tìm thấy đơn vị.")
}

/// Counts per (owner unit id, field code), as the four queries answer them.
type Groups = HashMap<(i64, String), Bieu06Row>;

/// Empties the counters and marks them for the backfill (benchmark only).
const RESET_COUNTERS: [&str; 4] = [
    "DELETE FROM report_deltas",
    "DELETE FROM report_checkpoints",
    "DELETE FROM report_checkpoint_days",
    "UPDATE report_counters_backfill SET done = 0",
];

/// The Vietnam date number of an instant (µs), as the counters key their days.
fn counters_sql_day(us: i64) -> i64 {
    crate::sqlite::report_counters_sql::day_of(us)
}

impl Store {
    /// Biểu 06 for `period` over the subtree of `unit_code` (404 `unit_not_found`), rows per
    /// field or per unit directly under it (see [`ScopedStore::bieu06`]).
    pub async fn bieu06(
        &self,
        period: &ReportPeriod,
        unit_code: &str,
        rows: RowsBy,
    ) -> Result<Bieu06> {
        let top = self
            .unit_by_code(unit_code)
            .await?
            .ok_or_else(unit_not_found)?;
        self.bieu06_of(period, &top, rows, false).await
    }

    /// [`Self::bieu06`] computed by scanning the period's dossiers (the four range queries of
    /// `reports_sql.rs`) instead of the counters: the reference the tests and the benchmark
    /// compare the counters with.
    #[doc(hidden)]
    pub async fn bieu06_scan(
        &self,
        period: &ReportPeriod,
        unit_code: &str,
        rows: RowsBy,
    ) -> Result<Bieu06> {
        let top = self
            .unit_by_code(unit_code)
            .await?
            .ok_or_else(unit_not_found)?;
        self.bieu06_of(period, &top, rows, true).await
    }

    /// Counts per (owner unit, field) from the counters (report_counters_sql.rs): two prefix
    /// sums, at the period's start and end (Vietnam midnights, so "before the instant" is
    /// "on an earlier Vietnam day"), each a grid checkpoint (1st or 15th of a month) plus at
    /// most 14 days of deltas. The grid up to the end (and never past today, Vietnam date of
    /// the system clock) is first completed if a checkpoint is missing (chained from the
    /// latest one; nothing to do in a running system).
    async fn counter_groups(&self, period: &ReportPeriod) -> Result<Groups> {
        let (start, end) = (to_micros(period.start()), to_micros(period.end()));
        let (ds, de) = (counters_sql_day(start), counters_sql_day(end));
        // Normally nothing to build. Failing to build (SQLite: the write lock not free within
        // the busy timeout) only makes this report slower: the sums below stay exact.
        if let Err(e) = self.extend_report_grid(Some(de)).await {
            tracing::warn!(error = %e, "Biểu 06: grid checkpoints not built");
        }
        let (at_start, at_end) = read_db!(self, e in report_counters_sql, pool => {
            let at_start = e::cum_at(pool, ds).await?;
            let at_end = e::cum_at(pool, de).await?;
            (at_start, at_end)
        });
        let zero = [0i64; COUNTERS];
        let mut g = Groups::new();
        let n = |v: i64| u64::try_from(v).unwrap_or_default();
        for key in at_start.keys().chain(at_end.keys()) {
            if g.contains_key(key) {
                continue;
            }
            let a = at_start.get(key).unwrap_or(&zero);
            let b = at_end.get(key).unwrap_or(&zero);
            let flow = |k: usize| n(b[k] - a[k]);
            let row = Bieu06Row {
                received_online: flow(C_RECEIVED_ONLINE),
                received_offline: flow(C_RECEIVED_OFFLINE),
                carried_over: n(a[C_OPEN]),
                resolved_early: flow(C_EARLY),
                resolved_on_time: flow(C_ON_TIME),
                resolved_late: flow(C_LATE),
                left_without_result: flow(C_LEFT),
                pending_overdue: n(b[C_OVERDUE]),
                pending_within: n(b[C_OPEN] - b[C_OVERDUE]),
                ..Bieu06Row::default()
            };
            // Groups with nothing in this period are left out, as the scan leaves them.
            if !row.is_empty() {
                g.insert(key.clone(), row);
            }
        }
        Ok(g)
    }

    async fn bieu06_of(
        &self,
        period: &ReportPeriod,
        top: &Unit,
        rows_by: RowsBy,
        scan: bool,
    ) -> Result<Bieu06> {
        let groups = if scan {
            self.scan_groups(period).await?
        } else {
            self.counter_groups(period).await?
        };
        self.bieu06_rows(period, top, rows_by, groups).await
    }

    /// Counts per (owner unit, field) from the four range scans of the period's dossiers.
    async fn scan_groups(&self, period: &ReportPeriod) -> Result<Groups> {
        let (start, end) = (to_micros(period.start()), to_micros(period.end()));
        let groups = read_db!(self, e in reports_sql, pool => {
            let received = e::received(pool, start, end).await?;
            let resolved = e::resolved(pool, start, end).await?;
            let at_start = e::open_at(pool, start).await?;
            let at_end = e::open_at(pool, end).await?;
            let mut g = Groups::new();
            for (k, online, offline) in received {
                let r = g.entry(k).or_default();
                r.received_online += online;
                r.received_offline += offline;
            }
            for (k, [early, on_time, late, left]) in resolved {
                let r = g.entry(k).or_default();
                r.resolved_early += early;
                r.resolved_on_time += on_time;
                r.resolved_late += late;
                r.left_without_result += left;
            }
            for (k, total, _) in at_start {
                g.entry(k).or_default().carried_over += total;
            }
            for (k, total, overdue) in at_end {
                let r = g.entry(k).or_default();
                r.pending_overdue += overdue;
                r.pending_within += total.saturating_sub(overdue);
            }
            g
        });
        Ok(groups)
    }

    /// Rolls the groups up into rows per field or per unit of `top`'s subtree.
    async fn bieu06_rows(
        &self,
        period: &ReportPeriod,
        top: &Unit,
        rows_by: RowsBy,
        groups: Groups,
    ) -> Result<Bieu06> {
        // The subtree's units (ids and paths); groups of other units are dropped here rather
        // than joined in SQL: the queries stay index-only range scans.
        let units = self.subtree_in(subtree_range(&top.path), i64::MAX).await?;
        let by_id: HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
        let mut rows: BTreeMap<String, Bieu06Row> = BTreeMap::new();
        match rows_by {
            RowsBy::Field => {
                let names: HashMap<String, String> =
                    read_db!(self, e in reports_sql, pool => e::field_names(pool).await)?
                        .into_iter()
                        .collect();
                for ((unit_id, field), counts) in &groups {
                    if !by_id.contains_key(unit_id) {
                        continue;
                    }
                    let row = rows.entry(field.clone()).or_insert_with(|| Bieu06Row {
                        key: field.clone(),
                        label: names.get(field).cloned().unwrap_or_else(|| field.clone()),
                        ..Bieu06Row::default()
                    });
                    row.add(counts);
                }
            }
            RowsBy::Unit => {
                // One row per child of the top unit (even without dossiers), each summing its
                // subtree; the top unit's own dossiers get a row of their own when it has any.
                let mut child_of: HashMap<i64, String> = HashMap::new();
                for u in &units {
                    if u.parent_code.as_deref() == Some(top.code.as_str()) {
                        rows.insert(
                            u.code.clone(),
                            Bieu06Row {
                                key: u.code.clone(),
                                label: u.name.clone(),
                                ..Bieu06Row::default()
                            },
                        );
                    }
                }
                let children: HashMap<&str, &Unit> = units
                    .iter()
                    .filter(|u| u.parent_code.as_deref() == Some(top.code.as_str()))
                    .map(|u| (u.path.as_str(), u))
                    .collect();
                for u in &units {
                    if u.id == top.id {
                        child_of.insert(u.id, top.code.clone());
                        continue;
                    }
                    // The child's path is the top's path plus one segment.
                    let rest = &u.path[top.path.len().min(u.path.len())..];
                    let seg = rest.split('/').next().unwrap_or_default();
                    let child_path = format!("{}{seg}/", top.path);
                    if let Some(c) = children.get(child_path.as_str()) {
                        child_of.insert(u.id, c.code.clone());
                    }
                }
                for ((unit_id, _), counts) in &groups {
                    let Some(key) = child_of.get(unit_id) else {
                        continue;
                    };
                    let row = rows.entry(key.clone()).or_insert_with(|| Bieu06Row {
                        key: key.clone(),
                        label: format!("{} (trực tiếp giải quyết)", top.name),
                        ..Bieu06Row::default()
                    });
                    row.add(counts);
                }
            }
        }
        let rows = rows
            .into_values()
            .filter(|r| rows_by == RowsBy::Unit || !r.is_empty())
            .collect();
        Ok(Bieu06::new(
            period.clone(),
            top.code.clone(),
            top.name.clone(),
            rows_by,
            rows,
        ))
    }

    /// Rebuilds the pause rows of Biểu 06 from the stored events once, for a database that
    /// had paused dossiers before migration 0008 (called after migrating), then the Biểu 06
    /// counters of a database that had dossiers before migration 0011, then the counters' grid
    /// checkpoints missing up to today (all of them once after an upgrade; afterwards the few
    /// days since the last start). Returns how many pause rows it wrote (0 when nothing was
    /// pending).
    pub(crate) async fn backfill_report_pauses(&self) -> Result<u64> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                use crate::sqlite::reports_sql as e;
                let mut n = 0;
                if e::backfill_pending(writer).await? {
                    n = e::backfill_pauses(writer).await?;
                }
                // Then the counters of migration 0011, which read the pause rows.
                use crate::sqlite::report_counters_sql as c;
                if c::backfill_pending(writer).await? {
                    c::backfill(writer).await?;
                }
                self.extend_report_grid(None).await?;
                Ok(n)
            }
            Backend::Postgres(pool) => {
                use crate::postgres::reports_sql as e;
                let mut n = 0;
                if e::backfill_pending(pool).await? {
                    n = e::backfill_pauses(pool).await?;
                }
                use crate::postgres::report_counters_sql as c;
                if c::backfill_pending(pool).await? {
                    c::backfill(pool).await?;
                }
                self.extend_report_grid(None).await?;
                Ok(n)
            }
        }
    }

    /// Builds the missing grid checkpoints of the Biểu 06 counters up to the grid day at or
    /// before `day` (`None`: today), never past today's. Returns how many it built.
    pub(crate) async fn extend_report_grid(&self, day: Option<i64>) -> Result<u64> {
        let today = counters_sql_day(to_micros(time::OffsetDateTime::now_utc()));
        let upto =
            crate::sqlite::report_counters_sql::grid_at_or_before(day.unwrap_or(today).min(today));
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                crate::sqlite::report_counters_sql::extend_grid(writer, upto).await
            }
            Backend::Postgres(pool) => {
                crate::postgres::report_counters_sql::extend_grid(pool, upto).await
            }
        }
    }

    /// **Benchmark only.** Builds the grid checkpoints as the start-up does (after
    /// [`Self::bench_drop_report_checkpoints`]: all of them); returns how many it built.
    #[doc(hidden)]
    pub async fn bench_build_report_grid(&self) -> Result<u64> {
        self.extend_report_grid(None).await
    }

    /// **Benchmark only.** Recomputes the Biểu 06 counters of every dossier as the start-up
    /// backfill does (after rows were written behind the store's back) and drops the cached
    /// checkpoints; returns how many dossiers it read.
    #[doc(hidden)]
    pub async fn bench_rebuild_report_counters(&self) -> Result<u64> {
        let pool = match &self.backend {
            Backend::Sqlite { writer, .. } => {
                use crate::sqlite::report_counters_sql as c;
                for sql in RESET_COUNTERS {
                    sqlx::query(sql)
                        .execute(writer)
                        .await
                        .map_err(crate::db_error)?;
                }
                return c::backfill(writer).await;
            }
            Backend::Postgres(pool) => pool,
        };
        use crate::postgres::report_counters_sql as c;
        for sql in RESET_COUNTERS {
            sqlx::query(sql)
                .execute(pool)
                .await
                .map_err(crate::db_error)?;
        }
        c::backfill(pool).await
    }

    /// **Benchmark only.** Drops the cached checkpoints (the next report is a cold one).
    #[doc(hidden)]
    pub async fn bench_drop_report_checkpoints(&self) -> Result<()> {
        for sql in &RESET_COUNTERS[1..3] {
            match &self.backend {
                Backend::Sqlite { writer, .. } => {
                    sqlx::query(*sql).execute(writer).await.map(|_| ())
                }
                Backend::Postgres(pool) => sqlx::query(*sql).execute(pool).await.map(|_| ()),
            }
            .map_err(crate::db_error)?;
        }
        Ok(())
    }

    /// **Benchmark only.** The straightforward single GROUP BY over every dossier for the
    /// same period (the baseline of `crates/bench/benches/reports.rs`); returns column 3's
    /// total so the work cannot be optimised away.
    #[doc(hidden)]
    pub async fn bench_bieu06_baseline(&self, period: &ReportPeriod) -> Result<u64> {
        let (start, end) = (to_micros(period.start()), to_micros(period.end()));
        read_db!(self, e in reports_sql, pool => e::baseline(pool, start, end).await)
    }
}

impl ScopedStore {
    /// The name of the unit a reporting unit in scope sends its form to: its parent, even
    /// above the caller's scope (a name, nothing more); `None` for the root.
    pub async fn report_receiver(&self, unit_code: &str) -> Result<Option<String>> {
        let unit = self.unit(unit_code).await?;
        match unit.parent_code {
            Some(code) => Ok(self.store().unit_by_code(&code).await?.map(|u| u.name)),
            None => Ok(None),
        }
    }

    /// Biểu 06 for `period` over the subtree of `unit` (default: the top of the scope; a unit
    /// outside the scope answers 404 `unit_not_found` like a missing one), rows per field
    /// (lĩnh vực, with the catalogue's field names) or per unit directly under it (each
    /// summing its subtree, plus the unit's own dossiers if any). Figures are "as of" the
    /// period's end: later actions never change a past period (docs/reports.md).
    pub async fn bieu06(
        &self,
        period: &ReportPeriod,
        unit: Option<&str>,
        rows: RowsBy,
    ) -> Result<Bieu06> {
        let top = match unit {
            Some(code) => self.unit(code).await?,
            None => self
                .top_units()
                .await?
                .into_iter()
                .next()
                .ok_or_else(unit_not_found)?,
        };
        self.store().bieu06_of(period, &top, rows, false).await
    }
}
