//! Unit import files (CSV or JSON). A file is accepted whole or not at all: every bad row is
//! reported with its line number and nothing is written (issue "Foundation", item 3).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::unit::NewUnit;
use crate::{Error, Result};

/// A validated row and the line of the file it came from (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub line: usize,
    pub unit: NewUnit,
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub code: &'static str,
    pub message: String,
}

/// The whole-file rejection: `import_invalid` with every row error in `details.errors`.
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
            "Tệp có {} lỗi, không đơn vị nào được nhập. {summary}",
            errors.len()
        ),
    )
    .with_details(serde_json::json!({ "errors": errors }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    code: String,
    name: String,
    #[serde(default)]
    short_name: Option<String>,
    level: i32,
    #[serde(default)]
    parent_code: Option<String>,
}

/// Which format a file is in, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn from_file_name(name: &str) -> Result<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Ok(Format::Csv)
        } else if lower.ends_with(".json") {
            Ok(Format::Json)
        } else {
            Err(Error::bad_request(
                "import_format_unknown",
                "Chỉ nhận tệp .csv hoặc .json.",
            ))
        }
    }
}

/// Parses and validates a file; rows come back with parents before children.
pub fn parse_units(format: Format, content: &str) -> Result<Vec<ImportRow>> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let raw = match format {
        Format::Csv => csv_rows(content)?,
        Format::Json => json_rows(content)?,
    };
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (line, raw) in raw {
        match raw.and_then(|r| {
            NewUnit::parse(
                &r.code,
                &r.name,
                r.short_name.as_deref(),
                r.level,
                r.parent_code.as_deref(),
            )
        }) {
            Ok(unit) => rows.push(ImportRow { line, unit }),
            Err(e) => errors.push(RowError {
                line,
                code: e.code,
                message: e.message,
            }),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(Error::invalid("import_empty", "Tệp không có đơn vị nào."));
    }
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let code = row.unit.code.as_str().to_string();
        if let Some(first) = first_line.get(&code) {
            errors.push(RowError {
                line: row.line,
                code: "unit_code_duplicate",
                message: format!("mã đơn vị {code} đã xuất hiện ở dòng {first}"),
            });
        } else {
            first_line.insert(code, row.line);
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(rejection(errors));
    }
    order_parents_first(rows)
}

/// Sorts rows so every parent defined in the file comes before its children; a loop inside
/// the file is an error on each row of the loop.
fn order_parents_first(rows: Vec<ImportRow>) -> Result<Vec<ImportRow>> {
    let in_file: HashSet<String> = rows
        .iter()
        .map(|r| r.unit.code.as_str().to_string())
        .collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut pending = rows;
    let mut ordered = Vec::with_capacity(pending.len());
    loop {
        let before = pending.len();
        let (ready, waiting): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|r| match &r.unit.parent {
                Some(p) if in_file.contains(p.as_str()) => placed.contains(p.as_str()),
                _ => true,
            });
        for r in &ready {
            placed.insert(r.unit.code.as_str().to_string());
        }
        ordered.extend(ready);
        pending = waiting;
        if pending.is_empty() {
            return Ok(ordered);
        }
        if pending.len() == before {
            let errors = pending
                .iter()
                .map(|r| RowError {
                    line: r.line,
                    code: "unit_parent_cycle",
                    message: format!("đơn vị {} nằm trong một vòng lặp cấp trên", r.unit.code),
                })
                .collect();
            return Err(rejection(errors));
        }
    }
}

type RawRows = Vec<(usize, Result<RawUnit>)>;

