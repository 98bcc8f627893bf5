"""The non-classified gate (第二十条): submitting, approving and adjusting are refused while a
field or an uploaded CSV / XLSX / TXT / PDF attachment carries a classification marker."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from ckanext.qingyang.core import listdef, markers

log = logging.getLogger(__name__)


def _labelled_fields(pkg_type: str, data: dict) -> list[tuple[str, Any]]:
    lt = listdef.load_type(pkg_type)
    out = [(c.label, data.get(c.field_name)) for c in lt.fields if c.field_name not in ("owner_org", "name")]
    for i, res in enumerate(data.get("resources") or (), 1):
        out.append((f"附件{i}名称", res.get("name")))
        out.append((f"附件{i}说明", res.get("description")))
    return out


def marker_findings(pkg_type: str, data: dict) -> list[str]:
    """Chinese messages for every classification marker in the fields and attached files."""
    found = [f.message_zh() for f in markers.scan_values(_labelled_fields(pkg_type, data))]
    for res in data.get("resources") or ():
        fmt = markers.file_format(res.get("url") or res.get("name") or "", res.get("format"))
        if res.get("url_type") != "upload" or fmt is None or not res.get("id"):
            continue
        name = res.get("name") or (res.get("url") or "").rsplit("/", 1)[-1]
        path = uploader.get_resource_uploader(res).get_path(res["id"])
        try:
            finding = markers.scan_file(path, name, fmt)
        except FileNotFoundError:
            found.append(f"附件《{name}》的文件不存在,无法确认不含密级标志")
            continue
        except markers.Unreadable as e:
            found.append(f"附件《{name}》:{e}")
            continue
        if finding:
            found.append(finding.message_zh())
    return found


def refuse_markers(pkg: model.Package, data: dict, when: str) -> None:
    found = marker_findings(pkg.type, data)
    if found:
        log.warning("%s of %s refused: classification markers (%d findings)", when, pkg.name, len(found))
        raise tk.ValidationError({"classification": found})
