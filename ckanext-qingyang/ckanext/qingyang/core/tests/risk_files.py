"""Real attachment files for the risk scan's tests (core and tests/dags): each builder takes
rows (the first is the header) and returns the file's bytes."""
from __future__ import annotations

import csv
import io


def csv_file(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_file(rows: list[list[str]], sheet: str = "名单") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def txt_file(rows: list[list[str]]) -> bytes:
    return "\n".join(" ".join(r) for r in rows).encode("gb18030")


def docx_file(rows: list[list[str]], paragraph: str = "") -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph(paragraph or "附件说明")
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_file(rows: list[list[str]]) -> bytes:
    """One page, one text line per row (Identity-H codes = Unicode, with a ToUnicode map)."""
    lines = [" ".join(r) for r in rows]
    body = "".join(f"<{''.join(f'{ord(c):04X}' for c in line)}> Tj 0 -20 Td " for line in lines)
    content = f"BT /F1 12 Tf 50 700 Td {body}ET".encode()
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Uni def "
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0000> <FFFF> <0000> "
            b"endbfrange endcmap CMapName currentdict /CMap defineresource pop end end")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


BUILDERS = {"csv": csv_file, "xlsx": xlsx_file, "txt": txt_file, "docx": docx_file, "pdf": pdf_file}

# Planted values: valid ones are findings, the near-misses beside them are not.
VALID_ID = "621022199001011234"        # GB 11643 check character 4
BAD_ID = "621022199001011235"          # wrong check character
VALID_ID_X = "11010519491231002X"      # check character X
MOBILE = "13812345678"
NOT_MOBILE = "12812345678"             # no mobile starts 12
VALID_CARD = "6222021001123456789"     # Luhn digit 9
BAD_CARD = "6222021001123456780"       # wrong Luhn digit
