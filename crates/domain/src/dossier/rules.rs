//! The rule set a dossier is judged by (domain brief: "A dossier is judged by the rules in force
//! when it was received. Keep a rule set record with an effective date … and stamp each dossier
//! with it"). Every [S]/[U] rule of the brief is a field here, never a constant in code.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;
use time::macros::date;

use super::Status;
use crate::procedure::DEFAULT_MINUTES_PER_DAY;
use crate::{Error, Result};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// What a supplement request does to the legal clock (domain brief "Rules that must be
/// settings") [S/U].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockPolicy {
    /// The clock pauses while the applicant supplements and resumes where it stopped: the
    /// due instant moves by exactly the paused working time (default).
    Pause,
    /// The clock restarts when the supplement arrives: the full legal time limit counts
    /// again from that moment.
    Restart,
}

/// The national portal's TrangThaiHoSo code (1–10) for every internal status, as data
/// (domain brief "The national portal"; issue 4 item 7: "mapped … by data, not code").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalStatusMap {
    /// Default 2 "Được tiếp nhận".
    pub received: u8,
    /// Default 4 "Đang xử lý".
    pub processing: u8,
    /// Default 5 "Yêu cầu bổ sung giấy tờ".
    pub awaiting_supplement: u8,
    /// Default 6 "Yêu cầu thực hiện nghĩa vụ tài chính".
    pub awaiting_payment: u8,
    /// Default 9 "Đã xử lý xong".
    pub result_ready: u8,
    /// Default 10 "Đã trả kết quả".
    pub returned: u8,
    /// Default 7 "Công dân yêu cầu rút hồ sơ".
    pub withdrawn: u8,
    /// Default 8 "Dừng xử lý".
    pub stopped: u8,
    /// Default 10 "Đã trả kết quả": the refusal letter is the result handed to the applicant
    /// [U: the portal has no code for a refusal after appraisal; 3 is refusal at intake].
    pub refused: u8,
}

impl Default for PortalStatusMap {
    fn default() -> Self {
        Self {
            received: 2,
            processing: 4,
            awaiting_supplement: 5,
            awaiting_payment: 6,
            result_ready: 9,
            returned: 10,
            withdrawn: 7,
            stopped: 8,
            refused: 10,
        }
    }
}

impl PortalStatusMap {
    /// The portal code of an internal status.
    pub fn portal_status(&self, status: Status) -> u8 {
        match status {
            Status::Received => self.received,
            Status::Processing => self.processing,
            Status::AwaitingSupplement => self.awaiting_supplement,
            Status::AwaitingPayment => self.awaiting_payment,
            Status::ResultReady => self.result_ready,
            Status::Returned => self.returned,
            Status::Withdrawn => self.withdrawn,
            Status::Stopped => self.stopped,
            Status::Refused => self.refused,
        }
    }

    /// Every code must be one of the portal's 1–10.
    pub fn validate(&self) -> Result<()> {
        for status in Status::ALL {
            let code = self.portal_status(status);
            if !(1..=10).contains(&code) {
                return Err(Error::invalid(
                    "portal_status_invalid",
                    format!(
                        "Mã trạng thái Cổng DVCQG của trạng thái \"{}\" phải từ 1 đến 10 (đang là {code}).",
                        status.label()
                    ),
                )
                .with_details(json!({ "status": status.as_str(), "code": code })));
            }
        }
        Ok(())
    }
}

/// A dated set of rules. Each dossier stores the [`RuleSet::name`] it was received under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    /// Stable name stamped on dossiers, e.g. `mac-dinh`.
    pub name: String,
    /// First receiving date (Vietnam time) the rule set applies to; `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// Pause or restart the clock on a supplement request [S]. Default: pause.
    pub supplement_clock: ClockPolicy,
    /// Supplement rounds allowed per agency (the unit acting at the step that asks) [S].
    /// Default 1.
    pub supplement_rounds_per_agency: u32,
    /// An apology must come at least this many working minutes before the appointment
    /// [S]. Default 480 (one working day).
    pub apology_lead_minutes: i64,
    /// How many times the appointment may be moved by an apology [S]. Default 1.
    pub max_reschedules: u32,
    /// Dossier code template (TT 01/2018 Điều 19 [S]); placeholders `{unit}`, `{yyyy}`,
    /// `{yy}`, `{mm}`, `{dd}`, `{yymmdd}`, `{seq}`. Default `{unit}-{yymmdd}-{seq}`.
    pub dossier_code_format: String,
    /// Minimum digits of `{seq}` (zero-padded; longer sequences widen). Default 4.
    pub sequence_digits: u8,
    /// Working minutes in a working day: converts "working days" limits [S]. Must equal the
    /// calendar's office hours. Default 480.
    pub minutes_per_day: i64,
    /// Internal status → portal TrangThaiHoSo.
    pub portal_status: PortalStatusMap,
}

