//! Biểu 06 (Thông tư 01/2020/TT-VPCP): the figures of a period for a unit subtree, with rows
//! per field (lĩnh vực) or per unit directly under the chosen one. The SQL is in
//! `reports_sql.rs` (compiled for both engines); the rules it encodes are the domain's
//! (`motcua_domain::report::contribution`). See docs/reports.md.

use std::collections::{BTreeMap, HashMap};

use motcua_domain::report::{Bieu06, Bieu06Row, ReportPeriod, RowsBy};
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
        self.bieu06_of(period, &top, rows).await
    }

    async fn bieu06_of(
        &self,
        period: &ReportPeriod,
        top: &Unit,
        rows_by: RowsBy,
    ) -> Result<Bieu06> {
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
    /// had paused dossiers before migration 0008 (called after migrating). Returns how many
    /// rows it wrote (0 when nothing was pending).
    pub(crate) async fn backfill_report_pauses(&self) -> Result<u64> {
        match &self.backend {
            Backend::Sqlite { writer, .. } => {
                use crate::sqlite::reports_sql as e;
                if e::backfill_pending(writer).await? {
                    return e::backfill_pauses(writer).await;
                }
            }
            Backend::Postgres(pool) => {
                use crate::postgres::reports_sql as e;
                if e::backfill_pending(pool).await? {
                    return e::backfill_pauses(pool).await;
                }
            }
        }
        Ok(0)
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
        self.store().bieu06_of(period, &top, rows).await
    }
}
