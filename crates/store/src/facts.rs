//! Unit e-government facts (issue 5 item 2; docs/egov.md): configurable fact kinds, dated
//! append-only facts per unit, the value in force "as of" a date, coverage by unit level and
//! totals of counts within a subtree. SQL in `facts_sql.rs`, compiled for both engines.
//!
//! Units counted: the active units of the subtree, the subtree's top included, each at its
//! own `level` (0 = the ministry itself, 1 = cấp I, which reports call "cấp Bộ", 2 = cấp II …).

use time::{Date, OffsetDateTime};

use motcua_domain::egov::{
    self, Fact, FactKind, FactRow, LevelCoverage, NewFact, NewFactKind, ValueType,
};
use motcua_domain::scope::Scope;
use motcua_domain::{Error, Result};

use crate::backend::{Backend, Store};
use crate::scoped::ScopedStore;
use crate::to_micros;

/// Runs `$body` inside an audited write transaction `$w`; commits when it gives `Ok`.
macro_rules! facts_write {
    ($store:expr, $actor:expr, $now:expr, $e:ident, $w:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { group, .. } => {
                use crate::sqlite::facts_sql as $e;
                let mut $w =
                    crate::sqlite::engine::WriteTx::begin_grouped(group, $actor, to_micros($now))
                        .await?;
                let out = $body;
                if out.is_ok() {
                    $w.commit().await?;
                }
                out
            }
            Backend::Postgres(pool) => {
                use crate::postgres::facts_sql as $e;
                let mut $w =
                    crate::postgres::engine::WriteTx::begin(pool, $actor, to_micros($now)).await?;
                let out = $body;
                if out.is_ok() {
                    $w.commit().await?;
                }
                out
            }
        }
    };
}

/// A unit's facts: what is in force on a date, by kind, and the whole history.
#[derive(Debug, Clone)]
pub struct UnitFacts {
    pub kinds: Vec<FactKind>,
    /// The fact in force on the date asked for, per kind code.
    pub current: std::collections::BTreeMap<String, Fact>,
    /// Every fact recorded for the unit, newest first.
    pub history: Vec<Fact>,
}

/// Row errors as the whole-file rejection (`import_invalid`, `details.errors[].line`).
fn rejection(errors: Vec<(usize, Error)>) -> Error {
    egov::rejection(
        errors
            .into_iter()
            .map(|(line, e)| motcua_domain::import::RowError {
                line,
                code: e.code,
                message: e.message,
            })
            .collect(),
    )
}

fn unit_not_found(code: &str) -> Error {
    Error::not_found("unit_not_found", format!("Không tìm thấy đơn vị {code}."))
}

impl Store {
    /// Every fact kind, in display order (inactive ones included).
    pub async fn fact_kinds(&self) -> Result<Vec<FactKind>> {
        read_db!(self, e in facts_sql, pool => e::kinds(pool).await)
    }

    /// One kind by code: 422 `fact_kind_unknown` when there is none.
    async fn fact_kind(&self, code: &str) -> Result<FactKind> {
        self.fact_kinds()
            .await?
            .into_iter()
            .find(|k| k.code == code)
            .ok_or_else(|| egov::kind_unknown(code))
    }

    /// Adds a fact kind (audited `fact_kind.add`); 409 `fact_kind_exists`.
    pub async fn add_fact_kind(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewFactKind,
    ) -> Result<FactKind> {
        facts_write!(self, actor, now, e, w => e::add_kind(&mut w, new).await)
    }

    /// Coverage of a boolean kind by unit level as of a date, in the subtree of
    /// `root_unit_code` (404 `unit_not_found` when it does not exist; 422
    /// `fact_kind_unknown` / `fact_kind_not_boolean`).
    pub async fn fact_coverage(
        &self,
        root_unit_code: &str,
        kind: &str,
        as_of: Date,
    ) -> Result<Vec<LevelCoverage>> {
        self.fact_coverage_in(&Scope::All, root_unit_code, kind, as_of)
            .await
    }

