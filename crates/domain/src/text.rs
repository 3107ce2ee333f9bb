//! Text at the boundary: NFC normalisation, length rules and the diacritic-free search key
//! (domain README: "Store text as NFC; search on a key without diacritics (đ→d)").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{Error, Result};

/// NFC-normalise and trim surrounding whitespace; inner runs of whitespace become one space.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-case, diacritic-free form for searching: "Đặng Thị Ánh" → "dang thi anh".
pub fn search_key(input: &str) -> String {
    input
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A required human-readable text field (names): cleaned, non-empty, at most `max` characters.
pub fn required(field: &'static str, label: &str, input: &str, max: usize) -> Result<String> {
    let value = clean(input);
    if value.is_empty() {
        return Err(
            Error::invalid("field_empty", format!("{label} không được để trống."))
                .with_details(serde_json::json!({ "field": field })),
        );
    }
    if value.chars().count() > max {
        return Err(Error::invalid(
            "field_too_long",
            format!("{label} không được dài quá {max} ký tự."),
        )
        .with_details(serde_json::json!({ "field": field, "max": max })));
    }
    if value.chars().any(char::is_control) {
        return Err(
            Error::invalid("field_invalid", format!("{label} chứa ký tự không hợp lệ."))
                .with_details(serde_json::json!({ "field": field })),
        );
    }
    Ok(value)
}

/// An optional text field: empty input means "none".
pub fn optional(
    field: &'static str,
    label: &str,
    input: Option<&str>,
    max: usize,
) -> Result<Option<String>> {
    match input.map(clean) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => required(field, label, &v, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_drops_diacritics_and_case() {
        assert_eq!(search_key("Đặng Thị ÁNH"), "dang thi anh");
        assert_eq!(search_key("  Cục   Quân y "), "cuc quan y");
    }

    #[test]
    fn clean_normalises_to_nfc() {
        // "ệ" written as e + combining marks becomes the single precomposed character.
        let decomposed = "Vie\u{0323}\u{0302}t";
        assert_eq!(clean(decomposed), "Việt");
        assert_eq!(clean(decomposed).chars().count(), 4);
    }

    #[test]
    fn required_rejects_empty_and_long() {
        assert_eq!(
            required("name", "Tên", "   ", 10).unwrap_err().code,
            "field_empty"
        );
        assert_eq!(
            required("name", "Tên", "abcdefghijk", 10).unwrap_err().code,
            "field_too_long"
        );
        assert_eq!(required("name", "Tên", "Bộ", 10).unwrap(), "Bộ");
    }
}