impl Default for RuleSet {
    /// The brief's defaults. `effective_from` 2018-06-21 (Nghị định 61/2018 in force [U]) so
    /// the default covers every dossier the product can hold until dated rule sets are added.
    fn default() -> Self {
        Self {
            name: "mac-dinh".to_string(),
            effective_from: date!(2018 - 06 - 21),
            supplement_clock: ClockPolicy::Pause,
            supplement_rounds_per_agency: 1,
            apology_lead_minutes: DEFAULT_MINUTES_PER_DAY,
            max_reschedules: 1,
            dossier_code_format: "{unit}-{yymmdd}-{seq}".to_string(),
            sequence_digits: 4,
            minutes_per_day: DEFAULT_MINUTES_PER_DAY,
            portal_status: PortalStatusMap::default(),
        }
    }
}

const PLACEHOLDERS: [&str; 7] = [
    "{unit}", "{yyyy}", "{yy}", "{mm}", "{dd}", "{yymmdd}", "{seq}",
];

impl RuleSet {
    /// Checks the settings: a name, a code template that contains `{unit}`, `{seq}` and a
    /// full date (so codes cannot repeat) and no unknown placeholder, 1–9 sequence digits,
    /// positive working day, non-negative apology lead, portal codes 1–10.
    pub fn validate(&self) -> Result<()> {
        let bad = |code: &'static str, message: &str| Err(Error::invalid(code, message));
        if self.name.trim().is_empty() {
            return bad("rule_set_name_empty", "Tên bộ quy tắc không được để trống.");
        }
        let f = &self.dossier_code_format;
        let has_date = f.contains("{yymmdd}")
            || ((f.contains("{yy}") || f.contains("{yyyy}"))
                && f.contains("{mm}")
                && f.contains("{dd}"));
        let mut rest = f.clone();
        for p in PLACEHOLDERS {
            rest = rest.replace(p, "");
        }
        if !f.contains("{unit}") || !f.contains("{seq}") || !has_date || rest.contains(['{', '}']) {
            return bad(
                "dossier_code_format_invalid",
                "Mẫu mã hồ sơ phải chứa {unit}, {seq} và ngày tiếp nhận ({yymmdd}, hoặc {yy}/{yyyy} với {mm} và {dd}), không dùng ký hiệu khác.",
            );
        }
        if !(1..=9).contains(&self.sequence_digits) {
            return bad(
                "sequence_digits_invalid",
                "Số chữ số của số thứ tự phải từ 1 đến 9.",
            );
        }
        if self.minutes_per_day <= 0 || self.minutes_per_day > 24 * 60 {
            return bad(
                "minutes_per_day_invalid",
                "Số phút làm việc một ngày phải từ 1 đến 1440.",
            );
        }
        if self.apology_lead_minutes < 0 {
            return bad(
                "apology_lead_invalid",
                "Thời gian gửi văn bản xin lỗi trước hạn không được âm.",
            );
        }
        self.portal_status.validate()
    }

    /// The dossier code for a unit, a receiving date (Vietnam time) and that day's sequence
    /// number at that unit, in this rule set's format. The sequence is zero-padded to
    /// `sequence_digits` and widens beyond it instead of wrapping (10000 → `10000`).
    pub fn dossier_code(
        &self,
        unit_code: &str,
        received_local_date: Date,
        sequence: u32,
    ) -> String {
        let year = received_local_date.year();
        let yy = format!("{:02}", year.rem_euclid(100));
        let mm = format!("{:02}", u8::from(received_local_date.month()));
        let dd = format!("{:02}", received_local_date.day());
        let width = usize::from(self.sequence_digits);
        self.dossier_code_format
            .replace("{unit}", unit_code)
            .replace("{yyyy}", &format!("{year:04}"))
            .replace("{yymmdd}", &format!("{yy}{mm}{dd}"))
            .replace("{yy}", &yy)
            .replace("{mm}", &mm)
            .replace("{dd}", &dd)
            .replace("{seq}", &format!("{sequence:0width$}"))
    }
}

