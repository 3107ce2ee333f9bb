//! Unit e-government facts queries, written once and compiled for each engine (see lib.rs).
//! Facts are append-only (migration 0009): nothing here updates or deletes a fact.

use std::collections::{HashMap, HashSet};

use sqlx::Row as _;

use motcua_domain::calendar::iso_date;
use motcua_domain::egov::{
    Fact, FactKind, LevelCoverage, NewFact, NewFactKind, ValueType, check_not_future, known_kind,
};
use motcua_domain::scope::Scope;
use motcua_domain::{Error, Result};
use serde_json::json;

use super::Db;
use super::engine::{Pool, WriteTx};
use crate::{db_error, from_micros, is_unique_violation};

type Row = <Db as sqlx::Database>::Row;

/// Rows per multi-row INSERT (8 parameters each, well under SQLite's limit).
const INSERT_CHUNK: usize = 500;

/// The transaction's actor (who records the facts).
fn actor_of(w: &WriteTx) -> String {
    w.event("", "", "", serde_json::Value::Null).actor
}

fn kind_from_row(r: &Row) -> Result<FactKind> {
    let value_type: String = r.try_get("value_type").map_err(db_error)?;
    Ok(FactKind {
        code: r.try_get("code").map_err(db_error)?,
        name: r.try_get("name").map_err(db_error)?,
        value_type: ValueType::parse(&value_type).map_err(|_| Error::internal())?,
        active: r.try_get("active").map_err(db_error)?,
    })
}

/// Every fact kind, in display order.
pub(crate) async fn kinds<'c, E>(exec: E) -> Result<Vec<FactKind>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT code, name, value_type, active FROM fact_kinds ORDER BY position, code",
    )
    .fetch_all(exec)
    .await
    .map_err(db_error)?;
    rows.iter().map(kind_from_row).collect()
}

/// Adds a kind (audited `fact_kind.add`); 409 `fact_kind_exists` when the code is taken.
pub(crate) async fn add_kind(w: &mut WriteTx, new: &NewFactKind) -> Result<FactKind> {
    let now = w.now_us();
    let actor = actor_of(w);
    let result = sqlx::query(
        "INSERT INTO fact_kinds (code, name, value_type, active, position, created_at, created_by) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM fact_kinds), $5, $6)",
    )
    .bind(&new.code)
    .bind(&new.name)
    .bind(new.value_type.as_str())
    .bind(new.active)
    .bind(now)
    .bind(&actor)
    .execute(w.conn())
    .await;
    if let Err(e) = result {
        if is_unique_violation(&e) {
            return Err(Error::conflict(
                "fact_kind_exists",
                format!("Mã loại thông tin \"{}\" đã có.", new.code),
            ));
        }
        return Err(db_error(e));
    }
    let event = w.event(
        "fact_kind.add",
        "fact_kind",
        &new.code,
        json!({ "name": new.name, "value_type": new.value_type, "active": new.active }),
    );
    w.audit(event, None).await?;
    Ok(FactKind {
        code: new.code.clone(),
        name: new.name.clone(),
        value_type: new.value_type,
        active: new.active,
    })
}

/// Id and path of each unit code that exists (looked up in chunks).
async fn units_by_code(
    w: &mut WriteTx,
    codes: &[String],
) -> Result<HashMap<String, (i64, String)>> {
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(INSERT_CHUNK) {
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT id, code, path FROM units WHERE code IN (");
        let mut sep = q.separated(", ");
        for code in chunk {
            sep.push_bind(code.as_str());
        }
        q.push(")");
        let rows = q.build().fetch_all(w.conn()).await.map_err(db_error)?;
        for r in &rows {
            let code: String = r.try_get("code").map_err(db_error)?;
            let id: i64 = r.try_get("id").map_err(db_error)?;
            let path: String = r.try_get("path").map_err(db_error)?;
            out.insert(code, (id, path));
        }
    }
    Ok(out)
}

/// (unit id, kind) pairs that already have a fact on `date`.
async fn recorded_on(w: &mut WriteTx, date: &str) -> Result<HashSet<(i64, String)>> {
    let rows = sqlx::query("SELECT unit_id, kind FROM unit_facts WHERE valid_from = $1")
        .bind(date)
        .fetch_all(w.conn())
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>("unit_id").map_err(db_error)?,
                r.try_get::<String, _>("kind").map_err(db_error)?,
            ))
        })
        .collect()
}

