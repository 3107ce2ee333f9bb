//! Settings of a running server. `motcua print-default-config` prints them as TOML; every
//! setting can come from the file (`--config`), and the common ones from flags or environment.

use motcua_calendar::{HolidayRules, OfficeHours, OfficePeriod};
use motcua_domain::dossier::{PortalStatusMap, RuleBook, RuleSet};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the web UI and API listen on.
    pub listen: String,
    /// `sqlite:PATH` (default, embedded) or `postgres://user@host:port/db`.
    pub database_url: String,
    /// Where attachments and the embedded database live.
    pub data_dir: String,
    /// Prometheus metrics listener, e.g. `127.0.0.1:9464`; off when empty.
    pub metrics_listen: Option<String>,
    /// Public address of the service as users reach it; `https://…` turns on Secure cookies.
    pub public_url: Option<String>,
    /// Trust `X-Forwarded-Proto` from a reverse proxy to decide whether the request used TLS.
    pub trust_forwarded_proto: bool,
    /// `text` or `json` log lines.
    pub log_format: String,
    pub auth: AuthConfig,
    pub limits: LimitsConfig,
    pub organisation: OrganisationConfig,
    pub calendar: CalendarConfig,
    /// Internal status → the national portal's TrangThaiHoSo code (1–10), as data (issue 4
    /// item 7; docs/one-stop.md "Portal status"). Missing keys keep the default.
    pub portal_status: PortalStatusMap,
    /// Dated rule sets beside the built-in `mac-dinh` (docs/one-stop.md "Rule set"): intake
    /// uses the set in force on the receiving date, later actions the set a dossier was
    /// stamped with, so keep every set dossiers were received under.
    pub rule_sets: Vec<RuleSet>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of a web session (sign-in through the login page).
    pub session_minutes: i64,
    /// Lifetime of an API token from `POST /api/v1/auth/token`.
    pub token_minutes: i64,
    /// Failed sign-ins for one username within the window before further tries are refused.
    pub max_failures: i64,
    pub failure_window_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest request body accepted, in bytes (JSON and forms).
    pub max_body_bytes: usize,
    /// Largest dossier attachment, in bytes (the upload route's body limit).
    pub max_attachment_bytes: usize,
}

/// The ministry root created on first start when the database has no units.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganisationConfig {
    pub root_code: String,
    pub root_name: String,
    pub root_short_name: String,
}

/// The working calendar: office hours and statutory holidays. Announced exceptions (Tết days,
/// swaps) are data in the database, changed through the API, the web page or the CLI.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarConfig {
    /// Office periods of every working day, `HH:MM`, in order and not overlapping.
    /// Default 08:00–12:00 and 13:00–17:00 (8 working hours a day).
    pub office_hours: Vec<OfficePeriod>,
    /// Statutory holidays and compensatory days (default: Bộ luật Lao động 2019, Điều 111–112).
    pub holiday_rules: HolidayRules,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            office_hours: OfficeHours::default().periods,
            holiday_rules: HolidayRules::default(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite:motcua-data/motcua.db".into(),
            data_dir: "motcua-data".into(),
            metrics_listen: None,
            public_url: None,
            trust_forwarded_proto: false,
            log_format: "text".into(),
            auth: AuthConfig::default(),
            limits: LimitsConfig::default(),
            organisation: OrganisationConfig::default(),
            calendar: CalendarConfig::default(),
            portal_status: PortalStatusMap::default(),
            rule_sets: Vec::new(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_minutes: 12 * 60,
            token_minutes: 8 * 60,
            max_failures: 5,
            failure_window_minutes: 15,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_body_bytes: 1024 * 1024,
            max_attachment_bytes: motcua_domain::attachment::DEFAULT_MAX_BYTES,
        }
    }
}

impl Default for OrganisationConfig {
    fn default() -> Self {
        OrganisationConfig {
            root_code: "000.00.00.G00".into(),
            root_name: "Bộ (đổi tên trong trang Đơn vị)".into(),
            root_short_name: "Bộ".into(),
        }
    }
}

impl Config {
    /// Checks what the types alone do not: every portal code is 1–10, every rule set is valid,
    /// their names and dates are unique, and portal codes are set only in `[portal_status]`.
    pub fn validate(&self) -> motcua_domain::Result<()> {
        self.portal_status.validate()?;
        self.rule_book().map(|_| ())
    }

    /// The rule book of this configuration (the built-in set and `rule_sets`). Portal codes
    /// are read from `[portal_status]` alone (`AppState::portal_status`), so a rule set may not
    /// set its own.
    pub fn rule_book(&self) -> motcua_domain::Result<RuleBook> {
        if let Some(set) = self
            .rule_sets
            .iter()
            .find(|s| s.portal_status != PortalStatusMap::default())
        {
            return Err(motcua_domain::Error::invalid(
                "portal_status_in_rule_set",
                format!(
                    "Bộ quy tắc \"{}\" không đặt mã trạng thái Cổng DVCQG; hãy đặt trong mục [portal_status].",
                    set.name
                ),
            ));
        }
        RuleBook::new(self.rule_sets.clone())
    }

    /// Whether cookies must carry `Secure` for this request.
    pub fn secure_cookies(&self, forwarded_proto: Option<&str>) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
            || (self.trust_forwarded_proto && forwarded_proto == Some("https"))
    }
}
