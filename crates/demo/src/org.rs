//! The demo ministry's organisation: the root (level 0), 30 level-I units (đơn vị thuộc Bộ),
//! 200 level-II and 811 level-III units, with codes in the national identifier style
//! (mã định danh, QCVN 102:2016): level I `000.00.II.H22`, level II `000.JJ.II.H22`, level III
//! `KKK.JJ.II.H22`, where II, JJ, KKK number the unit under its parent.

use crate::plan::{LEVEL_I, LEVEL_II, LEVEL_III};

/// The ministry's own code suffix in the national identifier system.
pub const SUFFIX: &str = "H22";
/// The root unit's code.
pub const ROOT_CODE: &str = "000.00.00.H22";
pub const ROOT_NAME: &str = "Bộ Quốc phòng";
pub const ROOT_SHORT: &str = "BQP";

/// What kind of level-I unit, which decides the names of its subunits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Office,
    Department,
    GeneralDepartment,
    Academy,
    Hospital,
    MilitaryRegion,
    Corps,
}

/// Level-I units: name, short name (for usernames), kind. The first ones are the one-stop
/// desks (see `catalogue.rs`).
pub const LEVEL_I_UNITS: [(&str, &str, Kind); LEVEL_I] = [
    ("Văn phòng Bộ Quốc phòng", "vpb", Kind::Office),
    ("Cục Chính sách", "ccs", Kind::Department),
    ("Cục Quân lực", "cql", Kind::Department),
    ("Cục Cán bộ", "ccb", Kind::Department),
    ("Cục Quân y", "cqy", Kind::Department),
    ("Cục Tài chính", "ctc", Kind::Department),
    ("Cục Kế hoạch và Đầu tư", "ckhdt", Kind::Department),
    ("Cục Nhà trường", "cnt", Kind::Department),
    ("Cục Dân quân tự vệ", "cdqtv", Kind::Department),
    ("Cục Cứu hộ - Cứu nạn", "cchcn", Kind::Department),
    ("Cục Đối ngoại", "cdn", Kind::Department),
    ("Cục Kinh tế", "ckt", Kind::Department),
    ("Cục Doanh trại", "cdt", Kind::Department),
    ("Cục Bản đồ", "cbd", Kind::Department),
    ("Cục Tác chiến", "ctchien", Kind::Department),
    ("Thanh tra Bộ Quốc phòng", "ttb", Kind::Office),
    ("Tổng cục Chính trị", "tcct", Kind::GeneralDepartment),
    ("Tổng cục Hậu cần", "tchc", Kind::GeneralDepartment),
    ("Tổng cục Kỹ thuật", "tckt", Kind::GeneralDepartment),
    (
        "Tổng cục Công nghiệp quốc phòng",
        "tccnqp",
        Kind::GeneralDepartment,
    ),
    ("Học viện Quốc phòng", "hvqp", Kind::Academy),
    ("Học viện Quân y", "hvqy", Kind::Academy),
    ("Bệnh viện Trung ương Quân đội 108", "bv108", Kind::Hospital),
    ("Bệnh viện Quân y 175", "bv175", Kind::Hospital),
    ("Quân khu 1", "qk1", Kind::MilitaryRegion),
    ("Quân khu 3", "qk3", Kind::MilitaryRegion),
    ("Quân khu 5", "qk5", Kind::MilitaryRegion),
    ("Quân khu 7", "qk7", Kind::MilitaryRegion),
    ("Binh chủng Công binh", "bccb", Kind::Corps),
    ("Binh chủng Thông tin liên lạc", "bcttll", Kind::Corps),
];

