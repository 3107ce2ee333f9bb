//! The procedure catalogue (thủ tục hành chính, TTHC) and each procedure's workflow.
//!
//! A [`Procedure`] is what the national procedure database (CSDLQG về TTHC) publishes about an
//! administrative procedure (domain brief "Procedure catalogue"), plus the ministry's own
//! [`Workflow`]: ordered steps with an acting role, an acting unit and a time budget. The budgets
//! must add up to the legal time limit (domain brief: "the budgets add up to the procedure's legal
//! time"). [`NewProcedure`] is the JSON import/export format (docs/one-stop.md);
//! [`Procedure::parse`] checks it and reports **every** problem at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Time;

use crate::unit::UnitCode;
use crate::user::Role;
use crate::{Error, Result, text};

time::serde::format_description!(hour_minute, Time, "[hour]:[minute]");

/// Longest procedure name.
pub const NAME_MAX: usize = 1000;
/// Longest field name, level, document name, result or legal-basis entry.
pub const TEXT_MAX: usize = 1000;
/// Longest fee note.
pub const NOTE_MAX: usize = 2000;
/// Longest key (slug) of a step or a document.
pub const KEY_MAX: usize = 64;
/// Longest field (lĩnh vực) code.
pub const FIELD_CODE_MAX: usize = 64;
/// Default working minutes in a working day (8 hours; domain brief "Deadlines") [S].
pub const DEFAULT_MINUTES_PER_DAY: i64 = 480;

/// How a dossier reaches the agency. The numbers are the national portal's `HinhThuc`
/// codes (domain brief: "1 in person, 2 online, 3 public postal service") [V field, S numbers].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Trực tiếp: at the one-stop desk (1).
    InPerson,
    /// Trực tuyến: through the national portal (2).
    Online,
    /// Bưu chính công ích (BCCI): public postal service (3).
    Postal,
}

impl Channel {
    /// Every channel, in portal-number order.
    pub const ALL: [Channel; 3] = [Channel::InPerson, Channel::Online, Channel::Postal];

    /// The national portal's number for this channel (1, 2 or 3).
    pub fn portal_number(self) -> u8 {
        match self {
            Channel::InPerson => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        }
    }

    /// The channel with a portal number, if any.
    pub fn from_portal_number(number: u8) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.portal_number() == number)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    /// Vietnamese label for pages and slips.
    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Postal => "Dịch vụ bưu chính công ích",
        }
    }
}

/// The unit of a legal time limit (ngày làm việc, giờ làm việc, ngày).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// Ngày làm việc: working days of `minutes_per_day` working minutes.
    WorkingDays,
    /// Giờ làm việc: working hours of 60 working minutes.
    WorkingHours,
    /// Ngày: calendar days (Bộ luật Dân sự 2015, Điều 147–148; see docs/one-stop.md).
    CalendarDays,
}

/// A legal time limit, e.g. 5 working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: LimitUnit,
}

impl TimeLimit {
    /// Working minutes of this limit when it is counted in working time, `None` for calendar
    /// days (which are counted on the calendar, not in working minutes).
    pub fn working_minutes(&self, minutes_per_day: i64) -> Option<i64> {
        match self.unit {
            LimitUnit::WorkingDays => Some(i64::from(self.amount) * minutes_per_day),
            LimitUnit::WorkingHours => Some(i64::from(self.amount) * 60),
            LimitUnit::CalendarDays => None,
        }
    }

    /// The internal plan in working minutes that a workflow's step budgets must add up to:
    /// the working minutes for working-time limits; for calendar days, `amount ×
    /// minutes_per_day` (one working day of budget per calendar day — a planning convention
    /// only, the legal due instant is still computed on the calendar; docs/one-stop.md).
    pub fn plan_minutes(&self, minutes_per_day: i64) -> i64 {
        self.working_minutes(minutes_per_day)
            .unwrap_or(i64::from(self.amount) * minutes_per_day)
    }

    /// Vietnamese wording, e.g. "05 ngày làm việc".
    pub fn label(&self) -> String {
        let unit = match self.unit {
            LimitUnit::WorkingDays => "ngày làm việc",
            LimitUnit::WorkingHours => "giờ làm việc",
            LimitUnit::CalendarDays => "ngày",
        };
        format!("{:02} {unit}", self.amount)
    }
}

/// The terms of one channel: its legal time limit and fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelTerms {
    /// The channel.
    pub channel: Channel,
    /// The legal time limit (thời hạn giải quyết) for dossiers received through it.
    pub limit: TimeLimit,
    /// Fees and charges (phí, lệ phí) in integer đồng; 0 when free.
    #[serde(default)]
    pub fee_vnd: i64,
    /// Free-text note on the fee (exemptions, per-copy charges …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_note: Option<String>,
}

