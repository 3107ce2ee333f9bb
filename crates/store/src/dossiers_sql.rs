//! SQL of dossiers, written once and compiled for each engine like `engine.rs` (`super::Db`
//! is `sqlx::Sqlite` or `sqlx::Postgres`). The domain state is stored as JSON in `state` (the
//! source of truth for `apply`); the other columns are copies for the inbox, the scope
//! filter and statistics, rewritten from the state on every change in the same transaction.
//!
//! Every write runs in the audited [`WriteTx`], which first takes the audit head row: writers
//! are serialised on both engines, so the day's sequence number read and incremented here is
//! unique and gap-free (a failed intake rolls its increment back with everything else).

use sqlx::Row as _;

use motcua_calendar::{VIETNAM_OFFSET, WorkingCalendar};
use motcua_domain::dossier::{
    self, Action, Actor, Applicant, Dossier, Event, Intake, RuleSource, Status,
};
use motcua_domain::procedure::{Channel, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::Unit;
use motcua_domain::user::{Role, roles_from_string};
use motcua_domain::{Error, ErrorKind, Result, text};
use serde_json::json;

use super::Db;
pub(crate) use super::engine::{Param, Pool, WriteTx};
use super::procedures_sql::{procedure_in, procedure_version_in};
use crate::direct::Columns;
use crate::dossiers::{
    DossierRecord, InboxCounters, InboxFilter, InboxItem, IntakeSlip, NewIntakeSlip, Rating,
    SlipKind, dossier_not_found, hash_key, new_tracking_key,
};
use crate::{db_error, from_micros, to_micros};

type Row = <Db as sqlx::Database>::Row;

fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::error!(error = %e, what, "stored dossier data does not parse");
    Error::internal()
}

fn role_str(r: Option<Role>) -> Option<&'static str> {
    r.map(Role::as_str)
}

fn status_of(s: &str) -> Result<Status> {
    Status::ALL
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or_else(|| corrupt("status", s))
}

fn channel_of(s: &str) -> Result<Channel> {
    serde_json::from_value(json!(s)).map_err(|e| corrupt("channel", e))
}

/// The unit a code names, or an internal error (units named by stored procedures exist).
pub(crate) async fn unit_in(w: &mut WriteTx, code: &str) -> Result<Unit> {
    super::engine::unit_by_code_in(w, code)
        .await?
        .ok_or_else(|| {
            tracing::error!(unit = code, "unit of a procedure or dossier is missing");
            Error::internal()
        })
}

// ---------------------------------------------------------------------------------------
// Intake
// ---------------------------------------------------------------------------------------

fn procedure_unknown(code: &str) -> Error {
    Error::invalid(
        "procedure_unknown",
        format!("Không có thủ tục hành chính mã {code}."),
    )
    .with_details(json!({ "field": "procedure_code", "procedure": code }))
}

fn intake_out_of_scope(procedure: &Procedure) -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "intake_out_of_scope",
        format!(
            "Thủ tục {} do đơn vị {} giải quyết, ngoài phạm vi của bạn.",
            procedure.code, procedure.implementing_unit
        ),
    )
}

/// The owner unit of a procedure, checked against the caller's scope.
async fn owner_in_scope(w: &mut WriteTx, scope: &Scope, procedure: &Procedure) -> Result<Unit> {
    let owner = unit_in(w, &procedure.implementing_unit).await?;
    if !scope.contains(&owner.path) {
        return Err(intake_out_of_scope(procedure));
    }
    Ok(owner)
}

/// The next sequence number of a unit's receiving day (`YYYY-MM-DD`, Vietnam time).
pub(crate) async fn next_sequence(w: &mut WriteTx, unit_id: i64, day: &str) -> Result<i64> {
    let rows = w
        .query(
            "INSERT INTO dossier_sequences (unit_id, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (unit_id, day) DO UPDATE SET last = dossier_sequences.last + 1 \
             RETURNING last",
            vec![
                Param::Int(Some(unit_id)),
                Param::Text(Some(day.to_string())),
            ],
        )
        .await?;
    rows.first()
        .ok_or_else(Error::internal)
        .and_then(|r| r.req_int("last"))
}

/// Registers a complete dossier: procedure (latest version) and owner unit read inside the
/// transaction, scope checked, the day's next sequence taken, the domain's `register`, the
/// row, its first event and the audit entry. Returns the dossier and the tracking key.
pub(crate) async fn register(
    w: &mut WriteTx,
    scope: &Scope,
    actor: &str,
    mut intake: Intake,
    intake_key: Option<&str>,
    calendar: &WorkingCalendar,
    rules: &dyn RuleSource,
) -> Result<(Dossier, Option<String>)> {
    let intake_key = intake_key.map(|k| format!("{actor}:{k}"));
    if let Some(key) = &intake_key
        && let Some(first) = registered_with_key(w, key).await?
    {
        return replay(first, &intake).map(|d| (d, None));
    }
    let code = intake.procedure_code.trim().to_string();
    let procedure = procedure_in(w, &code)
        .await?
        .ok_or_else(|| procedure_unknown(&code))?;
    let owner = owner_in_scope(w, scope, &procedure).await?;
    let now = from_micros(w.now_us());
    // The same clock of record as the domain's: online intake always uses the server's clock.
    let received_at = match (intake.channel, intake.received_at) {
        (Channel::Online, _) | (_, None) => now,
        (_, Some(at)) => at,
    };
    let local_date = received_at
        .checked_to_offset(VIETNAM_OFFSET)
        .map(|t| t.date());
    let day = local_date.map(|d| d.to_string()).unwrap_or_default();
    // Judged by the rules in force on the receiving date (domain brief, "rule set").
    let rules = rules.for_receipt(local_date.unwrap_or(received_at.date()));
    let sequence = next_sequence(w, owner.id, &day).await?;
    let sequence = u32::try_from(sequence).map_err(|_| Error::internal())?;
    intake.received_by = Some(actor.to_string());
    let (dossier, event) = dossier::register(intake, now, &procedure, calendar, rules, sequence)?;
    let acting_code = dossier.acting_unit(&procedure);
    let acting_id = if acting_code == owner.code {
        owner.id
    } else {
        unit_in(w, acting_code).await?.id
    };
    let key = new_tracking_key();
    let now_us = w.now_us();
    let id = insert_dossier(
        w,
        &dossier,
        &procedure,
        owner.id,
        acting_id,
        &hash_key(&key),
        intake_key.as_deref(),
        now_us,
    )
    .await?;
    insert_event(w, id, &event).await?;
    // Biểu 06 counters (report_counters_sql.rs): the new dossier's deltas, from the facts
    // just stored (a new dossier has no pause), applied at commit.
    let facts = super::report_counters_sql::facts_of_new(&dossier);
    let mut agg = super::report_counters_sql::Agg::new();
    super::report_counters_sql::add_facts(&mut agg, owner.id, &procedure.field.code, &facts, 1);
    w.add_deltas(agg);
    let audit = w.event(
        "dossier.register",
        "dossier",
        &dossier.code,
        json!({
            "procedure": dossier.procedure_code,
            "procedure_version": dossier.procedure_version,
            "channel": dossier.channel.as_str(),
            "sequence": sequence,
            "legal_due_at": to_micros(dossier.legal_due_at),
        }),
    );
    w.audit(audit, Some(owner.id)).await?;
    Ok((dossier, Some(key)))
}