/// The outcome of a batch: how many facts were written, or every problem by line.
pub(crate) enum Recorded {
    Written(usize),
    Rejected(Vec<(usize, Error)>),
}

/// Records facts in the open transaction, all or none. `lines[i]` names `facts[i]` in errors.
/// Checks per fact: the unit exists and lies in `scope` (else `unit_not_found`, as if absent),
/// the kind exists and is active, the value fits the kind, the date is not after `today`, and
/// a second value for the same unit, kind and date (a correction) carries a reason in `note`.
/// One audit entry: `unit_fact.record` for a single fact, `unit_fact.import` for a batch.
pub(crate) async fn record(
    w: &mut WriteTx,
    scope: &Scope,
    facts: &[NewFact],
    lines: &[usize],
    today: time::Date,
) -> Result<Recorded> {
    let kinds = kinds(w.conn()).await?;
    let kind_map: HashMap<&str, &FactKind> = kinds.iter().map(|k| (k.code.as_str(), k)).collect();
    let codes = motcua_domain::egov::unit_codes(facts);
    let units = units_by_code(w, &codes).await?;
    let mut existing: HashMap<time::Date, HashSet<(i64, String)>> = HashMap::new();
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(facts.len());
    for (i, fact) in facts.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(i + 1);
        let unit = match units.get(&fact.unit_code) {
            Some((id, path)) if scope.contains(path) => *id,
            _ => {
                errors.push((
                    line,
                    Error::not_found(
                        "unit_not_found",
                        format!("Không tìm thấy đơn vị {}.", fact.unit_code),
                    ),
                ));
                continue;
            }
        };
        let checked = known_kind(&kind_map, &fact.kind)
            .and_then(|k| k.check_value(fact.value))
            .and_then(|_| check_not_future(fact.valid_from, today));
        if let Err(e) = checked {
            errors.push((line, e));
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = existing.entry(fact.valid_from) {
            slot.insert(recorded_on(w, &iso_date(fact.valid_from)).await?);
        }
        let taken = existing
            .get(&fact.valid_from)
            .is_some_and(|s| s.contains(&(unit, fact.kind.clone())));
        if taken && fact.note.is_none() {
            errors.push((
                line,
                Error::invalid(
                    "fact_correction_reason_required",
                    format!(
                        "Đơn vị {} đã có giá trị \"{}\" cho ngày {}: khi sửa, hãy ghi lý do vào ghi chú.",
                        fact.unit_code,
                        fact.kind,
                        motcua_domain::egov::vn_date(fact.valid_from)
                    ),
                ),
            ));
            continue;
        }
        resolved.push((unit, fact));
    }
    if !errors.is_empty() {
        return Ok(Recorded::Rejected(errors));
    }
    let now = w.now_us();
    let actor = actor_of(w);
    for chunk in resolved.chunks(INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO unit_facts (unit_id, kind, value, valid_from, note, recorded_by, recorded_at) ",
        );
        q.push_values(chunk, |mut b, (unit, fact)| {
            b.push_bind(*unit)
                .push_bind(fact.kind.as_str())
                .push_bind(fact.value)
                .push_bind(iso_date(fact.valid_from))
                .push_bind(fact.note.as_deref())
                .push_bind(actor.as_str())
                .push_bind(now);
        });
        q.build().execute(w.conn()).await.map_err(db_error)?;
    }
    match resolved.as_slice() {
        [] => {}
        [(unit, fact)] => {
            let event = w.event(
                "unit_fact.record",
                "unit",
                &fact.unit_code,
                json!({
                    "kind": fact.kind,
                    "value": fact.value,
                    "valid_from": iso_date(fact.valid_from),
                    "note": fact.note,
                }),
            );
            w.audit(event, Some(*unit)).await?;
        }
        many => {
            let kinds: std::collections::BTreeSet<&str> =
                many.iter().map(|(_, f)| f.kind.as_str()).collect();
            let first = many.iter().map(|(_, f)| f.valid_from).min();
            let last = many.iter().map(|(_, f)| f.valid_from).max();
            let audit_unit = match scope {
                Scope::All => None,
                Scope::Subtree(path) => scope_unit_id(w, path).await?,
            };
            let event = w.event(
                "unit_fact.import",
                "unit_facts",
                &format!("{} facts", many.len()),
                json!({
                    "count": many.len(),
                    "units": units.len(),
                    "kinds": kinds,
                    "valid_from_first": first.map(iso_date),
                    "valid_from_last": last.map(iso_date),
                }),
            );
            w.audit(event, audit_unit).await?;
        }
    }
    Ok(Recorded::Written(resolved.len()))
}

