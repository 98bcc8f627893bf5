"""风险评估 (第二十条): the rules of the weekly scan (dags/qingyang_risk_scan.py), pure Python.

The scan looks for what must not be on a 非涉密网 open platform:

- classification markers: the marker gate's own rule (core/markers.py, not a copy of it);
- 居民身份证号码 with a valid GB 11643 check character (core/codes.py);
- 手机号码 (mainland mobiles, 1[3-9] + 9 digits);
- 银行卡号 (16-19 digits starting 2-6) with a valid Luhn digit.

A near-miss (wrong check character, wrong Luhn digit) is not a finding: most such
strings are order numbers and codes. Cells of masked columns (a schema column with
`mask`, core/masking.py hides them in the public copy) are exempt: the public copy is
already masked there. A finding shows its match masked, never the full number.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence

from ckanext.qingyang.core import codes, listdef, markers
from ckanext.qingyang.core.masking import mask_id_number, mask_phone

RULES = {
    "marker": "密级标志",
    "id_number": "身份证号码",
    "mobile": "手机号码",
    "bank_card": "银行卡号",
}

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])([2-6]\d{3}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z])")
# an 18-digit string with a birth date in place is an ID number (maybe mistyped), not a card
_ID_SHAPE = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{4}")


@dataclass(frozen=True)
class Finding:
    where: str       # 字段“联系电话” / 附件《名单.csv》第 3 行“电话”列 / 数据表 第 3 行“电话”列
    rule: str        # a key of RULES
    masked: str      # the match as a report shows it

    @property
    def rule_label(self) -> str:
        return RULES[self.rule]

    @property
    def key(self) -> str:
        """The same finding on a rescan has the same key: where, rule and the match's digest."""
        return hashlib.sha256(f"{self.where}\x1f{self.rule}\x1f{self.masked}".encode()).hexdigest()[:32]

    def message_zh(self) -> str:
        return f"{self.where}含有{self.rule_label}({self.masked})"

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "rule_label": self.rule_label, "key": self.key}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_card(digits: str) -> str:
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def text_findings(where: str, text: Any) -> list[Finding]:
    """Every distinct finding of one text (a field, a cell, a file's text)."""
    if text is None:
        return []
    text = str(text)
    if not text.strip():
        return []
    out: list[Finding] = []
    hit = markers.find(text)
    if hit:
        out.append(Finding(where, "marker", f"“{hit[0]}”:{hit[1]}"))
    ids = set()
    for m in _ID.finditer(text):
        code = m.group().upper()
        if codes.is_valid_id_number(code):
            ids.add((m.start(), m.end()))
            out.append(Finding(where, "id_number", mask_id_number(code)))
    for m in _MOBILE.finditer(text):
        if any(s <= m.start(1) < e for s, e in ids):
            continue
        out.append(Finding(where, "mobile", mask_phone(m.group(1))))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if not 16 <= len(digits) <= 19 or (len(digits) == 18 and _ID_SHAPE.fullmatch(digits)):
            continue
        if luhn_ok(digits):
            out.append(Finding(where, "bank_card", mask_card(digits)))
    return _unique(out)


def _unique(found: Iterable[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in found:
        if f.key not in seen:
            seen.add(f.key)
            out.append(f)
    return out


@lru_cache(maxsize=1)
def masked_columns() -> frozenset[str]:
    """Header names (field names and Chinese labels) of every column a schema masks."""
    out = set()
    for lt in listdef.all_types().values():
        for col in [*lt.fields, *lt.household_columns]:
            if col.mask:
                out.update({col.field_name, col.label, col.label_en})
    out.discard("")
    return frozenset(out)


def is_masked_column(header: Any) -> bool:
    return str(header or "").strip() in masked_columns()


def field_findings(fields: Iterable[tuple[str, Any]]) -> list[Finding]:
    """(label, value) pairs of an item's metadata; lists and dicts are read through."""
    out: list[Finding] = []
    for label, value in fields:
        for text in _texts(value):
            out.extend(text_findings(f"字段“{label}”", text))
    return _unique(out)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def table_findings(place: str, header: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any]]]) -> list[Finding]:
    """A table's cells: `rows` are (row number as people count it, values). Masked columns are
    exempt; the header row itself is scanned as text."""
    header = [str(h if h is not None else "").strip() for h in header]
    exempt = {i for i, h in enumerate(header) if is_masked_column(h)}
    out = text_findings(f"{place}表头", " ".join(header))
    for number, values in rows:
        for i, value in enumerate(values):
            if i in exempt or value is None:
                continue
            column = header[i] if i < len(header) and header[i] else f"第 {i + 1} 列"
            out.extend(text_findings(f"{place}第 {number} 行“{column}”列", value))
    return _unique(out)