/// The dossier code in the default format `<unit code>-YYMMDD-XXXX` (TT 01/2018 Điều 19
/// [S]): `dossier_code("H21.65", 2022-09-14, 11)` = `H21.65-220914-0011`. Sequences above
/// 9999 widen (`…-10000`) rather than wrap, so codes never repeat.
pub fn dossier_code(unit_code: &str, received_local_date: Date, sequence: u32) -> String {
    RuleSet::default().dossier_code(unit_code, received_local_date, sequence)
}

/// The rule sets an installation has used, each from its effective date (domain brief: "A
/// dossier is judged by the rules in force when it was received. Keep a rule set record with an
/// effective date … and stamp each dossier with it"). Intake takes the set in force on the
/// receiving date; every later action takes the set named on the dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    /// By `effective_from`, oldest first; names and dates unique; never empty.
    sets: Vec<RuleSet>,
}

impl Default for RuleBook {
    fn default() -> Self {
        RuleBook {
            sets: vec![RuleSet::default()],
        }
    }
}

impl RuleBook {
    /// The built-in default set (`mac-dinh`) and the configured ones; a configured set named
    /// `mac-dinh` replaces the built-in one. Each set is checked ([`RuleSet::validate`]), and
    /// names and effective dates must be unique.
    pub fn new(configured: Vec<RuleSet>) -> Result<RuleBook> {
        let mut sets = vec![RuleSet::default()];
        for set in configured {
            set.validate()?;
            let duplicate = |what: &str| {
                Err(Error::invalid(
                    "rule_set_duplicate",
                    format!(
                        "Hai bộ quy tắc trùng {what} (\"{}\", {}).",
                        set.name, set.effective_from
                    ),
                ))
            };
            match sets.iter().position(|s| s.name == set.name) {
                // Only the built-in set may be replaced, and only once.
                Some(0) if sets[0] == RuleSet::default() => sets[0] = set,
                Some(_) => return duplicate("tên"),
                None => sets.push(set),
            }
        }
        sets.sort_by_key(|s| s.effective_from);
        if sets
            .windows(2)
            .any(|w| w[0].effective_from == w[1].effective_from)
        {
            return Err(Error::invalid(
                "rule_set_duplicate",
                "Hai bộ quy tắc có cùng ngày hiệu lực.",
            ));
        }
        Ok(RuleBook { sets })
    }

    /// The set in force on a receiving date (Vietnam time): the latest whose effective date is
    /// not after it (the oldest for dates before every set).
    pub fn in_force(&self, received_local_date: Date) -> &RuleSet {
        self.sets
            .iter()
            .rev()
            .find(|s| s.effective_from <= received_local_date)
            .unwrap_or(&self.sets[0])
    }

    /// The set a dossier was stamped with.
    pub fn named(&self, name: &str) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.name == name)
    }

    /// Every set, oldest first.
    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }
}

/// Where intake and actions find their rule set: one [`RuleSet`] (in force for every date,
/// answering only to its own name) or a [`RuleBook`].
pub trait RuleSource: Sync {
    /// The set an intake received on this date (Vietnam time) is judged by.
    fn for_receipt(&self, received_local_date: Date) -> &RuleSet;
    /// The set named `name` (a dossier's stamp), if this source has it.
    fn rule_set(&self, name: &str) -> Option<&RuleSet>;
}

impl RuleSource for RuleSet {
    fn for_receipt(&self, _: Date) -> &RuleSet {
        self
    }
    fn rule_set(&self, name: &str) -> Option<&RuleSet> {
        (self.name == name).then_some(self)
    }
}

impl RuleSource for RuleBook {
    fn for_receipt(&self, received_local_date: Date) -> &RuleSet {
        self.in_force(received_local_date)
    }
    fn rule_set(&self, name: &str) -> Option<&RuleSet> {
        self.named(name)
    }
}

/// 409 `rule_set_unknown`: a dossier stamped with a rule set the configuration no longer has.
pub fn rule_set_unknown(name: &str) -> Error {
    Error::conflict(
        "rule_set_unknown",
        format!(
            "Hồ sơ được tiếp nhận theo bộ quy tắc \"{name}\", nay không còn trong cấu hình; cần khôi phục bộ quy tắc này để xử lý tiếp."
        ),
    )
    .with_details(json!({ "rule_set": name }))
}