/// Inserts a new dossier row from its state: the state as JSON and every column derived from
/// it (shared by intake and the bulk writer, so both fill the same columns). `at_us` is the
/// instant of the write (`created_at`, `updated_at`). Returns the row id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_dossier(
    w: &mut WriteTx,
    dossier: &Dossier,
    procedure: &Procedure,
    owner_id: i64,
    acting_id: i64,
    tracking_key_hash: &str,
    intake_key: Option<&str>,
    at_us: i64,
) -> Result<i64> {
    let state = serde_json::to_string(dossier).map_err(|e| corrupt("dossier", e))?;
    let text = |v: &str| Param::Text(Some(v.to_string()));
    let int = |v: i64| Param::Int(Some(v));
    // A clash on `code` cannot happen: the day's sequence makes codes unique, unless a rule
    // set's code format dropped the date or the unit (the error names the constraint).
    let rows = w
        .query(
            "INSERT INTO dossiers (code, procedure_code, procedure_version, field_code, unit_id, \
             acting_unit_id, channel, status, current_step, waiting_role, assignee, applicant_name, \
             applicant_key, applicant_id_number, received_at, counted_from, legal_due_at, \
             appointment_at, resolved_at, finished_at, tracking_key_hash, state, version, \
             created_at, updated_at, intake_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $24, $24, $25) RETURNING id",
            vec![
                text(&dossier.code),
                text(&dossier.procedure_code),
                int(dossier.procedure_version),
                text(&procedure.field.code),
                int(owner_id),
                int(acting_id),
                text(dossier.channel.as_str()),
                text(dossier.status.as_str()),
                int(i64::from(dossier.current_step)),
                Param::Text(role_str(dossier.acting_role(procedure)).map(str::to_string)),
                Param::Text(dossier.assignee.clone()),
                text(&dossier.applicant.name),
                text(&search_key_of(dossier)),
                text(&dossier.applicant.id_number),
                int(to_micros(dossier.received_at)),
                int(to_micros(dossier.counted_from)),
                int(to_micros(dossier.legal_due_at)),
                int(to_micros(dossier.appointment_at)),
                Param::Int(dossier.resolved_at.map(to_micros)),
                Param::Int(dossier.finished_at.map(to_micros)),
                text(tracking_key_hash),
                Param::Text(Some(state)),
                int(dossier.version),
                int(at_us),
                Param::Text(intake_key.map(str::to_string)),
            ],
        )
        .await?;
    rows.first()
        .ok_or_else(Error::internal)
        .and_then(|r| r.req_int("id"))
}

/// Replaces a dossier row by its new state, compare-and-set on `seen_version`: the state as
/// JSON and every derived column (shared by workflow actions and the bulk writer). `at_us`
/// is the instant of the write (`updated_at`). False when the version did not match.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn update_dossier(
    w: &mut WriteTx,
    id: i64,
    seen_version: i64,
    d: &Dossier,
    procedure: &Procedure,
    acting_id: i64,
    at_us: i64,
) -> Result<bool> {
    let update = update_statement(id, seen_version, d, procedure, acting_id, at_us)?;
    compare_and_set(w, update).await
}

/// Runs an [`update_statement`] now: false when the version did not match.
async fn compare_and_set(
    w: &mut WriteTx,
    (sql, params): (impl Into<String>, Vec<Param>),
) -> Result<bool> {
    let done = super::engine::bound(sql.into(), params)
        .execute(w.conn())
        .await
        .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}

/// The compare-and-set update of [`update_dossier`] as a statement to run.
fn update_statement(
    id: i64,
    seen_version: i64,
    d: &Dossier,
    procedure: &Procedure,
    acting_id: i64,
    at_us: i64,
) -> Result<(&'static str, Vec<Param>)> {
    let state = serde_json::to_string(d).map_err(|e| corrupt("dossier", e))?;
    Ok((
        "UPDATE dossiers SET acting_unit_id = $3, status = $4, current_step = $5, \
         waiting_role = $6, assignee = $7, legal_due_at = $8, appointment_at = $9, \
         resolved_at = $10, finished_at = $11, state = $12, version = $13, updated_at = $14 \
         WHERE id = $1 AND version = $2",
        vec![
            Param::Int(Some(id)),
            Param::Int(Some(seen_version)),
            Param::Int(Some(acting_id)),
            Param::Text(Some(d.status.as_str().to_string())),
            Param::Int(Some(i64::from(d.current_step))),
            Param::Text(role_str(d.acting_role(procedure)).map(str::to_string)),
            Param::Text(d.assignee.clone()),
            Param::Int(Some(to_micros(d.legal_due_at))),
            Param::Int(Some(to_micros(d.appointment_at))),
            Param::Int(d.resolved_at.map(to_micros)),
            Param::Int(d.finished_at.map(to_micros)),
            Param::Text(Some(state)),
            Param::Int(Some(d.version)),
            Param::Int(Some(at_us)),
        ],
    ))
}

/// The dossier a previous intake registered under this (namespaced) key, if any.
async fn registered_with_key(w: &mut WriteTx, key: &str) -> Result<Option<Dossier>> {
    let row = sqlx::query("SELECT state FROM dossiers WHERE intake_key = $1")
        .bind(key)
        .fetch_optional(w.conn())
        .await
        .map_err(db_error)?;
    let Some(row) = row else { return Ok(None) };
    let state: String = row.try_get("state").map_err(db_error)?;
    serde_json::from_str(&state)
        .map(Some)
        .map_err(|e| corrupt("dossier", e))
}

