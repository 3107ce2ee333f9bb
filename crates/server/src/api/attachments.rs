//! `/api/v1/dossiers/{code}/attachments`: files attached to a dossier (issue 4 item 2). The
//! upload is the raw file as the request body (no multipart); its type is sniffed from the
//! content, never taken from `Content-Type`. Storage, scope and the rules are the store's and
//! the domain's (`motcua_store::Attachment`, `motcua_domain::attachment`); this module reads
//! the body within the attachment limit and translates.

use std::pin::Pin;

use axum::Json;
use axum::body::{Body, HttpBody as _};
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::user::Role;
use motcua_domain::{Error, attachment};
use motcua_store::Attachment;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{QueryParams, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

/// An attachment's metadata as the API answers it.
#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    /// SHA-256 of the content (lower-case hex); names the file within the dossier.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    /// Size in bytes.
    #[schema(example = 48213)]
    pub size: i64,
    /// Type recognised from the content.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    /// The sanitised file name.
    #[schema(example = "Đơn đề nghị xác nhận.pdf")]
    pub file_name: String,
    /// Key of the checklist item the file belongs to.
    #[schema(example = "don_de_nghi")]
    pub document_key: Option<String>,
    #[schema(example = "2026-11-02T09:05:00+07:00")]
    pub uploaded_at: String,
    #[schema(example = "receiver.a")]
    pub uploaded_by: String,
    /// Where to download the file.
    #[schema(
        example = "/api/v1/dossiers/000.01.02.A03-261102-0001/attachments/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    )]
    pub url: String,
}

fn out(code: &str, a: Attachment) -> AttachmentOut {
    AttachmentOut {
        url: format!("/api/v1/dossiers/{code}/attachments/{}", a.sha256),
        sha256: a.sha256,
        size: a.size,
        media_type: a.media_type,
        file_name: a.file_name,
        document_key: a.document_key,
        uploaded_at: vn_time(a.uploaded_at),
        uploaded_by: a.uploaded_by,
    }
}

/// The attachments of a dossier.
#[derive(Serialize, ToSchema)]
pub struct AttachmentList {
    pub items: Vec<AttachmentOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name as the person chose it; it is sanitised (path, reserved and control
    /// characters removed) and must end with an extension matching the content (one is added
    /// when missing).
    #[param(example = "Đơn đề nghị xác nhận.pdf")]
    pub name: Option<String>,
    /// Key of the checklist item (a document received with the dossier).
    #[param(example = "don_de_nghi")]
    pub document: Option<String>,
}

fn dossier_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// Reads the body, refusing it (413 `attachment_too_large`) as soon as it passes `max`
/// bytes: the declared `Content-Length` is checked first, then what actually arrives.
async fn read_limited(headers: &HeaderMap, mut body: Body, max: usize) -> Result<Vec<u8>, Error> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(attachment::too_large(max));
    }
    let mut out = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            tracing::debug!(error = %e, "attachment body could not be read");
            Error::bad_request(
                "body_unreadable",
                "Không nhận được trọn vẹn nội dung tệp; hãy gửi lại.",
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max {
                return Err(attachment::too_large(max));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// Attaches a file to a dossier (receiver, specialist, leader or clerk, within the dossier's
/// scope). The body is the raw file (`Content-Type: application/octet-stream` or the real
/// type; it is not trusted). Accepted: PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT, up to
/// `limits.max_attachment_bytes` (default 10 MiB). The same content twice on one dossier
/// answers 200 with the first upload's metadata.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/attachments", tag = "dossiers",
    params(("code" = String, Path), UploadQuery),
    request_body(content = String, content_type = "application/octet-stream",
                 description = "Nội dung tệp (nhị phân)"),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = AttachmentOut, description = "Đã lưu tệp đính kèm"),
              (status = 200, body = AttachmentOut, description = "Hồ sơ đã có tệp với nội dung này"),
              (status = 400, body = ErrorBody, description = "Tham số không hợp lệ, hoặc nội dung gửi không trọn vẹn"),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Không có vai trò xử lý hồ sơ"),
              (status = 404, body = ErrorBody, description = "Không có hồ sơ, hoặc ngoài phạm vi"),
              (status = 413, body = ErrorBody, description = "attachment_too_large"),
              (status = 422, body = ErrorBody, description = "attachment_empty, attachment_type_not_allowed, attachment_document_unknown")))]
pub async fn upload_attachment(
    ctx: Ctx,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<AttachmentOut>)> {
    ctx.require(&[Role::Receiver, Role::Specialist, Role::Leader, Role::Clerk])?;
    let code = dossier_code(&code);
    let max = ctx.store.attachment_limit();
    let bytes = read_limited(&headers, body, max).await?;
    let added = ctx
        .store
        .add_attachment(
            ctx.actor(),
            ctx.now(),
            &code,
            q.name.as_deref().unwrap_or_default(),
            &bytes,
            q.document.as_deref(),
        )
        .await?;
    let status = if added.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out(&code, added.attachment))))
}

/// The attachments of a dossier in the caller's scope, oldest first.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/attachments", tag = "dossiers",
    params(("code" = String, Path)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = AttachmentList), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có hồ sơ, hoặc ngoài phạm vi")))]
pub async fn list_attachments(
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<AttachmentList>> {
    let code = dossier_code(&code);
    let items = ctx.store.attachments(&code).await?;
    Ok(Json(AttachmentList {
        items: items.into_iter().map(|a| out(&code, a)).collect(),
    }))
}

/// `filename*` of RFC 6266 / RFC 8187: UTF-8, every byte outside `attr-char` percent-encoded.
pub fn content_disposition(file_name: &str) -> String {
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename*=UTF-8''{encoded}")
}

/// One attachment's bytes (anyone who can see the dossier), verified against its SHA-256;
/// `Content-Type` is the recognised type and the file is always offered as a download.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/attachments/{sha256}", tag = "dossiers",
    params(("code" = String, Path), ("sha256" = String, Path, description = "SHA-256 của nội dung")),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = String,
               description = "Nội dung tệp; Content-Disposition: attachment"),
              (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có hồ sơ hoặc tệp, hoặc ngoài phạm vi")))]
pub async fn download_attachment(
    ctx: Ctx,
    Path((code, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let code = dossier_code(&code);
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

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(
            content_disposition("Đơn đề nghị.pdf"),
            "attachment; filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf"
        );
        assert_eq!(
            content_disposition("a;b'c\".pdf"),
            "attachment; filename*=UTF-8''a%3Bb%27c%22.pdf"
        );
    }
}
