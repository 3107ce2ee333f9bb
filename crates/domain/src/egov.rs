//! Unit e-government facts (issue 5 item 2): dated per-unit facts the reform office keeps
//! (connected to the specialised data network, e-mail accounts, digital workspace, online
//! meetings, task tracking …) and coverage by unit level, as the source report states it:
//! "đường truyền số liệu … đến 100% … cấp Bộ, 67,5% … cấp II và 24,3% đơn vị cấp III";
//! "Thư điện tử quân sự với 33.900 tài khoản" (domain brief 000_346b76d27c84c333.txt).
//!
//! The list of fact kinds is data (table `fact_kinds`, seeded by migration 0009), not an enum.
//! Facts are never overwritten: a value for a later date supersedes an earlier one, and a
//! correction is a new row for the same date with a reason. The value in force on a date D is
//! the one with the latest `valid_from` ≤ D, and among equal dates the latest recorded.
//!
//! Levels follow `unit.rs`: 0 is the ministry (Bộ) itself, 1 is "cấp I", which the report
//! calls "cấp Bộ" (đơn vị thuộc Bộ), 2 is cấp II, 3 is cấp III.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::import::RowError;
use crate::unit::UnitCode;
use crate::{Error, Result, text};

/// Longest fact kind code.
pub const KIND_CODE_MAX: usize = 40;
/// Longest fact kind name.
pub const KIND_NAME_MAX: usize = 255;
/// Longest note (or correction reason).
pub const NOTE_MAX: usize = 1000;
/// Largest count accepted (e-mail accounts of a whole ministry are far below).
pub const COUNT_MAX: i64 = 1_000_000_000;

/// What sort of value a fact kind holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Yes or no (stored as 1 / 0); coverage by level is computed for these.
    Boolean,
    /// A non-negative number (e.g. e-mail accounts); totals are computed for these.
    Count,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Boolean => "boolean",
            ValueType::Count => "count",
        }
    }

    pub fn parse(value: &str) -> Result<ValueType> {
        match value.trim() {
            "boolean" => Ok(ValueType::Boolean),
            "count" => Ok(ValueType::Count),
            other => Err(Error::invalid(
                "fact_value_type_invalid",
                format!("Kiểu giá trị \"{other}\" không hợp lệ: chỉ nhận boolean hoặc count."),
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValueType::Boolean => "Có/không",
            ValueType::Count => "Số lượng",
        }
    }
}

/// A kind of fact as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactKind {
    pub code: String,
    pub name: String,
    pub value_type: ValueType,
    pub active: bool,
}

impl FactKind {
    /// Checks a value against the kind: booleans are 0 or 1, counts 0..=[`COUNT_MAX`].
    pub fn check_value(&self, value: i64) -> Result<i64> {
        let ok = match self.value_type {
            ValueType::Boolean => value == 0 || value == 1,
            ValueType::Count => (0..=COUNT_MAX).contains(&value),
        };
        if ok {
            Ok(value)
        } else {
            Err(wrong_value(self, &value.to_string()))
        }
    }

    /// Parses what people type: `có/không`, `true/false`, `1/0` (booleans), digits (counts;
    /// Vietnamese thousands dots such as `33.900` are accepted).
    pub fn parse_value(&self, raw: &str) -> Result<i64> {
        let t = text::clean(raw).to_lowercase();
        let parsed = match self.value_type {
            ValueType::Boolean => match t.as_str() {
                "có" | "co" | "true" | "1" | "x" => Some(1),
                "không" | "khong" | "false" | "0" => Some(0),
                _ => None,
            },
            ValueType::Count => {
                let digits = t.replace('.', "");
                if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                    digits.parse::<i64>().ok()
                } else {
                    None
                }
            }
        };
        match parsed {
            Some(v) => self.check_value(v),
            None => Err(wrong_value(self, raw)),
        }
    }

    /// The value for people: "Có"/"Không" or a Vietnamese number.
    pub fn value_text(&self, value: i64) -> String {
        match self.value_type {
            ValueType::Boolean if value == 1 => "Có".into(),
            ValueType::Boolean => "Không".into(),
            ValueType::Count => text::vn_number(value),
        }
    }
}

