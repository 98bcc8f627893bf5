"""The 通报's files: XLSX (openpyxl) and a printable PDF (WeasyPrint over an HTML page, with
Debian's Noto CJK fonts), written read-only into the archive with their SHA-256."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ckanext.qingyang.supervision.assessment.export import write_sheet

FILE_MODE, DIR_MODE = 0o444, 0o555
RESPONSIBLE = (("leader_in_charge", "分管领导"), ("responsible_office", "主管科室"), ("content_officer", "专人"),
               ("content_officer_phone", "联系电话"))


class ArchiveError(RuntimeError):
    """An archived file is missing or no longer matches its recorded SHA-256."""


def archive_dir() -> Path:
    folder = tk.config.get("ckanext.qingyang.bulletins.archive_dir") or ""
    return Path(folder) if folder else Path(tk.config.get("ckan.storage_path")) / "bulletins"


def xlsx(b: dict[str, Any]) -> bytes:
    content, site = b["content"], (tk.config.get("ckan.site_url") or "").rstrip("/")
    wb = Workbook()
    ws = wb.active
    ws.title = "被通报单位"
    write_sheet(ws, ["单位", "辖区", "名次", "总分", *[label for _, label in RESPONSIBLE], "问题数"],
           [[o["title"], o.get("county") or "市级", o.get("rank"), o.get("total"),
             *[(o.get("responsible") or {}).get(k) or "未明确" for k, _ in RESPONSIBLE], len(o["items"])]
            for o in content["organizations"]], [30, 10, 6, 8, 20, 14, 14, 16, 8])
    ws.insert_rows(1)
    ws["A1"] = f"{b['number']}  {b['title']}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(vertical="center")
    write_sheet(wb.create_sheet("问题明细"), ["单位", "指标", "问题", "对象", "说明", "链接"],
           [[o["title"], i.get("indicator"), i.get("label"), i.get("title"), i.get("detail", ""),
             site + i["url"] if i.get("url") else ""] for o in content["organizations"] for i in o["items"]],
           [28, 10, 12, 36, 36, 50])
    write_sheet(wb.create_sheet("县区政府"), ["县区", "平均分", "名次", "低于通报线", "被通报单位数"],
           [[c["title"], c.get("total"), c.get("rank"), "是" if c.get("below") else "否", c.get("named")]
            for c in content["counties"]], [14, 8, 6, 10, 12])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def html(b: dict[str, Any]) -> str:
    return tk.render("qingyang/supervision/bulletins/document.html", {"b": b, "responsible": RESPONSIBLE})


def pdf(b: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(b), base_url=tk.config.get("ckan.site_url") or None).write_pdf()


def store(b: dict[str, Any], files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Write each file once, read-only, under <archive>/<month>/<id>/; return path, hash, size."""
    root = archive_dir()
    folder = root / b["month"] / b["id"]
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for fmt, data in files.items():
        target = folder / f"bulletin-{b['month']}.{fmt}"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
        out[fmt] = {"path": str(target.relative_to(root)), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    os.chmod(folder, DIR_MODE)
    return out


def read(entry: dict[str, Any]) -> bytes:
    """An archived file's bytes, after checking them against the recorded hash."""
    path = archive_dir() / entry["path"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArchiveError(f"通报文件缺失:{entry['path']} / bulletin file missing: {entry['path']}") from None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ArchiveError(f"通报文件已被改动:{entry['path']} / bulletin file changed: {entry['path']}")
    return data
