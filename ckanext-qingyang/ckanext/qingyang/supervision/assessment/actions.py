"""督查考核 actions: the month's board, one organization's months, and the monthly snapshot.

A finished month that has been snapshotted is read from its snapshot; any other month (the
current one, or one not taken yet) is computed live from today's facts and says so.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.core import assessment
from ckanext.qingyang.sharing import access
from ckanext.qingyang.supervision.assessment import facts
from ckanext.qingyang.supervision.assessment.model import score as score_table
from ckanext.qingyang.supervision.assessment.model import snapshot

HISTORY_MONTHS = 12


def rule_versions() -> list[assessment.Rules]:
    path = Path(tk.config.get("ckanext.qingyang.catalogs_dir"))
    try:
        return assessment.load_rules(path)
    except assessment.RulesError as e:
        raise tk.ValidationError({"assessment.yaml": [str(e)]})


def this_month() -> str:
    return dt.date.today().strftime("%Y-%m")


def _month_param(value: Any) -> str:
    month = str(value or this_month())
    try:
        dt.date.fromisoformat(month + "-01")
    except ValueError:
        raise tk.ValidationError({"month": [f"月份应为 YYYY-MM,实为 {month}"]})
    if month > this_month():
        raise tk.ValidationError({"month": [f"{month} 尚未开始"]})
    return month


def compute(month: str) -> dict[str, Any]:
    """Every organization's indicators and total for the month, ranked, from the facts now."""
    rules = assessment.rules_for(rule_versions(), month)
    orgs = facts.organizations()
    by_org = facts.month_facts(orgs, month, rules)
    rows = []
    for o in orgs:
        result = assessment.assess(by_org[o["id"]], rules)
        rows.append({"organization_id": o["id"], "organization": o["name"], "title": o["title"], "kind": o["kind"],
                     "level": o["level"], "county_code": o["county_code"], "county": o["county"], **result})
    return {"month": month, "rules_from": rules.since, "rules": asdict(rules),
            "rows": assessment.rank(rows)}


def _stored(month: str) -> dict[str, Any] | None:
    head = model.Session.execute(sa.select(snapshot).where(snapshot.c.month == month)).mappings().first()
    if head is None:
        return None
    rows = [dict(r) for r in model.Session.execute(sa.select(score_table).where(score_table.c.month == month)).mappings()]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["title"]))
    return {"month": month, "rules_from": head["rules_from"], "rules": head["rules"], "rows": rows,
            "snapshot": {"taken_at": head["taken_at"].isoformat(), "taken_by": head["taken_by"]}}


def board_for(month: str) -> dict[str, Any]:
    return _stored(month) or dict(compute(month), snapshot=None)


