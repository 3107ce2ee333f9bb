//! `motcua procedure import|export`: the procedure catalogue as JSON files (the format of
//! docs/one-stop.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_domain::{Error, ErrorKind};
use motcua_server::Config;
use serde_json::{Value, json};

#[derive(Subcommand)]
pub enum ProcedureCommand {
    /// Import procedures from a JSON file holding one procedure or an array of them. Every
    /// procedure is checked first; any bad one rejects the whole file. Each imported procedure
    /// becomes version 1 of a new code or the next version of an existing one.
    Import { file: PathBuf },
    /// Export the latest version of every procedure (or of one) as a JSON array, in the
    /// import format.
    Export {
        /// Only this procedure code.
        #[arg(long)]
        code: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(config: Config, command: ProcedureCommand) -> ExitCode {
    match command {
        ProcedureCommand::Import { file } => match import(&config, &file).await {
            Ok(saved) => {
                let list: Vec<Value> = saved
                    .iter()
                    .map(|p| json!({ "code": p.code, "version": p.version }))
                    .collect();
                println!("{}", json!({ "imported": saved.len(), "procedures": list }));
                eprintln!("Đã nhập {} thủ tục.", saved.len());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        ProcedureCommand::Export { code, out } => {
            match export(&config, code.as_deref(), out.as_deref()).await {
                Ok(count) => {
                    if let Some(out) = out {
                        eprintln!("Đã xuất {count} thủ tục ra {}.", out.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
    }
}

/// Prints an error, with every problem of every procedure of the file, and picks the exit code.
fn fail(e: &Error) -> ExitCode {
    eprintln!("lỗi: {} ({})", e.message, e.code);
    let items = e
        .details
        .as_ref()
        .and_then(|d| d.get("items"))
        .and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        let index = item.get("index").and_then(Value::as_u64).unwrap_or(0) + 1;
        let code = item.get("code").and_then(Value::as_str).unwrap_or("?");
        let errors = item.get("errors").and_then(Value::as_array);
        for err in errors.into_iter().flatten() {
            let field = err.get("field").and_then(Value::as_str).unwrap_or("");
            let message = err.get("message").and_then(Value::as_str).unwrap_or("");
            let err_code = err.get("code").and_then(Value::as_str).unwrap_or("");
            eprintln!("  mục {index} (thủ tục {code}): {field}: {message} ({err_code})");
        }
    }
    match e.kind {
        ErrorKind::Internal => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// The working-day length of the configured office hours.
fn minutes_per_day(config: &Config) -> i64 {
    motcua_calendar::OfficeHours {
        periods: config.calendar.office_hours.clone(),
    }
    .minutes_per_day()
}

/// Reads and checks every procedure of a file. All problems of all items are reported at
/// once in `details.items: [{index, code, errors: [{field, code, message}]}]`.
pub fn parse_file(content: &str, minutes_per_day: i64) -> Result<Vec<Procedure>, Error> {
    let value: Value = serde_json::from_str(content).map_err(|e| {
        Error::bad_request("invalid_json", format!("Tệp không phải JSON hợp lệ: {e}"))
    })?;
    let items = match value {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(Error::bad_request(
                "procedure_file_invalid",
                "Tệp phải chứa một thủ tục (đối tượng JSON) hoặc một mảng thủ tục.",
            ));
        }
    };
    if items.is_empty() {
        return Err(Error::bad_request(
            "procedure_file_empty",
            "Tệp không có thủ tục nào.",
        ));
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut failed = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let code = item
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let result = serde_json::from_value::<NewProcedure>(item)
            .map_err(|e| {
                json!([{ "field": "", "code": "invalid_json",
                          "message": format!("Dữ liệu không đúng định dạng: {e}") }])
            })
            .and_then(|new| {
                Procedure::parse(new, minutes_per_day).map_err(|e| {
                    e.details
                        .and_then(|d| d.get("errors").cloned())
                        .unwrap_or_else(
                            || json!([{ "field": "", "code": e.code, "message": e.message }]),
                        )
                })
            });
        match result {
            Ok(p) => parsed.push(p),
            Err(errors) => failed.push(json!({ "index": index, "code": code, "errors": errors })),
        }
    }
    if !failed.is_empty() {
        return Err(Error::invalid(
            "procedure_invalid",
            format!(
                "Có {} thủ tục không hợp lệ trong tệp; không nhập thủ tục nào.",
                failed.len()
            ),
        )
        .with_details(json!({ "items": failed })));
    }
    Ok(parsed)
}

async fn import(config: &Config, file: &Path) -> Result<Vec<Procedure>, Error> {
    let content = std::fs::read_to_string(file).map_err(|e| {
        Error::bad_request(
            "file_unreadable",
            format!("Không đọc được tệp {}: {e}", file.display()),
        )
    })?;
    let procedures = parse_file(&content, minutes_per_day(config))?;
    let store = super::open_store(config).await?;
    let result = store
        .save_procedures(&super::cli_actor(), super::now(), &procedures)
        .await;
    store.close().await;
    result
}

async fn export(config: &Config, code: Option<&str>, out: Option<&Path>) -> Result<usize, Error> {
    let store = super::open_store(config).await?;
    let result = store.latest_procedures(code).await;
    store.close().await;
    let procedures = result?;
    if let Some(code) = code
        && procedures.is_empty()
    {
        return Err(Error::not_found(
            "procedure_not_found",
            format!("Không tìm thấy thủ tục {code}."),
        ));
    }
    let documents: Vec<NewProcedure> = procedures.iter().map(Procedure::to_new).collect();
    let mut text = serde_json::to_string_pretty(&documents).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            "export_failed",
            format!("Không tạo được JSON: {e}"),
        )
    })?;
    text.push('\n');
    match out {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            Error::bad_request(
                "file_unwritable",
                format!("Không ghi được tệp {}: {e}", path.display()),
            )
        })?,
        None => print!("{text}"),
    }
    Ok(documents.len())
}
