#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use motcua_domain::report::{Bieu06, Bieu06Row, ReportPeriod, RowsBy};

use super::*;

fn sample() -> Bieu06 {
    let rows = vec![
        Bieu06Row {
            key: "CS-QN".into(),
            label: "Chính sách quân nhân".into(),
            received_online: 1200,
            received_offline: 56,
            carried_over: 7,
            resolved_early: 1000,
            resolved_on_time: 200,
            resolved_late: 3,
            pending_within: 40,
            pending_overdue: 18,
            left_without_result: 2,
        },
        Bieu06Row {
            key: "TC-CB".into(),
            label: "Tổ chức cán bộ".into(),
            received_online: 1,
            ..Bieu06Row::default()
        },
    ];
    let mut rows = rows;
    rows[1].pending_within = 1;
    Bieu06::new(
        ReportPeriod::parse("2022-Q3", false).unwrap(),
        "000.00.00.G00".into(),
        "Bộ Quốc phòng".into(),
        RowsBy::Field,
        rows,
    )
}

fn text(v: Option<&Data>) -> String {
    match v {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn num(v: Option<&Data>) -> f64 {
    match v {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn reads_back_with_the_official_layout_and_figures() {
    let b = sample();
    let bytes = bieu06_xlsx(&b, "Văn phòng Chính phủ").unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range(SHEET).unwrap();
    let at = |r: u32, c: u32| range.get_value((r, c));
    assert_eq!(text(at(0, 0)), "Biểu số 06/VPCP/KSTT");
    assert_eq!(text(at(0, 8)), "Đơn vị báo cáo: Bộ Quốc phòng");
    assert_eq!(text(at(1, 8)), "Đơn vị nhận báo cáo: Văn phòng Chính phủ");
    assert!(text(at(2, 0)).starts_with("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"));
    assert_eq!(
        text(at(3, 0)),
        "Kỳ báo cáo: Quý III/2022 (Từ ngày 15/06/2022 đến ngày 14/09/2022)"
    );
    assert_eq!(text(at(4, 8)), "Đơn vị tính: Số hồ sơ TTHC");
    assert_eq!(text(at(5, 0)), "STT");
    assert_eq!(text(at(5, 2)), "Số hồ sơ nhận giải quyết");
    assert_eq!(text(at(6, 6)), "Số hồ sơ đã giải quyết");
    assert_eq!(text(at(7, 9)), "Giải quyết quá hạn");
    for c in 0..13 {
        assert_eq!(text(at(8, c)), format!("({})", c + 1));
    }
    assert_eq!(text(at(8, 13)), "(*)");
    // First row: STT, label, (3) … (13), (*).
    let r = FIRST_DATA_ROW;
    assert_eq!(num(at(r, 0)), 1.0);
    assert_eq!(text(at(r, 1)), "Chính sách quân nhân");
    let expected = [
        1263.0, 1200.0, 56.0, 7.0, 1203.0, 1000.0, 200.0, 3.0, 58.0, 40.0, 18.0, 2.0,
    ];
    for (k, v) in expected.iter().enumerate() {
        assert_eq!(num(at(r, 2 + k as u32)), *v, "column {}", k + 3);
    }
    // Total row.
    let t = FIRST_DATA_ROW + 2;
    assert_eq!(text(at(t, 1)), "Tổng cộng");
    assert_eq!(num(at(t, 2)), 1264.0);
    assert_eq!(num(at(t, 10)), 59.0);
    assert!(text(at(t + 2, 0)).contains("(3) = (7) + (11) + (*)"));

    // Two-level merged headers.
    let merged: Vec<_> = book
        .merge_cells_by_sheet_name(SHEET)
        .unwrap()
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    for region in [
        ((5, 0), (7, 0)),
        ((5, 2), (5, 5)),
        ((5, 6), (5, 12)),
        ((6, 3), (6, 5)),
        ((6, 6), (6, 9)),
        ((6, 10), (6, 12)),
        ((2, 0), (2, 13)),
    ] {
        assert!(
            merged.contains(&region),
            "{region:?} not merged: {merged:?}"
        );
    }

    // Times New Roman throughout.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    // Every font the cells use is Times New Roman (the first is the workbook's default style).
    let fonts = styles.matches("<font>").count();
    assert!(fonts > 1);
    assert_eq!(
        styles.matches("<name val=\"Times New Roman\"/>").count(),
        fonts - 1
    );
}

#[test]
fn file_name_is_plain_ascii() {
    assert_eq!(file_name(&sample()), "bieu-06_000-00-00-G00_2022-Q3.xlsx");
}
