//! SQL of the procedure catalogue, written once and compiled for each engine like `engine.rs`
//! (`super::Db` is `sqlx::Sqlite` or `sqlx::Postgres`).
//!
//! Every save adds a row with the next version and moves the `latest` flag to it; older
//! versions stay readable (dossiers keep the version they were received under). The row's
//! `document` is the canonical JSON of [`NewProcedure`]; the other columns are copies for
//! listing and filtering.

use std::sync::Arc;

use sqlx::Row as _;

use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_domain::{Error, Result, text};
use serde_json::json;

use super::Db;
use super::engine::unit_by_code;
pub(crate) use super::engine::{Param, Pool, WriteTx};
use crate::backend::{ProcedureFilter, ProcedureSummary};
use crate::direct::Columns;
use crate::{db_error, from_micros, is_unique_violation};

/// The stored document back to a procedure. The document was checked by `Procedure::parse`
/// when it was saved, so it is not checked again (a later change of the working-day length
/// must not make stored versions unreadable).
fn procedure_from_row(r: &impl Columns) -> Result<Procedure> {
    let version = r.req_int("version")?;
    let document = r.req_text("document")?;
    let new: NewProcedure = serde_json::from_str(&document).map_err(|e| {
        tracing::error!(error = %e, "stored procedure document does not parse");
        Error::internal()
    })?;
    Ok(Procedure {
        code: new.code,
        name: new.name,
        field: new.field,
        level: new.level,
        implementing_unit: new.implementing_unit,
        channels: new.channels,
        documents: new.documents,
        results: new.results,
        legal_basis: new.legal_basis,
        online_level: new.online_level,
        same_day_cutoff: new.same_day_cutoff,
        workflow: new.workflow,
        version,
    })
}

/// The latest version of a procedure.
pub(crate) async fn procedure<'c, E>(exec: E, code: &str) -> Result<Option<Procedure>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row =
        sqlx::query("SELECT version, document FROM procedures WHERE code = $1 AND latest = TRUE")
            .bind(code)
            .fetch_optional(exec)
            .await
            .map_err(db_error)?;
    row.as_ref().map(procedure_from_row).transpose()
}

/// One version of a procedure.
pub(crate) async fn procedure_version<'c, E>(
    exec: E,
    code: &str,
    version: i64,
) -> Result<Option<Procedure>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row =
        sqlx::query("SELECT version, document FROM procedures WHERE code = $1 AND version = $2")
            .bind(code)
            .bind(version)
            .fetch_optional(exec)
            .await
            .map_err(db_error)?;
    row.as_ref().map(procedure_from_row).transpose()
}

