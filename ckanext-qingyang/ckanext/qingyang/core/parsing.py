"""Read a submitted list file (XLSX, CSV or JSON) into a table keyed by template header.

Only the file's structure is judged here: can it be read, which encoding, where
is the header row, are the columns exactly the template's. Cell values pass
through as read (blank cells become None, spreadsheet numbers are tidied);
listdef.row_to_item checks them later, row by row.

A file-level problem raises StructuralError (the whole file is refused); a
cell that could not be read faithfully (an uncalculated formula, an Excel
error value, a value in a column without header) becomes a CellIssue, so only
its row is refused.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Callable, Iterable, Iterator, Sequence

from openpyxl.cell.text import Text
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.spreadsheets import INSTRUCTIONS_SHEET

MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 10
ACCEPTED = (".xlsx", ".csv", ".json")
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
FORMULA_NOT_CALCULATED = "公式单元格没有计算结果,请在 Excel 中打开并保存后再提交"

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = re.compile(r"\s+")


class _Uncalculated:
    """Marks a formula cell without cached value: not blank, but no value either."""

    def __repr__(self) -> str:
        return "<uncalculated formula>"


UNCALCULATED = _Uncalculated()


# ---------------------------------------------------------------- results
class StructuralError(Exception):
    """The file as a whole cannot be taken; `code` is a stable English id."""

    def __init__(self, code: str, message_zh: str, message_en: str, details: dict | None = None):
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details or {}

    def __str__(self) -> str:
        return self.message_en


@dataclass
class CellIssue:
    row_number: int
    header: str
    value: Any
    message_zh: str
    message_en: str


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, Any]]
    row_numbers: list[int]
    encoding: str | None = None
    sheet: str | None = None
    skipped_title_rows: int = 0
    cell_errors: list[CellIssue] = field(default_factory=list)
    file_format: str = ""


# ---------------------------------------------------------------- entry point
def read_table(data: bytes, filename: str, lt: listdef.ListType, max_rows: int = MAX_ROWS) -> Table:
    """The list in `data`, checked against the template of `lt`; raises StructuralError."""
    ext = PurePath(filename).suffix.lower()
    readers: dict[str, Callable[[bytes, listdef.ListType, int], Table]] = {
        ".xlsx": _read_xlsx, ".csv": _read_csv, ".json": _read_json}
    if ext not in readers:
        hint = "(旧版 .xls 文件请在 Excel 中另存为 .xlsx)" if ext == ".xls" else ""
        raise StructuralError(
            "unsupported",
            f"不支持的文件类型“{ext or '无扩展名'}”,请提交 .xlsx、.csv 或 .json 文件{hint}",
            f"unsupported file type {ext or '(none)'!r}; accepted: {', '.join(ACCEPTED)}")
    if not data.removeprefix(_BOM).strip():
        raise StructuralError("empty", "文件是空的,没有任何内容", "the file is empty")
    return readers[ext](data, lt, max_rows)


# ---------------------------------------------------------------- headers
def norm_header(value: Any) -> str:
    """A header cell as compared with the template: half-width, no whitespace at all.

    No template header contains a space, and Excel headers often carry a
    line break (Alt+Enter) or stray spaces.
    """
    if value is None or value is UNCALCULATED:
        return ""
    return _WHITESPACE.sub("", str(listdef.normalise(str(value))))


@lru_cache(maxsize=None)
def _template(type_name: str) -> dict[str, str]:
    """Normalised header -> the template's header."""
    return {norm_header(h): h for h in listdef.load_type(type_name).headers}


@lru_cache(maxsize=1)
def _all_headers() -> frozenset[str]:
    return frozenset(h for t in listdef.TYPE_NAMES for h in _template(t))


def _header_hits(cells: Iterable[str], type_name: str) -> int:
    known = _template(type_name)
    return len({c for c in cells if c in known})


def _is_header_row(cells: Sequence[str], lt: listdef.ListType, strict: bool) -> bool:
    filled = [c for c in cells if c]
    if not filled:
        return False
    known = _template(lt.name)
    if strict and not all(c in known for c in filled):
        return False
    # half of the headers a file must have: optional columns may all be left out
    required = {norm_header(h) for h in lt.required_headers}
    return len(required.intersection(filled)) * 2 >= len(required)


