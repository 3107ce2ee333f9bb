//! The quarterly reform report as DOCX and Markdown (layout: Nghị định 30/2020/NĐ-CP, Phụ lục I).
//!
//! The DOCX is written part by part (WordprocessingML) into a zip with the `zip` crate rather
//! than through a document library: the decree's layout needs exact control of margins, a
//! border-less two-column heading table, short rules, a first page without a page number
//! (`w:titlePg` with an empty first-page header) and the signature table, all of which are a
//! few lines of XML each. Parts: `[Content_Types].xml`, `_rels/.rels`, `docProps/core.xml`,
//! `docProps/app.xml`, `word/document.xml`, `word/styles.xml`, `word/settings.xml`,
//! `word/header1.xml` (page number), `word/header2.xml` (first page, empty),
//! `word/_rels/document.xml.rels`.

use std::io::{Cursor, Write};

use motcua_domain::quarterly::{Block, QuarterlyReport, paragraphs};
use motcua_domain::{Error, Result};
use zip::write::SimpleFileOptions;

/// A4 portrait in twentieths of a point (210 × 297 mm).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// Margins (Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm): 20, 20, 30, 15 mm.
const MARGIN_TOP: u32 = 1134;
const MARGIN_BOTTOM: u32 = 1134;
const MARGIN_LEFT: u32 = 1701;
const MARGIN_RIGHT: u32 = 850;
/// Distance of the page-number header from the page edge: 10 mm, inside the top margin.
const HEADER_DIST: u32 = 567;
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
/// Heading table columns: the issuing body (left) and the national heading (right).
const HEAD_LEFT_W: u32 = 3855;
const HEAD_RIGHT_W: u32 = TEXT_W - HEAD_LEFT_W;
/// First-line indent of body paragraphs: 1,27 cm.
const FIRST_LINE: u32 = 720;
/// Paragraph spacing after body paragraphs: 6 pt.
const SPACING_AFTER: u32 = 120;

const FONT: &str = "Times New Roman";

/// XML text content: escapes markup and drops characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct RunStyle {
    bold: bool,
    italic: bool,
    /// Size in points.
    size: u32,
}

impl RunStyle {
    fn pt(size: u32) -> Self {
        RunStyle {
            size,
            ..Default::default()
        }
    }
    fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
}

fn run(text: &str, style: RunStyle) -> String {
    let mut props = String::new();
    if style.bold {
        props.push_str("<w:b/><w:bCs/>");
    }
    if style.italic {
        props.push_str("<w:i/><w:iCs/>");
    }
    if style.size > 0 {
        props.push_str(&format!(
            "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>",
            style.size * 2
        ));
    }
    format!(
        "<w:r><w:rPr>{props}</w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
    Both,
}

impl Align {
    fn val(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Both => "both",
        }
    }
}

struct Para {
    align: Align,
    first_line: u32,
    before: u32,
    after: u32,
    keep_next: bool,
}

impl Para {
    fn new(align: Align) -> Self {
        Para {
            align,
            first_line: 0,
            before: 0,
            after: 0,
            keep_next: false,
        }
    }
    fn xml(&self, runs: &str) -> String {
        let keep = if self.keep_next { "<w:keepNext/>" } else { "" };
        let ind = if self.first_line > 0 {
            format!("<w:ind w:firstLine=\"{}\"/>", self.first_line)
        } else {
            String::new()
        };
        format!(
            "<w:p><w:pPr>{keep}<w:spacing w:before=\"{}\" w:after=\"{}\" w:line=\"240\" w:lineRule=\"auto\"/>{ind}<w:jc w:val=\"{}\"/></w:pPr>{runs}</w:p>",
            self.before,
            self.after,
            self.align.val()
        )
    }
}

/// A short horizontal rule: an empty, tiny paragraph with a bottom border, narrowed by equal
/// indents so that it is `width` twips long and centred in a space `space` twips wide.
fn rule(space: u32, width: u32) -> String {
    let side = space.saturating_sub(width) / 2;
    format!(
        "<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:left=\"{side}\" w:right=\"{side}\"/><w:jc w:val=\"center\"/><w:rPr><w:sz w:val=\"4\"/></w:rPr></w:pPr></w:p>"
    )
}

fn centred(text: &str, style: RunStyle) -> String {
    Para::new(Align::Center).xml(&run(text, style))
}