/// Whether a required document is the original or a copy (bản chính / bản sao).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Bản chính.
    Original,
    /// Bản sao (plain copy).
    Copy,
    /// Bản sao có chứng thực (certified copy).
    CertifiedCopy,
    /// Bản chính hoặc bản sao.
    OriginalOrCopy,
}

impl CopyKind {
    /// Vietnamese label for the checklist.
    pub fn label(self) -> &'static str {
        match self {
            CopyKind::Original => "Bản chính",
            CopyKind::Copy => "Bản sao",
            CopyKind::CertifiedCopy => "Bản sao có chứng thực",
            CopyKind::OriginalOrCopy => "Bản chính hoặc bản sao",
        }
    }
}

/// One entry of the procedure's dossier composition (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredDocument {
    /// Stable slug used by intake checklists, e.g. `don_de_nghi`.
    pub key: String,
    /// Name as published.
    pub name: String,
    /// Original or copy.
    pub copy_kind: CopyKind,
    /// Number of copies (≥ 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Whether the dossier is complete without it.
    #[serde(default)]
    pub optional: bool,
}

fn one() -> u32 {
    1
}

/// Field of activity (lĩnh vực).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Field code as in the national database.
    pub code: String,
    /// Field name.
    pub name: String,
}

/// How much of the procedure can be done online (mức độ dịch vụ công trực tuyến).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// "Toàn trình": fully online.
    FullyOnline,
    /// "Một phần": partly online.
    Partial,
    /// Not offered online.
    None,
}

/// The unit that acts on a workflow step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepUnit {
    /// The unit that owns (received) the dossier.
    Owner,
    /// A named unit (inter-agency, "liên thông").
    Unit(String),
}

impl StepUnit {
    /// The acting unit's code given the dossier's owner unit.
    pub fn resolve<'a>(&'a self, owner_unit: &'a str) -> &'a str {
        match self {
            StepUnit::Owner => owner_unit,
            StepUnit::Unit(code) => code,
        }
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Slug, unique within the workflow, e.g. `tham_dinh`.
    pub key: String,
    /// Name shown on the control slip, e.g. "Thẩm định hồ sơ".
    pub name: String,
    /// Who acts: receiver, specialist, leader or clerk.
    pub role: Role,
    /// Which unit acts.
    pub unit: StepUnit,
    /// Time budget in working minutes (> 0).
    pub budget_minutes: i64,
    /// The step's budget on channels whose legal time limit differs (a shorter online limit,
    /// say): `{"online": 240}`. A channel not listed uses `budget_minutes`. For each channel the
    /// budgets must still add up to its limit (domain brief: time limits are per channel, and
    /// "the budgets add up to the procedure's legal time").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channel_budgets: BTreeMap<Channel, i64>,
}

impl Step {
    /// The step's budget for a dossier received through `channel`, in working minutes.
    pub fn budget_for(&self, channel: Channel) -> i64 {
        self.channel_budgets
            .get(&channel)
            .copied()
            .unwrap_or(self.budget_minutes)
    }
}

/// The ordered steps a dossier goes through (parallel steps are a later extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// At least one step.
    pub steps: Vec<Step>,
}

impl Workflow {
    /// Sum of the step budgets, in working minutes (without per-channel budgets).
    pub fn total_minutes(&self) -> i64 {
        self.steps
            .iter()
            .fold(0i64, |sum, s| sum.saturating_add(s.budget_minutes))
    }

    /// Sum of the step budgets for a dossier received through `channel`.
    pub fn total_for(&self, channel: Channel) -> i64 {
        self.steps
            .iter()
            .fold(0i64, |sum, s| sum.saturating_add(s.budget_for(channel)))
    }

    /// Checks that the step budgets add up to the plan of every channel
    /// ([`TimeLimit::plan_minutes`]); one error per channel that does not match.
    pub fn check_budgets(
        &self,
        channels: &[ChannelTerms],
        minutes_per_day: i64,
    ) -> Vec<FieldError> {
        channels
            .iter()
            .enumerate()
            .filter_map(|(i, terms)| {
                let total = self.total_for(terms.channel);
                let plan = terms.limit.plan_minutes(minutes_per_day);
                (plan != total).then(|| FieldError {
                    field: format!("channels[{i}].limit"),
                    code: "workflow_budget_mismatch",
                    message: format!(
                        "Tổng thời gian các bước ({}) khác thời hạn luật định ({}, tức {}) của hình thức {}.",
                        hours_label(total),
                        terms.limit.label(),
                        hours_label(plan),
                        terms.channel.label()
                    ),
                })
            })
            .collect()
    }
}

