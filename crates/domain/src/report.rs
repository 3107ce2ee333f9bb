//! Reporting periods (Nghị định 09/2019/NĐ-CP, Điều 12) and Biểu 06 (Thông tư 01/2020/TT-VPCP).
//!
//! The period rules and the per-dossier classification are pure; storage computes the same
//! figures in SQL (`crates/store/src/reports_sql.rs`) and its tests compare both. See
//! docs/reports.md for the column semantics.

use motcua_calendar::VIETNAM_OFFSET;
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::dossier::{ResolutionClass, resolution_class};
use crate::{Error, Result};

/// What kind of period a [`ReportPeriod`] is (to find the one before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    Year,
    /// Any `from`–`to` range.
    Range,
}

/// A reporting period: the dates `from`..=`to` (Vietnam dates), i.e. the instants
/// [`ReportPeriod::start`]..[`ReportPeriod::end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    /// Vietnamese label, e.g. "Quý III/2022".
    pub label: String,
    /// The specification it was parsed from, e.g. "2022-Q3" (ranges: "2022-07-01..2022-09-30").
    pub spec: String,
    /// First day (inclusive).
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// Calendar months/quarters instead of the official cut-offs (15th → 14th).
    #[serde(default)]
    pub calendar: bool,
    /// Month, quarter, half-year, year or range.
    pub kind: PeriodKind,
}

fn period_invalid(spec: &str) -> Error {
    Error::invalid(
        "report_period_invalid",
        format!(
            "Kỳ báo cáo \"{}\" không hợp lệ. Dùng dạng 2022-Q3 (quý), 2022-H1 (6 tháng), 2022-Y (năm) hoặc 2022-09 (tháng).",
            spec.trim()
        ),
    )
    .with_details(serde_json::json!({ "field": "period" }))
}