fn wrong_value(kind: &FactKind, raw: &str) -> Error {
    let expected = match kind.value_type {
        ValueType::Boolean => "có/không, true/false hoặc 1/0",
        ValueType::Count => "một số nguyên không âm",
    };
    Error::invalid(
        "fact_value_invalid",
        format!(
            "Giá trị \"{raw}\" không hợp lệ cho \"{}\": phải là {expected}.",
            kind.name
        ),
    )
    .with_details(serde_json::json!({ "kind": kind.code, "value_type": kind.value_type }))
}

/// A new fact kind (admin), validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFactKind {
    pub code: String,
    pub name: String,
    pub value_type: ValueType,
    pub active: bool,
}

impl NewFactKind {
    pub fn parse(code: &str, name: &str, value_type: &str, active: bool) -> Result<NewFactKind> {
        Ok(NewFactKind {
            code: parse_kind_code(code)?,
            name: text::required("name", "Tên loại thông tin", name, KIND_NAME_MAX)?,
            value_type: ValueType::parse(value_type)?,
            active,
        })
    }
}

/// A kind code: lower-case ASCII letters, digits and `_`, starting with a letter.
pub fn parse_kind_code(input: &str) -> Result<String> {
    let code = input.trim();
    let valid = !code.is_empty()
        && code.len() <= KIND_CODE_MAX
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(code.to_string())
    } else {
        Err(Error::invalid(
            "fact_kind_code_invalid",
            format!(
                "Mã loại thông tin \"{code}\" không hợp lệ: chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ, tối đa {KIND_CODE_MAX} ký tự."
            ),
        ))
    }
}

/// A fact to record: the store checks the unit, the kind and the value type in the same
/// transaction that writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFact {
    pub unit_code: String,
    pub kind: String,
    /// 1/0 for booleans, the number for counts.
    pub value: i64,
    pub valid_from: Date,
    /// A note; the reason when it corrects a value already recorded for the same date.
    pub note: Option<String>,
}

/// One recorded fact, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub id: i64,
    pub unit_code: String,
    pub kind: String,
    pub value: i64,
    pub valid_from: Date,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: OffsetDateTime,
}

/// The fact in force on `as_of` among `history` (facts of one unit and one kind): the latest
/// `valid_from` ≤ `as_of`, and among equal dates the latest recorded (then the highest id).
pub fn in_force(history: &[Fact], as_of: Date) -> Option<&Fact> {
    history
        .iter()
        .filter(|f| f.valid_from <= as_of)
        .max_by_key(|f| (f.valid_from, f.recorded_at, f.id))
}

/// Current values of every kind for one unit's history (any kinds mixed), by kind code.
pub fn in_force_by_kind(history: &[Fact], as_of: Date) -> BTreeMap<String, Fact> {
    let mut by_kind: HashMap<&str, Vec<Fact>> = HashMap::new();
    for f in history {
        by_kind.entry(f.kind.as_str()).or_default().push(f.clone());
    }
    by_kind
        .into_iter()
        .filter_map(|(k, facts)| in_force(&facts, as_of).map(|f| (k.to_string(), f.clone())))
        .collect()
}

/// Coverage of a boolean kind at one unit level: how many units there are and how many have
/// the fact true (units without any value in force count as not covered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCoverage {
    pub level: i32,
    pub units: u64,
    pub covered: u64,
}

impl LevelCoverage {
    /// "67,5%" (one decimal, half up, exact), `None` for a level without units.
    pub fn percent_text(&self) -> Option<String> {
        text::vn_percent(self.covered, self.units, 1)
    }
}

/// Coverage by level from each unit's level and whether the fact is true for it on the date
/// (`None`: no value in force). Levels in increasing order; only levels that have units.
pub fn coverage_by_level(
    units: impl IntoIterator<Item = (i32, Option<bool>)>,
) -> Vec<LevelCoverage> {
    let mut levels: BTreeMap<i32, LevelCoverage> = BTreeMap::new();
    for (level, value) in units {
        let entry = levels.entry(level).or_insert(LevelCoverage {
            level,
            units: 0,
            covered: 0,
        });
        entry.units += 1;
        if value == Some(true) {
            entry.covered += 1;
        }
    }
    levels.into_values().collect()
}

/// Vietnam's civil date of an instant (UTC+07:00, no daylight saving).
pub fn vn_today(now: OffsetDateTime) -> Date {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    now.to_offset(offset).date()
}

