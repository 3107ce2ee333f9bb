//! Vietnamese wording for what the JSON and query-string parsers refuse. The parsers' own text
//! is English (`missing field `x` at line 1 column 9`); users read the Vietnamese message, and
//! the parser's text stays in `details.parser` for whoever writes the client.

use serde_json::{Value, json};

/// The reason a body or query was refused, in Vietnamese, and the details to attach: the field
/// or value named by the parser (when it names one) and the parser's own text.
pub fn describe(parser_text: &str) -> (String, Value) {
    // axum puts its own sentence first ("Failed to deserialize the JSON body into the target
    // type: …").
    let reason = strip_prefix(parser_text);
    let named = between_backquotes(reason);
    let mut details = json!({ "parser": parser_text });
    let message = if let Some(field) = after("missing field `", reason) {
        details["field"] = json!(field);
        format!("thiếu trường \"{field}\".")
    } else if let Some(field) = after("unknown field `", reason) {
        details["field"] = json!(field);
        format!("không có trường \"{field}\" (kiểm tra lỗi gõ tên trường).")
    } else if let Some(value) = after("unknown variant `", reason) {
        details["value"] = json!(value);
        format!("giá trị \"{value}\" không nằm trong các giá trị cho phép.")
    } else if reason.starts_with("duplicate field") {
        if let Some(field) = named {
            details["field"] = json!(field);
        }
        "một trường xuất hiện hai lần.".to_string()
    } else if reason.starts_with("invalid type") {
        "sai kiểu dữ liệu (ví dụ chữ ở chỗ cần số).".to_string()
    } else if reason.starts_with("invalid value") || reason.starts_with("invalid length") {
        "giá trị không hợp lệ.".to_string()
    } else if reason.contains("EOF while parsing")
        || reason.starts_with("expected")
        || reason.starts_with("trailing")
        || reason.starts_with("key must be")
        || reason.starts_with("control character")
        || reason.starts_with("invalid escape")
        || reason.starts_with("invalid unicode")
        || reason.starts_with("invalid number")
    {
        "sai cú pháp JSON.".to_string()
    } else {
        "dữ liệu không đúng cấu trúc.".to_string()
    };
    (message, details)
}

/// The parser's phrases this module words in Vietnamese.
const REASONS: [&str; 15] = [
    "missing field",
    "unknown field",
    "unknown variant",
    "duplicate field",
    "invalid type",
    "invalid value",
    "invalid length",
    "EOF while parsing",
    "expected",
    "trailing",
    "key must be",
    "control character",
    "invalid escape",
    "invalid unicode",
    "invalid number",
];

/// The parser's reason without axum's sentence before it: the text from the first known
/// phrase on (the whole text when none occurs).
fn strip_prefix(text: &str) -> &str {
    REASONS
        .iter()
        .filter_map(|phrase| text.find(phrase))
        .min()
        .map_or(text, |start| &text[start..])
}

/// The text between `prefix` (which ends with a backquote) and the next backquote.
fn after<'a>(prefix: &str, reason: &'a str) -> Option<&'a str> {
    let rest = reason.strip_prefix(prefix)?;
    rest.find('`').map(|end| &rest[..end])
}

fn between_backquotes(reason: &str) -> Option<&str> {
    let start = reason.find('`')? + 1;
    let len = reason[start..].find('`')?;
    Some(&reason[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_or_value_in_vietnamese() {
        let (m, d) = describe(
            "Failed to deserialize the JSON body into the target type: missing field `new_appointment` at line 1 column 40",
        );
        assert_eq!(m, "thiếu trường \"new_appointment\".");
        assert_eq!(d["field"], "new_appointment");
        assert!(d["parser"].as_str().is_some_and(|p| p.contains("line 1")));

        let (m, d) = describe("unknown field `nmae`, expected one of `name`, `version`");
        assert!(m.contains("\"nmae\""), "{m}");
        assert_eq!(d["field"], "nmae");

        let (m, d) = describe(
            "Failed to deserialize query string: unknown variant `flying`, expected one of `received`, `processing`",
        );
        assert!(m.contains("\"flying\""), "{m}");
        assert_eq!(d["value"], "flying");

        let (m, _) = describe("invalid type: string \"hai\", expected i64 at line 1 column 20");
        assert!(m.starts_with("sai kiểu"), "{m}");
        let (m, _) = describe(
            "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 13",
        );
        assert_eq!(m, "sai cú pháp JSON.");
        let (m, _) = describe("something new");
        assert_eq!(m, "dữ liệu không đúng cấu trúc.");
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "",
            "`",
            "``",
            ": `",
            "missing field `",
            "a: b: `c",
            "unknown variant `x",
        ] {
            let (m, _) = describe(text);
            assert!(!m.is_empty());
        }
    }
}