impl Workflow {
    /// [`Workflow::check_budgets`] as one error: 422 `workflow_budget_mismatch` naming the
    /// first channel whose limit the budgets do not add up to, with
    /// `details: {channel, limit, limit_minutes, steps_minutes}`.
    pub fn validate_budgets(&self, channels: &[ChannelTerms], minutes_per_day: i64) -> Result<()> {
        match channels
            .iter()
            .find(|t| t.limit.plan_minutes(minutes_per_day) != self.total_for(t.channel))
        {
            None => Ok(()),
            Some(terms) => {
                let total = self.total_for(terms.channel);
                let plan = terms.limit.plan_minutes(minutes_per_day);
                Err(Error::invalid(
                    "workflow_budget_mismatch",
                    format!(
                        "Tổng thời gian các bước ({}) khác thời hạn luật định ({}, tức {}) của hình thức {}.",
                        hours_label(total),
                        terms.limit.label(),
                        hours_label(plan),
                        terms.channel.label()
                    ),
                )
                .with_details(json!({
                    "channel": terms.channel.as_str(),
                    "limit": terms.limit,
                    "limit_minutes": plan,
                    "steps_minutes": total,
                })))
            }
        }
    }
}

/// "36 giờ làm việc" or "36 giờ 30 phút làm việc".
fn hours_label(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h} giờ làm việc")
    } else {
        format!("{h} giờ {m} phút làm việc")
    }
}

/// One problem found while checking input; [`Procedure::parse`] reports them all in
/// `details.errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON path of the offending field, e.g. `workflow.steps[2].budget_minutes`.
    pub field: String,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Vietnamese message.
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    fn from_error(field: impl Into<String>, e: Error) -> Self {
        Self::new(field, e.code, e.message)
    }
}

/// A procedure with its workflow, as stored. Build one with [`Procedure::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// National code, `^\d\.\d{6}(\.[A-Z0-9]+)?$`, e.g. `1.000948` or `1.000948.H38`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: Field,
    /// Level of government (cấp thực hiện), as published, e.g. "Cấp Bộ".
    pub level: String,
    /// Code of the implementing unit (cơ quan thực hiện); dossiers are owned by it.
    pub implementing_unit: String,
    /// Per channel: time limit and fee. At least one channel, each at most once.
    pub channels: Vec<ChannelTerms>,
    /// Dossier composition.
    pub documents: Vec<RequiredDocument>,
    /// Result documents (kết quả).
    pub results: Vec<String>,
    /// Legal basis (căn cứ pháp lý).
    pub legal_basis: Vec<String>,
    /// Online level.
    pub online_level: OnlineLevel,
    /// Same-day cut-off (e.g. 15:00): a dossier received after it counts from the next
    /// working day (domain brief "Deadlines") [S]. Serialised as `HH:MM`.
    #[serde(default, with = "hour_minute::option")]
    pub same_day_cutoff: Option<Time>,
    /// The workflow.
    pub workflow: Workflow,
    /// Version; editing creates a new version and dossiers keep theirs.
    pub version: i64,
}

/// A procedure as imported or typed (the JSON format of docs/one-stop.md). Unknown fields
/// are refused so a typo never silently drops data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProcedure {
    /// See [`Procedure::code`].
    pub code: String,
    /// See [`Procedure::name`].
    pub name: String,
    /// See [`Procedure::field`].
    pub field: Field,
    /// See [`Procedure::level`].
    pub level: String,
    /// See [`Procedure::implementing_unit`].
    pub implementing_unit: String,
    /// See [`Procedure::channels`].
    pub channels: Vec<ChannelTerms>,
    /// See [`Procedure::documents`].
    #[serde(default)]
    pub documents: Vec<RequiredDocument>,
    /// See [`Procedure::results`].
    #[serde(default)]
    pub results: Vec<String>,
    /// See [`Procedure::legal_basis`].
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// See [`Procedure::online_level`].
    pub online_level: OnlineLevel,
    /// See [`Procedure::same_day_cutoff`].
    #[serde(
        default,
        with = "hour_minute::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub same_day_cutoff: Option<Time>,
    /// See [`Procedure::workflow`].
    pub workflow: Workflow,
}