fn range_invalid() -> Error {
    Error::invalid(
        "report_range_invalid",
        "Khoảng thời gian báo cáo không hợp lệ: ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
    )
    .with_details(serde_json::json!({ "field": "from" }))
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

fn month_of(n: i32) -> Option<Month> {
    u8::try_from(n).ok().and_then(|m| Month::try_from(m).ok())
}

/// The 15th of the month before (`year`, `month`) — where an official period starts
/// (Nghị định 09/2019/NĐ-CP, Điều 12: from the 15th of the previous month).
fn official_start(year: i32, month: i32) -> Option<Date> {
    let (y, m) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    Date::from_calendar_date(y, month_of(m)?, 15).ok()
}

/// The 14th of (`year`, `month`) — where an official period ends.
fn official_end(year: i32, month: i32) -> Option<Date> {
    Date::from_calendar_date(year, month_of(month)?, 14).ok()
}

fn first_day(year: i32, month: i32) -> Option<Date> {
    Date::from_calendar_date(year, month_of(month)?, 1).ok()
}

fn last_day(year: i32, month: i32) -> Option<Date> {
    let m = month_of(month)?;
    Date::from_calendar_date(year, m, m.length(year)).ok()
}

/// Months `first..=last` of `year`, official or calendar.
fn months(year: i32, first: i32, last: i32, calendar: bool) -> Option<(Date, Date)> {
    if calendar {
        Some((first_day(year, first)?, last_day(year, last)?))
    } else {
        Some((official_start(year, first)?, official_end(year, last)?))
    }
}

fn dmy(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

impl ReportPeriod {
    /// "2022-Q3", "2022-H1", "2022-Y", "2022-09"; official cut-offs (15th → 14th, Nghị định
    /// 09/2019/NĐ-CP Điều 12) unless `calendar` is true (calendar months/quarters/halves/years).
    /// Anything else: 422 `report_period_invalid`.
    pub fn parse(spec: &str, calendar: bool) -> Result<Self> {
        let s = spec.trim();
        let bad = || period_invalid(spec);
        let (year, rest) = s.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(1900..=9998).contains(&year) {
            return Err(bad());
        }
        let digit = |t: &str| -> Option<i32> {
            (t.len() == 1 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let rest_upper = rest.to_ascii_uppercase();
        let (kind, first, last, label) = if let Some(q) = rest_upper.strip_prefix('Q') {
            let q = digit(q).filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
            let roman = ROMAN[usize::try_from(q - 1).map_err(|_| bad())?];
            (
                PeriodKind::Quarter,
                3 * q - 2,
                3 * q,
                format!("Quý {roman}/{year}"),
            )
        } else if let Some(h) = rest_upper.strip_prefix('H') {
            let h = digit(h).filter(|h| (1..=2).contains(h)).ok_or_else(bad)?;
            let label = if h == 1 {
                format!("6 tháng đầu năm {year}")
            } else {
                format!("6 tháng cuối năm {year}")
            };
            (PeriodKind::Half, 6 * h - 5, 6 * h, label)
        } else if rest_upper == "Y" {
            (PeriodKind::Year, 1, 12, format!("Năm {year}"))
        } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
            let m: i32 = rest.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(bad());
            }
            (PeriodKind::Month, m, m, format!("Tháng {m}/{year}"))
        } else {
            return Err(bad());
        };
        let (from, to) = months(year, first, last, calendar).ok_or_else(bad)?;
        let spec = match kind {
            PeriodKind::Quarter => format!("{year}-Q{}", last / 3),
            PeriodKind::Half => format!("{year}-H{}", last / 6),
            PeriodKind::Year => format!("{year}-Y"),
            _ => format!("{year}-{last:02}"),
        };
        Ok(ReportPeriod {
            label,
            spec,
            from,
            to,
            calendar,
            kind,
        })
    }

    /// Any range of days `from..=to` (422 `report_range_invalid` when `from` is after `to`).
    pub fn range(from: Date, to: Date) -> Result<Self> {
        if from > to {
            return Err(range_invalid());
        }
        Ok(ReportPeriod {
            label: format!("Từ ngày {} đến ngày {}", dmy(from), dmy(to)),
            spec: format!("{from}..{to}"),
            from,
            to,
            calendar: true,
            kind: PeriodKind::Range,
        })
    }

    /// The period of the same kind just before this one (for a range: the range of the same
    /// length ending the day before `from`). Its [`Self::end`] is this period's [`Self::start`].
    pub fn previous(&self) -> Option<Self> {
        let year = self.to.year();
        let month = i32::from(u8::from(self.to.month()));
        // For official periods `to` lies in the last month of the period.
        let (spec_year, index) = match self.kind {
            PeriodKind::Range => {
                let to = self.from.previous_day()?;
                let from = to.checked_sub(self.to - self.from)?;
                return ReportPeriod::range(from, to).ok();
            }
            PeriodKind::Month if month == 1 => (year - 1, 12),
            PeriodKind::Month => (year, month - 1),
            PeriodKind::Quarter if month == 3 => (year - 1, 4),
            PeriodKind::Quarter => (year, month / 3 - 1),
            PeriodKind::Half if month == 6 => (year - 1, 2),
            PeriodKind::Half => (year, 1),
            PeriodKind::Year => (year - 1, 0),
        };
        let spec = match self.kind {
            PeriodKind::Month => format!("{spec_year}-{index:02}"),
            PeriodKind::Quarter => format!("{spec_year}-Q{index}"),
            PeriodKind::Half => format!("{spec_year}-H{index}"),
            _ => format!("{spec_year}-Y"),
        };
        ReportPeriod::parse(&spec, self.calendar).ok()
    }

    /// The first instant: `from` at 00:00 +07:00.
    pub fn start(&self) -> OffsetDateTime {
        PrimitiveDateTime::new(self.from, Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET)
    }

    /// The instant after the period: (`to` + 1 day) at 00:00 +07:00, exclusive.
    pub fn end(&self) -> OffsetDateTime {
        PrimitiveDateTime::new(self.to, Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET)
            + time::Duration::DAY
    }

    /// "Từ ngày 15/06/2022 đến ngày 14/09/2022" (the form's period line).
    pub fn dates_line(&self) -> String {
        format!("Từ ngày {} đến ngày {}", dmy(self.from), dmy(self.to))
    }
}

/// Rows of Biểu 06: per field (lĩnh vực) or per unit directly under the chosen one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowsBy {
    #[default]
    Field,
    Unit,
}

impl RowsBy {
    pub fn as_str(self) -> &'static str {
        match self {
            RowsBy::Field => "field",
            RowsBy::Unit => "unit",
        }
    }

    /// "field" or "unit" (422 `report_rows_invalid`).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "field" => Ok(RowsBy::Field),
            "unit" => Ok(RowsBy::Unit),
            other => Err(Error::invalid(
                "report_rows_invalid",
                format!("Cách chia dòng \"{other}\" không hợp lệ: dùng field (theo lĩnh vực) hoặc unit (theo đơn vị)."),
            )
            .with_details(serde_json::json!({ "field": "rows" }))),
        }
    }
}