/// The latest version of a procedure, read inside a write transaction (for dossier intake).
/// The version number is always read here (the latest may have moved); its document is
/// parsed only when the store's cache of committed versions does not hold it.
#[allow(dead_code)] // called from dossiers_sql.rs
pub(crate) async fn procedure_in(w: &mut WriteTx, code: &str) -> Result<Option<Arc<Procedure>>> {
    // The version first: the document (kilobytes) is read only when the cache misses.
    let rows = w
        .query(
            "SELECT version FROM procedures WHERE code = $1 AND latest = TRUE",
            vec![Param::Text(Some(code.to_string()))],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let version = row.req_int("version")?;
    if let Some(p) = w.procedures.as_ref().and_then(|c| c.get(code, version)) {
        return Ok(Some(p));
    }
    let rows = w
        .query(
            "SELECT version, document FROM procedures WHERE code = $1 AND version = $2",
            vec![
                Param::Text(Some(code.to_string())),
                Param::Int(Some(version)),
            ],
        )
        .await?;
    rows.first()
        .map(|r| procedure_from_row(r).map(Arc::new))
        .transpose()
}

/// One version of a procedure, read inside a write transaction (for workflow actions): from
/// the store's cache of committed versions when it holds it (a stored version never changes),
/// otherwise read and parsed.
#[allow(dead_code)] // called from dossiers_sql.rs
pub(crate) async fn procedure_version_in(
    w: &mut WriteTx,
    code: &str,
    version: i64,
) -> Result<Option<Arc<Procedure>>> {
    if let Some(p) = w.procedures.as_ref().and_then(|c| c.get(code, version)) {
        return Ok(Some(p));
    }
    Ok(procedure_version(w.conn(), code, version)
        .await?
        .map(Arc::new))
}

fn unit_missing(field: &str, code: &str) -> Error {
    Error::invalid("unit_not_found", format!("Không tìm thấy đơn vị {code}."))
        .with_details(json!({ "field": field, "unit": code }))
}

/// Saves a checked procedure as version 1 or the next version of its code (audited
/// `procedure.create` / `procedure.update`). The implementing unit and every unit named by a
/// workflow step must exist and be active (422 `unit_not_found` / `unit_inactive`).
pub(crate) async fn save_procedure(w: &mut WriteTx, p: &Procedure) -> Result<Procedure> {
    let unit = unit_by_code(w.conn(), &p.implementing_unit)
        .await?
        .ok_or_else(|| unit_missing("implementing_unit", &p.implementing_unit))?;
    if !unit.active {
        return Err(Error::invalid(
            "unit_inactive",
            format!("Đơn vị thực hiện {} đã ngừng hoạt động.", unit.code),
        )
        .with_details(json!({ "field": "implementing_unit", "unit": unit.code })));
    }
    for (i, step) in p.workflow.steps.iter().enumerate() {
        if let motcua_domain::procedure::StepUnit::Unit(code) = &step.unit {
            let field = format!("workflow.steps[{i}].unit");
            let found = unit_by_code(w.conn(), code)
                .await?
                .ok_or_else(|| unit_missing(&field, code))?;
            if !found.active {
                return Err(Error::invalid(
                    "unit_inactive",
                    format!(
                        "Đơn vị {} của bước {} đã ngừng hoạt động.",
                        found.code,
                        i + 1
                    ),
                )
                .with_details(json!({ "field": field, "unit": found.code })));
            }
        }
    }
    let previous: Option<i64> =
        sqlx::query("SELECT MAX(version) AS v FROM procedures WHERE code = $1")
            .bind(&p.code)
            .fetch_one(w.conn())
            .await
            .and_then(|r| r.try_get::<Option<i64>, _>("v"))
            .map_err(db_error)?;
    let version = previous.unwrap_or(0) + 1;
    if previous.is_some() {
        sqlx::query("UPDATE procedures SET latest = FALSE WHERE code = $1 AND latest = TRUE")
            .bind(&p.code)
            .execute(w.conn())
            .await
            .map_err(db_error)?;
    }
    let document = serde_json::to_string(&p.to_new()).map_err(|e| {
        tracing::error!(error = %e, "procedure does not serialise");
        Error::internal()
    })?;
    let search_key = text::search_key(&format!("{} {} {}", p.code, p.name, p.field.name));
    let action = if version == 1 {
        "procedure.create"
    } else {
        "procedure.update"
    };
    let event = w.event(
        action,
        "procedure",
        &p.code,
        json!({
            "code": p.code, "version": version, "name": p.name,
            "field_code": p.field.code, "implementing_unit": p.implementing_unit,
            "steps": p.workflow.steps.len(),
        }),
    );
    let now = w.now_us();
    sqlx::query(
        "INSERT INTO procedures (code, version, latest, name, field_code, field_name, level, \
         search_key, unit_id, document, created_at, created_by) \
         VALUES ($1, $2, TRUE, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&p.code)
    .bind(version)
    .bind(&p.name)
    .bind(&p.field.code)
    .bind(&p.field.name)
    .bind(&p.level)
    .bind(&search_key)
    .bind(unit.id)
    .bind(&document)
    .bind(now)
    .bind(&event.actor)
    .execute(w.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::version_conflict()
        } else {
            db_error(e)
        }
    })?;
    let saved = procedure_version(w.conn(), &p.code, version)
        .await?
        .ok_or_else(Error::internal)?;
    w.audit(event, Some(unit.id)).await?;
    Ok(saved)
}