async fn scope_unit_id(w: &mut WriteTx, path: &str) -> Result<Option<i64>> {
    sqlx::query("SELECT id FROM units WHERE path = $1")
        .bind(path)
        .fetch_optional(w.conn())
        .await
        .map_err(db_error)?
        .map(|r| r.try_get::<i64, _>("id").map_err(db_error))
        .transpose()
}

fn fact_from_row(r: &Row) -> Result<Fact> {
    let date: String = r.try_get("valid_from").map_err(db_error)?;
    Ok(Fact {
        id: r.try_get("id").map_err(db_error)?,
        unit_code: r.try_get("unit_code").map_err(db_error)?,
        kind: r.try_get("kind").map_err(db_error)?,
        value: r.try_get("value").map_err(db_error)?,
        valid_from: motcua_domain::calendar::parse_date("valid_from", &date)
            .map_err(|_| Error::internal())?,
        note: r.try_get("note").map_err(db_error)?,
        recorded_by: r.try_get("recorded_by").map_err(db_error)?,
        recorded_at: from_micros(r.try_get("recorded_at").map_err(db_error)?),
    })
}

/// Every fact of a unit, newest first (by date, then by recording).
pub(crate) async fn history(pool: &Pool, unit_id: i64) -> Result<Vec<Fact>> {
    let rows = sqlx::query(
        "SELECT f.id, u.code AS unit_code, f.kind, f.value, f.valid_from, f.note, f.recorded_by, \
         f.recorded_at FROM unit_facts f JOIN units u ON u.id = f.unit_id WHERE f.unit_id = $1 \
         ORDER BY f.valid_from DESC, f.recorded_at DESC, f.id DESC",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(fact_from_row).collect()
}

/// The id of the fact in force for unit `u` (the outer query's alias), kind `$3`, on date `$4`.
macro_rules! in_force_id {
    () => {
        "(SELECT f2.id FROM unit_facts f2 WHERE f2.unit_id = u.id AND f2.kind = $3 \
          AND f2.valid_from <= $4 ORDER BY f2.valid_from DESC, f2.recorded_at DESC, f2.id DESC LIMIT 1)"
    };
}

/// Active units of `[lo, hi)` by level, and how many have the boolean kind true on `as_of`.
pub(crate) async fn coverage(
    pool: &Pool,
    (lo, hi): (String, String),
    kind: &str,
    as_of: time::Date,
) -> Result<Vec<LevelCoverage>> {
    let rows = sqlx::query(concat!(
        "SELECT u.level AS level, COUNT(*) AS units, \
         SUM(CASE WHEN f.value = 1 THEN 1 ELSE 0 END) AS covered \
         FROM units u LEFT JOIN unit_facts f ON f.id = ",
        in_force_id!(),
        " WHERE u.path >= $1 AND u.path < $2 AND u.active = $5 GROUP BY u.level ORDER BY u.level"
    ))
    .bind(lo)
    .bind(hi)
    .bind(kind)
    .bind(iso_date(as_of))
    .bind(true)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            let units: i64 = r.try_get("units").map_err(db_error)?;
            let covered: Option<i64> = r.try_get("covered").map_err(db_error)?;
            Ok(LevelCoverage {
                level: r.try_get("level").map_err(db_error)?,
                units: u64::try_from(units).unwrap_or(0),
                covered: u64::try_from(covered.unwrap_or(0)).unwrap_or(0),
            })
        })
        .collect()
}

/// Sum of the values in force on `as_of` of a count kind over the active units of `[lo, hi)`.
pub(crate) async fn total(
    pool: &Pool,
    (lo, hi): (String, String),
    kind: &str,
    as_of: time::Date,
) -> Result<i64> {
    sqlx::query(concat!(
        "SELECT CAST(COALESCE(SUM(f.value), 0) AS BIGINT) AS total \
         FROM units u JOIN unit_facts f ON f.id = ",
        in_force_id!(),
        " WHERE u.path >= $1 AND u.path < $2 AND u.active = $5"
    ))
    .bind(lo)
    .bind(hi)
    .bind(kind)
    .bind(iso_date(as_of))
    .bind(true)
    .fetch_one(pool)
    .await
    .and_then(|r| r.try_get::<i64, _>("total"))
    .map_err(db_error)
}