    /// Sum of a count kind's values in force on a date in the subtree of `root_unit_code`
    /// (422 `fact_kind_not_count` for a boolean kind).
    pub async fn fact_total(&self, root_unit_code: &str, kind: &str, as_of: Date) -> Result<i64> {
        self.fact_total_in(&Scope::All, root_unit_code, kind, as_of)
            .await
    }

    /// bulk write used by CSV import and by the demo generator: all-or-nothing, audited
    /// (one `unit_fact.import` entry for a batch). Dates may not be after today; problems
    /// come back as 422 `import_invalid` with `details.errors[].line` = position in `facts`
    /// (1-based). A single fact gets its own error instead (e.g. 404 `unit_not_found`).
    pub async fn record_facts(&self, actor: &str, facts: &[NewFact]) -> Result<usize> {
        let lines: Vec<usize> = (1..=facts.len()).collect();
        self.record_facts_in(&Scope::All, actor, OffsetDateTime::now_utc(), facts, &lines)
            .await
    }

    /// [`Store::record_facts`] with the caller's clock.
    pub async fn record_facts_at(
        &self,
        actor: &str,
        now: OffsetDateTime,
        facts: &[NewFact],
    ) -> Result<usize> {
        let lines: Vec<usize> = (1..=facts.len()).collect();
        self.record_facts_in(&Scope::All, actor, now, facts, &lines)
            .await
    }

    /// Imports rows parsed by [`egov::parse_facts_csv`]; errors carry the file's lines.
    pub async fn import_facts(
        &self,
        actor: &str,
        now: OffsetDateTime,
        rows: &[FactRow],
    ) -> Result<usize> {
        self.import_facts_in(&Scope::All, actor, now, rows).await
    }

    async fn import_facts_in(
        &self,
        scope: &Scope,
        actor: &str,
        now: OffsetDateTime,
        rows: &[FactRow],
    ) -> Result<usize> {
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        let facts: Vec<NewFact> = rows.iter().map(|r| r.fact.clone()).collect();
        // A file is always answered as a file, even with one row.
        match self.record_in(scope, actor, now, &facts, &lines).await? {
            Ok(n) => Ok(n),
            Err(errors) => Err(rejection(errors)),
        }
    }

    async fn record_facts_in(
        &self,
        scope: &Scope,
        actor: &str,
        now: OffsetDateTime,
        facts: &[NewFact],
        lines: &[usize],
    ) -> Result<usize> {
        match self.record_in(scope, actor, now, facts, lines).await? {
            Ok(n) => Ok(n),
            Err(mut errors) if facts.len() == 1 && errors.len() == 1 => Err(errors.remove(0).1),
            Err(errors) => Err(rejection(errors)),
        }
    }

    /// The batch write; `Ok(Err(rows))` when some rows break a rule (nothing written).
    async fn record_in(
        &self,
        scope: &Scope,
        actor: &str,
        now: OffsetDateTime,
        facts: &[NewFact],
        lines: &[usize],
    ) -> Result<std::result::Result<usize, Vec<(usize, Error)>>> {
        if facts.is_empty() {
            return Ok(Ok(0));
        }
        let today = egov::vn_today(now);
        let outcome = facts_write!(self, actor, now, e, w => {
            match e::record(&mut w, scope, facts, lines, today).await? {
                e::Recorded::Written(n) => Ok(Ok(n)),
                // Nothing written; the transaction is rolled back when dropped.
                e::Recorded::Rejected(errors) => Err(errors),
            }
        });
        match outcome {
            Ok(n) => Ok(n),
            Err(errors) => Ok(Err(errors)),
        }
    }

    async fn unit_in(&self, scope: &Scope, code: &str) -> Result<motcua_domain::unit::Unit> {
        match self.unit_by_code(code).await? {
            Some(u) if scope.contains(&u.path) => Ok(u),
            _ => Err(unit_not_found(code)),
        }
    }

