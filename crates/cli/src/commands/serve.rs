use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use motcua_server::{AppState, Config, SystemClock, bootstrap};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "MOTCUA_LISTEN")]
    listen: Option<String>,
    /// Prometheus metrics listener, e.g. 127.0.0.1:9464 (off by default).
    #[arg(long, env = "MOTCUA_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Log line format: text or json.
    #[arg(long, env = "MOTCUA_LOG_FORMAT")]
    log_format: Option<String>,
}

pub fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

pub async fn run(mut config: Config, args: ServeArgs) -> ExitCode {
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(m) = args.metrics_listen {
        config.metrics_listen = Some(m);
    }
    if let Some(f) = args.log_format {
        config.log_format = f;
    }
    init_logging(&config.log_format);
    start(config).await
}

/// Opens the database, creates first-start data, and serves until stopped.
pub async fn start(config: Config) -> ExitCode {
    let store = match super::open_store(&config).await {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    let admin_password = std::env::var("MOTCUA_ADMIN_PASSWORD").ok();
    match bootstrap::ensure_initial_data(&store, &config.organisation, admin_password, super::now())
        .await
    {
        Ok(done) => {
            if let Some(code) = done.root_created {
                eprintln!("Đã tạo đơn vị gốc {code}; đổi tên trong trang Đơn vị.");
            }
            match done.admin_created {
                Some((name, Some(password))) => {
                    println!("Tài khoản quản trị đầu tiên: {name} / mật khẩu: {password}");
                    println!("(Mật khẩu chỉ hiện một lần; hãy đổi sau khi đăng nhập.)");
                }
                Some((name, None)) => eprintln!(
                    "Đã tạo tài khoản quản trị {name} với mật khẩu từ MOTCUA_ADMIN_PASSWORD."
                ),
                None => {}
            }
        }
        Err(e) => return super::fail(&e),
    }
    let listener = match tokio::net::TcpListener::bind(&config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lỗi: không mở được địa chỉ {}: {e}", config.listen);
            return ExitCode::from(1);
        }
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| config.listen.clone(), |a| a.to_string());
    println!(
        "motcua đang chạy tại http://{address} (cơ sở dữ liệu: {})",
        store.engine().name()
    );
    let state = AppState::new(store, Arc::new(SystemClock), config);
    match motcua_server::serve(state, listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e}");
            ExitCode::from(1)
        }
    }
}
