use std::process::ExitCode;

use clap::Subcommand;
use motcua_server::Config;

#[derive(Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations (also done at every start).
    Migrate,
}

pub async fn run(config: Config, command: DbCommand) -> ExitCode {
    match command {
        DbCommand::Migrate => match super::open_store(&config).await {
            Ok(store) => {
                eprintln!(
                    "Cơ sở dữ liệu ({}) đã ở phiên bản mới nhất.",
                    store.engine().name()
                );
                store.close().await;
                ExitCode::SUCCESS
            }
            Err(e) => super::fail(&e),
        },
    }
}
