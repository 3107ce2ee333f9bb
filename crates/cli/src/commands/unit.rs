use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use motcua_domain::Error;
use motcua_domain::import::{Format, parse_units};
use motcua_server::Config;

#[derive(Subcommand)]
pub enum UnitCommand {
    /// Import units from a CSV (code,name,short_name,level,parent_code) or JSON file;
    /// any bad row rejects the whole file.
    Import { file: PathBuf },
}

pub async fn run(config: Config, command: UnitCommand) -> ExitCode {
    match command {
        UnitCommand::Import { file } => match import(&config, &file).await {
            Ok(count) => {
                println!("{}", serde_json::json!({ "imported": count }));
                eprintln!("Đã nhập {count} đơn vị.");
                ExitCode::SUCCESS
            }
            Err(e) => super::fail(&e),
        },
    }
}

async fn import(config: &Config, file: &std::path::Path) -> Result<usize, Error> {
    let name = file.to_string_lossy();
    let format = Format::from_file_name(&name)?;
    let content = std::fs::read_to_string(file).map_err(|e| {
        Error::bad_request("file_unreadable", format!("Không đọc được tệp {name}: {e}"))
    })?;
    let rows = parse_units(format, &content)?;
    let store = super::open_store(config).await?;
    let result = store
        .import_units(&super::cli_actor(), super::now(), &rows)
        .await;
    store.close().await;
    result
}
