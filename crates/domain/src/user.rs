//! People and their roles (domain README, "The organisation").

use serde::{Deserialize, Serialize};

use crate::{Error, Result, text};

pub const FULL_NAME_MAX: usize = 128;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;

/// What a person may do. A person acts within their unit's subtree (see [`crate::scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator: units, users.
    Admin,
    /// Văn phòng / bộ phận CCHC: plans, ranks and reports.
    ReformOffice,
    /// Lãnh đạo: approves and signs.
    Leader,
    /// Chuyên viên thụ lý: appraises dossiers.
    Specialist,
    /// Cán bộ tiếp nhận at the one-stop desk.
    Receiver,
    /// Văn thư: numbers and issues documents.
    Clerk,
    /// Thanh tra: reads everything in scope, including the audit log.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::ReformOffice,
        Role::Leader,
        Role::Specialist,
        Role::Receiver,
        Role::Clerk,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReformOffice => "reform_office",
            Role::Leader => "leader",
            Role::Specialist => "specialist",
            Role::Receiver => "receiver",
            Role::Clerk => "clerk",
            Role::Inspector => "inspector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::ReformOffice => "Bộ phận CCHC",
            Role::Leader => "Lãnh đạo",
            Role::Specialist => "Chuyên viên",
            Role::Receiver => "Cán bộ tiếp nhận (Một cửa)",
            Role::Clerk => "Văn thư",
            Role::Inspector => "Thanh tra",
        }
    }

    pub fn parse(input: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == input.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "role_unknown",
                    format!(
                        "Vai trò \"{}\" không tồn tại. Các vai trò hợp lệ: {}.",
                        input.trim(),
                        Role::ALL.map(Role::as_str).join(", ")
                    ),
                )
            })
    }

    /// Roles that see the whole ministry when attached to its root unit.
    pub fn is_ministry_wide(self) -> bool {
        matches!(self, Role::Admin | Role::ReformOffice | Role::Inspector)
    }
}

/// Roles as stored: a sorted, comma-separated list ("admin,leader").
pub fn roles_to_string(roles: &[Role]) -> String {
    let mut sorted = roles.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn roles_from_string(stored: &str) -> Result<Vec<Role>> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(Role::parse)
        .collect()
}

/// Sign-in name: 3–64 characters of lower-case ASCII letters, digits, `.`, `_`, `-`.
pub fn parse_username(input: &str) -> Result<String> {
    let name = input.trim().to_ascii_lowercase();
    let ok = (3..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name)
    } else {
        Err(Error::invalid(
            "username_invalid",
            "Tên đăng nhập phải dài 3–64 ký tự, chỉ gồm chữ cái không dấu, chữ số và các ký tự . _ -",
        ))
    }
}

pub fn check_password(password: &str) -> Result<()> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(Error::invalid(
            "password_too_short",
            format!("Mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự."),
        ));
    }
    if length > PASSWORD_MAX {
        return Err(Error::invalid(
            "password_too_long",
            format!("Mật khẩu không được dài quá {PASSWORD_MAX} ký tự."),
        ));
    }
    Ok(())
}

/// A person as read from storage (never carries the password hash out of the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(skip)]
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_code: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub version: i64,
    #[serde(skip)]
    pub unit_path: String,
    #[serde(skip)]
    pub unit_level: i32,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }
}

/// Input for a new person, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub unit_code: String,
    pub roles: Vec<Role>,
}

impl NewUser {
    pub fn parse(
        username: &str,
        full_name: &str,
        unit_code: &str,
        roles: &[String],
    ) -> Result<Self> {
        let roles = roles
            .iter()
            .map(|r| Role::parse(r))
            .collect::<Result<Vec<_>>>()?;
        if roles.is_empty() {
            return Err(Error::invalid(
                "role_missing",
                "Người dùng phải có ít nhất một vai trò.",
            ));
        }
        Ok(NewUser {
            username: parse_username(username)?,
            full_name: text::required("full_name", "Họ và tên", full_name, FULL_NAME_MAX)?,
            unit_code: crate::unit::UnitCode::parse(unit_code)?
                .as_str()
                .to_string(),
            roles,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        let stored = roles_to_string(&[Role::Leader, Role::Admin, Role::Leader]);
        assert_eq!(stored, "admin,leader");
        assert_eq!(
            roles_from_string(&stored).unwrap(),
            vec![Role::Admin, Role::Leader]
        );
        assert_eq!(Role::parse("boss").unwrap_err().code, "role_unknown");
    }

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(parse_username(" Nguyen.Van-A ").unwrap(), "nguyen.van-a");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("nguyễn").is_err());
        assert_eq!(
            check_password("short").unwrap_err().code,
            "password_too_short"
        );
        assert!(check_password("đủ-dài-rồi").is_ok());
    }

    #[test]
    fn new_user_needs_a_role() {
        assert_eq!(
            NewUser::parse("abc", "A", "X1", &[]).unwrap_err().code,
            "role_missing"
        );
        assert_eq!(
            NewUser::parse("abc", "A", "X1", &["boss".into()])
                .unwrap_err()
                .code,
            "role_unknown"
        );
    }
}
