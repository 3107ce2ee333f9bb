//! Settings: defaults, then the config file, then environment and flags.

use std::path::Path;

use motcua_domain::Error;
use motcua_server::Config;

pub fn load(file: Option<&Path>, database_url: Option<String>) -> Result<Config, Error> {
    let mut config = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::bad_request(
                    "config_unreadable",
                    format!("Không đọc được tệp cấu hình {}: {e}", path.display()),
                )
            })?;
            toml::from_str::<Config>(&text).map_err(|e| {
                Error::bad_request(
                    "config_invalid",
                    format!("Tệp cấu hình {} không hợp lệ: {e}", path.display()),
                )
            })?
        }
        None => Config::default(),
    };
    if let Some(url) = database_url.filter(|u| !u.is_empty()) {
        config.database_url = url;
    }
    config.validate()?;
    Ok(config)
}