/// A table without borders, fixed column widths.
fn borderless_table(widths: &[u32], cells: &[String]) -> String {
    let grid: String = widths
        .iter()
        .map(|w| format!("<w:gridCol w:w=\"{w}\"/>"))
        .collect();
    let tcs: String = widths
        .iter()
        .zip(cells)
        .map(|(w, content)| {
            format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{content}</w:tc>")
        })
        .collect();
    let total: u32 = widths.iter().sum();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>{tcs}</w:tr></w:tbl>"
    )
}

/// Approximate width in twips of a bold upper/lower-case line at `size` pt in Times New Roman
/// (about half an em per character), used to size the rule under the motto.
fn approx_width(text: &str, size: u32) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    chars.saturating_mul(size * 10)
}

fn heading_table(report: &QuarterlyReport) -> String {
    let h = &report.header;
    let mut left = String::new();
    if let Some(parent) = &h.parent_body {
        left.push_str(&centred(&parent.to_uppercase(), RunStyle::pt(13)));
    }
    left.push_str(&centred(&h.issuer.to_uppercase(), RunStyle::pt(13).bold()));
    left.push_str(&rule(HEAD_LEFT_W, HEAD_LEFT_W / 3));
    let mut number = Para::new(Align::Center);
    number.before = 120;
    left.push_str(&number.xml(&run(&h.number_line(), RunStyle::pt(13))));

    let motto = "Độc lập - Tự do - Hạnh phúc";
    let mut right = String::new();
    right.push_str(&centred(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        RunStyle::pt(12).bold(),
    ));
    right.push_str(&centred(motto, RunStyle::pt(13).bold()));
    right.push_str(&rule(HEAD_RIGHT_W, approx_width(motto, 13)));
    let mut date = Para::new(Align::Center);
    date.before = 120;
    right.push_str(&date.xml(&run(&h.place_date_line(), RunStyle::pt(13).italic())));
    borderless_table(&[HEAD_LEFT_W, HEAD_RIGHT_W], &[left, right])
}

fn body_paragraph(text: &str, style: RunStyle) -> String {
    let mut p = Para::new(Align::Both);
    p.first_line = FIRST_LINE;
    p.after = SPACING_AFTER;
    p.keep_next = style.bold;
    p.xml(&run(text, style))
}

/// The closing sentence stays on the page of the signature block.
fn closing_paragraph(text: &str) -> String {
    let mut p = Para::new(Align::Both);
    p.first_line = FIRST_LINE;
    p.after = SPACING_AFTER;
    p.keep_next = true;
    p.xml(&run(text, RunStyle::pt(14)))
}

fn signature_table(report: &QuarterlyReport) -> String {
    let h = &report.header;
    let mut left = Para::new(Align::Left);
    left.before = 240;
    let mut left_xml = left.xml(&run("Nơi nhận:", RunStyle::pt(12).bold().italic()));
    for line in h.recipient_lines() {
        left_xml.push_str(&Para::new(Align::Left).xml(&run(&line, RunStyle::pt(11))));
    }
    let mut right_xml = String::new();
    let mut first = true;
    for line in h
        .signer_title
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let mut p = Para::new(Align::Center);
        if first {
            p.before = 240;
            first = false;
        }
        right_xml.push_str(&p.xml(&run(&line.to_uppercase(), RunStyle::pt(14).bold())));
    }
    // Room for the signature and seal.
    for _ in 0..4 {
        right_xml.push_str(&Para::new(Align::Center).xml(""));
    }
    if let Some(name) = &h.signer_name {
        right_xml.push_str(&centred(name, RunStyle::pt(14).bold()));
    }
    let left_w = TEXT_W * 45 / 100;
    borderless_table(&[left_w, TEXT_W - left_w], &[left_xml, right_xml])
}

fn document_xml(report: &QuarterlyReport) -> String {
    let mut body = heading_table(report);
    let mut title = Para::new(Align::Center);
    title.before = 360;
    body.push_str(&title.xml(&run("BÁO CÁO", RunStyle::pt(14).bold())));
    let mut summary = Para::new(Align::Center);
    summary.after = 60;
    body.push_str(&summary.xml(&run(&report.summary, RunStyle::pt(14).bold())));
    body.push_str(&rule(TEXT_W, TEXT_W / 5));
    body.push_str(&Para::new(Align::Center).xml(""));
    for block in &report.blocks {
        match block {
            Block::Section { title } | Block::Subsection { title } => {
                body.push_str(&body_paragraph(title, RunStyle::pt(14).bold()));
            }
            Block::Figures { text } | Block::Draft { text, .. } => {
                for p in paragraphs(text) {
                    body.push_str(&body_paragraph(p, RunStyle::pt(14)));
                }
            }
        }
    }
    body.push_str(&closing_paragraph(&format!(
        "Trên đây là báo cáo kết quả công tác cải cách hành chính {} của {}./.",
        report.quarter.label(),
        report.header.issuer
    )));
    body.push_str(&signature_table(report));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rIdHeaderDefault"/><w:headerReference w:type="first" r:id="rIdHeaderFirst"/><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/><w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="{HEADER_DIST}" w:footer="{HEADER_DIST}" w:gutter="0"/><w:titlePg/></w:sectPr></w:body></w:document>"#
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdHeaderDefault" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdHeaderFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/></Relationships>"#;

fn styles_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/><w:color w:val="000000"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style></w:styles>"#
    )
}

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

