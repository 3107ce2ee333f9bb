//! The working calendar of the running service: holiday rules and office hours from the
//! settings (`[calendar]`), announced exceptions from the database.
//!
//! The calendar is built once (about 7 ms in a release build for 1900–2199) and shared as an
//! `Arc`, so a deadline computation only clones a pointer under a read lock. After every
//! exception change made through this instance the calendar is rebuilt from the database, so
//! deadlines computed afterwards use it; deadlines already issued are stored values and do not
//! move. Other instances sharing the database pick the change up on their next housekeeping
//! tick (every few minutes), when they compare the stored exceptions with the ones they use.

use std::sync::{Arc, RwLock};

use motcua_calendar::{
    CalendarError, Exception, HolidayRules, OfficeHours, WorkingCalendar, YearSchedule,
    year_schedule,
};
use motcua_domain::calendar::calendar_error;
use motcua_domain::{Error, ErrorKind, Result};
use motcua_store::Store;

use crate::config::CalendarConfig;

/// One built calendar and the exceptions it was built from.
#[derive(Debug)]
pub struct CalendarSnapshot {
    calendar: WorkingCalendar,
    rules: HolidayRules,
    exceptions: Vec<Exception>,
}

impl CalendarSnapshot {
    /// Builds the calendar for the whole supported range (CPU-bound: call it off the async
    /// workers, e.g. in `spawn_blocking`).
    pub fn build(config: &CalendarConfig, exceptions: Vec<Exception>) -> Result<Self> {
        let office_hours = OfficeHours::new(config.office_hours.clone()).map_err(config_error)?;
        let calendar = WorkingCalendar::new(&config.holiday_rules, &exceptions, office_hours)
            .map_err(config_error)?;
        Ok(CalendarSnapshot {
            calendar,
            rules: config.holiday_rules.clone(),
            exceptions,
        })
    }

    /// The working calendar: deadlines, working days, working time between instants.
    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// The announced exceptions in effect (date order).
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    /// Days off and worked weekend days of a year.
    pub fn schedule(&self, year: i32) -> Result<YearSchedule> {
        year_schedule(year, &self.rules, &self.exceptions).map_err(|e| calendar_error(&e))
    }
}

/// A calendar that cannot be built is a settings problem, not a caller's mistake.
fn config_error(e: CalendarError) -> Error {
    tracing::error!(error = %e, "calendar settings are invalid");
    Error::new(
        ErrorKind::Internal,
        "calendar_config_invalid",
        format!("Cấu hình lịch làm việc không hợp lệ: {}", e.message()),
    )
}

/// Holds the current calendar and rebuilds it when exceptions change.
pub struct CalendarService {
    config: CalendarConfig,
    current: RwLock<Option<Arc<CalendarSnapshot>>>,
    /// Serialises rebuilds: each reads the database after taking it, so the last rebuild to
    /// finish has seen every committed change and a slow, older rebuild cannot win.
    rebuilding: tokio::sync::Mutex<()>,
}

impl CalendarService {
    pub fn new(config: CalendarConfig) -> Self {
        CalendarService {
            config,
            current: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    fn cached(&self) -> Option<Arc<CalendarSnapshot>> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The current calendar, built from the database on first use.
    pub async fn current(&self, store: &Store) -> Result<Arc<CalendarSnapshot>> {
        if let Some(snapshot) = self.cached() {
            return Ok(snapshot);
        }
        let _guard = self.rebuilding.lock().await;
        // Another request may have built it while this one waited.
        if let Some(snapshot) = self.cached() {
            return Ok(snapshot);
        }
        self.rebuild_locked(store).await
    }

    /// Rebuilds from the database; call after every exception change.
    pub async fn rebuild(&self, store: &Store) -> Result<Arc<CalendarSnapshot>> {
        let _guard = self.rebuilding.lock().await;
        self.rebuild_locked(store).await
    }

    /// Rebuilds only when the stored exceptions differ from the ones in use (changes made
    /// by another instance sharing the database).
    pub async fn refresh(&self, store: &Store) -> Result<bool> {
        let _guard = self.rebuilding.lock().await;
        let stored = load_exceptions(store).await?;
        if self
            .cached()
            .is_some_and(|current| current.exceptions == stored)
        {
            return Ok(false);
        }
        self.install(stored).await?;
        Ok(true)
    }

    async fn rebuild_locked(&self, store: &Store) -> Result<Arc<CalendarSnapshot>> {
        let exceptions = load_exceptions(store).await?;
        self.install(exceptions).await
    }

    async fn install(&self, exceptions: Vec<Exception>) -> Result<Arc<CalendarSnapshot>> {
        let config = self.config.clone();
        let started = std::time::Instant::now();
        let snapshot =
            tokio::task::spawn_blocking(move || CalendarSnapshot::build(&config, exceptions))
                .await
                .map_err(|_| Error::internal())??;
        let snapshot = Arc::new(snapshot);
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(snapshot.clone());
        tracing::info!(
            exceptions = snapshot.exceptions.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "working calendar built"
        );
        Ok(snapshot)
    }
}

async fn load_exceptions(store: &Store) -> Result<Vec<Exception>> {
    Ok(store
        .calendar_exceptions(None)
        .await?
        .into_iter()
        .map(|s| s.exception)
        .collect())
}
