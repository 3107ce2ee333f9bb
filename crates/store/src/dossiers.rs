//! Dossier storage: intake with the day's gap-free sequence, workflow actions with
//! compare-and-set, history, intake slips, the inbox and public tracking. The SQL is in
//! `dossiers_sql.rs` (compiled for both engines); the rules are the domain's
//! (`motcua_domain::dossier`). See docs/one-stop.md, "Storage and API".

use motcua_calendar::{VIETNAM_OFFSET, WorkingCalendar};
use motcua_domain::dossier::{
    Action, Actor, Applicant, Dossier, Event, Intake, RuleSource, Status,
};
use motcua_domain::procedure::Channel;
use motcua_domain::scope::Scope;
use motcua_domain::user::Role;
use motcua_domain::{Error, Result, text};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, PrimitiveDateTime, Time};

use crate::backend::{Backend, Page, Store};
use crate::scoped::{MAX_PAGE, ScopedStore};
use crate::to_micros;

/// Runs `$body` with `$e` naming the engine's `dossiers_sql` module and `$pool` its reader.
macro_rules! dossier_read {
    ($store:expr, $e:ident, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { reader: $pool, .. } => {
                use crate::sqlite::dossiers_sql as $e;
                $body
            }
            Backend::Postgres($pool) => {
                use crate::postgres::dossiers_sql as $e;
                $body
            }
        }
    };
}

/// Runs `$body` inside an audited write transaction `$w` and commits it if the body succeeds.
/// `late:` takes the audit chain's head only at commit on PostgreSQL (`WriteTx::begin_late`),
/// for writes that change the dossier by compare-and-set and need no other serialisation.
macro_rules! dossier_write {
    // `prefetch:` `Some` read the body starts with, run in the same call that opens SQLite's
    // group-commit turn (`WriteTx::begin_grouped_with`); PostgreSQL's body reads it itself.
    (late: $store:expr, $actor:expr, $now:expr, prefetch: $prefetch:expr, $e:ident, $w:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { group, .. } => {
                use crate::sqlite::dossiers_sql as $e;
                let mut $w = $e::WriteTx::begin_grouped_with(
                    group,
                    $actor,
                    to_micros($now),
                    $prefetch,
                )
                .await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                use crate::postgres::dossiers_sql as $e;
                let mut $w = $e::WriteTx::begin_late(pool, $actor, to_micros($now)).await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
        }
    };
    (late: $store:expr, $actor:expr, $now:expr, $e:ident, $w:ident => $body:expr) => {
        dossier_write!(late: $store, $actor, $now, prefetch: None, $e, $w => $body)
    };
    ($store:expr, $actor:expr, $now:expr, $e:ident, $w:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { group, .. } => {
                use crate::sqlite::dossiers_sql as $e;
                let mut $w = $e::WriteTx::begin_grouped(group, $actor, to_micros($now)).await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                use crate::postgres::dossiers_sql as $e;
                let mut $w = $e::WriteTx::begin(pool, $actor, to_micros($now)).await?;
                $w.procedures = Some($store.procedures.clone());
                let out = $body;
                $w.commit().await?;
                Ok(out)
            }
        }
    };
}

/// A stored dossier with what storage adds to the domain state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRecord {
    pub dossier: Dossier,
    /// Code of the unit expected to act next.
    pub acting_unit: String,
    /// Role expected to act next (`None` once final).
    pub waiting_role: Option<Role>,
    /// The applicant's satisfaction rating, once given.
    pub rating: Option<Rating>,
}

/// A satisfaction rating (kept for the service-quality index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub score: i64,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A registered dossier and the applicant's tracking key (shown once; only its hash is kept).
#[derive(Debug, Clone)]
pub struct Registered {
    pub dossier: Dossier,
    /// The applicant's tracking key, known only to the intake that registered the dossier;
    /// empty when `replayed`.
    pub tracking_key: String,
    /// True when an intake with the same key had already registered this dossier (a form
    /// posted twice): nothing new was written.
    pub replayed: bool,
}