/// One row of Biểu 06 (column numbers of the form in the comments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bieu06Row {
    /// Field code or unit code (empty for the total).
    pub key: String,
    /// Field name or unit name.
    pub label: String,
    /// (4) received online in the period.
    pub received_online: u64,
    /// (5) received in person or by post in the period.
    pub received_offline: u64,
    /// (6) carried over: pending at the start of the period.
    pub carried_over: u64,
    /// (8) resolved before the due date.
    pub resolved_early: u64,
    /// (9) resolved on the due date.
    pub resolved_on_time: u64,
    /// (10) resolved late.
    pub resolved_late: u64,
    /// (12) pending at the end, within the deadline.
    pub pending_within: u64,
    /// (13) pending at the end, overdue.
    pub pending_overdue: u64,
    /// Withdrawn or stopped in the period: left without a result (neither in 7 nor in 11),
    /// so that (3) = (7) + (11) + this, exactly.
    pub left_without_result: u64,
}

impl Bieu06Row {
    /// (3) = (4) + (5) + (6).
    pub fn received_total(&self) -> u64 {
        self.received_online + self.received_offline + self.carried_over
    }

    /// (7) = (8) + (9) + (10).
    pub fn resolved_total(&self) -> u64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    /// (11) = (12) + (13).
    pub fn pending_total(&self) -> u64 {
        self.pending_within + self.pending_overdue
    }

    /// Adds another row's counts to this one.
    pub fn add(&mut self, o: &Bieu06Row) {
        self.received_online += o.received_online;
        self.received_offline += o.received_offline;
        self.carried_over += o.carried_over;
        self.resolved_early += o.resolved_early;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_late += o.resolved_late;
        self.pending_within += o.pending_within;
        self.pending_overdue += o.pending_overdue;
        self.left_without_result += o.left_without_result;
    }

    /// The 13 official columns (1 and 2 are the row number and the label, as empty values
    /// here) followed by the left-without-result count: values of columns 3..=13, then it.
    pub fn numbers(&self) -> [u64; 12] {
        [
            self.received_total(),
            self.received_online,
            self.received_offline,
            self.carried_over,
            self.resolved_total(),
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.pending_total(),
            self.pending_within,
            self.pending_overdue,
            self.left_without_result,
        ]
    }

    /// Whether every count is zero.
    pub fn is_empty(&self) -> bool {
        self.numbers().iter().all(|n| *n == 0)
    }
}

/// Biểu số 06/VPCP/KSTT for one period and one unit subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bieu06 {
    pub period: ReportPeriod,
    /// The reporting unit (the subtree's top).
    pub unit_code: String,
    pub unit_name: String,
    pub rows_by: RowsBy,
    pub rows: Vec<Bieu06Row>,
    /// Sum of the rows.
    pub total: Bieu06Row,
}

