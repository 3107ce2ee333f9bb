//! The applicant (chủ hồ sơ): a person or an organisation, with identity checks on the ID
//! number, phone and e-mail (issue 4 item 2).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Error, Result, text};

/// Longest applicant name.
pub const NAME_MAX: usize = 255;
/// Longest address.
pub const ADDRESS_MAX: usize = 500;
/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;

/// Citizen or organisation (the portal's LoaiDoiTuong 1 / 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// Công dân: identified by the 12-digit citizen ID (CCCD).
    Person,
    /// Tổ chức, doanh nghiệp: identified by the enterprise tax code (mã số thuế).
    Organisation,
}

impl ApplicantKind {
    /// The portal's LoaiDoiTuong: 1 citizen, 2 business [V field, S values].
    pub fn portal_number(self) -> u8 {
        match self {
            ApplicantKind::Person => 1,
            ApplicantKind::Organisation => 2,
        }
    }
}

/// A checked applicant. Build one with [`Applicant::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Person or organisation.
    pub kind: ApplicantKind,
    /// Full name or organisation name (NFC, trimmed).
    pub name: String,
    /// CCCD (12 digits) or tax code (`0100109106` or `0100109106-001`).
    pub id_number: String,
    /// Phone in national form (`0…`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail (domain lower-cased), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Address, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// An applicant as typed at the counter or sent by the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApplicant {
    /// Person or organisation.
    pub kind: ApplicantKind,
    /// Name.
    pub name: String,
    /// CCCD or tax code.
    pub id_number: String,
    /// Phone, optional.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail, optional.
    #[serde(default)]
    pub email: Option<String>,
    /// Address, optional.
    #[serde(default)]
    pub address: Option<String>,
}

impl Applicant {
    /// Checks and normalises an applicant. Errors (422): `field_empty`/`field_too_long`
    /// (name, address), `citizen_id_invalid`, `tax_code_invalid`, `phone_invalid`,
    /// `email_invalid`; the first problem found is reported.
    pub fn parse(input: NewApplicant) -> Result<Applicant> {
        let name = text::required(
            "applicant.name",
            "Tên người nộp hồ sơ",
            &input.name,
            NAME_MAX,
        )?;
        let id_number = match input.kind {
            ApplicantKind::Person => parse_citizen_id(&input.id_number)?,
            ApplicantKind::Organisation => parse_tax_code(&input.id_number)?,
        };
        let phone = match input.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(parse_phone(p)?),
        };
        let email = match input.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(parse_email(e)?),
        };
        let address = text::optional(
            "applicant.address",
            "Địa chỉ",
            input.address.as_deref(),
            ADDRESS_MAX,
        )?;
        Ok(Applicant {
            kind: input.kind,
            name,
            id_number,
            phone,
            email,
            address,
        })
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A citizen ID (số định danh cá nhân, on the CCCD card): exactly 12 digits whose first three
/// are a province code 001–096 [S]. Spaces are ignored.
pub fn parse_citizen_id(input: &str) -> Result<String> {
    let id: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let province = id.get(..3).and_then(|p| p.parse::<u16>().ok());
    if id.len() == 12 && digits_only(&id) && province.is_some_and(|p| (1..=96).contains(&p)) {
        Ok(id)
    } else {
        Err(Error::invalid(
            "citizen_id_invalid",
            "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số, ba chữ số đầu là mã tỉnh từ 001 đến 096.",
        )
        .with_details(json!({ "field": "applicant.id_number" })))
    }
}

/// Weights of the tax code check digit [S: python-stdnum `vn.mst`, stdnum-js `vn/mst`; the
/// rule predates Thông tư 105/2020/TT-BTC, which keeps the 10- and 13-digit structure].
const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// An enterprise tax code: 10 digits (`NNNNNNNNNC`) or a branch code of 10 digits, `-` and 3
/// digits (`001`–`999`). The 10th digit `C` = 10 − (Σ wᵢ·Nᵢ mod 11) with weights 31, 29, 23,
/// 19, 17, 13, 7, 5, 3; a remainder of 0 gives no valid code [S]. The province part (first
/// two digits) must not be `00`.
pub fn parse_tax_code(input: &str) -> Result<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let (main, branch) = match code.split_once('-') {
        Some((m, b)) => (m, Some(b)),
        None if code.len() == 13 && digits_only(&code) => (&code[..10], Some(&code[10..])),
        None => (code.as_str(), None),
    };
    let ok = main.len() == 10
        && digits_only(main)
        && !main.starts_with("00")
        && &main[2..9] != "0000000"
        && branch.is_none_or(|b| b.len() == 3 && digits_only(b) && b != "000")
        && tax_check_digit(main).is_some_and(|c| main.as_bytes()[9] == b'0' + c);
    if ok {
        Ok(match branch {
            Some(b) => format!("{main}-{b}"),
            None => main.to_string(),
        })
    } else {
        Err(Error::invalid(
            "tax_code_invalid",
            "Mã số thuế không hợp lệ: cần 10 chữ số (hoặc 10 chữ số, dấu - và 3 chữ số của chi nhánh) với chữ số kiểm tra đúng.",
        )
        .with_details(json!({ "field": "applicant.id_number" })))
    }
}

