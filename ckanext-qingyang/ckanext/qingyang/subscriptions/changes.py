"""What changed for a subscription: its department's or list type's public items whose record
changed in a window, read through package_search as the reader (the sharing rules apply, and
a private draft never reaches a subscriber)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import listdef

FEED_ROWS = 50
MAIL_ROWS = 100


def state_labels() -> dict[str, str]:
    """发布状态's labels, from the schema presets (the one source of the list's fields)."""
    return {c["value"]: c["label"]["zh_Hans_CN"] for c in listdef.presets()["qy_publish_state"]["choices"]}


def describe(kind: str, target: str) -> dict[str, str] | None:
    """{kind, target, name, label} of a subscription's target; None for one that is not (any more)."""
    if kind == "organization":
        org = model.Group.get(target)
        if org is None or not org.is_organization or org.state != "active":
            return None
        return {"kind": kind, "target": org.id, "name": org.name, "label": org.title}
    if kind == "list_type" and target in listdef.TYPE_NAMES:
        return {"kind": kind, "target": target, "name": target, "label": listdef.load_type(target).list_label}
    return None


def _solr_time(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fq(kind: str, target: str) -> str:
    return f'owner_org:"{target}"' if kind == "organization" else f'dataset_type:"{target}"'


def search(context: dict, kind: str, target: str, since: dt.datetime | None = None,
           until: dt.datetime | None = None, rows: int = FEED_ROWS) -> dict[str, Any]:
    """{count, changes: [...]} newest first; times are CKAN's (naive UTC)."""
    fq = [_fq(kind, target)]
    if since or until:
        fq.append(f"metadata_modified:[{_solr_time(since) if since else '*'} TO "
                  f"{_solr_time(until) if until else '*'}]")
    found = tk.get_action("package_search")(dict(context), {
        "fq": " AND ".join(fq), "sort": "metadata_modified desc", "rows": rows,
        "include_private": False, "include_drafts": False})
    labels, site = state_labels(), (tk.config.get("ckan.site_url") or "").rstrip("/")
    out = []
    for pkg in found["results"]:
        created = dt.datetime.fromisoformat(pkg["metadata_created"])
        state = pkg.get("publish_state") or "published"
        change = ("已取消" if state == "cancelled" else "新发布" if since and created >= since else
                  "已调整" if state == "adjusted" else "已更新")
        out.append({"id": pkg["id"], "name": pkg["name"], "title": pkg["title"], "type": pkg["type"],
                    "list_label": listdef.load_type(pkg["type"]).list_label if pkg["type"] in listdef.TYPE_NAMES else "",
                    "organization": (pkg.get("organization") or {}).get("title", ""),
                    "state": labels.get(state, state), "change": change,
                    "modified": pkg["metadata_modified"], "created": pkg["metadata_created"],
                    "url": f"{site}/{pkg['type']}/{pkg['name']}"})
    return {"count": found["count"], "changes": out}