impl Bieu06 {
    /// Builds the form from its rows (sorted by key) and sums the total.
    pub fn new(
        period: ReportPeriod,
        unit_code: String,
        unit_name: String,
        rows_by: RowsBy,
        mut rows: Vec<Bieu06Row>,
    ) -> Self {
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        let mut total = Bieu06Row {
            label: "Tổng cộng".to_string(),
            ..Bieu06Row::default()
        };
        for r in &rows {
            total.add(r);
        }
        Bieu06 {
            period,
            unit_code,
            unit_name,
            rows_by,
            rows,
            total,
        }
    }
}

/// The form's name (Thông tư 01/2020/TT-VPCP).
pub const BIEU06_TITLE: &str = "Biểu số 06/VPCP/KSTT";
/// The form's heading.
pub const BIEU06_NAME: &str = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

// ---------------------------------------------------------------------------------------
// Classification of one dossier, as of an instant
// ---------------------------------------------------------------------------------------

/// A pause of a dossier's clock (supplement or payment), as the derived table keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub started_at: OffsetDateTime,
    /// When the clock ran again (or the dossier ended while paused); `None` while paused.
    pub ended_at: Option<OffsetDateTime>,
    /// The legal due instant while paused (as it stood when the pause started).
    pub due_before: OffsetDateTime,
}

/// What the report needs of one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFacts {
    pub received_at: OffsetDateTime,
    pub online: bool,
    /// When processing ended (result issued, refused, withdrawn, stopped).
    pub resolved_at: Option<OffsetDateTime>,
    /// Withdrawn or stopped: ended without a result.
    pub without_result: bool,
    /// The current legal due instant (final once resolved).
    pub legal_due_at: OffsetDateTime,
    /// Pauses in order.
    pub pauses: Vec<Pause>,
}

/// Whether a dossier is pending at `t`: received before `t` and not resolved before `t`.
pub fn pending_at(f: &DossierFacts, t: OffsetDateTime) -> bool {
    f.received_at < t && f.resolved_at.is_none_or(|r| r >= t)
}

/// Overdue at `t` as the dossier stood then (only meaningful while pending): the legal due
/// instant at `t` is the one before the first pause not over before `t` (pauses only move it
/// when they end), or the current one; a dossier paused at `t` is overdue only if it was
/// already overdue when the pause started (the clock stands still while paused:
/// docs/one-stop.md, "Pauses").
pub fn overdue_at(f: &DossierFacts, t: OffsetDateTime) -> bool {
    match f.pauses.iter().find(|p| p.ended_at.is_none_or(|e| e >= t)) {
        Some(p) => p.started_at.min(t) > p.due_before,
        None => t > f.legal_due_at,
    }
}

/// One dossier's contribution to Biểu 06 for `period` (each count 0 or 1).
pub fn contribution(f: &DossierFacts, period: &ReportPeriod) -> Bieu06Row {
    let (start, end) = (period.start(), period.end());
    let mut row = Bieu06Row::default();
    if f.received_at >= start && f.received_at < end {
        if f.online {
            row.received_online = 1;
        } else {
            row.received_offline = 1;
        }
    }
    if pending_at(f, start) {
        row.carried_over = 1;
    }
    if let Some(r) = f.resolved_at.filter(|r| *r >= start && *r < end) {
        if f.without_result {
            row.left_without_result = 1;
        } else {
            match resolution_class(r, f.legal_due_at) {
                ResolutionClass::Early => row.resolved_early = 1,
                ResolutionClass::OnTime => row.resolved_on_time = 1,
                ResolutionClass::Late => row.resolved_late = 1,
            }
        }
    }
    if pending_at(f, end) {
        if overdue_at(f, end) {
            row.pending_overdue = 1;
        } else {
            row.pending_within = 1;
        }
    }
    row
}

// ---------------------------------------------------------------------------------------
// Pre-aggregated counters: Biểu 06 as prefix sums
// ---------------------------------------------------------------------------------------

