"""Issue 5's "done when", over HTTP against the full-size demo: the reform office (cchc) signs
in and downloads the Q3/2022 Biểu 06 (XLSX) and the quarterly report (DOCX); both files are
read back and their figures must be the source report's.

Usage: python3 check_demo_downloads.py BASE_URL   (a `motcua serve` on the demo database)
"""

import io
import json
import re
import sys
import urllib.request
import zipfile
import xml.etree.ElementTree as ET

BASE = sys.argv[1].rstrip("/")
ROOT = "000.00.00.H22"
X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def call(path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200, (path, r.status)
        return r.read(), r.headers.get("Content-Type", "")


raw, _ = call("/api/v1/auth/token", body={"username": "cchc", "password": "motcua-demo-2022"})
token = json.loads(raw)["token"]

# Biểu 06, official 2022-Q3, rows per unit, as the spreadsheet a user downloads.
xlsx, ctype = call(f"/api/v1/reports/bieu-06?period=2022-Q3&unit={ROOT}&rows=unit&format=xlsx", token)
assert "spreadsheetml" in ctype, ctype
book = zipfile.ZipFile(io.BytesIO(xlsx))
assert book.testzip() is None
strings = []
if "xl/sharedStrings.xml" in book.namelist():
    for si in ET.fromstring(book.read("xl/sharedStrings.xml")).iter(X + "si"):
        strings.append("".join(t.text or "" for t in si.iter(X + "t")))
sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
rows = []
for row in sheet.iter(X + "row"):
    cells = []
    for c in row.iter(X + "c"):
        v = c.find(X + "v")
        inline = c.find(X + "is")
        if c.get("t") == "s" and v is not None:
            cells.append(strings[int(v.text)])
        elif inline is not None:
            cells.append("".join(t.text or "" for t in inline.iter(X + "t")))
        elif v is not None:
            cells.append(v.text)
    rows.append(cells)
text = " ".join(" ".join(r) for r in rows)
assert "Times New Roman" in book.read("xl/styles.xml").decode(), "font"
assert sheet.find(X + "mergeCells") is not None, "merged headers"
total = [r for r in rows if len(r) > 2 and any("Tổng" in str(c) for c in r[:2])][-1]
numbers = [int(float(c)) for c in total if re.fullmatch(r"-?\d+(\.0)?", str(c))]
# Columns (3)…(13) of the total row, then the dossiers that ended without a result (docs/reports.md).
c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, ended = numbers[:12]
print(f"XLSX total row: received {c4 + c5}, resolved {c7}, on time {c8 + c9}, late {c10}")
assert c4 + c5 == 56906, numbers
assert c7 == 56388 and c8 + c9 == c7 and c10 == 0, numbers
assert c3 == c4 + c5 + c6 == c7 + c11 + ended and c11 == c12 + c13, numbers
assert "2022" in text

# The quarterly report, as the DOCX a user downloads.
docx, ctype = call(f"/api/v1/reports/quarterly?period=2022-Q3&unit={ROOT}&format=docx", token)
assert "wordprocessingml" in ctype, ctype
doc = zipfile.ZipFile(io.BytesIO(docx))
body = ET.fromstring(doc.read("word/document.xml"))
paragraphs = ["".join(t.text or "" for t in p.iter(W + "t")) for p in body.iter(W + "p")]
words = "\n".join(paragraphs)
for expected in [
    "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388 hồ sơ, 100% hồ sơ được giải quyết đúng hạn",
    "100% đầu mối cơ quan, đơn vị cấp Bộ",
    "67,5% cơ quan, đơn vị cấp II",
    "24,3% đơn vị cấp III",
    "33.900 tài khoản",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
]:
    assert expected in words, f"missing from the DOCX: {expected}"
assert "Times New Roman" in doc.read("word/styles.xml").decode() or "Times New Roman" in doc.read(
    "word/document.xml"
).decode(), "font"
print("DOCX: the received/resolved/on-time sentence, coverage 100% / 67,5% / 24,3%, 33.900 e-mail accounts")