/// A repeated intake must be the same intake: same procedure, channel and applicant
/// (conventions.md: the same key with a different body answers 409).
fn replay(first: Dossier, intake: &Intake) -> Result<Dossier> {
    let same = first.procedure_code == intake.procedure_code.trim()
        && first.channel == intake.channel
        && first.applicant.id_number == intake.applicant.id_number.trim()
        && first.applicant.name == motcua_domain::text::clean(&intake.applicant.name);
    if same {
        Ok(first)
    } else {
        Err(Error::conflict(
            "idempotency_key_reused",
            format!(
                "Mã chống gửi trùng này đã dùng cho hồ sơ {} với nội dung khác.",
                first.code
            ),
        )
        .with_details(json!({ "code": first.code })))
    }
}

/// "code applicant name", diacritic-free and lower-case.
fn search_key_of(d: &Dossier) -> String {
    text::search_key(&format!("{} {}", d.code, d.applicant.name))
}

pub(crate) async fn insert_event(w: &mut WriteTx, dossier_id: i64, event: &Event) -> Result<()> {
    let kind = serde_json::to_value(event.kind).map_err(|e| corrupt("event kind", e))?;
    let body = serde_json::to_string(event).map_err(|e| corrupt("event", e))?;
    // Nothing in the write reads the event back: it goes out with the commit.
    w.defer(
        "INSERT INTO dossier_events (dossier_id, seq, at, kind, actor, event) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            Param::Int(Some(dossier_id)),
            Param::Int(Some(event.version)),
            Param::Int(Some(to_micros(event.at))),
            Param::Text(Some(kind.as_str().unwrap_or_default().to_string())),
            Param::Text(event.actor.clone()),
            Param::Text(Some(body)),
        ],
    );
    // Pause rows for reports "as of" a past instant (reports_sql.rs, migration 0008): every
    // event goes through here, so every write path keeps them.
    super::reports_sql::record_clock(w, dossier_id, event);
    Ok(())
}

