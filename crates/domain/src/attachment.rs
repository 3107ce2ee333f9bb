//! Attachments on dossiers: the rules that need no I/O. File names are sanitised, the type is
//! decided by sniffing the first bytes (the client's declared `Content-Type` is never trusted)
//! and cross-checked with the name's extension, and the size is limited by configuration.
//! See docs/one-stop.md, "Attachments".

use unicode_normalization::UnicodeNormalization;

use crate::{Error, ErrorKind, Result};

/// Default largest attachment (`limits.max_attachment_bytes`): 10 MiB.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Longest sanitised file name, in characters, extension included.
pub const MAX_NAME_CHARS: usize = 120;

/// The name used when nothing of the sent name survives sanitising.
pub const FALLBACK_NAME: &str = "tep-dinh-kem";

/// Characters that are reserved in file names on common systems.
const RESERVED: [char; 9] = ['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// The attachment types accepted, recognised by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    /// Word (Office Open XML).
    Docx,
    /// Excel (Office Open XML).
    Xlsx,
    /// OpenDocument text.
    Odt,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Pdf,
        Kind::Png,
        Kind::Jpeg,
        Kind::Tiff,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Odt,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Tiff => "image/tiff",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Odt => "application/vnd.oasis.opendocument.text",
        }
    }

    /// The stored media type back to a kind.
    pub fn from_media_type(media_type: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.media_type() == media_type)
    }

    /// Extensions (lower case, without the dot) a name of this kind may end with; the first
    /// is added to a name that has none.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Pdf => &["pdf"],
            Kind::Png => &["png"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Tiff => &["tif", "tiff"],
            Kind::Docx => &["docx"],
            Kind::Xlsx => &["xlsx"],
            Kind::Odt => &["odt"],
        }
    }
}

/// The kind of a file from its first bytes, or `None` when it is not an accepted type.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(Kind::Tiff)
    } else if bytes.starts_with(b"PK\x03\x04") {
        sniff_zip(bytes)
    } else {
        None
    }
}

/// ZIP-based documents. OpenDocument stores an uncompressed `mimetype` entry first (the name
/// at offset 30, its content right after); Office Open XML packages carry
/// `[Content_Types].xml` and their main part's name (in the local headers and the central
/// directory, which are never compressed). A plain ZIP archive is not accepted.
fn sniff_zip(bytes: &[u8]) -> Option<Kind> {
    const ODT: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.text";
    if bytes.get(30..30 + ODT.len()) == Some(ODT) {
        return Some(Kind::Odt);
    }
    if !contains(bytes, b"[Content_Types].xml") {
        return None;
    }
    if contains(bytes, b"word/document.xml") {
        Some(Kind::Docx)
    } else if contains(bytes, b"xl/workbook.xml") {
        Some(Kind::Xlsx)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Invisible formatting characters that can disguise a name (right-to-left override turns
/// `hoso\u{202E}fdp.exe` into what looks like `hosoexe.pdf`), and zero-width ones.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name safe to store and to send back in `Content-Disposition`: NFC; only the last
/// path component; no control, invisible or reserved characters (`/ \ : * ? " < > |`); no
/// leading dots; whitespace collapsed; trailing dots and spaces dropped; at most
/// [`MAX_NAME_CHARS`] characters keeping the extension. Vietnamese letters stay as they are.
/// Nothing left → [`FALLBACK_NAME`].
pub fn sanitize_name(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
    let last = nfc.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_invisible(*c) && !RESERVED.contains(c))
        .collect();
    let collapsed = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let limited = limit_length(trimmed);
    if limited.is_empty() {
        FALLBACK_NAME.to_string()
    } else {
        limited
    }
}

/// Cuts the stem so the whole name fits [`MAX_NAME_CHARS`], keeping a short extension.
fn limit_length(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let (stem, ext) = match split_extension(name) {
        Some((stem, ext)) if ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (name, None),
    };
    let room = MAX_NAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

/// `("hồ sơ", "pdf")` for `"hồ sơ.pdf"`; `None` without a dot (or only a leading one).
fn split_extension(name: &str) -> Option<(&str, &str)> {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => Some((stem, ext)),
        _ => None,
    }
}

/// A checked attachment: its sanitised name (with an extension that matches the content)
/// and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub file_name: String,
    pub kind: Kind,
}

/// 413 `attachment_too_large` when `size` exceeds `max_bytes`.
pub fn check_size(size: usize, max_bytes: usize) -> Result<()> {
    if size > max_bytes {
        return Err(too_large(max_bytes));
    }
    Ok(())
}

/// The error for a file above the limit (also used while the body is still arriving).
pub fn too_large(max_bytes: usize) -> Error {
    Error::new(
        ErrorKind::TooLarge,
        "attachment_too_large",
        format!(
            "Tệp đính kèm vượt quá dung lượng cho phép ({}).",
            human_size(max_bytes)
        ),
    )
    .with_details(serde_json::json!({ "max_bytes": max_bytes }))
}

/// `10 MB`, `512 KB`, `900 byte` (binary multiples, as people read them).
fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} byte")
    }
}

