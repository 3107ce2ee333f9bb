#![allow(clippy::unwrap_used)]
//! The quarterly report's DOCX read back (zip → word/document.xml → text) and its Markdown.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use motcua_documents::quarterly::{quarterly_docx, quarterly_markdown};
use motcua_domain::quarterly::{
    DossierFigures, EgovFigures, LevelShare, Quarter, QuarterlyFigures, QuarterlyReport,
    ReportHeader, UnitFigures,
};
use time::macros::date;

fn report() -> QuarterlyReport {
    let mut egov = EgovFigures::default();
    egov.coverage.insert(
        "data_network".into(),
        vec![
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
            LevelShare {
                level: 3,
                units: 811,
                covered: 197,
            },
        ],
    );
    egov.email_accounts = Some(33_900);
    let figures = QuarterlyFigures {
        quarter: Quarter::parse("2022-Q3").unwrap(),
        period_from: date!(2022 - 06 - 15),
        period_to: date!(2022 - 09 - 14),
        total: DossierFigures {
            received_online: 40_000,
            received_offline: 16_906,
            carried_over: 1_200,
            resolved: 56_388,
            resolved_in_time: 56_388,
            resolved_late: 0,
            pending: 1_718,
            pending_overdue: 0,
        },
        units: vec![UnitFigures {
            code: "U1".into(),
            name: "Cục Một & Hai".into(),
            figures: DossierFigures {
                resolved: 100,
                resolved_in_time: 100,
                ..Default::default()
            },
        }],
        egov,
    };
    let mut header = ReportHeader::for_unit("Bộ Quốc phòng", Some("BQP"), None);
    header.number = Some("3163".into());
    header.date = Some(date!(2022 - 09 - 20));
    header.signer_title = "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG".into();
    header.signer_name = Some("Thượng tướng Nguyễn Văn A".into());
    QuarterlyReport::build(header, &figures)
}

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Paragraph texts of document.xml: tags stripped, one line per `w:p`, entities decoded.
fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("</w:p>")
        .map(|p| {
            let mut out = String::new();
            let mut in_tag = false;
            for c in p.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn docx_reads_back() {
    let docx = quarterly_docx(&report()).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(docx.as_slice())).unwrap();
    for name in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/header1.xml",
        "word/header2.xml",
        "word/_rels/document.xml.rels",
    ] {
        assert!(zip.by_name(name).is_ok(), "{name} missing");
    }
    let xml = part(&docx, "word/document.xml");
    let paras = paragraphs(&xml);
    let idx = |needle: &str| {
        paras
            .iter()
            .position(|p| p == needle)
            .unwrap_or_else(|| panic!("no paragraph {needle:?} in {paras:#?}"))
    };
    // Heading block (Nghị định 30/2020, Phụ lục I), in reading order.
    let order = [
        idx("BỘ QUỐC PHÒNG"),
        idx("Số: 3163/BC-BQP"),
        idx("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        idx("Độc lập - Tự do - Hạnh phúc"),
        idx("Hà Nội, ngày 20 tháng 9 năm 2022"),
        idx("BÁO CÁO"),
        idx("Kết quả công tác cải cách hành chính quý III năm 2022"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let body = paras.join("\n");
    assert!(body.contains(
        "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388 hồ sơ, 100% hồ sơ được giải quyết đúng hạn."
    ));
    assert!(body.contains(
        "triển khai đường truyền số liệu đến 100% đầu mối cơ quan, đơn vị cấp Bộ, 67,5% cơ quan, đơn vị cấp II và 24,3% đơn vị cấp III"
    ));
    assert!(body.contains("Phần mềm Thư điện tử được triển khai với 33.900 tài khoản."));
    assert!(body.contains("40.000 hồ sơ được tiếp nhận trực tuyến (đạt tỷ lệ 70,3%)"));
    assert!(body.contains("IV. NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2022"));
    assert!(body.contains("Cục Một & Hai"), "escaped text decodes back");
    for line in [
        "KT. BỘ TRƯỞNG",
        "THỨ TRƯỞNG",
        "Thượng tướng Nguyễn Văn A",
        "Nơi nhận:",
        "- Lưu: VT, BQP.",
    ] {
        assert!(paras.iter().any(|p| p == line), "{line}");
    }
    // Layout: A4, margins 20/20/30/15 mm, Times New Roman, first page without number.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
    assert!(xml.contains(r#"w:top="1134" w:right="850" w:bottom="1134" w:left="1701""#));
    assert!(xml.contains("<w:titlePg/>"));
    assert!(xml.contains(r#"<w:ind w:firstLine="720"/>"#));
    assert!(xml.contains(r#"<w:jc w:val="both"/>"#));
    assert!(part(&docx, "word/styles.xml").contains(r#"w:ascii="Times New Roman""#));
    assert!(part(&docx, "word/header1.xml").contains(" PAGE "));
    assert!(!part(&docx, "word/header2.xml").contains("PAGE"));
}

#[test]
fn edited_drafts_reach_the_docx() {
    let mut r = report();
    let mut edits = BTreeMap::new();
    edits.insert(
        "proposals".to_string(),
        "Đề nghị Bộ Nội vụ <hướng dẫn> thêm.\nÝ thứ hai.".to_string(),
    );
    r.apply_edits(&edits).unwrap();
    let paras = paragraphs(&part(&quarterly_docx(&r).unwrap(), "word/document.xml"));
    let at = paras
        .iter()
        .position(|p| p == "Đề nghị Bộ Nội vụ <hướng dẫn> thêm.")
        .unwrap();
    assert_eq!(paras[at + 1], "Ý thứ hai.");
    assert!(!paras.iter().any(|p| p == "Không có."));
}

#[test]
fn markdown_has_the_same_content() {
    let md = quarterly_markdown(&report());
    assert!(md.contains("**BỘ QUỐC PHÒNG**  \nSố: 3163/BC-BQP"));
    assert!(md.contains("**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**"));
    assert!(md.contains("*Hà Nội, ngày 20 tháng 9 năm 2022*"));
    assert!(md.contains("# BÁO CÁO\n\n**Kết quả công tác cải cách hành chính quý III năm 2022**"));
    assert!(md.contains("## I. CÔNG TÁC CHỈ ĐẠO"));
    assert!(md.contains("### 2. Cải cách thủ tục hành chính"));
    assert!(md.contains(
        "\nTrong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388 hồ sơ, 100% hồ sơ được giải quyết đúng hạn."
    ));
    assert!(md.contains("24,3% đơn vị cấp III"));
    assert!(md.contains("***Nơi nhận:***"));
    assert!(md.trim_end().ends_with("- Lưu: VT, BQP."));
}
