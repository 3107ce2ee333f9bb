//! Intake: checking a dossier at the counter, by post or online, and registering it with its
//! code and legal deadline (domain brief "Dossier lifecycle" 1, "Deadlines").

use std::collections::BTreeMap;

use motcua_calendar::{VIETNAM_OFFSET, WorkingCalendar};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::{Applicant, Dossier, Event, EventKind, NewApplicant, RuleSet, Status, calendar_error};
use crate::procedure::{Channel, LimitUnit, Procedure, TimeLimit};
use crate::user::Role;
use crate::{Error, Result, text};

/// Longest summary (trích yếu).
pub const SUMMARY_MAX: usize = 1000;

/// A document handed in, against the procedure's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedDocument {
    /// Key of the procedure's [`RequiredDocument`](crate::procedure::RequiredDocument).
    pub key: String,
    /// Copies received (default 1).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// What the receiving officer (or the portal) submits to register a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// National code of the procedure.
    pub procedure_code: String,
    /// How the dossier arrived.
    pub channel: Channel,
    /// Who applies.
    pub applicant: NewApplicant,
    /// The checklist: documents received.
    #[serde(default)]
    pub documents: Vec<ReceivedDocument>,
    /// When the officer received it, if not now (counter and postal intake only; ignored for
    /// online intake, whose clock is always the server's).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    /// Summary (trích yếu), optional.
    #[serde(default)]
    pub summary: Option<String>,
    /// Username of the receiving officer; set by the server from the session, never read
    /// from the request. `None` for self-service online intake.
    #[serde(skip)]
    pub received_by: Option<String>,
}

/// The legal clock of a dossier received at `received_at` under a time limit: `(counted_from,
/// due)`, both in +07:00.
///
/// - Working days / hours: the clock starts at `calendar.counted_from(received_at)` (outside
///   office hours or on a day off: the next working period [S]); with a same-day `cutoff`,
///   a dossier received on a working day at or after the cut-off starts at the next working
///   day [S]. The due instant is that start plus `amount × minutes_per_day` (or × 60)
///   working minutes.
/// - Calendar days (Bộ luật Dân sự 2015, Điều 147 khoản 1 and Điều 148 khoản 1 and 5 [S;
///   same wording checked in BLDS 2005 Điều 153]): the day of receipt does not count; the
///   due instant is the end of office hours of the N-th calendar day after receipt (after the
///   cut-off: after the next day), or, if that day is not a working day, the end of office
///   hours of the next working day.
pub fn legal_deadline(
    limit: &TimeLimit,
    cutoff: Option<Time>,
    received_at: OffsetDateTime,
    calendar: &WorkingCalendar,
    minutes_per_day: i64,
) -> Result<(OffsetDateTime, OffsetDateTime)> {
    let counted = calendar.counted_from(received_at).map_err(calendar_error)?;
    let local = received_at.to_offset(VIETNAM_OFFSET); // in range: counted_from checked it
    let after_cutoff = match cutoff {
        Some(c) => {
            local.time() >= c
                && calendar
                    .is_working_day(local.date())
                    .map_err(calendar_error)?
        }
        None => false,
    };
    let next_midnight = || -> Result<OffsetDateTime> {
        let day = local.date().next_day().ok_or_else(out_of_range)?;
        Ok(PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET))
    };
    match limit.working_minutes(minutes_per_day) {
        Some(minutes) => {
            let start = if after_cutoff {
                calendar
                    .counted_from(next_midnight()?)
                    .map_err(calendar_error)?
            } else {
                counted
            };
            let due = calendar
                .add_working_minutes(start, minutes)
                .map_err(calendar_error)?;
            Ok((start, due))
        }
        None => {
            debug_assert_eq!(limit.unit, LimitUnit::CalendarDays);
            let base = if after_cutoff {
                local.date().next_day().ok_or_else(out_of_range)?
            } else {
                local.date()
            };
            let mut day = base
                .checked_add(Duration::days(i64::from(limit.amount)))
                .ok_or_else(out_of_range)?;
            // Điều 148 khoản 5: a last day that is a day off moves to the next working day.
            // Runs of days off are short; the calendar's range bounds the loop regardless.
            while !calendar.is_working_day(day).map_err(calendar_error)? {
                day = day.next_day().ok_or_else(out_of_range)?;
            }
            let end = calendar
                .office_hours()
                .periods
                .last()
                .map_or(Time::MIDNIGHT, |p| p.end);
            Ok((
                counted,
                PrimitiveDateTime::new(day, end).assume_offset(VIETNAM_OFFSET),
            ))
        }
    }
}

fn out_of_range() -> Error {
    Error::invalid(
        "date_out_of_range",
        "Thời điểm nằm ngoài phạm vi lịch làm việc.",
    )
}