/// Whether `code` is a national procedure code: `^\d\.\d{6}(\.[A-Z0-9]+)?$`.
pub fn is_procedure_code(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 8 || !b[0].is_ascii_digit() || b[1] != b'.' {
        return false;
    }
    if !b[2..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    match &b[8..] {
        [] => true,
        [b'.', rest @ ..] => {
            !rest.is_empty()
                && rest
                    .iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }
        _ => false,
    }
}

/// Whether `key` is a slug: 1–64 of `a-z`, `0-9`, `_`, `-`.
pub fn is_slug(key: &str) -> bool {
    (1..=KEY_MAX).contains(&key.len())
        && key
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// Roles that may act on a workflow step.
pub const STEP_ROLES: [Role; 4] = [Role::Receiver, Role::Specialist, Role::Leader, Role::Clerk];

impl Procedure {
    /// Checks an imported procedure and builds it at version 1 (storage assigns later
    /// versions). `minutes_per_day` converts working days to minutes (the rule set's,
    /// [`DEFAULT_MINUTES_PER_DAY`] by default). Every problem is reported in one
    /// `procedure_invalid` error with `details.errors: [{field, code, message}]`.
    pub fn parse(input: NewProcedure, minutes_per_day: i64) -> Result<Procedure> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut keep = |field: &str, r: Result<String>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(FieldError::from_error(field, e));
                String::new()
            }
        };

        let code = input.code.trim().to_string();
        let name = keep(
            "name",
            text::required("name", "Tên thủ tục", &input.name, NAME_MAX),
        );
        let field = Field {
            code: keep(
                "field.code",
                text::required(
                    "field.code",
                    "Mã lĩnh vực",
                    &input.field.code,
                    FIELD_CODE_MAX,
                ),
            ),
            name: keep(
                "field.name",
                text::required("field.name", "Tên lĩnh vực", &input.field.name, TEXT_MAX),
            ),
        };
        let level = keep(
            "level",
            text::required("level", "Cấp thực hiện", &input.level, TEXT_MAX),
        );
        let implementing_unit = keep(
            "implementing_unit",
            UnitCode::parse(&input.implementing_unit).map(|c| c.as_str().to_string()),
        );

        let mut channels = Vec::with_capacity(input.channels.len());
        for (i, terms) in input.channels.into_iter().enumerate() {
            let fee_note = keep(
                &format!("channels[{i}].fee_note"),
                text::optional(
                    "fee_note",
                    "Ghi chú lệ phí",
                    terms.fee_note.as_deref(),
                    NOTE_MAX,
                )
                .map(Option::unwrap_or_default),
            );
            channels.push(ChannelTerms {
                fee_note: (!fee_note.is_empty()).then_some(fee_note),
                ..terms
            });
        }

        let mut documents = Vec::with_capacity(input.documents.len());
        for (i, d) in input.documents.into_iter().enumerate() {
            let name = keep(
                &format!("documents[{i}].name"),
                text::required("name", "Tên giấy tờ", &d.name, TEXT_MAX),
            );
            documents.push(RequiredDocument {
                key: d.key.trim().to_string(),
                name,
                ..d
            });
        }

        let results: Vec<String> = input
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                keep(
                    &format!("results[{i}]"),
                    text::required("results", "Kết quả", r, TEXT_MAX),
                )
            })
            .collect();
        let legal_basis: Vec<String> = input
            .legal_basis
            .iter()
            .enumerate()
            .map(|(i, r)| {
                keep(
                    &format!("legal_basis[{i}]"),
                    text::required("legal_basis", "Căn cứ pháp lý", r, TEXT_MAX),
                )
            })
            .collect();

        let mut steps = Vec::with_capacity(input.workflow.steps.len());
        for (i, s) in input.workflow.steps.into_iter().enumerate() {
            let name = keep(
                &format!("workflow.steps[{i}].name"),
                text::required("name", "Tên bước", &s.name, TEXT_MAX),
            );
            let unit = match s.unit {
                StepUnit::Owner => StepUnit::Owner,
                StepUnit::Unit(code) => StepUnit::Unit(keep(
                    &format!("workflow.steps[{i}].unit"),
                    UnitCode::parse(&code).map(|c| c.as_str().to_string()),
                )),
            };
            steps.push(Step {
                key: s.key.trim().to_string(),
                name,
                unit,
                ..s
            });
        }

        // Structural checks that text::required does not cover.
        if !is_procedure_code(&code) {
            errors.push(FieldError::new(
                "code",
                "procedure_code_invalid",
                format!("Mã thủ tục \"{code}\" không hợp lệ: cần dạng 1.000948 hoặc 1.000948.H38."),
            ));
        }
        check_channels(&channels, &mut errors);
        check_documents(&documents, &mut errors);
        check_steps(&steps, &channels, &mut errors);
        if input.same_day_cutoff.is_some_and(|t| t == Time::MIDNIGHT) {
            errors.push(FieldError::new(
                "same_day_cutoff",
                "cutoff_invalid",
                "Giờ tiếp nhận cuối trong ngày phải sau 00:00.",
            ));
        }
        if minutes_per_day <= 0 {
            errors.push(FieldError::new(
                "minutes_per_day",
                "minutes_per_day_invalid",
                "Số phút làm việc một ngày phải lớn hơn 0.",
            ));
        }
        let workflow = Workflow { steps };
        // Budgets are compared only once each step budget is valid, so one mistake is not
        // reported twice.
        let budgets_valid = workflow.steps.iter().all(|s| {
            s.budget_minutes > 0
                && s.channel_budgets.iter().all(|(channel, minutes)| {
                    *minutes > 0 && channels.iter().any(|t| t.channel == *channel)
                })
        });
        if !workflow.steps.is_empty() && budgets_valid {
            errors.extend(workflow.check_budgets(&channels, minutes_per_day));
        }

        if !errors.is_empty() {
            return Err(procedure_invalid(errors));
        }
        Ok(Procedure {
            code,
            name,
            field,
            level,
            implementing_unit,
            channels,
            documents,
            results,
            legal_basis,
            online_level: input.online_level,
            same_day_cutoff: input.same_day_cutoff,
            workflow,
            version: 1,
        })
    }

    /// The import/export form of this procedure (everything but the version).
    pub fn to_new(&self) -> NewProcedure {
        NewProcedure {
            code: self.code.clone(),
            name: self.name.clone(),
            field: self.field.clone(),
            level: self.level.clone(),
            implementing_unit: self.implementing_unit.clone(),
            channels: self.channels.clone(),
            documents: self.documents.clone(),
            results: self.results.clone(),
            legal_basis: self.legal_basis.clone(),
            online_level: self.online_level,
            same_day_cutoff: self.same_day_cutoff,
            workflow: self.workflow.clone(),
        }
    }

    /// The terms of a channel, or 422 `channel_not_offered`.
    pub fn terms(&self, channel: Channel) -> Result<&ChannelTerms> {
        self.channels
            .iter()
            .find(|t| t.channel == channel)
            .ok_or_else(|| {
                Error::invalid(
                    "channel_not_offered",
                    format!(
                        "Thủ tục {} không tiếp nhận hồ sơ theo hình thức {}.",
                        self.code,
                        channel.label().to_lowercase()
                    ),
                )
                .with_details(json!({ "channel": channel.as_str() }))
            })
    }

    /// The workflow step at `index`, if any.
    pub fn step(&self, index: u32) -> Option<&Step> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.workflow.steps.get(i))
    }
}