def _find_header_row(first_rows: Sequence[Sequence[str]], lt: listdef.ListType) -> int | None:
    """Index of the header row among the first rows, or None.

    First the row made only of template headers; failing that, the first row
    holding at least half of the required ones, so that an extra or misspelt column is
    reported by name instead of as a missing header row.
    """
    for strict in (True, False):
        for i, cells in enumerate(first_rows):
            if _is_header_row(cells, lt, strict):
                return i
    return None


def _other_type_hint(cells: Sequence[str], lt: listdef.ListType) -> tuple[str, str]:
    """("看起来是…清单", "looks like …") when the headers fit another list type better."""
    own = _header_hits(cells, lt.name)
    best, best_hits = None, own
    for name in listdef.TYPE_NAMES:
        hits = _header_hits(cells, name)
        if name != lt.name and hits > best_hits and hits * 2 >= len(_template(name)):
            best, best_hits = name, hits
    if not best:
        return "", ""
    other = listdef.load_type(best)
    return (f";这些列名看起来属于“{other.list_label}”,请确认提交到了正确的清单类型",
            f"; the headers look like list type {best}")


def _resolve_headers(cells: Sequence[str], lt: listdef.ListType) -> dict[str, int]:
    """Template header -> column index in the file; raises on duplicate, unknown or missing."""
    known = _template(lt.name)
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    unknown: list[str] = []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        if cell in seen:
            duplicates.append(cell)
        elif cell not in known:
            unknown.append(cell)
        seen.setdefault(cell, i)
    if duplicates:
        names = "、".join(dict.fromkeys(duplicates))
        raise StructuralError("headers_duplicate", f"表头有重复的列:{names}",
                              f"duplicated headers: {', '.join(dict.fromkeys(duplicates))}",
                              {"duplicate": list(dict.fromkeys(duplicates))})
    required = set(listdef.load_type(lt.name).required_headers)
    missing = [h for n, h in known.items() if n not in seen and h in required]
    if unknown or missing:
        parts_zh = ([f"未知列:{'、'.join(unknown)}"] if unknown else []) + (
            [f"缺少列:{'、'.join(missing)}"] if missing else [])
        parts_en = ([f"unknown headers: {', '.join(unknown)}"] if unknown else []) + (
            [f"missing headers: {', '.join(missing)}"] if missing else [])
        hint_zh, hint_en = _other_type_hint(cells, lt)
        raise StructuralError(
            "headers_unknown" if unknown else "headers_missing",
            ";".join(parts_zh) + "(列名须与模板一致,顺序可以不同)" + hint_zh,
            "; ".join(parts_en) + hint_en, {"unknown": unknown, "missing": missing})
    return {known[n]: i for n, i in seen.items()}


def _header_row_not_found(first_rows: Sequence[Sequence[Any]], lt: listdef.ListType) -> StructuralError:
    """The error naming the expected headers and what the file's first row holds instead."""
    shown = next((r for r in first_rows if any(norm_header(c) for c in r)), [])
    hint_zh, hint_en = _other_type_hint([norm_header(c) for c in shown], lt)
    seen = "、".join(str(c).strip() for c in shown if norm_header(c))[:200]
    return StructuralError(
        "header_row_not_found",
        f"在前 {HEADER_SCAN_ROWS} 行中没有找到表头行,表头应为模板的列名:{'、'.join(lt.headers)}"
        + (f"(文件中的第一行内容为:{seen})" if seen else "") + hint_zh,
        f"no header row of list type {lt.name} in the first {HEADER_SCAN_ROWS} rows" + hint_en)


# ---------------------------------------------------------------- cell values
def tidy_number(value: Any) -> Any:
    """Spreadsheet numbers as a person sees them: 20.0 -> 20, 1250.5 -> "1250.5".

    Other floats become text at Excel's 15 significant digits, so binary
    noise (0.30000000000000004) does not reach the decimal checks.
    """
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return int(value)
        if not math.isfinite(value):
            return str(value)
        return format(Decimal(format(value, ".15g")), "f")
    return value


def _clean_text(value: Any) -> Any:
    return value if value.strip() else None


def _clean_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    return tidy_number(value)


