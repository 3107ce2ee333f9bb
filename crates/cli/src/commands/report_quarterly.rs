//! `motcua report quarterly`: the quarterly administrative-reform report as DOCX or Markdown
//! (figures from Biểu 06 and the unit e-government facts; see docs/reports.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use motcua_domain::scope::Scope;
use motcua_server::Config;
use motcua_server::api::quarterly::{
    QuarterlyOptions, ReportFormat, build_report, parse_date, render,
};

#[derive(Args, Debug)]
pub struct QuarterlyArgs {
    /// Quarter, e.g. `2022-Q3` (official cut-off 15th → 14th unless --calendar).
    #[arg(long)]
    pub period: String,
    /// Calendar quarter (1/7 – 30/9) instead of the official cut-off.
    #[arg(long)]
    pub calendar: bool,
    /// Issuing unit code (default: the root unit).
    #[arg(long)]
    pub unit: Option<String>,
    /// `docx` or `md`.
    #[arg(long, default_value = "docx")]
    pub format: String,
    /// Output file (default: bao-cao-cchc-<period>-<unit>.<ext> in the current folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Document number, e.g. 3163 (blank for the clerk to fill in).
    #[arg(long)]
    pub number: Option<String>,
    /// Place in the date line (default Hà Nội).
    #[arg(long)]
    pub place: Option<String>,
    /// Signing date, YYYY-MM-DD (blank when absent).
    #[arg(long)]
    pub date: Option<String>,
    /// Signer's name.
    #[arg(long)]
    pub signer: Option<String>,
    /// Signing authority, lines separated by `|` (e.g. "KT. BỘ TRƯỞNG|THỨ TRƯỞNG").
    #[arg(long)]
    pub signer_title: Option<String>,
}

pub async fn run(config: Config, args: QuarterlyArgs) -> ExitCode {
    let format = match ReportFormat::parse(&args.format) {
        Ok(f) => f,
        Err(e) => return super::fail(&e),
    };
    let date = match args
        .date
        .as_deref()
        .map(|d| parse_date("date", d))
        .transpose()
    {
        Ok(d) => d,
        Err(e) => return super::fail(&e),
    };
    let store = match super::open_store(&config).await {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    let opts = QuarterlyOptions {
        period: args.period,
        calendar: args.calendar,
        unit: args.unit,
        number: args.number,
        place: args.place,
        date,
        signer_title: args.signer_title.map(|t| t.replace('|', "\n")),
        signer_name: args.signer,
    };
    let built = build_report(&store.scoped(Scope::All), &opts).await;
    store.close().await;
    let report = match built {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let (bytes, name) = match render(&report, format) {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let path = args.out.unwrap_or_else(|| PathBuf::from(name));
    if let Err(e) = std::fs::write(&path, &bytes) {
        eprintln!("lỗi: không ghi được tệp {}: {e}", path.display());
        return ExitCode::from(1);
    }
    println!(
        "{}",
        serde_json::json!({
            "file": path.display().to_string(),
            "bytes": bytes.len(),
            "period": report.quarter.spec(),
            "unit": report.header.issuer,
        })
    );
    eprintln!("Đã ghi {} ({}).", path.display(), report.summary);
    ExitCode::SUCCESS
}