/// Records a request-to-complete or refusal slip issued at intake (audited
/// `intake_slip.request_to_complete` / `intake_slip.refusal`). The slip's number counts per
/// unit and kind.
pub(crate) async fn record_intake_slip(
    w: &mut WriteTx,
    scope: &Scope,
    actor: &str,
    slip: NewIntakeSlip,
) -> Result<IntakeSlip> {
    let code = slip.procedure_code.trim().to_string();
    let procedure = procedure_in(w, &code)
        .await?
        .ok_or_else(|| procedure_unknown(&code))?;
    let owner = owner_in_scope(w, scope, &procedure).await?;
    procedure.terms(slip.channel)?;
    let applicant = Applicant::parse(slip.applicant)?;
    let note = text::optional("note", "Ghi chú", slip.note.as_deref(), 2000)?;
    let items = slip.items;
    let number: i64 = sqlx::query(
        "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM intake_slips WHERE unit_id = $1 AND kind = $2",
    )
    .bind(owner.id)
    .bind(slip.kind.as_str())
    .fetch_one(w.conn())
    .await
    .and_then(|r| r.try_get::<i64, _>("n"))
    .map_err(db_error)?;
    let applicant_json = serde_json::to_string(&applicant).map_err(|e| corrupt("applicant", e))?;
    let items_json = serde_json::to_string(&items).map_err(|e| corrupt("items", e))?;
    let id: i64 = sqlx::query(
        "INSERT INTO intake_slips (number, unit_id, kind, procedure_code, procedure_version, \
         channel, applicant, items, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(number)
    .bind(owner.id)
    .bind(slip.kind.as_str())
    .bind(&procedure.code)
    .bind(procedure.version)
    .bind(slip.channel.as_str())
    .bind(&applicant_json)
    .bind(&items_json)
    .bind(note.as_deref())
    .bind(w.now_us())
    .bind(actor)
    .fetch_one(w.conn())
    .await
    .and_then(|r| r.try_get::<i64, _>("id"))
    .map_err(db_error)?;
    let action = match slip.kind {
        SlipKind::RequestToComplete => "intake_slip.request_to_complete",
        SlipKind::Refusal => "intake_slip.refusal",
    };
    let audit = w.event(
        action,
        "intake_slip",
        &id.to_string(),
        json!({ "procedure": procedure.code, "number": number, "items": items }),
    );
    w.audit(audit, Some(owner.id)).await?;
    Ok(IntakeSlip {
        id,
        number,
        kind: slip.kind,
        unit_code: owner.code,
        procedure_code: procedure.code.clone(),
        procedure_version: procedure.version,
        procedure_name: procedure.name.clone(),
        channel: slip.channel,
        applicant,
        items,
        note,
        created_at: from_micros(w.now_us()),
        created_by: actor.to_string(),
    })
}

/// One slip, if its unit is in scope.
pub(crate) async fn intake_slip(pool: &Pool, scope: &Scope, id: i64) -> Result<Option<IntakeSlip>> {
    let row = sqlx::query(
        "SELECT s.id, s.number, s.kind, u.code AS unit_code, u.path, s.procedure_code, \
         s.procedure_version, COALESCE(p.name, '') AS procedure_name, s.channel, s.applicant, \
         s.items, s.note, s.created_at, s.created_by \
         FROM intake_slips s JOIN units u ON u.id = s.unit_id \
         LEFT JOIN procedures p ON p.code = s.procedure_code AND p.version = s.procedure_version \
         WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_error)?;
    let Some(r) = row else { return Ok(None) };
    let path: String = r.try_get("path").map_err(db_error)?;
    if !scope.contains(&path) {
        return Ok(None);
    }
    let kind: String = r.try_get("kind").map_err(db_error)?;
    let channel: String = r.try_get("channel").map_err(db_error)?;
    let applicant: String = r.try_get("applicant").map_err(db_error)?;
    let items: String = r.try_get("items").map_err(db_error)?;
    Ok(Some(IntakeSlip {
        id: r.try_get("id").map_err(db_error)?,
        number: r.try_get("number").map_err(db_error)?,
        kind: SlipKind::parse(&kind).ok_or_else(|| corrupt("slip kind", &kind))?,
        unit_code: r.try_get("unit_code").map_err(db_error)?,
        procedure_code: r.try_get("procedure_code").map_err(db_error)?,
        procedure_version: r.try_get("procedure_version").map_err(db_error)?,
        procedure_name: r.try_get("procedure_name").map_err(db_error)?,
        channel: channel_of(&channel)?,
        applicant: serde_json::from_str(&applicant).map_err(|e| corrupt("applicant", e))?,
        items: serde_json::from_str(&items).map_err(|e| corrupt("items", e))?,
        note: r.try_get("note").map_err(db_error)?,
        created_at: from_micros(r.try_get("created_at").map_err(db_error)?),
        created_by: r.try_get("created_by").map_err(db_error)?,
    }))
}

// ---------------------------------------------------------------------------------------
// Reading one dossier
// ---------------------------------------------------------------------------------------

/// The stored row of one dossier with the paths of its owner and acting units.
struct Loaded {
    id: i64,
    dossier: Dossier,
    /// `dossiers.unit_id` and `acting_unit_id`, so a write need not look the units up again.
    owner_id: i64,
    acting_id: i64,
    owner_path: String,
    acting_path: String,
    acting_code: String,
    waiting_role: Option<String>,
    rating: Option<Rating>,
    key_hash: String,
    /// The row's derived columns as stored, in [`derived_columns`] order.
    columns: [Param; DERIVED],
}

macro_rules! dossier_select {
    () => {
        "SELECT d.id, d.unit_id, d.acting_unit_id, d.state, d.waiting_role, d.tracking_key_hash, \
         d.rating, d.rating_comment, d.rated_at, o.path AS owner_path, a.path AS acting_path, a.code AS acting_code, \
         d.status, d.current_step, d.assignee, d.legal_due_at, d.appointment_at, d.resolved_at, d.finished_at \
         FROM dossiers d JOIN units o ON o.id = d.unit_id JOIN units a ON a.id = d.acting_unit_id \
         WHERE d.code = $1"
    };
}

/// A dossier row as [`dossier_select`] reads it, through sqlx or by a direct call
/// (`crate::direct`; SQLite's group commit reads it as the write's turn opens).
fn loaded_from_row(r: &impl Columns) -> Result<Loaded> {
    let state = r.req_text("state")?;
    let dossier: Dossier = serde_json::from_str(&state).map_err(|e| corrupt("dossier", e))?;
    let rating = match r.int("rating")? {
        Some(score) => Some(Rating {
            score,
            comment: r.text("rating_comment")?,
            at: from_micros(r.int("rated_at")?.unwrap_or_default()),
        }),
        None => None,
    };
    Ok(Loaded {
        id: r.req_int("id")?,
        dossier,
        owner_id: r.req_int("unit_id")?,
        acting_id: r.req_int("acting_unit_id")?,
        owner_path: r.req_text("owner_path")?,
        acting_path: r.req_text("acting_path")?,
        acting_code: r.req_text("acting_code")?,
        waiting_role: r.text("waiting_role")?,
        rating,
        key_hash: r.req_text("tracking_key_hash")?,
        columns: stored_columns(r)?,
    })
}

/// How many derived columns a dossier row has besides its state (see [`derived_columns`]).
const DERIVED: usize = 9;

/// The columns of a dossier row derived from its state that a workflow action may change,
/// with their values for `d`.
fn derived_columns(
    d: &Dossier,
    procedure: &Procedure,
    acting_id: i64,
) -> [(&'static str, Param); DERIVED] {
    [
        ("acting_unit_id", Param::Int(Some(acting_id))),
        ("status", Param::Text(Some(d.status.as_str().to_string()))),
        ("current_step", Param::Int(Some(i64::from(d.current_step)))),
        (
            "waiting_role",
            Param::Text(role_str(d.acting_role(procedure)).map(str::to_string)),
        ),
        ("assignee", Param::Text(d.assignee.clone())),
        ("legal_due_at", Param::Int(Some(to_micros(d.legal_due_at)))),
        (
            "appointment_at",
            Param::Int(Some(to_micros(d.appointment_at))),
        ),
        ("resolved_at", Param::Int(d.resolved_at.map(to_micros))),
        ("finished_at", Param::Int(d.finished_at.map(to_micros))),
    ]
}

/// The same columns as stored in a loaded row.
fn stored_columns(r: &impl Columns) -> Result<[Param; DERIVED]> {
    let int = |c: &str| r.int(c).map(Param::Int);
    let text = |c: &str| r.text(c).map(Param::Text);
    Ok([
        int("acting_unit_id")?,
        text("status")?,
        int("current_step")?,
        text("waiting_role")?,
        text("assignee")?,
        int("legal_due_at")?,
        int("appointment_at")?,
        int("resolved_at")?,
        int("finished_at")?,
    ])
}

/// The compare-and-set update of an action: the state, the version and only the derived
/// columns whose value changed. A column set to its own value still costs an update of every
/// index on it (SQLite rewrites them; PostgreSQL cannot keep the row "heap-only"), and most
/// actions change two or three of the nine.
fn action_update(
    l: &Loaded,
    seen_version: i64,
    d: &Dossier,
    procedure: &Procedure,
    acting_id: i64,
    at_us: i64,
) -> Result<(String, Vec<Param>)> {
    let state = serde_json::to_string(d).map_err(|e| corrupt("dossier", e))?;
    let mut sql = String::from("UPDATE dossiers SET state = $3, version = $4, updated_at = $5");
    let mut params = vec![
        Param::Int(Some(l.id)),
        Param::Int(Some(seen_version)),
        Param::Text(Some(state)),
        Param::Int(Some(d.version)),
        Param::Int(Some(at_us)),
    ];
    for ((column, value), stored) in derived_columns(d, procedure, acting_id)
        .into_iter()
        .zip(&l.columns)
    {
        if value != *stored {
            params.push(value);
            sql.push_str(&format!(", {column} = ${}", params.len()));
        }
    }
    sql.push_str(" WHERE id = $1 AND version = $2");
    Ok((sql, params))
}

/// The read [`load`] does, for a write to run as its first statement
/// (`WriteTx::begin_grouped_with`).
#[allow(dead_code)] // the PostgreSQL copy reads for itself
pub(crate) fn load_statement(code: &str) -> (&'static str, Vec<Param>) {
    (dossier_select!(), vec![Param::Text(Some(code.to_string()))])
}

async fn load<'c, E>(exec: E, code: &str) -> Result<Option<Loaded>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row = sqlx::query(dossier_select!())
        .bind(code)
        .fetch_optional(exec)
        .await
        .map_err(db_error)?;
    row.as_ref().map(loaded_from_row).transpose()
}

/// A dossier is visible to a scope when its owner or its acting unit is inside.
fn visible_in(scope: &Scope, owner_path: &str, acting_path: &str) -> bool {
    scope.contains(owner_path) || scope.contains(acting_path)
}

/// What other modules (attachments) need of a visible dossier.
pub(crate) struct VisibleDossier {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) owner_unit_id: i64,
}

/// A dossier visible in `scope` (the same rule as [`dossier`]), or `None`.
pub(crate) async fn visible_dossier<'c, E>(
    exec: E,
    scope: &Scope,
    code: &str,
) -> Result<Option<VisibleDossier>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let row = sqlx::query(
        "SELECT d.id, d.code, d.unit_id, o.path AS owner_path, a.path AS acting_path \
         FROM dossiers d JOIN units o ON o.id = d.unit_id JOIN units a ON a.id = d.acting_unit_id \
         WHERE d.code = $1",
    )
    .bind(code)
    .fetch_optional(exec)
    .await
    .map_err(db_error)?;
    let Some(r) = row else {
        return Ok(None);
    };
    let owner_path: String = r.try_get("owner_path").map_err(db_error)?;
    let acting_path: String = r.try_get("acting_path").map_err(db_error)?;
    if !visible_in(scope, &owner_path, &acting_path) {
        return Ok(None);
    }
    Ok(Some(VisibleDossier {
        id: r.try_get("id").map_err(db_error)?,
        code: r.try_get("code").map_err(db_error)?,
        owner_unit_id: r.try_get("unit_id").map_err(db_error)?,
    }))
}

