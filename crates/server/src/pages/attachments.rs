//! Attachments on the dossier page (issue 4, item 2 leftover): the list, a download route
//! for browser sessions and the upload form (multipart, CSRF). Scope, rules and storage are
//! the store's (`ScopedStore::{attachments, attachment, add_attachment}`): a dossier outside
//! the person's scope answers 404 on every route here, as on the API.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use motcua_domain::Error;
use motcua_domain::user::Role;

use super::PageResult;
use super::dossiers::vn_datetime;
use crate::api::attachments::content_disposition;
use crate::auth::PageCtx;

/// Who may attach files from the page (as on the API).
pub const CAN_UPLOAD: &[Role] = &[Role::Receiver, Role::Specialist, Role::Leader, Role::Clerk];

/// One line of the attachments table.
pub struct AttachmentRow {
    pub file_name: String,
    /// The checklist item's name, or empty.
    pub document: String,
    /// "48,2 KB".
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub url: String,
}

/// A size for people, in Vietnamese notation: "512 byte", "48,2 KB", "1,5 MB" (one decimal,
/// half up, decimal comma, thousands dots).
pub fn vn_size(bytes: i64) -> String {
    let bytes = bytes.max(0);
    let (unit, scale) = if bytes < 1024 {
        return format!("{} byte", motcua_domain::text::vn_number(bytes));
    } else if bytes < 1024 * 1024 {
        ("KB", 1024)
    } else {
        ("MB", 1024 * 1024)
    };
    let tenths = (bytes * 10 + scale / 2) / scale;
    let whole = motcua_domain::text::vn_number(tenths / 10);
    match tenths % 10 {
        0 => format!("{whole} {unit}"),
        d => format!("{whole},{d} {unit}"),
    }
}

/// The attachments of a dossier in the person's scope, oldest first; `documents` names the
/// checklist items (key, name).
pub async fn rows(
    ctx: &PageCtx,
    code: &str,
    documents: &[(String, String)],
) -> Result<Vec<AttachmentRow>, Error> {
    let items = ctx.store.attachments(code).await?;
    Ok(items
        .into_iter()
        .map(|a| AttachmentRow {
            document: a
                .document_key
                .as_ref()
                .map(|k| {
                    documents
                        .iter()
                        .find(|(key, _)| key == k)
                        .map_or_else(|| k.clone(), |(_, name)| name.clone())
                })
                .unwrap_or_default(),
            size: vn_size(a.size),
            uploaded_at: vn_datetime(a.uploaded_at),
            url: format!("/dossiers/{code}/attachments/{}", a.sha256),
            file_name: a.file_name,
            uploaded_by: a.uploaded_by,
        })
        .collect())
}

/// Downloads an attachment with the same checks and headers as the API: always offered as a
/// file (`Content-Disposition: attachment`), `nosniff`, not cached.
pub async fn download(ctx: PageCtx, Path((code, sha256)): Path<(String, String)>) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    let (meta, bytes) = ctx.store.attachment(&code, &sha256).await?;
    let disposition = HeaderValue::from_str(&content_disposition(&meta.file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let media_type = HeaderValue::from_str(&meta.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn form_error(e: &impl std::fmt::Display) -> Error {
    tracing::debug!(error = %e, "multipart form could not be read");
    Error::bad_request("form_invalid", "Không đọc được biểu mẫu tải tệp lên.")
}

/// The upload form (multipart/form-data: `csrf`, `document`, `file`). Success redirects to the
/// dossier page; a broken rule (type, size, empty file) is shown on the dossier page.
pub async fn upload(
    state: axum::extract::State<crate::AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    let mut multipart = multipart.map_err(|e| form_error(&e))?;
    let (mut csrf, mut document, mut file) = (String::new(), None, None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(
                    motcua_domain::attachment::too_large(ctx.store.attachment_limit()).into(),
                );
            }
            Err(e) => return Err(form_error(&e).into()),
        };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(|e| form_error(&e))?,
            "document" => document = Some(field.text().await.map_err(|e| form_error(&e))?),
            "file" => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        motcua_domain::attachment::too_large(ctx.store.attachment_limit())
                    } else {
                        form_error(&e)
                    }
                })?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    ctx.check_csrf(&csrf)?;
    ctx.require(CAN_UPLOAD)?;
    // Visibility first: out of scope looks absent, whatever was sent.
    ctx.store.dossier(&code).await?;
    let outcome = match &file {
        Some((name, bytes)) => {
            ctx.store
                .add_attachment(
                    ctx.actor(),
                    ctx.now(),
                    &code,
                    name,
                    bytes,
                    document.as_deref(),
                )
                .await
        }
        None => Err(Error::invalid(
            "attachment_empty",
            "Chưa chọn tệp để tải lên.",
        )),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/dossiers/{code}?ok=attachment_added")).into_response()),
        Err(e) if e.kind != motcua_domain::ErrorKind::Internal => {
            super::dossiers::show_dossier(&state, &ctx, &code, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::vn_size;

    #[test]
    fn sizes_in_vietnamese() {
        assert_eq!(vn_size(512), "512 byte");
        assert_eq!(vn_size(1024), "1 KB");
        assert_eq!(vn_size(49_357), "48,2 KB");
        assert_eq!(vn_size(1_572_864), "1,5 MB");
        assert_eq!(vn_size(1_048_576_000), "1.000 MB");
    }
}
