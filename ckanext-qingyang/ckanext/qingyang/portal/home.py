"""The home page of 网上政务超市: counts per theme, 热门事项 and the newest 调整公告."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.qingyang.pages import caller_context
from ckanext.qingyang.portal import jurisdictions, themes

HOT_SHOWN = 8


@functools.lru_cache(maxsize=2)
def _portal_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def settings() -> dict[str, Any]:
    return _portal_yaml(str(Path(tk.config.get("ckanext.qingyang.catalogs_dir")) / "portal.yaml"))


def _quoted(values: list[str]) -> str:
    return " OR ".join('"%s"' % v.replace('"', '\\"') for v in values)


def hot(chosen: jurisdictions.Jurisdiction) -> list[dict[str, Any]]:
    """热门事项 in catalogs/portal.yaml order, each linked to the visitor's own item."""
    wanted = settings().get("hot") or []
    if not wanted:
        return []
    found = tk.get_action("qingyang_portal_search")(caller_context(), {
        "type": ",".join(sorted({w["type"] for w in wanted})), "jurisdiction": chosen.code,
        "rows": len(wanted), "fq_list": [f"title_string:({_quoted([w['title'] for w in wanted])})"]})
    by_title = {(g["type"], g["title"]): g for g in found["groups"]}
    out = [by_title[(w["type"], w["title"])] for w in wanted if (w["type"], w["title"]) in by_title]
    return out[:HOT_SHOWN]


def facts() -> dict[str, Any]:
    chosen = jurisdictions.current()
    return {
        "chosen": chosen,
        "counts": themes.theme_counts(chosen),
        "hot": hot(chosen),
        "adjustments": tk.get_action("qingyang_adjustment_list")(caller_context(), {"limit": 5}),
    }