impl Loaded {
    /// Visible to a scope when its owner or its acting unit is inside.
    fn visible(&self, scope: &Scope) -> bool {
        visible_in(scope, &self.owner_path, &self.acting_path)
    }

    fn record(self) -> Result<DossierRecord> {
        let waiting_role = self
            .waiting_role
            .as_deref()
            .map(Role::parse)
            .transpose()
            .map_err(|e| corrupt("waiting role", e.message))?;
        Ok(DossierRecord {
            dossier: self.dossier,
            acting_unit: self.acting_code,
            waiting_role,
            rating: self.rating,
        })
    }
}

/// A dossier visible in `scope`.
pub(crate) async fn dossier(pool: &Pool, scope: &Scope, code: &str) -> Result<DossierRecord> {
    match load(pool, code).await? {
        Some(l) if l.visible(scope) => l.record(),
        _ => Err(dossier_not_found()),
    }
}

async fn events_of(pool: &Pool, dossier_id: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query("SELECT event FROM dossier_events WHERE dossier_id = $1 ORDER BY seq")
        .bind(dossier_id)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("event").map_err(db_error)?;
            serde_json::from_str(&body).map_err(|e| corrupt("event", e))
        })
        .collect()
}

/// The history of a dossier visible in `scope`, oldest first.
pub(crate) async fn dossier_events(pool: &Pool, scope: &Scope, code: &str) -> Result<Vec<Event>> {
    match load(pool, code).await? {
        Some(l) if l.visible(scope) => events_of(pool, l.id).await,
        _ => Err(dossier_not_found()),
    }
}

/// A dossier and its history for the applicant holding its tracking key; `None` (exactly as
/// for a missing dossier) when the key is wrong.
pub(crate) async fn public_dossier(
    pool: &Pool,
    code: &str,
    key: &str,
) -> Result<Option<(DossierRecord, Vec<Event>)>> {
    let Some(l) = load(pool, code).await? else {
        return Ok(None);
    };
    if !crate::dossiers::same_hash(&l.key_hash, &hash_key(key)) {
        return Ok(None);
    }
    let events = events_of(pool, l.id).await?;
    Ok(Some((l.record()?, events)))
}

// ---------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------

/// Actions the one-stop desk of the owner unit may take even while a step is with another
/// unit (receiving the applicant's supplement or payment, handing over, ending on request).
fn desk_action(action: &Action) -> bool {
    matches!(
        action,
        Action::ReceiveSupplement { .. }
            | Action::PaymentReceived { .. }
            | Action::Apologise { .. }
            | Action::ReturnResult { .. }
            | Action::Withdraw { .. }
            | Action::Stop { .. }
    )
}

fn audit_action(action: &Action) -> &'static str {
    match action {
        Action::Assign { .. } => "dossier.assign",
        Action::CompleteStep { .. } => "dossier.complete_step",
        Action::ReturnToStep { .. } => "dossier.return_to_step",
        Action::RequestSupplement { .. } => "dossier.request_supplement",
        Action::ReceiveSupplement { .. } => "dossier.receive_supplement",
        Action::RequestPayment { .. } => "dossier.request_payment",
        Action::PaymentReceived { .. } => "dossier.payment_received",
        Action::Apologise { .. } => "dossier.apologise",
        Action::Approve { .. } => "dossier.approve",
        Action::IssueResult { .. } => "dossier.issue_result",
        Action::ReturnResult { .. } => "dossier.return_result",
        Action::Withdraw { .. } => "dossier.withdraw",
        Action::Stop { .. } => "dossier.stop",
        Action::Refuse { .. } => "dossier.refuse",
    }
}

/// The person a dossier is assigned to must exist, be active, work at the acting unit or
/// above it (so the dossier is in their scope) and hold the role expected to act (or lead).
async fn check_assignee(
    w: &mut WriteTx,
    username: &str,
    acting_path: &str,
    role: Option<Role>,
) -> Result<()> {
    let invalid = || {
        Error::invalid(
            "assignee_invalid",
            format!(
                "Không thể giao hồ sơ cho \"{username}\": người này không thuộc đơn vị xử lý bước hiện tại hoặc không có vai trò phù hợp."
            ),
        )
        .with_details(json!({ "field": "to", "username": username }))
    };
    let row = sqlx::query(
        "SELECT u.roles, u.active, un.path FROM users u JOIN units un ON un.id = u.unit_id \
         WHERE u.username = $1",
    )
    .bind(username.trim().to_ascii_lowercase())
    .fetch_optional(w.conn())
    .await
    .map_err(db_error)?;
    let Some(r) = row else {
        return Err(invalid());
    };
    let active: bool = r.try_get("active").map_err(db_error)?;
    let path: String = r.try_get("path").map_err(db_error)?;
    let roles: String = r.try_get("roles").map_err(db_error)?;
    let roles = roles_from_string(&roles).map_err(|e| corrupt("roles", e.message))?;
    let role_ok = match role {
        Some(role) => roles.contains(&role) || roles.contains(&Role::Leader),
        None => false,
    };
    if !active || !acting_path.starts_with(path.as_str()) || !role_ok {
        return Err(invalid());
    }
    Ok(())
}