# ---------------------------------------------------------------- grid -> table
def _grid_to_table(records: Iterator[tuple[int, Sequence[Any]]], lt: listdef.ListType, *,
                   max_rows: int, clean: Callable[[Any], Any], file_format: str,
                   encoding: str | None = None, sheet: str | None = None) -> Table:
    """Rows of cells (with their 1-based row number) to a Table.

    A cell may be UNCALCULATED (XLSX): the row is kept, the cell reported.
    """
    first: list[tuple[int, Sequence[Any]]] = []
    for record in records:
        first.append(record)
        if record[0] >= HEADER_SCAN_ROWS:  # by row number: XLSX leaves out empty rows
            break
    scanned = [cells for number, cells in first if number <= HEADER_SCAN_ROWS]
    if not scanned:
        raise StructuralError("header_row_not_found", f"前 {HEADER_SCAN_ROWS} 行都是空的,没有找到表头行",
                              f"the first {HEADER_SCAN_ROWS} rows are empty")
    header_cells = [[norm_header(c) for c in cells] for cells in scanned]
    at = _find_header_row(header_cells, lt)
    if at is None:
        raise _header_row_not_found(scanned, lt)
    header_number = first[at][0]
    columns = _resolve_headers(header_cells[at], lt)
    headers = [h for h in lt.headers if h in columns]   # optional columns may be absent
    index = [columns[h] for h in headers]
    width = len(header_cells[at])
    headerless = frozenset(i for i, c in enumerate(header_cells[at]) if not c)

    absent = [h for h in lt.headers if h not in columns]
    table = Table(headers=list(lt.headers), rows=[], row_numbers=[], encoding=encoding, sheet=sheet,
                  skipped_title_rows=header_number - 1, file_format=file_format)
    issues = table.cell_errors

    def rest() -> Iterator[tuple[int, Sequence[Any]]]:
        yield from first[at + 1:]
        yield from records

    for number, cells in rest():
        values = [clean(c) if c is not None else None for c in cells]
        if all(v is None for v in values):
            continue  # wholly empty row
        if len(table.rows) >= max_rows:
            raise StructuralError("too_large", f"数据超过 {max_rows} 行的上限,请拆分成多个文件后分批提交",
                                  f"more than {max_rows} data rows")
        if len(values) < width:
            values.extend([None] * (width - len(values)))
        if UNCALCULATED in values:
            for i in [i for i, v in enumerate(values) if v is UNCALCULATED]:
                values[i] = None
                if i in index:
                    header = headers[index.index(i)]
                    issues.append(CellIssue(number, header, None, f"{header}:{FORMULA_NOT_CALCULATED}",
                                            f"row {number}: formula in column {header} has no cached value"))
        row = {h: values[i] for h, i in zip(headers, index)}
        row.update((h, None) for h in absent)
        table.rows.append(row)
        table.row_numbers.append(number)
        for header, value in row.items():
            if type(value) is str and value in EXCEL_ERRORS:
                issues.append(CellIssue(number, header, value,
                                        f"{header}:单元格是公式错误值 {value},请修正公式后再提交",
                                        f"row {number}: column {header} holds the error value {value}"))
        stray = (headerless or len(values) > width) and [
            i for i, v in enumerate(values) if v is not None and (i >= width or i in headerless)]
        if stray:
            cols = "、".join(f"第 {i + 1} 列" for i in stray)
            issues.append(CellIssue(
                number, "", values[stray[0]],
                f"{cols}有内容但没有列名(CSV 中可能是内容含有英文逗号却没有加引号)",
                f"row {number}: values in columns without header: {[i + 1 for i in stray]}"))
    if not table.rows:
        raise StructuralError("no_rows", "文件只有表头,没有数据行", "header row only, no data rows")
    return table


# ---------------------------------------------------------------- CSV
def _encoding_error(data: bytes, tried: Sequence[str], decoded: bool, detail_en: str = "") -> StructuralError:
    guess = _guess_encoding(data)
    why_zh = "解码后的表头与任何清单模板都不符" if decoded else "都无法正确解码"
    return StructuralError(
        "encoding",
        f"无法识别文件的文字编码:已尝试 {'、'.join(e.upper() for e in tried)},{why_zh}"
        + (f"(文件看起来是 {guess} 编码)" if guess else "")
        + "。请在 Excel 中“另存为”“CSV UTF-8(逗号分隔)”后再提交",
        f"cannot decode the CSV: tried {', '.join(tried)}"
        + (" (decoded, but no template header in the first rows)" if decoded else "")
        + (f"; charset-normalizer guesses {guess}" if guess else "") + detail_en,
        {"tried": list(tried), "guess": guess})


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess, for the message only (never used to decode)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
        return best.encoding if best else None
    except Exception:  # a hint only: its failure must not hide the real error
        return None


