//! Figures and narrative of the quarterly reform report (domain brief "The quarterly CCHC report").
//!
//! Pure: the store computes Biểu 06 and the e-government coverage, the caller turns them into
//! [`QuarterlyFigures`], and [`QuarterlyReport::build`] produces the outline of the domain brief
//! (I. direction … V. proposals) with two kinds of content: sentences generated from the figures
//! (never edited by hand, so they always match the data) and narrative drafts the user edits
//! before filing. The documents crate lays the result out as DOCX or Markdown.
//!
//! Figures come from Biểu 06 (Thông tư 01/2020/TT-VPCP): "received in the quarter" = c4 + c5,
//! "resolved" = c7, on time = c8 + c9 (before or on the due date), online share = c4 / (c4 + c5),
//! carried over = c6, pending = c11, overdue = c13.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::text::{vn_number, vn_percent};
use crate::{Error, Result};

/// Units with fewer resolved dossiers in the quarter than this are left out of the best/worst
/// ranking by on-time share: with a handful of dossiers one late dossier swings the share by
/// tens of points, which says nothing about the unit (documented in docs/reports.md).
pub const RANKING_MIN_RESOLVED: u64 = 30;
/// How many units the best and the worst lists name at most.
pub const RANKING_SIZE: usize = 3;
/// Decimals of every percentage in the report ("67,5%").
pub const PERCENT_DECIMALS: u32 = 1;

/// A calendar quarter named the way the report names it: `2022-Q3` → "quý III năm 2022".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub quarter: u8,
}

impl Quarter {
    /// Parses `2022-Q3` (also `2022-q3`, `Q3-2022`, `Q3/2022`).
    pub fn parse(spec: &str) -> Result<Self> {
        let bad = || {
            Error::bad_request(
                "quarter_invalid",
                format!("Kỳ báo cáo quý không hợp lệ: \"{spec}\" (ví dụ: 2022-Q3)."),
            )
        };
        let s = spec.trim().to_ascii_uppercase();
        let (year, q) = if let Some((y, q)) = s.split_once("-Q") {
            (y.to_string(), q.to_string())
        } else if let Some(rest) = s.strip_prefix('Q') {
            let (q, y) = rest.split_once(['-', '/']).ok_or_else(bad)?;
            (y.to_string(), q.to_string())
        } else {
            return Err(bad());
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let quarter: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, quarter })
    }

    /// The canonical period spec, `2022-Q3`, as Biểu 06 periods are written.
    pub fn spec(&self) -> String {
        format!("{}-Q{}", self.year, self.quarter)
    }

    /// Roman numeral of the quarter: I, II, III, IV.
    pub fn roman(&self) -> &'static str {
        match self.quarter {
            1 => "I",
            2 => "II",
            3 => "III",
            _ => "IV",
        }
    }

    /// "quý III năm 2022".
    pub fn label(&self) -> String {
        format!("quý {} năm {}", self.roman(), self.year)
    }

    /// The quarter after this one (the report's section IV plans it).
    pub fn next(&self) -> Quarter {
        if self.quarter == 4 {
            Quarter {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }
}

/// Dossier figures of one Biểu 06 row (the whole unit's total row for the report).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFigures {
    /// c4: received online in the period.
    pub received_online: u64,
    /// c5: received in person or by post in the period.
    pub received_offline: u64,
    /// c6: carried over from the previous period.
    pub carried_over: u64,
    /// c7: resolved in the period.
    pub resolved: u64,
    /// c8 + c9: resolved before or on the due date.
    pub resolved_in_time: u64,
    /// c10: resolved late.
    pub resolved_late: u64,
    /// c11: pending at the end of the period.
    pub pending: u64,
    /// c13: pending and overdue at the end of the period.
    pub pending_overdue: u64,
}

impl DossierFigures {
    /// c4 + c5: received in the period (the report's "tiếp nhận").
    pub fn received(&self) -> u64 {
        self.received_online + self.received_offline
    }
}

impl From<&crate::report::Bieu06Row> for DossierFigures {
    fn from(row: &crate::report::Bieu06Row) -> Self {
        DossierFigures {
            received_online: row.received_online,
            received_offline: row.received_offline,
            carried_over: row.carried_over,
            resolved: row.resolved_total(),
            resolved_in_time: row.resolved_early + row.resolved_on_time,
            resolved_late: row.resolved_late,
            pending: row.pending_total(),
            pending_overdue: row.pending_overdue,
        }
    }
}

/// One unit's line for the ranking by on-time share (a Biểu 06 row per unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub figures: DossierFigures,
}

impl From<&crate::report::Bieu06Row> for UnitFigures {
    fn from(row: &crate::report::Bieu06Row) -> Self {
        UnitFigures {
            code: row.key.clone(),
            name: row.label.clone(),
            figures: DossierFigures::from(row),
        }
    }
}

/// Share of units of one level where an e-government fact holds (the egov module's coverage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelShare {
    pub level: i32,
    pub units: u64,
    pub covered: u64,
}

impl From<&crate::egov::LevelCoverage> for LevelShare {
    fn from(c: &crate::egov::LevelCoverage) -> Self {
        LevelShare {
            level: c.level,
            units: c.units,
            covered: c.covered,
        }
    }
}

/// The e-government facts the report quotes (section II.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgovFigures {
    /// Coverage by level per kind of fact (`data_network`, `digital_workspace`,
    /// `online_meetings`, `task_tracking`); levels below the root only.
    pub coverage: BTreeMap<String, Vec<LevelShare>>,
    /// Total e-mail accounts of the subtree (`email_accounts`), if any unit recorded it.
    pub email_accounts: Option<i64>,
}

