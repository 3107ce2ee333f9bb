//! `motcua calendar …`: lunar ↔ solar conversion, a year's days off, deadlines, and the
//! announced exceptions (audited, actor `cli:<user>`).
//!
//! `lunar` and `solar` need no database. `year`, `deadline` and `exception list` read the
//! exceptions from the configured database; when that is a SQLite file that does not exist
//! yet they use the exceptions shipped with the software and create nothing (a read-only
//! command should not leave a database behind). `exception add|remove` open (and create)
//! the database like every other writing command.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use motcua_calendar::{CHINA_TZ, Exception, LunarDate, LunarTable, VIETNAM_TZ, shipped_exceptions};
use motcua_domain::calendar::{self, ExceptionInput};
use motcua_domain::{Error, Result};
use motcua_server::Config;
use motcua_server::api::calendar::{ExceptionOut, YearScheduleOut};
use motcua_server::calendar::CalendarSnapshot;
use motcua_store::{ExceptionSource, StoredException};
use serde::Serialize;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Solar → lunar: `--solar 1985-01-21` → lunar 1/1 Ất Sửu.
    Lunar {
        /// Solar date, YYYY-MM-DD.
        #[arg(long)]
        solar: String,
        /// Time zone in hours east of UTC: 7 for Vietnam, 8 gives the Chinese calendar.
        #[arg(long, default_value_t = VIETNAM_TZ, allow_negative_numbers = true)]
        tz: i8,
    },
    /// Lunar → solar: `--lunar 2025-03-10` → 2025-04-07.
    Solar {
        /// Lunar date, YYYY-MM-DD (year of Tết, month 1–12, day 1–30).
        #[arg(long)]
        lunar: String,
        /// The leap month of that number (tháng nhuận).
        #[arg(long)]
        leap: bool,
        #[arg(long, default_value_t = VIETNAM_TZ, allow_negative_numbers = true)]
        tz: i8,
    },
    /// Weekdays off and worked weekend days of a year.
    Year {
        #[arg(long)]
        year: i32,
    },
    /// When a budget of working time, counted from an instant, runs out.
    Deadline(DeadlineArgs),
    /// Announced exceptions: list, add, remove.
    Exception {
        #[command(subcommand)]
        command: ExceptionCommand,
    },
}

#[derive(Args)]
pub struct DeadlineArgs {
    /// Received at, RFC 3339, e.g. 2025-01-24T10:00:00+07:00.
    #[arg(long)]
    from: String,
    #[command(flatten)]
    budget: Budget,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Budget {
    /// Working days (8 working hours each with the default office hours).
    #[arg(long, allow_negative_numbers = true)]
    working_days: Option<i64>,
    #[arg(long, allow_negative_numbers = true)]
    working_hours: Option<i64>,
    #[arg(long, allow_negative_numbers = true)]
    working_minutes: Option<i64>,
}

#[derive(Subcommand)]
pub enum ExceptionCommand {
    /// The announced exceptions in effect, in date order.
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Announce a day off or a worked day (one per date).
    Add {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[arg(long, value_parser = ["day_off", "working_day"])]
        kind: String,
        /// Vietnamese name shown to people, e.g. "Nghỉ Tết Âm lịch Đinh Mùi".
        #[arg(long)]
        name: String,
        /// The announcement, e.g. "Thông báo 9441/TB-BNV".
        #[arg(long)]
        legal_ref: Option<String>,
        /// The yearly holiday this announcement fixes (its default days are then dropped).
        #[arg(long, value_parser = ["tet_nguyen_dan", "quoc_khanh_adjacent"])]
        covers: Option<String>,
    },
    /// Remove the exception of a date.
    Remove {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
    },
}

#[derive(Serialize)]
struct LunarOut {
    solar: String,
    lunar_year: i32,
    lunar_month: u8,
    lunar_day: u8,
    leap_month: bool,
    year_name: String,
}

#[derive(Serialize)]
struct SolarOut {
    solar: String,
}

#[derive(Serialize)]
struct DeadlineOut {
    received_at: String,
    counted_from: String,
    due_at: String,
}

pub async fn run(config: Config, command: CalendarCommand) -> ExitCode {
    let result = match command {
        CalendarCommand::Lunar { solar, tz } => lunar(&solar, tz).and_then(|o| json(&o)),
        CalendarCommand::Solar { lunar, leap, tz } => {
            solar(&lunar, leap, tz).and_then(|o| json(&o))
        }
        CalendarCommand::Year { year } => year_schedule(&config, year).await,
        CalendarCommand::Deadline(args) => deadline(&config, &args).await,
        CalendarCommand::Exception { command } => exception(&config, command).await,
    };
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(&e),
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|_| Error::internal())
}

fn table(tz: i8) -> Result<std::borrow::Cow<'static, LunarTable>> {
    use std::borrow::Cow;
    match tz {
        VIETNAM_TZ => Ok(Cow::Borrowed(LunarTable::vietnam())),
        CHINA_TZ => Ok(Cow::Borrowed(LunarTable::china())),
        other => LunarTable::new(other)
            .map(Cow::Owned)
            .map_err(|e| calendar::calendar_error(&e)),
    }
}

fn lunar(solar: &str, tz: i8) -> Result<LunarOut> {
    let date = calendar::parse_date("solar", solar)?;
    let table = table(tz)?;
    let l = table
        .to_lunar(date)
        .map_err(|e| calendar::calendar_error(&e))?;
    Ok(LunarOut {
        solar: calendar::iso_date(date),
        lunar_year: l.year,
        lunar_month: l.month,
        lunar_day: l.day,
        leap_month: l.leap,
        year_name: l.year_name(),
    })
}

