//! Organisation units: a tree of any depth with a level attribute (domain README,
//! "The organisation"). The tree is stored as a materialised path of unit ids, e.g.
//! `/1/7/42/`; see docs/architecture.md for why.

use serde::{Deserialize, Serialize};

use crate::{Error, Result, text};

pub const NAME_MAX: usize = 255;
pub const SHORT_NAME_MAX: usize = 64;
pub const CODE_MAX: usize = 40;
/// Deepest level accepted; real ministries stop at four or five.
pub const LEVEL_MAX: i32 = 9;

/// The unit's national agency identifier (mã định danh, QCVN 102:2016 [S]), e.g.
/// `000.00.01.H22`. Treated as an opaque code of letters, digits, `.`, `-` and `_`
/// because the standard's exact grammar is not verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(input: &str) -> Result<Self> {
        let code = input.trim();
        if code.is_empty() {
            return Err(Error::invalid(
                "unit_code_empty",
                "Mã đơn vị không được để trống.",
            ));
        }
        if code.len() > CODE_MAX {
            return Err(Error::invalid(
                "unit_code_invalid",
                format!("Mã đơn vị không được dài quá {CODE_MAX} ký tự."),
            ));
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(Error::invalid(
                "unit_code_invalid",
                format!(
                    "Mã đơn vị \"{code}\" không hợp lệ: chỉ dùng chữ cái không dấu, chữ số và các ký tự . - _"
                ),
            ));
        }
        Ok(UnitCode(code.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Level in the ministry: 0 = the ministry (Bộ) itself, 1 = cấp I (đơn vị thuộc Bộ, also
/// called "cấp Bộ" in reports), 2 = cấp II, 3 = cấp III, and so on.
pub fn validate_level(level: i32) -> Result<i32> {
    if (0..=LEVEL_MAX).contains(&level) {
        Ok(level)
    } else {
        Err(Error::invalid(
            "unit_level_invalid",
            format!("Cấp đơn vị phải từ 0 (Bộ) đến {LEVEL_MAX}."),
        ))
    }
}

/// Vietnamese label of a level, as the source report writes it.
pub fn level_label(level: i32) -> String {
    match level {
        0 => "Bộ".to_string(),
        1 => "Cấp I (cấp Bộ)".to_string(),
        2 => "Cấp II".to_string(),
        3 => "Cấp III".to_string(),
        4 => "Cấp IV".to_string(),
        n => format!("Cấp {n}"),
    }
}

/// A unit as read from storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: i32,
    pub parent_code: Option<String>,
    pub active: bool,
    pub version: i64,
    #[serde(skip)]
    pub path: String,
    pub depth: i32,
}

/// Input for a new unit, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUnit {
    pub code: UnitCode,
    pub name: String,
    pub short_name: Option<String>,
    pub level: i32,
    pub parent: Option<UnitCode>,
}

impl NewUnit {
    pub fn parse(
        code: &str,
        name: &str,
        short_name: Option<&str>,
        level: i32,
        parent: Option<&str>,
    ) -> Result<Self> {
        Ok(NewUnit {
            code: UnitCode::parse(code)?,
            name: text::required("name", "Tên đơn vị", name, NAME_MAX)?,
            short_name: text::optional("short_name", "Tên viết tắt", short_name, SHORT_NAME_MAX)?,
            level: validate_level(level)?,
            parent: parent
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(UnitCode::parse)
                .transpose()?,
        })
    }
}

/// A change to a unit; `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitChange {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub parent: Option<UnitCode>,
    pub active: Option<bool>,
}

impl UnitChange {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.short_name.is_none()
            && self.parent.is_none()
            && self.active.is_none()
    }
}

/// A child must sit at a deeper level than its parent.
pub fn check_parent_level(parent_level: i32, child_level: i32) -> Result<()> {
    if child_level > parent_level {
        Ok(())
    } else {
        Err(Error::invalid(
            "unit_level_invalid",
            format!(
                "Đơn vị {} không thể trực thuộc đơn vị {}: cấp của đơn vị con phải thấp hơn cấp của đơn vị cha.",
                level_label(child_level),
                level_label(parent_level)
            ),
        ))
    }
}

/// Moving a unit under itself or one of its descendants would cut the tree into a loop.
pub fn check_move(unit_path: &str, new_parent_path: &str) -> Result<()> {
    if new_parent_path.starts_with(unit_path) {
        return Err(Error::invalid(
            "unit_move_into_descendant",
            "Không thể chuyển đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.",
        ));
    }
    Ok(())
}

/// Materialised path of a unit whose parent has `parent_path` (or none for a root).
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// Half-open byte range `[lower, upper)` that holds exactly the paths starting with `path`.
/// Works as an index range scan on both engines (no LIKE): every path ends with `/`, and
/// `'/' + 1 == '0'`, so replacing the final `/` by `0` gives the first string after the subtree.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut upper = path.trim_end_matches('/').to_string();
    upper.push('0');
    (path.to_string(), upper)
}

/// Number of ancestors above the unit (0 for a root).
pub fn depth_of(path: &str) -> i32 {
    let segments = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    i32::try_from(segments)
        .unwrap_or(i32::MAX)
        .saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_validated_and_upper_cased() {
        assert_eq!(
            UnitCode::parse(" 000.00.01.h22 ").unwrap().as_str(),
            "000.00.01.H22"
        );
        assert_eq!(UnitCode::parse("").unwrap_err().code, "unit_code_empty");
        assert_eq!(
            UnitCode::parse("a/b").unwrap_err().code,
            "unit_code_invalid"
        );
        assert_eq!(
            UnitCode::parse(&"1".repeat(41)).unwrap_err().code,
            "unit_code_invalid"
        );
    }

    #[test]
    fn moves_into_descendants_are_refused() {
        assert!(check_move("/1/5/", "/1/5/9/").is_err());
        assert!(check_move("/1/5/", "/1/5/").is_err());
        assert!(check_move("/1/5/", "/1/50/").is_ok());
        assert!(check_move("/1/5/", "/1/").is_ok());
    }

    #[test]
    fn levels_must_deepen() {
        assert!(check_parent_level(1, 2).is_ok());
        assert_eq!(
            check_parent_level(2, 2).unwrap_err().code,
            "unit_level_invalid"
        );
    }

    #[test]
    fn depth_counts_ancestors() {
        assert_eq!(depth_of("/1/"), 0);
        assert_eq!(depth_of("/1/5/9/"), 2);
    }

    proptest! {
        // The range holds a path exactly when the path starts with the prefix.
        #[test]
        fn subtree_range_matches_prefix(a in proptest::collection::vec(1u32..200, 1..5),
                                        b in proptest::collection::vec(1u32..200, 1..6)) {
            let to_path = |ids: &[u32]| ids.iter().fold("/".to_string(), |p, i| format!("{p}{i}/"));
            let prefix = to_path(&a);
            let candidate = to_path(&b);
            let (lo, hi) = subtree_range(&prefix);
            let in_range = candidate >= lo && candidate < hi;
            prop_assert_eq!(in_range, candidate.starts_with(&prefix));
        }
    }
}
