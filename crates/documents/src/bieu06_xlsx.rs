//! Biểu 06 as an XLSX workbook in the official layout (Thông tư 01/2020/TT-VPCP).