fn procedure_invalid(errors: Vec<FieldError>) -> Error {
    let count = errors.len();
    Error::invalid(
        "procedure_invalid",
        format!("Thủ tục không hợp lệ: có {count} lỗi cần sửa."),
    )
    .with_details(json!({ "errors": errors }))
}

fn check_channels(channels: &[ChannelTerms], errors: &mut Vec<FieldError>) {
    if channels.is_empty() {
        errors.push(FieldError::new(
            "channels",
            "channels_empty",
            "Thủ tục phải có ít nhất một hình thức tiếp nhận.",
        ));
    }
    for (i, terms) in channels.iter().enumerate() {
        if channels[..i].iter().any(|t| t.channel == terms.channel) {
            errors.push(FieldError::new(
                format!("channels[{i}].channel"),
                "channel_duplicate",
                format!(
                    "Hình thức {} được khai báo nhiều lần.",
                    terms.channel.label()
                ),
            ));
        }
        if terms.limit.amount == 0 {
            errors.push(FieldError::new(
                format!("channels[{i}].limit.amount"),
                "time_limit_invalid",
                "Thời hạn giải quyết phải lớn hơn 0.",
            ));
        }
        if terms.fee_vnd < 0 {
            errors.push(FieldError::new(
                format!("channels[{i}].fee_vnd"),
                "fee_negative",
                "Phí, lệ phí không được âm.",
            ));
        }
    }
}

fn check_documents(documents: &[RequiredDocument], errors: &mut Vec<FieldError>) {
    for (i, d) in documents.iter().enumerate() {
        if !is_slug(&d.key) {
            errors.push(FieldError::new(
                format!("documents[{i}].key"),
                "document_key_invalid",
                format!(
                    "Khóa giấy tờ \"{}\" không hợp lệ: chỉ dùng a-z, 0-9, _ và -, tối đa {KEY_MAX} ký tự.",
                    d.key
                ),
            ));
        } else if documents[..i].iter().any(|o| o.key == d.key) {
            errors.push(FieldError::new(
                format!("documents[{i}].key"),
                "document_key_duplicate",
                format!("Khóa giấy tờ \"{}\" bị trùng.", d.key),
            ));
        }
        if d.count == 0 {
            errors.push(FieldError::new(
                format!("documents[{i}].count"),
                "document_count_invalid",
                "Số lượng giấy tờ phải lớn hơn 0.",
            ));
        }
    }
}

