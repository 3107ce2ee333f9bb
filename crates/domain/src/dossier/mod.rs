//! Dossiers (hồ sơ): intake, the lifecycle as a pure state machine, time accounting and the
//! classes used by statistics and the national portal (domain brief "Dossier lifecycle").
//!
//! Nothing here reads a clock or a database: every function takes `now`, the dossier's
//! [`Procedure`](crate::procedure::Procedure) version, the [`WorkingCalendar`] and the
//! [`RuleSet`] the dossier was received under, and returns a new value.
//!
//! - [`register`]: checks an [`Intake`] and creates the [`Dossier`] with its code and deadline.
//! - [`apply`]: one [`Action`] by one [`Actor`] → a [`Transition`] (new state + [`Event`]).
//! - [`resolution_class`], [`pending_class`]: on-time classes (Biểu 06, the portal).
//!
//! The rules, the state/action/role table and the time accounting are in docs/one-stop.md.

mod action;
pub mod applicant;
mod intake;
pub mod rules;

use std::collections::BTreeMap;

use motcua_calendar::{CalendarError, VIETNAM_OFFSET};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::procedure::{Channel, Procedure, Step};
use crate::user::Role;
use crate::{Error, ErrorKind, Result};

pub use action::{Action, Actor, Transition, apply};
pub use applicant::{
    Applicant, ApplicantKind, NewApplicant, parse_citizen_id, parse_email, parse_phone,
    parse_tax_code,
};
pub use intake::{Intake, ReceivedDocument, legal_deadline, register};
pub use rules::{
    ClockPolicy, PortalStatusMap, RuleBook, RuleSet, RuleSource, dossier_code, rule_set_unknown,
};

/// Where a dossier is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, clock running, at the first workflow step.
    Received,
    /// Being handled at a later workflow step.
    Processing,
    /// Waiting for the applicant's supplement; the clock is paused.
    AwaitingSupplement,
    /// Waiting for the applicant's payment (financial obligation); the clock is paused.
    AwaitingPayment,
    /// Approved and issued; waiting to be handed over.
    ResultReady,
    /// Result handed over (end).
    Returned,
    /// Withdrawn by the applicant (end).
    Withdrawn,
    /// Processing stopped, with a notice (end).
    Stopped,
    /// Refused after appraisal; the refusal letter is the result (end).
    Refused,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 9] = [
        Status::Received,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingPayment,
        Status::ResultReady,
        Status::Returned,
        Status::Withdrawn,
        Status::Stopped,
        Status::Refused,
    ];

    /// The snake_case name used in JSON and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Processing => "processing",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::AwaitingPayment => "awaiting_payment",
            Status::ResultReady => "result_ready",
            Status::Returned => "returned",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Refused => "refused",
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "Mới tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::AwaitingSupplement => "Chờ bổ sung hồ sơ",
            Status::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            Status::ResultReady => "Đã có kết quả, chờ trả",
            Status::Returned => "Đã trả kết quả",
            Status::Withdrawn => "Đã rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Refused => "Từ chối giải quyết",
        }
    }

    /// Not final: the dossier is still in the unit's hands (counts as pending).
    pub fn is_open(self) -> bool {
        !self.is_final()
    }

    /// The clock is paused (waiting for the applicant).
    pub fn is_paused(self) -> bool {
        matches!(self, Status::AwaitingSupplement | Status::AwaitingPayment)
    }

    /// Ended without a result (withdrawn by the applicant, or stopped): Biểu 06 counts such a
    /// dossier as received but neither resolved (column 7) nor pending (column 11); see
    /// docs/reports.md and `report::DossierFacts::without_result`.
    pub fn leaves_without_result(self) -> bool {
        matches!(self, Status::Withdrawn | Status::Stopped)
    }

    /// An end state: no action applies any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Returned | Status::Withdrawn | Status::Stopped | Status::Refused
        )
    }

    /// Whether processing has ended (result ready or a final state): the dossier counts as
    /// resolved in statistics from [`Dossier::resolved_at`].
    pub fn is_resolved(self) -> bool {
        self == Status::ResultReady || self.is_final()
    }
}

/// How a dossier ended (or will end once the result is handed over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Approved; the result document was issued.
    Issued,
    /// Refused after appraisal.
    Refused,
    /// Withdrawn by the applicant.
    Withdrawn,
    /// Processing stopped.
    Stopped,
}

