//! Reporting periods (Nghị định 09/2019/NĐ-CP, Điều 12) and Biểu 06 (Thông tư 01/2020/TT-VPCP).