/// Applies one action: load (in the transaction), visibility (404), version (409), the acting
/// unit in scope (403), the domain's `apply`, compare-and-set, the event and the audit entry.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply_action(
    w: &mut WriteTx,
    scope: &Scope,
    actor: &Actor,
    code: &str,
    seen_version: i64,
    action: &Action,
    calendar: &WorkingCalendar,
    rules: &dyn RuleSource,
) -> Result<DossierRecord> {
    let loaded = match w.take_prefetched() {
        Some(rows) => rows.first().map(loaded_from_row).transpose()?,
        None => load(w.conn(), code).await?,
    };
    let Some(l) = loaded else {
        return Err(dossier_not_found());
    };
    if !l.visible(scope) {
        return Err(dossier_not_found());
    }
    l.dossier.check_version(seen_version)?;
    // Judged by the rules it was received under (domain brief, "rule set").
    let Some(rules) = rules.rule_set(&l.dossier.rule_set) else {
        tracing::error!(rule_set = %l.dossier.rule_set, "dossier's rule set is not configured");
        return Err(dossier::rule_set_unknown(&l.dossier.rule_set));
    };
    let procedure = procedure_version_in(w, &l.dossier.procedure_code, l.dossier.procedure_version)
        .await?
        .ok_or_else(|| {
            tracing::error!(code, "procedure version of a dossier is missing");
            Error::internal()
        })?;
    let acting_ok =
        scope.contains(&l.acting_path) || (desk_action(action) && scope.contains(&l.owner_path));
    if !acting_ok {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "not_acting_unit",
            format!(
                "Bước hiện tại của hồ sơ do đơn vị {} xử lý, ngoài phạm vi của bạn.",
                l.acting_code
            ),
        ));
    }
    let now = from_micros(w.now_us());
    let t = dossier::apply(&l.dossier, action, actor, now, &procedure, calendar, rules)?;
    if let Action::Assign { to } = action {
        check_assignee(w, to, &l.acting_path, l.dossier.acting_role(&procedure)).await?;
    }
    let d = &t.dossier;
    // Biểu 06 counters: only a transition that changes a report input reads and writes them.
    let counters = super::report_counters_sql::changes_report(&l.dossier, d);
    let before = if counters {
        super::report_counters_sql::before(w, l.id).await?
    } else {
        None
    };
    // The loaded row already names the acting unit; look it up only when the step moved to
    // another unit.
    let (acting_id, acting_code) = if d.acting_unit(&procedure) == l.acting_code {
        (l.acting_id, l.acting_code.clone())
    } else {
        let u = unit_in(w, d.acting_unit(&procedure)).await?;
        (u.id, u.code)
    };
    let now_us = w.now_us();
    let update = action_update(&l, seen_version, d, &procedure, acting_id, now_us)?;
    if w.serialized() {
        // Loaded in this write with the version checked above, and nobody else writes
        // before the commit: the compare-and-set cannot miss, so it goes out with the commit.
        w.defer(update.0, update.1);
    } else if !compare_and_set(w, update).await? {
        return Err(Error::version_conflict());
    }
    insert_event(w, l.id, &t.event).await?;
    if counters {
        super::report_counters_sql::record(w, l.id, before, &l.dossier, d).await?;
    }
    let audit = w.event(
        audit_action(action),
        "dossier",
        &d.code,
        json!({
            "from_status": l.dossier.status.as_str(),
            "to_status": d.status.as_str(),
            "from_step": l.dossier.current_step,
            "to_step": d.current_step,
            "version": d.version,
        }),
    );
    // The owner never changes after intake: the row's `unit_id` is the owner unit's id.
    w.audit(audit, Some(l.owner_id)).await?;
    Ok(DossierRecord {
        acting_unit: acting_code,
        waiting_role: d.acting_role(&procedure),
        rating: l.rating,
        dossier: t.dossier,
    })
}

/// The applicant's satisfaction rating (1–5), once, after the result was returned.
pub(crate) async fn rate(
    w: &mut WriteTx,
    code: &str,
    key: &str,
    score: i64,
    comment: Option<String>,
) -> Result<Rating> {
    let l = match load(w.conn(), code).await? {
        Some(l) if crate::dossiers::same_hash(&l.key_hash, &hash_key(key)) => l,
        _ => return Err(dossier_not_found()),
    };
    if l.dossier.status != Status::Returned {
        return Err(Error::conflict(
            "rating_not_open",
            "Chỉ đánh giá được sau khi đã nhận kết quả.",
        ));
    }
    if l.rating.is_some() {
        return Err(Error::conflict(
            "rating_exists",
            "Hồ sơ này đã được đánh giá.",
        ));
    }
    sqlx::query(
        "UPDATE dossiers SET rating = $2, rating_comment = $3, rated_at = $4 \
         WHERE id = $1 AND rating IS NULL",
    )
    .bind(l.id)
    .bind(score)
    .bind(comment.as_deref())
    .bind(w.now_us())
    .execute(w.conn())
    .await
    .map_err(db_error)?;
    let owner = unit_in(w, &l.dossier.owner_unit).await?;
    let audit = w.event(
        "dossier.rate",
        "dossier",
        code,
        json!({ "rating": score, "comment": comment.is_some() }),
    );
    w.audit(audit, Some(owner.id)).await?;
    Ok(Rating {
        score,
        comment,
        at: from_micros(w.now_us()),
    })
}

// ---------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------

/// The four roles that act on workflow steps, bound as `$4..$7` (NULL when not held), so the
/// statement text stays fixed.
fn role_params(actor: &Actor) -> [Option<&'static str>; 4] {
    let held = |r: Role| actor.roles.contains(&r).then_some(r.as_str());
    [
        held(Role::Receiver),
        held(Role::Specialist),
        held(Role::Leader),
        held(Role::Clerk),
    ]
}