def _has_template_header(text: str) -> bool:
    """Does any of the first rows hold a header of some list type?

    A GBK/GB18030 decode always "succeeds" on many byte strings; an exact
    template header among the decoded cells is what makes it trustworthy.
    """
    reader = csv.reader(io.StringIO(text[:1_000_000], newline=""))
    for _, cells in zip(range(HEADER_SCAN_ROWS), reader):
        if any(norm_header(c) in _all_headers() for c in cells):
            return True
    return False


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with/without BOM, else GBK, else GB18030, confirmed by headers."""
    if data.startswith(_BOM):
        try:
            return data[len(_BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise _encoding_error(data, ["utf-8-sig"], False, f"; invalid UTF-8 at byte {e.start + 3}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StructuralError("encoding", "文件是 UTF-16(Unicode 文本)编码,请在 Excel 中“另存为”“CSV UTF-8(逗号分隔)”后再提交",
                              "the file is UTF-16 (BOM); CSV must be UTF-8 or GBK", {"tried": []})
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = f"; invalid UTF-8 at byte {e.start}"
    tried = ["utf-8"]
    for enc in ("gbk", "gb18030"):
        tried.append(enc)
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _has_template_header(text):
            return text, enc
        raise _encoding_error(data, tried, True, utf8_error)
    raise _encoding_error(data, tried, False, utf8_error)


def _read_csv(data: bytes, lt: listdef.ListType, max_rows: int) -> Table:
    if data.startswith(b"PK\x03\x04"):
        raise StructuralError("unreadable", "文件内容是 Excel 工作簿,但扩展名是 .csv,请把扩展名改为 .xlsx 后提交",
                              "a zip/XLSX file named .csv")
    text, encoding = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        # the record index is the row number Excel shows, even with quoted line breaks
        return _grid_to_table(enumerate(reader, start=1), lt, max_rows=max_rows, clean=_clean_text,
                              file_format="csv", encoding=encoding)
    except csv.Error as e:
        raise StructuralError("unreadable", f"CSV 格式错误(第 {reader.line_num} 行附近):{e}",
                              f"CSV error near line {reader.line_num}: {e}") from None


# ---------------------------------------------------------------- XLSX
def _list_sheet(wb: Any) -> Any:
    """The list's sheet: the first one, unless someone moved 填写说明 to the front."""
    sheets = [ws for ws in wb.worksheets if ws.title != INSTRUCTIONS_SHEET]
    return sheets[0] if sheets else wb.worksheets[0]


_INLINE_STRING = "{%s}is" % SHEET_MAIN_NS


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser (data_only), plus two things its read-only mode lacks.

    - A formula cell without cached value reads as UNCALCULATED instead of None
      (a file written by a program and never calculated). Excel stores a formula
      that yields "" with t="str", which stays None.
    - Inline strings (what openpyxl itself writes) skip the rich-text object
      model, which made them 3x slower to read than shared strings.
    """

    def parse_cell(self, element: Any) -> dict:
        kind = element.get("t")
        if kind == "inlineStr":
            ref = element.get("r")
            if ref:
                row, column = coordinate_to_tuple(ref)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            child = element.find(_INLINE_STRING)
            value = None if child is None else _inline_text(child)
            return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}
        cell = super().parse_cell(element)
        if cell["value"] is None and kind != "str" and element.find(FORMULA_TAG) is not None:
            cell["value"] = UNCALCULATED
        return cell


def _inline_text(element: Any) -> str:
    """The text of <is>: plain <t> and rich-text runs, without phonetic hints (like openpyxl)."""
    t, r = "{%s}t" % SHEET_MAIN_NS, "{%s}r" % SHEET_MAIN_NS
    plain = element.find(t)
    runs = element.findall(r)
    if not runs:
        return (plain.text or "") if plain is not None else ""
    return Text.from_tree(element).content  # rare: rich text typed into a program-written file


def _sheet_rows(wb: Any, ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of the rows present in the sheet XML, in one pass.

    Uses openpyxl's read-only internals (pinned 3.1.5): the zip member, the
    shared strings and the date styles of the workbook it loaded.
    """
    with wb._archive.open(ws._worksheet_path) as src:
        parser = _SheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                              date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for number, cells in parser.parse():
            values: list[Any] = []
            for cell in cells:
                column = cell["column"]
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = cell["value"]
            yield number, values