fn check_steps(steps: &[Step], channels: &[ChannelTerms], errors: &mut Vec<FieldError>) {
    if steps.is_empty() {
        errors.push(FieldError::new(
            "workflow.steps",
            "workflow_empty",
            "Quy trình phải có ít nhất một bước.",
        ));
    }
    for (i, s) in steps.iter().enumerate() {
        if !is_slug(&s.key) {
            errors.push(FieldError::new(
                format!("workflow.steps[{i}].key"),
                "step_key_invalid",
                format!(
                    "Khóa bước \"{}\" không hợp lệ: chỉ dùng a-z, 0-9, _ và -, tối đa {KEY_MAX} ký tự.",
                    s.key
                ),
            ));
        } else if steps[..i].iter().any(|o| o.key == s.key) {
            errors.push(FieldError::new(
                format!("workflow.steps[{i}].key"),
                "step_key_duplicate",
                format!("Khóa bước \"{}\" bị trùng.", s.key),
            ));
        }
        if !STEP_ROLES.contains(&s.role) {
            errors.push(FieldError::new(
                format!("workflow.steps[{i}].role"),
                "step_role_invalid",
                format!(
                    "Vai trò \"{}\" không thực hiện được bước của quy trình (chỉ tiếp nhận, chuyên viên, lãnh đạo, văn thư).",
                    s.role.label()
                ),
            ));
        }
        if s.budget_minutes <= 0 {
            errors.push(FieldError::new(
                format!("workflow.steps[{i}].budget_minutes"),
                "step_budget_invalid",
                "Thời gian của mỗi bước phải lớn hơn 0 phút.",
            ));
        }
        for (channel, minutes) in &s.channel_budgets {
            let field = format!("workflow.steps[{i}].channel_budgets.{}", channel.as_str());
            if *minutes <= 0 {
                errors.push(FieldError::new(
                    field,
                    "step_budget_invalid",
                    "Thời gian của mỗi bước phải lớn hơn 0 phút.",
                ));
            } else if !channels.iter().any(|t| t.channel == *channel) {
                errors.push(FieldError::new(
                    field,
                    "step_budget_channel_unknown",
                    format!(
                        "Thủ tục không nhận hồ sơ theo hình thức {}: không đặt thời gian riêng cho hình thức này.",
                        channel.label()
                    ),
                ));
            }
        }
    }
}