// Waiting for the person (assigned to them) or for one of their roles (nobody holds it), at
// an acting unit inside the scope's path range. The page is a `UNION ALL` of one branch for
// the person's own dossiers and one per workflow role (`waiting_role = $k`; a role not held is
// bound as NULL and its branch is empty), each reading one partial index in due order with the
// keyset and the filters and stopping at the limit; the outer query merges them. A branch per
// role (not `waiting_role IN (…)`) lets each read `dossiers_inbox_due` in due order.
//
// Two join orders, chosen by the width of the scope (`InboxShape`), because SQLite cannot
// tell a one-unit path range from a ministry-wide one: `narrow` walks the units in the range
// and reads `dossiers_inbox_role` per acting unit, then sorts the few matches; `wide` walks
// `dossiers_inbox_due` in due order and checks each dossier's acting unit against the range
// (`CROSS JOIN` keeps the dossiers as SQLite's outer loop; PostgreSQL plans both the same way,
// from its statistics).
macro_rules! inbox_from_narrow {
    () => {
        " FROM dossiers d JOIN units o ON o.id = d.unit_id JOIN units a ON a.id = d.acting_unit_id \
         WHERE d.waiting_role IS NOT NULL AND a.path >= $1 AND a.path < $2"
    };
}

macro_rules! inbox_from_wide {
    () => {
        " FROM dossiers d JOIN units o ON o.id = d.unit_id CROSS JOIN units a \
         WHERE a.id = d.acting_unit_id AND d.waiting_role IS NOT NULL AND a.path >= $1 AND a.path < $2"
    };
}

// The page's columns.
macro_rules! inbox_columns {
    () => {
        "SELECT d.code, d.procedure_code, d.procedure_version, d.field_code, o.code AS owner_code, \
         a.code AS acting_code, d.channel, d.status, d.current_step, d.waiting_role, d.assignee, \
         d.applicant_name, d.received_at, d.legal_due_at, d.appointment_at, d.version"
    };
}

// The page's filters and keyset, then due order and the limit; the same in each branch.
macro_rules! inbox_page_tail {
    () => {
        " AND ($8 IS NULL OR d.procedure_code = $8) AND ($9 IS NULL OR d.field_code = $9) \
         AND ($10 IS NULL OR d.status = $10) AND ($11 IS NULL OR d.channel = $11) \
         AND ($12 IS NULL OR d.received_at >= $12) AND ($13 IS NULL OR d.received_at < $13) \
         AND ($14 IS NULL OR d.applicant_key LIKE $14) \
         AND ($15 IS NULL OR d.legal_due_at > $15 OR (d.legal_due_at = $15 AND d.code > $16)) \
         ORDER BY d.legal_due_at, d.code LIMIT $17"
    };
}

// The whole page with one of the two join orders.
macro_rules! inbox_page {
    ($from:ident) => {
        concat!(
            "SELECT * FROM (",
            inbox_columns!(),
            $from!(),
            // Assigned to the person (index `dossiers_inbox_assignee`).
            " AND d.assignee IS NOT NULL AND d.assignee = $3",
            inbox_page_tail!(),
            ") AS mine",
            // Nobody holds it and it waits for this role (`dossiers_inbox_due` or
            // `dossiers_inbox_role`).
            " UNION ALL SELECT * FROM (",
            inbox_columns!(),
            $from!(),
            " AND d.assignee IS NULL AND d.waiting_role = $4",
            inbox_page_tail!(),
            ") AS receiver UNION ALL SELECT * FROM (",
            inbox_columns!(),
            $from!(),
            " AND d.assignee IS NULL AND d.waiting_role = $5",
            inbox_page_tail!(),
            ") AS specialist UNION ALL SELECT * FROM (",
            inbox_columns!(),
            $from!(),
            " AND d.assignee IS NULL AND d.waiting_role = $6",
            inbox_page_tail!(),
            ") AS leader UNION ALL SELECT * FROM (",
            inbox_columns!(),
            $from!(),
            " AND d.assignee IS NULL AND d.waiting_role = $7",
            inbox_page_tail!(),
            ") AS clerk ORDER BY legal_due_at, code LIMIT $17"
        )
    };
}

/// How the inbox walks its indexes for a scope (see `inbox_from_narrow!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InboxShape {
    /// Per acting unit, then a sort of the matches: a scope of a few units.
    Narrow,
    /// In due order over every acting unit, skipping those outside the scope.
    Wide,
}

/// A scope holding at least 1/32 of the units is wide: walking the due index then keeps
/// roughly one row in 32 at worst, while the per-unit plan would sort tens of thousands of
/// rows (measured crossover on 1.000.000 dossiers over 3.011 units: between a level-II unit,
/// 1 %, and a level-I unit, 10 %; see BENCHMARKS.md).
async fn inbox_shape(pool: &Pool, scope: &Scope) -> Result<InboxShape> {
    if matches!(scope, Scope::All) {
        return Ok(InboxShape::Wide);
    }
    let (lo, hi) = scope.path_bounds();
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM units WHERE path >= $1 AND path < $2) AS inside, \
         (SELECT COUNT(*) FROM units) AS total",
    )
    .bind(lo)
    .bind(hi)
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    let inside: i64 = r.try_get("inside").map_err(db_error)?;
    let total: i64 = r.try_get("total").map_err(db_error)?;
    Ok(if inside.saturating_mul(32) >= total {
        InboxShape::Wide
    } else {
        InboxShape::Narrow
    })
}

