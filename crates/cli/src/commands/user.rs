use std::process::ExitCode;

use clap::Subcommand;
use motcua_domain::Error;
use motcua_domain::user::NewUser;
use motcua_server::{Config, password};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a person. The password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// Code of the person's unit.
        #[arg(long)]
        unit: String,
        /// admin, reform_office, leader, specialist, receiver, clerk, inspector (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a person's password (read from standard input); their sessions end.
    Passwd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn require_stdin(flag: bool) -> Result<String, Error> {
    if !flag {
        return Err(Error::bad_request(
            "password_stdin_required",
            "Hãy truyền mật khẩu qua đầu vào chuẩn với --password-stdin (không ghi mật khẩu trên dòng lệnh).",
        ));
    }
    super::read_password_stdin()
}

pub async fn run(config: Config, command: UserCommand) -> ExitCode {
    let result = match command {
        UserCommand::Add {
            username,
            full_name,
            unit,
            roles,
            password_stdin,
        } => {
            add(
                &config,
                &username,
                &full_name,
                &unit,
                &roles,
                password_stdin,
            )
            .await
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => passwd(&config, &username, password_stdin).await,
    };
    match result {
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(&e),
    }
}

async fn add(
    config: &Config,
    username: &str,
    full_name: &str,
    unit: &str,
    roles: &[String],
    password_stdin: bool,
) -> Result<serde_json::Value, Error> {
    let new = NewUser::parse(username, full_name, unit, roles)?;
    let password = require_stdin(password_stdin)?;
    let hash = password::hash_async(password).await?;
    let store = super::open_store(config).await?;
    let result = store
        .create_user(&super::cli_actor(), super::now(), &new, &hash)
        .await;
    store.close().await;
    let user = result?;
    eprintln!("Đã thêm người dùng {}.", user.username);
    Ok(serde_json::to_value(&user).unwrap_or_default())
}

async fn passwd(
    config: &Config,
    username: &str,
    password_stdin: bool,
) -> Result<serde_json::Value, Error> {
    let username = motcua_domain::user::parse_username(username)?;
    let password = require_stdin(password_stdin)?;
    let hash = password::hash_async(password).await?;
    let store = super::open_store(config).await?;
    let result = store
        .set_password(&super::cli_actor(), super::now(), &username, &hash)
        .await;
    store.close().await;
    result?;
    eprintln!("Đã đặt mật khẩu mới cho {username}; các phiên đăng nhập của người này đã kết thúc.");
    Ok(serde_json::json!({ "username": username, "password_changed": true }))
}