/// A realistic example procedure for tests (the same JSON as the example in
/// docs/one-stop.md, which a test keeps in step).
#[cfg(test)]
pub(crate) const EXAMPLE_JSON: &str = r#"{
  "code": "1.009999",
  "name": "Xác nhận thời gian công tác trong quân đội (ví dụ minh họa)",
  "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
  "level": "Cấp Bộ",
  "implementing_unit": "000.00.01.H22",
  "channels": [
    { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
    { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
    { "channel": "postal", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0,
      "fee_note": "Cước bưu chính do người nộp trả theo giá dịch vụ." }
  ],
  "documents": [
    { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận (theo mẫu)", "copy_kind": "original", "count": 1 },
    { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1 },
    { "key": "quyet_dinh", "name": "Quyết định nhập ngũ, xuất ngũ", "copy_kind": "certified_copy", "count": 1 },
    { "key": "giay_uy_quyen", "name": "Giấy ủy quyền (nếu nộp thay)", "copy_kind": "original", "count": 1, "optional": true }
  ],
  "results": ["Giấy xác nhận thời gian công tác"],
  "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
  "online_level": "partial",
  "same_day_cutoff": null,
  "workflow": {
    "steps": [
      { "key": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
      { "key": "tham_dinh", "name": "Thẩm định hồ sơ", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
      { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 600 },
      { "key": "ban_hanh", "name": "Vào số, đóng dấu, phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
    ]
  }
}"#;

/// The example procedure, parsed.
#[cfg(test)]
pub(crate) fn example() -> Procedure {
    let input: NewProcedure = serde_json::from_str(EXAMPLE_JSON).expect("example JSON");
    Procedure::parse(input, DEFAULT_MINUTES_PER_DAY).expect("example procedure")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_input() -> NewProcedure {
        serde_json::from_str(EXAMPLE_JSON).expect("example JSON")
    }

    fn error_codes(e: &Error) -> Vec<String> {
        e.details.as_ref().expect("details")["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|x| x["code"].as_str().expect("code").to_string())
            .collect()
    }

    #[test]
    fn example_parses_and_round_trips() {
        let p = example();
        assert_eq!(p.version, 1);
        assert_eq!(p.workflow.total_minutes(), 2400);
        assert_eq!(p.implementing_unit, "000.00.01.H22");
        let again = Procedure::parse(p.to_new(), DEFAULT_MINUTES_PER_DAY).expect("round trip");
        assert_eq!(again, p);
        let json = serde_json::to_string(&p).expect("serialise");
        let back: Procedure = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, p);
    }

    #[test]
    fn docs_example_is_the_tested_example() {
        let docs = include_str!("../../../docs/one-stop.md");
        let start = docs
            .find("```json\n{\n  \"code\": \"1.009999\"")
            .expect("example in docs");
        let body = &docs[start + "```json\n".len()..];
        let end = body.find("\n```").expect("end of example");
        let from_docs: NewProcedure = serde_json::from_str(&body[..end]).expect("docs JSON");
        assert_eq!(from_docs, example_input());
    }

    #[test]
    fn procedure_codes() {
        for ok in ["1.000948", "2.000635", "1.000948.H38", "1.000948.BQP"] {
            assert!(is_procedure_code(ok), "{ok}");
        }
        for bad in [
            "",
            "1.00094",
            "1.0009488",
            "10.000948",
            "1.000948.",
            "1.000948.h38",
            "1-000948",
        ] {
            assert!(!is_procedure_code(bad), "{bad}");
        }
    }

    #[test]
    fn budgets_must_add_up_to_the_limit() {
        let mut input = example_input();
        input.workflow.steps[1].budget_minutes = 1140; // one hour short
        let e = Procedure::parse(input.clone(), DEFAULT_MINUTES_PER_DAY).expect_err("mismatch");
        assert_eq!(e.code, "procedure_invalid");
        // One error per channel (all three are 5 working days).
        assert_eq!(error_codes(&e), vec!["workflow_budget_mismatch"; 3]);
        assert!(
            e.details.expect("details")["errors"][0]["message"]
                .as_str()
                .expect("message")
                .contains("39 giờ làm việc")
        );

        let w = Workflow {
            steps: input.workflow.steps.clone(),
        };
        let single = w
            .validate_budgets(&input.channels, DEFAULT_MINUTES_PER_DAY)
            .expect_err("mismatch");
        assert_eq!(single.code, "workflow_budget_mismatch");
        let d = single.details.expect("details");
        assert_eq!(d["limit_minutes"], 2400);
        assert_eq!(d["steps_minutes"], 2340);
    }

    #[test]
    fn channels_with_different_limits_take_per_channel_budgets() {
        // Online in 4 working days, at the counter and by post in 5: the appraisal step is a
        // day shorter online.
        let mut input = example_input();
        input.channels[1].limit.amount = 4;
        let e = Procedure::parse(input.clone(), DEFAULT_MINUTES_PER_DAY).expect_err("online");
        assert_eq!(error_codes(&e), vec!["workflow_budget_mismatch"]);
        assert_eq!(
            e.details.expect("details")["errors"][0]["field"],
            "channels[1].limit"
        );
        input.workflow.steps[1]
            .channel_budgets
            .insert(Channel::Online, 1200 - 480);
        let p = Procedure::parse(input.clone(), DEFAULT_MINUTES_PER_DAY).expect("per channel");
        assert_eq!(p.workflow.total_for(Channel::InPerson), 2400);
        assert_eq!(p.workflow.total_for(Channel::Online), 1920);
        assert_eq!(p.workflow.steps[1].budget_for(Channel::Postal), 1200);
        // Stored and read back as JSON, `{"online": 720}` under the step.
        let json = serde_json::to_value(p.to_new()).expect("json");
        assert_eq!(
            json["workflow"]["steps"][1]["channel_budgets"],
            json!({"online": 720})
        );
        assert!(
            json["workflow"]["steps"][0]
                .get("channel_budgets")
                .is_none()
        );
        let back: NewProcedure = serde_json::from_value(json).expect("back");
        assert_eq!(
            Procedure::parse(back, DEFAULT_MINUTES_PER_DAY).expect("again"),
            p
        );

        // A channel the procedure does not offer, or a budget of zero: refused, with the path.
        let mut bad = input.clone();
        bad.channels.retain(|t| t.channel != Channel::Postal);
        bad.workflow.steps[0]
            .channel_budgets
            .insert(Channel::Postal, 60);
        let e = Procedure::parse(bad, DEFAULT_MINUTES_PER_DAY).expect_err("postal");
        assert_eq!(error_codes(&e), vec!["step_budget_channel_unknown"]);
        assert_eq!(
            e.details.expect("details")["errors"][0]["field"],
            "workflow.steps[0].channel_budgets.postal"
        );
        let mut zero = input;
        zero.workflow.steps[2]
            .channel_budgets
            .insert(Channel::Online, 0);
        let e = Procedure::parse(zero, DEFAULT_MINUTES_PER_DAY).expect_err("zero");
        assert_eq!(error_codes(&e), vec!["step_budget_invalid"]);
    }

    #[test]
    fn working_hours_and_calendar_day_limits() {
        let mut input = example_input();
        input.channels = vec![ChannelTerms {
            channel: Channel::InPerson,
            limit: TimeLimit {
                amount: 40,
                unit: LimitUnit::WorkingHours,
            },
            fee_vnd: 50_000,
            fee_note: None,
        }];
        assert!(Procedure::parse(input.clone(), DEFAULT_MINUTES_PER_DAY).is_ok());
        input.channels[0].limit = TimeLimit {
            amount: 5,
            unit: LimitUnit::CalendarDays,
        };
        // Calendar days: the plan is amount × minutes_per_day.
        assert!(Procedure::parse(input.clone(), DEFAULT_MINUTES_PER_DAY).is_ok());
        // A different working day length changes the plan.
        let e = Procedure::parse(input, 450).expect_err("450 × 5 ≠ 2400");
        assert_eq!(error_codes(&e), vec!["workflow_budget_mismatch"]);
    }

    #[test]
    fn parse_collects_every_problem() {
        let mut input = example_input();
        input.code = "1.948".into();
        input.name = "   ".into();
        input.implementing_unit = "đơn vị".into();
        input.channels[0].fee_vnd = -1;
        input.channels[2].channel = Channel::InPerson;
        input.documents[1].key = "don_de_nghi".into();
        input.documents[2].key = "Bad Key".into();
        input.documents[3].count = 0;
        input.workflow.steps[2].key = "tham_dinh".into();
        input.workflow.steps[3].role = Role::Admin;
        input.workflow.steps[0].budget_minutes = 0;
        input.same_day_cutoff = Some(Time::MIDNIGHT);
        let e = Procedure::parse(input, DEFAULT_MINUTES_PER_DAY).expect_err("invalid");
        assert_eq!(e.code, "procedure_invalid");
        let mut codes = error_codes(&e);
        codes.sort();
        let mut expected = vec![
            "channel_duplicate",
            "cutoff_invalid",
            "document_count_invalid",
            "document_key_duplicate",
            "document_key_invalid",
            "fee_negative",
            "field_empty",
            "procedure_code_invalid",
            "step_budget_invalid",
            "step_key_duplicate",
            "step_role_invalid",
            "unit_code_invalid",
        ];
        expected.sort();
        assert_eq!(codes, expected);
        let fields: Vec<String> = e.details.expect("details")["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|x| x["field"].as_str().expect("field").to_string())
            .collect();
        assert!(fields.contains(&"workflow.steps[3].role".to_string()));
        assert!(fields.contains(&"channels[0].fee_vnd".to_string()));
    }

    #[test]
    fn empty_workflow_and_channels() {
        let mut input = example_input();
        input.workflow.steps.clear();
        input.channels.clear();
        let e = Procedure::parse(input, DEFAULT_MINUTES_PER_DAY).expect_err("invalid");
        let mut codes = error_codes(&e);
        codes.sort();
        assert_eq!(codes, vec!["channels_empty", "workflow_empty"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json = EXAMPLE_JSON.replacen("\"level\"", "\"levle\": 1, \"level\"", 1);
        assert!(serde_json::from_str::<NewProcedure>(&json).is_err());
        let json = EXAMPLE_JSON.replacen(
            "\"budget_minutes\": 120",
            "\"budget_minutes\": 120, \"x\": 1",
            1,
        );
        assert!(serde_json::from_str::<NewProcedure>(&json).is_err());
    }

    #[test]
    fn cutoff_serialises_as_hour_minute() {
        let json = EXAMPLE_JSON.replace(
            "\"same_day_cutoff\": null",
            "\"same_day_cutoff\": \"15:00\"",
        );
        let input: NewProcedure = serde_json::from_str(&json).expect("cutoff");
        assert_eq!(input.same_day_cutoff, Some(time::macros::time!(15:00)));
        let out = serde_json::to_value(&input).expect("serialise");
        assert_eq!(out["same_day_cutoff"], "15:00");
    }

    #[test]
    fn channel_numbers() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_portal_number(c.portal_number()), Some(c));
        }
        assert_eq!(Channel::from_portal_number(4), None);
        assert_eq!(
            serde_json::to_value(Channel::InPerson).expect("json"),
            "in_person"
        );
    }
}
