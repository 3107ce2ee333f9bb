//! Announced exceptions to the ordinary week: days off and worked weekend days that the
//! Ministry of Home Affairs (before 2025: the Ministry of Labour) announces each year for
//! civil servants, kept as data with their legal reference.

use serde::{Deserialize, Serialize};
use time::{Date, macros::date};

use crate::holidays::{QUOC_KHANH_ADJACENT, TET_NGUYEN_DAN};

time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");

/// What an announcement says about a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// The day is not worked (e.g. a weekday given off in a swap, or an announced Tết day).
    DayOff,
    /// The day is worked (e.g. a Saturday worked to repay a swapped weekday).
    WorkingDay,
}

/// One announced day. Dates serialise as `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Exception {
    /// The day concerned.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Off or worked.
    pub kind: ExceptionKind,
    /// Vietnamese name shown to people, e.g. "Nghỉ Tết Âm lịch".
    pub name: String,
    /// The announcement this comes from, e.g. "Thông báo 9441/TB-BNV".
    #[serde(default)]
    pub legal_ref: Option<String>,
    /// Key of the holiday rule whose yearly choice this announcement makes (see
    /// [`crate::HolidayRule::key`]), e.g. `"tet_nguyen_dan"`. When any exception of a year
    /// covers a rule, that rule's default days are not used for that year.
    #[serde(default)]
    pub covers: Option<String>,
}

impl Exception {
    /// A day off.
    pub fn day_off(date: Date, name: &str, legal_ref: Option<&str>) -> Self {
        Self {
            date,
            kind: ExceptionKind::DayOff,
            name: name.to_string(),
            legal_ref: legal_ref.map(str::to_string),
            covers: None,
        }
    }

    /// A worked day.
    pub fn working_day(date: Date, name: &str, legal_ref: Option<&str>) -> Self {
        Self {
            kind: ExceptionKind::WorkingDay,
            ..Self::day_off(date, name, legal_ref)
        }
    }

    /// The same exception, marked as the announcement of a holiday rule's yearly choice.
    pub fn covering(mut self, rule_key: &str) -> Self {
        self.covers = Some(rule_key.to_string());
        self
    }
}

/// Weekdays off of an announced Tết, each covering the Tết rule.
fn tet(days: &[Date], lunar_year_name: &str, legal_ref: &str) -> Vec<Exception> {
    days.iter()
        .map(|&d| {
            Exception::day_off(
                d,
                &format!("Nghỉ Tết Âm lịch {lunar_year_name}"),
                Some(legal_ref),
            )
            .covering(TET_NGUYEN_DAN)
        })
        .collect()
}

/// The civil-service schedules announced for 2022–2026 (domain brief, shared/domain/calendar.md).
///
/// Only what rules cannot derive is listed: the five Tết weekdays, the Quốc khánh adjacent
/// day, and swaps. Days that follow from Bộ luật Lao động 2019 Điều 111–112 (fixed holidays
/// and compensatory days) come from [`crate::HolidayRules`].
pub fn shipped_exceptions() -> Vec<Exception> {
    let molisa = |year: i32| {
        format!(
            "Thông báo của Bộ Lao động - Thương binh và Xã hội về lịch nghỉ năm {year} đối với cán bộ, công chức, viên chức"
        )
    };
    let mut list = Vec::new();

    // 2022: Tết Nhâm Dần Mon 31/1 – Fri 4/2; Quốc khánh adjacent day Thu 1/9.
    list.extend(tet(
        &[
            date!(2022 - 01 - 31),
            date!(2022 - 02 - 01),
            date!(2022 - 02 - 02),
            date!(2022 - 02 - 03),
            date!(2022 - 02 - 04),
        ],
        "Nhâm Dần",
        &molisa(2022),
    ));
    list.push(
        Exception::day_off(
            date!(2022 - 09 - 01),
            "Nghỉ Quốc khánh (ngày liền kề)",
            Some(&molisa(2022)),
        )
        .covering(QUOC_KHANH_ADJACENT),
    );

    // 2023: Tết Quý Mão Fri 20/1 – Thu 26/1.
    list.extend(tet(
        &[
            date!(2023 - 01 - 20),
            date!(2023 - 01 - 23),
            date!(2023 - 01 - 24),
            date!(2023 - 01 - 25),
            date!(2023 - 01 - 26),
        ],
        "Quý Mão",
        &molisa(2023),
    ));

    // 2024: Tết Giáp Thìn Thu 8/2 – Wed 14/2; Mon 29/4 off repaid on Sat 4/5; Quốc khánh Tue 3/9.
    list.extend(tet(
        &[
            date!(2024 - 02 - 08),
            date!(2024 - 02 - 09),
            date!(2024 - 02 - 12),
            date!(2024 - 02 - 13),
            date!(2024 - 02 - 14),
        ],
        "Giáp Thìn",
        &molisa(2024),
    ));
    list.push(Exception::day_off(
        date!(2024 - 04 - 29),
        "Nghỉ hoán đổi dịp 30/4 - 1/5",
        Some(&molisa(2024)),
    ));
    list.push(Exception::working_day(
        date!(2024 - 05 - 04),
        "Làm bù cho ngày 29/4",
        Some(&molisa(2024)),
    ));
    list.push(
        Exception::day_off(
            date!(2024 - 09 - 03),
            "Nghỉ Quốc khánh (ngày liền kề)",
            Some(&molisa(2024)),
        )
        .covering(QUOC_KHANH_ADJACENT),
    );

    // 2025: Tết Ất Tỵ Mon 27/1 – Fri 31/1; Fri 2/5 off repaid on Sat 26/4.
    list.extend(tet(
        &[
            date!(2025 - 01 - 27),
            date!(2025 - 01 - 28),
            date!(2025 - 01 - 29),
            date!(2025 - 01 - 30),
            date!(2025 - 01 - 31),
        ],
        "Ất Tỵ",
        &molisa(2025),
    ));
    list.push(Exception::day_off(
        date!(2025 - 05 - 02),
        "Nghỉ hoán đổi dịp 30/4 - 1/5",
        Some(&molisa(2025)),
    ));
    list.push(Exception::working_day(
        date!(2025 - 04 - 26),
        "Làm bù cho ngày 2/5",
        Some(&molisa(2025)),
    ));

    // 2026: Tết Bính Ngọ Mon 16/2 – Fri 20/2.
    list.extend(tet(
        &[
            date!(2026 - 02 - 16),
            date!(2026 - 02 - 17),
            date!(2026 - 02 - 18),
            date!(2026 - 02 - 19),
            date!(2026 - 02 - 20),
        ],
        "Bính Ngọ",
        "Thông báo 9441/TB-BNV",
    ));
    list
}