fn type_not_allowed(message: String, extension: Option<&str>) -> Error {
    Error::invalid("attachment_type_not_allowed", message).with_details(serde_json::json!({
        "allowed": ["pdf", "png", "jpg", "jpeg", "tif", "tiff", "docx", "xlsx", "odt"],
        "extension": extension,
    }))
}

/// Checks an attachment: not empty (422 `attachment_empty`), at most `max_bytes` (413
/// `attachment_too_large`), content of an accepted kind whose extension matches the name's
/// (422 `attachment_type_not_allowed`; a name without an extension gets the kind's).
pub fn check(raw_name: &str, bytes: &[u8], max_bytes: usize) -> Result<Checked> {
    if bytes.is_empty() {
        return Err(Error::invalid(
            "attachment_empty",
            "Tệp đính kèm không có nội dung.",
        ));
    }
    check_size(bytes.len(), max_bytes)?;
    let name = sanitize_name(raw_name);
    let extension = split_extension(&name).map(|(_, ext)| ext.to_lowercase());
    let Some(kind) = sniff(bytes) else {
        return Err(type_not_allowed(
            "Chỉ nhận tệp PDF, ảnh (PNG, JPEG, TIFF), Word (DOCX), Excel (XLSX) hoặc \
             OpenDocument (ODT); nội dung tệp không thuộc các loại này."
                .to_string(),
            extension.as_deref(),
        ));
    };
    let file_name = match extension.as_deref() {
        Some(ext) if kind.extensions().contains(&ext) => name,
        Some(ext) => {
            return Err(type_not_allowed(
                format!(
                    "Phần mở rộng .{ext} không khớp với nội dung tệp (tệp thực tế là .{}).",
                    kind.extensions()[0]
                ),
                Some(ext),
            ));
        }
        None => limit_length(&format!("{name}.{}", kind.extensions()[0])),
    };
    Ok(Checked { file_name, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[0; 26]);
        for n in names {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b"\0\0");
        }
        out
    }

    fn odt() -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[0; 26]);
        out.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        out
    }

    #[test]
    fn sniffs_accepted_kinds() {
        assert_eq!(sniff(PDF), Some(Kind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Kind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(Kind::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Some(Kind::Tiff));
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])),
            Some(Kind::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(Kind::Xlsx)
        );
        assert_eq!(sniff(&odt()), Some(Kind::Odt));
    }

    #[test]
    fn refuses_everything_else() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None, "Windows executable");
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), None, "ELF executable");
        assert_eq!(sniff(b"<!DOCTYPE html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /\n"), None);
        assert_eq!(sniff(&zip_with(&["payload.exe"])), None, "plain ZIP");
        assert_eq!(sniff(&zip_with(&["[Content_Types].xml"])), None);
        assert_eq!(sniff(b"%PD"), None, "too short");
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn declared_extension_must_match_the_content() {
        let ok = check("Đơn đề nghị.PDF", PDF, 1024).unwrap();
        assert_eq!(ok.kind, Kind::Pdf);
        assert_eq!(ok.file_name, "Đơn đề nghị.PDF");
        assert_eq!(
            check("anh.jpeg", &[0xFF, 0xD8, 0xFF, 0], 1024)
                .unwrap()
                .kind,
            Kind::Jpeg
        );

        let html = b"<html><body onload=alert(1)></body></html>";
        let e = check("hoso.pdf", html, 1024).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unprocessable, "attachment_type_not_allowed")
        );
        let e = check("setup.pdf", b"MZ\x90\0", 1024).unwrap_err();
        assert_eq!(e.code, "attachment_type_not_allowed");
        // A real PDF named as something else is refused too: the name is what people open.
        let e = check("bang-tinh.xlsx", PDF, 1024).unwrap_err();
        assert_eq!(e.code, "attachment_type_not_allowed");
        let e = check("hoso.exe", PDF, 1024).unwrap_err();
        assert_eq!(e.code, "attachment_type_not_allowed");
    }

    #[test]
    fn a_name_without_extension_gets_the_content_s() {
        assert_eq!(
            check("Giấy khai sinh", PDF, 1024).unwrap().file_name,
            "Giấy khai sinh.pdf"
        );
        assert_eq!(check("", PDF, 1024).unwrap().file_name, "tep-dinh-kem.pdf");
        assert_eq!(
            check("..", PDF, 1024).unwrap().file_name,
            "tep-dinh-kem.pdf"
        );
    }

    #[test]
    fn size_limits() {
        let e = check("a.pdf", b"", 1024).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Unprocessable, "attachment_empty")
        );
        let e = check("a.pdf", PDF, 10).unwrap_err();
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::TooLarge, "attachment_too_large")
        );
        assert!(e.message.contains("10 byte"), "{}", e.message);
        assert!(
            check("a.pdf", PDF, PDF.len()).is_ok(),
            "exactly the limit is fine"
        );
        assert!(too_large(DEFAULT_MAX_BYTES).message.contains("10 MB"));
        assert!(check_size(DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES).is_ok());
        assert!(check_size(DEFAULT_MAX_BYTES + 1, DEFAULT_MAX_BYTES).is_err());
    }

    #[test]
    fn sanitising_strips_paths_and_dangerous_characters() {
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name("C:\\Users\\an\\Desktop\\đơn.pdf"), "đơn.pdf");
        assert_eq!(sanitize_name(".htaccess"), "htaccess");
        assert_eq!(sanitize_name("...hidden.pdf"), "hidden.pdf");
        assert_eq!(sanitize_name("a<b>c:d*e?f\"g|h.pdf"), "abcdefgh.pdf");
        assert_eq!(sanitize_name("dòng\nmới\t\u{0}.pdf"), "dòng mới .pdf");
        assert_eq!(sanitize_name("hoso\u{202E}fdp.exe"), "hosofdp.exe");
        assert_eq!(
            sanitize_name("  nhiều   khoảng   trắng.pdf  "),
            "nhiều khoảng trắng.pdf"
        );
        assert_eq!(sanitize_name("ten.pdf. . "), "ten.pdf");
        assert_eq!(sanitize_name(""), FALLBACK_NAME);
        assert_eq!(sanitize_name("/"), FALLBACK_NAME);
        assert_eq!(sanitize_name("../.."), FALLBACK_NAME);
        assert_eq!(sanitize_name("\u{1}\u{2}"), FALLBACK_NAME);
    }

    #[test]
    fn sanitising_keeps_vietnamese_in_nfc() {
        // "Hồ sơ" typed in decomposed form (NFD) comes out composed.
        let nfd = "Ho\u{0302}\u{0300} so\u{031B}.pdf";
        let name = sanitize_name(nfd);
        assert_eq!(name, "Hồ sơ.pdf");
        assert_eq!(name.chars().count(), 9);
        assert_eq!(
            sanitize_name("Quyết định nhập ngũ – bản sao.docx"),
            "Quyết định nhập ngũ – bản sao.docx"
        );
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "Đơn đề nghị xác nhận ".repeat(20));
        let name = sanitize_name(&long);
        assert_eq!(
            name.chars().count(),
            MAX_NAME_CHARS.min(name.chars().count())
        );
        assert!(name.chars().count() <= MAX_NAME_CHARS);
        assert!(name.ends_with(".pdf"), "{name}");
        assert!(!name.contains(" .pdf"), "{name}");
        let no_ext = "x".repeat(500);
        assert_eq!(sanitize_name(&no_ext).chars().count(), MAX_NAME_CHARS);
        let no_ext_checked = check(&no_ext, PDF, 1024).unwrap().file_name;
        assert!(no_ext_checked.ends_with(".pdf"));
        assert!(no_ext_checked.chars().count() <= MAX_NAME_CHARS);
    }

    #[test]
    fn media_types_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_media_type(k.media_type()), Some(k));
        }
        assert_eq!(Kind::from_media_type("text/html"), None);
    }
}