/// Inbox filters (all optional).
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub procedure: Option<String>,
    /// Field (lĩnh vực) code.
    pub field: Option<String>,
    pub status: Option<Status>,
    pub channel: Option<Channel>,
    /// Received at or after.
    pub received_from: Option<OffsetDateTime>,
    /// Received before.
    pub received_to: Option<OffsetDateTime>,
    /// Words of the code or the applicant's name; diacritics and case are ignored.
    pub query: Option<String>,
    /// Keyset cursor from the previous page's `next`.
    pub after: Option<String>,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub code: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub field_code: String,
    pub owner_unit: String,
    pub acting_unit: String,
    pub channel: Channel,
    pub status: Status,
    pub current_step: u32,
    pub waiting_role: Option<Role>,
    pub assignee: Option<String>,
    pub applicant_name: String,
    pub received_at: OffsetDateTime,
    pub legal_due_at: OffsetDateTime,
    pub appointment_at: OffsetDateTime,
    pub version: i64,
}

/// Inbox counters over dossiers whose clock runs (received or processing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct InboxCounters {
    /// Dossiers in the inbox whose clock runs.
    pub running: i64,
    /// Legal due instant already passed.
    pub overdue: i64,
    /// Due later today (Vietnam date).
    pub due_today: i64,
    /// Due within two working days from now (today's included).
    pub due_within_two_working_days: i64,
}

/// Which slip was issued instead of registering a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlipKind {
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02, TT 01/2018).
    RequestToComplete,
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
}

impl SlipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SlipKind::RequestToComplete => "request_to_complete",
            SlipKind::Refusal => "refusal",
        }
    }

    pub fn parse(s: &str) -> Option<SlipKind> {
        match s {
            "request_to_complete" => Some(SlipKind::RequestToComplete),
            "refusal" => Some(SlipKind::Refusal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SlipKind::RequestToComplete => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            SlipKind::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        }
    }
}

/// A slip to record: the missing documents (request to complete, from `checklist_incomplete`'s
/// `details.missing`) or the reasons (refusal) go in `items`.
#[derive(Debug, Clone)]
pub struct NewIntakeSlip {
    pub kind: SlipKind,
    pub procedure_code: String,
    pub channel: Channel,
    pub applicant: motcua_domain::dossier::NewApplicant,
    pub items: serde_json::Value,
    pub note: Option<String>,
}

/// A recorded intake slip, printable later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSlip {
    pub id: i64,
    /// Per unit and kind: 1, 2, 3, …
    pub number: i64,
    pub kind: SlipKind,
    pub unit_code: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub procedure_name: String,
    pub channel: Channel,
    pub applicant: Applicant,
    pub items: serde_json::Value,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

pub(crate) fn dossier_not_found() -> Error {
    Error::not_found("dossier_not_found", "Không tìm thấy hồ sơ.")
}

/// 160 random bits as 32 characters of an unambiguous alphabet (no 0/O, 1/I), easy to read
/// off a slip or a QR code.
pub(crate) fn new_tracking_key() -> String {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let bytes: [u8; 20] = rand::random();
    // 20 bytes = 160 bits = 32 groups of 5 bits.
    let mut bits: u64 = 0;
    let mut n = 0;
    let mut out = String::with_capacity(32);
    for b in bytes {
        bits = (bits << 8) | u64::from(b);
        n += 8;
        while n >= 5 {
            n -= 5;
            out.push(char::from(ALPHABET[((bits >> n) & 31) as usize]));
        }
    }
    out
}