/// Policy: a fact states what is in force, so its date may not be after today (Vietnam
/// time); a planned change is recorded on the day it happens. 422 `fact_date_in_future`.
pub fn check_not_future(valid_from: Date, today: Date) -> Result<Date> {
    if valid_from > today {
        Err(Error::invalid(
            "fact_date_in_future",
            format!(
                "Ngày hiệu lực {} sau ngày hôm nay ({}): chỉ ghi nhận thông tin đã có hiệu lực.",
                vn_date(valid_from),
                vn_date(today)
            ),
        ))
    } else {
        Ok(valid_from)
    }
}

/// `dd/mm/yyyy` for people.
pub fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// `YYYY-MM-DD` or `dd/mm/yyyy` → a date, or 400 `invalid_date`.
pub fn parse_fact_date(value: &str) -> Result<Date> {
    let v = value.trim();
    Date::parse(v, format_description!("[year]-[month]-[day]"))
        .or_else(|_| Date::parse(v, format_description!("[day]/[month]/[year]")))
        .map_err(|_| {
            Error::bad_request(
                "invalid_date",
                format!(
                    "Ngày \"{value}\" không đúng định dạng YYYY-MM-DD hoặc dd/mm/yyyy (ví dụ 2022-09-30 hoặc 30/09/2022)."
                ),
            )
        })
}

/// An optional note, cleaned.
pub fn parse_note(note: Option<&str>) -> Result<Option<String>> {
    text::optional("note", "Ghi chú", note, NOTE_MAX)
}

/// The whole-file rejection of facts: `import_invalid` with every row error in
/// `details.errors` (the shape of unit imports).
pub fn rejection(errors: Vec<RowError>) -> Error {
    let summary = errors
        .iter()
        .take(20)
        .map(|e| format!("dòng {}: {}", e.line, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    Error::invalid(
        "import_invalid",
        format!(
            "Tệp có {} lỗi, không thông tin nào được ghi. {summary}",
            errors.len()
        ),
    )
    .with_details(serde_json::json!({ "errors": errors }))
}

/// One validated row of a facts file and its line (1-based, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow {
    pub line: usize,
    pub fact: NewFact,
}

/// The CSV header of fact files.
pub const CSV_HEADER: [&str; 5] = ["unit_code", "kind", "value", "valid_from", "note"];

/// Parses a facts CSV (`unit_code,kind,value,valid_from,note`, with that header) against the
/// configured kinds: whole file or nothing, every bad row reported with its line
/// (`import_invalid`, as unit imports). Inactive kinds, values of the wrong type, dates after
/// `today` and the same unit, kind and date twice in one file are row errors. Units are
/// checked by the store.
pub fn parse_facts_csv(content: &str, kinds: &[FactKind], today: Date) -> Result<Vec<FactRow>> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(content.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            Error::bad_request(
                "import_malformed",
                format!("Không đọc được dòng tiêu đề CSV: {e}"),
            )
        })?
        .clone();
    let found: Vec<&str> = headers.iter().collect();
    let required = &CSV_HEADER[..4];
    if !(found == CSV_HEADER || found == required) {
        return Err(Error::bad_request(
            "import_malformed",
            format!(
                "Dòng tiêu đề CSV phải là: {} (cột note có thể bỏ); đã nhận: {}",
                CSV_HEADER.join(","),
                found.join(",")
            ),
        ));
    }
    let kinds: HashMap<&str, &FactKind> = kinds.iter().map(|k| (k.code.as_str(), k)).collect();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String, Date), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line: e.position().map_or(0, |p| p.line() as usize),
                    code: "import_malformed",
                    message: format!("dòng CSV hỏng: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() > CSV_HEADER.len() || record.len() < 4 {
            errors.push(RowError {
                line,
                code: "import_malformed",
                message: format!("dòng có {} cột, cần 4 hoặc 5", record.len()),
            });
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("");
        match parse_row(get(0), get(1), get(2), get(3), record.get(4), &kinds, today) {
            Ok(fact) => {
                let key = (fact.unit_code.clone(), fact.kind.clone(), fact.valid_from);
                if let Some(first) = seen.get(&key) {
                    errors.push(RowError {
                        line,
                        code: "fact_duplicate",
                        message: format!(
                            "đơn vị {}, loại {} và ngày {} đã có ở dòng {first}",
                            fact.unit_code,
                            fact.kind,
                            vn_date(fact.valid_from)
                        ),
                    });
                } else {
                    seen.insert(key, line);
                    rows.push(FactRow { line, fact });
                }
            }
            Err(e) => errors.push(RowError {
                line,
                code: e.code,
                message: e.message,
            }),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(rejection(errors));
    }
    if rows.is_empty() {
        return Err(Error::invalid(
            "import_empty",
            "Tệp không có dòng dữ liệu nào.",
        ));
    }
    Ok(rows)
}

