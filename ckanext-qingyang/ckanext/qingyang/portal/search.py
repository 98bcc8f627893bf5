"""The portal's search: one result per item, whichever jurisdictions publish it.

Two package_search calls, so permissions, synonyms and pinyin are package_search's own:
the first collapses the matches on `qy_group_key` (Solr's collapse filter) and pages the
groups in relevance order; the second fetches the members of that page's groups.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup, escape

from ckanext.qingyang.catalog import search as catalog_search
from ckanext.qingyang.catalog import terms
from ckanext.qingyang.core import listdef
from ckanext.qingyang.portal import jurisdictions
from ckanext.qingyang.portal.guide import LEVEL_ORDER

MAX_ROWS = 50
MEMBER_FIELDS = ["id", "name", "title", "dataset_type", "organization", "qy_group_key",
                 "qy_region", "qy_level", "qy_org_title", "qy_place"]
# the themes of 网上政务超市 (第二条) and the list types each shows
THEMES = {
    "sunshine": ("power_item", "responsibility_item", "special_fund", "poverty_project",
                 "poverty_fund_plan"),
    "approval": ("approval_item",),
    "service": ("service_item",),
}


def first_value(value: Any) -> str:
    """A stored qy_* field comes back as a list of one."""
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _types(value: Any) -> list[str]:
    """`type`: a list type, a theme, or a list of either; unknown names are an error."""
    names = value if isinstance(value, list) else [v for v in str(value or "").split(",") if v]
    out: list[str] = []
    for name in names:
        if name in THEMES:
            out.extend(THEMES[name])
        elif name in listdef.TYPE_NAMES:
            out.append(name)
        else:
            raise tk.ValidationError({"type": [tk._("未知的清单类型或主题:{name}").format(name=name)]})
    return out


def filters(jurisdiction: jurisdictions.Jurisdiction, types: list[str],
            extra: list[str] | None = None) -> list[str]:
    fq = list(extra or [])
    if types:
        fq.append("dataset_type:(%s)" % " OR ".join(types))
    scope = jurisdiction.scope_fq()
    if scope:
        fq.append(scope)
    return fq


def _int(data_dict: dict, key: str, default: int, top: int) -> int:
    try:
        value = int(data_dict.get(key, default))
    except (TypeError, ValueError):
        raise tk.ValidationError({key: [tk._("应为整数")]})
    if not 0 <= value <= top:
        raise tk.ValidationError({key: [tk._("应在 0 到 {top} 之间").format(top=top)]})
    return value


def highlight(title: str, words: list[str]) -> Markup:
    """The title with every run of two or more characters found in a query word marked."""
    words = [w for w in words if len(w) >= 2]
    out, i = [], 0
    while i < len(title):
        j = max((k for k in range(i + 2, len(title) + 1) if any(title[i:k] in w for w in words)),
                default=0)
        if j:
            out.append(Markup("<mark>%s</mark>") % title[i:j])
            i = j
        else:
            out.append(escape(title[i]))
            i += 1
    return Markup("").join(out)


def query_words(q: str) -> list[str]:
    words = [w for w in re.split(r"\s+", q.strip()) if w]
    return words + [t for t in terms.synonyms().expand(q) if t not in words]


def _member(doc: dict[str, Any]) -> dict[str, Any]:
    level = first_value(doc.get("qy_level"))
    region = first_value(doc.get("qy_region"))
    place = first_value(doc.get("qy_place"))
    county = jurisdictions.by_code(region[:6]) if region else None
    county_name = county.name if county and county.level == "county" else ""
    return {
        "name": doc["name"], "title": doc.get("title", ""), "type": doc.get("dataset_type", ""),
        "organization": doc.get("organization", ""), "department": first_value(doc.get("qy_org_title")),
        "region_code": region, "level": level,
        "jurisdiction": jurisdictions.label_of(region, level, county_name, place),
    }


def _member_order(chosen: jurisdictions.Jurisdiction):
    def key(m: dict[str, Any]) -> tuple:
        mine = 0 if chosen.code and m["region_code"] == chosen.code else 1
        return (mine, LEVEL_ORDER.get(m["level"], 9), m["region_code"], m["department"])
    return key


@tk.side_effect_free
def qingyang_portal_search(context: dict, data_dict: dict) -> dict[str, Any]:
    """Search the portal as a citizen does: one group per item, in relevance order.

    :param q: the words typed (everyday words and pinyin work, as in package_search)
    :param jurisdiction: a region code (621022 环县, 621022100 a township; 621000 市本级);
        empty for the whole city. Narrows to the items that serve that place.
    :param type: a list type (approval_item …) or a theme (sunshine, approval, service),
        or a comma-separated list of them
    :param rows: groups per page (default 10, at most 50)
    :param start: offset in groups
    :returns: ``count`` (groups), ``groups`` (each ``key``, ``title``, ``type``,
        ``type_label``, ``highlight``, ``items`` per jurisdiction, the chosen one first),
        ``jurisdiction`` and ``words`` (the words highlighted, synonyms included)
    """
    tk.check_access("qingyang_portal_search", context, data_dict)
    q = str(data_dict.get("q") or "").strip()
    if len(q) > 200:
        raise tk.ValidationError({"q": [tk._("搜索词太长(最多 200 字)")]})
    code = str(data_dict.get("jurisdiction") or "")
    chosen = jurisdictions.by_code(code)
    if chosen is None:
        raise tk.ValidationError({"jurisdiction": [tk._("未知的地区代码:{code}").format(code=code)]})
    rows = _int(data_dict, "rows", 10, MAX_ROWS)
    start = _int(data_dict, "start", 0, 100000)
    fq = filters(chosen, _types(data_dict.get("type")), data_dict.get("fq_list"))
    search = tk.get_action("package_search")

    def page_of_groups(words: str) -> dict[str, Any]:
        return search(dict(context), {
            "q": words, "fq_list": fq + ["{!collapse field=qy_group_key}"],
            "rows": rows, "start": start, "fl": ["qy_group_key", "title", "dataset_type"],
            "sort": "score desc, title_string asc" if words else "title_string asc",
            "include_private": False,
        })

    heads = page_of_groups(q)
    if q and not heads["count"]:
        # 社保卡申领: an everyday word run together with a title's words
        formal = terms.synonyms().rewrite(q)
        if formal != q:
            heads = page_of_groups(formal)
    keys = [first_value(d.get("qy_group_key")) for d in heads["results"] if d.get("qy_group_key")]
    members: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    if keys:
        quoted = " OR ".join('"%s"' % k.replace('"', '\\"') for k in keys)
        found = search(dict(context), {
            "q": "", "fq_list": fq + ["qy_group_key:(%s)" % quoted],
            "rows": 1000, "fl": MEMBER_FIELDS, "include_private": False,
        })
        for doc in found["results"]:
            members.setdefault(first_value(doc.get("qy_group_key")), []).append(_member(doc))
    words = query_words(q) if q else []
    groups = []
    for doc in heads["results"]:
        key = first_value(doc.get("qy_group_key"))
        items = sorted(members.get(key) or [], key=_member_order(chosen))
        if not items:
            continue
        title = items[0]["title"]
        groups.append({
            "key": key, "title": title, "type": items[0]["type"],
            "type_label": catalog_search.TYPE_LABELS.get(items[0]["type"], ""),
            "highlight": str(highlight(title, words)), "items": items,
        })
    return {"count": heads["count"], "groups": groups, "words": words,
            "jurisdiction": {"code": chosen.code, "name": chosen.name}}


@tk.side_effect_free
def qingyang_portal_suggest(context: dict, data_dict: dict) -> list[dict[str, str]]:
    """Suggestions as a person types: everyday words with their formal term, then item names.

    :param q: what has been typed so far (Chinese, pinyin or initials)
    :param limit: at most this many (default 8)
    :returns: a list of ``{"text", "kind"}``; kind ``synonym`` (text is the formal term,
        ``everyday`` the word it stands for), ``term`` (a formal term) or ``item`` (an item name)
    """
    tk.check_access("qingyang_portal_suggest", context, data_dict)
    q = str(data_dict.get("q") or "").strip()[:50]
    limit = _int(data_dict, "limit", 8, 20)
    if not q:
        return []
    out: list[dict[str, str]] = []
    table = terms.synonyms()
    for word in table.suggest(q, limit):
        formal = [t for t in table.expand(word) if t != word]
        out.append({"text": formal[0], "everyday": word, "kind": "synonym"} if formal
                   else {"text": word, "kind": "term"})
    found = tk.get_action("package_search")(dict(context), {
        "q": q, "fq_list": ["{!collapse field=qy_group_key}"], "rows": limit,
        "fl": ["title"], "include_private": False,
    })
    seen = {s["text"] for s in out}
    for doc in found["results"]:
        if doc.get("title") and doc["title"] not in seen:
            seen.add(doc["title"])
            out.append({"text": doc["title"], "kind": "item"})
    return out[:limit]