/// What is stored for a tracking key: SHA-256 (hex) of its normalised form (upper case,
/// spaces and dashes dropped, as people type it back).
pub(crate) fn hash_key(key: &str) -> String {
    let normal: String = key
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Compares two hashes without stopping at the first difference.
pub(crate) fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cursor_of(item: &InboxItem) -> String {
    format!("{}_{}", to_micros(item.legal_due_at), item.code)
}

fn parse_cursor(cursor: &str) -> Result<(i64, String)> {
    cursor
        .split_once('_')
        .and_then(|(due, code)| Some((due.parse().ok()?, code.to_string())))
        .ok_or_else(|| {
            Error::bad_request(
                "cursor_invalid",
                "Con trỏ phân trang không hợp lệ; hãy dùng giá trị next của trang trước.",
            )
        })
}

impl Store {
    /// Registers a complete dossier received by `actor` (see [`ScopedStore::register_dossier`]).
    /// With an `intake_key`, a second intake by the same person with the same key returns the
    /// dossier the first one registered (`replayed`) instead of registering another.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_dossier(
        &self,
        scope: &Scope,
        actor: &str,
        now: OffsetDateTime,
        intake: Intake,
        intake_key: Option<&str>,
        calendar: &WorkingCalendar,
        rules: &dyn RuleSource,
    ) -> Result<Registered> {
        let (dossier, tracking_key) = dossier_write!(self, actor, now, e, w =>
            e::register(&mut w, scope, actor, intake, intake_key, calendar, rules).await?)?;
        Ok(Registered {
            dossier,
            replayed: tracking_key.is_none(),
            tracking_key: tracking_key.unwrap_or_default(),
        })
    }

    /// Applies a workflow action (see [`ScopedStore::apply_action`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_action(
        &self,
        scope: &Scope,
        actor: &Actor,
        now: OffsetDateTime,
        code: &str,
        seen_version: i64,
        action: &Action,
        calendar: &WorkingCalendar,
        rules: &dyn RuleSource,
    ) -> Result<DossierRecord> {
        // Compare-and-set on the dossier's version: concurrent actions on one dossier cannot
        // both pass, so the chain's head is taken only at commit (PostgreSQL).
        dossier_write!(late: self, &actor.username, now,
            prefetch: Some(crate::sqlite::dossiers_sql::load_statement(code)), e, w =>
            e::apply_action(&mut w, scope, actor, code, seen_version, action, calendar, rules).await?)
    }

    /// A dossier and its history for the holder of its tracking key. A wrong key answers
    /// exactly like a missing dossier (`dossier_not_found`). No scope: this is the applicant.
    pub async fn public_dossier(
        &self,
        code: &str,
        key: &str,
    ) -> Result<(DossierRecord, Vec<Event>)> {
        dossier_read!(self, e, pool => e::public_dossier(pool, code, key).await)?
            .ok_or_else(dossier_not_found)
    }

    /// The applicant's rating (1–5) of a returned dossier, once; `comment` optional (≤ 2000
    /// characters). Audited `dossier.rate` by `applicant`.
    pub async fn rate_dossier(
        &self,
        now: OffsetDateTime,
        code: &str,
        key: &str,
        score: i64,
        comment: Option<&str>,
    ) -> Result<Rating> {
        if !(1..=5).contains(&score) {
            return Err(
                Error::invalid("rating_invalid", "Mức đánh giá phải từ 1 đến 5.")
                    .with_details(serde_json::json!({ "field": "rating" })),
            );
        }
        let comment = text::optional("comment", "Ý kiến", comment, 2000)?;
        dossier_write!(self, "applicant", now, e, w =>
            e::rate(&mut w, code, key, score, comment).await?)
    }
}

impl ScopedStore {
    /// Registers a complete dossier: the procedure's latest version and its implementing unit
    /// (which must be in scope: 403 `intake_out_of_scope`) are read in the write transaction,
    /// the day's next sequence number at that unit is taken (unique and gap-free: a failed
    /// intake rolls it back), the domain checks everything (`checklist_incomplete`, …), and
    /// the dossier, its first event and the audit entry `dossier.register` are written.
    /// Unknown procedure: 422 `procedure_unknown`.
    pub async fn register_dossier(
        &self,
        actor: &str,
        now: OffsetDateTime,
        intake: Intake,
        calendar: &WorkingCalendar,
        rules: &dyn RuleSource,
    ) -> Result<Registered> {
        self.store()
            .register_dossier(self.scope(), actor, now, intake, None, calendar, rules)
            .await
    }