/// Validates one fact as typed (CSV row, form or API body with a text value).
pub fn parse_row(
    unit_code: &str,
    kind: &str,
    value: &str,
    valid_from: &str,
    note: Option<&str>,
    kinds: &HashMap<&str, &FactKind>,
    today: Date,
) -> Result<NewFact> {
    let unit_code = UnitCode::parse(unit_code)?;
    let kind = known_kind(kinds, kind)?;
    let value = kind.parse_value(value)?;
    let valid_from = check_not_future(parse_fact_date(valid_from)?, today)?;
    Ok(NewFact {
        unit_code: unit_code.as_str().to_string(),
        kind: kind.code.clone(),
        value,
        valid_from,
        note: parse_note(note)?,
    })
}

/// A kind that exists and is active: 422 `fact_kind_unknown` / `fact_kind_inactive`.
pub fn known_kind<'a>(kinds: &HashMap<&str, &'a FactKind>, code: &str) -> Result<&'a FactKind> {
    let code = code.trim();
    match kinds.get(code) {
        Some(k) if k.active => Ok(k),
        Some(k) => Err(Error::invalid(
            "fact_kind_inactive",
            format!("Loại thông tin \"{}\" đã ngừng sử dụng.", k.name),
        )),
        None => Err(kind_unknown(code)),
    }
}

pub fn kind_unknown(code: &str) -> Error {
    Error::invalid(
        "fact_kind_unknown",
        format!("Không có loại thông tin \"{code}\"."),
    )
    .with_details(serde_json::json!({ "kind": code }))
}

/// Coverage is computed for boolean kinds only: 422 `fact_kind_not_boolean`.
pub fn require_type(kind: &FactKind, wanted: ValueType) -> Result<()> {
    if kind.value_type == wanted {
        return Ok(());
    }
    let code = match wanted {
        ValueType::Boolean => "fact_kind_not_boolean",
        ValueType::Count => "fact_kind_not_count",
    };
    Err(Error::invalid(
        code,
        format!(
            "Loại thông tin \"{}\" có kiểu {}, không dùng được ở đây.",
            kind.name,
            kind.value_type.label()
        ),
    ))
}