/// Everything the report takes from data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterlyFigures {
    pub quarter: Quarter,
    /// The Biểu 06 period actually used ("Từ ngày … đến ngày …").
    pub period_from: Date,
    pub period_to: Date,
    pub total: DossierFigures,
    /// Per direct sub-unit (Biểu 06 rows by unit).
    pub units: Vec<UnitFigures>,
    pub egov: EgovFigures,
}

impl QuarterlyFigures {
    /// From a Biểu 06 with rows per unit (its total row is the whole subtree) and the
    /// e-government figures as of the period end.
    pub fn from_bieu06(
        quarter: Quarter,
        bieu06: &crate::report::Bieu06,
        egov: EgovFigures,
    ) -> Self {
        QuarterlyFigures {
            quarter,
            period_from: bieu06.period.from,
            period_to: bieu06.period.to,
            total: DossierFigures::from(&bieu06.total),
            units: bieu06.rows.iter().map(UnitFigures::from).collect(),
            egov,
        }
    }
}

/// The heading block and signature (Nghị định 30/2020/NĐ-CP, Phụ lục I).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHeader {
    /// "Cơ quan chủ quản": the issuing unit's parent, if any (upper-cased when laid out).
    pub parent_body: Option<String>,
    /// The issuing body.
    pub issuer: String,
    /// Its abbreviation in the number line, "BQP" in "Số: 3163/BC-BQP".
    pub issuer_abbrev: String,
    /// The document number; `None` leaves the blank the office fills in when registering.
    pub number: Option<String>,
    pub place: String,
    /// The signing date; `None` leaves "ngày … tháng … năm …" blank.
    pub date: Option<Date>,
    /// Authority line of the signature block ("BỘ TRƯỞNG", "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG").
    pub signer_title: String,
    pub signer_name: Option<String>,
    /// "Nơi nhận:" list without the final "Lưu" line, which is always added.
    pub recipients: Vec<String>,
}

impl ReportHeader {
    /// Defaults for an issuing unit: abbreviation from its short name or initials, signer
    /// "THỦ TRƯỞNG ĐƠN VỊ", recipients the Ministry of Home Affairs and the Government Office
    /// (who receive quarterly reform reports).
    pub fn for_unit(issuer: &str, short_name: Option<&str>, parent_body: Option<&str>) -> Self {
        ReportHeader {
            parent_body: parent_body.map(str::to_string),
            issuer: issuer.to_string(),
            issuer_abbrev: short_name
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '-'))
                .map(str::to_string)
                .unwrap_or_else(|| initials(issuer)),
            number: None,
            place: "Hà Nội".to_string(),
            date: None,
            signer_title: "THỦ TRƯỞNG CƠ QUAN".to_string(),
            signer_name: None,
            recipients: vec!["Bộ Nội vụ;".to_string(), "Văn phòng Chính phủ;".to_string()],
        }
    }

    /// "Số: 3163/BC-BQP" (blank number: "Số:      /BC-BQP").
    pub fn number_line(&self) -> String {
        match &self.number {
            Some(n) => format!("Số: {n}/BC-{}", self.issuer_abbrev),
            None => format!("Số:        /BC-{}", self.issuer_abbrev),
        }
    }

    /// "Hà Nội, ngày 20 tháng 9 năm 2022" (no leading zeros, as in the source report).
    pub fn place_date_line(&self) -> String {
        match self.date {
            Some(d) => format!(
                "{}, ngày {} tháng {} năm {}",
                self.place,
                d.day(),
                u8::from(d.month()),
                d.year()
            ),
            None => format!("{}, ngày     tháng     năm", self.place),
        }
    }

    /// The "Nơi nhận" list, ending with "- Lưu: VT, <abbrev>."
    pub fn recipient_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .recipients
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .map(|r| {
                if r.starts_with('-') {
                    r.to_string()
                } else {
                    format!("- {r}")
                }
            })
            .collect();
        lines.push(format!("- Lưu: VT, {}.", self.issuer_abbrev));
        lines
    }
}

/// Upper-case initials without diacritics: "Bộ Quốc phòng" → "BQP".
pub fn initials(name: &str) -> String {
    crate::text::search_key(name)
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// One block of the outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// "I. Công tác chỉ đạo, điều hành …" (bold, upper-level heading).
    Section { title: String },
    /// "1. Cải cách thể chế" (bold).
    Subsection { title: String },
    /// A paragraph generated from the figures.
    Figures { text: String },
    /// A narrative draft the user edits; `key` names it in forms and APIs. Paragraphs are
    /// separated by line breaks.
    Draft {
        key: String,
        label: String,
        text: String,
    },
}

/// The whole report: heading, summary line and outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterlyReport {
    pub header: ReportHeader,
    pub quarter: Quarter,
    /// "Kết quả công tác cải cách hành chính quý III năm 2022".
    pub summary: String,
    pub blocks: Vec<Block>,
}

/// Longest accepted draft text (characters), to keep a posted form bounded.
pub const DRAFT_MAX_CHARS: usize = 20_000;