def _read_xlsx(data: bytes, lt: listdef.ListType, max_rows: int) -> Table:
    from openpyxl import load_workbook

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise StructuralError("unreadable", "这是旧版 Excel(.xls)文件,请在 Excel 中另存为 .xlsx 后再提交",
                              "an OLE2 (.xls) file named .xlsx")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException...)
        raise StructuralError("unreadable", "无法打开 Excel 文件:文件可能已损坏,或不是 .xlsx 格式",
                              f"openpyxl cannot open the workbook: {type(e).__name__}: {e}") from None
    try:
        ws = _list_sheet(wb)
        return _grid_to_table(_sheet_rows(wb, ws), lt, max_rows=max_rows, clean=_clean_cell,
                              file_format="xlsx", sheet=ws.title)
    except StructuralError:
        raise
    except Exception as e:
        raise StructuralError("unreadable", "Excel 文件内容无法读取:文件可能已损坏",
                              f"cannot read the first sheet: {type(e).__name__}: {e}") from None
    finally:
        wb.close()


# ---------------------------------------------------------------- JSON
def _unreadable_json(zh: str, en: str) -> StructuralError:
    return StructuralError("unreadable", f"JSON 文件无法读取:{zh}", f"unreadable JSON: {en}")


def _read_json(data: bytes, lt: listdef.ListType, max_rows: int) -> Table:
    encoding = "utf-8-sig" if data.startswith(_BOM) else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise StructuralError("encoding", "JSON 文件必须是 UTF-8 编码",
                              f"JSON is not UTF-8 (byte {e.start})", {"tried": [encoding]}) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise _unreadable_json(f"格式错误(第 {e.lineno} 行第 {e.colno} 列):{e.msg}",
                               f"line {e.lineno} column {e.colno}: {e.msg}") from None
    declared: list[Any] = []
    if isinstance(doc, dict):
        if "rows" not in doc:
            raise _unreadable_json("对象中没有“rows”列表", 'object without "rows"')
        if doc.get("type") not in (None, "", lt.name):
            raise StructuralError("type_mismatch",
                                  f"文件是“{doc['type']}”类型的导出,与提交的清单类型“{lt.list_label}”不符",
                                  f"file declares type {doc['type']!r}, expected {lt.name!r}")
        declared = doc.get("headers") or []
        items = doc["rows"]
    elif isinstance(doc, list):
        items = doc
    else:
        raise _unreadable_json("应为对象列表,或含“rows”列表的对象", "expected a list of objects or {rows: [...]}")
    if not isinstance(items, list) or not isinstance(declared, list):
        raise _unreadable_json("“rows”和“headers”必须是列表", '"rows" and "headers" must be lists')
    bad = next((i for i, item in enumerate(items, 1) if not isinstance(item, dict)), None)
    if bad:
        raise _unreadable_json(f"第 {bad} 条数据不是对象", f"item {bad} is not an object")

    known = _template(lt.name)
    by_field = {c.field_name: c.label for c in lt.columns}

    mapped: dict[str, str] = {}

    def header_of(key: str) -> str:
        if key not in mapped:  # once per distinct key, not once per cell
            name = norm_header(key)
            mapped[key] = known.get(name) or by_field.get(key.strip()) or name
        return mapped[key]

    keys = list(dict.fromkeys([*map(str, declared), *(k for item in items for k in item)]))
    if not keys and not any(items):
        raise StructuralError("no_rows", "文件中没有数据", "no rows")
    # duplicates are judged within one object: "title" and "项目名称" there name the same column
    for n, item in enumerate(items, 1):
        names = [header_of(k) for k in item]
        if len(set(names)) < len(names):
            dup = [h for h in dict.fromkeys(names) if names.count(h) > 1]
            raise StructuralError("headers_duplicate", f"第 {n} 条数据中有重复的列:{'、'.join(dup)}",
                                  f"item {n}: duplicated keys for {', '.join(dup)}", {"duplicate": dup})
    _resolve_headers(list(dict.fromkeys(header_of(k) for k in keys)), lt)

    headers = lt.headers
    table = Table(headers=list(headers), rows=[], row_numbers=[], encoding=encoding, file_format="json")
    for n, item in enumerate(items, 1):
        by_header = {header_of(k): v for k, v in item.items()}
        row = {h: _clean_cell(by_header.get(h)) for h in headers}
        if all(v is None or v == [] for v in row.values()):
            continue
        if len(table.rows) >= max_rows:
            raise StructuralError("too_large", f"数据超过 {max_rows} 行的上限,请拆分成多个文件后分批提交",
                                  f"more than {max_rows} data rows")
        table.rows.append(row)
        table.row_numbers.append(n)
    if not table.rows:
        raise StructuralError("no_rows", "文件只有表头,没有数据行", "no data rows")
    return table
