"""The scoreboard as XLSX: one sheet of departments, one of counties, one of every deduction's
evidence (so that the printed board can be traced too)."""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="0A4A8F")


def write_sheet(ws, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    ws.append(headers)
    for c in ws[1]:
        c.font, c.fill, c.alignment = HEAD, HEAD_FILL, Alignment(wrap_text=True, vertical="center")
    for r in rows:
        ws.append(r)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


def _cell(ind: dict) -> Any:
    if ind["status"] == "counted":
        return ind["score"]
    return ind["status_label"] + (f"({ind['rate'] * 100:.0f}%)" if ind.get("rate") is not None else "")


def board_xlsx(board: dict[str, Any], site_url: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "部门排名"
    labels = [i["label"] for i in board["indicators"]]
    status = "实时计算(尚未存档)" if board["live"] else f"已存档 {board['snapshot']['taken_at'][:10]}"
    write_sheet(ws, ["名次", "部门", "辖区", "总分", *labels],
           [[r["rank"], r["title"], r["county"] or "市级", r["total"], *[_cell(i) for i in r["indicators"]]]
            for r in board["departments"]], [6, 30, 10, 8, *[10] * len(labels)])
    ws.append([])
    ws.append([f"{board['month']} 督查考核 · 考核规则 {board['rules_from']} 版 · 样本不足 {board['min_sample']} 不计分 · {status}"])
    write_sheet(wb.create_sheet("县区排名"), ["名次", "县区", "平均分", "参评机构", "计分机构", "红牌"],
           [[c["rank"], c["title"], c["total"], c["organizations"], c["scored"], c["red_cards"]] for c in board["counties"]],
           [6, 14, 8, 10, 10, 8])
    evidence = []
    for r in board["departments"]:
        for i in r["indicators"]:
            for e in i.get("evidence") or ():
                evidence.append([r["title"], i["label"], e.get("label"), e.get("title"), e.get("detail", ""),
                                 site_url.rstrip("/") + e["url"] if e.get("url") else ""])
    write_sheet(wb.create_sheet("扣分依据"), ["部门", "指标", "问题", "对象", "说明", "链接"], evidence, [28, 10, 12, 36, 36, 50])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