# ---------------------------------------------------------------- attachments
SCANNED_FORMATS = ("csv", "xlsx", "txt", "pdf", "docx")


def file_format(name: str, declared: str | None = None) -> str | None:
    for candidate in ((declared or "").strip().lower().lstrip("."), (name or "").rsplit(".", 1)[-1].lower()):
        if candidate in SCANNED_FORMATS:
            return candidate
    return None


def file_findings(data: bytes, name: str, fmt: str) -> list[Finding]:
    """Findings of one attachment; raises markers.Unreadable (in Chinese) when it cannot be read."""
    place = f"附件《{name}》"
    try:
        if fmt == "csv":
            text = markers._decode(data)
            grid = list(csv.reader(io.StringIO(text, newline="")))
            if not grid:
                return []
            return table_findings(place, grid[0], enumerate(grid[1:], start=2))
        if fmt == "xlsx":
            return _xlsx_findings(data, place)
        if fmt == "txt":
            text = markers._decode(data)
            return _unique(f for n, line in enumerate(text.splitlines(), 1)
                           for f in text_findings(f"{place}第 {n} 行", line))
        if fmt == "pdf":
            import pypdf

            reader = pypdf.PdfReader(io.BytesIO(data))
            out = []
            for n, page in enumerate(reader.pages, 1):
                out.extend(text_findings(f"{place}第 {n} 页", page.extract_text() or ""))
            return _unique(out)
        if fmt == "docx":
            return _docx_findings(data, place)
    except markers.Unreadable:
        raise
    except Exception as e:  # a broken file cannot be cleared either
        raise markers.Unreadable(f"无法读取{place}的内容({type(e).__name__})") from e
    raise ValueError(f"not a scanned format: {fmt}")


def _xlsx_findings(data: bytes, place: str) -> list[Finding]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out: list[Finding] = []
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            out.extend(text_findings(f"{place}工作表“{sheet.title}”名称", sheet.title))
            out.extend(table_findings(f"{place}工作表“{sheet.title}”", header, enumerate(rows, start=2)))
    finally:
        book.close()
    return _unique(out)


def _docx_findings(data: bytes, place: str) -> list[Finding]:
    import docx

    doc = docx.Document(io.BytesIO(data))
    out: list[Finding] = []
    for n, para in enumerate(doc.paragraphs, 1):
        out.extend(text_findings(f"{place}第 {n} 段", para.text))
    for t, table in enumerate(doc.tables, 1):
        grid = [[cell.text for cell in row.cells] for row in table.rows]
        if grid:
            out.extend(table_findings(f"{place}表格 {t} ", grid[0], enumerate(grid[1:], start=2)))
    return _unique(out)


def datastore_findings(fields: Sequence[str], records: Iterable[tuple[int, dict]], name: str) -> list[Finding]:
    """A DataStore table's records (row number, record), read through datastore_search."""
    header = [f for f in fields if f != "_id"]
    return table_findings(f"数据表《{name}》", header, ((n, [r.get(f) for f in header]) for n, r in records))


def file_fingerprint(resource: dict) -> str:
    """What says a file is unchanged: its id with CKAN's hash, size and last_modified."""
    parts = [resource.get("id") or "", resource.get("hash") or "", str(resource.get("size") or ""),
             resource.get("last_modified") or resource.get("metadata_modified") or "", resource.get("url") or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
