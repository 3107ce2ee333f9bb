//! SQL of dossier attachments, compiled for each engine like `engine.rs`. Visibility is the
//! dossiers' own rule (`dossiers_sql::visible_dossier`: the owner or the acting unit in scope).

use sqlx::Row as _;

use motcua_domain::scope::Scope;
use motcua_domain::{Error, Result};
use serde_json::json;

use super::Db;
use super::dossiers_sql::visible_dossier;
use super::engine::{Pool, WriteTx};
use crate::attachments::{Added, Attachment};
use crate::dossiers::dossier_not_found;
use crate::{db_error, from_micros, to_micros};

type Row = <Db as sqlx::Database>::Row;

const COLUMNS: &str = "sha256, size, media_type, file_name, document_key, uploaded_at, uploaded_by";

fn from_row(r: &Row) -> Result<Attachment> {
    Ok(Attachment {
        sha256: r.try_get("sha256").map_err(db_error)?,
        size: r.try_get("size").map_err(db_error)?,
        media_type: r.try_get("media_type").map_err(db_error)?,
        file_name: r.try_get("file_name").map_err(db_error)?,
        document_key: r.try_get("document_key").map_err(db_error)?,
        uploaded_at: from_micros(r.try_get("uploaded_at").map_err(db_error)?),
        uploaded_by: r.try_get("uploaded_by").map_err(db_error)?,
    })
}

async fn existing<'c, E>(exec: E, dossier_id: i64, sha256: &str) -> Result<Option<Attachment>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let sql =
        format!("SELECT {COLUMNS} FROM dossier_attachments WHERE dossier_id = $1 AND sha256 = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dossier_id)
        .bind(sha256)
        .fetch_optional(exec)
        .await
        .map_err(db_error)?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Records an attachment whose blob is already durable (audited `attachment.add`), unless the
/// dossier already has this content.
pub(crate) async fn add(
    w: &mut WriteTx,
    scope: &Scope,
    code: &str,
    new: Attachment,
) -> Result<Added> {
    let Some(dossier) = visible_dossier(w.conn(), scope, code).await? else {
        return Err(dossier_not_found());
    };
    if let Some(attachment) = existing(w.conn(), dossier.id, &new.sha256).await? {
        return Ok(Added {
            attachment,
            created: false,
        });
    }
    sqlx::query(
        "INSERT INTO dossier_attachments (dossier_id, sha256, size, media_type, file_name, \
         document_key, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(dossier.id)
    .bind(&new.sha256)
    .bind(new.size)
    .bind(&new.media_type)
    .bind(&new.file_name)
    .bind(new.document_key.as_deref())
    .bind(to_micros(new.uploaded_at))
    .bind(&new.uploaded_by)
    .execute(w.conn())
    .await
    .map_err(db_error)?;
    let event = w.event(
        "attachment.add",
        "dossier",
        &dossier.code,
        json!({
            "sha256": new.sha256,
            "size": new.size,
            "media_type": new.media_type,
            "file_name": new.file_name,
            "document_key": new.document_key,
        }),
    );
    w.audit(event, Some(dossier.owner_unit_id)).await?;
    Ok(Added {
        attachment: new,
        created: true,
    })
}

/// The attachments of a visible dossier, oldest first.
pub(crate) async fn list(pool: &Pool, scope: &Scope, code: &str) -> Result<Vec<Attachment>> {
    let Some(dossier) = visible_dossier(pool, scope, code).await? else {
        return Err(dossier_not_found());
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM dossier_attachments WHERE dossier_id = $1 \
         ORDER BY uploaded_at, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dossier.id)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter().map(from_row).collect()
}

/// One attachment of a visible dossier (`Err` 404 when the dossier is not visible).
pub(crate) async fn one(
    pool: &Pool,
    scope: &Scope,
    code: &str,
    sha256: &str,
) -> Result<Option<Attachment>> {
    let Some(dossier) = visible_dossier(pool, scope, code).await? else {
        return Err::<Option<Attachment>, Error>(dossier_not_found());
    };
    existing(pool, dossier.id, sha256).await
}
