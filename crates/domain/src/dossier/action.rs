//! Workflow actions on a dossier: [`apply`] one [`Action`] and get the new state and the
//! history/control-slip [`Event`]. The state/action/role table is in docs/one-stop.md.

use motcua_calendar::WorkingCalendar;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use super::{
    ClockPolicy, Dossier, Event, EventKind, Outcome, RuleSet, Status, calendar_error,
    legal_deadline, resolution_class, vn,
};
use crate::procedure::{Procedure, Step};
use crate::user::{Role, parse_username};
use crate::{Error, Result, text};

/// Longest reason or note.
pub const REASON_MAX: usize = 2000;
/// Longest result document number.
pub const DOCUMENT_NUMBER_MAX: usize = 100;
/// Longest supplement item.
pub const ITEM_MAX: usize = 500;

/// The signed-in person acting on a dossier. Scope (which dossiers they may see) is the
/// caller's check; [`apply`] checks roles against the dossier's state and workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Username.
    pub username: String,
    /// The person's roles.
    pub roles: Vec<Role>,
    /// Code of the person's unit.
    pub unit_code: String,
}

impl Actor {
    /// The first of `allowed` the actor holds, or 403.
    fn role_among(&self, allowed: &[Role]) -> Result<Role> {
        allowed
            .iter()
            .copied()
            .find(|r| self.roles.contains(r))
            .ok_or_else(Error::forbidden)
    }
}