/// Saves several procedures in one transaction: all or none. An error names the item (its
/// index in the batch and its code) in `details.index` / `details.procedure`.
pub(crate) async fn save_procedures(
    w: &mut WriteTx,
    items: &[Procedure],
) -> Result<Vec<Procedure>> {
    let mut seen = std::collections::HashMap::new();
    for (i, p) in items.iter().enumerate() {
        if let Some(first) = seen.insert(p.code.as_str(), i) {
            return Err(Error::invalid(
                "procedure_duplicate",
                format!(
                    "Thủ tục {} xuất hiện hai lần (mục {} và mục {}).",
                    p.code,
                    first + 1,
                    i + 1
                ),
            )
            .with_details(json!({ "index": i, "procedure": p.code })));
        }
    }
    let mut saved = Vec::with_capacity(items.len());
    for (i, p) in items.iter().enumerate() {
        match save_procedure(w, p).await {
            Ok(s) => saved.push(s),
            Err(e) => return Err(at_item(e, i, &p.code)),
        }
    }
    Ok(saved)
}

/// Adds the item's position and code to an error from a batch.
fn at_item(e: Error, index: usize, code: &str) -> Error {
    let mut details = match e.details.clone() {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    details.insert("index".into(), json!(index));
    details.insert("procedure".into(), json!(code));
    let message = format!("Mục {} (thủ tục {code}): {}", index + 1, e.message);
    Error::new(e.kind, e.code, message).with_details(serde_json::Value::Object(details))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Latest versions in code order after a cursor, filtered.
pub(crate) async fn list_procedures(
    pool: &Pool,
    filter: &ProcedureFilter,
    limit: i64,
) -> Result<Vec<ProcedureSummary>> {
    let search = filter
        .query
        .as_deref()
        .map(text::search_key)
        .filter(|q| !q.is_empty())
        .map(|q| format!("%{}%", escape_like(&q)));
    let rows = sqlx::query(
        "SELECT p.code, p.version, p.name, p.field_code, p.field_name, p.level, \
         u.code AS unit_code, u.name AS unit_name, p.created_at, p.created_by \
         FROM procedures p JOIN units u ON u.id = p.unit_id \
         WHERE p.latest = TRUE AND ($1 IS NULL OR p.code > $1) AND ($2 IS NULL OR p.field_code = $2) \
         AND ($3 IS NULL OR p.search_key LIKE $3 ESCAPE '\\') AND ($4 IS NULL OR u.code = $4) \
         ORDER BY p.code LIMIT $5",
    )
    .bind(filter.after.as_deref())
    .bind(filter.field.as_deref())
    .bind(search)
    .bind(filter.unit.as_deref())
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            (|| {
                Ok::<_, sqlx::Error>(ProcedureSummary {
                    code: r.try_get("code")?,
                    version: r.try_get("version")?,
                    name: r.try_get("name")?,
                    field_code: r.try_get("field_code")?,
                    field_name: r.try_get("field_name")?,
                    level: r.try_get("level")?,
                    implementing_unit: r.try_get("unit_code")?,
                    implementing_unit_name: r.try_get("unit_name")?,
                    saved_at: from_micros(r.try_get("created_at")?),
                    saved_by: r.try_get("created_by")?,
                })
            })()
            .map_err(db_error)
        })
        .collect()
}

/// The latest version of every procedure (or of one code), in code order, for export.
pub(crate) async fn latest_procedures(pool: &Pool, code: Option<&str>) -> Result<Vec<Procedure>> {
    let rows = sqlx::query(
        "SELECT version, document FROM procedures WHERE latest = TRUE AND ($1 IS NULL OR code = $1) \
         ORDER BY code",
    )
    .bind(code)
    .fetch_all(pool)
    .await
    .map_err(db_error)?;
    rows.iter().map(procedure_from_row).collect()
}
