//! Content-addressed files under the data directory: `<blobs>/ab/cd/<sha256>` where `ab` and
//! `cd` are the first two pairs of hex digits of the content's SHA-256 (lower case).
//!
//! A write goes to a temporary file in the final directory, is `fsync`ed, renamed over the
//! final name (atomic on POSIX file systems) and the directory is `fsync`ed: once `put`
//! returns, the file survives a power cut. Identical content is stored once. A read hashes what
//! it read and refuses a file whose content no longer matches its name.
//!
//! The metadata row is written after the blob is durable, so a crash between the two leaves at
//! worst a file no row names (an orphan): harmless, served to nobody, and stored again under
//! the same name by the next upload of the same content.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use motcua_domain::{Error, ErrorKind, Result};
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` is a lower-case hex SHA-256 (64 characters), the only names blobs have.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where the blob named `sha256` lives (which must be a checked hex name).
pub(crate) fn path_of(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[0..2]).join(&sha256[2..4]).join(sha256)
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> Error {
    tracing::error!(error = %e, path = %path.display(), what, "attachment storage failed");
    Error::new(
        ErrorKind::Internal,
        "attachment_storage_failed",
        "Không lưu hoặc đọc được tệp đính kèm; hãy báo quản trị hệ thống.",
    )
}

fn corrupt(path: &Path) -> Error {
    tracing::error!(path = %path.display(), "attachment content does not match its SHA-256");
    Error::new(
        ErrorKind::Internal,
        "attachment_corrupt",
        "Tệp đính kèm đã bị hỏng trên máy chủ (mã băm không khớp); hãy báo quản trị hệ thống.",
    )
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates `dir` (and the missing folders above it up to `root`'s parent) and makes each new
/// entry durable by syncing its parent.
fn create_dirs_durably(dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    if missing.is_empty() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    for d in missing.iter().rev() {
        if let Some(parent) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    Ok(())
}

/// Whether the file at `path` exists and holds content hashing to `sha256`.
fn holds(path: &Path, sha256: &str) -> io::Result<bool> {
    match fs::read(path) {
        Ok(bytes) => Ok(sha256_hex(&bytes) == sha256),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn put_blocking(root: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let path = path_of(root, sha256);
    match holds(&path, sha256) {
        Ok(true) => return Ok(()),
        Ok(false) if path.exists() => {
            // Damaged copy: replaced below by the good content just received.
            tracing::warn!(path = %path.display(), "replacing an attachment file that does not match its hash");
        }
        Ok(false) => {}
        Err(e) => return Err(io_error("check", &path, &e)),
    }
    let Some(dir) = path.parent() else {
        return Err(io_error(
            "folder",
            &path,
            &io::Error::other("blob path has no parent"),
        ));
    };
    create_dirs_durably(dir).map_err(|e| io_error("create folder", dir, &e))?;
    let suffix: u64 = rand::random();
    let tmp = dir.join(format!(".tmp-{sha256}-{suffix:016x}"));
    let written = (|| -> io::Result<()> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &path)?;
        sync_dir(dir)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("write", &path, &e));
    }
    Ok(())
}

fn get_blocking(root: &Path, sha256: &str) -> Result<Vec<u8>> {
    let path = path_of(root, sha256);
    let bytes = fs::read(&path).map_err(|e| io_error("read", &path, &e))?;
    if sha256_hex(&bytes) != sha256 {
        return Err(corrupt(&path));
    }
    Ok(bytes)
}

/// Stores `bytes` durably under their SHA-256 (returned); identical content is stored once.
pub(crate) async fn put(root: &Path, bytes: &[u8]) -> Result<String> {
    let sha256 = sha256_hex(bytes);
    let root = root.to_path_buf();
    let owned = bytes.to_vec();
    let name = sha256.clone();
    tokio::task::spawn_blocking(move || put_blocking(&root, &name, &owned))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "attachment write task failed");
            Error::internal()
        })??;
    Ok(sha256)
}

/// The content of the blob `sha256`, verified against its name.
pub(crate) async fn get(root: &Path, sha256: &str) -> Result<Vec<u8>> {
    if !is_sha256_hex(sha256) {
        return Err(Error::internal());
    }
    let root = root.to_path_buf();
    let name = sha256.to_string();
    tokio::task::spawn_blocking(move || get_blocking(&root, &name))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "attachment read task failed");
            Error::internal()
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_once_durably_and_verifies_on_read() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().join("blobs");
        let sha = put(&root, b"%PDF-1.4 noi dung").await.expect("put");
        assert!(is_sha256_hex(&sha));
        let path = path_of(&root, &sha);
        assert_eq!(
            path,
            root.join(&sha[..2]).join(&sha[2..4]).join(&sha),
            "<blobs>/ab/cd/<sha256>"
        );
        assert_eq!(fs::read(&path).expect("file"), b"%PDF-1.4 noi dung");
        // Same content again: same name, one file, no temporary files left behind.
        assert_eq!(put(&root, b"%PDF-1.4 noi dung").await.expect("put"), sha);
        let entries: Vec<_> = fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .collect();
        assert_eq!(entries.len(), 1);
        assert_eq!(get(&root, &sha).await.expect("get"), b"%PDF-1.4 noi dung");

        // A file changed behind our back is refused on read, and repaired by the next put.
        fs::write(&path, b"%PDF-1.4 bi sua").expect("tamper");
        assert_eq!(
            get(&root, &sha).await.unwrap_err().code,
            "attachment_corrupt"
        );
        put(&root, b"%PDF-1.4 noi dung").await.expect("put");
        assert_eq!(get(&root, &sha).await.expect("get"), b"%PDF-1.4 noi dung");

        // A missing file is an error, never empty content.
        fs::remove_file(&path).expect("remove");
        assert_eq!(
            get(&root, &sha).await.unwrap_err().code,
            "attachment_storage_failed"
        );
        assert!(get(&root, "../../etc/passwd").await.is_err());
    }

    #[test]
    fn names_are_lower_case_hex() {
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex(&sha256_hex(b"").to_uppercase()));
        assert!(!is_sha256_hex("../etc"));
        assert!(!is_sha256_hex(&"g".repeat(64)));
    }
}