impl QuarterlyReport {
    /// The outline of the domain brief with generated figures and drafts.
    pub fn build(header: ReportHeader, figures: &QuarterlyFigures) -> Self {
        let q = figures.quarter;
        let next = q.next().label();
        let mut blocks = Vec::new();
        let section = |t: &str| Block::Section {
            title: t.to_string(),
        };
        let sub = |t: &str| Block::Subsection {
            title: t.to_string(),
        };
        let draft = |key: &str, label: &str, text: String| Block::Draft {
            key: key.to_string(),
            label: label.to_string(),
            text,
        };

        blocks.push(section(
            "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        ));
        blocks.push(draft(
            "direction",
            "Công tác chỉ đạo, điều hành",
            format!(
                "Trong {}, công tác cải cách hành chính tiếp tục được quan tâm lãnh đạo, chỉ đạo triển khai thực hiện theo đúng yêu cầu của Chính phủ, Thủ tướng Chính phủ và Kế hoạch cải cách hành chính năm {}.\n\
                 Công tác kiểm tra, đôn đốc việc thực hiện Kế hoạch được duy trì; công tác tuyên truyền về cải cách hành chính tiếp tục được thực hiện thông qua nhiều hình thức phù hợp thực tiễn, góp phần nâng cao nhận thức, trách nhiệm của cán bộ, công chức trong thực hiện các nội dung cải cách hành chính.",
                q.label(),
                q.year
            ),
        ));

        blocks.push(section(
            "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        ));
        blocks.push(sub("1. Cải cách thể chế"));
        blocks.push(draft(
            "institutions",
            "Cải cách thể chế",
            "Tiếp tục rà soát, xây dựng, hoàn thiện các văn bản quy phạm pháp luật thuộc phạm vi quản lý; thực hiện đúng quy trình xây dựng, ban hành và kiểm tra văn bản theo quy định.".to_string(),
        ));
        blocks.push(sub("2. Cải cách thủ tục hành chính"));
        blocks.push(draft(
            "procedures",
            "Kiểm soát, công khai, đơn giản hóa thủ tục hành chính",
            "Công tác kiểm soát thủ tục hành chính (TTHC) được chú trọng; thực hiện công khai, cập nhật TTHC đúng quy định; triển khai thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết TTHC, quan tâm bố trí nhân sự, trang thiết bị, cơ sở vật chất cho Bộ phận Một cửa.".to_string(),
        ));
        for text in dossier_paragraphs(figures) {
            blocks.push(Block::Figures { text });
        }
        blocks.push(sub("3. Cải cách tổ chức bộ máy hành chính nhà nước"));
        blocks.push(draft(
            "organisation",
            "Cải cách tổ chức bộ máy",
            "Tiếp tục rà soát chức năng, nhiệm vụ, cơ cấu tổ chức của các cơ quan, đơn vị; thực hiện sắp xếp tổ chức bộ máy theo hướng tinh gọn, hoạt động hiệu lực, hiệu quả.".to_string(),
        ));
        blocks.push(sub(
            "4. Cải cách chế độ công vụ, xây dựng đội ngũ cán bộ, công chức, viên chức",
        ));
        blocks.push(draft(
            "civil_service",
            "Cải cách chế độ công vụ",
            "Thực hiện nghiêm các quy định về công tác tổ chức, cán bộ; quản lý, sử dụng biên chế theo vị trí việc làm; tăng cường kỷ luật, kỷ cương hành chính.".to_string(),
        ));
        blocks.push(sub("5. Cải cách tài chính công"));
        blocks.push(draft(
            "public_finance",
            "Cải cách tài chính công",
            "Thực hiện tốt nhiệm vụ điều hành, quản lý ngân sách, tài chính, tài sản công; thực hiện cơ chế tự chủ tài chính của các đơn vị sự nghiệp công lập theo quy định.".to_string(),
        ));
        blocks.push(sub(
            "6. Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
        ));
        for text in egov_paragraphs(&figures.egov) {
            blocks.push(Block::Figures { text });
        }
        blocks.push(draft(
            "egov",
            "Chính phủ điện tử, Chính phủ số",
            "Tiếp tục triển khai ứng dụng hiệu quả các phần mềm dùng chung trong hoạt động của các cơ quan, đơn vị; bảo đảm an toàn, an ninh thông tin.".to_string(),
        ));

        blocks.push(section("III. ĐÁNH GIÁ CHUNG"));
        blocks.push(sub("1. Ưu điểm"));
        blocks.push(draft("strengths", "Ưu điểm", strengths_draft(figures)));
        blocks.push(sub("2. Tồn tại, hạn chế và nguyên nhân"));
        blocks.push(draft(
            "limitations",
            "Tồn tại, hạn chế và nguyên nhân",
            limitations_draft(figures),
        ));

        blocks.push(section(&format!(
            "IV. NHIỆM VỤ TRỌNG TÂM {}",
            next.to_uppercase()
        )));
        blocks.push(draft(
            "priorities",
            "Nhiệm vụ trọng tâm quý tới",
            format!(
                "Trên cơ sở đánh giá kết quả đạt được, nhiệm vụ trọng tâm trong {next} là: tiếp tục phấn đấu hoàn thành Kế hoạch cải cách hành chính năm {}; đẩy mạnh công tác tuyên truyền; nâng cao chất lượng giải quyết thủ tục hành chính, không để phát sinh hồ sơ quá hạn; tiếp tục xây dựng Chính phủ điện tử, Chính phủ số.",
                q.next().year
            ),
        ));

        blocks.push(section("V. ĐỀ XUẤT, KIẾN NGHỊ"));
        blocks.push(draft(
            "proposals",
            "Đề xuất, kiến nghị",
            "Không có.".to_string(),
        ));

        QuarterlyReport {
            header,
            quarter: q,
            summary: format!("Kết quả công tác cải cách hành chính {}", q.label()),
            blocks,
        }
    }

    /// The drafts as (key, label, text), in outline order.
    pub fn drafts(&self) -> Vec<(&str, &str, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Draft { key, label, text } => {
                    Some((key.as_str(), label.as_str(), text.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    /// Replaces drafts by the user's text. Unknown keys are refused (a stale form); text is
    /// NFC-normalised per line, control characters other than line breaks refused.
    pub fn apply_edits(&mut self, edits: &BTreeMap<String, String>) -> Result<()> {
        for (key, value) in edits {
            let Some(Block::Draft { text, .. }) = self
                .blocks
                .iter_mut()
                .find(|b| matches!(b, Block::Draft { key: k, .. } if k == key))
            else {
                return Err(Error::bad_request(
                    "report_section_unknown",
                    format!("Không có mục \"{key}\" trong báo cáo."),
                ));
            };
            if value.chars().count() > DRAFT_MAX_CHARS {
                return Err(Error::invalid(
                    "field_too_long",
                    format!("Nội dung mục không được dài quá {DRAFT_MAX_CHARS} ký tự."),
                )
                .with_details(serde_json::json!({ "field": key, "max": DRAFT_MAX_CHARS })));
            }
            if value
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(Error::invalid(
                    "field_invalid",
                    "Nội dung mục chứa ký tự không hợp lệ.",
                )
                .with_details(serde_json::json!({ "field": key })));
            }
            *text = value
                .lines()
                .map(crate::text::clean)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
        }
        Ok(())
    }
}

/// Paragraphs of a block's text (drafts keep one paragraph per line).
pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// On-time share as the report prints it: `in_time / resolved`, one decimal, half up — except
/// that a share below 100% never prints as "100%" and a non-zero share never as "0%"
/// (56.387 of 56.388 is "99,9%", not "100%": the report must not claim what did not happen).
pub fn share_text(part: u64, whole: u64) -> Option<String> {
    let text = vn_percent(part, whole, PERCENT_DECIMALS)?;
    let smallest = format!("0,{}1%", "0".repeat(PERCENT_DECIMALS as usize - 1));
    let largest = format!("99,{}%", "9".repeat(PERCENT_DECIMALS as usize));
    Some(if part < whole && text == "100%" {
        largest
    } else if part > 0 && text == "0%" {
        smallest
    } else {
        text
    })
}

/// The headline sentence of section II.2: "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết
/// 56.388 hồ sơ, 100% hồ sơ được giải quyết đúng hạn." (received = c4 + c5, resolved = c7,
/// on time = (c8 + c9) / c7).
pub fn headline_sentence(f: &DossierFigures) -> String {
    let received = f.received();
    match (received, f.resolved) {
        (0, 0) => "Trong Quý không tiếp nhận hồ sơ mới và không có hồ sơ nào được giải quyết xong."
            .to_string(),
        (r, 0) => format!(
            "Trong Quý đã tiếp nhận {} hồ sơ, chưa có hồ sơ nào được giải quyết xong.",
            vn_number(i64::try_from(r).unwrap_or(i64::MAX))
        ),
        (r, s) => {
            let share = share_text(f.resolved_in_time, s).unwrap_or_default();
            let received = if r == 0 {
                "Trong Quý không tiếp nhận hồ sơ mới".to_string()
            } else {
                format!("Trong Quý đã tiếp nhận {} hồ sơ", num(r))
            };
            format!(
                "{received}, đã giải quyết {} hồ sơ, {share} hồ sơ được giải quyết đúng hạn.",
                num(s)
            )
        }
    }
}

/// "15/6/2022" (no leading zeros, as the source report writes dates in running text).
fn short_date(d: Date) -> String {
    format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year())
}

fn num(n: u64) -> String {
    vn_number(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The dossier paragraphs of section II.2: headline, online share, late, carried over,
/// pending and overdue, then the units' ranking.
pub fn dossier_paragraphs(figures: &QuarterlyFigures) -> Vec<String> {
    let f = &figures.total;
    let mut first = headline_sentence(f);
    if f.received() > 0 {
        let share = share_text(f.received_online, f.received()).unwrap_or_default();
        first.push_str(&format!(
            " Trong số hồ sơ tiếp nhận, {} hồ sơ được tiếp nhận trực tuyến (đạt tỷ lệ {share}), {} hồ sơ tiếp nhận trực tiếp hoặc qua dịch vụ bưu chính công ích.",
            num(f.received_online),
            num(f.received_offline)
        ));
    }
    if f.resolved_late > 0 {
        first.push_str(&format!(
            " Có {} hồ sơ giải quyết quá hạn.",
            num(f.resolved_late)
        ));
    }
    let mut second = format!(
        "Số liệu tính từ ngày {} đến ngày {}. ",
        short_date(figures.period_from),
        short_date(figures.period_to)
    );
    second.push_str(&if f.carried_over > 0 {
        format!(
            "Số hồ sơ từ kỳ trước chuyển sang là {} hồ sơ. ",
            num(f.carried_over)
        )
    } else {
        "Không có hồ sơ từ kỳ trước chuyển sang. ".to_string()
    });
    second.push_str(&match (f.pending, f.pending_overdue) {
        (0, _) => "Đến cuối kỳ báo cáo không còn hồ sơ đang giải quyết.".to_string(),
        (p, 0) => format!(
            "Đến cuối kỳ báo cáo còn {} hồ sơ đang giải quyết, tất cả đều trong hạn.",
            num(p)
        ),
        (p, o) => format!(
            "Đến cuối kỳ báo cáo còn {} hồ sơ đang giải quyết, trong đó {} hồ sơ đã quá hạn.",
            num(p),
            num(o)
        ),
    });
    let mut out = vec![first, second];
    if let Some(r) = ranking_sentence(&figures.units) {
        out.push(r);
    }
    out
}

/// Units eligible for the ranking ([`RANKING_MIN_RESOLVED`]), best first: higher on-time
/// share (compared exactly as fractions), then more resolved dossiers, then code.
pub fn ranked_units(units: &[UnitFigures]) -> Vec<&UnitFigures> {
    let mut eligible: Vec<&UnitFigures> = units
        .iter()
        .filter(|u| u.figures.resolved >= RANKING_MIN_RESOLVED)
        .collect();
    eligible.sort_by(|a, b| {
        let (an, ad) = (
            u128::from(a.figures.resolved_in_time),
            u128::from(a.figures.resolved),
        );
        let (bn, bd) = (
            u128::from(b.figures.resolved_in_time),
            u128::from(b.figures.resolved),
        );
        (bn * ad)
            .cmp(&(an * bd))
            .then(b.figures.resolved.cmp(&a.figures.resolved))
            .then(a.code.cmp(&b.code))
    });
    eligible
}

fn unit_share(u: &UnitFigures) -> String {
    format!(
        "{} ({}, {} hồ sơ)",
        u.name,
        share_text(u.figures.resolved_in_time, u.figures.resolved).unwrap_or_default(),
        num(u.figures.resolved)
    )
}

fn join_vn(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} và {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The best and worst units by on-time share among units with at least
/// [`RANKING_MIN_RESOLVED`] resolved dossiers; `None` when no unit qualifies.
pub fn ranking_sentence(units: &[UnitFigures]) -> Option<String> {
    let ranked = ranked_units(units);
    if ranked.is_empty() {
        return None;
    }
    if let [only] = ranked.as_slice() {
        return Some(format!(
            "Đơn vị duy nhất có từ {} hồ sơ đã giải quyết trở lên là {}.",
            RANKING_MIN_RESOLVED,
            unit_share(only)
        ));
    }
    if ranked
        .iter()
        .all(|u| u.figures.resolved_in_time == u.figures.resolved)
    {
        return Some(format!(
            "Tất cả {} đơn vị có từ {} hồ sơ đã giải quyết trở lên đều giải quyết 100% hồ sơ đúng hạn; nhiều hồ sơ nhất là {}.",
            ranked.len(),
            RANKING_MIN_RESOLVED,
            join_vn(
                &ranked
                    .iter()
                    .take(RANKING_SIZE)
                    .map(|u| unit_share(u))
                    .collect::<Vec<_>>()
            )
        ));
    }
    // At least two units and not all on time: the best ones, and the worst ones that are
    // below 100% and not already named as best.
    let best: Vec<&UnitFigures> = ranked
        .iter()
        .copied()
        .take(RANKING_SIZE.min(ranked.len() - 1))
        .collect();
    let worst: Vec<&UnitFigures> = ranked
        .iter()
        .rev()
        .copied()
        .filter(|u| u.figures.resolved_in_time < u.figures.resolved)
        .filter(|u| !best.iter().any(|b| b.code == u.code))
        .take(RANKING_SIZE)
        .collect();
    let mut s = format!(
        "Xếp theo tỷ lệ hồ sơ giải quyết đúng hạn (các đơn vị có từ {} hồ sơ đã giải quyết trở lên), ",
        RANKING_MIN_RESOLVED
    );
    s.push_str(&format!(
        "cao nhất là {}",
        join_vn(&best.iter().map(|u| unit_share(u)).collect::<Vec<_>>())
    ));
    if !worst.is_empty() {
        s.push_str("; ");
        s.push_str(&format!(
            "thấp nhất là {}",
            join_vn(&worst.iter().map(|u| unit_share(u)).collect::<Vec<_>>())
        ));
    }
    s.push('.');
    Some(s)
}

/// How the report names the units of a level in coverage sentences (source report:
/// "100% đầu mối cơ quan, đơn vị cấp Bộ, 67,5% cơ quan, đơn vị cấp II và 24,3% đơn vị cấp III").
fn level_phrase(level: i32) -> String {
    match level {
        0 => "Bộ".to_string(),
        1 => "đầu mối cơ quan, đơn vị cấp Bộ".to_string(),
        2 => "cơ quan, đơn vị cấp II".to_string(),
        3 => "đơn vị cấp III".to_string(),
        4 => "đơn vị cấp IV".to_string(),
        n => format!("đơn vị cấp {n}"),
    }
}

/// What each kind of fact brings, as the sentence starts ("triển khai đường truyền số liệu đến").
fn kind_phrase(kind: &str) -> Option<&'static str> {
    match kind {
        "data_network" => Some("triển khai đường truyền số liệu đến"),
        "digital_workspace" => Some("triển khai Không gian làm việc số đến"),
        "online_meetings" => Some("triển khai họp trực tuyến đến"),
        "task_tracking" => {
            Some("triển khai phần mềm quản lý, theo dõi tiến độ thực hiện nhiệm vụ đến")
        }
        _ => None,
    }
}

/// "triển khai đường truyền số liệu đến 100% đầu mối cơ quan, đơn vị cấp Bộ, 67,5% cơ quan,
/// đơn vị cấp II và 24,3% đơn vị cấp III"; levels without units are skipped; `None` when no
/// level has a unit where the fact holds.
pub fn coverage_clause(kind: &str, levels: &[LevelShare]) -> Option<String> {
    let start = kind_phrase(kind)?;
    let mut levels: Vec<&LevelShare> = levels
        .iter()
        .filter(|l| l.units > 0 && l.level > 0)
        .collect();
    levels.sort_by_key(|l| l.level);
    // Nothing deployed anywhere (or nothing recorded yet): no "đã triển khai … đến 0%" clause.
    if levels.iter().all(|l| l.covered == 0) {
        return None;
    }
    let parts: Vec<String> = levels
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                share_text(l.covered, l.units).unwrap_or_default(),
                level_phrase(l.level)
            )
        })
        .collect();
    Some(format!("{start} {}", join_vn(&parts)))
}

/// The figures paragraph of section II.6.
pub fn egov_paragraphs(egov: &EgovFigures) -> Vec<String> {
    const ORDER: [&str; 4] = [
        "data_network",
        "digital_workspace",
        "online_meetings",
        "task_tracking",
    ];
    let clauses: Vec<String> = ORDER
        .iter()
        .filter_map(|k| egov.coverage.get(*k).and_then(|l| coverage_clause(k, l)))
        .collect();
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(format!("Đã {}.", clauses.join("; ")));
    }
    if let Some(n) = egov.email_accounts.filter(|n| *n > 0) {
        out.push(format!(
            "Phần mềm Thư điện tử được triển khai với {} tài khoản.",
            vn_number(n)
        ));
    }
    if out.is_empty() {
        out.push("Chưa có số liệu về hạ tầng, ứng dụng Chính phủ điện tử của các cơ quan, đơn vị trong kỳ báo cáo.".to_string());
    }
    out
}

fn strengths_draft(figures: &QuarterlyFigures) -> String {
    let f = &figures.total;
    let mut s =
        "Công tác cải cách hành chính được quan tâm lãnh đạo, chỉ đạo và đạt được nhiều kết quả."
            .to_string();
    if f.resolved > 0 && f.resolved_in_time == f.resolved {
        s.push_str(&format!(
            " Toàn bộ {} hồ sơ thủ tục hành chính đã giải quyết trong Quý đều đúng hạn.",
            num(f.resolved)
        ));
    } else if f.resolved > 0 {
        s.push_str(&format!(
            " Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn đạt {}.",
            share_text(f.resolved_in_time, f.resolved).unwrap_or_default()
        ));
    }
    s
}

/// The limitations draft names the late and overdue dossiers and the units with most of them
/// when there are any (domain brief: "limitations and their causes").
fn limitations_draft(figures: &QuarterlyFigures) -> String {
    let f = &figures.total;
    let mut lines = Vec::new();
    let late = f.resolved_late + f.pending_overdue;
    if late > 0 {
        let mut s =
            String::from("Vẫn còn hồ sơ thủ tục hành chính chậm so với thời hạn quy định: ");
        let mut parts = Vec::new();
        if f.resolved_late > 0 {
            parts.push(format!("{} hồ sơ giải quyết quá hạn", num(f.resolved_late)));
        }
        if f.pending_overdue > 0 {
            parts.push(format!(
                "{} hồ sơ đang giải quyết đã quá hạn tại thời điểm cuối kỳ",
                num(f.pending_overdue)
            ));
        }
        s.push_str(&join_vn(&parts));
        let mut units: Vec<&UnitFigures> = figures
            .units
            .iter()
            .filter(|u| u.figures.resolved_late + u.figures.pending_overdue > 0)
            .collect();
        units.sort_by(|a, b| {
            (b.figures.resolved_late + b.figures.pending_overdue)
                .cmp(&(a.figures.resolved_late + a.figures.pending_overdue))
                .then(a.code.cmp(&b.code))
        });
        if !units.is_empty() {
            let named: Vec<String> = units
                .iter()
                .take(RANKING_SIZE)
                .map(|u| {
                    format!(
                        "{} ({} hồ sơ)",
                        u.name,
                        num(u.figures.resolved_late + u.figures.pending_overdue)
                    )
                })
                .collect();
            s.push_str(&format!(", tập trung tại {}", join_vn(&named)));
        }
        s.push('.');
        lines.push(s);
    }
    lines.push("Công tác chỉ đạo, điều hành, kiểm tra, đôn đốc việc thực hiện Kế hoạch tại một số đơn vị chưa thực sự quyết liệt.".to_string());
    lines.push("Nguyên nhân: người đứng đầu một số cơ quan, đơn vị chưa đề cao trách nhiệm; năng lực, kinh nghiệm của cán bộ được phân công thực hiện công tác cải cách hành chính ở một số cơ quan, đơn vị còn hạn chế.".to_string());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(received: u64, resolved: u64, in_time: u64) -> DossierFigures {
        DossierFigures {
            received_online: received / 2,
            received_offline: received - received / 2,
            carried_over: 0,
            resolved,
            resolved_in_time: in_time,
            resolved_late: resolved - in_time,
            pending: 0,
            pending_overdue: 0,
        }
    }

    fn unit(code: &str, resolved: u64, in_time: u64) -> UnitFigures {
        UnitFigures {
            code: code.to_string(),
            name: format!("Đơn vị {code}"),
            figures: figures(resolved, resolved, in_time),
        }
    }

    fn sample(total: DossierFigures, units: Vec<UnitFigures>) -> QuarterlyFigures {
        QuarterlyFigures {
            quarter: Quarter::parse("2022-Q3").unwrap(),
            period_from: time::macros::date!(2022 - 06 - 15),
            period_to: time::macros::date!(2022 - 09 - 14),
            total,
            units,
            egov: EgovFigures::default(),
        }
    }

    #[test]
    fn source_report_sentence() {
        assert_eq!(
            headline_sentence(&figures(56906, 56388, 56388)),
            "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388 hồ sơ, 100% hồ sơ được giải quyết đúng hạn."
        );
    }

    #[test]
    fn zero_dossier_quarter() {
        assert_eq!(
            headline_sentence(&DossierFigures::default()),
            "Trong Quý không tiếp nhận hồ sơ mới và không có hồ sơ nào được giải quyết xong."
        );
        assert_eq!(
            headline_sentence(&figures(12, 0, 0)),
            "Trong Quý đã tiếp nhận 12 hồ sơ, chưa có hồ sơ nào được giải quyết xong."
        );
        let mut carried = figures(0, 4, 3);
        carried.carried_over = 4;
        assert_eq!(
            headline_sentence(&carried),
            "Trong Quý không tiếp nhận hồ sơ mới, đã giải quyết 4 hồ sơ, 75% hồ sơ được giải quyết đúng hạn."
        );
        // No online-share sentence when nothing was received, and no division by zero.
        let paragraphs = dossier_paragraphs(&sample(DossierFigures::default(), vec![]));
        assert_eq!(paragraphs.len(), 2);
        assert!(!paragraphs[0].contains("trực tuyến"));
        assert!(paragraphs[1].contains("không còn hồ sơ đang giải quyết"));
    }

    #[test]
    fn rounding_never_claims_all_or_nothing() {
        assert_eq!(share_text(56387, 56388).as_deref(), Some("99,9%"));
        assert_eq!(share_text(1, 56388).as_deref(), Some("0,1%"));
        assert_eq!(share_text(135, 200).as_deref(), Some("67,5%"));
        assert_eq!(share_text(197, 811).as_deref(), Some("24,3%"));
        // 2/3 = 66,666… → 66,7% (half up); 1/8 = 12,5% exactly.
        assert_eq!(share_text(2, 3).as_deref(), Some("66,7%"));
        assert_eq!(share_text(1, 8).as_deref(), Some("12,5%"));
        assert_eq!(share_text(0, 5).as_deref(), Some("0%"));
        assert_eq!(share_text(1, 0), None);
        assert_eq!(
            headline_sentence(&figures(56906, 56388, 56387)),
            "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388 hồ sơ, 99,9% hồ sơ được giải quyết đúng hạn."
        );
    }

    #[test]
    fn online_carried_pending_overdue() {
        let total = DossierFigures {
            received_online: 1200,
            received_offline: 800,
            carried_over: 150,
            resolved: 1900,
            resolved_in_time: 1890,
            resolved_late: 10,
            pending: 250,
            pending_overdue: 7,
        };
        let p = dossier_paragraphs(&sample(total, vec![]));
        assert_eq!(
            p[0],
            "Trong Quý đã tiếp nhận 2.000 hồ sơ, đã giải quyết 1.900 hồ sơ, 99,5% hồ sơ được giải quyết đúng hạn. Trong số hồ sơ tiếp nhận, 1.200 hồ sơ được tiếp nhận trực tuyến (đạt tỷ lệ 60%), 800 hồ sơ tiếp nhận trực tiếp hoặc qua dịch vụ bưu chính công ích. Có 10 hồ sơ giải quyết quá hạn."
        );
        assert_eq!(
            p[1],
            "Số liệu tính từ ngày 15/6/2022 đến ngày 14/9/2022. Số hồ sơ từ kỳ trước chuyển sang là 150 hồ sơ. Đến cuối kỳ báo cáo còn 250 hồ sơ đang giải quyết, trong đó 7 hồ sơ đã quá hạn."
        );
    }

    #[test]
    fn ranking_ignores_small_units_and_orders_exactly() {
        let units = vec![
            unit("A", 100, 99),
            unit("B", 40, 40),
            unit("C", 5, 1), // too few dossiers: ignored
            unit("D", 300, 270),
            unit("E", 60, 60),
        ];
        let ranked: Vec<&str> = ranked_units(&units)
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(ranked, ["E", "B", "A", "D"]);
        let s = ranking_sentence(&units).unwrap();
        assert_eq!(
            s,
            "Xếp theo tỷ lệ hồ sơ giải quyết đúng hạn (các đơn vị có từ 30 hồ sơ đã giải quyết trở lên), cao nhất là Đơn vị E (100%, 60 hồ sơ), Đơn vị B (100%, 40 hồ sơ) và Đơn vị A (99%, 100 hồ sơ); thấp nhất là Đơn vị D (90%, 300 hồ sơ)."
        );
        assert!(!s.contains("Đơn vị C"));
        assert_eq!(ranking_sentence(&[unit("C", 29, 0)]), None);
        let all = ranking_sentence(&[unit("X", 30, 30), unit("Y", 45, 45)]).unwrap();
        assert!(all.starts_with("Tất cả 2 đơn vị có từ 30 hồ sơ"), "{all}");
    }

    #[test]
    fn ranking_with_two_units_names_each_once() {
        let s = ranking_sentence(&[unit("A", 50, 49), unit("B", 50, 40)]).unwrap();
        assert!(s.contains("cao nhất là Đơn vị A (98%, 50 hồ sơ)"), "{s}");
        assert!(s.contains("thấp nhất là Đơn vị B (80%, 50 hồ sơ)"), "{s}");
    }

    #[test]
    fn coverage_sentence_of_the_source_report() {
        let levels = [
            LevelShare {
                level: 3,
                units: 811,
                covered: 197,
            },
            LevelShare {
                level: 1,
                units: 30,
                covered: 30,
            },
            LevelShare {
                level: 2,
                units: 200,
                covered: 135,
            },
        ];
        assert_eq!(
            coverage_clause("data_network", &levels).unwrap(),
            "triển khai đường truyền số liệu đến 100% đầu mối cơ quan, đơn vị cấp Bộ, 67,5% cơ quan, đơn vị cấp II và 24,3% đơn vị cấp III"
        );
        let mut egov = EgovFigures::default();
        egov.coverage.insert("data_network".into(), levels.to_vec());
        egov.email_accounts = Some(33900);
        let p = egov_paragraphs(&egov);
        assert!(p[0].starts_with("Đã triển khai đường truyền số liệu đến 100% đầu mối"));
        assert_eq!(
            p[1],
            "Phần mềm Thư điện tử được triển khai với 33.900 tài khoản."
        );
        assert!(egov_paragraphs(&EgovFigures::default())[0].starts_with("Chưa có số liệu"));
        let none = [LevelShare {
            level: 1,
            units: 30,
            covered: 0,
        }];
        assert_eq!(coverage_clause("data_network", &none), None);
        let mut nothing = EgovFigures::default();
        nothing
            .coverage
            .insert("online_meetings".into(), none.to_vec());
        assert!(egov_paragraphs(&nothing)[0].starts_with("Chưa có số liệu"));
    }

    #[test]
    fn figures_from_bieu06_columns() {
        use crate::report::{Bieu06, Bieu06Row, ReportPeriod, RowsBy};
        let row = |key: &str, c4, c5, c8, c9, c10, c12, c13| Bieu06Row {
            key: key.to_string(),
            label: format!("Cục {key}"),
            received_online: c4,
            received_offline: c5,
            carried_over: 3,
            resolved_early: c8,
            resolved_on_time: c9,
            resolved_late: c10,
            pending_within: c12,
            pending_overdue: c13,
            ..Bieu06Row::default()
        };
        let period = ReportPeriod::parse("2022-Q3", false).unwrap();
        let b = Bieu06::new(
            period,
            "BO".into(),
            "Bộ".into(),
            RowsBy::Unit,
            vec![
                row("A", 30, 10, 20, 15, 2, 4, 1),
                row("B", 5, 5, 6, 2, 0, 1, 0),
            ],
        );
        let q = Quarter::parse("2022-Q3").unwrap();
        let f = QuarterlyFigures::from_bieu06(q, &b, EgovFigures::default());
        assert_eq!(f.period_from, time::macros::date!(2022 - 06 - 15));
        assert_eq!(f.period_to, time::macros::date!(2022 - 09 - 14));
        assert_eq!(f.total.received(), 50); // c4 + c5
        assert_eq!(f.total.resolved, 45); // c7 = c8 + c9 + c10
        assert_eq!(f.total.resolved_in_time, 43); // c8 + c9
        assert_eq!(f.total.carried_over, 6); // c6
        assert_eq!(f.total.pending, 6); // c11 = c12 + c13
        assert_eq!(f.total.pending_overdue, 1); // c13
        assert_eq!(f.units[0].code, "A");
        assert_eq!(f.units[0].figures.resolved, 37);
        assert_eq!(
            headline_sentence(&f.total),
            "Trong Quý đã tiếp nhận 50 hồ sơ, đã giải quyết 45 hồ sơ, 95,6% hồ sơ được giải quyết đúng hạn."
        );
    }

    #[test]
    fn quarters() {
        let q = Quarter::parse("2022-Q3").unwrap();
        assert_eq!(q.label(), "quý III năm 2022");
        assert_eq!(q.next().label(), "quý IV năm 2022");
        assert_eq!(
            Quarter::parse("2022-q4").unwrap().next().label(),
            "quý I năm 2023"
        );
        assert_eq!(Quarter::parse("Q2/2023").unwrap().spec(), "2023-Q2");
        for bad in ["2022-Q5", "2022-Q0", "2022", "Q3", "abcd-Q1", "2022-H1"] {
            assert_eq!(
                Quarter::parse(bad).unwrap_err().code,
                "quarter_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn header_lines() {
        let mut h = ReportHeader::for_unit("Bộ Quốc phòng", None, None);
        assert_eq!(h.issuer_abbrev, "BQP");
        h.number = Some("3163".into());
        h.date = Some(time::macros::date!(2022 - 09 - 20));
        assert_eq!(h.number_line(), "Số: 3163/BC-BQP");
        assert_eq!(h.place_date_line(), "Hà Nội, ngày 20 tháng 9 năm 2022");
        assert_eq!(h.recipient_lines().last().unwrap(), "- Lưu: VT, BQP.");
        assert_eq!(initials("Cục Đường bộ"), "CDB");
    }

    #[test]
    fn outline_and_edits() {
        let mut total = figures(10, 40, 38);
        total.pending_overdue = 2;
        total.pending = 5;
        let units = vec![unit("U1", 40, 38)];
        let mut report = QuarterlyReport::build(
            ReportHeader::for_unit("Bộ Thử nghiệm", Some("BTN"), None),
            &sample(total, units),
        );
        assert_eq!(
            report.summary,
            "Kết quả công tác cải cách hành chính quý III năm 2022"
        );
        let sections: Vec<&str> = report
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Section { title } => Some(title.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(sections.len(), 5);
        assert!(sections[3].ends_with("QUÝ IV NĂM 2022"));
        let limitations = report
            .drafts()
            .into_iter()
            .find(|d| d.0 == "limitations")
            .unwrap()
            .2
            .to_string();
        assert!(
            limitations
                .contains("2 hồ sơ giải quyết quá hạn và 2 hồ sơ đang giải quyết đã quá hạn"),
            "{limitations}"
        );
        assert!(
            limitations.contains("tập trung tại Đơn vị U1 (2 hồ sơ)"),
            "{limitations}"
        );
        let priorities = report
            .drafts()
            .into_iter()
            .find(|d| d.0 == "priorities")
            .unwrap()
            .2
            .to_string();
        assert!(priorities.contains("quý IV năm 2022"));

        let mut edits = BTreeMap::new();
        edits.insert(
            "proposals".to_string(),
            "  Đề nghị   bổ sung biên chế.\r\n\r\nDòng hai ".to_string(),
        );
        report.apply_edits(&edits).unwrap();
        assert_eq!(
            report
                .drafts()
                .into_iter()
                .find(|d| d.0 == "proposals")
                .unwrap()
                .2,
            "Đề nghị bổ sung biên chế.\nDòng hai"
        );
        edits.insert("nope".to_string(), "x".to_string());
        assert_eq!(
            report.apply_edits(&edits).unwrap_err().code,
            "report_section_unknown"
        );
        let mut bad = BTreeMap::new();
        bad.insert("proposals".to_string(), "a\u{0007}b".to_string());
        assert_eq!(report.apply_edits(&bad).unwrap_err().code, "field_invalid");
    }

    #[test]
    fn no_limitation_figures_when_all_in_time() {
        let report = QuarterlyReport::build(
            ReportHeader::for_unit("Bộ Thử nghiệm", None, None),
            &sample(figures(56906, 56388, 56388), vec![]),
        );
        let limitations = report
            .drafts()
            .into_iter()
            .find(|d| d.0 == "limitations")
            .unwrap()
            .2;
        assert!(!limitations.contains("quá hạn"), "{limitations}");
    }
}
