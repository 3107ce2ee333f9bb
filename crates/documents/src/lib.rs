//! Documents motcua files: the Biểu 06 spreadsheet and the quarterly reform report. Every
//! function here turns domain values into bytes (XLSX, DOCX, Markdown); nothing reads a
//! database, a clock or a file.

pub mod bieu06_xlsx;
pub mod quarterly;
