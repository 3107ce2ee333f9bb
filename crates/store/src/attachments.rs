//! Attachments of dossiers: the bytes in content-addressed files under the data directory
//! (`blobs.rs`), one metadata row per dossier and content in `dossier_attachments`
//! (`attachments_sql.rs`, compiled for both engines). Every call answers 404
//! `dossier_not_found` when the dossier is not visible in the caller's scope, exactly as the
//! dossier routes do. See docs/one-stop.md, "Attachments".

use std::path::{Path, PathBuf};
use std::sync::Arc;

use motcua_domain::attachment::{self, Kind};
use motcua_domain::{Error, ErrorKind, Result, text};
use time::OffsetDateTime;

use crate::backend::{Backend, Store};
use crate::blobs;
use crate::scoped::ScopedStore;
use crate::to_micros;

/// Where attachments are stored and how large one may be.
#[derive(Debug, Clone)]
pub(crate) struct BlobConfig {
    pub(crate) dir: PathBuf,
    pub(crate) max_bytes: usize,
}

/// An attachment's metadata (the bytes are read separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Lower-case hex SHA-256 of the content; names it within the dossier.
    pub sha256: String,
    pub size: i64,
    /// Sniffed from the content.
    pub media_type: String,
    /// Sanitised name, with an extension matching the content.
    pub file_name: String,
    /// Key of the checklist item the file belongs to.
    pub document_key: Option<String>,
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: String,
}

/// The outcome of an upload: the stored metadata, and whether this call added it (`false`
/// when the dossier already had the same content, which is then returned unchanged).
#[derive(Debug, Clone)]
pub struct Added {
    pub attachment: Attachment,
    pub created: bool,
}

pub(crate) fn attachment_not_found() -> Error {
    Error::not_found("attachment_not_found", "Không tìm thấy tệp đính kèm.")
}

impl Store {
    /// The same store, keeping attachments under `dir` (normally `<data_dir>/blobs`), with
    /// the default size limit ([`attachment::DEFAULT_MAX_BYTES`]).
    pub fn with_blob_dir(mut self, dir: impl Into<PathBuf>) -> Store {
        let max_bytes = self
            .blobs
            .as_ref()
            .map_or(attachment::DEFAULT_MAX_BYTES, |b| b.max_bytes);
        self.blobs = Some(Arc::new(BlobConfig {
            dir: dir.into(),
            max_bytes,
        }));
        self
    }

    /// The same store with another attachment size limit (after [`Store::with_blob_dir`]).
    pub fn with_attachment_limit(mut self, max_bytes: usize) -> Store {
        if let Some(b) = &self.blobs {
            self.blobs = Some(Arc::new(BlobConfig {
                dir: b.dir.clone(),
                max_bytes,
            }));
        }
        self
    }

    /// The folder attachments are kept in, when configured.
    pub fn blob_dir(&self) -> Option<&Path> {
        self.blobs.as_deref().map(|b| b.dir.as_path())
    }

    fn blob_config(&self) -> Result<&BlobConfig> {
        self.blobs.as_deref().ok_or_else(|| {
            tracing::error!("attachments used on a store opened without a blob folder");
            Error::internal()
        })
    }
}

/// A checklist key as sent: trimmed; empty means none.
fn document_key_of(key: Option<&str>) -> Result<Option<String>> {
    let Some(key) = key.map(text::clean).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    if key.chars().count() > 64 {
        return Err(Error::invalid(
            "attachment_document_unknown",
            "Mã giấy tờ trong danh mục quá dài.",
        ));
    }
    Ok(Some(key))
}

impl ScopedStore {
    /// The largest attachment accepted, in bytes.
    pub fn attachment_limit(&self) -> usize {
        self.store()
            .blobs
            .as_ref()
            .map_or(attachment::DEFAULT_MAX_BYTES, |b| b.max_bytes)
    }

    /// Adds a file to a visible dossier: the dossier's visibility is checked first (404
    /// `dossier_not_found`), then the domain's rules (`attachment_empty`,
    /// `attachment_too_large`, `attachment_type_not_allowed`; the name is sanitised), then the
    /// blob is written durably, and only then the metadata row and the audit entry
    /// `attachment.add` in one write transaction (which checks visibility again). A
    /// `document_key` must name a document received with the dossier (422
    /// `attachment_document_unknown`). The same content twice on one dossier keeps the first
    /// row (`created: false`).
    pub async fn add_attachment(
        &self,
        actor: &str,
        now: OffsetDateTime,
        dossier_code: &str,
        name: &str,
        bytes: &[u8],
        document_key: Option<&str>,
    ) -> Result<Added> {
        let store = self.store();
        let config = store.blob_config()?;
        let dossier = self.dossier(dossier_code).await?;
        let checked = attachment::check(name, bytes, config.max_bytes)?;
        let document_key = document_key_of(document_key)?;
        if let Some(key) = &document_key
            && !dossier.dossier.documents.iter().any(|d| &d.key == key)
        {
            return Err(Error::invalid(
                "attachment_document_unknown",
                format!("Hồ sơ không có giấy tờ mã \"{key}\" trong danh mục đã tiếp nhận."),
            )
            .with_details(serde_json::json!({ "field": "document", "document": key })));
        }
        let sha256 = blobs::put(&config.dir, bytes).await?;
        let size = i64::try_from(bytes.len()).map_err(|_| Error::internal())?;
        let scope = self.scope().clone();
        let new = Attachment {
            sha256,
            size,
            media_type: checked.kind.media_type().to_string(),
            file_name: checked.file_name,
            document_key,
            uploaded_at: now,
            uploaded_by: actor.to_string(),
        };
        write_tx!(store, actor, now, e in attachments_sql, w =>
            e::add(&mut w, &scope, dossier_code, new).await?)
    }

    /// The attachments of a visible dossier, oldest first.
    pub async fn attachments(&self, dossier_code: &str) -> Result<Vec<Attachment>> {
        read_db!(self.store(), e in attachments_sql, pool => e::list(pool, self.scope(), dossier_code).await)
    }

    /// One attachment of a visible dossier and its bytes, verified against the SHA-256. A
    /// name that is not a SHA-256, or content the dossier does not have, answers 404
    /// `attachment_not_found`, even when another dossier has it.
    pub async fn attachment(
        &self,
        dossier_code: &str,
        sha256: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
        let store = self.store();
        let config = store.blob_config()?;
        // Visibility first, so an out-of-scope dossier looks absent whatever the name.
        self.dossier(dossier_code).await?;
        let sha256 = sha256.trim().to_ascii_lowercase();
        if !blobs::is_sha256_hex(&sha256) {
            return Err(attachment_not_found());
        }
        let meta = read_db!(store, e in attachments_sql, pool =>
            e::one(pool, self.scope(), dossier_code, &sha256).await)?
        .ok_or_else(attachment_not_found)?;
        let bytes = blobs::get(&config.dir, &meta.sha256).await?;
        if Kind::from_media_type(&meta.media_type).is_none() {
            tracing::error!(media_type = %meta.media_type, "stored attachment has an unknown type");
            return Err(Error::new(
                ErrorKind::Internal,
                "attachment_corrupt",
                "Tệp đính kèm có kiểu không hợp lệ; hãy báo quản trị hệ thống.",
            ));
        }
        Ok((meta, bytes))
    }
}
