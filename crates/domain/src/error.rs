//! One error vocabulary for every layer: a stable machine code, a Vietnamese message for
//! people, and a kind that the HTTP layer maps to a status and the CLI to an exit code.

use serde_json::Value;

/// What sort of failure this is; decides the HTTP status (conventions.md) and CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed input (400).
    BadRequest,
    /// Not signed in (401).
    Unauthenticated,
    /// Signed in but the role is missing (403).
    Forbidden,
    /// Absent, or outside the caller's scope: the two look the same (404).
    NotFound,
    /// State or version conflict (409).
    Conflict,
    /// Body or file too large (413).
    TooLarge,
    /// Well-formed input that breaks a rule (422).
    Unprocessable,
    /// Throttled (429).
    TooManyRequests,
    /// A fault on our side (500); the message never leaks internals.
    Internal,
}

/// An error with a stable `code` (snake_case) and a Vietnamese `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, code, message)
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    pub fn forbidden() -> Self {
        Self::new(
            ErrorKind::Forbidden,
            "forbidden",
            "Bạn không có quyền thực hiện thao tác này.",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "Bạn cần đăng nhập để tiếp tục.",
        )
    }

    pub fn version_conflict() -> Self {
        Self::conflict(
            "version_conflict",
            "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại và thử lại.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal_error",
            "Hệ thống gặp lỗi. Vui lòng thử lại sau hoặc liên hệ quản trị viên.",
        )
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Error {}
