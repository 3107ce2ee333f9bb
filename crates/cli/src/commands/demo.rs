//! `motcua demo`: builds the demo ministry (with a progress bar on stderr) in the configured
//! database — the same one `serve` and `report` use — prints the sign-in details and serves
//! it. Run again, it finds the demo and serves it; `--reset` erases the database first
//! (refused on a database that is not a demo unless `--force` is given too).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use motcua_demo::{Existing, Options, Progress};
use motcua_domain::dossier::RuleSet;
use motcua_domain::text::vn_number;
use motcua_domain::{Error, ErrorKind};
use motcua_server::Config;
use motcua_server::calendar::CalendarService;

#[derive(Args)]
pub struct DemoArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "MOTCUA_LISTEN")]
    listen: Option<String>,
    /// Prometheus metrics listener, e.g. 127.0.0.1:9464 (off by default).
    #[arg(long, env = "MOTCUA_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Log line format: text or json.
    #[arg(long, env = "MOTCUA_LOG_FORMAT")]
    log_format: Option<String>,
    /// Erase this database's data and build the demo again.
    #[arg(long)]
    reset: bool,
    /// With --reset: erase the database even if it does not hold a demo.
    #[arg(long, requires = "reset")]
    force: bool,
    /// Build (or find) the demo, print the sign-in details and exit without serving.
    #[arg(long)]
    no_serve: bool,
    /// Seed of the generator: the same seed builds the same data.
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// Fraction of the full dossier volume, for quick tries and tests (the source report's
    /// figures are exact only at 1).
    #[arg(long, default_value_t = 1.0, hide = true)]
    scale: f64,
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:28} [{bar:40}] {human_pos}/{human_len} ({elapsed}, còn {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar { bar }
    }
}

impl Progress for Bar {
    fn stage(&self, label: &str, total: u64) {
        self.bar.set_message(label.to_string());
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}

pub async fn run(mut config: Config, args: DemoArgs) -> ExitCode {
    if let Some(listen) = args.listen.clone() {
        config.listen = listen;
    }
    if let Some(m) = args.metrics_listen.clone() {
        config.metrics_listen = Some(m);
    }
    if let Some(f) = args.log_format.clone() {
        config.log_format = f;
    }
    super::serve::init_logging(&config.log_format);
    let url = redact(&config.database_url);
    if let Err(e) = prepare(&config, &args, &url).await {
        return super::fail(&e);
    }
    print_sign_in();
    if args.no_serve {
        return ExitCode::SUCCESS;
    }
    super::serve::start(config).await
}

/// Resets if asked, then builds the demo unless the database already holds one.
async fn prepare(config: &Config, args: &DemoArgs, url: &str) -> Result<(), Error> {
    if args.reset {
        let store = super::open_store(config).await?;
        let existing = motcua_demo::existing(&store).await?;
        store.close().await;
        if existing == Existing::Other && !args.force {
            return Err(Error::bad_request(
                "demo_reset_not_demo",
                format!(
                    "Cơ sở dữ liệu {url} có dữ liệu không phải bộ dữ liệu mẫu; không xóa. Thêm --force nếu thật sự muốn xóa toàn bộ dữ liệu."
                ),
            ));
        }
        motcua_store::erase_database(&config.database_url).await?;
        eprintln!("Đã xóa dữ liệu của {url}.");
    }
    let store = super::open_store(config).await?;
    match motcua_demo::existing(&store).await? {
        Existing::Demo => {
            println!(
                "Bộ dữ liệu mẫu đã có trong {url} ({} hồ sơ); dùng --reset để dựng lại.",
                vn_number(store.dossier_count().await?)
            );
            store.close().await;
            return Ok(());
        }
        Existing::Unfinished => {
            store.close().await;
            return Err(Error::conflict(
                "demo_unfinished",
                "Lần dựng bộ dữ liệu mẫu trước chưa xong; chạy lại với --reset.",
            ));
        }
        Existing::Other => {
            store.close().await;
            return Err(Error::conflict(
                "demo_database_not_empty",
                format!(
                    "Cơ sở dữ liệu {url} đã có dữ liệu khác; dùng --database-url trỏ tới cơ sở dữ liệu khác, hoặc --reset --force để xóa."
                ),
            ));
        }
        Existing::Empty => {}
    }
    let started = Instant::now();
    let calendar = CalendarService::new(config.calendar.clone())
        .current(&store)
        .await?;
    let hash =
        motcua_server::password::hash_async(motcua_demo::people::PASSWORD.to_string()).await?;
    let options = Options {
        seed: args.seed,
        scale: args.scale,
        ..Options::default()
    };
    if !(options.scale > 0.0 && options.scale <= 1.0) {
        return Err(Error::bad_request(
            "demo_scale_invalid",
            "--scale phải trong khoảng (0, 1].",
        ));
    }
    eprintln!("Đang dựng bộ dữ liệu mẫu (Bộ Quốc phòng, năm 2022) trong {url}…");
    let bar = Bar::new();
    let summary = motcua_demo::build(
        &store,
        &super::cli_actor(),
        super::now(),
        calendar.calendar(),
        &RuleSet::default(),
        &hash,
        &options,
        &bar,
    )
    .await;
    bar.bar.finish_and_clear();
    store.close().await;
    let summary = summary?;
    let f = summary.figures;
    println!(
        "Đã dựng bộ dữ liệu mẫu trong {} giây: {} đơn vị, {} thủ tục, {} người dùng, {} hồ sơ ({} sự kiện).",
        // Vietnamese decimal comma: "53,7 giây"
        format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ","),
        vn_number(summary.units as i64),
        vn_number(summary.procedures as i64),
        vn_number(summary.users as i64),
        vn_number(summary.dossiers as i64),
        vn_number(summary.events as i64),
    );
    println!(
        "Quý III/2022 (15/6 – 14/9/2022): tiếp nhận {} hồ sơ ({} trực tuyến), giải quyết {} hồ sơ, quá hạn {}.",
        vn_number(f.received as i64),
        vn_number(f.received_online as i64),
        vn_number(f.resolved as i64),
        vn_number(f.resolved_late as i64),
    );
    if summary.figures.resolved_late != 0 {
        return Err(Error::new(
            ErrorKind::Internal,
            "demo_plan_missed",
            "Có hồ sơ quá hạn trong Quý III.",
        ));
    }
    Ok(())
}

fn print_sign_in() {
    println!();
    println!(
        "Đăng nhập (mật khẩu chung: {}):",
        motcua_demo::people::PASSWORD
    );
    println!("{:<24} {:<28} Đơn vị", "Tên đăng nhập", "Vai trò");
    for u in motcua_demo::people::users() {
        println!("{:<24} {:<28} {}", u.username, u.role.label(), u.unit_name);
    }
    println!();
}

/// The database URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _password)) => format!("{scheme}://{name}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