fn csv_rows(content: &str) -> Result<RawRows> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
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
    let known = ["code", "name", "short_name", "level", "parent_code"];
    let unknown: Vec<&str> = headers.iter().filter(|h| !known.contains(h)).collect();
    if !unknown.is_empty() || !headers.iter().any(|h| h == "code") {
        return Err(Error::bad_request(
            "import_malformed",
            format!(
                "Dòng tiêu đề CSV phải gồm các cột {}; cột không nhận ra: {}",
                known.join(", "),
                unknown.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let (line, parsed) = match record {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let get = |name: &str| {
                    headers
                        .iter()
                        .position(|h| h == name)
                        .and_then(|i| rec.get(i))
                        .map(str::to_string)
                        .filter(|s| !s.is_empty())
                };
                let level = get("level").unwrap_or_default();
                let parsed = level
                    .parse::<i32>()
                    .map_err(|_| {
                        Error::invalid(
                            "unit_level_invalid",
                            format!("cấp \"{level}\" không phải là số"),
                        )
                    })
                    .map(|level| RawUnit {
                        code: get("code").unwrap_or_default(),
                        name: get("name").unwrap_or_default(),
                        short_name: get("short_name"),
                        level,
                        parent_code: get("parent_code"),
                    });
                (line, parsed)
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                (
                    line,
                    Err(Error::bad_request(
                        "import_malformed",
                        format!("dòng CSV hỏng: {e}"),
                    )),
                )
            }
        };
        out.push((line, parsed));
    }
    Ok(out)
}

fn json_rows(content: &str) -> Result<RawRows> {
    let values: Vec<serde_json::Value> = serde_json::from_str(content).map_err(|e| {
        Error::bad_request(
            "import_malformed",
            format!(
                "Tệp JSON không hợp lệ ở dòng {}, cột {}: phải là một mảng các đơn vị.",
                e.line(),
                e.column()
            ),
        )
    })?;
    let lines = element_lines(content);
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let line = lines.get(i).copied().unwrap_or(0);
            let parsed = serde_json::from_value::<RawUnit>(v).map_err(|e| {
                Error::invalid("import_row_invalid", format!("mục thứ {}: {e}", i + 1))
            });
            (line, parsed)
        })
        .collect())
}

/// Line on which each element of a top-level JSON array starts.
fn element_lines(content: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut line, mut depth, mut in_string, mut escaped) = (1usize, 0usize, false, false);
    let mut expecting_element = false;
    for c in content.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if depth == 1 && expecting_element && !c.is_whitespace() && c != ',' && c != ']' {
            lines.push(line);
            expecting_element = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting_element = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting_element = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_parsed_parents_first() {
        let csv = "code,name,short_name,level,parent_code\nB1,Cục Một,,1,BQP\nBQP,Bộ Quốc phòng,BQP,0,\nC1,Phòng Một,,2,B1\n";
        let rows = parse_units(Format::Csv, csv).unwrap();
        let codes: Vec<_> = rows
            .iter()
            .map(|r| (r.line, r.unit.code.as_str().to_string()))
            .collect();
        assert_eq!(
            codes,
            vec![(3, "BQP".into()), (2, "B1".into()), (4, "C1".into())]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "code,name,level,parent_code\nA,Tốt,0,\n,Không mã,1,A\nB,,1,A\nA,Trùng,1,\nC,Sai cấp,x,A\n";
        let err = parse_units(Format::Csv, csv).unwrap_err();
        assert_eq!(err.code, "import_invalid");
        let details = err.details.unwrap();
        let lines: Vec<u64> = details["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
    }

    #[test]
    fn json_rows_carry_lines_and_reject_unknown_fields() {
        let json = "[\n  {\"code\":\"A\",\"name\":\"Bộ\",\"level\":0},\n  {\"code\":\"B\",\"name\":\"X\",\"level\":1,\"parent_code\":\"A\",\"colour\":\"red\"}\n]";
        let err = parse_units(Format::Json, json).unwrap_err();
        let details = err.details.unwrap();
        assert_eq!(details["errors"][0]["line"], 3);
        assert_eq!(details["errors"][0]["code"], "import_row_invalid");
        assert_eq!(
            parse_units(Format::Json, "{").unwrap_err().code,
            "import_malformed"
        );
    }

    #[test]
    fn cycles_inside_the_file_are_refused() {
        let csv = "code,name,level,parent_code\nA,A,1,B\nB,B,2,A\n";
        let err = parse_units(Format::Csv, csv).unwrap_err();
        assert!(err.message.contains("vòng lặp"));
    }
}