/// A dossier's state, as storage persists it: plain fields only. Instants are in +07:00.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// Dossier code, e.g. `000.00.01.H22-250124-0007`.
    pub code: String,
    /// National code of the procedure.
    pub procedure_code: String,
    /// Version of the procedure the dossier was received under.
    pub procedure_version: i64,
    /// Name of the [`RuleSet`] the dossier was received under.
    pub rule_set: String,
    /// How it was received.
    pub channel: Channel,
    /// Code of the unit that owns the dossier (the procedure's implementing unit).
    pub owner_unit: String,
    /// The applicant.
    pub applicant: Applicant,
    /// Summary (trích yếu), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Documents received at intake.
    pub documents: Vec<ReceivedDocument>,
    /// When the complete dossier was received (the server's clock for online intake).
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// When the legal clock started: `received_at` inside office hours on a working day,
    /// otherwise the next working period; after a same-day cut-off, the next working day.
    #[serde(with = "time::serde::rfc3339")]
    pub counted_from: OffsetDateTime,
    /// The legal due instant computed at intake (never changes).
    #[serde(with = "time::serde::rfc3339")]
    pub initial_due_at: OffsetDateTime,
    /// The legal due instant: moved only by pauses (supplement, payment), never by an
    /// apology. Statistics classify against it.
    #[serde(with = "time::serde::rfc3339")]
    pub legal_due_at: OffsetDateTime,
    /// The date promised to the applicant: equals `legal_due_at` unless an apology moved it.
    #[serde(with = "time::serde::rfc3339")]
    pub appointment_at: OffsetDateTime,
    /// Lifecycle status.
    pub status: Status,
    /// Index of the current workflow step; equals the number of steps once the last step
    /// is done.
    pub current_step: u32,
    /// When the current step started (for its timing class).
    #[serde(with = "time::serde::rfc3339")]
    pub step_started_at: OffsetDateTime,
    /// Working minutes the clock was paused during the current step (not charged to it).
    pub step_paused_minutes: i64,
    /// Username of the person holding the dossier at the current step, if assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// When the current pause started; `Some` exactly when the status is paused.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub paused_since: Option<OffsetDateTime>,
    /// Total working minutes of completed pauses.
    pub paused_minutes: i64,
    /// Supplement rounds used, per agency (owner unit code in this version).
    #[serde(default)]
    pub supplement_rounds: BTreeMap<String, u32>,
    /// How many times an apology moved the appointment.
    pub apologies: u32,
    /// Number of the issued result document (số văn bản), once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_number: Option<String>,
    /// When processing ended (result issued, refused, stopped, withdrawn): the instant
    /// statistics classify with [`resolution_class`].
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// When the dossier reached a final state (result returned, refused, stopped, withdrawn).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// How it ended, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Optimistic-concurrency version: 1 at intake, +1 per applied action.
    pub version: i64,
}

impl Dossier {
    /// The current workflow step, `None` once the last step is done.
    pub fn current_step<'p>(&self, procedure: &'p Procedure) -> Option<&'p Step> {
        procedure.step(self.current_step)
    }

    /// The unit acting on the current step (for inboxes and scope checks).
    pub fn acting_unit<'a>(&'a self, procedure: &'a Procedure) -> &'a str {
        self.current_step(procedure)
            .map_or(self.owner_unit.as_str(), |s| {
                s.unit.resolve(&self.owner_unit)
            })
    }

    /// The role expected to act next: the current step's role; the receiver once the result
    /// is ready; `None` when final.
    pub fn acting_role(&self, procedure: &Procedure) -> Option<Role> {
        match self.status {
            Status::ResultReady => Some(Role::Receiver),
            s if s.is_final() => None,
            _ => self.current_step(procedure).map(|s| s.role),
        }
    }

    /// 409 `version_conflict` unless `seen` is the current version (the caller checks
    /// before [`apply`]).
    pub fn check_version(&self, seen: i64) -> Result<()> {
        if seen == self.version {
            Ok(())
        } else {
            Err(Error::version_conflict())
        }
    }

    /// The national portal's TrangThaiHoSo for this dossier.
    pub fn portal_status(&self, map: &PortalStatusMap) -> u8 {
        map.portal_status(self.status)
    }

    /// Resolution class once processing has ended, against the legal due instant.
    pub fn resolution_class(&self) -> Option<ResolutionClass> {
        self.resolved_at
            .map(|at| resolution_class(at, self.legal_due_at))
    }

    /// Pending class of an open dossier at `now`; `None` once resolved.
    pub fn pending_class(&self, now: OffsetDateTime) -> Option<PendingClass> {
        (!self.status.is_resolved()).then(|| pending_class(now, self.legal_due_at))
    }
}

/// Early, on time or late (for resolved dossiers and for workflow steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionClass {
    /// Trước hạn: finished on a local date before the due date.
    Early,
    /// Đúng hạn: on the due date and not after the due instant.
    OnTime,
    /// Quá hạn: after the due instant.
    Late,
}