/// Codes of units that appear in rows, once each (for a bulk lookup).
pub fn unit_codes(facts: &[NewFact]) -> Vec<String> {
    let mut seen = HashSet::new();
    facts
        .iter()
        .filter(|f| seen.insert(f.unit_code.as_str()))
        .map(|f| f.unit_code.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn kinds() -> Vec<FactKind> {
        vec![
            FactKind {
                code: "data_network".into(),
                name: "Kết nối mạng truyền số liệu chuyên dùng".into(),
                value_type: ValueType::Boolean,
                active: true,
            },
            FactKind {
                code: "email_accounts".into(),
                name: "Số tài khoản thư điện tử".into(),
                value_type: ValueType::Count,
                active: true,
            },
            FactKind {
                code: "old_kind".into(),
                name: "Loại cũ".into(),
                value_type: ValueType::Boolean,
                active: false,
            },
        ]
    }

    fn fact(id: i64, valid_from: Date, recorded_at: OffsetDateTime, value: i64) -> Fact {
        Fact {
            id,
            unit_code: "A".into(),
            kind: "data_network".into(),
            value,
            valid_from,
            note: None,
            recorded_by: "x".into(),
            recorded_at,
        }
    }

    #[test]
    fn the_value_in_force_is_the_latest_date_then_the_latest_recorded() {
        let t1 = datetime!(2022-01-01 0:00 UTC);
        let t2 = datetime!(2022-06-01 0:00 UTC);
        let history = vec![
            fact(1, date!(2022 - 03 - 01), t1, 1),
            // recorded later for an earlier date: does not supersede the March value
            fact(2, date!(2022 - 02 - 01), t2, 0),
            // a correction of the March value
            fact(3, date!(2022 - 03 - 01), t2, 0),
            fact(4, date!(2022 - 07 - 01), t1, 1),
        ];
        assert_eq!(in_force(&history, date!(2022 - 01 - 31)), None);
        assert_eq!(in_force(&history, date!(2022 - 02 - 28)).unwrap().id, 2);
        assert_eq!(in_force(&history, date!(2022 - 03 - 01)).unwrap().id, 3);
        assert_eq!(in_force(&history, date!(2022 - 06 - 30)).unwrap().id, 3);
        assert_eq!(in_force(&history, date!(2022 - 07 - 01)).unwrap().id, 4);
        // equal dates and instants: the later row wins
        let tie = vec![
            fact(8, date!(2022 - 03 - 01), t1, 1),
            fact(9, date!(2022 - 03 - 01), t1, 0),
        ];
        assert_eq!(in_force(&tie, date!(2022 - 03 - 01)).unwrap().id, 9);
        let by_kind = in_force_by_kind(&history, date!(2022 - 06 - 30));
        assert_eq!(by_kind["data_network"].id, 3);
    }

    #[test]
    fn coverage_arithmetic_matches_the_source_report() {
        // 30 level-I units all connected, 135 of 200 level-II, 197 of 811 level-III
        let mut units = vec![(0, None)];
        units.extend((0..30).map(|_| (1, Some(true))));
        units.extend((0..200).map(|i| (2, Some(i < 135))));
        units.extend((0..811).map(|i| {
            (
                3,
                if i < 197 {
                    Some(true)
                } else if i % 2 == 0 {
                    Some(false)
                } else {
                    None
                },
            )
        }));
        let cov = coverage_by_level(units);
        assert_eq!(
            cov.iter()
                .map(|c| (c.level, c.units, c.covered))
                .collect::<Vec<_>>(),
            vec![(0, 1, 0), (1, 30, 30), (2, 200, 135), (3, 811, 197)]
        );
        let texts: Vec<_> = cov.iter().map(|c| c.percent_text().unwrap()).collect();
        assert_eq!(texts, vec!["0%", "100%", "67,5%", "24,3%"]);
        let empty = LevelCoverage {
            level: 4,
            units: 0,
            covered: 0,
        };
        assert_eq!(empty.percent_text(), None);
    }

    proptest::proptest! {
        // Every unit is counted once at its level; covered never exceeds units; levels ascend.
        #[test]
        fn coverage_counts_every_unit_once(units in proptest::collection::vec((0i32..5, proptest::option::of(proptest::bool::ANY)), 0..300)) {
            let cov = coverage_by_level(units.clone());
            proptest::prop_assert_eq!(cov.iter().map(|c| c.units).sum::<u64>(), units.len() as u64);
            let yes = units.iter().filter(|(_, v)| *v == Some(true)).count() as u64;
            proptest::prop_assert_eq!(cov.iter().map(|c| c.covered).sum::<u64>(), yes);
            proptest::prop_assert!(cov.iter().all(|c| c.covered <= c.units && c.units > 0));
            proptest::prop_assert!(cov.windows(2).all(|w| w[0].level < w[1].level));
        }

        // A value recorded later never changes what was in force before its own date.
        #[test]
        fn later_dates_do_not_rewrite_the_past(days in proptest::collection::vec(0i64..60, 1..20), probe in 0i64..60) {
            let base = date!(2022 - 01 - 01);
            let t = datetime!(2022-01-01 0:00 UTC);
            let history: Vec<Fact> = days
                .iter()
                .enumerate()
                .map(|(i, d)| fact(i as i64, base + time::Duration::days(*d), t + time::Duration::hours(i as i64), (i % 2) as i64))
                .collect();
            let as_of = base + time::Duration::days(probe);
            let before = in_force(&history, as_of).cloned();
            let mut extended = history.clone();
            extended.push(fact(99, as_of + time::Duration::days(1), t + time::Duration::days(365), 1));
            proptest::prop_assert_eq!(in_force(&extended, as_of).cloned(), before);
        }
    }

    #[test]
    fn values_are_parsed_by_type() {
        let k = kinds();
        for (raw, v) in [
            ("có", 1),
            ("Có", 1),
            ("không", 0),
            ("KHÔNG", 0),
            ("true", 1),
            ("false", 0),
            ("1", 1),
            ("0", 0),
        ] {
            assert_eq!(k[0].parse_value(raw).unwrap(), v, "{raw}");
        }
        assert_eq!(
            k[0].parse_value("2").unwrap_err().code,
            "fact_value_invalid"
        );
        assert_eq!(
            k[0].parse_value("yes?").unwrap_err().code,
            "fact_value_invalid"
        );
        assert_eq!(k[1].parse_value("33.900").unwrap(), 33_900);
        assert_eq!(k[1].parse_value("120").unwrap(), 120);
        assert_eq!(
            k[1].parse_value("-5").unwrap_err().code,
            "fact_value_invalid"
        );
        assert_eq!(
            k[1].parse_value("có").unwrap_err().code,
            "fact_value_invalid"
        );
        assert_eq!(
            k[1].check_value(COUNT_MAX + 1).unwrap_err().code,
            "fact_value_invalid"
        );
        assert_eq!(k[0].value_text(1), "Có");
        assert_eq!(k[1].value_text(33_900), "33.900");
    }

    #[test]
    fn dates_in_both_formats_and_no_future() {
        assert_eq!(
            parse_fact_date("2022-09-30").unwrap(),
            date!(2022 - 09 - 30)
        );
        assert_eq!(
            parse_fact_date("30/09/2022").unwrap(),
            date!(2022 - 09 - 30)
        );
        assert_eq!(
            parse_fact_date("31/02/2022").unwrap_err().code,
            "invalid_date"
        );
        let today = date!(2022 - 10 - 01);
        assert!(check_not_future(today, today).is_ok());
        assert_eq!(
            check_not_future(date!(2022 - 10 - 02), today)
                .unwrap_err()
                .code,
            "fact_date_in_future"
        );
        // 23:30 UTC is already the next day in Vietnam
        assert_eq!(vn_today(datetime!(2022-09-30 23:30 UTC)), today);
    }

    #[test]
    fn kind_codes_and_new_kinds() {
        assert_eq!(parse_kind_code(" lgsp_apps ").unwrap(), "lgsp_apps");
        for bad in ["", "Data", "1abc", "a-b", &"a".repeat(41)] {
            assert_eq!(
                parse_kind_code(bad).unwrap_err().code,
                "fact_kind_code_invalid",
                "{bad}"
            );
        }
        let k = NewFactKind::parse("lgsp", "Kết nối LGSP", "boolean", true).unwrap();
        assert_eq!(k.value_type, ValueType::Boolean);
        assert_eq!(
            NewFactKind::parse("lgsp", "X", "percent", true)
                .unwrap_err()
                .code,
            "fact_value_type_invalid"
        );
    }

    #[test]
    fn csv_files_are_taken_whole_or_not_at_all() {
        let today = date!(2022 - 12 - 31);
        let ok = "unit_code,kind,value,valid_from,note\n\
                  000.01.00.a01,data_network,có,2022-09-30,\n\
                  000.01.00.A01,email_accounts,1.200,30/09/2022,theo báo cáo quý\n\
                  000.01.00.A02,data_network,0,2022-06-01\n";
        let rows = parse_facts_csv(ok, &kinds(), today).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].fact.unit_code, "000.01.00.A01");
        assert_eq!(rows[1].fact.value, 1200);
        assert_eq!(rows[1].fact.note.as_deref(), Some("theo báo cáo quý"));
        assert_eq!(rows[2].fact.value, 0);

        let bad = "unit_code,kind,value,valid_from,note\n\
                   A1,data_network,có,2022-09-30,\n\
                   A1,wifi,có,2022-09-30,\n\
                   A1,email_accounts,nhiều,2022-09-30,\n\
                   A1,data_network,có,2023-01-01,\n\
                   A1,data_network,không,30/09/2022,\n\
                   A1,old_kind,có,2022-09-30,\n\
                   A/1,data_network,có,2022-09-30,\n";
        let err = parse_facts_csv(bad, &kinds(), today).unwrap_err();
        assert_eq!(err.code, "import_invalid");
        let errors = err.details.unwrap()["errors"].clone();
        let got: Vec<(u64, String)> = errors
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "fact_kind_unknown".into()),
                (4, "fact_value_invalid".into()),
                (5, "fact_date_in_future".into()),
                (6, "fact_duplicate".into()),
                (7, "fact_kind_inactive".into()),
                (8, "unit_code_invalid".into()),
            ]
        );
        assert_eq!(
            parse_facts_csv("code,name\nA,B\n", &kinds(), today)
                .unwrap_err()
                .code,
            "import_malformed"
        );
        assert_eq!(
            parse_facts_csv("unit_code,kind,value,valid_from\n", &kinds(), today)
                .unwrap_err()
                .code,
            "import_empty"
        );
    }
}