/// One page of the inbox: due order (legal due instant, then code), keyset after
/// `(after_due, after_code)`.
pub(crate) async fn inbox(
    pool: &Pool,
    scope: &Scope,
    actor: &Actor,
    filter: &InboxFilter,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<InboxItem>> {
    let (lo, hi) = scope.path_bounds();
    let roles = role_params(actor);
    let (after_due, after_code) = after.unzip();
    let pattern = filter.query.as_deref().and_then(like_pattern);
    let shape = inbox_shape(pool, scope).await?;
    let sql = match shape {
        InboxShape::Narrow => inbox_page!(inbox_from_narrow),
        InboxShape::Wide => inbox_page!(inbox_from_wide),
    };
    // Each branch yields its first `limit` rows in due order after the cursor; the page is the
    // first `limit` of all (the branches never share a dossier). The wide shape is not a
    // cached prepared statement: PostgreSQL then plans with the actual scope and cursor each
    // time instead of switching to a generic plan that cannot tell a one-unit scope from the
    // whole ministry. The narrow shape is cached: its generic plan is the per-unit one, and
    // planning its five branches cost more than running them (BENCHMARKS.md, inbox).
    let rows = sqlx::query(sql)
        .persistent(shape == InboxShape::Narrow)
        .bind(lo)
        .bind(hi)
        .bind(&actor.username)
        .bind(roles[0])
        .bind(roles[1])
        .bind(roles[2])
        .bind(roles[3])
        .bind(filter.procedure.as_deref())
        .bind(filter.field.as_deref())
        .bind(filter.status.map(Status::as_str))
        .bind(filter.channel.map(Channel::as_str))
        .bind(filter.received_from.map(to_micros))
        .bind(filter.received_to.map(to_micros))
        .bind(pattern)
        .bind(after_due)
        .bind(after_code)
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db_error)?;
    rows.iter().map(inbox_item).collect()
}

fn inbox_item(r: &Row) -> Result<InboxItem> {
    let channel: String = r.try_get("channel").map_err(db_error)?;
    let status: String = r.try_get("status").map_err(db_error)?;
    let role: Option<String> = r.try_get("waiting_role").map_err(db_error)?;
    let step: i64 = r.try_get("current_step").map_err(db_error)?;
    Ok(InboxItem {
        code: r.try_get("code").map_err(db_error)?,
        procedure_code: r.try_get("procedure_code").map_err(db_error)?,
        procedure_version: r.try_get("procedure_version").map_err(db_error)?,
        field_code: r.try_get("field_code").map_err(db_error)?,
        owner_unit: r.try_get("owner_code").map_err(db_error)?,
        acting_unit: r.try_get("acting_code").map_err(db_error)?,
        channel: channel_of(&channel)?,
        status: status_of(&status)?,
        current_step: u32::try_from(step).map_err(|e| corrupt("step", e))?,
        waiting_role: role
            .as_deref()
            .map(Role::parse)
            .transpose()
            .map_err(|e| corrupt("waiting role", e.message))?,
        assignee: r.try_get("assignee").map_err(db_error)?,
        applicant_name: r.try_get("applicant_name").map_err(db_error)?,
        received_at: from_micros(r.try_get("received_at").map_err(db_error)?),
        legal_due_at: from_micros(r.try_get("legal_due_at").map_err(db_error)?),
        appointment_at: from_micros(r.try_get("appointment_at").map_err(db_error)?),
        version: r.try_get("version").map_err(db_error)?,
    })
}

/// `%word%word%` on the diacritic-free key; LIKE's own wildcards in the input are dropped.
fn like_pattern(q: &str) -> Option<String> {
    let key = text::search_key(&q.replace(['%', '_', '\\'], " "));
    let words: Vec<&str> = key.split_whitespace().collect();
    (!words.is_empty()).then(|| format!("%{}%", words.join("%")))
}

// The counters' rows: open dossiers whose clock runs, at acting units in the range.
macro_rules! inbox_count_from {
    () => {
        " FROM units a JOIN dossiers d ON d.acting_unit_id = a.id \
         WHERE d.waiting_role IS NOT NULL AND a.path >= $1 AND a.path < $2 \
         AND d.status IN ('received', 'processing')"
    };
}

/// Counters over the whole inbox (filters ignored) of dossiers whose clock runs (received or
/// processing): overdue (due before `now`), due by the end of today (Vietnam date) and due
/// within the next `soon` instant (two working days from now).
pub(crate) async fn inbox_counters(
    pool: &Pool,
    scope: &Scope,
    actor: &Actor,
    now_us: i64,
    end_of_today_us: i64,
    soon_us: i64,
) -> Result<InboxCounters> {
    let (lo, hi) = scope.path_bounds();
    let roles = role_params(actor);
    // Per acting unit in the range and per role (`waiting_role = $k`, as in the page: an
    // `IN (…)` with unheld roles bound as NULL made SQLite range over every role), counted on
    // `dossiers_inbox_count` (acting unit, role, status, due instant; migration 0010) without
    // reading the dossiers; the person's own dossiers on `dossiers_inbox_assignee`. No join
    // to the owner unit: it is not needed here and would read every dossier row.
    let r = sqlx::query(concat!(
        "SELECT COUNT(*) AS total, \
         COUNT(CASE WHEN due < $8 THEN 1 END) AS overdue, \
         COUNT(CASE WHEN due >= $8 AND due < $9 THEN 1 END) AS due_today, \
         COUNT(CASE WHEN due >= $8 AND due <= $10 THEN 1 END) AS due_soon \
         FROM (SELECT d.legal_due_at AS due",
        inbox_count_from!(),
        " AND d.assignee IS NOT NULL AND d.assignee = $3",
        " UNION ALL SELECT d.legal_due_at AS due",
        inbox_count_from!(),
        " AND d.assignee IS NULL AND d.waiting_role = $4",
        " UNION ALL SELECT d.legal_due_at AS due",
        inbox_count_from!(),
        " AND d.assignee IS NULL AND d.waiting_role = $5",
        " UNION ALL SELECT d.legal_due_at AS due",
        inbox_count_from!(),
        " AND d.assignee IS NULL AND d.waiting_role = $6",
        " UNION ALL SELECT d.legal_due_at AS due",
        inbox_count_from!(),
        " AND d.assignee IS NULL AND d.waiting_role = $7",
        ") AS running"
    ))
    .persistent(false)
    .bind(lo)
    .bind(hi)
    .bind(&actor.username)
    .bind(roles[0])
    .bind(roles[1])
    .bind(roles[2])
    .bind(roles[3])
    .bind(now_us)
    .bind(end_of_today_us)
    .bind(soon_us)
    .fetch_one(pool)
    .await
    .map_err(db_error)?;
    Ok(InboxCounters {
        running: r.try_get("total").map_err(db_error)?,
        overdue: r.try_get("overdue").map_err(db_error)?,
        due_today: r.try_get("due_today").map_err(db_error)?,
        due_within_two_working_days: r.try_get("due_soon").map_err(db_error)?,
    })
}