/// Registers a complete dossier received at `now` (or at `input.received_at` for counter
/// and postal intake). `sequence` is the day's sequence number at the owner unit, allocated
/// by storage (≥ 1).
///
/// Errors (nothing is registered): `procedure_mismatch`, `channel_not_offered`, applicant
/// errors ([`Applicant::parse`]), `checklist_unknown_document` (a key the procedure does not
/// list), **`checklist_incomplete`** listing every missing document at once in
/// `details.missing` (the caller prints the request-to-complete slip from it),
/// `received_at_in_future`, `sequence_invalid`, `minutes_per_day_mismatch` (rule set and
/// calendar disagree), calendar range errors.
pub fn register(
    input: Intake,
    now: OffsetDateTime,
    procedure: &Procedure,
    calendar: &WorkingCalendar,
    rules: &RuleSet,
    sequence: u32,
) -> Result<(Dossier, Event)> {
    rules.validate()?;
    if rules.minutes_per_day != calendar.minutes_per_day() {
        return Err(Error::invalid(
            "minutes_per_day_mismatch",
            format!(
                "Bộ quy tắc tính {} phút một ngày làm việc nhưng giờ hành chính có {} phút.",
                rules.minutes_per_day,
                calendar.minutes_per_day()
            ),
        ));
    }
    if input.procedure_code.trim() != procedure.code {
        return Err(Error::invalid(
            "procedure_mismatch",
            format!(
                "Hồ sơ thuộc thủ tục {} nhưng đang tiếp nhận theo thủ tục {}.",
                input.procedure_code.trim(),
                procedure.code
            ),
        ));
    }
    let terms = procedure.terms(input.channel)?;
    let applicant = Applicant::parse(input.applicant)?;
    let summary = text::optional(
        "summary",
        "Trích yếu",
        input.summary.as_deref(),
        SUMMARY_MAX,
    )?;
    let documents = check_checklist(procedure, input.documents)?;
    if sequence == 0 {
        return Err(Error::invalid(
            "sequence_invalid",
            "Số thứ tự hồ sơ trong ngày phải từ 1 trở lên.",
        ));
    }
    // The applicant's clock never counts for online intake (issue 4 item 2).
    let received_at = match (input.channel, input.received_at) {
        (Channel::Online, _) | (_, None) => now,
        (_, Some(at)) => at,
    };
    if received_at > now {
        return Err(Error::invalid(
            "received_at_in_future",
            "Thời điểm tiếp nhận không được ở tương lai.",
        )
        .with_details(json!({ "field": "received_at" })));
    }
    let (counted_from, due) = legal_deadline(
        &terms.limit,
        procedure.same_day_cutoff,
        received_at,
        calendar,
        rules.minutes_per_day,
    )?;
    let received_at = received_at.to_offset(VIETNAM_OFFSET); // in range: checked above
    let code = rules.dossier_code(&procedure.implementing_unit, received_at.date(), sequence);
    let first = procedure.step(0).ok_or_else(Error::internal)?;
    // The receiving officer holds the first step when it is the desk's.
    let assignee = input
        .received_by
        .clone()
        .filter(|_| first.role == Role::Receiver);
    let dossier = Dossier {
        code: code.clone(),
        procedure_code: procedure.code.clone(),
        procedure_version: procedure.version,
        rule_set: rules.name.clone(),
        channel: input.channel,
        owner_unit: procedure.implementing_unit.clone(),
        applicant,
        summary,
        documents,
        received_at,
        counted_from,
        initial_due_at: due,
        legal_due_at: due,
        appointment_at: due,
        status: Status::Received,
        current_step: 0,
        step_started_at: received_at,
        step_paused_minutes: 0,
        assignee: assignee.clone(),
        paused_since: None,
        paused_minutes: 0,
        supplement_rounds: BTreeMap::new(),
        apologies: 0,
        result_number: None,
        resolved_at: None,
        finished_at: None,
        outcome: None,
        version: 1,
    };
    let event = Event {
        dossier_code: code,
        kind: EventKind::Register,
        action: None,
        at: received_at,
        actor: input.received_by,
        actor_unit: Some(procedure.implementing_unit.clone()),
        actor_role: None,
        from_status: None,
        to_status: Status::Received,
        from_step: None,
        to_step: 0,
        receiver_role: Some(first.role),
        receiver_unit: Some(first.unit.resolve(&procedure.implementing_unit).to_string()),
        receiver: assignee,
        note: None,
        reason: None,
        step_budget_minutes: None,
        step_used_minutes: None,
        timing: None,
        paused_minutes: None,
        due_before: None,
        due_after: Some(due),
        appointment_before: None,
        appointment_after: Some(due),
        version: 1,
    };
    Ok((dossier, event))
}

/// Checks the documents received against the procedure: unknown keys first (bad input),
/// then every missing or short non-optional document at once.
fn check_checklist(
    procedure: &Procedure,
    received: Vec<ReceivedDocument>,
) -> Result<Vec<ReceivedDocument>> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let mut unknown = Vec::new();
    for d in received {
        let key = d.key.trim().to_string();
        if procedure.documents.iter().any(|r| r.key == key) {
            let c = counts.entry(key).or_insert(0);
            *c = c.saturating_add(d.count);
        } else if !unknown.contains(&key) {
            unknown.push(key);
        }
    }
    if !unknown.is_empty() {
        return Err(Error::invalid(
            "checklist_unknown_document",
            format!(
                "Thủ tục {} không có thành phần hồ sơ: {}.",
                procedure.code,
                unknown.join(", ")
            ),
        )
        .with_details(json!({ "unknown": unknown })));
    }
    let missing: Vec<_> = procedure
        .documents
        .iter()
        .filter(|r| !r.optional)
        .filter_map(|r| {
            let got = counts.get(&r.key).copied().unwrap_or(0);
            (got < r.count).then(|| {
                json!({
                    "key": r.key,
                    "name": r.name,
                    "copy_kind": r.copy_kind,
                    "required": r.count,
                    "received": got,
                })
            })
        })
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().filter_map(|m| m["name"].as_str()).collect();
        return Err(Error::invalid(
            "checklist_incomplete",
            format!(
                "Hồ sơ chưa đầy đủ, cần bổ sung, hoàn thiện: {}.",
                names.join("; ")
            ),
        )
        .with_details(json!({ "missing": missing })));
    }
    // Keep the procedure's order.
    Ok(procedure
        .documents
        .iter()
        .filter_map(|r| {
            counts.get(&r.key).map(|c| ReceivedDocument {
                key: r.key.clone(),
                count: *c,
            })
        })
        .collect())
}
