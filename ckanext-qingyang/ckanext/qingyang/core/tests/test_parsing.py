"""read_table on real files, generated here: XLSX with openpyxl, CSV in several encodings, JSON."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ckanext.qingyang.core import listdef, parsing, spreadsheets
from ckanext.qingyang.core.parsing import FORMULA_NOT_CALCULATED, StructuralError, read_table

LT = listdef.load_type("special_fund")
HEADERS = LT.headers
ROW = spreadsheets.example_row(LT)  # 预算年度 2025, 预算数额 1250.5, 状态 保留 ...
EXPECTED = {h: (v or None) for h, v in ROW.items()}


def grid(*rows: dict) -> list[list]:
    """Header row + rows (dicts by header) as a list of lists in template order."""
    return [HEADERS] + [[r.get(h, "") for h in HEADERS] for r in rows]


def csv_bytes(rows: list[list], encoding: str = "utf-8", bom: bool = False) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], title: str | None = None, sheet: str = "清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    for r in rows:
        ws.append(r)
    wb.create_sheet(spreadsheets.INSTRUCTIONS_SHEET).append(["列名", "说明"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with the first sheet's XML passed through `change`."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def with_cached_values(data: bytes, cached: dict[str, tuple[str, str]]) -> bytes:
    """Give formula cells the cached result Excel would store: {"D2": ("n", "1250.5")}.

    openpyxl writes formulas as <c r="D2"><f>..</f><v /></c> and cannot
    calculate; Excel stores the result in <v>, with t="str" for text.
    """
    def change(xml: str) -> str:
        for ref, (kind, value) in cached.items():
            pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v ?/>|<v></v>)?</c>')
            assert pattern.search(xml), f"no formula cell {ref}"
            t = ' t="str"' if kind == "str" else ""
            xml = pattern.sub(lambda m: f'<c r="{ref}"{m.group(1)}{t}><f>{m.group(2)}</f><v>{value}</v></c>', xml)
        return xml

    return rewrite_sheet(data, change)


def refused(data: bytes, filename: str, lt=LT, **kw) -> StructuralError:
    with pytest.raises(StructuralError) as info:
        read_table(data, filename, lt, **kw)
    return info.value


# ---------------------------------------------------------------- CSV encodings
@pytest.mark.parametrize(("bom", "encoding"), [(True, "utf-8-sig"), (False, "utf-8")])
def test_csv_utf8_with_and_without_bom(bom, encoding):
    table = read_table(csv_bytes(grid(ROW, ROW), bom=bom), "清单.csv", LT)
    assert table.encoding == encoding
    assert table.rows == [EXPECTED, EXPECTED]
    assert table.row_numbers == [2, 3]
    assert table.headers == HEADERS and table.file_format == "csv" and table.cell_errors == []
    assert table.rows[0]["预算年度"] == "2025"  # the BOM is not glued to the first header's cells


def test_csv_gbk():
    data = csv_bytes(grid(ROW), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "清单.csv", LT)
    assert table.encoding == "gbk"
    assert table.rows == [EXPECTED]


def test_csv_gb18030_only_characters():
    row = {**ROW, "项目名称": "𠀀村道路硬化工程"}
    with pytest.raises(UnicodeEncodeError):
        "𠀀".encode("gbk")
    data = csv_bytes(grid(row), encoding="gb18030")
    table = read_table(data, "清单.csv", LT)
    assert table.encoding == "gb18030"
    assert table.rows[0]["项目名称"] == "𠀀村道路硬化工程"


def test_cp1252_that_decodes_as_gbk_is_refused_not_mojibake():
    data = "Données,Réseau,Catégorie\r\nDélai,Pièce,Numéro\r\n".encode("cp1252")
    assert data.decode("gbk")  # the trap: GBK "succeeds" and yields nonsense
    err = refused(data, "清单.csv")
    assert err.code == "encoding"
    assert "GBK" in err.message_zh and "UTF-8" in err.message_zh
    assert err.details["tried"] == ["utf-8", "gbk"]


def test_cp1252_that_decodes_as_nothing_is_refused():
    data = "Année,Coût é,\r\n".encode("cp1252")  # é followed by "," is no GBK/GB18030 pair
    err = refused(data, "清单.csv")
    assert err.code == "encoding"
    assert err.details["tried"] == ["utf-8", "gbk", "gb18030"]
    assert "都无法正确解码" in err.message_zh


def test_utf16_is_refused_with_a_clear_message():
    err = refused("\ufeff预算年度\t项目名称\r\n".encode("utf-16-le").join([b"\xff\xfe", b""]), "清单.csv")
    assert err.code == "encoding" and "UTF-16" in err.message_zh


def test_xlsx_named_csv_is_refused():
    err = refused(xlsx_bytes(grid(ROW)), "清单.csv")
    assert err.code == "unreadable" and ".xlsx" in err.message_zh


# ---------------------------------------------------------------- layout of rows
def test_xlsx_merged_title_row_above_the_header():
    data = xlsx_bytes(grid(ROW, ROW), title="2025年庆阳市财政专项资金管理清单")
    assert load_workbook(io.BytesIO(data)).active.merged_cells.ranges  # really merged
    table = read_table(data, "清单.xlsx", LT)
    assert table.skipped_title_rows == 1
    assert table.row_numbers == [3, 4]
    assert table.rows == [EXPECTED, EXPECTED]
    assert table.sheet == "清单"


def test_csv_title_and_blank_rows_above_the_header():
    rows = [["2025年庆阳市财政专项资金管理清单"] + [""] * 9, [], *grid(ROW)]
    table = read_table(csv_bytes(rows), "清单.csv", LT)
    assert table.skipped_title_rows == 2
    assert table.row_numbers == [4]


def test_header_row_beyond_the_scan_window_is_not_found():
    rows = [[f"说明 {i}"] for i in range(parsing.HEADER_SCAN_ROWS)] + grid(ROW)
    err = refused(xlsx_bytes(rows), "清单.xlsx")
    assert err.code == "header_row_not_found"
    assert "预算年度" in err.message_zh and "说明 0" in err.message_zh


def test_file_of_another_list_type_is_named():
    other = listdef.load_type("poverty_fund_plan")
    err = refused(spreadsheets.to_csv(other, [spreadsheets.example_row(other)]), "清单.csv")
    assert err.code in ("header_row_not_found", "headers_unknown")
    assert other.list_label in err.message_zh


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_shuffled_header_order(fmt):
    order = list(reversed(HEADERS))
    rows = [order, [ROW[h] for h in order]]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    table = read_table(data, f"清单.{fmt}", LT)
    assert table.rows == [EXPECTED]
    assert list(table.rows[0]) == HEADERS  # rows come in template order whatever the file's order


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blank_rows_are_skipped_with_true_row_numbers(fmt):
    rows = [HEADERS, list(ROW.values()), [], [""] * len(HEADERS), list(ROW.values()), ["  "], list(ROW.values())]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    table = read_table(data + (b"\r\n" if fmt == "csv" else b""), f"清单.{fmt}", LT)
    assert table.row_numbers == [2, 5, 7]
    assert len(table.rows) == 3


def test_csv_quoted_line_breaks_keep_excel_row_numbers():
    row = {**ROW, "分配使用": "第一批:按因素法\n第二批:按项目"}
    table = read_table(csv_bytes(grid(row, ROW)), "清单.csv", LT)
    assert table.rows[0]["分配使用"] == "第一批:按因素法\n第二批:按项目"
    assert table.row_numbers == [2, 3]


# ---------------------------------------------------------------- headers
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_column(fmt):
    rows = [[c for h, c in zip(HEADERS, r) if h != "预算数额"] for r in grid(ROW)]
    err = refused(csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows), f"清单.{fmt}")
    assert err.code == "headers_missing"
    assert "缺少列:预算数额" in err.message_zh
    assert err.details == {"unknown": [], "missing": ["预算数额"]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_extra_column(fmt):
    rows = [r + [x] for r, x in zip(grid(ROW), ["备注2", "无"])]
    err = refused(csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows), f"清单.{fmt}")
    assert err.code == "headers_unknown"
    assert "未知列:备注2" in err.message_zh
    assert err.details["unknown"] == ["备注2"]


def test_misspelt_header_names_both_sides():
    rows = grid(ROW)
    rows[0] = ["预算金额" if h == "预算数额" else h for h in HEADERS]
    err = refused(csv_bytes(rows), "清单.csv")
    assert err.code == "headers_unknown"
    assert "未知列:预算金额" in err.message_zh and "缺少列:预算数额" in err.message_zh


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_duplicate_headers(fmt):
    rows = [r + [r[2]] for r in grid(ROW)]  # 项目名称 twice
    err = refused(csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows), f"清单.{fmt}")
    assert err.code == "headers_duplicate"
    assert "项目名称" in err.message_zh


def test_headers_are_normalised():
    rows = grid(ROW)
    rows[0] = [f"\u3000{h} " for h in HEADERS]
    rows[0][3] = "预算\n数额"  # Alt+Enter inside an Excel header
    table = read_table(xlsx_bytes(rows), "清单.xlsx", LT)
    assert table.rows == [EXPECTED]


def test_values_in_a_column_without_header_are_reported():
    rows = [HEADERS + [""], list(ROW.values()) + ["多出来的值"], list(ROW.values()) + [""]]
    table = read_table(csv_bytes(rows), "清单.csv", LT)
    assert [(i.row_number, i.value) for i in table.cell_errors] == [(2, "多出来的值")]
    assert f"第 {len(HEADERS) + 1} 列" in table.cell_errors[0].message_zh     # the column after the last header


# ---------------------------------------------------------------- cell values
def test_fullwidth_digits_pass_through_for_listdef():
    row = {**ROW, "预算年度": "２０２５", "预算数额": "１２５０．５"}
    table = read_table(csv_bytes(grid(row)), "清单.csv", LT)
    assert table.rows[0]["预算年度"] == "２０２５"
    item, errors = listdef.row_to_item(LT, table.rows[0], table.row_numbers[0])
    assert errors == [] and item["budget_year"] == "2025" and item["budget_amount"] == "1250.5"


def test_xlsx_numbers_and_dates():
    rows = grid(ROW)
    rows[1][0] = 2025.0
    rows[1][3] = 1250.5
    rows[1][9] = dt.datetime(2025, 6, 30)
    rows.append(list(rows[1]))
    rows[2][3] = 0.1 + 0.2
    table = read_table(xlsx_bytes(rows), "清单.xlsx", LT)
    first, second = table.rows
    assert first["预算年度"] == 2025 and type(first["预算年度"]) is int
    assert first["预算数额"] == "1250.5"
    assert second["预算数额"] == "0.3"  # Excel's 15 digits, not 0.30000000000000004
    assert first["最后确认日期"] == dt.datetime(2025, 6, 30)
    item, errors = listdef.row_to_item(LT, first, 2)
    assert errors == [] and item["confirmed_date"] == "2025-06-30" and item["budget_year"] == "2025"


@pytest.mark.parametrize(("value", "tidy"), [(20.0, 20), (1250.5, "1250.5"), (1e-05, "0.00001"), (7, 7),
                                             (True, True), ("20.0", "20.0")])
def test_tidy_number(value, tidy):
    assert parsing.tidy_number(value) == tidy
    assert type(parsing.tidy_number(value)) is type(tidy)


def test_formula_cells_with_cached_values_read_as_values():
    rows = grid(ROW)
    rows[1][3] = "=1000+250.5"
    rows[1][2] = '="高标准农田"&"建设市级配套资金"'
    rows[1][8] = '=IF(H2="取消","原因","")'
    data = with_cached_values(xlsx_bytes(rows), {"D2": ("n", "1250.5"), "C2": ("str", "高标准农田建设市级配套资金"),
                                                 "I2": ("str", "")})
    table = read_table(data, "清单.xlsx", LT)
    assert table.cell_errors == []
    assert table.rows == [EXPECTED]


def test_formula_cells_without_cached_values_are_reported():
    rows = grid(ROW, ROW)
    rows[1][3] = "=1000+250.5"  # written by a program, never calculated
    rows[2] = ["=2025"] + ["=A3"] * (len(HEADERS) - 1)  # a row made only of such formulas
    table = read_table(xlsx_bytes(rows), "清单.xlsx", LT)
    assert table.row_numbers == [2, 3]  # the all-formula row is not mistaken for a blank one
    assert table.rows[0]["预算数额"] is None
    issues = [(i.row_number, i.header) for i in table.cell_errors]
    assert issues[0] == (2, "预算数额")
    assert len([i for i in issues if i[0] == 3]) == len(HEADERS)
    assert FORMULA_NOT_CALCULATED in table.cell_errors[0].message_zh


def test_excel_error_values_are_reported():
    rows = grid(ROW)
    rows[1][3] = "#DIV/0!"
    table = read_table(csv_bytes(rows), "清单.csv", LT)
    [issue] = table.cell_errors
    assert issue.header == "预算数额" and "#DIV/0!" in issue.message_zh


def test_xlsx_with_a_wrong_dimension_tag_is_read_whole():
    data = rewrite_sheet(xlsx_bytes(grid(ROW)), lambda x: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1"', x))
    assert "<dimension ref=\"A1\"" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert read_table(data, "清单.xlsx", LT).rows == [EXPECTED]


def test_instructions_sheet_moved_to_the_front_is_skipped():
    wb = load_workbook(io.BytesIO(spreadsheets.to_xlsx(LT, [ROW])))
    wb.move_sheet(spreadsheets.INSTRUCTIONS_SHEET, offset=-1)
    assert wb.sheetnames[0] == spreadsheets.INSTRUCTIONS_SHEET
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "清单.xlsx", LT)
    assert table.sheet == LT.list_label and table.rows == [EXPECTED]


# ---------------------------------------------------------------- whole-file problems
@pytest.mark.parametrize("data", [b"", b"  \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_empty_file(data, ext):
    assert refused(data, f"清单.{ext}").code == "empty"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_template_has_no_rows(fmt):
    err = refused(spreadsheets.template(LT, fmt), f"模板.{fmt}")
    assert err.code == "no_rows"


@pytest.mark.parametrize("name", ["清单.xls", "清单.txt", "清单", "清单.xlsx.zip"])
def test_unsupported_extension(name):
    err = refused(csv_bytes(grid(ROW)), name)
    assert err.code == "unsupported"
    assert ".xlsx、.csv 或 .json" in err.message_zh and str(err) == err.message_en


def test_uppercase_extension_is_accepted():
    assert read_table(csv_bytes(grid(ROW)), "清单.CSV", LT).rows == [EXPECTED]


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"])
def test_unreadable_xlsx(data):
    err = refused(data, "清单.xlsx")
    assert err.code == "unreadable"


def test_too_large():
    err = refused(csv_bytes(grid(*[ROW] * 6)), "清单.csv", max_rows=5)
    assert err.code == "too_large"
    assert read_table(csv_bytes(grid(*[ROW] * 5)), "清单.csv", LT, max_rows=5).row_numbers[-1] == 6


# ---------------------------------------------------------------- JSON
def test_json_export_shape():
    table = read_table(spreadsheets.to_json(LT, [ROW, {}, ROW]), "清单.json", LT)
    assert table.rows == [EXPECTED, EXPECTED]
    assert table.row_numbers == [1, 3]  # the empty object is skipped, numbering kept
    assert table.file_format == "json"


def test_json_list_with_english_keys():
    rows = [{c.field_name: ROW[c.label] for c in LT.columns}]
    rows[0]["budget_amount"] = 1250.5
    rows[0]["budget_year"] = 2025.0
    table = read_table(json.dumps(rows).encode(), "清单.json", LT)
    assert table.rows[0]["项目名称"] == ROW["项目名称"]
    assert table.rows[0]["预算数额"] == "1250.5" and table.rows[0]["预算年度"] == 2025


def test_json_same_column_twice_in_one_object():
    rows = [{**ROW, "title": "另一个名称"}]
    assert refused(json.dumps(rows, ensure_ascii=False).encode(), "清单.json").code == "headers_duplicate"


def test_json_unknown_and_missing_keys():
    row = {k: v for k, v in ROW.items() if k != "状态"} | {"remark": "x"}
    err = refused(json.dumps([row], ensure_ascii=False).encode(), "清单.json")
    assert err.code == "headers_unknown"
    assert err.details == {"unknown": ["remark"], "missing": ["状态"]}


def test_json_of_another_type_is_refused():
    other = listdef.load_type("service_item")
    err = refused(spreadsheets.to_json(other, [spreadsheets.example_row(other)]), "清单.json")
    assert err.code == "type_mismatch"


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"rows": [', "第 1 行"),
    (b'"just a string"', "对象列表"),
    (b'{"type": "special_fund"}', "rows"),
    (b'[1, 2]', "第 1 条"),
])
def test_json_unreadable(data, reason):
    err = refused(data, "清单.json")
    assert err.code == "unreadable"
    assert reason in err.message_zh


def test_json_empty_list_has_no_rows():
    assert refused(b"[]", "清单.json").code == "no_rows"


# ---------------------------------------------------------------- all types, all formats
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_every_type_round_trips_its_own_export(type_name, fmt):
    lt = listdef.load_type(type_name)
    row = spreadsheets.example_row(lt)
    writer = {"xlsx": spreadsheets.to_xlsx, "csv": spreadsheets.to_csv, "json": spreadsheets.to_json}[fmt]
    table = read_table(writer(lt, [row]), f"export.{fmt}", lt)
    assert table.rows == [{h: (v or None) for h, v in row.items()}]
    assert table.headers == lt.headers


# ---------------------------------------------------------------- size
def test_100k_row_csv():
    rows = [dict(ROW, 项目名称=f"项目{i}") for i in range(100_000)]
    data = spreadsheets.to_csv(LT, rows)
    table = read_table(data, "大清单.csv", LT)
    assert len(table.rows) == 100_000
    assert table.row_numbers[-1] == 100_001
    assert table.rows[-1]["项目名称"] == "项目99999"


def test_header_scan_counts_sheet_rows_not_stored_rows():
    data = xlsx_bytes([[None]] * 8 + grid(ROW))  # header on row 9, rows 1-8 absent from the XML
    table = read_table(data, "清单.xlsx", LT)
    assert table.skipped_title_rows == 8 and table.row_numbers == [10]
    far = xlsx_bytes([[None]] * parsing.HEADER_SCAN_ROWS + grid(ROW))  # header on row 11
    assert refused(far, "清单.xlsx").code == "header_row_not_found"


def as_shared_strings(data: bytes) -> bytes:
    """The workbook with its inline strings moved to a shared-strings table, as Excel saves."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    table: dict[str, int] = {}

    def share(m: re.Match) -> str:
        index = table.setdefault(m.group(3), len(table))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename).decode("utf-8")
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', share, body)
                # openpyxl's empty strings: " />" from its own writer, "></c>" when lxml is installed
                body = body.replace(' t="inlineStr" />', " />").replace(' t="inlineStr"></c>', "></c>")
                assert "inlineStr" not in body
            elif info.filename == "[Content_Types].xml":
                body = body.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace("</Relationships>", '<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="'
                                    'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                                    "</Relationships>")
            dst.writestr(info, body)
        items = "".join(f"<si><t>{text}</t></si>" for text in table)
        dst.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     f'count="{len(table)}" uniqueCount="{len(table)}">{items}</sst>')
    return out.getvalue()


def test_xlsx_with_shared_strings_as_excel_writes_them():
    data = as_shared_strings(spreadsheets.to_xlsx(LT, [ROW, ROW]))
    assert b"sharedStrings" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    table = read_table(data, "清单.xlsx", LT)
    assert table.rows == [EXPECTED, EXPECTED]


def test_xlsx_rich_text_and_error_cells():
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(list(ROW.values()))
    ws["C2"] = CellRichText("高标准农田", TextBlock(InlineFont(b=True), "建设市级配套资金"))
    ws["D2"] = "#REF!"
    assert ws["D2"].data_type == "e"
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "清单.xlsx", LT)
    assert table.rows[0]["项目名称"] == ROW["项目名称"]
    assert [(i.header, i.value) for i in table.cell_errors] == [("预算数额", "#REF!")]