const PROVINCES: [&str; 40] = [
    "Lạng Sơn",
    "Cao Bằng",
    "Bắc Kạn",
    "Thái Nguyên",
    "Bắc Giang",
    "Bắc Ninh",
    "Hải Phòng",
    "Quảng Ninh",
    "Hải Dương",
    "Hưng Yên",
    "Thái Bình",
    "Nam Định",
    "Ninh Bình",
    "Hà Nam",
    "Quảng Nam",
    "Quảng Ngãi",
    "Bình Định",
    "Phú Yên",
    "Khánh Hòa",
    "Đà Nẵng",
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Đồng Nai",
    "Bình Dương",
    "Bình Phước",
    "Tây Ninh",
    "Long An",
    "Lâm Đồng",
    "Bà Rịa - Vũng Tàu",
    "Bình Thuận",
    "Ninh Thuận",
    "Đắk Nông",
    "Vĩnh Phúc",
    "Phú Thọ",
    "Tuyên Quang",
    "Hà Giang",
    "Yên Bái",
    "Lào Cai",
    "Thanh Hóa",
];

const DISTRICT_WORDS: [&str; 16] = [
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Hòa", "Bình", "Phú", "Tân", "An", "Vĩnh", "Thạch",
    "Quế", "Sơn", "Hải", "Lộc",
];

/// Level-II names by kind of parent; numbers and provinces make them distinct.
fn level_ii_name(kind: Kind, parent_ix: usize, j: usize) -> String {
    const STAFF: [&str; 8] = [
        "Phòng Tham mưu - Kế hoạch",
        "Phòng Chính trị",
        "Phòng Hậu cần - Kỹ thuật",
        "Phòng Tài chính",
        "Phòng Hành chính",
        "Phòng Chính sách",
        "Phòng Tổng hợp",
        "Trung tâm Thông tin",
    ];
    match kind {
        Kind::Office | Kind::Department => STAFF[j % STAFF.len()].to_string(),
        Kind::GeneralDepartment => [
            "Cục Tổ chức",
            "Cục Tuyên huấn",
            "Cục Quân nhu",
            "Cục Xăng dầu",
            "Cục Vận tải",
            "Cục Quân khí",
            "Cục Xe - Máy",
            "Viện Nghiên cứu",
        ][j % 8]
            .to_string(),
        Kind::Academy => [
            "Phòng Đào tạo",
            "Phòng Khoa học quân sự",
            "Khoa Chiến lược",
            "Khoa Hậu cần",
            "Khoa Chính trị",
            "Hệ Sau đại học",
            "Phòng Chính trị",
            "Phòng Hậu cần",
        ][j % 8]
            .to_string(),
        Kind::Hospital => [
            "Khoa Khám bệnh",
            "Khoa Nội tổng hợp",
            "Khoa Ngoại tổng hợp",
            "Khoa Hồi sức tích cực",
            "Phòng Kế hoạch tổng hợp",
            "Trung tâm Tim mạch",
            "Phòng Chính trị",
            "Phòng Hậu cần",
        ][j % 8]
            .to_string(),
        Kind::MilitaryRegion => {
            if j < 3 {
                ["Sư đoàn 3", "Sư đoàn 9", "Sư đoàn 31"][j].to_string()
            } else {
                let p = PROVINCES[(parent_ix * 5 + j) % PROVINCES.len()];
                format!("Bộ Chỉ huy quân sự tỉnh {p}")
            }
        }
        Kind::Corps => [
            "Lữ đoàn 229",
            "Lữ đoàn 249",
            "Lữ đoàn 293",
            "Phòng Tham mưu",
            "Phòng Chính trị",
            "Trường Sĩ quan",
            "Phòng Kỹ thuật",
            "Phòng Hậu cần",
        ][j % 8]
            .to_string(),
    }
}

fn level_iii_name(parent_name: &str, k: usize) -> String {
    if parent_name.starts_with("Bộ Chỉ huy quân sự tỉnh") {
        let a = DISTRICT_WORDS[k % DISTRICT_WORDS.len()];
        let b = DISTRICT_WORDS[(k * 7 + 3) % DISTRICT_WORDS.len()];
        return format!("Ban Chỉ huy quân sự huyện {a} {b}");
    }
    if parent_name.starts_with("Sư đoàn") || parent_name.starts_with("Lữ đoàn") {
        return match k % 4 {
            0 => format!("Trung đoàn {}", 100 + k * 3),
            1 => format!("Tiểu đoàn {}", 10 + k),
            2 => "Ban Tác chiến".to_string(),
            _ => "Ban Quân lực".to_string(),
        };
    }
    if parent_name.starts_with("Khoa") || parent_name.starts_with("Trung tâm Tim") {
        return ["Bộ môn 1", "Bộ môn 2", "Ban Điều dưỡng", "Ban Kế hoạch"][k % 4].to_string();
    }
    [
        "Ban Kế hoạch",
        "Ban Tổng hợp",
        "Ban Cán bộ",
        "Ban Chính sách",
        "Ban Tài chính",
        "Ban Văn thư - Lưu trữ",
        "Ban Công nghệ thông tin",
    ][k % 7]
        .to_string()
}

