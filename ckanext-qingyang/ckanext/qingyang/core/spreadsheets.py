"""Templates and exports of a list as XLSX, CSV (UTF-8 with BOM) and JSON.

Pure Python + openpyxl, no CKAN: the headers and the cell formats come from
listdef, so templates, exports and imports always agree.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ckanext.qingyang.core import listdef

INSTRUCTIONS_SHEET = "填写说明"
KIND_HINTS = {
    "qy_text": "文本", "qy_textarea": "文本(可多行)", "qy_select": "从取值中选择一项",
    "qy_county": "县区名称", "qy_list_status": "从取值中选择一项", "qy_multi_select": "从取值中选择一项或多项,用分号(;)分隔",
    "qy_code": "代码", "qy_office_phone": "电话号码", "qy_uscc": "18 位统一社会信用代码",
    "qy_decimal": "非负数", "qy_days": "正整数(工作日)", "qy_count": "非负整数",
    "qy_year": "四位年度", "qy_date": "日期 YYYY-MM-DD", "qy_confirmed_date": "日期 YYYY-MM-DD",
    "qy_list": "可填多项,用分号(;)分隔", "qy_info_items": "名称:类型;名称:类型",
    "qy_power_ref": "本部门已发布的行政权力事项编码", "qy_resource_link": "网址(http:// 或 https://)",
    "qy_url": "网址(http:// 或 https://)",
}


def instructions(lt: listdef.ListType) -> list[list[str]]:
    rows = [["列名", "英文标识", "是否必填", "填写要求", "取值范围", "示例"]]
    for col in lt.columns:
        required = "必填" if col.required else (
            f"条件必填:{listdef.required_when_text(lt, col)}" if col.required_when else "选填")
        if col.optional:
            # a file may leave the column out; blank then means the default, if any
            required += ("(可不要此列)" if col.default is None
                         else f"(可不要此列;空白即“{col.label_of(col.default)}”)")
        rule = KIND_HINTS.get(col.kind, "")
        if col.maximum is not None:
            rule += f";最大 {col.maximum}"
        if col.pattern_hint:
            rule += f";格式:{col.pattern_hint}"
        if col.unit:
            rule += f";单位:{col.unit},最多 {col.places} 位小数"
        choices = "、".join(c.label for c in col.choices)
        rows.append([col.label, col.field_name, required, rule, choices, col.example])
    return rows


def _sheet_title(lt: listdef.ListType) -> str:
    return lt.list_label[:31]


def to_xlsx(lt: listdef.ListType, rows: Iterable[dict[str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(lt)
    ws.append(lt.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        # text cells: a code like 0934-8213456 or 2025 must stay exactly as written
        ws.append([row.get(h, "") for h in lt.headers])
    for i, header in enumerate(lt.headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(header) * 2 + 4)
        for cell in ws[get_column_letter(i)][1:]:
            cell.number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet(INSTRUCTIONS_SHEET)
    for r in instructions(lt):
        info.append(r)
    info.append([])
    info.append([f"{lt.list_label}({lt.name}):每行一项。第一行列名不可修改、不可增删;"
                 "示例数据仅供参考,请删除后填写。"])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for col in "ABCDEF":
        info.column_dimensions[col].width = 24
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(lt: listdef.ListType, rows: Iterable[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=lt.headers, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    # BOM so that Excel on Chinese Windows opens it as UTF-8
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_json(lt: listdef.ListType, rows: Iterable[dict[str, str]], meta: dict[str, Any] | None = None) -> bytes:
    doc = {"type": lt.name, "list": lt.list_label, "headers": lt.headers, **(meta or {}),
           "rows": list(rows)}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def example_row(lt: listdef.ListType) -> dict[str, str]:
    return {col.label: col.example or (col.choices[0].label if col.choices else "") for col in lt.columns}


def template(lt: listdef.ListType, fmt: str) -> bytes:
    """An empty import template: headers only (XLSX adds the 填写说明 sheet)."""
    if fmt == "xlsx":
        return to_xlsx(lt, [])
    if fmt == "csv":
        return to_csv(lt, [])
    raise ValueError(fmt)


def read_xlsx_rows(data: bytes) -> tuple[list[str], list[list[Any]]]:
    """First sheet's header row and data rows (values, not formulas)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    if not rows:
        return [], []
    headers = ["" if h is None else str(h).strip() for h in rows[0]]
    return headers, rows[1:]


ERROR_HEADERS = ["行号", "列", "值", "问题", "是否阻止导入"]


def error_workbook(title: str, outcome_line: str, problems: Iterable[dict]) -> bytes:
    """A submission's error report: row, column, value and reason, in Chinese."""
    wb = Workbook()
    ws = wb.active
    ws.title = "错误报告"
    ws.append([title])
    ws.append([outcome_line])
    ws.append(ERROR_HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for p in sorted(problems, key=lambda p: (p.get("row") or 0, p.get("column") or "")):
        ws.append([p.get("row"), p.get("column"), p.get("value"), p.get("message_zh"),
                   "是" if p.get("blocking", True) else "否(仅提示)"])
    for col, width in zip("ABCDE", (8, 16, 24, 60, 12)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
