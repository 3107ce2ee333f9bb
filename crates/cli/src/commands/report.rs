//! `motcua report …`: statistical reports. `report bieu-06` prints Biểu số 06/VPCP/KSTT as
//! JSON (the API's shape) or writes the XLSX workbook (see docs/reports.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use motcua_domain::Error;
use motcua_domain::scope::Scope;
use motcua_server::Config;
use motcua_server::api::reports::{Bieu06Out, Bieu06Query, bieu06_for, xlsx_file};

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Biểu số 06/VPCP/KSTT: dossiers received, resolved and pending in a period, per field
    /// or per unit, "as of" the period's end.
    #[command(name = "bieu-06")]
    Bieu06(Bieu06Args),
    /// The quarterly administrative-reform report (DOCX or Markdown), figures from Biểu 06
    /// and the unit e-government facts (docs/quarterly-report.md).
    Quarterly(super::report_quarterly::QuarterlyArgs),
}

#[derive(Args, Debug)]
pub struct Bieu06Args {
    /// Period: `2022-Q3`, `2022-H1`, `2022-Y` or `2022-09` (official cut-off 15th → 14th
    /// unless --calendar). Not needed with --from/--to.
    #[arg(long)]
    pub period: Option<String>,
    /// Calendar month/quarter/half/year instead of the official cut-off.
    #[arg(long)]
    pub calendar: bool,
    /// First day of a range (YYYY-MM-DD), with --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day of a range (YYYY-MM-DD, inclusive), with --from.
    #[arg(long)]
    pub to: Option<String>,
    /// Reporting unit code (default: the root unit).
    #[arg(long)]
    pub unit: Option<String>,
    /// `field` (per lĩnh vực) or `unit` (per unit directly under the reporting unit).
    #[arg(long, default_value = "field")]
    pub rows: String,
    /// `json` (standard output unless --out) or `xlsx` (a file).
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Output file (xlsx default: bieu-06_<unit>_<period>.xlsx in the current folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(config: Config, command: ReportCommand) -> ExitCode {
    match command {
        ReportCommand::Bieu06(args) => match bieu06(&config, args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => super::fail(&e),
        },
        ReportCommand::Quarterly(args) => super::report_quarterly::run(config, args).await,
    }
}

fn write_error(path: &std::path::Path, e: &std::io::Error) -> Error {
    Error::new(
        motcua_domain::ErrorKind::Internal,
        "file_write_failed",
        format!("Không ghi được tệp {}: {e}", path.display()),
    )
}

async fn bieu06(config: &Config, args: Bieu06Args) -> Result<(), Error> {
    let q = Bieu06Query {
        period: args.period,
        calendar: Some(args.calendar),
        from: args.from,
        to: args.to,
        unit: args.unit,
        rows: Some(args.rows),
        format: Some(args.format),
    };
    // Check the input before opening the database.
    let xlsx = q.xlsx()?;
    q.period()?;
    q.rows()?;
    let store = super::open_store(config).await?;
    let built = bieu06_for(&store.scoped(Scope::All), &q).await;
    store.close().await;
    let (b, receiving) = built?;
    if xlsx {
        let (bytes, name) = xlsx_file(&b, &receiving)?;
        let out = args.out.unwrap_or_else(|| PathBuf::from(name));
        std::fs::write(&out, bytes).map_err(|e| write_error(&out, &e))?;
        eprintln!(
            "Đã ghi Biểu 06 ({}, {}) vào {}.",
            b.period.label,
            b.unit_name,
            out.display()
        );
        return Ok(());
    }
    let json = serde_json::to_string_pretty(&Bieu06Out::new(&b, receiving))
        .map_err(|_| Error::internal())?;
    match args.out {
        Some(out) => {
            std::fs::write(&out, json + "\n").map_err(|e| write_error(&out, &e))?;
            eprintln!("Đã ghi Biểu 06 vào {}.", out.display());
        }
        None => println!("{json}"),
    }
    Ok(())
}
