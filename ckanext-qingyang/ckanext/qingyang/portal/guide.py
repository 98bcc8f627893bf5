"""The facts of a 办事指南 beyond the item's own fields: its procedure as steps, where it
sits, the last 调整, and the same item in other jurisdictions. Everything is read through
actions with the caller's context, so a guide never shows what package_show would hide."""
from __future__ import annotations

import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import listdef
from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.publishing import history, workflow

GUIDE_TYPES = ("approval_item", "service_item")
# the field holding the procedure, per type
STEPS_FIELD = {"approval_item": "procedure", "service_item": "service_process"}
IN_FORCE = tuple(s for s in workflow.PUBLISHED if s != "cancelled")
LEVEL_ORDER = {"city": 0, "county": 1, "township": 2}
OTHER_PLACES_MAX = 100

# strongest separator first: arrows and line breaks always mean "next step"; semicolons
# only when there are no arrows; 、 only when nothing else splits (it also lists things)
_ARROWS = re.compile(r"\s*(?:→|->|=>|⇒|➔|➜)\s*|\s*\n\s*")
_SEMICOLONS = re.compile(r"\s*[;；]\s*")
_NUMBERED = re.compile(r"\s*(?:[(（]\d+[)）]|(?:\d+|[一二三四五六七八九十]+)\s*[、.．)）])\s*")
_COMMAS = re.compile(r"\s*、\s*")
_LEADING_NUMBER = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+步[:：,，]?|[(（]?\d+[)）]|\d+\s*[、.．)）:]|[一二三四五六七八九十]+\s*[、.．)）])\s*")


def _clean(parts: list[str]) -> list[str]:
    out = [_LEADING_NUMBER.sub("", p).strip(" ,，。.") for p in parts]
    return [p for p in out if p]


def steps(text: Any) -> list[str]:
    """The stored procedure text as numbered steps (the page numbers them itself)."""
    text = str(text or "").strip()
    if not text:
        return []
    # "1、申请 2、受理": the numbers are the separators, the 、 after them is not
    splitters = (_ARROWS, _SEMICOLONS, _NUMBERED) if _NUMBERED.search(text) else (_ARROWS, _SEMICOLONS, _COMMAS)
    for splitter in splitters:
        parts = _clean(splitter.split(text))
        if len(parts) > 1:
            return parts
    return _clean([text]) or [text]


def _context(context: dict) -> dict:
    """A fresh context for the next action: the caller, nothing an earlier action left in it."""
    return {k: context[k] for k in ("user", "auth_user_obj") if k in context}


def _phrase(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def other_places(context: dict, pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The same item (same type, same normalised title) published by other organizations."""
    title = listdef.normalise(pkg.get("title") or "")
    if not title:
        return []
    # only the fields shown: whole dicts of a hundred places cost more than the page
    found = tk.get_action("package_search")(_context(context), {
        "q": f"title:{_phrase(title)}",
        "fq": f'+dataset_type:{pkg["type"]} -owner_org:"{pkg.get("owner_org")}" '
              f'+publish_state:({" OR ".join(IN_FORCE)}) -list_status:withdrawn',
        "fl": ["name", "title", "dataset_type", "organization"],
        "rows": OTHER_PLACES_MAX})
    return [{"name": r["name"], "type": r.get("dataset_type"), "title": r.get("title", ""),
             "organization": r.get("organization")}
            for r in found["results"] if listdef.normalise(r.get("title") or "") == title]


def _organizations(names: list[str]) -> dict[str, dict[str, Any]]:
    """Title and jurisdiction of each organization (organization_list would show each one)."""
    if not names:
        return {}
    orgs = model.Session.query(model.Group).filter(model.Group.name.in_(names),
                                                   model.Group.is_organization.is_(True))
    out = {}
    for org in orgs:
        facts = jurisdiction.place(org)
        out[org.name] = {"title": facts["org_title"], "jurisdiction": facts["place"],
                         "jurisdiction_level": facts["jurisdiction_level"]}
    return out


def last_adjustment(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The latest published 调整 of the item (when, by which office, why).

    Read from the version table: the caller has already been allowed to see the item."""
    adjusted = [v for v in workflow.versions(pkg["id"])
                if v["change"] == "adjust" and v["state"] in ("published", "superseded") and v["published_at"]]
    if not adjusted:
        return None
    latest = history.version_dict(max(adjusted, key=lambda v: v["number"]), with_people=False)
    review = (latest.get("reviews") or [{}])[0]
    return {"at": latest["published_at"], "office": review.get("office"), "reason": review.get("reason")}


def facts(context: dict, pkg: dict[str, Any]) -> dict[str, Any]:
    """What the guide page shows besides the item's fields."""
    places = other_places(context, pkg)
    own = (pkg.get("organization") or {}).get("name")
    orgs = _organizations(sorted({own, *(p["organization"] for p in places if p.get("organization"))} - {None}))
    others = []
    for p in places:
        org = orgs.get(p.get("organization") or "", {})
        others.append({"name": p["name"], "type": p["type"], "title": p["title"],
                       "department": org.get("title", ""),
                       "jurisdiction": org.get("jurisdiction", ""), "level": org.get("jurisdiction_level", "")})
    others.sort(key=lambda o: (LEVEL_ORDER.get(o["level"], 9), o["jurisdiction"], o["department"]))
    home = orgs.get(own, {})
    return {"steps": steps(pkg.get(STEPS_FIELD[pkg["type"]])),
            "jurisdiction": home.get("jurisdiction", ""),
            "department": home.get("title") or (pkg.get("organization") or {}).get("title", ""),
            "last_adjustment": last_adjustment(pkg),
            "other_places": others,
            "efficiency": _efficiency(pkg)}


def _efficiency(pkg: dict[str, Any]) -> dict[str, Any]:
    """The item's last 12 months of 办件 (效能监察): 办件量, 按时办结率, 平均用时."""
    from ckanext.qingyang.supervision.efficiency import facts as cases

    return cases.item_year(pkg["id"])


@tk.side_effect_free
def qingyang_guide_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """The 办事指南 of an approval or service item: the item as package_show gives it to
    the caller (`item`), its procedure as `steps`, `jurisdiction` and `department`, the
    `last_adjustment`, and the same item in other jurisdictions (`other_places`).

    :param id: item id or name
    """
    tk.check_access("qingyang_guide_show", context, data_dict)
    pkg = tk.get_action("package_show")(_context(context), {"id": data_dict.get("id")})
    if pkg.get("type") not in GUIDE_TYPES:
        raise tk.ObjectNotFound(tk._("该事项没有办事指南"))
    return dict(facts(context, pkg), item=pkg)
