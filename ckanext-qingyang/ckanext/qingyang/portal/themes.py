"""What the three themes of 网上政务超市 show (第二条): 阳光政务 (权责清单, 财政专项资金,
扶贫清单), 行政审批 and 便民服务. Every figure comes through package_search, so a
visitor sees only what is public, and the jurisdiction choice narrows it."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import search as catalog_search
from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.codes import QINGYANG_COUNTIES
from ckanext.qingyang.pages import caller_context
from ckanext.qingyang.portal import cache, jurisdictions
from ckanext.qingyang.portal.search import THEMES, filters, first_value

PAGE = 20
MAX_ITEMS = 5000      # a theme table reads at most this many items per view


def _search(data_dict: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_search")(caller_context(), dict(data_dict, include_private=False))


def _all(fq: list[str], sort: str = "title_string asc", fl: list[str] | None = None) -> list[dict[str, Any]]:
    """Every item under fq (at most MAX_ITEMS): whole dicts, or only the stored fields fl."""
    out: list[dict[str, Any]] = []
    while len(out) < MAX_ITEMS:
        page = _search({"fq_list": fq, "rows": 1000, "start": len(out), "sort": sort,
                        **({"fl": fl} if fl else {})})
        out.extend(page["results"])
        if len(page["results"]) < 1000:
            break
    return out


def facets(fq: list[str], fields: dict[str, dict[str, str] | None],
           limit: int = 500) -> dict[str, list[dict[str, Any]]]:
    """Several facets of the items under fq in one search: field -> [{value, label, count}],
    most items first. labels name coded values; the organization facet comes titled."""
    found = _search({"fq_list": fq, "rows": 0, "facet.field": list(fields), "facet.limit": limit})
    out = {}
    for field, labels in fields.items():
        items = found["search_facets"].get(field, {}).get("items", [])
        out[field] = sorted(({"value": i["name"], "count": i["count"],
                              "label": (labels or {}).get(i["name"]) or i.get("display_name") or i["name"]}
                             for i in items), key=lambda i: -i["count"])
    return out


def facet(fq: list[str], field: str, labels: dict[str, str] | None = None,
          limit: int = 200) -> list[dict[str, Any]]:
    return facets(fq, {field: labels}, limit)[field]


def theme_counts(chosen: jurisdictions.Jurisdiction) -> dict[str, int]:
    found = _search({"fq_list": filters(chosen, []), "rows": 0, "facet.field": ["dataset_type"]})
    per_type = {i["name"]: i["count"] for i in found["search_facets"]["dataset_type"]["items"]}
    return {theme: sum(per_type.get(t, 0) for t in types) for theme, types in THEMES.items()}


def departments(fq: list[str]) -> list[dict[str, Any]]:
    """Organizations with items under fq; package_search titles the organization facet."""
    return facet(fq, "organization", limit=500)


def _choice_labels(type_name: str, field: str) -> dict[str, str]:
    """value -> label in the page's language (the schema's choices carry both)."""
    col = next(c for c in listdef.load_type(type_name).columns if c.field_name == field)
    english = tk.h.lang() == "en"
    return {c.value: (c.label_en if english and c.label_en else c.label) for c in col.choices}


def topics(counted: list[dict[str, Any]], audience: str) -> list[dict[str, Any]]:
    """主题分类 tiles (for 个人 or 法人 when one is chosen) with their counts (the qy_topic
    facet); a topic without items is still shown, so the taxonomy reads the same in every county."""
    counts = {r["value"]: r["count"] for r in counted}
    serves = listdef.topic_audiences()
    return [{"value": t.value, "label": t.label, "label_en": t.label_en, "count": counts.get(t.value, 0)}
            for t in listdef.choices_from("topics") if not audience or audience in serves.get(t.value, ())]


def _tabled(type_name: str, fq: list[str]) -> list[dict[str, Any]]:
    """Items with name, title and their table fields (catalog/search.py STORED_FOR_TABLES),
    kept for the other anonymous pages of the same table (portal/cache.py)."""
    fields = catalog_search.STORED_FOR_TABLES[type_name]

    def read() -> list[dict[str, Any]]:
        docs = _all(fq, fl=["name", "title", *(f"qy_f_{f}" for f in fields)])
        return [{"name": d["name"], "title": d.get("title", ""),
                 **{f: first_value(d.get(f"qy_f_{f}")) for f in fields}} for d in docs]
    return cache.kept_data(f"tabled:{type_name}", fq, read)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal(0)


def powers(chosen: jurisdictions.Jurisdiction, org: str, power_type: str) -> dict[str, Any]:
    """权责清单 of one department: each power with its responsibility items beneath it."""
    base = filters(chosen, ["power_item"])
    counted = facets(base, {"organization": None, "power_type": _choice_labels("power_item", "power_type")})
    out: dict[str, Any] = {"departments": counted["organization"], "power_types": counted["power_type"],
                           "powers": []}
    if not org:
        return out
    fq = base + [f'organization:"{org}"'] + ([f'power_type:"{power_type}"'] if power_type else [])
    items = _all(fq, sort="name asc")
    codes = [i["code"] for i in items if i.get("code")]
    duties: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if codes:
        # in the order the department listed them (受理 before 决定)
        for d in _all(filters(chosen, ["responsibility_item"]) + [f'organization:"{org}"'],
                      sort="metadata_created asc, name asc"):
            duties[d.get("power_code", "")].append(d)
    labels = _choice_labels("power_item", "power_type")
    out["powers"] = [dict(p, power_type_label=labels.get(p.get("power_type", ""), ""),
                          duties=duties.get(p.get("code", ""), [])) for p in items]
    return out


TABLE_ROWS = 50


def funds(chosen: jurisdictions.Jurisdiction, year: str, org: str, page: int = 1) -> dict[str, Any]:
    """财政专项资金 of a 预算年度, by department, with the total 预算数额 (万元).

    The total and the chart count every item; the table shows TABLE_ROWS at a time."""
    base = filters(chosen, ["special_fund"])
    years = sorted((r["value"] for r in facet(base, "list_year")), reverse=True)
    year = year if year in years else (years[0] if years else "")
    fq = base + ([f'list_year:"{year}"'] if year else [])
    items = _tabled("special_fund", fq + ([f'organization:"{org}"'] if org else []))
    by_department: dict[str, Decimal] = defaultdict(Decimal)
    for i in items:
        i["amount"] = _decimal(i.get("budget_amount"))
        by_department[i.get("competent_department") or ""] += i["amount"]
    chart = sorted(by_department.items(), key=lambda kv: -kv[1])
    pages = max(1, -(-len(items) // TABLE_ROWS))
    page = min(max(page, 1), pages)
    return {"years": years, "year": year, "departments": departments(fq), "items": items,
            "rows": items[(page - 1) * TABLE_ROWS:page * TABLE_ROWS], "page": page, "pages": pages,
            "total": sum((i["amount"] for i in items), Decimal(0)),
            "chart": [{"name": k, "value": round(float(v), 2)} for k, v in chart]}


FUND_FIELDS = ("fund_central", "fund_province", "fund_city", "fund_county")


PROJECTS_AT_ONCE = 300   # a county listing more projects opens one township at a time


def poverty(chosen: jurisdictions.Jurisdiction, year: str, county: str = "",
            township: str = "") -> dict[str, Any]:
    """扶贫清单 as county → township → village, with funds and households served.

    Every county and township carries its totals. Villages and their projects are listed
    for one county at a time (the chosen one, or the only one), and in a county of more
    than PROJECTS_AT_ONCE projects for one township at a time: a year of the whole city
    is thousands of projects, too long for a phone and for one render.
    """
    base = filters(chosen, ["poverty_project"])
    years = sorted((r["value"] for r in facet(base, "list_year")), reverse=True)
    year = year if year in years else (years[0] if years else "")
    items = _tabled("poverty_project", base + ([f'list_year:"{year}"'] if year else []))
    tree: dict[str, dict[str, dict[str, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for i in items:
        # once per project: every level's totals add these up
        i["funds"] = sum((_decimal(i.get(f)) for f in FUND_FIELDS), Decimal(0))
        i["households"] = int(_decimal(i.get("households")))
        i["beneficiaries"] = int(_decimal(i.get("beneficiaries")))
        tree[i.get("county") or ""][i.get("township") or ""][i.get("village") or ""].append(i)
    if len(tree) == 1:
        county = next(iter(tree))
    if county in tree and len(tree[county]) == 1:
        township = next(iter(tree[county]))
    counties = []
    for code, townships in sorted(tree.items()):
        projects = [p for t in townships.values() for v in t.values() for p in v]
        whole = code == county and len(projects) <= PROJECTS_AT_ONCE
        t_rows = []
        for name, villages in sorted(townships.items()):
            opened = code == county and (whole or name == township)
            t_rows.append({"name": name, "opened": opened,
                           "villages": ([{"name": v, "projects": ps, **_sums(ps)}
                                         for v, ps in sorted(villages.items())] if opened else []),
                           **_sums([p for v in villages.values() for p in v])})
        counties.append({"code": code, "name": QINGYANG_COUNTIES.get(code, code), "opened": code == county,
                         "townships": t_rows, **_sums(projects)})
    return {"years": years, "year": year, "county": county, "township": township,
            "counties": counties, **_sums(items)}


def _sums(projects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"project_count": len(projects), "funds": sum((p["funds"] for p in projects), Decimal(0)),
            "households": sum(p["households"] for p in projects),
            "beneficiaries": sum(p["beneficiaries"] for p in projects)}


def type_label(type_name: str) -> str:
    return catalog_search.TYPE_LABELS.get(type_name, type_name)
