//! The `motcua` command: `motcua <noun> <verb>`, JSON on stdout where output is data,
//! messages on stderr; exit 0 on success, 1 on failure, 2 on bad input or usage.

mod commands;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::{audit, calendar, db, demo, procedure, report, serve, unit, user};

#[derive(Parser)]
#[command(name = "motcua", version, about = "motcua: Một cửa và cải cách hành chính cho Bộ, ngành", long_about = None)]
pub struct Cli {
    /// Configuration file (TOML); see `motcua print-default-config`.
    #[arg(long, global = true, env = "MOTCUA_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Database: `sqlite:PATH` (default: sqlite:motcua-data/motcua.db) or `postgres://…`.
    #[arg(long, global = true, env = "MOTCUA_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service (creates the database, the root unit and `admin` on first start).
    Serve(serve::ServeArgs),
    /// Build and serve the demo ministry (Bộ Quốc phòng, 2022): units, procedures, people and
    /// dossiers whose Biểu 06 for Q3/2022 matches the source report; prints the sign-in details.
    Demo(demo::DemoArgs),
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
    /// People and passwords.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Organisation units.
    Unit {
        #[command(subcommand)]
        command: unit::UnitCommand,
    },
    /// The procedure catalogue: import and export JSON files.
    Procedure {
        #[command(subcommand)]
        command: procedure::ProcedureCommand,
    },
    /// Reports: Biểu 06 (statistical form 06/VPCP/KSTT) and the quarterly reform report.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Working calendar: lunar dates, days off, deadlines, announced exceptions.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Print the default configuration as TOML.
    PrintDefaultConfig,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lỗi: không khởi động được: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    let settings = match settings::load(cli.config.as_deref(), cli.database_url.clone()) {
        Ok(s) => s,
        Err(e) => return commands::fail(&e),
    };
    match cli.command {
        Command::Serve(args) => serve::run(settings, args).await,
        Command::Demo(args) => demo::run(settings, args).await,
        Command::Db { command } => db::run(settings, command).await,
        Command::User { command } => user::run(settings, command).await,
        Command::Unit { command } => unit::run(settings, command).await,
        Command::Procedure { command } => procedure::run(settings, command).await,
        Command::Report { command } => report::run(settings, command).await,
        Command::Audit { command } => audit::run(settings, command).await,
        Command::Calendar { command } => calendar::run(settings, command).await,
        Command::PrintDefaultConfig => {
            match toml::to_string_pretty(&motcua_server::Config::default()) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lỗi: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
