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

/// Vietnamese thousands separator (domain brief "Number and text conventions"):
/// 56906 → "56.906", -1200 → "-1.200".
pub fn vn_number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `part / whole` as a Vietnamese percentage with `decimals` decimals, rounded half up in exact
/// integer arithmetic (no floating point, so 135/200 is always "67,5%" and 197/811 "24,3%").
/// Trailing zeros of the decimals are dropped ("100%", not "100,0%"). `None` when `whole` is 0.
pub fn vn_percent(part: u64, whole: u64, decimals: u32) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let scale = 10u128.pow(decimals.min(6));
    // percent × scale, rounded half up: (part × 100 × scale × 2 + whole) / (2 × whole)
    let scaled = (u128::from(part) * 100 * scale * 2 + u128::from(whole)) / (2 * u128::from(whole));
    let int = scaled / scale;
    let mut frac = format!(
        "{:0width$}",
        scaled % scale,
        width = decimals.min(6) as usize
    );
    while frac.ends_with('0') {
        frac.pop();
    }
    let int = vn_number(i64::try_from(int).unwrap_or(i64::MAX));
    Some(if frac.is_empty() {
        format!("{int}%")
    } else {
        format!("{int},{frac}%")
    })
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

    #[test]
    fn vietnamese_numbers_and_percentages() {
        assert_eq!(vn_number(56906), "56.906");
        assert_eq!(vn_number(33900), "33.900");
        assert_eq!(vn_number(999), "999");
        assert_eq!(vn_number(-1200), "-1.200");
        assert_eq!(vn_number(1_000_000), "1.000.000");
        assert_eq!(vn_percent(30, 30, 1).as_deref(), Some("100%"));
        assert_eq!(vn_percent(135, 200, 1).as_deref(), Some("67,5%"));
        assert_eq!(vn_percent(197, 811, 1).as_deref(), Some("24,3%"));
        // exactly half rounds up
        assert_eq!(vn_percent(1, 8, 1).as_deref(), Some("12,5%"));
        assert_eq!(vn_percent(1, 16, 1).as_deref(), Some("6,3%"));
        assert_eq!(vn_percent(1, 3, 2).as_deref(), Some("33,33%"));
        assert_eq!(vn_percent(1, 0, 1), None);
    }
}
