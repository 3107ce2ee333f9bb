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
    /// E-government facts of units (docs/egov.md).
    Facts {
        #[command(subcommand)]
        command: FactsCommand,
    },
}

#[derive(Subcommand)]
pub enum FactsCommand {
    /// Import facts from a CSV file (unit_code,kind,value,valid_from,note); any bad row
    /// rejects the whole file.
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
        UnitCommand::Facts {
            command: FactsCommand::Import { file },
        } => match import_facts(&config, &file).await {
            Ok(count) => {
                println!("{}", serde_json::json!({ "imported": count }));
                eprintln!("Đã ghi nhận {count} thông tin.");
                ExitCode::SUCCESS
            }
            Err(e) => super::fail(&e),
        },
    }
}

async fn import_facts(config: &Config, file: &std::path::Path) -> Result<usize, Error> {
    let name = file.to_string_lossy();
    let content = std::fs::read_to_string(file).map_err(|e| {
        Error::bad_request("file_unreadable", format!("Không đọc được tệp {name}: {e}"))
    })?;
    let store = super::open_store(config).await?;
    let now = super::now();
    let result = async {
        let kinds = store.fact_kinds().await?;
        let rows = motcua_domain::egov::parse_facts_csv(
            &content,
            &kinds,
            motcua_domain::egov::vn_today(now),
        )?;
        store.import_facts(&super::cli_actor(), now, &rows).await
    }
    .await;
    store.close().await;
    result
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