/// Page number centred in the top margin, 13 pt (Phụ lục I), on every page but the first.
const HEADER_PAGE_NUMBER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr><w:t>2</w:t></w:r><w:r><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>"#;

const HEADER_FIRST_EMPTY: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p></w:hdr>"#;

fn core_xml(report: &QuarterlyReport) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>"#,
        esc(&report.summary),
        esc(&report.header.issuer)
    )
}

const APP_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>motcua</Application></Properties>"#;

/// The report as a DOCX file.
pub fn quarterly_docx(report: &QuarterlyReport) -> Result<Vec<u8>> {
    let parts: [(&str, String); 10] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core_xml(report)),
        ("docProps/app.xml", APP_XML.to_string()),
        ("word/document.xml", document_xml(report)),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/header1.xml", HEADER_PAGE_NUMBER.to_string()),
        ("word/header2.xml", HEADER_FIRST_EMPTY.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
    ];
    let fail = |e: &dyn std::fmt::Display| write_failed(format!("Không tạo được tệp DOCX: {e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(content.as_bytes()).map_err(|e| fail(&e))?;
    }
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok(cursor.into_inner())
}

/// An internal error whose detail is kept in the message (writing to memory cannot fail in
/// practice; the zip writer's error type is still not ignored).
fn write_failed(message: String) -> Error {
    Error::new(
        motcua_domain::ErrorKind::Internal,
        "docx_write_failed",
        message,
    )
}

/// Markdown text escaping for inline content: characters that would start markup.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '#' | '[' | ']' | '<' | '>' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The report as Markdown: the same heading, outline and texts (for review, e-mail or a wiki).
pub fn quarterly_markdown(report: &QuarterlyReport) -> String {
    let h = &report.header;
    let mut out = String::new();
    if let Some(parent) = &h.parent_body {
        out.push_str(&format!("{}  \n", md(&parent.to_uppercase())));
    }
    out.push_str(&format!("**{}**  \n", md(&h.issuer.to_uppercase())));
    out.push_str(&format!("{}\n\n", md(&h.number_line())));
    out.push_str("**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  \n");
    out.push_str("**Độc lập - Tự do - Hạnh phúc**\n\n");
    out.push_str(&format!("*{}*\n\n", md(&h.place_date_line())));
    out.push_str("# BÁO CÁO\n\n");
    out.push_str(&format!("**{}**\n\n", md(&report.summary)));
    for block in &report.blocks {
        match block {
            Block::Section { title } => out.push_str(&format!("## {}\n\n", md(title))),
            Block::Subsection { title } => out.push_str(&format!("### {}\n\n", md(title))),
            Block::Figures { text } | Block::Draft { text, .. } => {
                for p in paragraphs(text) {
                    out.push_str(&md(p));
                    out.push_str("\n\n");
                }
            }
        }
    }
    out.push_str(&format!(
        "Trên đây là báo cáo kết quả công tác cải cách hành chính {} của {}./.\n\n",
        md(&report.quarter.label()),
        md(&h.issuer)
    ));
    for line in h
        .signer_title
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        out.push_str(&format!("**{}**  \n", md(&line.to_uppercase())));
    }
    if let Some(name) = &h.signer_name {
        out.push_str(&format!("**{}**\n", md(name)));
    }
    out.push_str("\n***Nơi nhận:***\n\n");
    for line in h.recipient_lines() {
        out.push_str(&format!("{}  \n", md(&line)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("a & <b> \"c\"\u{0007}"),
            "a &amp; &lt;b&gt; &quot;c&quot;"
        );
        assert_eq!(md("1. *x* #y"), "1. \\*x\\* \\#y");
    }

    #[test]
    fn rule_is_centred() {
        let r = rule(3000, 1000);
        assert!(r.contains("w:left=\"1000\" w:right=\"1000\""), "{r}");
    }
}
