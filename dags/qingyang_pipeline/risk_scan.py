"""The weekly risk scan's steps (dags/qingyang_risk_scan.py): which sources of an item changed
(pure), and reading one item's changed sources through CKAN's API (I/O). The rules are
ckanext.qingyang.core.risk."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable
from urllib.parse import urlsplit

from ckanext.qingyang.core import listdef, risk
from ckanext.qingyang.core.markers import Unreadable

PAGE = 100
DATASTORE_PAGE = 1000
ITEM_KEYS = ("id", "name", "title", "type", "owner_org", "metadata_modified", "resources")


def list_published(call: Callable[[str, dict], Any]) -> list[dict]:
    """Every published (public, active) item, paged through package_search."""
    out, start = [], 0
    while True:
        page = call("package_search", {"q": "*:*", "include_private": False, "rows": PAGE, "start": start,
                                       "sort": "id asc"})
        out.extend(page["results"])
        start += PAGE
        if start >= page["count"] or not page["results"]:
            return out


def scanned_fields(item: dict) -> list[tuple[str, Any]]:
    """(label, value) of the item's metadata the scan reads: the schema's fields and the attachments' names."""
    try:
        cols = [(c.label, c.field_name) for c in listdef.load_type(item.get("type") or "dataset").fields]
    except Exception:   # a type without a schema of ours: its title and notes
        cols = [("名称", "title"), ("描述", "notes")]
    out = [(label, item.get(name)) for label, name in cols if name not in ("owner_org", "name")]
    for i, res in enumerate(item.get("resources") or (), 1):
        out += [(f"附件{i}名称", res.get("name")), (f"附件{i}说明", res.get("description"))]
    return out


def sources_of(item: dict) -> dict[str, str]:
    """{source: fingerprint} of the item now: its fields, each scanned attachment, each DataStore table."""
    fields = json.dumps(scanned_fields(item), ensure_ascii=False, sort_keys=True, default=str)
    out = {"fields": hashlib.sha256(fields.encode()).hexdigest()}
    for res in item.get("resources") or ():
        if res.get("url_type") == "upload" and risk.file_format(res.get("url") or res.get("name") or "", res.get("format")):
            out[res["id"]] = risk.file_fingerprint(res)
        if res.get("datastore_active"):
            # rows change without the resource changing (datastore_upsert): a table is read every run
            out[f"datastore:{res['id']}"] = "read-every-run"
    return out


def plan(items: list[dict], known: dict[str, dict[str, str]]) -> list[dict]:
    """Per item: its sources now and the ones unchanged since the last scan (not read again)."""
    out = []
    for item in items:
        now = sources_of(item)
        before = known.get(item["id"]) or {}
        out.append({"item": {k: item.get(k) for k in ITEM_KEYS}, "fields": scanned_fields(item), "sources": now,
                    "unchanged": sorted(s for s, fp in now.items()
                                         if before.get(s) == fp and not s.startswith("datastore:"))})
    return out


def _download(base_url: str, token: str | None, url: str) -> bytes:
    import requests

    parts = urlsplit(url)
    local = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    res = requests.get(local, headers={"Authorization": token} if token else {}, timeout=300)
    res.raise_for_status()
    return res.content


def scan_item(step: dict, call: Callable[[str, dict], Any], base_url: str, token: str | None) -> dict:
    """Read the item's changed sources; the findings as qingyang_risk_report takes them, and
    the sources that could not be read (kept as unchanged: their findings stay as they are)."""
    item, unchanged = step["item"], set(step["unchanged"])
    found: list[dict] = []
    errors: list[str] = []
    resources = {r["id"]: r for r in item.get("resources") or ()}

    def add(source: str, findings: list[risk.Finding]) -> None:
        found.extend({"source": source, "where": f.where, "rule": f.rule, "masked": f.masked} for f in findings)

    for source in step["sources"]:
        if source in unchanged:
            continue
        try:
            if source == "fields":
                add(source, risk.field_findings([tuple(pair) for pair in step["fields"]]))
            elif source.startswith("datastore:"):
                res = resources[source.split(":", 1)[1]]
                add(source, _datastore(call, res))
            else:
                res = resources[source]
                name = res.get("name") or (res.get("url") or "").rsplit("/", 1)[-1]
                fmt = risk.file_format(res.get("url") or name, res.get("format"))
                add(source, risk.file_findings(_download(base_url, token, res["url"]), name, fmt))
        except (Unreadable, OSError, ValueError, KeyError) as e:
            errors.append(f"{item['name']} {source}: {type(e).__name__}: {e}")
            unchanged.add(source)
    return {"package_id": item["id"], "sources": step["sources"], "unchanged": sorted(unchanged),
            "findings": found, "errors": errors}


def _datastore(call: Callable[[str, dict], Any], res: dict) -> list[risk.Finding]:
    offset, fields, records = 0, None, []
    while True:
        page = call("datastore_search", {"resource_id": res["id"], "limit": DATASTORE_PAGE, "offset": offset,
                                         "sort": "_id"})
        fields = fields or [f["id"] for f in page["fields"]]
        records.extend((offset + i + 1, r) for i, r in enumerate(page["records"]))
        offset += DATASTORE_PAGE
        if offset >= page.get("total", 0) or not page["records"]:
            break
    return risk.datastore_findings(fields or [], records, res.get("name") or res["id"])
