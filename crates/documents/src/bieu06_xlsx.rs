//! Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP) as an XLSX workbook: title, reporting and
//! receiving unit, period line, unit line, two-level merged headers with the column numbers
//! (1)…(13), one row per field or unit, the total, Times New Roman. Values, no formulas. After
//! the 13 official columns one extra column counts the dossiers withdrawn or stopped in the
//! period (they leave without a result), with a note that keeps (3) = (7) + (11) + (*) exact.

use motcua_domain::report::{BIEU06_NAME, BIEU06_TITLE, Bieu06, RowsBy};
use motcua_domain::{Error, Result};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// The worksheet's name.
pub const SHEET: &str = "Biểu 06";
/// First row of the figures (0-based): rows 0–4 head the form, 5–7 are the headers, 8 the
/// column numbers.
pub const FIRST_DATA_ROW: u32 = 9;
/// Columns: STT, label, the 11 figures (3)…(13), then the extra (*) column.
const LAST_COL: u16 = 13;

fn xlsx_error(e: XlsxError) -> Error {
    // Only a programming error (bad dimensions) can make the writer fail.
    Error::new(
        motcua_domain::ErrorKind::Internal,
        "xlsx_failed",
        format!("Không tạo được tệp Excel: {e}"),
    )
}

fn font() -> Format {
    Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12)
}

/// The file name to offer: `bieu-06_<unit>_<period>.xlsx` (ASCII, no separators).
pub fn file_name(b: &Bieu06) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    };
    format!(
        "bieu-06_{}_{}.xlsx",
        clean(&b.unit_code),
        clean(&b.period.spec)
    )
}

/// The workbook's bytes. `receiving_unit` is the unit the form is sent to (the parent unit,
/// or Văn phòng Chính phủ for a ministry).
pub fn bieu06_xlsx(b: &Bieu06, receiving_unit: &str) -> Result<Vec<u8>> {
    write(b, receiving_unit).map_err(xlsx_error)
}

fn write(b: &Bieu06, receiving_unit: &str) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(SHEET)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);

    let plain = font();
    let bold = font().set_bold();
    let title = font()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let italic_center = font().set_italic().set_align(FormatAlign::Center);
    let right_italic = font().set_italic().set_align(FormatAlign::Right);
    let head = font()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let number_head = font()
        .set_italic()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let cell = font().set_border(FormatBorder::Thin).set_text_wrap();
    let center = font()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let num = font()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let total_label = font()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let total_num = font()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");

    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 38)?;
    for c in 2..=LAST_COL {
        ws.set_column_width(c, 11)?;
    }

    // The form's head.
    ws.merge_range(0, 0, 0, 4, BIEU06_TITLE, &bold)?;
    ws.merge_range(
        0,
        8,
        0,
        LAST_COL,
        &format!("Đơn vị báo cáo: {}", b.unit_name),
        &plain,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        4,
        "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP",
        &font().set_italic(),
    )?;
    ws.merge_range(
        1,
        8,
        1,
        LAST_COL,
        &format!("Đơn vị nhận báo cáo: {receiving_unit}"),
        &plain,
    )?;
    ws.set_row_height(2, 36)?;
    ws.merge_range(2, 0, 2, LAST_COL, BIEU06_NAME, &title.set_text_wrap())?;
    ws.merge_range(
        3,
        0,
        3,
        LAST_COL,
        &format!("Kỳ báo cáo: {} ({})", b.period.label, b.period.dates_line()),
        &italic_center,
    )?;
    ws.merge_range(
        4,
        8,
        4,
        LAST_COL,
        "Đơn vị tính: Số hồ sơ TTHC",
        &right_italic,
    )?;

    // Headers: rows 5–7, then the column numbers in row 8.
    let label_head = match b.rows_by {
        RowsBy::Field => "Lĩnh vực, công việc giải quyết theo cấp",
        RowsBy::Unit => "Đơn vị giải quyết",
    };
    ws.merge_range(5, 0, 7, 0, "STT", &head)?;
    ws.merge_range(5, 1, 7, 1, label_head, &head)?;
    ws.merge_range(5, 2, 5, 5, "Số hồ sơ nhận giải quyết", &head)?;
    ws.merge_range(5, 6, 5, 12, "Kết quả giải quyết", &head)?;
    ws.merge_range(
        5,
        LAST_COL,
        7,
        LAST_COL,
        "Rút hồ sơ, dừng giải quyết (không có kết quả) (*)",
        &head,
    )?;
    ws.merge_range(6, 2, 7, 2, "Tổng số", &head)?;
    ws.merge_range(6, 3, 6, 5, "Trong đó", &head)?;
    ws.merge_range(6, 6, 6, 9, "Số hồ sơ đã giải quyết", &head)?;
    ws.merge_range(6, 10, 6, 12, "Số hồ sơ đang giải quyết", &head)?;
    for (col, text) in [
        (3, "Số mới tiếp nhận trực tuyến"),
        (4, "Số mới tiếp nhận trực tiếp hoặc qua dịch vụ bưu chính"),
        (5, "Số kỳ trước chuyển qua"),
        (6, "Tổng số"),
        (7, "Giải quyết trước hạn"),
        (8, "Giải quyết đúng hạn"),
        (9, "Giải quyết quá hạn"),
        (10, "Tổng số"),
        (11, "Trong hạn"),
        (12, "Quá hạn"),
    ] {
        ws.write_string_with_format(7, col, text, &head)?;
    }
    ws.set_row_height(7, 75)?;
    for col in 0..LAST_COL {
        ws.write_string_with_format(8, col, format!("({})", col + 1), &number_head)?;
    }
    ws.write_string_with_format(8, LAST_COL, "(*)", &number_head)?;

    // Figures.
    let mut row = FIRST_DATA_ROW;
    for (i, r) in b.rows.iter().enumerate() {
        ws.write_number_with_format(row, 0, (i + 1) as f64, &center)?;
        ws.write_string_with_format(row, 1, &r.label, &cell)?;
        for (k, n) in r.numbers().iter().enumerate() {
            ws.write_number_with_format(row, 2 + k as u16, *n as f64, &num)?;
        }
        row += 1;
    }
    ws.write_string_with_format(row, 0, "", &total_label)?;
    ws.write_string_with_format(row, 1, "Tổng cộng", &total_label)?;
    for (k, n) in b.total.numbers().iter().enumerate() {
        ws.write_number_with_format(row, 2 + k as u16, *n as f64, &total_num)?;
    }
    row += 2;
    ws.merge_range(
        row,
        0,
        row,
        LAST_COL,
        "(*) Hồ sơ công dân rút hoặc cơ quan dừng giải quyết trong kỳ: kết thúc không có kết quả, \
         không tính vào cột (7) và cột (11); (3) = (7) + (11) + (*).",
        &font().set_italic().set_text_wrap(),
    )?;
    ws.set_row_height(row, 30)?;
    ws.set_freeze_panes(FIRST_DATA_ROW, 2)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests;