/// One workflow action, as sent to `POST /api/v1/dossiers/{code}/actions`
/// (`{"action": "complete_step", "note": "…"}`). Texts are cleaned (NFC, trimmed); a
/// missing or blank required reason is 422 `reason_required`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Hand the dossier to a person of the acting unit (the current step's role or a leader).
    Assign {
        /// Username of the new holder.
        to: String,
    },
    /// Finish the current step (not a leader's step, not the last) and pass the dossier on.
    CompleteStep {
        /// Note on the control slip.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Send the dossier back to the previous step.
    ReturnToStep {
        /// Index of the step to return to: the current index − 1.
        step: u32,
        /// Why (required).
        #[serde(default)]
        reason: String,
    },
    /// Ask the applicant for more documents; pauses the clock (rule set: rounds per agency,
    /// pause or restart).
    RequestSupplement {
        /// Why (required).
        #[serde(default)]
        reason: String,
        /// What to supplement.
        #[serde(default)]
        items: Vec<String>,
    },
    /// The supplement arrived; the clock resumes.
    ReceiveSupplement {
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Ask the applicant to pay (financial obligation); pauses the clock.
    RequestPayment {
        /// Amount in đồng (> 0).
        amount_vnd: i64,
        /// What for (required).
        #[serde(default)]
        reason: String,
    },
    /// The payment arrived; the clock resumes.
    PaymentReceived {
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Send the apology and move the appointment (not the legal due instant).
    Apologise {
        /// Why the dossier will be late (required).
        #[serde(default)]
        reason: String,
        /// The new appointment, after the current one.
        #[serde(with = "time::serde::rfc3339")]
        new_appointment: OffsetDateTime,
    },
    /// A leader approves at a leader step (not the last) and passes the dossier on.
    Approve {
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Number and issue the result at the last step: the result is ready.
    IssueResult {
        /// Number of the result document (required).
        #[serde(default)]
        document_number: String,
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Hand the result over (end).
    ReturnResult {
        /// Who took it (required).
        #[serde(default)]
        to: String,
        /// Note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The applicant withdraws the dossier (end).
    Withdraw {
        /// Why (required).
        #[serde(default)]
        reason: String,
    },
    /// Stop processing, with a notice (end).
    Stop {
        /// Why (required).
        #[serde(default)]
        reason: String,
    },
    /// Refuse after appraisal (end); the refusal letter is the result.
    Refuse {
        /// Why (required).
        #[serde(default)]
        reason: String,
    },
}

impl Action {
    /// The event kind this action records.
    pub fn kind(&self) -> EventKind {
        match self {
            Action::Assign { .. } => EventKind::Assign,
            Action::CompleteStep { .. } => EventKind::CompleteStep,
            Action::ReturnToStep { .. } => EventKind::ReturnToStep,
            Action::RequestSupplement { .. } => EventKind::RequestSupplement,
            Action::ReceiveSupplement { .. } => EventKind::ReceiveSupplement,
            Action::RequestPayment { .. } => EventKind::RequestPayment,
            Action::PaymentReceived { .. } => EventKind::PaymentReceived,
            Action::Apologise { .. } => EventKind::Apologise,
            Action::Approve { .. } => EventKind::Approve,
            Action::IssueResult { .. } => EventKind::IssueResult,
            Action::ReturnResult { .. } => EventKind::ReturnResult,
            Action::Withdraw { .. } => EventKind::Withdraw,
            Action::Stop { .. } => EventKind::Stop,
            Action::Refuse { .. } => EventKind::Refuse,
        }
    }

    /// The snake_case action name.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Assign { .. } => "assign",
            Action::CompleteStep { .. } => "complete_step",
            Action::ReturnToStep { .. } => "return_to_step",
            Action::RequestSupplement { .. } => "request_supplement",
            Action::ReceiveSupplement { .. } => "receive_supplement",
            Action::RequestPayment { .. } => "request_payment",
            Action::PaymentReceived { .. } => "payment_received",
            Action::Apologise { .. } => "apologise",
            Action::Approve { .. } => "approve",
            Action::IssueResult { .. } => "issue_result",
            Action::ReturnResult { .. } => "return_result",
            Action::Withdraw { .. } => "withdraw",
            Action::Stop { .. } => "stop",
            Action::Refuse { .. } => "refuse",
        }
    }

    /// The statuses in which this action is allowed (docs/one-stop.md, state table).
    pub fn allowed_in(&self) -> &'static [Status] {
        use Status::*;
        const WORKING: &[Status] = &[Received, Processing];
        const OPEN: &[Status] = &[Received, Processing, AwaitingSupplement, AwaitingPayment];
        match self {
            Action::CompleteStep { .. }
            | Action::Approve { .. }
            | Action::IssueResult { .. }
            | Action::ReturnToStep { .. }
            | Action::RequestSupplement { .. }
            | Action::RequestPayment { .. } => WORKING,
            Action::Assign { .. }
            | Action::Apologise { .. }
            | Action::Withdraw { .. }
            | Action::Stop { .. } => OPEN,
            Action::ReceiveSupplement { .. } => &[AwaitingSupplement],
            Action::PaymentReceived { .. } => &[AwaitingPayment],
            Action::Refuse { .. } => &[Processing, AwaitingSupplement, AwaitingPayment],
            Action::ReturnResult { .. } => &[ResultReady],
        }
    }
}

/// The outcome of [`apply`]: the new state (version + 1) and what to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The dossier after the action.
    pub dossier: Dossier,
    /// History / control-slip entry.
    pub event: Event,
}

fn required_reason(reason: &str) -> Result<String> {
    let r = text::clean(reason);
    if r.is_empty() {
        return Err(Error::invalid("reason_required", "Cần ghi rõ lý do.")
            .with_details(json!({ "field": "reason" })));
    }
    text::required("reason", "Lý do", &r, REASON_MAX)
}

fn clean_note(note: &Option<String>) -> Result<Option<String>> {
    text::optional("note", "Ghi chú", note.as_deref(), REASON_MAX)
}

/// Applies one action by `actor` at `now` to a dossier received under `procedure` (its
/// version), `calendar` and `rules` (the rule set named in the dossier). Pure: on error
/// nothing changes; on success the caller persists [`Transition::dossier`] (compare-and-set
/// on the old version) and appends [`Transition::event`].
///
/// Errors: 409 `action_not_allowed_in_state` (wrong status), `step_needs_approval`,
/// `not_an_approval_step`, `step_is_last`, `step_not_last`, `supplement_rounds_exhausted`,
/// `apology_already_used`; 403 `forbidden` (role); 422 `reason_required`,
/// `return_step_invalid`, `amount_invalid`, `apology_too_late`, `apology_date_not_later`,
/// text and username errors, `procedure_version_mismatch`, calendar range errors.
pub fn apply(
    dossier: &Dossier,
    action: &Action,
    actor: &Actor,
    now: OffsetDateTime,
    procedure: &Procedure,
    calendar: &WorkingCalendar,
    rules: &RuleSet,
) -> Result<Transition> {
    if procedure.code != dossier.procedure_code || procedure.version != dossier.procedure_version {
        return Err(Error::invalid(
            "procedure_version_mismatch",
            "Hồ sơ phải được xử lý theo đúng phiên bản thủ tục khi tiếp nhận.",
        )
        .with_details(json!({
            "dossier": { "code": dossier.procedure_code, "version": dossier.procedure_version },
            "procedure": { "code": procedure.code, "version": procedure.version },
        })));
    }
    let from = dossier.status;
    if !action.allowed_in().contains(&from) {
        return Err(Error::conflict(
            "action_not_allowed_in_state",
            format!(
                "Không thể thực hiện thao tác này khi hồ sơ ở trạng thái \"{}\".",
                from.label()
            ),
        )
        .with_details(json!({ "action": action.name(), "status": from.as_str() })));
    }
    // Any instant the calendar can answer for converts to +07:00 without overflow.
    calendar
        .is_working_day(vn(now).date())
        .map_err(calendar_error)?;
    let now = vn(now);

    let mut d = dossier.clone();
    d.version += 1;
    let step = dossier.current_step(procedure);
    let step_role = step.map(|s| s.role);
    let mut ev = Event {
        dossier_code: dossier.code.clone(),
        kind: action.kind(),
        action: None,
        at: now,
        actor: Some(actor.username.clone()),
        actor_unit: Some(actor.unit_code.clone()),
        actor_role: None,
        from_status: Some(from),
        to_status: from,
        from_step: Some(dossier.current_step),
        to_step: dossier.current_step,
        receiver_role: None,
        receiver_unit: None,
        receiver: None,
        note: None,
        reason: None,
        step_budget_minutes: None,
        step_used_minutes: None,
        timing: None,
        paused_minutes: None,
        due_before: None,
        due_after: None,
        appointment_before: None,
        appointment_after: None,
        version: d.version,
    };
    // The roles allowed for "the current step's role or a leader".
    let step_or_leader: Vec<Role> = step_role.into_iter().chain([Role::Leader]).collect();
    let desk_step_or_leader: Vec<Role> = [Role::Receiver]
        .into_iter()
        .chain(step_role)
        .chain([Role::Leader])
        .collect();

    let applied = match action {
        Action::Assign { to } => {
            ev.actor_role = Some(actor.role_among(&step_or_leader)?);
            let to = parse_username(to)?;
            d.assignee = Some(to.clone());
            ev.receiver = Some(to.clone());
            set_receiver_to_step(&mut ev, step, &d.owner_unit);
            Action::Assign { to }
        }
        Action::CompleteStep { note } => {
            let s = step.ok_or_else(Error::internal)?;
            if is_last(procedure, dossier) {
                return Err(step_conflict(
                    "step_is_last",
                    "Đây là bước cuối: cần vào số và phát hành kết quả.",
                ));
            }
            if s.role == Role::Leader {
                return Err(step_conflict(
                    "step_needs_approval",
                    "Bước này do lãnh đạo phê duyệt.",
                ));
            }
            ev.actor_role = Some(actor.role_among(&[s.role])?);
            let note = clean_note(note)?;
            finish_step(&mut d, &mut ev, s, now, calendar)?;
            advance(&mut d, &mut ev, procedure, now);
            ev.note = note.clone();
            Action::CompleteStep { note }
        }
        Action::Approve { note } => {
            let s = step.ok_or_else(Error::internal)?;
            if s.role != Role::Leader {
                return Err(step_conflict(
                    "not_an_approval_step",
                    "Bước hiện tại không phải bước phê duyệt của lãnh đạo.",
                ));
            }
            if is_last(procedure, dossier) {
                return Err(step_conflict(
                    "step_is_last",
                    "Đây là bước cuối: cần vào số và phát hành kết quả.",
                ));
            }
            ev.actor_role = Some(actor.role_among(&[Role::Leader])?);
            let note = clean_note(note)?;
            finish_step(&mut d, &mut ev, s, now, calendar)?;
            advance(&mut d, &mut ev, procedure, now);
            ev.note = note.clone();
            Action::Approve { note }
        }
        Action::IssueResult {
            document_number,
            note,
        } => {
            let s = step.ok_or_else(Error::internal)?;
            if !is_last(procedure, dossier) {
                return Err(step_conflict(
                    "step_not_last",
                    "Chỉ phát hành kết quả ở bước cuối của quy trình.",
                ));
            }
            ev.actor_role = Some(actor.role_among(&[s.role])?);
            let number = text::required(
                "document_number",
                "Số văn bản kết quả",
                document_number,
                DOCUMENT_NUMBER_MAX,
            )?;
            let note = clean_note(note)?;
            finish_step(&mut d, &mut ev, s, now, calendar)?;
            d.current_step = dossier.current_step.saturating_add(1);
            d.step_started_at = now;
            d.step_paused_minutes = 0;
            d.assignee = None;
            d.status = Status::ResultReady;
            d.result_number = Some(number.clone());
            d.resolved_at = Some(now);
            d.outcome = Some(Outcome::Issued);
            ev.receiver_role = Some(Role::Receiver);
            ev.receiver_unit = Some(d.owner_unit.clone());
            ev.note = note.clone();
            Action::IssueResult {
                document_number: number,
                note,
            }
        }
        Action::ReturnToStep {
            step: target,
            reason,
        } => {
            ev.actor_role = Some(actor.role_among(&step_or_leader)?);
            if dossier.current_step == 0 || *target != dossier.current_step - 1 {
                return Err(Error::invalid(
                    "return_step_invalid",
                    "Chỉ được trả hồ sơ về bước liền trước.",
                )
                .with_details(json!({ "current_step": dossier.current_step, "step": target })));
            }
            let reason = required_reason(reason)?;
            d.current_step = *target;
            d.step_started_at = now;
            d.step_paused_minutes = 0;
            d.assignee = None;
            d.status = working_status(*target);
            set_receiver_to_step(&mut ev, procedure.step(*target), &d.owner_unit);
            ev.reason = Some(reason.clone());
            Action::ReturnToStep {
                step: *target,
                reason,
            }
        }
        Action::RequestSupplement { reason, items } => {
            ev.actor_role = Some(actor.role_among(&step_or_leader)?);
            let reason = required_reason(reason)?;
            let items = items
                .iter()
                .map(|i| text::required("items", "Nội dung cần bổ sung", i, ITEM_MAX))
                .collect::<Result<Vec<_>>>()?;
            // Once per agency (domain brief "Dossier lifecycle" 4) [S]: the agency is the unit
            // acting at the current step (the owner, or another unit of an inter-agency
            // workflow, which gets its own round); the number of rounds is a rule-set setting.
            let agency = dossier.acting_unit(procedure).to_string();
            let used = dossier.supplement_rounds.get(&agency).copied().unwrap_or(0);
            if used >= rules.supplement_rounds_per_agency {
                return Err(Error::conflict(
                    "supplement_rounds_exhausted",
                    format!(
                        "Cơ quan đã yêu cầu bổ sung hồ sơ {used} lần; không được yêu cầu thêm."
                    ),
                )
                .with_details(json!({ "agency": agency, "used": used })));
            }
            d.supplement_rounds.insert(agency, used + 1);
            d.status = Status::AwaitingSupplement;
            d.paused_since = Some(now);
            ev.reason = Some(reason.clone());
            Action::RequestSupplement { reason, items }
        }
        Action::RequestPayment { amount_vnd, reason } => {
            ev.actor_role = Some(actor.role_among(&step_or_leader)?);
            if *amount_vnd <= 0 {
                return Err(
                    Error::invalid("amount_invalid", "Số tiền phải lớn hơn 0 đồng.")
                        .with_details(json!({ "field": "amount_vnd" })),
                );
            }
            let reason = required_reason(reason)?;
            d.status = Status::AwaitingPayment;
            d.paused_since = Some(now);
            ev.reason = Some(reason.clone());
            Action::RequestPayment {
                amount_vnd: *amount_vnd,
                reason,
            }
        }
        Action::ReceiveSupplement { note } => {
            ev.actor_role = Some(actor.role_among(&desk_step_or_leader)?);
            let note = clean_note(note)?;
            resume(
                &mut d,
                &mut ev,
                now,
                procedure,
                calendar,
                rules,
                rules.supplement_clock,
            )?;
            set_receiver_to_step(&mut ev, step, &d.owner_unit);
            ev.note = note.clone();
            Action::ReceiveSupplement { note }
        }
        Action::PaymentReceived { note } => {
            ev.actor_role = Some(actor.role_among(&desk_step_or_leader)?);
            let note = clean_note(note)?;
            resume(
                &mut d,
                &mut ev,
                now,
                procedure,
                calendar,
                rules,
                ClockPolicy::Pause,
            )?;
            set_receiver_to_step(&mut ev, step, &d.owner_unit);
            ev.note = note.clone();
            Action::PaymentReceived { note }
        }
        Action::Apologise {
            reason,
            new_appointment,
        } => {
            ev.actor_role = Some(actor.role_among(&[Role::Leader, Role::Receiver])?);
            let reason = required_reason(reason)?;
            if dossier.apologies >= rules.max_reschedules {
                return Err(Error::conflict(
                    "apology_already_used",
                    format!(
                        "Ngày hẹn trả kết quả chỉ được điều chỉnh {} lần.",
                        rules.max_reschedules
                    ),
                ));
            }
            // At the latest one working day before the appointment (domain brief
            // "Dossier lifecycle" 7) [S]; the lead time is a rule-set setting.
            let lead = calendar
                .working_minutes_between(now, dossier.appointment_at)
                .map_err(calendar_error)?;
            if lead < rules.apology_lead_minutes {
                return Err(Error::invalid(
                    "apology_too_late",
                    format!(
                        "Văn bản xin lỗi phải gửi chậm nhất {} giờ làm việc trước thời hạn hẹn trả (còn {} phút).",
                        rules.apology_lead_minutes / 60,
                        lead
                    ),
                )
                .with_details(json!({ "lead_minutes": lead, "required_minutes": rules.apology_lead_minutes })));
            }
            calendar
                .is_working_day(vn(*new_appointment).date())
                .map_err(calendar_error)?;
            let new_at = vn(*new_appointment);
            if new_at <= dossier.appointment_at {
                return Err(Error::invalid(
                    "apology_date_not_later",
                    "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                )
                .with_details(json!({ "field": "new_appointment" })));
            }
            d.apologies += 1;
            d.appointment_at = new_at;
            ev.appointment_before = Some(dossier.appointment_at);
            ev.appointment_after = Some(new_at);
            ev.reason = Some(reason.clone());
            Action::Apologise {
                reason,
                new_appointment: new_at,
            }
        }
        Action::ReturnResult { to, note } => {
            ev.actor_role = Some(actor.role_among(&[Role::Receiver])?);
            let to = text::required("to", "Người nhận kết quả", to, 255)?;
            let note = clean_note(note)?;
            d.status = Status::Returned;
            d.finished_at = Some(now);
            ev.receiver = Some(to.clone());
            ev.note = note.clone();
            Action::ReturnResult { to, note }
        }
        Action::Withdraw { reason } => {
            ev.actor_role = Some(actor.role_among(&[Role::Receiver, Role::Leader])?);
            let reason = required_reason(reason)?;
            end(&mut d, now, Status::Withdrawn, Outcome::Withdrawn);
            ev.reason = Some(reason.clone());
            Action::Withdraw { reason }
        }
        Action::Stop { reason } => {
            ev.actor_role = Some(actor.role_among(&[Role::Receiver, Role::Leader])?);
            let reason = required_reason(reason)?;
            end(&mut d, now, Status::Stopped, Outcome::Stopped);
            ev.reason = Some(reason.clone());
            Action::Stop { reason }
        }
        Action::Refuse { reason } => {
            ev.actor_role = Some(actor.role_among(&[Role::Leader])?);
            let reason = required_reason(reason)?;
            end(&mut d, now, Status::Refused, Outcome::Refused);
            ev.reason = Some(reason.clone());
            Action::Refuse { reason }
        }
    };
    ev.to_status = d.status;
    ev.to_step = d.current_step;
    ev.action = Some(applied);
    Ok(Transition {
        dossier: d,
        event: ev,
    })
}

fn step_conflict(code: &'static str, message: &str) -> Error {
    Error::conflict(code, message)
}

fn is_last(procedure: &Procedure, dossier: &Dossier) -> bool {
    usize::try_from(dossier.current_step).is_ok_and(|i| i + 1 == procedure.workflow.steps.len())
}

/// `received` at the first step, `processing` after it.
fn working_status(step: u32) -> Status {
    if step == 0 {
        Status::Received
    } else {
        Status::Processing
    }
}

fn set_receiver_to_step(ev: &mut Event, step: Option<&Step>, owner_unit: &str) {
    if let Some(s) = step {
        ev.receiver_role = Some(s.role);
        ev.receiver_unit = Some(s.unit.resolve(owner_unit).to_string());
    }
}

/// Timing of the step that ends now against its budget (control slip "result"): the step's
/// due instant is its start plus its budget plus the working time paused during it.
fn finish_step(
    d: &mut Dossier,
    ev: &mut Event,
    step: &Step,
    now: OffsetDateTime,
    calendar: &WorkingCalendar,
) -> Result<()> {
    let elapsed = calendar
        .working_minutes_between(d.step_started_at, now)
        .map_err(calendar_error)?;
    let used = (elapsed - d.step_paused_minutes).max(0);
    let step_due = calendar
        .add_working_minutes(
            d.step_started_at,
            step.budget_for(d.channel)
                .saturating_add(d.step_paused_minutes),
        )
        .map_err(calendar_error)?;
    ev.step_budget_minutes = Some(step.budget_for(d.channel));
    ev.step_used_minutes = Some(used);
    ev.timing = Some(resolution_class(now, step_due));
    Ok(())
}

/// Moves to the next step.
fn advance(d: &mut Dossier, ev: &mut Event, procedure: &Procedure, now: OffsetDateTime) {
    d.current_step = d.current_step.saturating_add(1);
    d.step_started_at = now;
    d.step_paused_minutes = 0;
    d.assignee = None;
    d.status = working_status(d.current_step);
    set_receiver_to_step(ev, procedure.step(d.current_step), &d.owner_unit);
}

/// Ends a pause: with [`ClockPolicy::Pause`] the legal due instant (and the appointment)
/// move by exactly the paused working time; with [`ClockPolicy::Restart`] the full legal
/// time limit counts again from now. Both instants are kept in the event.
fn resume(
    d: &mut Dossier,
    ev: &mut Event,
    now: OffsetDateTime,
    procedure: &Procedure,
    calendar: &WorkingCalendar,
    rules: &RuleSet,
    policy: ClockPolicy,
) -> Result<()> {
    let since = d.paused_since.ok_or_else(Error::internal)?;
    let paused = calendar
        .working_minutes_between(since, now)
        .map_err(calendar_error)?;
    let old_due = d.legal_due_at;
    let old_appointment = d.appointment_at;
    match policy {
        ClockPolicy::Pause => {
            // A zero pause leaves the instants alone (adding 0 minutes would move a due
            // instant at the end of a day to the next morning).
            if paused > 0 {
                d.legal_due_at = calendar
                    .add_working_minutes(old_due, paused)
                    .map_err(calendar_error)?;
                d.appointment_at = calendar
                    .add_working_minutes(old_appointment, paused)
                    .map_err(calendar_error)?;
            }
        }
        ClockPolicy::Restart => {
            let terms = procedure.terms(d.channel)?;
            let (_, due) =
                legal_deadline(&terms.limit, None, now, calendar, rules.minutes_per_day)?;
            d.legal_due_at = due.max(old_due);
            d.appointment_at = if d.apologies == 0 {
                d.legal_due_at
            } else {
                old_appointment.max(d.legal_due_at)
            };
        }
    }
    d.paused_minutes = d.paused_minutes.saturating_add(paused);
    d.step_paused_minutes = d.step_paused_minutes.saturating_add(paused);
    d.paused_since = None;
    d.status = working_status(d.current_step);
    ev.paused_minutes = Some(paused);
    ev.due_before = Some(old_due);
    ev.due_after = Some(d.legal_due_at);
    if d.appointment_at != old_appointment {
        ev.appointment_before = Some(old_appointment);
        ev.appointment_after = Some(d.appointment_at);
    }
    Ok(())
}

/// Ends the dossier before a result: an open pause is closed without moving the due instant.
fn end(d: &mut Dossier, now: OffsetDateTime, status: Status, outcome: Outcome) {
    d.status = status;
    d.outcome = Some(outcome);
    d.paused_since = None;
    d.assignee = None;
    d.resolved_at = Some(now);
    d.finished_at = Some(now);
}
