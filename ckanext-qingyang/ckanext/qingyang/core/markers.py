"""Classification markers (第二十条: the site is 非涉密网, only non-classified content).

Pure Python, no CKAN import: the publishing gate refuses what this scan finds, and the
collection pipeline's check step (collect.check_rows) reports it for each row's cells
beforehand; the row still loads as a draft.
A marker inside 《…》 is the title of a law or document being cited (《保守国家秘密法》),
not a marking of the text, and is not counted; nor is a kind of secret named in a sentence
(泄露国家秘密、商业秘密的, as every 责任清单's 追责情形 says), which marks nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

MARKERS = ("绝密", "机密", "秘密", "★", "内部资料", "涉密")
SCANNED_FORMATS = ("csv", "xlsx", "txt", "pdf")
_CITATION = re.compile(r"《[^《》]*》")
_NAMED_SECRET = re.compile(r"(?:国家|商业|工作|技术|军事|个人)(?:秘密|机密)")
_MARKER = re.compile("|".join(re.escape(m) for m in MARKERS))


@dataclass(frozen=True)
class Finding:
    where: str        # field label or file name, for people
    marker: str
    excerpt: str

    def message_zh(self) -> str:
        return f"“{self.where}”含有密级标志“{self.marker}”({self.excerpt}),涉密内容不得在本平台发布"


class Unreadable(ValueError):
    """A file whose text cannot be read, so it cannot be shown to be non-classified."""


def find(text: str) -> tuple[str, str] | None:
    """The first marker in text (outside citations) and a short excerpt around it."""
    if not text:
        return None
    blanked = _CITATION.sub(lambda m: " " * len(m.group()), str(text))
    blanked = _NAMED_SECRET.sub(lambda m: " " * len(m.group()), blanked)
    m = _MARKER.search(blanked)
    if m is None:
        return None
    start, end = max(0, m.start() - 8), min(len(text), m.end() + 8)
    return m.group(), str(text)[start:end].replace("\n", " ")


def scan_values(values: Iterable[tuple[str, Any]]) -> list[Finding]:
    """(label, value) pairs; lists and dicts are scanned through."""
    out = []
    for label, value in values:
        for text in _texts(value):
            hit = find(text)
            if hit:
                out.append(Finding(label, *hit))
                break
    return out


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


def file_format(name: str, declared: str | None = None) -> str | None:
    """csv/xlsx/txt/pdf when the file is one of the scanned kinds."""
    for candidate in ((declared or "").strip().lower().lstrip("."), Path(name or "").suffix.lower().lstrip(".")):
        if candidate in SCANNED_FORMATS:
            return candidate
    return None


def file_text(path: str | Path, fmt: str) -> str:
    """All the text of a file; raises Unreadable when it cannot be read."""
    data = Path(path).read_bytes()
    try:
        if fmt in ("csv", "txt"):
            text = _decode(data)
            if fmt == "csv":
                return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(text)))
            return text
        if fmt == "xlsx":
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            parts = []
            for sheet in book.worksheets:
                parts.append(sheet.title)
                for row in sheet.iter_rows(values_only=True):
                    parts.extend(str(v) for v in row if v is not None)
            return "\n".join(parts)
        if fmt == "pdf":
            import pypdf

            reader = pypdf.PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            if reader.pages and not text.strip():
                raise Unreadable("PDF 中没有可读取的文字(可能是扫描件),无法确认不含密级标志,请上传文字版 PDF")
            return text
    except Unreadable:
        raise
    except Exception as e:  # a broken file cannot be cleared either
        raise Unreadable(f"无法读取文件内容({type(e).__name__}),无法确认不含密级标志") from e
    raise ValueError(f"not a scanned format: {fmt}")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文件编码无法识别(应为 UTF-8 或 GB18030),无法确认不含密级标志")


def scan_file(path: str | Path, name: str, fmt: str) -> Finding | None:
    hit = find(file_text(path, fmt))
    return Finding(f"附件《{name}》", *hit) if hit else None
