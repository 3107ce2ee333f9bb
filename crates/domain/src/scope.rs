//! Who sees what. A person acts within their unit's subtree; `admin`, `reform_office` and
//! `inspector` attached to the ministry root see everything (issue "Foundation", item 4).

use crate::unit::subtree_range;
use crate::user::User;

/// The part of the organisation a person may see and act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole ministry.
    All,
    /// The subtree under the unit whose materialised path is given (inclusive).
    Subtree(String),
}

impl Scope {
    /// The scope of a signed-in person. `unit_is_root` tells whether their unit has no parent.
    pub fn of(user: &User, unit_is_root: bool) -> Scope {
        if unit_is_root && user.roles.iter().any(|r| r.is_ministry_wide()) {
            Scope::All
        } else {
            Scope::Subtree(user.unit_path.clone())
        }
    }

    /// Whether a unit with this materialised path is visible.
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree(root) => path.starts_with(root.as_str()),
        }
    }

    /// `[lower, upper)` bounds on `units.path` for SQL filters; the whole string space for `All`.
    pub fn path_bounds(&self) -> (String, String) {
        match self {
            // Every path starts with '/', and '0' follows '/', so this range holds them all.
            Scope::All => ("/".to_string(), "0".to_string()),
            Scope::Subtree(root) => subtree_range(root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::Role;

    fn user(path: &str, roles: &[Role]) -> User {
        User {
            id: 1,
            username: "u".into(),
            full_name: "U".into(),
            unit_code: "X".into(),
            roles: roles.to_vec(),
            active: true,
            version: 1,
            unit_path: path.into(),
            unit_level: 0,
        }
    }

    #[test]
    fn ministry_wide_roles_at_root_see_all() {
        assert_eq!(
            Scope::of(&user("/1/", &[Role::Inspector]), true),
            Scope::All
        );
        assert_eq!(
            Scope::of(&user("/1/", &[Role::Leader]), true),
            Scope::Subtree("/1/".into())
        );
        assert_eq!(
            Scope::of(&user("/1/4/", &[Role::Admin]), false),
            Scope::Subtree("/1/4/".into())
        );
    }

    #[test]
    fn subtree_contains() {
        let s = Scope::Subtree("/1/4/".into());
        assert!(s.contains("/1/4/"));
        assert!(s.contains("/1/4/9/"));
        assert!(!s.contains("/1/40/"));
        assert!(!s.contains("/1/"));
        let (lo, hi) = Scope::All.path_bounds();
        assert!(*"/1/4/" >= *lo && *"/1/4/" < *hi);
    }
}
