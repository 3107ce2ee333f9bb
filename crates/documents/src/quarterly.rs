//! The quarterly reform report as DOCX and Markdown (layout: Nghị định 30/2020/NĐ-CP, Phụ lục I).