    async fn typed_kind(&self, kind: &str, wanted: ValueType) -> Result<FactKind> {
        let kind = self.fact_kind(kind.trim()).await?;
        egov::require_type(&kind, wanted)?;
        Ok(kind)
    }

    async fn fact_coverage_in(
        &self,
        scope: &Scope,
        root_unit_code: &str,
        kind: &str,
        as_of: Date,
    ) -> Result<Vec<LevelCoverage>> {
        let root = self.unit_in(scope, root_unit_code).await?;
        let kind = self.typed_kind(kind, ValueType::Boolean).await?;
        let bounds = motcua_domain::unit::subtree_range(&root.path);
        read_db!(self, e in facts_sql, pool => e::coverage(pool, bounds, &kind.code, as_of).await)
    }

    async fn fact_total_in(
        &self,
        scope: &Scope,
        root_unit_code: &str,
        kind: &str,
        as_of: Date,
    ) -> Result<i64> {
        let root = self.unit_in(scope, root_unit_code).await?;
        let kind = self.typed_kind(kind, ValueType::Count).await?;
        let bounds = motcua_domain::unit::subtree_range(&root.path);
        read_db!(self, e in facts_sql, pool => e::total(pool, bounds, &kind.code, as_of).await)
    }

    async fn unit_facts_in(&self, scope: &Scope, code: &str, as_of: Date) -> Result<UnitFacts> {
        let unit = self.unit_in(scope, code).await?;
        let history = read_db!(self, e in facts_sql, pool => e::history(pool, unit.id).await)?;
        Ok(UnitFacts {
            kinds: self.fact_kinds().await?,
            current: egov::in_force_by_kind(&history, as_of),
            history,
        })
    }
}

impl ScopedStore {
    /// Every fact kind, in display order.
    pub async fn fact_kinds(&self) -> Result<Vec<FactKind>> {
        self.store().fact_kinds().await
    }

    /// Adds a fact kind (the caller checks the role).
    pub async fn add_fact_kind(
        &self,
        actor: &str,
        now: OffsetDateTime,
        new: &NewFactKind,
    ) -> Result<FactKind> {
        self.store().add_fact_kind(actor, now, new).await
    }

    /// [`Store::fact_coverage`] for a unit inside the scope (404 otherwise).
    pub async fn fact_coverage(
        &self,
        root_unit_code: &str,
        kind: &str,
        as_of: Date,
    ) -> Result<Vec<LevelCoverage>> {
        self.store()
            .fact_coverage_in(self.scope(), root_unit_code, kind, as_of)
            .await
    }

    /// [`Store::fact_total`] for a unit inside the scope (404 otherwise).
    pub async fn fact_total(&self, root_unit_code: &str, kind: &str, as_of: Date) -> Result<i64> {
        self.store()
            .fact_total_in(self.scope(), root_unit_code, kind, as_of)
            .await
    }

    /// A unit's facts in force on `as_of` and its whole history (404 outside the scope).
    pub async fn unit_facts(&self, code: &str, as_of: Date) -> Result<UnitFacts> {
        self.store().unit_facts_in(self.scope(), code, as_of).await
    }

    /// Records one fact or a batch, all or none; units outside the scope look absent
    /// (`unit_not_found`). The caller checks the role.
    pub async fn record_facts(
        &self,
        actor: &str,
        now: OffsetDateTime,
        facts: &[NewFact],
    ) -> Result<usize> {
        let lines: Vec<usize> = (1..=facts.len()).collect();
        self.store()
            .record_facts_in(self.scope(), actor, now, facts, &lines)
            .await
    }

    /// Imports a parsed CSV file within the scope; errors carry the file's lines.
    pub async fn import_facts(
        &self,
        actor: &str,
        now: OffsetDateTime,
        rows: &[FactRow],
    ) -> Result<usize> {
        self.store()
            .import_facts_in(self.scope(), actor, now, rows)
            .await
    }
}
