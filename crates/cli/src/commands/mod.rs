//! One module per noun.

pub mod audit;
pub mod calendar;
pub mod db;
pub mod demo;
pub mod procedure;
pub mod report;
pub mod report_quarterly;
pub mod serve;
pub mod unit;
pub mod user;

use std::process::ExitCode;

use motcua_domain::{Error, ErrorKind};
use motcua_server::Config;
use motcua_store::Store;

/// Prints an error on stderr and picks the exit code: 2 for bad input, 1 for failures.
pub fn fail(e: &Error) -> ExitCode {
    eprintln!("lỗi: {} ({})", e.message, e.code);
    let rows = e
        .details
        .as_ref()
        .and_then(|d| d.get("errors"))
        .and_then(|v| v.as_array());
    for row in rows.into_iter().flatten() {
        eprintln!(
            "  dòng {}: {}",
            row.get("line").and_then(|v| v.as_u64()).unwrap_or(0),
            row.get("message").and_then(|v| v.as_str()).unwrap_or("")
        );
    }
    match e.kind {
        ErrorKind::Internal => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// Opens and migrates the configured database.
pub async fn open_store(config: &Config) -> Result<Store, Error> {
    let store = Store::open(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The audit actor for work done from the command line: `cli:<os user>`.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// Reads a password from the first line of standard input.
pub fn read_password_stdin() -> Result<String, Error> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        Error::bad_request(
            "password_unreadable",
            format!("Không đọc được mật khẩu từ đầu vào chuẩn: {e}"),
        )
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    motcua_domain::user::check_password(&password)?;
    Ok(password)
}

pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