/// One unit of the demo ministry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUnit {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: i32,
    pub parent: Option<String>,
}

/// Every unit, parents before children: the root, then each level-I unit followed by its
/// subtree. Level-II units are spread over the level-I units (200 over 30), level-III units
/// over the level-II ones (811 over 200).
pub fn units() -> Vec<DemoUnit> {
    let mut out = Vec::with_capacity(1 + LEVEL_I + LEVEL_II + LEVEL_III);
    out.push(DemoUnit {
        code: ROOT_CODE.to_string(),
        name: ROOT_NAME.to_string(),
        short_name: Some(ROOT_SHORT.to_string()),
        level: 0,
        parent: None,
    });
    let mut ii_global = 0usize;
    let mut iii_global = 0usize;
    for (i, (name, short, kind)) in LEVEL_I_UNITS.iter().enumerate() {
        let i_code = format!("000.00.{:02}.{SUFFIX}", i + 1);
        out.push(DemoUnit {
            code: i_code.clone(),
            name: (*name).to_string(),
            short_name: Some(short.to_uppercase()),
            level: 1,
            parent: Some(ROOT_CODE.to_string()),
        });
        // Share of level-II units for this level-I unit (largest-remainder spread).
        let ii_here = share(LEVEL_II, LEVEL_I, i);
        for j in 0..ii_here {
            let ii_code = format!("000.{:02}.{:02}.{SUFFIX}", j + 1, i + 1);
            let ii_name = level_ii_name(*kind, i, j);
            out.push(DemoUnit {
                code: ii_code.clone(),
                name: ii_name.clone(),
                short_name: None,
                level: 2,
                parent: Some(i_code.clone()),
            });
            let iii_here = share(LEVEL_III, LEVEL_II, ii_global);
            for k in 0..iii_here {
                out.push(DemoUnit {
                    code: format!("{:03}.{:02}.{:02}.{SUFFIX}", k + 1, j + 1, i + 1),
                    name: level_iii_name(&ii_name, k),
                    short_name: None,
                    level: 3,
                    parent: Some(ii_code.clone()),
                });
                iii_global += 1;
            }
            ii_global += 1;
        }
    }
    debug_assert_eq!(iii_global, LEVEL_III);
    out
}

/// The `index`-th of `parts` shares of `total`, as even as possible (the first ones get one
/// more): shares sum to `total` exactly.
pub fn share(total: usize, parts: usize, index: usize) -> usize {
    total / parts + usize::from(index < total % parts)
}

/// The level-I unit code of the `i`-th level-I unit (0-based).
pub fn level_i_code(i: usize) -> String {
    format!("000.00.{:02}.{SUFFIX}", i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn counts_levels_and_unique_codes() {
        let units = units();
        let count = |l| units.iter().filter(|u| u.level == l).count();
        assert_eq!(count(0), 1);
        assert_eq!(count(1), LEVEL_I);
        assert_eq!(count(2), LEVEL_II);
        assert_eq!(count(3), LEVEL_III);
        let codes: HashSet<_> = units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), units.len());
        // Parents come first and sit one level up.
        let mut seen = std::collections::HashMap::new();
        for u in &units {
            if let Some(p) = &u.parent {
                assert_eq!(seen.get(p.as_str()), Some(&(u.level - 1)), "{}", u.code);
            }
            seen.insert(u.code.as_str(), u.level);
            motcua_domain::unit::NewUnit::parse(
                &u.code,
                &u.name,
                u.short_name.as_deref(),
                u.level,
                u.parent.as_deref(),
            )
            .unwrap();
        }
    }
}