/// Number of counters of [`deltas`].
pub const COUNTERS: usize = 8;
/// Counter index: received online (flow at `received_at`).
pub const C_RECEIVED_ONLINE: usize = 0;
/// Counter index: received in person or by post (flow at `received_at`).
pub const C_RECEIVED_OFFLINE: usize = 1;
/// Counter index: resolved early (flow at `resolved_at`).
pub const C_EARLY: usize = 2;
/// Counter index: resolved on time (flow at `resolved_at`).
pub const C_ON_TIME: usize = 3;
/// Counter index: resolved late (flow at `resolved_at`).
pub const C_LATE: usize = 4;
/// Counter index: withdrawn or stopped (flow at `resolved_at`).
pub const C_LEFT: usize = 5;
/// Counter index: open (+1 at `received_at`, −1 at `resolved_at`): its prefix sum at `t` is
/// [`pending_at`].
pub const C_OPEN: usize = 6;
/// Counter index: pending and overdue as the dossier stood (`pending_at && overdue_at`).
pub const C_OVERDUE: usize = 7;

/// One dossier's changes of the eight Biểu 06 counters, as `(instant c, deltas)`: a delta at
/// `c` applies to every `t > c`, so the prefix sum `cum(t) = Σ deltas with c < t` gives, for a
/// period `[start, end)`: flows = `cum(end) − cum(start)` (columns 4, 5, 8, 9, 10 and left
/// without a result), column 6 = open at `start`, column 11 = open at `end`, of which 13 =
/// overdue at `end` — exactly [`contribution`] (property-tested). Instants may repeat.
///
/// Overdue is a union of intervals `(a, b]` of `t` (+1 at `a`, −1 at `b`): between the end of
/// one pause and the end of the next (inclusive), [`overdue_at`] looks at that pause: a
/// dossier already overdue when it started (`started_at > due_before`) is overdue from
/// `due_before` on, otherwise it is not overdue there (t ≤ started_at ≤ due_before while the
/// clock ran, frozen "within" while paused); after the last pause ended, `t > legal_due_at`.
/// Pauses are taken in order, each ending before the next starts, the last possibly open.
pub fn deltas(f: &DossierFacts) -> Vec<(OffsetDateTime, [i64; COUNTERS])> {
    let unit = |k: usize, v: i64| {
        let mut d = [0i64; COUNTERS];
        d[k] = v;
        d
    };
    let mut out = Vec::with_capacity(6);
    let received = if f.online {
        C_RECEIVED_ONLINE
    } else {
        C_RECEIVED_OFFLINE
    };
    out.push((f.received_at, unit(received, 1)));
    out.push((f.received_at, unit(C_OPEN, 1)));
    if let Some(r) = f.resolved_at {
        let class = if f.without_result {
            C_LEFT
        } else {
            match resolution_class(r, f.legal_due_at) {
                ResolutionClass::Early => C_EARLY,
                ResolutionClass::OnTime => C_ON_TIME,
                ResolutionClass::Late => C_LATE,
            }
        };
        out.push((r, unit(class, 1)));
        out.push((r, unit(C_OPEN, -1)));
    }
    // Overdue intervals (lo, hi] (hi = None: unbounded), intersected with pending
    // (received_at, resolved_at].
    let mut push = |lo: OffsetDateTime, hi: Option<OffsetDateTime>| {
        let lo = lo.max(f.received_at);
        let hi = match (hi, f.resolved_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if hi.is_none_or(|h| lo < h) {
            out.push((lo, unit(C_OVERDUE, 1)));
            if let Some(h) = hi {
                out.push((h, unit(C_OVERDUE, -1)));
            }
        }
    };
    let mut prev_end: Option<OffsetDateTime> = None;
    for p in &f.pauses {
        // This pause decides for t in (prev_end, ended_at].
        if p.started_at > p.due_before {
            let lo = prev_end.map_or(p.due_before, |e| e.max(p.due_before));
            push(lo, p.ended_at);
        }
        match p.ended_at {
            Some(e) => prev_end = Some(e),
            None => return out,
        }
    }
    let lo = prev_end.map_or(f.legal_due_at, |e| e.max(f.legal_due_at));
    push(lo, None);
    out
}

#[cfg(test)]
mod tests;
