//! Shared state of the running service.

use std::sync::Arc;

use motcua_domain::dossier::{PortalStatusMap, RuleBook, RuleSet};
use motcua_domain::scope::Scope;
use motcua_store::{ScopedStore, Store};
use time::OffsetDateTime;

use crate::calendar::{CalendarService, CalendarSnapshot};
use crate::clock::Clock;
use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: Config,
    /// Hash checked when a username does not exist, so both cases take the same time.
    dummy_hash: String,
    calendar: CalendarService,
    /// The rule sets dossiers are judged by (built-in and configured).
    rules: RuleBook,
    /// Per-client token buckets of the public dossier routes (this instance only).
    public_limiter: crate::api::dossiers::PublicRateLimiter,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Self {
        // Attachments live under the data directory (docs/operations.md, Backup).
        let store = store
            .with_blob_dir(std::path::Path::new(&config.data_dir).join("blobs"))
            .with_attachment_limit(config.limits.max_attachment_bytes);
        let dummy_hash = crate::password::hash("motcua-dummy-password").unwrap_or_default();
        AppState {
            inner: Arc::new(Inner {
                store,
                clock,
                calendar: CalendarService::new(config.calendar.clone()),
                public_limiter: Default::default(),
                // A configuration that fails its check is refused at start (settings); here an
                // invalid one falls back to the built-in rules rather than stop a test harness.
                rules: config.rule_book().unwrap_or_else(|e| {
                    tracing::error!(error = %e.message, "rule sets invalid; using the built-in set");
                    RuleBook::default()
                }),
                config,
                dummy_hash,
            }),
        }
    }

    /// The rule sets (docs/one-stop.md "Rule set"): intake picks the one in force on the
    /// receiving date, actions the one a dossier was stamped with.
    pub fn rule_book(&self) -> &RuleBook {
        &self.inner.rules
    }

    /// The rule set in force for something received at `t` (Vietnam date).
    pub fn rules_at(&self, t: OffsetDateTime) -> &RuleSet {
        let local = t
            .checked_to_offset(motcua_calendar::VIETNAM_OFFSET)
            .unwrap_or(t);
        self.inner.rules.in_force(local.date())
    }

    /// Internal status → the national portal's code (`[portal_status]`).
    pub fn portal_status(&self) -> &PortalStatusMap {
        &self.inner.config.portal_status
    }

    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The working calendar in effect (built from the database on first use). Deadlines are
    /// computed with `state.calendar().await?.calendar()`; the answer is a stored value for
    /// the caller, which later exception changes do not move.
    pub async fn calendar(&self) -> motcua_domain::Result<Arc<CalendarSnapshot>> {
        self.inner.calendar.current(&self.inner.store).await
    }

    /// Rebuilds the calendar after an exception change, so later deadlines use it.
    pub async fn calendar_changed(&self) -> motcua_domain::Result<Arc<CalendarSnapshot>> {
        self.inner.calendar.rebuild(&self.inner.store).await
    }

    /// Picks up exception changes made by other instances sharing the database.
    pub(crate) async fn refresh_calendar(&self) -> motcua_domain::Result<bool> {
        self.inner.calendar.refresh(&self.inner.store).await
    }

    pub(crate) fn public_limiter(&self) -> &crate::api::dossiers::PublicRateLimiter {
        &self.inner.public_limiter
    }

    pub(crate) fn dummy_hash(&self) -> &str {
        &self.inner.dummy_hash
    }

    /// The unscoped store: only for sign-in, sessions and health checks. Handlers get a
    /// [`ScopedStore`] through the `Ctx` extractors instead.
    pub(crate) fn unscoped_store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) async fn prune(
        &self,
        now: OffsetDateTime,
        keep_failures_since: OffsetDateTime,
    ) -> motcua_domain::Result<u64> {
        self.inner.store.prune(now, keep_failures_since).await
    }

    pub async fn close(&self) {
        self.inner.store.close().await;
    }

    pub(crate) fn scoped_store(&self, scope: Scope) -> ScopedStore {
        self.inner.store.scoped(scope)
    }
}