def counties(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each county's total: the mean of its organizations' totals."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        if r.get("county_code"):
            groups.setdefault(r["county_code"], []).append(r)
    out = []
    for code, members in groups.items():
        totals = [m["total"] for m in members if m["total"] is not None]
        gov = next((m for m in members if m["kind"] == "government" and m["level"] == "county"), None)
        out.append({"county_code": code, "title": members[0]["county"], "organization": gov["organization"] if gov else None,
                    "total": round(sum(totals) / len(totals), 1) if totals else None,
                    "organizations": len(members), "scored": len(totals),
                    "red_cards": sum(_indicator(m, "efficiency").get("extra", {}).get("red_cards", 0) for m in members)})
    return assessment.rank(out)


def _indicator(row: dict, key: str) -> dict:
    return next((i for i in row["indicators"] if i["key"] == key), {})


def visible_org_ids(context: dict) -> set[str] | None:
    """None: everything (platform admin, sysadmin, the city government); else the ids a
    county government's members (its county) or a department's members (their own) see."""
    user = access.context_user(context)
    who = access.user_facts(user)
    if who.sysadmin or who.platform_admin:
        return None
    ids = set(who.org_ids)
    for org in model.Session.query(model.Group).filter(model.Group.id.in_(who.org_ids)) if who.org_ids else ():
        if (org.extras or {}).get("kind") != "government":
            continue
        place = jurisdiction.place(org)
        if place["jurisdiction_level"] == "city":
            return None
        for o in facts.organizations():
            if o["county_code"] and o["county_code"] == place["county_code"]:
                ids.add(o["id"])
    return ids


@tk.side_effect_free
def qingyang_assessment_board(context: dict, data_dict: dict) -> dict[str, Any]:
    """The month's scoreboard: departments ranked, and counties ranked.

    :param month: YYYY-MM (default this month, computed live)
    :param county: only this county's organizations (region code)
    """
    tk.check_access("qingyang_assessment_board", context, data_dict)
    month = _month_param(data_dict.get("month"))
    board = board_for(month)
    visible = visible_org_ids(context)
    all_rows = board["rows"]
    rows = [r for r in all_rows if visible is None or r["organization_id"] in visible]
    if data_dict.get("county"):
        rows = [r for r in rows if r["county_code"] == data_dict["county"]]
    county_rows = counties(all_rows) if visible is None else [
        c for c in counties(all_rows) if any(r["county_code"] == c["county_code"] for r in rows)]
    taken = {m for (m,) in model.Session.execute(sa.select(snapshot.c.month))}
    return {"month": month, "live": board["snapshot"] is None, "snapshot": board["snapshot"],
            "rules_from": board["rules_from"], "min_sample": board["rules"]["min_sample"],
            "indicators": [{"key": k, "label": board["rules"]["indicators"][k]["label"],
                            "weight": board["rules"]["indicators"][k]["weight"]} for k in assessment.INDICATORS],
            "departments": rows, "counties": county_rows,
            "months": [{"month": m, "snapshot": m in taken} for m in assessment.months_back(this_month(), HISTORY_MONTHS)]}


@tk.side_effect_free
def qingyang_assessment_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """One organization's month with every indicator's facts and evidence, and its trend.

    :param organization: name or id
    :param month: YYYY-MM (default this month)
    """
    tk.check_access("qingyang_assessment_show", context, data_dict)
    org = model.Group.get(data_dict.get("organization") or "")
    if org is None or not org.is_organization:
        raise tk.ObjectNotFound(f"部门不存在: {data_dict.get('organization')}")
    visible = visible_org_ids(context)
    if visible is not None and org.id not in visible:
        raise tk.NotAuthorized("只能查看本部门或本辖区的考核结果")
    month = _month_param(data_dict.get("month"))
    board = board_for(month)
    row = next((r for r in board["rows"] if r["organization_id"] == org.id), None)
    if row is None:
        raise tk.ObjectNotFound(f"{month} 没有 {org.title} 的考核结果")
    trend = []
    for m in assessment.months_back(month, HISTORY_MONTHS):
        stored = _stored(m)
        if stored is None and m != month:
            trend.append({"month": m, "total": None, "rank": None, "snapshot": False})
            continue
        r = next((x for x in (stored or board)["rows"] if x["organization_id"] == org.id), None)
        trend.append({"month": m, "total": r["total"] if r else None, "rank": r["rank"] if r else None,
                      "snapshot": stored is not None})
    return {"month": month, "live": board["snapshot"] is None, "rules_from": board["rules_from"],
            "min_sample": board["rules"]["min_sample"], "of": len([r for r in board["rows"] if r["rank"]]),
            **row, "trend": trend}


def qingyang_assessment_snapshot(context: dict, data_dict: dict) -> dict[str, Any]:
    """Take a finished month's snapshot (once; it never changes afterwards).

    :param month: YYYY-MM, before the current month
    :param if_missing: true: a month already stored is left as it is and reported, not refused
        (the monthly DAG's rerun)
    """
    tk.check_access("qingyang_assessment_snapshot", context, data_dict)
    month = _month_param(data_dict.get("month"))
    if month >= this_month():
        raise tk.ValidationError({"month": [f"{month} 尚未结束,月末之后才能存档"]})
    stored = _stored(month)
    if stored is not None:
        if tk.asbool(data_dict.get("if_missing")):
            return {"month": month, "stored": False, "organizations": len(stored["rows"]),
                    "ranked": len([r for r in stored["rows"] if r["rank"]])}
        raise tk.ValidationError({"month": [f"{month} 已存档,存档不再改动"]})
    board = compute(month)
    user = access.context_user(context)
    model.Session.execute(snapshot.insert().values(month=month, rules_from=board["rules_from"], rules=board["rules"],
                                                   taken_by=user.name if user else "site"))
    for r in board["rows"]:
        model.Session.execute(score_table.insert().values(
            month=month, **{k: r[k] for k in ("organization_id", "organization", "title", "kind", "level",
                                              "county_code", "county", "total", "rank", "indicators")}))
    model.Session.commit()
    return {"month": month, "stored": True, "organizations": len(board["rows"]),
            "ranked": len([r for r in board["rows"] if r["rank"]])}


ACTIONS = {f.__name__: f for f in (qingyang_assessment_board, qingyang_assessment_show, qingyang_assessment_snapshot)}