    /// [`Self::register_dossier`] made idempotent by a key the client chose (the intake form's
    /// one-time field, or the API's `Idempotency-Key`): the same key with the same intake
    /// returns the first dossier (`replayed`); with a different intake, 409
    /// `idempotency_key_reused`.
    pub async fn register_dossier_once(
        &self,
        actor: &str,
        now: OffsetDateTime,
        intake: Intake,
        intake_key: &str,
        calendar: &WorkingCalendar,
        rules: &dyn RuleSource,
    ) -> Result<Registered> {
        self.store()
            .register_dossier(
                self.scope(),
                actor,
                now,
                intake,
                Some(intake_key),
                calendar,
                rules,
            )
            .await
    }

    /// Records a request-to-complete or refusal slip (audited). Same scope rule as intake.
    pub async fn record_intake_slip(
        &self,
        actor: &str,
        now: OffsetDateTime,
        slip: NewIntakeSlip,
    ) -> Result<IntakeSlip> {
        let scope = self.scope().clone();
        dossier_write!(self.store(), actor, now, e, w =>
            e::record_intake_slip(&mut w, &scope, actor, slip).await?)
    }

    /// One intake slip, if its unit is in scope (`intake_slip_not_found` otherwise).
    pub async fn intake_slip(&self, id: i64) -> Result<IntakeSlip> {
        dossier_read!(self.store(), e, pool => e::intake_slip(pool, self.scope(), id).await)?
            .ok_or_else(|| Error::not_found("intake_slip_not_found", "Không tìm thấy phiếu."))
    }

    /// A dossier whose owner or acting unit is in scope; `dossier_not_found` otherwise.
    pub async fn dossier(&self, code: &str) -> Result<DossierRecord> {
        dossier_read!(self.store(), e, pool => e::dossier(pool, self.scope(), code).await)
    }

    /// The history (control slip) of a visible dossier, oldest first.
    pub async fn dossier_events(&self, code: &str) -> Result<Vec<Event>> {
        dossier_read!(self.store(), e, pool => e::dossier_events(pool, self.scope(), code).await)
    }

    /// Applies one action by `actor` on the dossier `code`, as the version `seen_version`
    /// the client saw: inside one write transaction the dossier is read (404 when not visible),
    /// the version compared (409 `version_conflict`), the acting unit checked against the
    /// scope (403 `not_acting_unit`; the owner's desk may take desk actions), the domain's
    /// `apply` run (state, role, input), the row replaced by compare-and-set, the event
    /// appended and `dossier.<action>` audited. For `assign`, the person must exist, be
    /// active, work at or above the acting unit and hold the step's role or lead (422
    /// `assignee_invalid`).
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_action(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
        code: &str,
        seen_version: i64,
        action: &Action,
        calendar: &WorkingCalendar,
        rules: &dyn RuleSource,
    ) -> Result<DossierRecord> {
        self.store()
            .apply_action(
                self.scope(),
                actor,
                now,
                code,
                seen_version,
                action,
                calendar,
                rules,
            )
            .await
    }

    /// Dossiers waiting for `actor` (assigned to them) or for one of their roles (nobody
    /// holds them), at acting units in scope, by legal due instant then code; keyset paging.
    pub async fn inbox(
        &self,
        actor: &Actor,
        filter: &InboxFilter,
        limit: i64,
    ) -> Result<Page<InboxItem>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let after = filter.after.as_deref().map(parse_cursor).transpose()?;
        let mut items = dossier_read!(self.store(), e, pool =>
            e::inbox(pool, self.scope(), actor, filter, after, limit + 1).await)?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(cursor_of)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Counters of the inbox at `now`: overdue, due today (Vietnam date), due within two
    /// working days (by the calendar).
    pub async fn inbox_counters(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
        calendar: &WorkingCalendar,
    ) -> Result<InboxCounters> {
        let local = now.checked_to_offset(VIETNAM_OFFSET).unwrap_or(now);
        let end_of_today = local
            .date()
            .next_day()
            .map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET))
            .unwrap_or(local);
        let soon = calendar
            .counted_from(now)
            .and_then(|start| calendar.add_working_minutes(start, 2 * calendar.minutes_per_day()))
            .map_err(|e| motcua_domain::calendar::calendar_error(&e))?;
        dossier_read!(self.store(), e, pool => e::inbox_counters(
            pool, self.scope(), actor, to_micros(now), to_micros(end_of_today), to_micros(soon)
        ).await)
    }
}