impl ResolutionClass {
    /// Vietnamese label for slips and reports.
    pub fn label(self) -> &'static str {
        match self {
            ResolutionClass::Early => "Trước hạn",
            ResolutionClass::OnTime => "Đúng hạn",
            ResolutionClass::Late => "Quá hạn",
        }
    }
}

/// Within the deadline or overdue (open dossiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingClass {
    /// Trong hạn: now ≤ due.
    WithinDeadline,
    /// Quá hạn: now > due.
    Overdue,
}

/// An instant in Vietnam time (unchanged if the conversion would leave `time`'s range).
pub(crate) fn vn(t: OffsetDateTime) -> OffsetDateTime {
    t.checked_to_offset(VIETNAM_OFFSET).unwrap_or(t)
}

/// Classify a resolution (domain brief "Deadlines and on-time classes"): late if after the
/// due instant; early if on a Vietnam-local date before the due date; otherwise on time.
pub fn resolution_class(
    finished_at: OffsetDateTime,
    legal_due_at: OffsetDateTime,
) -> ResolutionClass {
    if finished_at > legal_due_at {
        ResolutionClass::Late
    } else if vn(finished_at).date() < vn(legal_due_at).date() {
        ResolutionClass::Early
    } else {
        ResolutionClass::OnTime
    }
}

/// Classify an open dossier: overdue once `now` is after the due instant.
pub fn pending_class(now: OffsetDateTime, legal_due_at: OffsetDateTime) -> PendingClass {
    if now > legal_due_at {
        PendingClass::Overdue
    } else {
        PendingClass::WithinDeadline
    }
}

/// What happened, for history and the control slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The dossier was received and registered.
    Register,
    /// See [`Action::Assign`].
    Assign,
    /// See [`Action::CompleteStep`].
    CompleteStep,
    /// See [`Action::ReturnToStep`].
    ReturnToStep,
    /// See [`Action::RequestSupplement`].
    RequestSupplement,
    /// See [`Action::ReceiveSupplement`].
    ReceiveSupplement,
    /// See [`Action::RequestPayment`].
    RequestPayment,
    /// See [`Action::PaymentReceived`].
    PaymentReceived,
    /// See [`Action::Apologise`].
    Apologise,
    /// See [`Action::Approve`].
    Approve,
    /// See [`Action::IssueResult`].
    IssueResult,
    /// See [`Action::ReturnResult`].
    ReturnResult,
    /// See [`Action::Withdraw`].
    Withdraw,
    /// See [`Action::Stop`].
    Stop,
    /// See [`Action::Refuse`].
    Refuse,
}

/// One entry of the dossier's history and of its control slip (Phiếu kiểm soát quá trình
/// giải quyết hồ sơ: giver, receiver, time, result, note). Instants in +07:00.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Dossier code.
    pub dossier_code: String,
    /// What happened.
    pub kind: EventKind,
    /// The action as applied (texts cleaned); `None` for registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Giver: the acting person's username (`None` for self-service online intake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The acting person's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_unit: Option<String>,
    /// The role the person acted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<Role>,
    /// Status before (`None` for registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<Status>,
    /// Status after.
    pub to_status: Status,
    /// Step index before (`None` for registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_step: Option<u32>,
    /// Step index after.
    pub to_step: u32,
    /// Receiver: the role expected to act next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_role: Option<Role>,
    /// Receiver: the unit expected to act next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_unit: Option<String>,
    /// Receiver: a named person (assignee, or whoever took the result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    /// Note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Reason (required for returns, supplements, payments, apologies and every end but
    /// the normal one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Budget of the step that finished with this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_budget_minutes: Option<i64>,
    /// Working minutes the finished step took (pauses excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_used_minutes: Option<i64>,
    /// Result on the control slip: the finished step was early, on time or late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<ResolutionClass>,
    /// Working minutes of the pause that ended with this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_minutes: Option<i64>,
    /// Legal due instant before, when this event moved it (NgayHenTraTruoc).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_before: Option<OffsetDateTime>,
    /// Legal due instant after, when this event moved it (NgayHenTraMoi).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_after: Option<OffsetDateTime>,
    /// Appointment before, when this event moved it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub appointment_before: Option<OffsetDateTime>,
    /// Appointment after, when this event moved it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub appointment_after: Option<OffsetDateTime>,
    /// The dossier's version after this event.
    pub version: i64,
}

/// A calendar error in the shared vocabulary (422 with the calendar's code and message).
pub(crate) fn calendar_error(e: CalendarError) -> Error {
    Error::new(ErrorKind::Unprocessable, e.code(), e.message())
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