/// `YYYY-MM-DD` of the lunar calendar; day 30 is allowed here and checked by the table.
fn parse_lunar(value: &str, leap: bool) -> Result<LunarDate> {
    let invalid = || {
        Error::bad_request(
            "invalid_lunar_date",
            format!("Ngày âm lịch \"{value}\" không đúng định dạng YYYY-MM-DD (ví dụ 2025-03-10)."),
        )
    };
    let mut parts = value.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    Ok(LunarDate::new(
        y.parse().map_err(|_| invalid())?,
        m.parse().map_err(|_| invalid())?,
        d.parse().map_err(|_| invalid())?,
        leap,
    ))
}

fn solar(lunar: &str, leap: bool, tz: i8) -> Result<SolarOut> {
    let date = parse_lunar(lunar, leap)?;
    let solar = table(tz)?
        .to_solar(date)
        .map_err(|e| calendar::calendar_error(&e))?;
    Ok(SolarOut {
        solar: calendar::iso_date(solar),
    })
}

/// The path of the configured SQLite database when its file does not exist yet.
fn missing_sqlite_file(config: &Config) -> Option<&str> {
    let url = config.database_url.as_str();
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .filter(|path| !std::path::Path::new(path).exists())
}

/// The stored exceptions (all, or one year's): from the database, or the shipped ones —
/// exactly what a new database would be seeded with — when the configured SQLite file does
/// not exist (nothing is created).
async fn stored_exceptions(config: &Config, year: Option<i32>) -> Result<Vec<StoredException>> {
    if let Some(path) = missing_sqlite_file(config) {
        eprintln!(
            "Chưa có cơ sở dữ liệu {path}: dùng lịch nghỉ công bố kèm theo phần mềm (không tạo cơ sở dữ liệu)."
        );
        let mut shipped: Vec<StoredException> = shipped_exceptions()
            .into_iter()
            .filter(|e| year.is_none_or(|y| e.date.year() == y))
            .map(|exception| StoredException {
                exception,
                source: ExceptionSource::Shipped,
                created_at: None,
                created_by: "system".into(),
            })
            .collect();
        shipped.sort_by_key(|s| s.exception.date);
        return Ok(shipped);
    }
    let store = super::open_store(config).await?;
    let stored = store.calendar_exceptions(year).await;
    store.close().await;
    stored
}

async fn exceptions_in_effect(config: &Config) -> Result<Vec<Exception>> {
    Ok(stored_exceptions(config, None)
        .await?
        .into_iter()
        .map(|s| s.exception)
        .collect())
}

async fn snapshot(config: &Config) -> Result<CalendarSnapshot> {
    let exceptions = exceptions_in_effect(config).await?;
    CalendarSnapshot::build(&config.calendar, exceptions)
}

async fn year_schedule(config: &Config, year: i32) -> Result<String> {
    calendar::check_year(year)?;
    let schedule = snapshot(config).await?.schedule(year)?;
    json(&YearScheduleOut::from(schedule))
}

async fn deadline(config: &Config, args: &DeadlineArgs) -> Result<String> {
    let from = calendar::parse_instant("from", &args.from)?;
    let snapshot = snapshot(config).await?;
    let working = snapshot.calendar();
    let minutes = calendar::budget_minutes(
        args.budget.working_days,
        args.budget.working_hours,
        args.budget.working_minutes,
        working.minutes_per_day(),
    )?;
    let d = working
        .deadline(from, minutes)
        .map_err(|e| calendar::calendar_error(&e))?;
    json(&DeadlineOut {
        received_at: motcua_server::api::vn_time(d.received_at),
        counted_from: motcua_server::api::vn_time(d.counted_from),
        due_at: motcua_server::api::vn_time(d.due_at),
    })
}

async fn exception(config: &Config, command: ExceptionCommand) -> Result<String> {
    match command {
        ExceptionCommand::List { year } => {
            let year = year.map(calendar::check_year).transpose()?;
            let items: Vec<ExceptionOut> = stored_exceptions(config, year)
                .await?
                .into_iter()
                .map(ExceptionOut::from)
                .collect();
            json(&serde_json::json!({ "items": items }))
        }
        ExceptionCommand::Add {
            date,
            kind,
            name,
            legal_ref,
            covers,
        } => {
            let exception = calendar::parse_exception(
                &ExceptionInput {
                    date: &date,
                    kind: &kind,
                    name: &name,
                    legal_ref: legal_ref.as_deref(),
                    covers: covers.as_deref(),
                },
                &config.calendar.holiday_rules,
            )?;
            let store = super::open_store(config).await?;
            let result = store
                .add_calendar_exception(&super::cli_actor(), super::now(), &exception)
                .await;
            store.close().await;
            let stored = result?;
            eprintln!(
                "Đã thêm công bố ngày {}. Thời hạn tính từ nay dùng lịch mới; thời hạn đã cấp không đổi. \
                 Máy chủ đang chạy nhận thay đổi trong vài phút.",
                calendar::iso_date(stored.exception.date)
            );
            json(&ExceptionOut::from(stored))
        }
        ExceptionCommand::Remove { date } => {
            let date = calendar::parse_date("date", &date)?;
            let store = super::open_store(config).await?;
            let result = store
                .remove_calendar_exception(&super::cli_actor(), super::now(), date)
                .await;
            store.close().await;
            let removed = result?;
            eprintln!("Đã xoá công bố ngày {}.", calendar::iso_date(date));
            json(&ExceptionOut::from(removed))
        }
    }
}