/// The check digit of a 10-digit tax code's first nine digits, `None` if no digit fits.
fn tax_check_digit(main: &str) -> Option<u8> {
    let sum: u32 = main
        .bytes()
        .take(9)
        .zip(TAX_WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    let check = 10 - (sum % 11);
    u8::try_from(check).ok().filter(|c| *c <= 9)
}

/// A Vietnamese phone number in national form: `+84`/`84`-prefixed numbers become `0…`;
/// spaces, dots, dashes and brackets are dropped. Mobile: 10 digits `03x/05x/07x/08x/09x`;
/// landline: 11 digits `02x…` (area codes since 2017) [S].
pub fn parse_phone(input: &str) -> Result<String> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else if compact.len() >= 11 && compact.starts_with("84") && !compact.starts_with("840") {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let b = national.as_bytes();
    let mobile = b.len() == 10 && b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9');
    let landline = b.len() == 11 && b[0] == b'0' && b[1] == b'2';
    if digits_only(&national) && (mobile || landline) {
        Ok(national)
    } else {
        Err(Error::invalid(
            "phone_invalid",
            "Số điện thoại không hợp lệ: di động 10 chữ số (03, 05, 07, 08, 09) hoặc cố định 11 chữ số (02…), có thể bắt đầu bằng +84.",
        )
        .with_details(json!({ "field": "applicant.phone" })))
    }
}

/// A basic e-mail check: one `@`, a non-empty local part, a domain with a dot and no empty
/// label, no spaces or control characters, at most 254 characters. The domain is
/// lower-cased.
pub fn parse_email(input: &str) -> Result<String> {
    let e = input.trim();
    let valid = e.len() <= EMAIL_MAX
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && domain.split('.').all(|l| {
                        !l.is_empty()
                            && !l.starts_with('-')
                            && !l.ends_with('-')
                            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                    })
            }
            None => false,
        };
    match e.split_once('@') {
        Some((local, domain)) if valid => Ok(format!("{local}@{}", domain.to_lowercase())),
        _ => Err(Error::invalid(
            "email_invalid",
            format!("Địa chỉ thư điện tử \"{e}\" không hợp lệ."),
        )
        .with_details(json!({ "field": "applicant.email" }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids() {
        assert_eq!(
            parse_citizen_id("001 099 012 345").expect("ok"),
            "001099012345"
        );
        assert!(parse_citizen_id("096099012345").is_ok());
        for bad in [
            "000099012345",
            "097099012345",
            "00109901234",
            "0010990123456",
            "00109901234a",
            "",
        ] {
            assert_eq!(
                parse_citizen_id(bad).expect_err(bad).code,
                "citizen_id_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn tax_codes_with_check_digit() {
        // Viettel's published tax code; 1+… weighted sum 114, 114 mod 11 = 4, check 6.
        assert_eq!(parse_tax_code("0100109106").expect("ok"), "0100109106");
        assert_eq!(
            parse_tax_code("0100109106-001").expect("ok"),
            "0100109106-001"
        );
        assert_eq!(
            parse_tax_code("0100109106001").expect("ok"),
            "0100109106-001"
        );
        for bad in [
            "0100109107",
            "0100109106-000",
            "0100109106-01",
            "010010910",
            "0000000000",
            "01001091a6",
            "0100109106-0011",
        ] {
            assert_eq!(
                parse_tax_code(bad).expect_err(bad).code,
                "tax_code_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn phones() {
        assert_eq!(parse_phone("+84 912 345 678").expect("ok"), "0912345678");
        assert_eq!(parse_phone("84912345678").expect("ok"), "0912345678");
        assert_eq!(parse_phone("0912.345.678").expect("ok"), "0912345678");
        assert_eq!(parse_phone("(024) 3826 1234").expect("ok"), "02438261234");
        for bad in [
            "0112345678",
            "091234567",
            "09123456789",
            "+1 202 555 0100",
            "abc",
            "0243826123",
        ] {
            assert_eq!(
                parse_phone(bad).expect_err(bad).code,
                "phone_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            parse_email("Nguyen.An@Mod.GOV.vn").expect("ok"),
            "Nguyen.An@mod.gov.vn"
        );
        for bad in [
            "a", "a@b", "@b.vn", "a@@b.vn", "a b@c.vn", "a@b..vn", "a@-b.vn",
        ] {
            assert_eq!(
                parse_email(bad).expect_err(bad).code,
                "email_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn applicant_by_kind() {
        let person = NewApplicant {
            kind: ApplicantKind::Person,
            name: "  Nguyễn   Văn An ".into(),
            id_number: "001099012345".into(),
            phone: Some("+84912345678".into()),
            email: Some("".into()),
            address: None,
        };
        let a = Applicant::parse(person.clone()).expect("person");
        assert_eq!(a.name, "Nguyễn Văn An");
        assert_eq!(a.phone.as_deref(), Some("0912345678"));
        assert_eq!(a.email, None);
        // A tax code is not a citizen ID, and the other way round.
        let wrong = NewApplicant {
            id_number: "0100109106".into(),
            ..person.clone()
        };
        assert_eq!(
            Applicant::parse(wrong).expect_err("cccd").code,
            "citizen_id_invalid"
        );
        let org = NewApplicant {
            kind: ApplicantKind::Organisation,
            ..person
        };
        assert_eq!(
            Applicant::parse(org).expect_err("mst").code,
            "tax_code_invalid"
        );
    }
}
